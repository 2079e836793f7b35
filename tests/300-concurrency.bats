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
# What is counted: inotify (test_helper/watch-writes) sees every write to
# each device's attribute, so "exactly one" is measured, not inferred from
# the final state.

load test_helper/common

setup() {
	common_setup
	GATE="$BATS_TEST_TMPDIR/gate"
	mkfifo "$GATE"
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	PIDS=() NAMES=() WATCH_PID=
}

teardown() {
	[[ -z $WATCH_PID ]] || { kill "$WATCH_PID" 2>/dev/null; wait "$WATCH_PID" 2>/dev/null || true; }
	common_teardown
}

# watch DEV...: start counting writes to each device's attribute.
watch() {
	local d paths=()
	for d in "$@"; do
		case $d in
		memory*) paths+=("$MEM/$d/state") ;;
		cpu*) paths+=("$CPU/$d/online") ;;
		esac
	done
	WRITES=$BATS_TEST_TMPDIR/writes
	"$BATS_TEST_DIRNAME/test_helper/watch-writes" "$WRITES" "$WRITES.ready" \
		"$BATS_TEST_TMPDIR" "${paths[@]}" 3>&- &
	WATCH_PID=$!
	local i
	for ((i = 0; i < 1000; i++)); do
		[[ -e $WRITES.ready ]] && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || fail "watch-writes died"
		sleep 0.01
	done
	fail "watch-writes did not start"
}

# stop_watch: every event so far is in $WRITES (a sentinel written last is).
stop_watch() {
	local i
	touch "$BATS_TEST_TMPDIR/watch-sync"
	for ((i = 0; i < 1000; i++)); do
		grep -qxF "close_write $BATS_TEST_TMPDIR/watch-sync" "$WRITES" && break
		sleep 0.01
	done
	kill "$WATCH_PID"
	wait "$WATCH_PID" 2>/dev/null || true
	WATCH_PID=
}

# writes DEV: how many times its attribute was written.
writes() {
	local f=$MEM/$1/state
	[[ $1 == cpu* ]] && f=$CPU/$1/online
	grep -cxF "close_write $f" "$WRITES" || true
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
	stop_watch
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
	watch memory40 memory0
	for ((i = 0; i < 64; i++)); do
		spawn "memory40.$i" /devices/system/memory/memory40
	done
	spawn_sweep sweep
	release
	assert_equal "$(mem_state 40)" online
	once memory40
	assert_equal "$(writes memory0)" 0   # nothing else in the tree was touched
	for b in 0 1 2 3; do assert_equal "$(mem_state "$b")" online; done
	assert_equal "$(logged)" ''
}

@test "concurrency: 64 udev processes on 64 distinct blocks, racing a sweep" {
	mksysfs online=4 offline=64 offline_start=32 nodes=1 cpus=1 offline_cpus=0
	devs=()
	for ((b = 32; b < 96; b++)); do devs+=("memory$b"); done
	watch "${devs[@]}"
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
	watch "${devs[@]}"
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
	watch "${devs[@]}"
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
	watch memory40
	echo offline >"$MEM/memory40/state"
	echo online >"$MEM/memory40/state"
	stop_watch
	assert_equal "$(writes memory40)" 2
	run -1 once memory40
}
