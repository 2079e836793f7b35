#!/usr/bin/env bats
# Failing writes, through the test build's seam (HOTPLUG_ONLINE_TEST_FAULTS,
# see helper/fault.c): races, retries, refusals.

load test_helper/common

setup() {
	common_setup
	start_devlog
	mksysfs
}

# udev_add DEVPATH EXPECTED-STATUS: one add event under the current faults.
udev_add() {
	ACTION=add DEVPATH=$1 run -"$2" --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

@test "fault RACE: the write fails with EINVAL but the block now reads online: success" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=RACE cpu3=RACE'
	udev_add /devices/system/memory/memory4 0
	assert_stderr_empty
	assert_equal "$(mem_state 4)" online
	udev_add /devices/system/cpu/cpu3 0
	assert_equal "$(cpu_online 3)" 1
	# Silent under udev, and no mark: the online event is the winner's to log.
	assert_equal "$(devlog)" ''
	assert_equal "$(marks)" ''
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by another agent)'
	export HOTPLUG_ONLINE_TEST_FAULTS='memory5=RACE'
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory5
	assert_output 'memory5: already online (onlined by another agent)'
}

@test "fault EINVAL: a real refusal fails at once, exit 1, logged at err" {
	# One EINVAL only: a retry would succeed, so 'offline' proves there was none.
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1'
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online: Invalid argument'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<27>hotplug-online[PID]: memory4: cannot online as online: Invalid argument'
	assert_equal "$(marks)" ''
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EINVAL' run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online cpu3
	assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Invalid argument'
	assert_equal "$(cpu_online 3)" 0
}

@test "fault EBUSY*3: retried with backoff, then onlined" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EBUSY*3'
	hotadd /devices/system/memory/memory4
	assert_stderr_empty
	assert_equal "$(mem_state 4)" online
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)'
}

@test "fault EBUSY*9: the tenth try still succeeds" {
	export HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EBUSY*9'
	udev_add /devices/system/cpu/cpu3 0
	assert_equal "$(cpu_online 3)" 1
}

@test "fault EBUSY forever: gives up after about 2 s (well under 10 s), exit 1" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EBUSY'
	before=$(tree_sums)
	t0=$(now_ms)
	udev_add /devices/system/memory/memory4 1
	elapsed=$(($(now_ms) - t0))
	((elapsed >= 1000 && elapsed < 10000)) || fail "gave up after $elapsed ms"
	assert_equal "$stderr" "hotplug-online: memory4: cannot online as online: $EBUSY_TEXT"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "<27>hotplug-online[PID]: memory4: cannot online as online: $EBUSY_TEXT"
	assert_equal "$(marks)" ''
}

@test "fault EAGAIN*2: retried, then onlined" {
	export HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EAGAIN*2'
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online cpu3
	assert_output 'cpu3: onlined'
	assert_stderr_empty
	assert_equal "$(cpu_online 3)" 1
}

@test "fault ENOENT: under udev the device was removed (exit 0); named, it is an error (exit 1)" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=ENOENT cpu3=ENOENT'
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 0
	assert_stderr_empty
	udev_add /devices/system/cpu/cpu3 0
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory4: removed before it could be onlined
<29>hotplug-online[PID]: cpu3: removed before it could be onlined'
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_equal "$stderr" 'hotplug-online: memory4: no such device'
	assert_equal "$(tree_sums)" "$before"
}

@test "fault EPERM: exit 1, '(are you root?)'" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EPERM cpu3=EPERM'
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online: Operation not permitted (are you root?)'
	udev_add /devices/system/cpu/cpu3 1
	assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<27>hotplug-online[PID]: memory4: cannot online as online: Operation not permitted (are you root?)
<27>hotplug-online[PID]: cpu3: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(marks)" ''
}

@test "fault SHORT: a short write is a failed store, exit 1" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=SHORT'
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" "hotplug-online: memory4: cannot online as online: $EIO_TEXT"
	assert_equal "$(mem_state 4)" offline
}

@test "fault EINVAL on online_movable / online_kernel: falls back to online, and says so" {
	for type in online_movable online_kernel; do
		echo "memory = $type" >"$CFG"
		: >"$DEVLOG_OUT"
		HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1' hotadd /devices/system/memory/memory4
		assert_equal "$(mem_state 4)" online
		assert_equal "$(devlog)" "<29>hotplug-online[PID]: memory4: the kernel refused $type (Invalid argument); onlining as online instead, into its default zone Normal (valid_zones 'Normal Movable')
<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online, kernel refused $type)"
		echo offline >"$MEM/memory4/state"
	done
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EINVAL*1' run -0 ho --sysfs "$SYS" --config "$CFG" online memory5
	assert_output "memory5: the kernel refused online_kernel (Invalid argument); onlining as online instead, into its default zone Normal (valid_zones 'Normal Movable')
memory5: onlined as online, kernel refused online_kernel (128 MiB, node 1, zone Normal)"
}

@test "fault EINVAL on online_movable with strict = yes: left offline, exit 1" {
	printf 'memory = online_movable\nstrict = yes\n' >"$CFG"
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1' udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online_movable: Invalid argument'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<27>hotplug-online[PID]: memory4: cannot online as online_movable: Invalid argument'
}

@test "fault EINVAL on online_movable and on the fallback: exit 1" {
	echo 'memory = online_movable' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL' udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online: Invalid argument'
	assert_equal "$(mem_state 4)" offline
}

@test "faults on one device leave the others alone" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM'
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(mem_state 4)" online
}

# The kernel refuses an SMT sibling with EPERM while SMT is off
# (smt/control reads off or forceoff): the administrator's choice, not an error.
@test "fault EPERM on a CPU with SMT off or forceoff: left offline (SMT disabled), exit 0" {
	for control in off forceoff; do
		rm -rf "$SYS" "$RUNDIR"
		mksysfs smt="$control"
		: >"$DEVLOG_OUT"
		before=$(tree_sums)
		HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' hotadd /devices/system/cpu/cpu3
		assert_equal "$output$stderr" ''
		assert_equal "$ONLINE_EVENT" no
		HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online cpu2
		assert_output 'cpu2: left offline (SMT disabled)'
		assert_stderr_empty
		assert_equal "$(tree_sums)" "$before"
		assert_equal "$(devlog)" '<30>hotplug-online[PID]: cpu3: left offline (SMT disabled)
<30>hotplug-online[PID]: cpu2: left offline (SMT disabled)'
		assert_equal "$(marks)" ''
	done
}

@test "fault EPERM on a CPU with SMT on, unsupported or no smt/control: still an error (negative control)" {
	for control in on notsupported notimplemented '' junk; do
		rm -rf "$SYS"
		mksysfs smt="$control"
		[[ -n $control ]] || [[ ! -e $CPU/smt ]]
		: >"$DEVLOG_OUT"
		HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' udev_add /devices/system/cpu/cpu3 1
		assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Operation not permitted (are you root?)'
		assert_equal "$(cpu_online 3)" 0
	done
}

@test "fault EINVAL on a CPU with SMT off: an error, only EPERM means SMT" {
	rm -rf "$SYS"
	mksysfs smt=off
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EINVAL' udev_add /devices/system/cpu/cpu3 1
	assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Invalid argument'
}

