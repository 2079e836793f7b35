#!/usr/bin/env bats
# `hotplug-online online [--dry-run] [device...]`: the administrator's command.
# What it onlines it prints on stdout ("memory8: onlined as online (128 MiB,
# node 0, zone Normal)"); syslog gets no line for a plain success (the log
# service logs the kernel's online event), only what was left alone and why,
# and failures.

load test_helper/common

@test "online: sweep onlines memory in ascending numeric order, then CPUs" {
	# 8..12 and cpu2..cpu11: directory order and string order both differ from numeric.
	mksysfs online=4 offline=5 offline_start=8 nodes=1 cpus=12 offline_cpus=10
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	expected=()
	for i in 8 9 10 11 12; do expected+=("memory$i: onlined as online (128 MiB, node 0, zone Normal)"); done
	for i in 2 3 4 5 6 7 8 9 10 11; do expected+=("cpu$i: onlined"); done
	assert_output "$(printf '%s\n' "${expected[@]}")"
	assert_stderr_empty
	assert_equal "$(logged)" ''
	for i in 8 9 10 11 12; do assert_equal "$(mem_state "$i")" online; done
	for i in 2 3 4 5 6 7 8 9 10 11; do assert_equal "$(cpu_online "$i")" 1; done
	assert_equal "$(changed_since "$before" | wc -l)" 15
}

@test "online: sweep of the real 6.1 snapshot onlines memory32-39, then cpu2, cpu3" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	want=$(for i in 32 33 34 35 36 37 38 39; do
		echo "memory$i: onlined as online (128 MiB, node 1, zone Normal)"
	done; printf 'cpu2: onlined\ncpu3: onlined')
	assert_output "$want"
	for i in 32 33 34 35 36 37 38 39; do assert_equal "$(mem_state "$i")" online; done
	assert_equal "$(cpu_online 2)$(cpu_online 3)" 11
	# A second sweep has nothing to do, and says nothing.
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output ''
	assert_stderr_empty
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
}

@test "online: sweep of an all-online machine (6.18 snapshot) is silent, exit 0" {
	unpack_snapshot guest-6.18-24g
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output ''
	assert_stderr_empty
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
}

@test "online: sweep skips a going-offline block without failing, and says so" {
	mksysfs going_offline=1
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_line 'memory1: going offline, left alone'
	assert_equal "$(logged)" '<30>hotplug-online[PID]: memory1: going offline, left alone'
	assert_equal "$(mem_state 1)" going-offline
	assert_equal "$(mem_state 4)" online
}

@test "online: named devices (memory42, cpu3, DEVPATH form) and only those" {
	mksysfs offline=4 offline_start=40
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory42 cpu3 /devices/system/memory/memory40
	assert_output 'memory42: onlined as online (128 MiB, node 1, zone Normal)
cpu3: onlined
memory40: onlined as online (128 MiB, node 1, zone Normal)'
	assert_stderr_empty
	assert_equal "$(changed_since "$before")" 'devices/system/cpu/cpu3/online
devices/system/memory/memory40/state
devices/system/memory/memory42/state'
	assert_equal "$(mem_state 41)$(mem_state 43)$(cpu_online 2)" offlineoffline0
	run -0 ho --sysfs "$SYS" --config "$CFG" online /devices/system/cpu/cpu2
	assert_output 'cpu2: onlined'
}

@test "online: a named device already online prints so, exit 0, not logged" {
	mksysfs
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory1 cpu1 cpu0
	assert_output "memory1: already online
cpu1: already online
cpu0: already online (no 'online' file)"
	assert_stderr_empty
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
}

@test "online: the same device twice is onlined once" {
	mksysfs
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory4 memory4
	assert_output 'memory4: onlined as online (128 MiB, node 1, zone Normal)
memory4: already online'
}

@test "online: a named device that does not exist fails, exit 1, logged at err" {
	mksysfs
	before=$(tree_sums)
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory99
	assert_output ''
	assert_equal "$stderr" 'hotplug-online: memory99: cannot open: no such device'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" '<27>hotplug-online[PID]: memory99: cannot open: no such device'
}

@test "online: every name is checked before any device is touched" {
	mksysfs
	before=$(tree_sums)
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4 cpu3 memory05
	assert_output ''
	assert_stderr_contains "invalid device 'memory05': expected memory<N>, cpu<N> or a DEVPATH"
	assert_equal "$(tree_sums)" "$before"
}

@test "online --dry-run: prints what it would do, writes and logs nothing" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	for flag in --dry-run -n; do
		run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online "$flag"
		want=$(for i in 32 33 34 35 36 37 38 39; do echo "memory$i: would online as online"; done
			printf 'cpu2: would online\ncpu3: would online')
		assert_output "$want"
		assert_stderr_empty
	done
	run -0 ho --sysfs "$SYS" --config "$CFG" --dry-run online memory33 cpu2 memory0
	assert_output 'memory33: would online as online
cpu2: would online
memory0: already online'
	echo 'memory = online_movable' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" online -n memory33
	assert_output 'memory33: would online as online_movable'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
	[[ ! -e $RUNDIR ]] || fail "a dry run made $RUNDIR"
}

