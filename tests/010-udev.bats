#!/usr/bin/env bats
# `hotplug-online udev`: one udev event, one device, one syslog line.

load test_helper/common

setup() {
	common_setup
	start_devlog
}

# udev_event ACTION DEVPATH [SUBSYSTEM]: run the helper as the rule does.
udev_event() {
	local action=$1 devpath=$2
	shift 2
	if (($#)); then
		ACTION=$action DEVPATH=$devpath SUBSYSTEM=$1 run -"$UDEV_EXPECT" --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
	else
		ACTION=$action DEVPATH=$devpath run -"$UDEV_EXPECT" --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
	fi
}
UDEV_EXPECT=0

@test "udev: offline memory block is onlined, one info line, nothing else changes" {
	mksysfs online=4 offline=4 nodes=2
	before=$(tree_sums)
	udev_event add /devices/system/memory/memory5 memory
	assert_output ''
	assert_stderr_empty
	assert_equal "$(mem_state 5)" online
	assert_equal "$(changed_since "$before")" devices/system/memory/memory5/state
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory5: onlined as online (128 MiB, node 1, zone Normal)'
}

@test "udev: real 6.1 snapshot, memory32 hot-added to node 1" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	udev_event add /devices/system/memory/memory32 memory
	assert_equal "$(mem_state 32)" online
	assert_equal "$(mem_state 33)" offline
	assert_equal "$(changed_since "$before")" devices/system/memory/memory32/state
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory32: onlined as online (128 MiB, node 1, zone Normal)'
	# The syslog line carries this process's PID.
	[[ $(devlog_lines) =~ ^\<30\>hotplug-online\[[1-9][0-9]*\]:\  ]] || fail "no PID: $(devlog_lines)"
}

@test "udev: offline CPU is written 1" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	udev_event add /devices/system/cpu/cpu3 cpu
	assert_output ''
	assert_stderr_empty
	assert_equal "$(cpu_online 3)" 1
	assert_equal "$(cpu_online 2)" 0
	assert_equal "$(changed_since "$before")" devices/system/cpu/cpu3/online
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: cpu3: onlined'
}

@test "udev: SUBSYSTEM may be absent" {
	mksysfs
	udev_event add /devices/system/cpu/cpu2
	assert_equal "$(cpu_online 2)" 1
	udev_event add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
}

@test "udev: block already online is left alone (another agent won)" {
	mksysfs
	before=$(tree_sums)
	udev_event add /devices/system/memory/memory1 memory
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory1: already online (onlined by another agent)'
}

@test "udev: CPU already online is left alone" {
	mksysfs
	before=$(tree_sums)
	udev_event add /devices/system/cpu/cpu1 cpu
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: cpu1: already online (onlined by another agent)'
}

@test "udev: going-offline block is left alone and logged at notice" {
	mksysfs going_offline=2
	before=$(tree_sums)
	udev_event add /devices/system/memory/memory2 memory
	assert_equal "$(mem_state 2)" going-offline
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory2: going offline, left alone'
}

@test "udev: CPU without an online file (the boot CPU) needs nothing" {
	mksysfs
	[[ ! -e $CPU/cpu0/online ]]
	before=$(tree_sums)
	udev_event add /devices/system/cpu/cpu0 cpu
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $CPU/cpu0/online ]] || fail "an online file was created"
	# Nothing was done, so nothing is logged.
	run -0 devlog
	assert_output ''
}

