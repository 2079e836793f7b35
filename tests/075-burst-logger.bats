#!/usr/bin/env bats
# The online and offline events' lines, one run for a burst (logger.c): the
# run udevd starts for an event (it has SEQNUM) stays, follows udevd's
# broadcast of processed events on a real netlink socket, and logs those
# our rule ran no helper for (not marked HOTPLUG_ONLINE_LOG=run).  Each
# scenario runs in a network namespace of its own (udevd's group 2 is per
# namespace), where tests/test_helper/uevent-send multicasts what udevd
# would; the real udevd and kernel are the VM suite's
# (tests/vm/140-burst-log.bats).
# Each scenario is a script for the namespace's bash, expanded there:
# shellcheck disable=SC2016

load test_helper/common

SEND="$BATS_TEST_DIRNAME/../build/uevent-send"
M=/devices/system/memory

setup() {
	common_setup
	[[ -x $SEND ]] || fail "'$SEND' not built: run 'make build/uevent-send'"
	unshare -n true 2>/dev/null || skip "no network namespaces here (unshare -n)"
	export HOTPLUG_ONLINE_TEST_LOGGER_IDLE_MS=300 HOTPLUG_ONLINE_TEST_LOGGER_DRAIN_MS=2000
	mksysfs online=8 offline=0
	start_devlog
	export HO HO_WRAPPER SYS CFG SEND RUNDIR M DEVLOG_OUT
}

# A real kernel uevent for the host's cpu0 (synthetic, with a UUID: the CPU
# does not change, and the host's rules take it for a replay), for the
# namespace's logger to count; no udevd there broadcasts it back.
export KEV=/sys/devices/system/cpu/cpu0/uevent

