# Shared setup for the hotplug-online unit suite (tests/0NN-*.bats,
# 1NN-*.bats, 3NN-*.bats).
#
# Every test runs the helper through `ho`, so the whole suite can be re-run
# against another build or under a checker:
#   HO=/path/to/asan-build make check-unit
#   HO_WRAPPER="valgrind -q --error-exitcode=99" make check-unit
#
# And `ho` runs it through `in_ns` (test_helper/ns-run.c): in a mount
# namespace of its own where /proc/cmdline, /proc/meminfo, /dev/log,
# /dev/kmsg and /run are this test's files ($CMDLINE, $NS/meminfo,
# $DEVLOG, $KMSG, $NS/run), so that no test reads the host's command line
# or memory figures, logs to the host's syslog or kernel log, or keeps
# state in the host's /run.  That needs root (CI runs as root); without
# it every test skips, saying so.
#
# A library: what it sets is for the test files (SC2034), and tree_sums'
# argument is optional (SC2119, SC2120).
# shellcheck disable=SC2034,SC2119,SC2120
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
HO="${HO:-$TOP/build/hotplug-online-test}"
# The shipped binary, for the few tests that check the seam is compiled out.
HO_SHIPPED="${HO_SHIPPED:-$TOP/build/hotplug-online}"
NS_RUN="${NS_RUN:-$TOP/build/ns-run}"
UEVENT_SEND="${UEVENT_SEND:-$TOP/build/uevent-send}"
MKSYSFS="$BATS_TEST_DIRNAME/test_helper/mksysfs"
SNAPSHOTS="${SNAPSHOTS:-$BATS_TEST_DIRNAME/test_helper/sysfs-snapshots.tar.gz}"

# strerror(3) texts differ between musl (the static build) and glibc.
if grep -qaF 'Symbolic link loop' "$HO" 2>/dev/null; then
	EBUSY_TEXT='Resource busy' EIO_TEXT='I/O error' ELOOP_TEXT='Symbolic link loop'
else
	EBUSY_TEXT='Device or resource busy' EIO_TEXT='Input/output error'
	ELOOP_TEXT='Too many levels of symbolic links'
fi

# need_root: the namespaces need it.  A skip, named, not a failure: a
# developer's unprivileged run says why nothing ran.
need_root() {
	[[ $(id -u) == 0 ]] ||
		skip "needs root: the helper runs in a mount namespace where /proc/cmdline, /dev/log, /dev/kmsg and /run are the test's (CI runs as root)"
}

common_setup() {
	[[ -x $HO ]] || fail "'$HO' not built: run 'make build/hotplug-online-test'"
	[[ -x $NS_RUN ]] || fail "'$NS_RUN' not built: run 'make build/ns-run'"
	need_root
	# Nothing from the caller's environment leaks in.  The test build's two
	# uname seams: an x86_64 (memory is ours) running a kernel that marks
	# replays (4.13+).
	unset ACTION DEVPATH SUBSYSTEM SYNTH_UUID "${!HOTPLUG_ONLINE_TEST_@}"
	export HOTPLUG_ONLINE_TEST_ARCH=x86_64 HOTPLUG_ONLINE_TEST_RELEASE=6.1.0-test
	NS=$BATS_TEST_TMPDIR/ns
	mkdir -p "$NS/run"
	CMDLINE=$NS/cmdline   # /proc/cmdline: an empty command line
	: >"$CMDLINE"
	# /proc/meminfo: a 4 GiB machine with 2 GiB available (status'
	# hot-add headroom), whatever this one has.
	printf 'MemTotal:        4194304 kB\nMemFree:         2097152 kB\nMemAvailable:    2097152 kB\n' >"$NS/meminfo"
	DEVLOG=$NS/devlog     # /dev/log: absent until start_devlog
	KMSG=$NS/kmsg         # /dev/kmsg: a file, where lines go without /dev/log
	: >"$KMSG"
	RUNDIR=$NS/run/hotplug-online   # absent until the helper makes it
	SYS="$BATS_TEST_TMPDIR/sys"
	MEM="$SYS/devices/system/memory"
	CPU="$SYS/devices/system/cpu"
	CFG="$BATS_TEST_TMPDIR/empty.conf"   # every default, whatever /etc holds
	: >"$CFG"
	DEVLOG_PID='' LOG_PID='' SEQNUM=0
}