@test "online --dry-run ignores faults: it never writes" {
	mksysfs
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EPERM cpu3=EBUSY' run -0 ho --sysfs "$SYS" --config "$CFG" online -n
	assert_equal "$(tree_sums)" "$before"
}

@test "online: sweep with one failure is partial success, exit 64; the rest still onlined" {
	mksysfs offline=4 cpus=4 offline_cpus=2
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM' run -64 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output 'memory4: onlined as online (128 MiB, node 1, zone Normal)
memory6: onlined as online (128 MiB, node 1, zone Normal)
memory7: onlined as online (128 MiB, node 1, zone Normal)
cpu2: onlined
cpu3: onlined'
	assert_equal "$stderr" 'hotplug-online: memory5: cannot online as online: Operation not permitted (are you root?)'
	assert_equal "$(mem_state 4)$(mem_state 5)$(mem_state 6)$(mem_state 7)" onlineofflineonlineonline
	assert_equal "$(cpu_online 2)$(cpu_online 3)" 11
	assert_line --index 1 'memory6: onlined as online (128 MiB, node 1, zone Normal)'
	assert_equal "$(logged)" '<27>hotplug-online[PID]: memory5: cannot online as online: Operation not permitted (are you root?)'
}

@test "online: named devices, one failing, is exit 64; all failing is exit 1" {
	mksysfs
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' run -64 ho --sysfs "$SYS" --config "$CFG" online memory4 cpu3
	assert_equal "$(mem_state 4)$(cpu_online 3)" online0
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM memory5=EPERM' run -1 ho --sysfs "$SYS" --config "$CFG" online memory5 cpu3
	assert_equal "$(mem_state 5)$(cpu_online 3)" offline0
	# A sweep where every device it acts on fails is a failure, not partial.
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM cpu2=EPERM' run -1 ho --sysfs "$SYS" --config "$CFG" online cpu2 cpu3
}

@test "online: sweep where everything fails is exit 1" {
	mksysfs offline=1 cpus=1 offline_cpus=0
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EPERM' run -1 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(mem_state 4)" offline
}

@test "online: a tree without memory hotplug still onlines CPUs" {
	mksysfs memory=no
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_output $'cpu2: onlined\ncpu3: onlined'
}

@test "online: a directory that is not a sysfs tree is exit 2, named, nothing written" {
	# Something, but neither devices/system/memory nor devices/system/cpu.
	mkdir -p "$SYS/devices/system/node/node0" "$SYS/class"
	echo offline >"$SYS/devices/system/node/node0/state"
	before=$(tree_sums)
	for args in "" --dry-run memory4 cpu1 /devices/system/memory/memory4; do   # each one word or none
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online $args
		assert_output ''
		assert_equal "$stderr" "hotplug-online: '$SYS' is not a sysfs tree: no devices/system/memory or devices/system/cpu"
	done
	assert_equal "$(tree_sums)" "$before"
	# online (not --dry-run) logs it, at err, like every refused input.
	assert_equal "$(logged | sort -u)" "<27>hotplug-online[PID]: '$SYS' is not a sysfs tree: no devices/system/memory or devices/system/cpu"
	# Negative control: one CPU directory makes it a tree; the same command runs.
	mkdir -p "$CPU/cpu1"
	echo 0 >"$CPU/cpu1/online"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output 'cpu1: onlined'
	assert_equal "$(cpu_online 1)" 1
}

@test "online: options may come after the command; -- ends them" {
	mksysfs
	run -0 ho online --sysfs "$SYS" memory4 --config "$CFG"
	assert_output 'memory4: onlined as online (128 MiB, node 1, zone Normal)'
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online -- --dry-run
	assert_stderr_contains "invalid device '--dry-run'"
	assert_equal "$(mem_state 5)" offline
}

@test "online: index boundaries: 0 and nine digits are names, ten digits are not" {
	mksysfs
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory0 cpu0
	assert_output "memory0: already online
cpu0: already online (no 'online' file)"
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory999999999
	assert_equal "$stderr" 'hotplug-online: memory999999999: cannot open: no such device'
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory1000000000
	assert_stderr_contains "invalid device 'memory1000000000'"
}

# Exit 64 means some device came online; devices left alone on purpose
# (memory = off, going-offline) count neither way.
@test "online: memory = off and every CPU failing is exit 1, not 64 (nothing came online)" {
	mksysfs
	echo 'memory = off' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM cpu3=EPERM' run -1 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(mem_state 4)$(cpu_online 2)$(cpu_online 3)" offline00
}

@test "online: left-alone lines and failures are logged, plain successes are not" {
	mksysfs offline=2 cpus=3 offline_cpus=1
	echo 'cpu = off' >"$CFG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4 cpu2
	assert_output 'memory4: onlined as online (128 MiB, node 1, zone Normal)
cpu2: left offline (cpu = off)'
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM' run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory5
	assert_equal "$(logged)" '<30>hotplug-online[PID]: cpu2: left offline (cpu = off)
<27>hotplug-online[PID]: memory5: cannot online as online: Operation not permitted (are you root?)'
	[[ ! -e $RUNDIR ]] || fail "made $RUNDIR"
}
