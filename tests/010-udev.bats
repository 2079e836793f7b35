#!/usr/bin/env bats
# `hotplug-online udev`: what the rule's IMPORT{program} runs for one
# memory or CPU `add`.  It onlines the hot-added (or, for memory, replayed)
# device and logs nothing on success: the log service logs the kernel's
# online event (095).  Logged: a device left alone and why (at a hot-add,
# not at a replay), and every failure.  Every other action is not its job:
# exit 0, nothing read, written or logged.

load test_helper/common

L='<30>hotplug-online[PID]:'   # an info line, as logged shows it

@test "udev add: an offline block is onlined, silently: only its state changed, no /run state" {
	mksysfs online=4 offline=4 nodes=2
	before=$(tree_sums)
	uevent add /devices/system/memory/memory5
	assert_output ''
	assert_stderr_empty
	assert_equal "$(mem_state 5)" online
	assert_equal "$(changed_since "$before")" devices/system/memory/memory5/state
	assert_equal "$(logged)" ''
	[[ ! -e $RUNDIR ]] || fail "made $RUNDIR"
}

@test "udev add: real 6.1 snapshot, memory32 hot-added to node 1" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	uevent add /devices/system/memory/memory32
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 32)" online
	assert_equal "$(mem_state 33)" offline
	assert_equal "$(changed_since "$before")" devices/system/memory/memory32/state
	assert_equal "$(logged)" ''
}

@test "udev add: an offline CPU is written 1, silently" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	uevent add /devices/system/cpu/cpu3
	assert_equal "$output$stderr" ''
	assert_equal "$(cpu_online 3)" 1
	assert_equal "$(cpu_online 2)" 0
	assert_equal "$(changed_since "$before")" devices/system/cpu/cpu3/online
	assert_equal "$(logged)" ''
}

@test "udev add: SUBSYSTEM may be absent" {
	mksysfs
	ACTION=add DEVPATH=/devices/system/cpu/cpu2 run -0 ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$(cpu_online 2)" 1
	ACTION=add DEVPATH=/devices/system/memory/memory4 run -0 ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$(mem_state 4)" online
}

@test "udev add: a block or CPU already online (or without an online file) is left alone, silently" {
	mksysfs
	[[ ! -e $CPU/cpu0/online ]]
	before=$(tree_sums)
	for dev in memory/memory1 cpu/cpu1 cpu/cpu0; do
		uevent add "/devices/system/$dev"
		assert_equal "$output$stderr" ''
		uevent --replay add "/devices/system/$dev"
		assert_equal "$output$stderr" ''
	done
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
}

@test "udev add: a going-offline block is left alone, said" {
	mksysfs going_offline=2
	before=$(tree_sums)
	uevent add /devices/system/memory/memory2
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" "$L memory2: going offline, left alone"
}

@test "udev: online, offline, remove, change, move, bind, unbind do nothing, even to an offline device" {
	mksysfs
	before=$(tree_sums)
	for action in online offline remove change move bind unbind; do
		for dev in memory/memory4 cpu/cpu3; do
			uevent "$action" "/devices/system/$dev"
			[[ -z $output$stderr ]] || fail "$action $dev: printed '$output' '$stderr'"
			uevent --replay "$action" "/devices/system/$dev"
		done
	done
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
	[[ ! -e $RUNDIR ]] || fail "made $RUNDIR"
	# Control: the same harness sees an add write.
	uevent add /devices/system/memory/memory4
	assert_equal "$(changed_since "$before")" devices/system/memory/memory4/state
}

@test "udev: change, move, bind, unbind do not look at DEVPATH; add, online, offline, remove need a valid one" {
	mksysfs
	before=$(tree_sums)
	for action in change move bind unbind; do
		ACTION=$action run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
		assert_equal "$output$stderr" ''
		ACTION=$action DEVPATH=/devices/system/memory/../x run -0 --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
		assert_equal "$output$stderr" ''
	done
	for action in add online offline remove; do
		ACTION=$action run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
		assert_stderr_contains "DEVPATH is not set"
		ACTION=$action DEVPATH=/devices/system/memory/../x run -2 --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
		assert_stderr_contains "invalid DEVPATH '/devices/system/memory/../x'"
	done
	assert_equal "$(tree_sums)" "$before"
}

@test "udev add: a device removed before it could be onlined is said, exit 0" {
	mksysfs
	before=$(tree_sums)
	uevent add /devices/system/memory/memory99
	uevent add /devices/system/cpu/cpu9
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" '<29>hotplug-online[PID]: memory99: removed before it could be onlined
<29>hotplug-online[PID]: cpu9: removed before it could be onlined'
}

@test "udev add: no memory directory at all: a memory event is a removed device" {
	mksysfs memory=no
	uevent add /devices/system/memory/memory4
	assert_equal "$(logged)" '<29>hotplug-online[PID]: memory4: removed before it could be onlined'
}

@test "udev: missing ACTION or DEVPATH is refused, exit 2, logged at err" {
	mksysfs
	before=$(tree_sums)
	DEVPATH=/devices/system/memory/memory4 run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$stderr" "hotplug-online: ACTION is not set: 'udev' runs from a udev rule"
	ACTION=add run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$stderr" "hotplug-online: DEVPATH is not set: 'udev' runs from a udev rule"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" "<27>hotplug-online[PID]: ACTION is not set: 'udev' runs from a udev rule
<27>hotplug-online[PID]: DEVPATH is not set: 'udev' runs from a udev rule"
}

