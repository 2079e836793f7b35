#!/usr/bin/env bats
# /etc/hotplug-online.conf: good, bad and missing, under udev and online.

load test_helper/common

setup() {
	common_setup
	mksysfs
}

udev_add() { # udev_add DEVPATH [more args for ho before 'udev']
	local devpath=$1
	shift
	ACTION=add DEVPATH=$devpath run -0 --separate-stderr ho --sysfs "$SYS" "$@" udev
}

@test "config: memory = online_movable writes online_movable" {
	echo 'memory = online_movable' >"$CFG"
	uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online_movable
	assert_equal "$(logged)" ''
}

@test "config: memory = online_kernel writes online_kernel" {
	echo 'memory = online_kernel' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory5
	assert_output 'memory5: onlined as online_kernel (128 MiB, node 1, zone Normal)'
	assert_equal "$(mem_state 5)" online_kernel
}

@test "config: memory = off leaves memory offline (udev and online), CPUs still onlined" {
	echo 'memory = off' >"$CFG"
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 --config "$CFG"
	assert_equal "$(tree_sums)" "$before"
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_output 'memory4: left offline (memory = off)
memory5: left offline (memory = off)
memory6: left offline (memory = off)
memory7: left offline (memory = off)
cpu2: onlined
cpu3: onlined'
	for i in 4 5 6 7; do assert_equal "$(mem_state "$i")" offline; done
	run -0 logged
	assert_line --index 0 '<30>hotplug-online[PID]: memory4: left offline (memory = off)'
	assert_equal "${#lines[@]}" 5   # the add's line, then the sweep's four
}

@test "config: cpu = off leaves CPUs offline, memory still onlined" {
	echo 'cpu = off' >"$CFG"
	udev_add /devices/system/cpu/cpu3 --config "$CFG"
	assert_equal "$(cpu_online 3)" 0
	assert_equal "$(logged)" '<30>hotplug-online[PID]: cpu3: left offline (cpu = off)'
	run -0 ho --sysfs "$SYS" --config "$CFG" online cpu2 memory4
	assert_output 'cpu2: left offline (cpu = off)
memory4: onlined as online (128 MiB, node 1, zone Normal)'
	assert_equal "$(cpu_online 2)" 0
}

@test "config: comments, blank lines, spaces, tabs, CRLF; a key twice keeps the last value" {
	printf '%s\n' '# a comment' '' '   ' $'\tmemory\t=\toff\t' 'memory=online_kernel   # trailing comment' \
		$'cpu = on\r' 'strict = no' 'skip_s390x_ppc64 = yes' >"$CFG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_output 'memory4: onlined as online_kernel (128 MiB, node 1, zone Normal)'
	assert_stderr_empty
}

@test "config: the shipped commented default file means every default" {
	cp "$BATS_TEST_DIRNAME/../helper/hotplug-online.conf" "$CFG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_output 'memory4: onlined as online (128 MiB, node 1, zone Normal)'
	assert_stderr_empty
}

@test "config: a missing default file is fine (every default)" {
	if [[ -e /etc/hotplug-online.conf ]] &&
		! cmp -s /etc/hotplug-online.conf "$BATS_TEST_DIRNAME/../helper/hotplug-online.conf"; then
		skip "this machine has its own /etc/hotplug-online.conf"
	fi
	udev_add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	assert_stderr_empty
	run -0 --separate-stderr ho --sysfs "$SYS" online memory5
	assert_stderr_empty
	assert_equal "$(mem_state 5)" online
}

@test "config under udev: a bad line is logged naming file and line, default used, RAM onlined" {
	printf '%s\n' '# ok' 'cpu = on' 'memroy = off' 'memory = online_movabel' 'strict' >"$CFG"
	before=$(tree_sums)
	uevent add /devices/system/memory/memory4
	assert_stderr_contains "hotplug-online: config '$CFG' line 3: unknown key: 'memroy = off'; default kept"
	assert_equal "$(mem_state 4)" online
	assert_equal "$(changed_since "$before")" devices/system/memory/memory4/state
	assert_equal "$(logged)" "<27>hotplug-online[PID]: config '$CFG' line 3: unknown key: 'memroy = off'; default kept
<27>hotplug-online[PID]: config '$CFG' line 4: invalid value: 'memory = online_movabel'; default kept
<27>hotplug-online[PID]: config '$CFG' line 5: expected 'key = value': 'strict'; default kept"
}

@test "config under udev: a --config file that is missing or not a file: logged, defaults, RAM onlined" {
	udev_add /devices/system/memory/memory4 --config "$BATS_TEST_TMPDIR/nonexistent.conf"
	assert_equal "$(mem_state 4)" online
	assert_stderr_contains "config '$BATS_TEST_TMPDIR/nonexistent.conf': No such file or directory"
	udev_add /devices/system/memory/memory5 --config "$BATS_TEST_TMPDIR"
	assert_equal "$(mem_state 5)" online
	assert_stderr_contains "config '$BATS_TEST_TMPDIR': not a regular file"
}

