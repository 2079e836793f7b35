#!/usr/bin/env bats
# `hotplug-online log` (hotplug-online-log.service): one resident process
# reading the kernel's uevents (netlink group 1).  It logs one line per
# memory block or CPU online/offline event, whoever made the transition,
# says when the kernel dropped events, and repairs a failed auto-online: a
# block hot-added (an `add` without SYNTH_UUID) and still offline once the
# burst is over (no event for 1 s) while auto_online_blocks is not
# "offline" is onlined, retried at 4 s and 16 s, then given up, said.
#
# It runs here in a network namespace of its own (ns-run -n), where the
# host's kernel events do not reach it and kevent's (test_helper/
# uevent-send.c) do, in the kernel's format: "online@DEVPATH", ACTION,
# DEVPATH, SUBSYSTEM, SEQNUM.  Its lines go to the test's /dev/kmsg.
#
# The after-the-burst steps of issue 19 (cpusets, tmpfs, hooks) are off in
# every test here: they act on the mounts, cgroups and hooks of the
# machine, which a mount namespace does not separate (a tmpfs remounted
# in it is the host's).

load test_helper/common

setup() {
	common_setup
	STEPS_OFF=$'cpusets = off\ntmpfs = off\nhooks = off'
	echo "$STEPS_OFF" >"$CFG"
}

L='<30>hotplug-online[PID]:'
now_ms() { echo $(($(date +%s%N) / 1000000)); }

@test "log: one line per transition: memory with size, node and zone (offline: no zone), CPUs bare; nothing written" {
	mksysfs aob=online
	before=$(tree_sums)
	start_log
	kevent online /devices/system/memory/memory1 -- offline /devices/system/memory/memory5 \
		-- online /devices/system/cpu/cpu1 -- offline /devices/system/cpu/cpu2 \
		-- online /devices/system/memory/memory3
	assert_equal "$(log_lines)" "$L memory1: online (128 MiB, node 0, zone Normal)
$L memory5: offline (128 MiB, node 1)
$L cpu1: online
$L cpu2: offline
$L memory3: online (128 MiB, node 1, zone Normal)"
	stop_log
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/log.err")" ''
}

@test "log: replayed events (SYNTH_UUID) and adds log nothing" {
	mksysfs aob=offline
	start_log
	kevent online /devices/system/memory/memory1 SYNTH_UUID=0 \
		-- offline /devices/system/cpu/cpu1 SYNTH_UUID=0 \
		-- add /devices/system/memory/memory5 -- add /devices/system/cpu/cpu3 \
		-- add /devices/system/memory/memory6 SYNTH_UUID=0
	assert_equal "$(log_lines)" ''
	# Control: the same event without SYNTH_UUID is logged.
	kevent online /devices/system/memory/memory1
	assert_equal "$(log_lines)" "$L memory1: online (128 MiB, node 0, zone Normal)"
	stop_log
}

@test "log: a device already gone (hot-removed): the transition without details" {
	mksysfs
	start_log
	kevent offline /devices/system/memory/memory99 -- online /devices/system/memory/memory98 \
		-- offline /devices/system/cpu/cpu9
	assert_equal "$(log_lines)" "$L memory99: offline
$L memory98: online
$L cpu9: offline"
	stop_log
}

@test "log: what is not a memory or CPU transition is ignored, quietly, and the service goes on" {
	mksysfs
	start_log
	# Other subsystems and actions.
	kevent online /devices/system/node/node1 -- change /devices/system/memory/memory1 \
		-- move /devices/system/cpu/cpu1 -- bind /devices/system/cpu/cpu1
	"$UEVENT_SEND" -t "$LOG_PID" online@/devices/virtual/block/loop0 ACTION=online \
		DEVPATH=/devices/virtual/block/loop0 SUBSYSTEM=block SEQNUM=9
	# Malformed: no final NUL, no '@' header, a key twice, a bad DEVPATH, a
	# SUBSYSTEM that does not match, no SUBSYSTEM, no ACTION, an unknown
	# ACTION, a key without '=', empty.
	m=/devices/system/memory/memory1
	"$UEVENT_SEND" -t "$LOG_PID" -x "online@$m" ACTION=online "DEVPATH=$m" SUBSYSTEM=memory
	"$UEVENT_SEND" -t "$LOG_PID" ACTION=online "DEVPATH=$m" SUBSYSTEM=memory \
		-- "online@$m" ACTION=online "DEVPATH=$m" SUBSYSTEM=memory "DEVPATH=$m" \
		-- "online@$m" ACTION=offline ACTION=online "DEVPATH=$m" SUBSYSTEM=memory \
		-- "online@$m/.." ACTION=online "DEVPATH=$m/.." SUBSYSTEM=memory \
		-- "online@$m" ACTION=online "DEVPATH=/devices/system/memory/memory01" SUBSYSTEM=memory \
		-- "online@$m" ACTION=online "DEVPATH=$m" SUBSYSTEM=cpu \
		-- "online@$m" ACTION=online "DEVPATH=$m" \
		-- "online@$m" "DEVPATH=$m" SUBSYSTEM=memory \
		-- "online@$m" ACTION=Online "DEVPATH=$m" SUBSYSTEM=memory \
		-- "online@$m" ACTION=online "DEVPATH=$m" SUBSYSTEM=memory BOGUS \
		-- '' -- "online@$m" ACTION=$'online\033[2J' "DEVPATH=$m" SUBSYSTEM=memory
	assert_equal "$(log_lines)" ''
	# Control: the well-formed event.
	"$UEVENT_SEND" -t "$LOG_PID" "online@$m" ACTION=online "DEVPATH=$m" SUBSYSTEM=memory SEQNUM=10
	assert_equal "$(log_lines)" "$L memory1: online (128 MiB, node 0, zone Normal)"
	stop_log
	assert_equal "$(cat "$BATS_TEST_TMPDIR/log.err")" ''
}