common_teardown() {
	local pid
	for pid in $LOG_PID $DEVLOG_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

setup() { common_setup; }
teardown() { common_teardown; }

# in_ns CMD...: CMD in the test's namespace (see the top of this file).
in_ns() { "$NS_RUN" "$NS" "$@"; }

# shellcheck disable=SC2086 # HO_WRAPPER is a command and its words
ho() { in_ns $HO_WRAPPER "$HO" "$@"; }

# mksysfs [key=value...]: a fake tree at $SYS; see test_helper/mksysfs.
mksysfs() { "$MKSYSFS" "$SYS" "$@"; }

# unpack_snapshot NAME: a writable copy of a real sysfs snapshot at $SYS
# (qemu-debian12-6.1-hotadd or guest-6.18-24g).
unpack_snapshot() {
	local d="$BATS_TEST_TMPDIR/snapshots"
	mkdir -p "$d"
	tar -C "$d" -xzf "$SNAPSHOTS" "$1"
	mv "$d/$1" "$SYS"
}

# tree_sums [DIR]: one line per entry of the tree (default $SYS): type,
# path, mode and symlink target; then the sha256 of every regular file.
# Equal listings before and after a run mean nothing was written (the
# order is find's, stable for a directory nobody changed).
tree_sums() {
	local d=${1:-$SYS}
	find "$d" -printf '%y %P %m %l\n' -type f -exec sha256sum {} +
}

# changed_since LISTING: the paths whose tree_sums lines differ from LISTING,
# one a line, sorted, relative to $SYS.
changed_since() {
	diff <(printf '%s\n' "$1" | LC_ALL=C sort) <(tree_sums | LC_ALL=C sort) |
		awk -v root="$SYS/" '/^[<>]/ { p = $3; if (index(p, root) == 1) p = substr(p, length(root) + 1); print p }' |
		LC_ALL=C sort -u
}

mem_state() { cat "$MEM/memory$1/state"; }
cpu_online() { cat "$CPU/cpu$1/online"; }

# uevent [-STATUS] [--replay] ACTION DEVPATH: run the helper as the rule
# does for one event (SUBSYSTEM from DEVPATH; --replay sets SYNTH_UUID, as
# the kernel does for an event written to a uevent file).  STATUS is the
# exit status expected (default 0); output and stderr as bats' run leaves them.
uevent() {
	local expect=0 replay='' subsystem=cpu
	[[ $1 == -[0-9]* ]] && { expect=${1#-}; shift; }
	[[ $1 == --replay ]] && { replay=0; shift; }
	[[ $2 == /devices/system/memory/* ]] && subsystem=memory
	if [[ -n $replay ]]; then
		SYNTH_UUID=0 ACTION=$1 DEVPATH=$2 SUBSYSTEM=$subsystem run -"$expect" --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
	else
		ACTION=$1 DEVPATH=$2 SUBSYSTEM=$subsystem run -"$expect" --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
	fi
}

# The helper's rendering of untrusted text: printable ASCII except \ and '
# as is, every other byte as \xNN.
sanitize() {
	perl -e '$_ = $ARGV[0]; s/([^\x20-\x7e]|[\\\x27])/sprintf("\\x%02x", ord $1)/ge; print' -- "$1"
}

assert_stderr_contains() {
	[[ $stderr == *"$1"* ]] || fail "stderr lacks: $1"$'\n'"stderr was: $stderr"
}

assert_stderr_empty() {
	[[ -z $stderr ]] || fail "stderr should be empty, was: $stderr"
}

# logged: what the helper logged so far, one line each, PID replaced by
# "PID": "<30>hotplug-online[PID]: memory5: ...".  Without a /dev/log
# socket (the default) every line goes to /dev/kmsg, here the file $KMSG,
# with the priority syslog would get.  With start_devlog: what the socket got.
logged() {
	if [[ -n $DEVLOG_PID ]]; then
		devlog_lines
	else
		cat "$KMSG"
	fi | sed -E 's/^(<[0-9]+>hotplug-online)\[[0-9]+\]/\1[PID]/'
}

# A fake /dev/log: a socat datagram listener (rsyslog, journald) writing
# every message it gets to a file; devlog_lines prints them one a line.
# start_devlog stream: a stream socket instead (syslog-ng), which takes one
# connection, then exits: see devlog_stream.
start_devlog() {
	local listen=UNIX-RECV i
	[[ ${1:-} != stream ]] || listen=UNIX-LISTEN
	DEVLOG_OUT="$BATS_TEST_TMPDIR/devlog.out"
	: >"$DEVLOG_OUT"
	socat -u "$listen:$DEVLOG,unlink-early" "OPEN:$DEVLOG_OUT,append" \
		</dev/null >/dev/null 2>&1 3>&- &
	DEVLOG_PID=$!
	for ((i = 0; i < 1000; i++)); do
		[[ -S $DEVLOG ]] && return 0
		sleep 0.01
	done
	fail "socat did not create $DEVLOG"
}

# Datagrams carry no newline: split before each "<PRI>hotplug-online[PID]: ".
# A sentinel sent last (the socket is FIFO) proves everything before it is
# written out.
devlog_lines() {
	local sync="<0>hotplug-online[0]: sync-$RANDOM$RANDOM" i
	printf '%s' "$sync" | socat -u - "UNIX-SENDTO:$DEVLOG" ||
		fail "cannot send to the fake /dev/log"
	for ((i = 0; i < 1000; i++)); do
		grep -qF "$sync" "$DEVLOG_OUT" && break
		sleep 0.01
	done
	sed -E 's/(<[0-9]{1,3}>hotplug-online\[[0-9]+\]: )/\n\1/g' "$DEVLOG_OUT" |
		grep -Ev -e '^<0>hotplug-online\[0\]: sync-[0-9]+$' -e '^$' || true
}

# devlog_stream: after start_devlog stream and one helper process, wait for
# the listener to see the connection close, check the framing (each message
# ends in one NUL, none has a newline) and leave the messages in $stream,
# one a line, PID replaced by "PID".  Not in $(...): its checks must fail
# the test.
devlog_stream() {
	local i
	for ((i = 0; i < 1000; i++)); do
		kill -0 "$DEVLOG_PID" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$DEVLOG_PID" 2>/dev/null; then
		kill "$DEVLOG_PID"
		wait "$DEVLOG_PID" 2>/dev/null || true
		DEVLOG_PID=
		fail "the stream listener is still waiting: nothing connected and closed"
	fi
	wait "$DEVLOG_PID" 2>/dev/null || true
	DEVLOG_PID=
	[[ -s $DEVLOG_OUT ]] || fail "nothing arrived on the stream socket"
	[[ $(tail -c 1 "$DEVLOG_OUT" | od -An -tx1 | tr -d ' ') == 00 ]] ||
		fail "the last message does not end in a NUL: $(od -c "$DEVLOG_OUT" | tail -n 3)"
	[[ $(tr -cd '\n' <"$DEVLOG_OUT" | wc -c) == 0 ]] || fail "a newline on the stream"
	[[ $(tr -cd '\0' <"$DEVLOG_OUT" | wc -c) == $(grep -aoE '<[0-9]+>hotplug-online\[' "$DEVLOG_OUT" | wc -l) ]] ||
		fail "not one NUL per message: $(od -c "$DEVLOG_OUT")"
	stream=$(tr '\0' '\n' <"$DEVLOG_OUT" | sed -E 's/^(<[0-9]+>hotplug-online)\[[0-9]+\]/\1[PID]/')
}

# The log service (hotplug-online log) in namespaces of its own: the mount
# namespace above and a network namespace (ns-run -n), where the host's
# kernel events do not reach it and kevent's do (the test build takes
# uevents from a sender other than the kernel).  start_log waits until its
# socket listens to group 1; its lines go where logged reads them.
start_log() {
	local i
	# shellcheck disable=SC2086 # HO_WRAPPER is a command and its words
	"$NS_RUN" -n "$NS" $HO_WRAPPER "$HO" --sysfs "$SYS" --config "$CFG" "$@" log \
		>"$BATS_TEST_TMPDIR/log.out" 2>"$BATS_TEST_TMPDIR/log.err" 3>&- &
	LOG_PID=$!
	for ((i = 0; i < 3000; i++)); do
		# /proc/PID/net is the network namespace PID is in.
		awk '$2 == 15 && $4 == "00000001" { found = 1 } END { exit !found }' \
			"/proc/$LOG_PID/net/netlink" 2>/dev/null && return 0
		kill -0 "$LOG_PID" 2>/dev/null || fail "the log service exited: $(cat "$BATS_TEST_TMPDIR/log.err")"
		sleep 0.01
	done
	fail "the log service does not listen to uevents"
}

# stop_log: it must still be running (it never exits on its own), and
# must have said nothing on stdout; stderr is its warnings (LOG_WARNING
# and worse go there too).
stop_log() {
	kill -0 "$LOG_PID" 2>/dev/null || fail "the log service exited: $(cat "$BATS_TEST_TMPDIR/log.err")"
	kill "$LOG_PID"
	wait "$LOG_PID" 2>/dev/null || true
	LOG_PID=
	[[ ! -s $BATS_TEST_TMPDIR/log.out ]] || fail "the log service wrote on stdout: $(cat "$BATS_TEST_TMPDIR/log.out")"
}

# kevent ACTION DEVPATH [KEY=VALUE...]: the kernel's uevent for DEVPATH
# ("ACTION@DEVPATH", ACTION, DEVPATH, SUBSYSTEM from the path, SEQNUM,
# then the extra properties, e.g. SYNTH_UUID=0 for a replay), sent to the
# log service.  Several events: separate them with "--".
kevent() {
	local args=() ev=()
	while (($#)); do
		if [[ $1 == -- ]]; then
			shift
			continue
		fi
		local subsystem=cpu
		[[ $2 == /devices/system/memory/* ]] && subsystem=memory
		SEQNUM=$((SEQNUM + 1))
		ev=("$1@$2" "ACTION=$1" "DEVPATH=$2" "SUBSYSTEM=$subsystem" "SEQNUM=$SEQNUM")
		shift 2
		while (($#)) && [[ $1 != -- ]]; do
			ev+=("$1")
			shift
		done
		((${#args[@]} == 0)) || args+=(--)
		args+=("${ev[@]}")
	done
	"$UEVENT_SEND" -t "$LOG_PID" "${args[@]}" || fail "uevent-send failed"
}

# log_sync: every event sent so far has been handled.  A sentinel event
# whose line comes after theirs (one process, one socket: in order); its
# line is left out of logged's output by log_lines.  Its number is one
# more than the sentinels logged so far (no state kept: log_sync runs in
# $(...) too).
log_sync() {
	local i n
	n=$(($(grep -c ']: cpu99999[0-9]*: online$' "$KMSG" || true) + 1))
	kevent online "/devices/system/cpu/cpu99999$n"
	for ((i = 0; i < 3000; i++)); do
		grep -q "]: cpu99999$n: online\$" "$KMSG" && return 0
		kill -0 "$LOG_PID" 2>/dev/null || fail "the log service exited: $(cat "$BATS_TEST_TMPDIR/log.err")"
		sleep 0.01
	done
	fail "the log service did not log the sentinel event"
}

# log_lines: log_sync, then what was logged but the sentinels.
log_lines() {
	log_sync
	logged | grep -v -E '\]: cpu99999[0-9]+: online$' || true
}

# wait_logged TEXT [SECONDS]: until a logged line contains TEXT (default
# 30 s: the log service's repair waits 1, 4 and 16 s).  It looks again
# after 50 ms, then less and less often, up to every 400 ms: a fork is
# dear on a small machine.
wait_logged() {
	local end=$((SECONDS + ${2:-30})) wait=0.05
	while ((SECONDS <= end)); do
		[[ $(<"$KMSG") == *"$1"* ]] && return 0
		sleep "$wait"
		case $wait in 0.05) wait=0.1 ;; 0.1) wait=0.2 ;; *) wait=0.4 ;; esac
	done
	fail "not logged within ${2:-30} s: $1"$'\n'"logged: $(logged)"
}