# in_netns SCRIPT: bash SCRIPT in a new network namespace; `logger SEQ
# DEVPATH` starts the helper as udevd runs it for an online event (in the
# background, $LPID its PID) and waits for its link; `handed N SEQ`
# broadcasts memoryN's online event as udevd does once our rule has left it
# to the logger; `kernel_event` has the kernel send one ($KEV);
# `kernel_event_wait PID...` does, waits for the PIDs and says how long
# that took ("waited MS").
in_netns() {
	run --separate-stderr unshare -n bash -c '
		set -u
		logger() {
			local subsystem=memory
			[[ $2 != /devices/system/cpu/* ]] || subsystem=cpu
			ACTION=online DEVPATH=$2 SUBSYSTEM=$subsystem SEQNUM=$1 ${HO_WRAPPER:-} "$HO" \
				--sysfs "$SYS" --config "$CFG" udev &
			LPID=$!
			for ((i = 0; i < 1000; i++)); do
				[[ -L $RUNDIR/logger && -e $RUNDIR/logger ]] && return 0
				sleep 0.01
			done
			echo "no link"; exit 3
		}
		handed() { "$SEND" ACTION=online DEVPATH="$M/memory$1" SUBSYSTEM=memory SEQNUM="$2"; }
		kernel_event() { echo "online 3f1e2d4c-0000-4000-8000-000000000075" >"$KEV"; }
		kernel_event_wait() {
			local start p
			kernel_event
			start=$(date +%s%N)
			for p in "$@"; do wait "$p"; done
			echo "waited $(( ($(date +%s%N) - start) / 1000000 ))"
		}
		'"$1"
}

pids() { devlog_lines | grep -oE '^<[0-9]+>hotplug-online\[[0-9]+\]' | sort -u | wc -l; }

@test "logger: the run for the first event stays and logs each event handed to it once, in order" {
	in_netns '
		logger 100 $M/memory0
		readlink "$RUNDIR/logger"
		for n in 1 2 3 4; do handed $n 10$n; done
		# Marked as the rule of before marked what it left to a logger: logged too.
		"$SEND" ACTION=online DEVPATH=$M/memory5 SUBSYSTEM=memory SEQNUM=105 HOTPLUG_ONLINE_LOG=deferred
		wait $LPID; echo "exit $?"
		[[ ! -e $RUNDIR/logger && ! -L $RUNDIR/logger ]] && echo "link gone"'
	assert_success
	assert_line --regexp '^/proc/[0-9]+/fd/[0-9]+$'
	assert_line 'exit 0'
	assert_line 'link gone'
	assert_equal "$(devlog)" "$(for n in 0 1 2 3 4 5; do
		zone=Normal; ((n)) || zone=DMA32
		echo "<30>hotplug-online[PID]: memory$n: online (128 MiB, node $((n / 4)), zone $zone; by another agent)"
	done)"
	# One process for the six lines.
	assert_equal "$(pids)" 1
}

@test "logger: offline events too, and a block's lines keep their order" {
	in_netns '
		logger 100 $M/memory0
		"$SEND" ACTION=offline DEVPATH=$M/memory2 SUBSYSTEM=memory SEQNUM=101
		handed 2 102
		wait $LPID'
	assert_success
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory0: online (128 MiB, node 0, zone DMA32; by another agent)
<30>hotplug-online[PID]: memory2: offline (128 MiB, node 0)
<30>hotplug-online[PID]: memory2: online (128 MiB, node 0, zone Normal; by another agent)'
}

@test "logger: negative controls: events the rule ran the helper for, replays, other subsystems, other senders log nothing" {
	in_netns '
		logger 100 $M/memory0
		# Marked: the run udevd started for it logs it.
		"$SEND" ACTION=online DEVPATH=$M/memory1 SUBSYSTEM=memory SEQNUM=101 HOTPLUG_ONLINE_LOG=run
		"$SEND" ACTION=offline DEVPATH=$M/memory2 SUBSYSTEM=memory SEQNUM=102 HOTPLUG_ONLINE_LOG=run
		# A replay (udevadm trigger --action=online): no line, as from udev.
		"$SEND" ACTION=online DEVPATH=$M/memory3 SUBSYSTEM=memory SEQNUM=103 SYNTH_UUID=0
		# Not ours.
		"$SEND" ACTION=online DEVPATH=/devices/virtual/net/lo SUBSYSTEM=net SEQNUM=104
		"$SEND" ACTION=add DEVPATH=$M/memory4 SUBSYSTEM=memory SEQNUM=105
		# From a process that is not root (with the right to multicast).
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_admin \
			--ambient-caps=+net_admin "$SEND" ACTION=online DEVPATH=$M/memory5 \
			SUBSYSTEM=memory SEQNUM=106 || echo "setpriv failed"
		# To the kernel'"'"'s group: only the kernel (port 0) speaks there.
		"$SEND" --raw online@$M/memory6 ACTION=online DEVPATH=$M/memory6 SUBSYSTEM=memory \
			SEQNUM=107
		# Not marked, from udevd: logged (the positive control).
		handed 7 108
		# A header that names another subsystem: the socket filter drops it,
		# whatever the properties say (negative control: memory7 above).
		"$SEND" --header-subsystem=net ACTION=online DEVPATH=$M/memory1 SUBSYSTEM=memory \
			SEQNUM=109
		wait $LPID'
	assert_success
	refute_output --partial 'setpriv failed'
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory0: online (128 MiB, node 0, zone DMA32; by another agent)
<30>hotplug-online[PID]: memory7: online (128 MiB, node 1, zone Normal; by another agent)'
}

@test "logger: an event handed to it with a bad DEVPATH, a SUBSYSTEM that does not match, or a key twice: a warning, nothing else" {
	in_netns '
		logger 100 $M/memory0
		"$SEND" ACTION=online DEVPATH=$M/memory1/../memory2 SUBSYSTEM=memory SEQNUM=101
		"$SEND" ACTION=online DEVPATH=$M/memory3 SUBSYSTEM=cpu SEQNUM=102
		"$SEND" ACTION=online DEVPATH=$M/memory4 DEVPATH=$M/memory5 SUBSYSTEM=memory SEQNUM=103
		"$SEND" ACTION=online DEVPATH=$M/memory6 SUBSYSTEM=memory SEQNUM=0104
		wait $LPID'
	assert_success
	[[ $stderr == *"invalid DEVPATH '/devices/system/memory/memory1/../memory2'"* ]] || fail "$stderr"
	[[ $stderr == *"SUBSYSTEM 'cpu' does not match DEVPATH '/devices/system/memory/memory3'"* ]] || fail "$stderr"
	assert_equal "$(devlog_lines | grep -c ': online (')" 1
}

@test "logger: a run that finds the lock taken and the link there (udevd checked its event before the link) logs at once" {
	# Idle for longer than a run under valgrind takes to start.
	HOTPLUG_ONLINE_TEST_LOGGER_IDLE_MS=3000 in_netns '
		logger 100 $M/memory0
		ACTION=online DEVPATH=$M/memory7 SUBSYSTEM=memory SEQNUM=200 ${HO_WRAPPER:-} "$HO" \
			--sysfs "$SYS" --config "$CFG" udev
		echo "exit $? with the logger $(kill -0 $LPID && echo alive)"
		handed 1 101
		wait $LPID'
	assert_success
	assert_line 'exit 0 with the logger alive'
	assert_equal "$(devlog | cut -d: -f2)" ' memory0
 memory7
 memory1'
	assert_equal "$(pids)" 2
	[[ ! -e $RUNDIR/waiting/200 ]] || fail "waiting/200 left"
}

@test "logger: a run that finds the lock taken and no link (the logger leaving) waits in waiting/SEQ, then logs after it" {
	in_netns '
		logger 100 $M/memory0
		handed 1 101
		rm "$RUNDIR/logger"
		ACTION=online DEVPATH=$M/memory7 SUBSYSTEM=memory SEQNUM=200 ${HO_WRAPPER:-} "$HO" \
			--sysfs "$SYS" --config "$CFG" udev &
		W=$!
		for ((i = 0; i < 1000; i++)); do [[ -e $RUNDIR/waiting/200 ]] && break; sleep 0.01; done
		[[ -e $RUNDIR/waiting/200 ]] && echo "waiting"
		kill -0 $LPID && echo "logger alive"
		wait $LPID; wait $W; echo "exit $?"
		[[ -e $RUNDIR/waiting/200 ]] || echo "waiting gone"'
	assert_success
	assert_line 'waiting'
	assert_line 'logger alive'
	assert_line 'exit 0'
	assert_line 'waiting gone'
	assert_equal "$(devlog | cut -d: -f2)" ' memory0
 memory1
 memory7'
	assert_equal "$(pids)" 2
}

@test "logger: a dead logger's link dangles, so the rule runs the helper again; the next run replaces it" {
	mkdir -m 0700 "$RUNDIR"
	ln -s /proc/999999999/fd/3 "$RUNDIR/logger"
	in_netns '
		[[ -e $RUNDIR/logger ]] || echo "dangling"
		logger 100 $M/memory0
		readlink "$RUNDIR/logger"
		echo "pid $LPID"
		wait $LPID'
	assert_success
	assert_line dangling
	pid=$(sed -n 's/^pid //p' <<<"$output")
	assert_line --regexp "^/proc/$pid/fd/[0-9]+\$"
	[[ ! -L $RUNDIR/logger ]] || fail "link left: $(readlink "$RUNDIR/logger")"
}

@test "logger: without SEQNUM (not from udevd) a run only logs its own line, and stays not" {
	ACTION=online DEVPATH=$M/memory1 SUBSYSTEM=memory run -0 ho --sysfs "$SYS" --config "$CFG" udev
	[[ ! -e $RUNDIR/logger.lock && ! -L $RUNDIR/logger ]] || fail "it set up a logger"
	assert_equal "$(devlog | wc -l)" 1
	# A SEQNUM that is not one is the same.
	ACTION=online DEVPATH=$M/memory2 SUBSYSTEM=memory SEQNUM=12x run -0 ho --sysfs "$SYS" --config "$CFG" udev
	[[ ! -L $RUNDIR/logger ]] || fail "it set up a logger"
}

@test "logger: an online event the kernel sent and udevd never broadcast keeps it until the drain time, then a warning" {
	[[ -w $KEV ]] || skip "cannot write $KEV"
	in_netns '
		logger 100 $M/memory0
		[[ -e $RUNDIR/logger/alive2 ]] && echo "alive"
		kernel_event_wait $LPID'
	assert_success
	assert_line alive
	waited=$(sed -n 's/^waited //p' <<<"$output")
	((waited >= 1500)) || fail "left after $waited ms, before the drain time"
	[[ $stderr == *"1 online/offline events never came back from udevd"* ]] || fail "$stderr"
}

# udevd runs a device's events one after another: the next event of the
# logger's own device, or of a device whose run waits for the logger,
# comes only after it has left.  Not waited for (the test above is the
# negative control: another device's event is).
@test "logger: a later event of its own device is not waited for: it leaves after the idle time, no warning" {
	[[ -w $KEV ]] || skip "cannot write $KEV"
	rm -rf "$SYS"; mksysfs online=8 offline=0 cpus=2 offline_cpus=0
	in_netns '
		logger 100 /devices/system/cpu/cpu0
		kernel_event_wait $LPID'
	assert_success
	waited=$(sed -n 's/^waited //p' <<<"$output")
	((waited < 1500)) || fail "waited $waited ms, the drain time, for an event that comes after it"
	[[ $stderr != *"never came back"* ]] || fail "$stderr"
}

@test "logger: a later event of a waiting run's device is not waited for either" {
	[[ -w $KEV ]] || skip "cannot write $KEV"
	rm -rf "$SYS"; mksysfs online=8 offline=0 cpus=2 offline_cpus=0
	in_netns '
		logger 100 $M/memory0
		rm "$RUNDIR/logger"
		ACTION=online DEVPATH=/devices/system/cpu/cpu0 SUBSYSTEM=cpu SEQNUM=200 ${HO_WRAPPER:-} "$HO" \
			--sysfs "$SYS" --config "$CFG" udev &
		W=$!
		for ((i = 0; i < 1000; i++)); do [[ -e $RUNDIR/waiting/200 ]] && break; sleep 0.01; done
		cat "$RUNDIR/waiting/200"; echo
		kernel_event_wait $LPID $W'
	assert_success
	assert_line cpu0
	waited=$(sed -n 's/^waited //p' <<<"$output")
	((waited < 1500)) || fail "waited $waited ms, the drain time, for an event that comes after it"
	[[ $stderr != *"never came back"* ]] || fail "$stderr"
}

# `hotplug-online log` (hotplug-online-log.service): the same logger, but it
# stays until SIGTERM, and logs no line of its own.
logd() {
	printf '%s' '
		${HO_WRAPPER:-} "$HO" --sysfs "$SYS" --config "$CFG" log &
		DPID=$!
		for ((i = 0; i < 3000; i++)); do
			[[ -e $RUNDIR/logger/alive2 && $(readlink "$RUNDIR/logger") == /proc/$DPID/* ]] && break
			sleep 0.01
		done'
}

@test "log: stays past a burst's idle time, logs each event handed to it, leaves on SIGTERM with its link" {
	in_netns "$(logd)"'
		handed 1 101
		sleep 0.7
		[[ -e $RUNDIR/logger/alive2 ]] && echo "still there"
		handed 2 102
		sleep 0.2
		kill -TERM $DPID; wait $DPID; echo "exit $?"
		[[ ! -e $RUNDIR/logger && ! -L $RUNDIR/logger ]] && echo "link gone"'
	assert_success
	assert_line 'still there'
	assert_line 'exit 0'
	assert_line 'link gone'
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory1: online (128 MiB, node 0, zone Normal; by another agent)
<30>hotplug-online[PID]: memory2: online (128 MiB, node 0, zone Normal; by another agent)'
	assert_equal "$(pids)" 1
}

@test "log: waits for a burst's logger to leave, then takes its place" {
	in_netns '
		logger 100 $M/memory0
		BURST=$(readlink "$RUNDIR/logger")
		'"$(logd)"'
		[[ $(readlink "$RUNDIR/logger") == /proc/$DPID/* ]] && echo "took over"
		wait $LPID; echo "burst exit $?"
		handed 3 103
		sleep 0.2
		kill -TERM $DPID; wait $DPID; echo "exit $?"'
	assert_success
	assert_line 'took over'
	assert_line 'burst exit 0'
	assert_line 'exit 0'
	assert_equal "$(devlog | cut -d: -f2)" ' memory0
 memory3'
	assert_equal "$(pids)" 2
}

@test "log: an event the kernel sent and udevd never broadcast: a warning after the drain time, and it stays" {
	[[ -w $KEV ]] || skip "cannot write $KEV"
	in_netns "$(logd)"'
		kernel_event
		sleep 2.6
		kill -0 $DPID && echo "alive"
		kill -TERM $DPID; wait $DPID; echo "exit $?"'
	assert_success
	assert_line alive
	assert_line 'exit 0'
	run -0 devlog_lines
	assert_line --partial '1 online/offline events never came back from udevd'
}

# A hot-add's lines are written after it: the logger holds `online` lines
# until a step of HOLD_MS brings no memory or CPU event (2 s here, 100 ms
# shipped), HOLD_MAX_MS at most (4 s here, 5 s shipped); it reads its
# socket once a step while events come, and an offline event, at the step
# that reads it, writes the held lines and its own.  `seen N` says how many
# lines for memoryN the fake /dev/log holds (socat appends them as they
# come, without newlines); `until_seen N` waits for one, 15 s at most;
# `stream T` sends an event udevd would broadcast (an add, never logged)
# every 0.1 s for T tenths of a second.
@test "log: online lines wait until the events stop, an offline writes them first, a stream holds them the cap at most, SIGTERM writes them" {
	HOTPLUG_ONLINE_TEST_LOGGER_HOLD_MS=2000 HOTPLUG_ONLINE_TEST_LOGGER_HOLD_MAX_MS=4000 \
	in_netns "$(logd)"'
		seen() { echo "memory$1 $2: $(grep -o "memory$1: [a-z]*" "$DEVLOG_OUT" | wc -l)"; }
		until_seen() {
			for ((t = 0; t < 150; t++)); do
				grep -q "memory$1: " "$DEVLOG_OUT" && break
				sleep 0.1
			done
			seen "$@"
		}
		stream() {
			for ((i = 0; i < $1; i++)); do
				"$SEND" ACTION=add DEVPATH=$M/memory7 SUBSYSTEM=memory SEQNUM=$((900 + i))
				sleep 0.1
			done
		}
		handed 1 101; handed 2 102
		stream 15
		seen 1 "while events came"; seen 2 "while events came"
		until_seen 1 "once they stopped"; until_seen 2 "once they stopped"
		handed 3 201
		"$SEND" ACTION=offline DEVPATH=$M/memory4 SUBSYSTEM=memory SEQNUM=202
		stream 30
		seen 3 "after an offline, events still coming"; seen 4 "after an offline, events still coming"
		handed 5 301
		stream 55
		seen 5 "in a stream longer than the cap"
		handed 6 401
		sleep 0.2
		kill -TERM $DPID; wait $DPID; echo "exit $?"
		seen 6 "after SIGTERM"'
	assert_success
	assert_line 'memory1 while events came: 0'
	assert_line 'memory2 while events came: 0'
	assert_line 'memory1 once they stopped: 1'
	assert_line 'memory2 once they stopped: 1'
	assert_line 'memory3 after an offline, events still coming: 1'
	assert_line 'memory4 after an offline, events still coming: 1'
	assert_line 'memory5 in a stream longer than the cap: 1'
	assert_line 'exit 0'
	assert_line 'memory6 after SIGTERM: 1'
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory1: online (128 MiB, node 0, zone Normal; by another agent)
<30>hotplug-online[PID]: memory2: online (128 MiB, node 0, zone Normal; by another agent)
<30>hotplug-online[PID]: memory3: online (128 MiB, node 0, zone Normal; by another agent)
<30>hotplug-online[PID]: memory4: offline (128 MiB, node 1)
<30>hotplug-online[PID]: memory5: online (128 MiB, node 1, zone Normal; by another agent)
<30>hotplug-online[PID]: memory6: online (128 MiB, node 1, zone Normal; by another agent)'
}

@test "log: takes no operand" {
	run -2 ho --sysfs "$SYS" --config "$CFG" log memory1
	assert_output --partial "unexpected argument 'memory1'"
}