# The kernel onlines a hot-added block inside add_memory() and ignores a
# failure there: no event comes, and without the service the block stays
# offline.

@test "log: a failed auto-online is repaired once the burst is over (1 s), as the configuration says, and said" {
	mksysfs aob=online
	start_log
	t0=$(now_ms)
	kevent add /devices/system/memory/memory5
	wait_logged 'memory5: the kernel'
	elapsed=$(($(now_ms) - t0))
	((elapsed >= 1000)) || fail "repaired after $elapsed ms, before the burst was over"
	assert_equal "$(mem_state 5)" online
	# The kernel's online event follows the write; its line is the usual one.
	kevent online /devices/system/memory/memory5
	assert_equal "$(log_lines)" "<29>hotplug-online[PID]: memory5: the kernel's auto-online left it offline; onlining it as online
$L memory5: online (128 MiB, node 1, zone Normal)"
	# The configuration is read at the repair: online_movable, as set now.
	printf '%s\nmemory = online_movable\n' "$STEPS_OFF" >"$CFG"
	kevent add /devices/system/memory/memory6
	wait_logged 'memory6: the kernel'
	assert_equal "$(mem_state 6)" online_movable
	run -0 logged
	assert_line "<29>hotplug-online[PID]: memory6: the kernel's auto-online left it offline; onlining it as online_movable"
	stop_log
}

@test "log: no repair of a block that came online, a replayed add, a removed block, or where the kernel was not to online it" {
	mksysfs aob=online offline=4
	start_log
	# One burst: memory4 came online (its event; the fake file stays
	# offline), memory5 was replayed, memory6 removed; memory7 is the
	# control, repaired.
	kevent add /devices/system/memory/memory4 -- online /devices/system/memory/memory4 \
		-- add /devices/system/memory/memory5 SYNTH_UUID=0 \
		-- add /devices/system/memory/memory6 -- remove /devices/system/memory/memory6 \
		-- add /devices/system/memory/memory7
	wait_logged 'memory7: the kernel'
	sleep 0.5
	assert_equal "$(mem_state 4)$(mem_state 5)$(mem_state 6)$(mem_state 7)" offlineofflineofflineonline
	run -0 log_lines
	refute_output --partial 'memory4: the kernel'
	refute_output --partial 'memory5'
	refute_output --partial 'memory6'
	# auto_online_blocks offline: the udev rule onlines hot-added memory.
	echo offline >"$MEM/auto_online_blocks"
	echo offline >"$MEM/memory7/state"
	kevent add /devices/system/memory/memory7
	sleep 2
	assert_equal "$(mem_state 7)" offline
	# No auto_online_blocks (before 4.7): the same.
	rm "$MEM/auto_online_blocks"
	kevent add /devices/system/memory/memory7
	sleep 2
	assert_equal "$(mem_state 7)" offline
	assert_equal "$(log_lines | grep -c 'the kernel')" 1
	stop_log
}

@test "log: the repair waits for the burst to end: no write while events keep coming" {
	mksysfs aob=online
	start_log
	kevent add /devices/system/memory/memory5
	for i in 1 2 3 4 5; do
		sleep 0.4
		kevent online /devices/system/cpu/cpu1
	done
	# 2 s after the add, 0.4 s after the last event: not yet.
	assert_equal "$(mem_state 5)" offline
	t0=$(now_ms)
	wait_logged 'memory5: the kernel'
	assert_equal "$(mem_state 5)" online
	stop_log
}

