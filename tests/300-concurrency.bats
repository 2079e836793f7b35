#!/usr/bin/env bats
# Many `hotplug-online udev` processes at once, as udev runs them when a
# hypervisor adds a lot of memory, racing `online` sweeps.
#
# The helper takes an advisory flock on the device directory from reading
# the state to writing it, so exactly one process writes each device, and
# the others find it online and say nothing.  That holds for CPUs too,
# where the kernel's online_store() alone would let two writers both
# succeed.  On a fake tree the helper's write (open O_TRUNC, write) is not
# atomic either: a racing reader without the lock could see an empty file
# and fail with "unexpected state ''".
#
# What is counted: the test build records each attribute it opens for
# writing (HOTPLUG_ONLINE_TEST_WRITES, tests/test_helper/seams.c), so
# "exactly one" is measured, not inferred from the final state.  (inotify
# could not: two writes it has not read yet come out as one event.)

load test_helper/common

setup() {
	common_setup
	GATE="$BATS_TEST_TMPDIR/gate"
	mkfifo "$GATE"
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	PIDS=() NAMES=()
}

# watch: start counting writes, every attribute's.
watch() {
	WRITES=$BATS_TEST_TMPDIR/writes
	: >"$WRITES"
	export HOTPLUG_ONLINE_TEST_WRITES=$WRITES
}

# writes DEV: how many times its attribute was written.
writes() {
	local f=$1/state
	[[ $1 == cpu* ]] && f=$1/online
	grep -cxF "$f" "$WRITES" || true
}