@test "config under online: any bad line is exit 2 and nothing is written" {
	printf '%s\n' 'memory = online' 'colour = blue' >"$CFG"
	before=$(tree_sums)
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output ''
	assert_equal "$stderr" "hotplug-online: config '$CFG' line 2: unknown key: 'colour = blue'; default kept"
	printf '%s\n' 'cpu = yes' >"$CFG"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_stderr_contains "config '$CFG' line 1: invalid value: 'cpu = yes'"
	run -2 ho --sysfs "$SYS" --config "$CFG" online --dry-run
	assert_equal "$(tree_sums)" "$before"
}

@test "config under online: --config naming a missing file is exit 2" {
	before=$(tree_sums)
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$BATS_TEST_TMPDIR/nonexistent.conf" online
	assert_stderr_contains "config '$BATS_TEST_TMPDIR/nonexistent.conf': No such file or directory"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$BATS_TEST_TMPDIR" online
	assert_stderr_contains "not a regular file"
	assert_equal "$(tree_sums)" "$before"
}

@test "config: a line of 1023 bytes is read, one of 1024 is too long" {
	line='memory = off'
	printf '%s%*s\n' "$line" $((1023 - ${#line})) '' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_output 'memory4: left offline (memory = off)'
	printf '%s%*s\n' "$line" $((1024 - ${#line})) '' >"$CFG"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_stderr_contains "config '$CFG' line 1: line too long: 'memory = off'"
	assert_equal "$(mem_state 4)" offline
}

@test "config: a NUL byte is refused (online: exit 2; udev: logged, default)" {
	printf 'memory = o\0ff\n' >"$CFG"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_stderr_contains "config '$CFG' line 1: NUL byte: 'memory = o'"
	assert_equal "$(mem_state 4)" offline
	udev_add /devices/system/memory/memory4 --config "$CFG"
	assert_equal "$(mem_state 4)" online
}

@test "config: status and restore do not read the configuration" {
	run -0 ho --sysfs "$SYS" --config "$BATS_TEST_TMPDIR/nonexistent.conf" status
	echo 'bogus' >"$CFG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" status --json
	assert_stderr_empty
	# restore puts back what the record says, whatever the file says now.
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$BATS_TEST_TMPDIR/nonexistent.conf" restore
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" restore
	assert_stderr_empty
	# Control: setup does read it.
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_stderr_contains "config '$CFG' line 1: expected 'key = value': 'bogus'"
}

@test "config: kernel_auto_online takes yes or no, nothing else" {
	rm -rf "$SYS"
	mksysfs aob=online
	for v in yes no; do
		echo "kernel_auto_online = $v" >"$CFG"
		run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup --dry-run
		assert_stderr_empty
	done
	assert_line 'kernel_auto_online = no: the udev rule onlines memory'
	for v in on off 1 0 Yes NO true ''; do
		echo "kernel_auto_online = $v" >"$CFG"
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup --dry-run
		assert_stderr_contains "config '$CFG' line 1: "
	done
	# Under udev a bad value is logged and the default (yes) kept: the add still onlines.
	echo 'kernel_auto_online = maybe' >"$CFG"
	udev_add /devices/system/memory/memory4 --config "$CFG"
	assert_stderr_contains "config '$CFG' line 1: invalid value: 'kernel_auto_online = maybe'; default kept"
	assert_equal "$(mem_state 4)" online
}

# The man page: "Under udev the error is logged and the key keeps its
# default, so a typo never leaves memory offline" -- even after an earlier
# valid line for the same key (the log line says "default kept").
@test "config under udev: a bad value after 'memory = off' resets the key to its default, as logged" {
	printf '%s\n' 'memory = off' 'memory = onlin' >"$CFG"
	udev_add /devices/system/memory/memory4 --config "$CFG"
	assert_stderr_contains "config '$CFG' line 2: invalid value: 'memory = onlin'; default kept"
	assert_equal "$(mem_state 4)" online
}

@test "config: memory = auto-movable writes online: the kernel's online_policy (set by setup) picks the zone" {
	echo 'memory = auto-movable' >"$CFG"
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory5
	assert_output 'memory5: onlined as online (128 MiB, node 1, zone Normal)'
	assert_equal "$(logged)" ''
}

@test "config: dax_kmem takes online or leave, nothing else; movable_ratio 1 to 100000" {
	for v in 'dax_kmem = online' 'dax_kmem = leave' 'movable_ratio = 1' 'movable_ratio = 100000'; do
		echo "$v" >"$CFG"
		run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run memory4
		assert_stderr_empty
	done
	for v in 'dax_kmem = yes' 'dax_kmem = Online' 'dax_kmem = off' 'dax_kmem =' 'movable_ratio = 0' 'movable_ratio = 100001'; do
		echo "$v" >"$CFG"
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run memory4
		assert_stderr_contains "config '$CFG' line 1: "
	done
}
