#!/usr/bin/env bats
# Failing writes, through the test build's errno injector
# (HOTPLUG_ONLINE_TEST_FAULTS="memory4=EBUSY*3 cpu3=EPERM", test_helper/seams.c:
# the device's writes fail with that errno, the first N of the process
# with *N): retries, refusals, fallbacks, and a real race.

load test_helper/common

setup() {
	common_setup
	mksysfs
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# race_online FILE: once FILE has been read twice (the helper's first look
# at the state, then its re-read after a failed write), write "online" to
# it, as another agent (the kernel, another rule) winning the race would.
race_online() {
	python3 -c '
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(0)
wd = libc.inotify_add_watch(fd, sys.argv[1].encode(), 0x1)   # IN_ACCESS
open(sys.argv[2], "w").close()
reads = 0
while reads < 2:
    data = os.read(fd, 4096)
    reads += len(data) // 16   # no name: 16 bytes an event
with open(sys.argv[1], "w") as f:
    f.write("online\n")
' "$1" "$BATS_TEST_TMPDIR/race.ready" &
	RACE_PID=$!
	local i
	for ((i = 0; i < 1000; i++)); do
		[[ -e $BATS_TEST_TMPDIR/race.ready ]] && return 0
		sleep 0.01
	done
	fail "the racing writer did not start"
}

@test "race: the write fails but the block now reads online (another agent won): success, said on a terminal only" {
	race_online "$MEM/memory4/state"
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EBUSY' run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	wait "$RACE_PID"
	assert_output 'memory4: already online (onlined by another agent)'
	assert_stderr_empty
	# Under udev: exit 0, silent.
	rm -f "$BATS_TEST_TMPDIR/race.ready"
	race_online "$MEM/memory5/state"
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EBUSY' uevent add /devices/system/memory/memory5
	wait "$RACE_PID"
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 5)" online
	assert_equal "$(logged)" ''
}

@test "EINVAL: a real refusal fails at once, exit 1, logged at err" {
	# One EINVAL only: a retry would succeed, so 'offline' proves there was none.
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1'
	before=$(tree_sums)
	uevent -1 add /devices/system/memory/memory4
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online: Invalid argument'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" '<27>hotplug-online[PID]: memory4: cannot online as online: Invalid argument'
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EINVAL' run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online cpu3
	assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Invalid argument'
	assert_equal "$(cpu_online 3)" 0
}

@test "EBUSY*3: retried with backoff, then onlined, silently" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EBUSY*3'
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online
	assert_equal "$(logged)" ''
}

@test "EBUSY*9: the tenth try still succeeds; EBUSY*10 is one too many" {
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EBUSY*9' uevent add /devices/system/cpu/cpu3
	assert_equal "$(cpu_online 3)" 1
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EBUSY*10' uevent -1 add /devices/system/cpu/cpu2
	assert_equal "$(cpu_online 2)" 0
}

@test "EBUSY forever: gives up after about 2 s (well under udev's timeout), exit 1" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EBUSY'
	before=$(tree_sums)
	t0=$(now_ms)
	uevent -1 add /devices/system/memory/memory4
	elapsed=$(($(now_ms) - t0))
	((elapsed >= 1000 && elapsed < 10000)) || fail "gave up after $elapsed ms"
	assert_equal "$stderr" "hotplug-online: memory4: cannot online as online: $EBUSY_TEXT"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" "<27>hotplug-online[PID]: memory4: cannot online as online: $EBUSY_TEXT"
}

@test "EAGAIN*2: retried, then onlined" {
	export HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EAGAIN*2'
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online cpu3
	assert_output 'cpu3: onlined'
	assert_stderr_empty
	assert_equal "$(cpu_online 3)" 1
}

@test "ENOENT: under udev the device was removed (exit 0, said); named, it is an error (exit 1)" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=ENOENT cpu3=ENOENT'
	before=$(tree_sums)
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	uevent add /devices/system/cpu/cpu3
	assert_equal "$(logged)" '<29>hotplug-online[PID]: memory4: removed before it could be onlined
<29>hotplug-online[PID]: cpu3: removed before it could be onlined'
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online: no such device'
	assert_equal "$(tree_sums)" "$before"
}

@test "EPERM: exit 1, '(are you root?)'" {
	export HOTPLUG_ONLINE_TEST_FAULTS='memory4=EPERM cpu3=EPERM'
	before=$(tree_sums)
	uevent -1 add /devices/system/memory/memory4
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online: Operation not permitted (are you root?)'
	uevent -1 add /devices/system/cpu/cpu3
	assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" '<27>hotplug-online[PID]: memory4: cannot online as online: Operation not permitted (are you root?)
<27>hotplug-online[PID]: cpu3: cannot online: Operation not permitted (are you root?)'
}