# spawn NAME DEVPATH: one udev process, held at the gate so all start
# together.  exec keeps the PID (also under valgrind).
spawn() {
	(
		: <"$GATE"
		SUBSYSTEM=memory
		[[ $2 == */cpu/* ]] && SUBSYSTEM=cpu
		# shellcheck disable=SC2086 # HO_WRAPPER is a command and its words
		ACTION=add DEVPATH=$2 SUBSYSTEM=$SUBSYSTEM exec "$NS_RUN" "$NS" $HO_WRAPPER "$HO" \
			--sysfs "$SYS" --config "$CFG" udev >"$OUT/$1.out" 2>"$OUT/$1.err"
	) &
	PIDS+=("$!")
	NAMES+=("$1")
}

# spawn_sweep NAME: one `online` sweep, held at the gate too.
spawn_sweep() {
	(
		: <"$GATE"
		# shellcheck disable=SC2086 # HO_WRAPPER is a command and its words
		exec "$NS_RUN" "$NS" $HO_WRAPPER "$HO" --sysfs "$SYS" --config "$CFG" online \
			>"$OUT/$1.out" 2>"$OUT/$1.err"
	) &
	PIDS+=("$!")
	NAMES+=("$1")
}

# release: open the gate, wait for everything; every process must exit 0
# and print nothing on stderr, and the udev ones nothing at all.
release() {
	local i rc
	sleep 0.3   # let the subshells reach the gate
	exec 5<>"$GATE"   # a writer: every open for reading returns, now and later
	for i in "${!PIDS[@]}"; do
		rc=0
		wait "${PIDS[i]}" || rc=$?
		((rc == 0)) || fail "${NAMES[i]} exited $rc: $(cat "$OUT/${NAMES[i]}.err")"
	done
	exec 5>&-
	for i in "${NAMES[@]}"; do
		[[ ! -s $OUT/$i.err ]] || fail "$i wrote on stderr: $(cat "$OUT/$i.err")"
		[[ $i == sweep* || ! -s $OUT/$i.out ]] || fail "$i wrote on stdout: $(cat "$OUT/$i.out")"
	done
}

# once DEV...: each device was written exactly once.
once() {
	local d w bad=
	for d in "$@"; do
		w=$(writes "$d")
		((w == 1)) || bad+=" $d (written $w times)"
	done
	# One status at the end: it fails the test under run too.
	[[ -z $bad ]] || fail "not once:$bad"
}

# swept DEV...: the sweeps' stdout, together, said "onlined" once per device
# (for those a sweep won) and never twice.
swept_once() {
	local d n
	for d in "$@"; do
		n=$(cat "$OUT"/sweep*.out | grep -cE "^$d: onlined( |$)" || true)
		((n <= 1)) || fail "$d: onlined by $n sweeps"
	done
}

@test "concurrency: 64 udev processes on one block, racing a sweep: one write, nothing logged" {
	mksysfs online=4 offline=1 offline_start=40 nodes=1 cpus=1 offline_cpus=0
	watch
	for ((i = 0; i < 64; i++)); do
		spawn "memory40.$i" /devices/system/memory/memory40
	done
	spawn_sweep sweep
	release
	assert_equal "$(mem_state 40)" online
	once memory40
	assert_equal "$(cat "$WRITES")" memory40/state   # nothing else was written
	for b in 0 1 2 3; do assert_equal "$(mem_state "$b")" online; done
	assert_equal "$(logged)" ''
}

@test "concurrency: 64 udev processes on 64 distinct blocks, racing a sweep" {
	mksysfs online=4 offline=64 offline_start=32 nodes=1 cpus=1 offline_cpus=0
	devs=()
	for ((b = 32; b < 96; b++)); do devs+=("memory$b"); done
	watch
	for d in "${devs[@]}"; do
		spawn "$d" "/devices/system/memory/$d"
	done
	spawn_sweep sweep
	release
	for d in "${devs[@]}"; do assert_equal "$(mem_state "${d#memory}")" online; done
	once "${devs[@]}"
	swept_once "${devs[@]}"
	assert_equal "$(logged)" ''
}

@test "concurrency: 64 udev processes on 8 blocks and 8 CPUs, 4 each, racing two sweeps" {
	mksysfs online=4 offline=8 offline_start=32 nodes=2 cpus=9 offline_cpus=8
	devs=()
	for ((b = 32; b < 40; b++)); do devs+=("memory$b"); done
	for ((c = 1; c < 9; c++)); do devs+=("cpu$c"); done
	watch
	for ((i = 0; i < 4; i++)); do
		for d in "${devs[@]}"; do
			if [[ $d == cpu* ]]; then
				spawn "$d.$i" "/devices/system/cpu/$d"
			else
				spawn "$d.$i" "/devices/system/memory/$d"
			fi
		done
	done
	spawn_sweep sweep1
	spawn_sweep sweep2
	release
	for ((b = 32; b < 40; b++)); do assert_equal "$(mem_state "$b")" online; done
	for ((c = 1; c < 9; c++)); do assert_equal "$(cpu_online "$c")" 1; done
	once "${devs[@]}"
	swept_once "${devs[@]}"
	assert_equal "$(logged)" ''
}

@test "concurrency: 8 racing sweeps: one write and one 'onlined' line per device" {
	mksysfs online=4 offline=16 offline_start=32 nodes=1 cpus=5 offline_cpus=4
	devs=()
	for ((b = 32; b < 48; b++)); do devs+=("memory$b"); done
	for ((c = 1; c < 5; c++)); do devs+=("cpu$c"); done
	watch
	for ((i = 0; i < 8; i++)); do spawn_sweep "sweep$i"; done
	release
	once "${devs[@]}"
	for d in "${devs[@]}"; do
		n=$(cat "$OUT"/sweep*.out | grep -cE "^$d: onlined( |$)" || true)
		((n == 1)) || fail "$d: $n onlined lines on the sweeps' stdout"
	done
	assert_equal "$(cat "$OUT"/sweep*.out | wc -l)" "${#devs[@]}"
	assert_equal "$(logged)" ''
}

@test "concurrency: the counting sees a second write (negative control)" {
	mksysfs online=4 offline=1 offline_start=40 nodes=1 cpus=1 offline_cpus=0
	watch
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory40
	echo offline >"$MEM/memory40/state"
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory40
	assert_equal "$(writes memory40)" 2
	run -1 once memory40
}