@test "log: a repair that fails is retried at 4 s and 16 s from the burst's end, then given up, said" {
	mksysfs aob=online
	# memory4 fails once, memory5 every time (EPERM: no retry inside an attempt).
	export HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM memory4=EPERM*1'
	start_log
	t0=$(now_ms)
	kevent add /devices/system/memory/memory4 -- add /devices/system/memory/memory5
	wait_logged 'memory5: still offline after 3 attempts' 40
	elapsed=$(($(now_ms) - t0))
	((elapsed >= 16000)) || fail "gave up after $elapsed ms"
	assert_equal "$(mem_state 4)$(mem_state 5)" onlineoffline
	run -0 log_lines
	E='<27>hotplug-online[PID]:' N='<29>hotplug-online[PID]:'
	# The repair is said once, at its first attempt; each failure too.
	assert_equal "$(grep memory5 <<<"$output")" "$N memory5: the kernel's auto-online left it offline; onlining it as online
$E memory5: cannot online as online: Operation not permitted (are you root?)
$E memory5: cannot online as online: Operation not permitted (are you root?)
$E memory5: cannot online as online: Operation not permitted (are you root?)
$E memory5: still offline after 3 attempts; 'hotplug-online online memory5' tries again"
	assert_equal "$(grep memory4 <<<"$output")" "$N memory4: the kernel's auto-online left it offline; onlining it as online
$E memory4: cannot online as online: Operation not permitted (are you root?)"
	# Given up: no fourth attempt.
	sleep 2
	assert_equal "$(logged | grep -c 'memory5: cannot online')" 3
	stop_log
}

@test "log: events lost to a socket buffer overrun are said in one line (warning); the service goes on" {
	mksysfs
	start_log
	kill -STOP "$LOG_PID"
	# Far more than its 16 MiB buffer holds, of events it ignores.
	"$UEVENT_SEND" -t "$LOG_PID" -c 100000 change@/devices/virtual/block/loop0 ACTION=change \
		DEVPATH=/devices/virtual/block/loop0 SUBSYSTEM=block SEQNUM=1
	kill -CONT "$LOG_PID"
	# Until it has read what was queued: an event sent before would be lost too.
	for ((i = 0; i < 3000; i++)); do
		awk '$2 == 15 && $4 == "00000001" && $5 == 0 { found = 1 } END { exit !found }' \
			"/proc/$LOG_PID/net/netlink" && break
		sleep 0.01
	done
	kevent online /devices/system/cpu/cpu1
	assert_equal "$(log_lines)" "<28>hotplug-online[PID]: kernel events were lost (socket buffer overrun): some transitions are not logged; 'hotplug-online status' shows the state
$L cpu1: online"
	stop_log
	assert_equal "$(cat "$BATS_TEST_TMPDIR/log.err")" "hotplug-online: kernel events were lost (socket buffer overrun): some transitions are not logged; 'hotplug-online status' shows the state"
}

@test "log: usage: no operand, no --dry-run or --json" {
	mksysfs
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" log memory4
	assert_stderr_contains "unexpected argument 'memory4'"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" log --dry-run
	assert_stderr_contains "--dry-run works only with 'online' and 'setup', not 'log'"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" --json log
	assert_stderr_contains "--json works only with 'status', not 'log'"
}

# Found by this suite at 5aa74da: the offline event cleared the block's
# "online", and the repair onlined it again with a false line.
@test "log: a block offlined after it came online, within its burst, is left offline: an offline is a choice" {
	mksysfs aob=online
	start_log
	kevent add /devices/system/memory/memory5 -- online /devices/system/memory/memory5 \
		-- offline /devices/system/memory/memory5
	sleep 2.5
	assert_equal "$(log_lines)" "$L memory5: online (128 MiB, node 1, zone Normal)
$L memory5: offline (128 MiB, node 1)"
	assert_equal "$(mem_state 5)" offline
	stop_log
}

# Found by this suite at 0430315: a /dev/kmsg that reads end-of-file is
# "readable" to poll() forever, and the service spun at 100 % CPU.
@test "log: idle, it uses no CPU, also where /dev/kmsg reads end-of-file (a container's /dev/null, a file)" {
	mksysfs aob=online
	for what in file /dev/null; do
		[[ $what == file ]] || { rm -f "$KMSG"; ln -s /dev/null "$KMSG"; }
		start_log
		kevent add /devices/system/memory/memory1 -- online /devices/system/memory/memory1
		sleep 1.5   # the burst is over
		t0=$(awk '{ print $14 + $15 }' "/proc/$LOG_PID/stat")
		sleep 2
		t1=$(awk '{ print $14 + $15 }' "/proc/$LOG_PID/stat")
		(((t1 - t0) * 100 / $(getconf CLK_TCK) < 10)) ||
			fail "/dev/kmsg a $what: $((t1 - t0)) clock ticks of CPU in 2 s idle"
		stop_log
	done
}