@test "udev: a SUBSYSTEM that does not match DEVPATH is refused (add and online)" {
	mksysfs
	before=$(tree_sums)
	ACTION=add DEVPATH=/devices/system/memory/memory4 SUBSYSTEM=cpu run -2 --separate-stderr \
		ho --sysfs "$SYS" --config "$CFG" udev
	ACTION=add DEVPATH=/devices/system/cpu/cpu3 SUBSYSTEM=memory run -2 --separate-stderr \
		ho --sysfs "$SYS" --config "$CFG" udev
	ACTION=online DEVPATH=/devices/system/cpu/cpu1 SUBSYSTEM=memory run -2 --separate-stderr \
		ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" "<27>hotplug-online[PID]: SUBSYSTEM 'cpu' does not match DEVPATH '/devices/system/memory/memory4'
<27>hotplug-online[PID]: SUBSYSTEM 'memory' does not match DEVPATH '/devices/system/cpu/cpu3'
<27>hotplug-online[PID]: SUBSYSTEM 'memory' does not match DEVPATH '/devices/system/cpu/cpu1'"
}

@test "udev add: on s390x and ppc64 memory is left alone (said at a hot-add), CPUs are not" {
	for arch in s390x s390 ppc64 ppc64le; do
		rm -rf "$SYS"
		mksysfs
		: >"$KMSG"
		before=$(tree_sums)
		HOTPLUG_ONLINE_TEST_ARCH=$arch uevent add /devices/system/memory/memory4
		assert_equal "$(tree_sums)" "$before"
		HOTPLUG_ONLINE_TEST_ARCH=$arch uevent add /devices/system/cpu/cpu3
		assert_equal "$(cpu_online 3)" 1
		assert_equal "$(logged)" "$L memory4: left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)"
	done
}

@test "udev add: other architectures online memory (x86_64, aarch64, ppc, riscv64)" {
	for arch in x86_64 aarch64 ppc riscv64; do
		rm -rf "$SYS"
		mksysfs
		HOTPLUG_ONLINE_TEST_ARCH=$arch uevent add /devices/system/memory/memory4
		[[ $(mem_state 4) == online ]] || fail "$arch: memory4 reads $(mem_state 4)"
	done
	assert_equal "$(logged)" ''
}

@test "udev add: skip_s390x_ppc64 = no onlines memory on s390x" {
	mksysfs
	echo 'skip_s390x_ppc64 = no' >"$CFG"
	HOTPLUG_ONLINE_TEST_ARCH=s390x uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	assert_equal "$(logged)" ''
}

@test "udev: a nine-digit index is a valid DEVPATH (and here a removed device)" {
	mksysfs
	uevent add /devices/system/cpu/cpu999999999
	assert_equal "$(logged)" '<29>hotplug-online[PID]: cpu999999999: removed before it could be onlined'
	uevent -2 add /devices/system/cpu/cpu1000000000
}

# Replays: `udevadm trigger` and every boot's coldplug write "add" to the
# uevent files, and the kernel (4.13+) sets SYNTH_UUID on those.

@test "udev add, replayed: an offline block is onlined as at a hot-add" {
	mksysfs
	before=$(tree_sums)
	uevent --replay add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(changed_since "$before")" devices/system/memory/memory4/state
	assert_equal "$(logged)" ''
}

@test "udev add, replayed: a CPU is not ours (maxcpus=, nosmt, echo 0): nothing read, written or logged" {
	mksysfs
	before=$(tree_sums)
	uevent --replay add /devices/system/cpu/cpu3
	assert_equal "$output$stderr" ''
	# Even a bogus online value is not looked at, nor a CPU that is not there.
	echo 7 >"$CPU/cpu2/online"
	before=$(tree_sums)
	uevent --replay add /devices/system/cpu/cpu2
	assert_equal "$output$stderr" ''
	uevent --replay add /devices/system/cpu/cpu9
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
	# Control: the same CPU at a real hot-add is onlined.
	uevent add /devices/system/cpu/cpu3
	assert_equal "$(cpu_online 3)" 1
}

@test "udev add: left-alone lines are logged at a hot-add, not at a replay" {
	mksysfs going_offline=2
	printf 'memory = off\ncpu = off\n' >"$CFG"
	before=$(tree_sums)
	uevent --replay add /devices/system/memory/memory4
	HOTPLUG_ONLINE_TEST_ARCH=s390x uevent --replay add /devices/system/memory/memory5
	uevent --replay add /devices/system/memory/memory2
	assert_equal "$(logged)" ''
	uevent add /devices/system/memory/memory4
	uevent add /devices/system/cpu/cpu3
	printf 'cpu = on\n' >"$CFG"
	HOTPLUG_ONLINE_TEST_ARCH=s390x uevent add /devices/system/memory/memory5
	assert_equal "$(logged)" "$L memory4: left offline (memory = off)
$L cpu3: left offline (cpu = off)
$L memory5: left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)"
	assert_equal "$(tree_sums)" "$before"
}

@test "udev add: failures are logged at err with the reason, exit 1 (a replay too)" {
	mksysfs
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EIO cpu3=EIO' uevent -1 add /devices/system/memory/memory4
	assert_equal "$stderr" "hotplug-online: memory4: cannot online as online: $EIO_TEXT"
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EIO' uevent -1 --replay add /devices/system/memory/memory4
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EIO' uevent -1 add /devices/system/cpu/cpu3
	assert_equal "$(logged)" "<27>hotplug-online[PID]: memory4: cannot online as online: $EIO_TEXT
<27>hotplug-online[PID]: memory4: cannot online as online: $EIO_TEXT
<27>hotplug-online[PID]: cpu3: cannot online: $EIO_TEXT"
	assert_equal "$(mem_state 4)$(cpu_online 3)" offline0
}