@test "EIO and ENOMEM: exit 1, the kernel's reason named" {
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EIO' uevent -1 add /devices/system/memory/memory4
	assert_equal "$stderr" "hotplug-online: memory4: cannot online as online: $EIO_TEXT"
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=ENOMEM' uevent -1 add /devices/system/memory/memory4
	[[ $stderr =~ ^hotplug-online:\ memory4:\ cannot\ online\ as\ online:\ (Out\ of\ memory|Cannot\ allocate\ memory)$ ]] ||
		fail "$stderr"
	assert_equal "$(mem_state 4)" offline
}

@test "EINVAL on online_movable / online_kernel: falls back to online, and says so (notice)" {
	for type in online_movable online_kernel; do
		echo "memory = $type" >"$CFG"
		: >"$KMSG"
		HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1' uevent add /devices/system/memory/memory4
		assert_equal "$output$stderr" ''
		assert_equal "$(mem_state 4)" online
		assert_equal "$(logged)" "<29>hotplug-online[PID]: memory4: the kernel refused $type (Invalid argument); onlining as online instead, into its default zone Normal (valid_zones 'Normal Movable')"
		echo offline >"$MEM/memory4/state"
	done
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EINVAL*1' run -0 ho --sysfs "$SYS" --config "$CFG" online memory5
	assert_output "memory5: the kernel refused online_kernel (Invalid argument); onlining as online instead, into its default zone Normal (valid_zones 'Normal Movable')
memory5: onlined as online (128 MiB, node 1, zone Normal)"
}

@test "EINVAL on online_kernel where online would land in Movable: left offline, exit 1, said why" {
	echo 'memory = online_kernel' >"$CFG"
	echo 'Movable Normal' >"$MEM/memory4/valid_zones"
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1' uevent -1 add /devices/system/memory/memory4
	assert_equal "$stderr" "hotplug-online: memory4: the kernel refused online_kernel (Invalid argument); left offline: online would put it in Movable (valid_zones 'Movable Normal'), which online_kernel excludes"
	assert_equal "$(tree_sums)" "$before"
	# online_movable may land anywhere: the fallback goes ahead.
	echo 'memory = online_movable' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1' uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
}

@test "EINVAL on online_movable with strict = yes: left offline, exit 1" {
	printf 'memory = online_movable\nstrict = yes\n' >"$CFG"
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL*1' uevent -1 add /devices/system/memory/memory4
	assert_equal "$stderr" 'hotplug-online: memory4: cannot online as online_movable: Invalid argument'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" '<27>hotplug-online[PID]: memory4: cannot online as online_movable: Invalid argument'
}

@test "EINVAL on online_movable and on the fallback: exit 1" {
	echo 'memory = online_movable' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EINVAL' uevent -1 add /devices/system/memory/memory4
	assert_stderr_contains 'hotplug-online: memory4: cannot online as online: Invalid argument'
	assert_equal "$(mem_state 4)" offline
}

@test "faults on one device leave the others alone; *N counts the process's writes" {
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM' uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	# A sweep: memory5 fails its one write, and the count is spent.
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM*1 memory6=EPERM*1' run -64 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(mem_state 5)$(mem_state 6)$(mem_state 7)" offlineonlineonline
}

# The kernel refuses an SMT sibling with EPERM while SMT is off
# (smt/control reads off or forceoff): the administrator's choice, not an error.
@test "EPERM on a CPU with SMT off or forceoff: left offline (SMT disabled), exit 0" {
	for control in off forceoff; do
		rm -rf "$SYS"
		mksysfs smt="$control"
		: >"$KMSG"
		before=$(tree_sums)
		HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' uevent add /devices/system/cpu/cpu3
		assert_equal "$output$stderr" ''
		HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online cpu2
		assert_output 'cpu2: left offline (SMT disabled)'
		assert_stderr_empty
		assert_equal "$(tree_sums)" "$before"
		assert_equal "$(logged)" '<30>hotplug-online[PID]: cpu3: left offline (SMT disabled)
<30>hotplug-online[PID]: cpu2: left offline (SMT disabled)'
	done
}

@test "EPERM on a CPU with SMT on, unsupported or no smt/control: still an error (negative control)" {
	for control in on notsupported notimplemented '' junk; do
		rm -rf "$SYS"
		mksysfs smt="$control"
		[[ -n $control ]] || [[ ! -e $CPU/smt ]]
		HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' uevent -1 add /devices/system/cpu/cpu3
		assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Operation not permitted (are you root?)'
		assert_equal "$(cpu_online 3)" 0
	done
}

@test "EINVAL on a CPU with SMT off: an error, only EPERM means SMT" {
	rm -rf "$SYS"
	mksysfs smt=off
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EINVAL' uevent -1 add /devices/system/cpu/cpu3
	assert_equal "$stderr" 'hotplug-online: cpu3: cannot online: Invalid argument'
}

@test "online --dry-run ignores faults: it never writes" {
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EPERM cpu3=EBUSY' run -0 ho --sysfs "$SYS" --config "$CFG" online -n
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
}
