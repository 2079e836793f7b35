#!/usr/bin/env bats
# Many `hotplug-online udev` processes at once, as udev runs them when a
# hypervisor adds a lot of memory, racing an `online` sweep.
#
# What "one onlined line per device" can mean: the kernel serializes memory
# state_store() under the device hotplug lock, and a second "online" write
# to a block already online fails with EINVAL, so the loser reads the state
# back, finds "online" and logs "already online (onlined by another
# agent)" (the last test checks that path with the RACE fault).  CPUs
# differ: online_store() returns success for a CPU already online, so two
# racing writers both log "onlined" even on a kernel.  A fake tree is plain
# files, and worse: the helper's write is open(O_TRUNC) + write(), so a
# racing reader can see an empty file between the two and fails with
# "unexpected state ''" (exit 1); two readers can both see "offline" and
# both log "onlined".
#
# The helper takes an advisory flock on the device directory from reading
# the state to writing it, so exactly one process onlines each device and
# the others find it online; that holds for CPUs too, where the kernel's
# online_store() alone would let two writers both succeed.

load test_helper/common

setup() {
	common_setup
	start_devlog
	GATE="$BATS_TEST_TMPDIR/gate"
	mkfifo "$GATE"
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
}

# spawn NAME DEVPATH SUBSYSTEM: one udev process, held at the gate so all
# start together.  exec keeps the PID (also under valgrind), so the PID in
# its syslog lines is the one recorded here.
spawn() {
	(
		: <"$GATE"
		ACTION=add DEVPATH=$2 SUBSYSTEM=$3 exec $HO_WRAPPER "$HO" --sysfs "$SYS" \
			--config "$CFG" udev >"$OUT/$1.out" 2>"$OUT/$1.err"
	) &
	PIDS+=("$!")
	NAMES+=("$1")
	echo "$!" >"$OUT/$1.pid"
}

# release: open the gate, start the sweep, wait for everything; every
# process must exit 0 and print nothing on stderr.
release() {
	local i rc
	sleep 0.3   # let the subshells reach the gate
	(
		: <"$GATE"
		exec $HO_WRAPPER "$HO" --sysfs "$SYS" --config "$CFG" online \
			>"$OUT/sweep.out" 2>"$OUT/sweep.err"
	) &
	local sweep=$!
	exec 5<>"$GATE"   # a writer: every open for reading returns, now and later
	for i in "${!PIDS[@]}"; do
		rc=0
		wait "${PIDS[i]}" || rc=$?
		((rc == 0)) || fail "udev process ${NAMES[i]} exited $rc: $(cat "$OUT/${NAMES[i]}.err")"
	done
	rc=0
	wait "$sweep" || rc=$?
	exec 5>&-
	((rc == 0)) || fail "the sweep exited $rc: $(cat "$OUT/sweep.err")"
	for i in "${NAMES[@]}" sweep; do
		[[ ! -s $OUT/$i.err ]] || fail "$i wrote on stderr: $(cat "$OUT/$i.err")"
	done
	devlog_lines >"$OUT/devlog"
}

# check_udev_lines: each udev process logged exactly one line, about its
# own device, either onlined or already online.
check_udev_lines() {
	local i pid dev lines
	for i in "${!PIDS[@]}"; do
		pid=${PIDS[i]}
		dev=${NAMES[i]%%.*}
		lines=$(grep -F "hotplug-online[$pid]: " "$OUT/devlog" || true)
		[[ -n $lines && $lines != *$'\n'* ]] ||
			fail "process ${NAMES[i]} (PID $pid) logged $(printf '%s' "$lines" | grep -c '' || true) lines: '$lines'"
		[[ $lines == "<30>hotplug-online[$pid]: $dev: onlined"* ||
			$lines == "<30>hotplug-online[$pid]: $dev: already online (onlined by another agent)" ]] ||
			fail "unexpected line from ${NAMES[i]}: $lines"
	done
}

# onlined DEV: how many "onlined" lines the log holds for DEV (udev and sweep).
onlined() {
	grep -cE "^<30>hotplug-online\[[0-9]+\]: $1: onlined( |$)" "$OUT/devlog" || true
}

# The sweep's syslog lines are also its stdout lines: nothing else logged.
check_total() {
	local want=$((${#PIDS[@]} + $(grep -c '' "$OUT/sweep.out" || true)))
	assert_equal "$(grep -c '' "$OUT/devlog")" "$want"
}

@test "concurrency: 64 udev processes on 64 distinct blocks, racing a sweep" {
	mksysfs online=4 offline=64 offline_start=32 nodes=1 cpus=1 offline_cpus=0
	PIDS=() NAMES=()
	for ((b = 32; b < 96; b++)); do
		spawn "memory$b" "/devices/system/memory/memory$b" memory
	done
	release
	for ((b = 32; b < 96; b++)); do
		assert_equal "$(mem_state "$b")" online
		n=$(onlined "memory$b")
		((n == 1)) || fail "memory$b: $n onlined lines"
	done
	check_udev_lines
	check_total
}

@test "concurrency: 64 udev processes on one block, racing a sweep" {
	mksysfs online=4 offline=1 offline_start=40 nodes=1 cpus=1 offline_cpus=0
	PIDS=() NAMES=()
	for ((i = 0; i < 64; i++)); do
		spawn "memory40.$i" /devices/system/memory/memory40 memory
	done
	release
	assert_equal "$(mem_state 40)" online
	n=$(onlined memory40)
	((n == 1)) || fail "memory40: $n onlined lines from 64 udev processes and a sweep"
	check_udev_lines
	check_total
	# Nothing else in the tree was touched.
	for b in 0 1 2 3; do assert_equal "$(mem_state "$b")" online; done
}

@test "concurrency: 64 udev processes on 8 blocks and 8 CPUs, 4 each, racing a sweep" {
	mksysfs online=4 offline=8 offline_start=32 nodes=2 cpus=9 offline_cpus=8
	PIDS=() NAMES=()
	for ((i = 0; i < 4; i++)); do
		for ((b = 32; b < 40; b++)); do
			spawn "memory$b.$i" "/devices/system/memory/memory$b" memory
		done
		for ((c = 1; c < 9; c++)); do
			spawn "cpu$c.$i" "/devices/system/cpu/cpu$c" cpu
		done
	done
	release
	for ((b = 32; b < 40; b++)); do
		assert_equal "$(mem_state "$b")" online
		n=$(onlined "memory$b")
		((n == 1)) || fail "memory$b: $n onlined lines"
	done
	for ((c = 1; c < 9; c++)); do
		assert_equal "$(cpu_online "$c")" 1
		n=$(onlined "cpu$c")
		((n == 1)) || fail "cpu$c: $n onlined lines"
	done
	check_udev_lines
	check_total
}

@test "concurrency: the loser of a kernel-style race logs already online, not onlined" {
	# RACE: the write fails with EINVAL after the state turned online, as
	# the kernel answers the second of two concurrent writers.
	mksysfs online=4 offline=1 offline_start=40 nodes=1 cpus=1 offline_cpus=0
	HOTPLUG_ONLINE_TEST_FAULTS='memory40=RACE' ACTION=add \
		DEVPATH=/devices/system/memory/memory40 SUBSYSTEM=memory \
		run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_empty
	assert_equal "$(mem_state 40)" online
	assert_equal "$(devlog)" \
		'<30>hotplug-online[PID]: memory40: already online (onlined by another agent)'
}