@test "udev: every action other than add is a silent no-op" {
	mksysfs
	before=$(tree_sums)
	for action in remove change move online offline bind unbind; do
		udev_event "$action" /devices/system/memory/memory4 memory
		[[ -z $output && -z $stderr ]] || fail "$action: printed '$output' '$stderr'"
		udev_event "$action" /devices/system/cpu/cpu3 cpu
		[[ -z $output && -z $stderr ]] || fail "$action: printed '$output' '$stderr'"
	done
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" ''
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "udev: other actions do not look at DEVPATH, even a missing or malformed one" {
	mksysfs
	before=$(tree_sums)
	ACTION=remove run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$output$stderr" ''
	ACTION=remove DEVPATH=/devices/system/memory/../x run -0 --separate-stderr \
		ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$output$stderr" ''
	ACTION=add run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "DEVPATH is not set"
	assert_equal "$(tree_sums)" "$before"
}

@test "udev: device removed before it could be onlined is logged, exit 0" {
	mksysfs
	before=$(tree_sums)
	udev_event add /devices/system/memory/memory99 memory
	udev_event add /devices/system/cpu/cpu9 cpu
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory99: removed before it could be onlined
<29>hotplug-online[PID]: cpu9: removed before it could be onlined'
}

@test "udev: no memory directory at all, a memory event is a removed device" {
	mksysfs memory=no
	udev_event add /devices/system/memory/memory4 memory
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory4: removed before it could be onlined'
}

@test "udev: missing ACTION or DEVPATH is refused, exit 2, logged at err" {
	mksysfs
	before=$(tree_sums)
	DEVPATH=/devices/system/memory/memory4 run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "ACTION is not set: 'udev' runs from a udev rule"
	ACTION=add run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "DEVPATH is not set: 'udev' runs from a udev rule"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "<27>hotplug-online[PID]: ACTION is not set: 'udev' runs from a udev rule
<27>hotplug-online[PID]: DEVPATH is not set: 'udev' runs from a udev rule"
}

@test "udev: SUBSYSTEM that does not match DEVPATH is refused" {
	mksysfs
	before=$(tree_sums)
	UDEV_EXPECT=2 udev_event add /devices/system/memory/memory4 cpu
	assert_stderr_contains "SUBSYSTEM 'cpu' does not match DEVPATH '/devices/system/memory/memory4'"
	UDEV_EXPECT=2 udev_event add /devices/system/cpu/cpu3 memory
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "<27>hotplug-online[PID]: SUBSYSTEM 'cpu' does not match DEVPATH '/devices/system/memory/memory4'
<27>hotplug-online[PID]: SUBSYSTEM 'memory' does not match DEVPATH '/devices/system/cpu/cpu3'"
}

@test "udev: on s390x and ppc64 memory is left alone, CPUs are not" {
	for arch in s390x s390 ppc64 ppc64le; do
		rm -rf "$SYS"
		mksysfs
		: >"$DEVLOG_OUT"
		before=$(tree_sums)
		HOTPLUG_ONLINE_TEST_ARCH=$arch udev_event add /devices/system/memory/memory4 memory
		assert_equal "$(tree_sums)" "$before"
		HOTPLUG_ONLINE_TEST_ARCH=$arch udev_event add /devices/system/cpu/cpu3 cpu
		assert_equal "$(cpu_online 3)" 1
		assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)
<30>hotplug-online[PID]: cpu3: onlined'
	done
}

@test "udev: other architectures online memory (x86_64, aarch64, ppc, riscv64)" {
	for arch in x86_64 aarch64 ppc riscv64; do
		rm -rf "$SYS"
		mksysfs
		HOTPLUG_ONLINE_TEST_ARCH=$arch udev_event add /devices/system/memory/memory4 memory
		[[ $(mem_state 4) == online ]] || fail "$arch: memory4 reads $(mem_state 4)"
	done
}

@test "udev: skip_s390x_ppc64 = no onlines memory on s390x" {
	mksysfs
	echo 'skip_s390x_ppc64 = no' >"$CFG"
	HOTPLUG_ONLINE_TEST_ARCH=s390x udev_event add /devices/system/memory/memory4 memory
	assert_equal "$(mem_state 4)" online
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: onlined as online (128 MiB, node 1, zone Normal)'
}

@test "udev: a nine-digit index is a valid DEVPATH (and here a removed device)" {
	mksysfs
	udev_event add /devices/system/cpu/cpu999999999 cpu
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: cpu999999999: removed before it could be onlined'
}
