# Shared setup for the hotplug-online unit suite (tests/0NN-*.bats, 1NN-*.bats).
#
# Every test runs the helper through `ho`, so the whole suite can be re-run
# against another build or under a checker:
#   HO=/path/to/asan-build make check-unit
#   HO_WRAPPER="valgrind -q --error-exitcode=99" make check-unit
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

HO="${HO:-$BATS_TEST_DIRNAME/../build/hotplug-online-test}"
# The shipped binary, for the few tests that check the seam is compiled out.
HO_SHIPPED="${HO_SHIPPED:-$BATS_TEST_DIRNAME/../build/hotplug-online}"
MKSYSFS="$BATS_TEST_DIRNAME/test_helper/mksysfs"
SNAPSHOTS="${SNAPSHOTS:-$BATS_TEST_DIRNAME/test_helper/sysfs-snapshots.tar.gz}"

ho() { $HO_WRAPPER "$HO" "$@"; }

# strerror(3) texts differ between musl (the static build) and glibc.
if grep -qaF 'Symbolic link loop' "$HO" 2>/dev/null; then
	EBUSY_TEXT='Resource busy' EIO_TEXT='I/O error' ELOOP_TEXT='Symbolic link loop'
else
	EBUSY_TEXT='Device or resource busy' EIO_TEXT='Input/output error'
	ELOOP_TEXT='Too many levels of symbolic links'
fi

common_setup() {
	[[ -x $HO ]] || fail "'$HO' not built: run 'make build/hotplug-online-test'"
	# Nothing from the caller's environment leaks in, and nothing touches the
	# host: no test logs to its /dev/log or /dev/kmsg, keeps state in its
	# /run/hotplug-online, reads its /proc/cmdline, /proc/iomem or kernel
	# release, or takes its udevd's /run/udev/control as a sign that udevd
	# runs our rule.
	unset ACTION DEVPATH SUBSYSTEM SYNTH_UUID "${!HOTPLUG_ONLINE_TEST_@}"
	export HOTPLUG_ONLINE_TEST_ARCH=x86_64
	export HOTPLUG_ONLINE_TEST_DEVLOG="$BATS_TEST_TMPDIR/devlog"   # absent until start_devlog
	export HOTPLUG_ONLINE_TEST_KMSG="$BATS_TEST_TMPDIR/kmsg"
	: >"$HOTPLUG_ONLINE_TEST_KMSG"
	export HOTPLUG_ONLINE_TEST_RUNDIR="$BATS_TEST_TMPDIR/run"   # absent until the helper makes it
	export HOTPLUG_ONLINE_TEST_UDEVCTL="$BATS_TEST_TMPDIR/udev-control"   # absent: see udevd_runs
	export HOTPLUG_ONLINE_TEST_CMDLINE="$BATS_TEST_TMPDIR/cmdline"   # an empty command line
	: >"$HOTPLUG_ONLINE_TEST_CMDLINE"
	export HOTPLUG_ONLINE_TEST_IOMEM="$BATS_TEST_TMPDIR/iomem"   # no owner for any address
	: >"$HOTPLUG_ONLINE_TEST_IOMEM"
	export HOTPLUG_ONLINE_TEST_RELEASE=6.1.0-test   # marks replays (4.13+)
	RUNDIR=$HOTPLUG_ONLINE_TEST_RUNDIR
	SYS="$BATS_TEST_TMPDIR/sys"
	MEM="$SYS/devices/system/memory"
	CPU="$SYS/devices/system/cpu"
	CFG="$BATS_TEST_TMPDIR/empty.conf"   # every default, whatever /etc holds
	: >"$CFG"
	DEVLOG_PID= KMSG_PID=
}

common_teardown() {
	local pid
	for pid in $DEVLOG_PID $KMSG_PID; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

setup() { common_setup; }
teardown() { common_teardown; }

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

# What the helper takes for "udevd runs our rule" (/run/udev/control): its
# `online` event will log what an `online` sweep onlines.
udevd_runs() { : >"$HOTPLUG_ONLINE_TEST_UDEVCTL"; }

# uevent [-STATUS] [--replay] ACTION DEVPATH: run the helper as the rule
# does for one event (SUBSYSTEM from DEVPATH; --replay sets SYNTH_UUID, as
# the kernel does for an event written to a uevent file).  STATUS is the
# exit status expected (default 0); output and stderr as bats' run leaves them.
uevent() {
	local expect=0 synth=() subsystem
	[[ $1 == -[0-9]* ]] && { expect=${1#-}; shift; }
	[[ $1 == --replay ]] && { synth=(SYNTH_UUID=0); shift; }
	case $2 in
	/devices/system/memory/*) subsystem=memory ;;
	*) subsystem=cpu ;;
	esac
	run -"$expect" --separate-stderr env "${synth[@]}" ACTION="$1" DEVPATH="$2" \
		SUBSYSTEM="$subsystem" $HO_WRAPPER "$HO" --sysfs "$SYS" --config "$CFG" udev
}

# hotadd [-STATUS] [--replay] DEVPATH: what the kernel and udevd do for a
# hot-added device on the fake tree.  The kernel sends `add` and udevd runs
# the helper; when the device then reads online (the helper's write, on a
# fake tree nothing else changes it), the kernel sends `online` and udevd
# runs the helper again.  A fake tree has no kernel to send that second
# event, so this plays its part: a faithful emulation of the kernel's
# uevent, not a shortcut (the online event carries no SYNTH_UUID even after
# a replayed add: the kernel sends it).  It must exit 0 and print nothing.
# output, stderr and status are the add's; ONLINE_EVENT says whether the
# online event ran (yes or no).
hotadd() {
	local expect=0 replay=() attr before after s o e
	[[ $1 == -[0-9]* ]] && { expect=${1#-}; shift; }
	[[ $1 == --replay ]] && { replay=(--replay); shift; }
	case $1 in
	/devices/system/memory/*) attr=$SYS$1/state ;;
	*) attr=$SYS$1/online ;;
	esac
	before=$(cat "$attr" 2>/dev/null || true)
	uevent -"$expect" "${replay[@]}" add "$1"
	s=$status o=$output e=$stderr
	after=$(cat "$attr" 2>/dev/null || true)
	ONLINE_EVENT=no
	if [[ $after != "$before" && ($after == online* || $after == 1) ]]; then
		ONLINE_EVENT=yes
		uevent online "$1"
		[[ -z $output$stderr ]] || fail "the online event printed: '$output' '$stderr'"
	fi
	status=$s output=$o stderr=$e
}

# marks: every mark file the helper left, "onlined/memory5: 1234 as online",
# sorted; nothing when there is none.
marks() {
	local f
	[[ -d $RUNDIR ]] || return 0
	for f in "$RUNDIR"/onlined/* "$RUNDIR"/offlined/*; do
		[[ -e $f ]] && printf '%s: %s\n' "${f#"$RUNDIR"/}" "$(cat "$f")"
	done | LC_ALL=C sort
}

# ino DIR: the inode number the helper writes into a mark.
ino() { stat -c %i "$1"; }

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

# A fake /dev/log: a socat datagram listener (rsyslog, journald) writing
# every message it gets to a file; devlog_lines prints them one a line.
# start_devlog stream: a stream socket instead (syslog-ng), which takes one
# connection, then exits: see devlog_stream.
start_devlog() {
	local listen=UNIX-RECV
	[[ ${1:-} != stream ]] || listen=UNIX-LISTEN
	DEVLOG_OUT="$BATS_TEST_TMPDIR/devlog.out"
	: >"$DEVLOG_OUT"
	socat -u "$listen:$HOTPLUG_ONLINE_TEST_DEVLOG,unlink-early" "OPEN:$DEVLOG_OUT,append" \
		</dev/null >/dev/null 2>&1 3>&- &
	DEVLOG_PID=$!
	local i
	for ((i = 0; i < 1000; i++)); do
		[[ -S $HOTPLUG_ONLINE_TEST_DEVLOG ]] && return 0
		sleep 0.01
	done
	fail "socat did not create $HOTPLUG_ONLINE_TEST_DEVLOG"
}

# Datagrams carry no newline: split before each "<PRI>hotplug-online[PID]: ".
# A sentinel sent last (the socket is FIFO) proves everything before it is
# written out.
devlog_lines() {
	local sync="<0>hotplug-online[0]: sync-$RANDOM$RANDOM" i
	printf '%s' "$sync" | socat -u - "UNIX-SENDTO:$HOTPLUG_ONLINE_TEST_DEVLOG" ||
		fail "cannot send to the fake /dev/log"
	for ((i = 0; i < 1000; i++)); do
		grep -qF "$sync" "$DEVLOG_OUT" && break
		sleep 0.01
	done
	sed -E 's/(<[0-9]{1,3}>hotplug-online\[[0-9]+\]: )/\n\1/g' "$DEVLOG_OUT" |
		grep -Ev -e '^<0>hotplug-online\[0\]: sync-[0-9]+$' -e '^$' || true
}

# devlog_lines with the PID replaced by "PID", for exact comparisons.
devlog() { devlog_lines | sed -E 's/^(<[0-9]+>hotplug-online)\[[0-9]+\]/\1[PID]/'; }

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

# A fake /dev/kmsg closer to the character device: a FIFO drained into a
# file, one record per write (the default is a plain file).
start_kmsg() {
	KMSG_OUT="$BATS_TEST_TMPDIR/kmsg.out"
	: >"$KMSG_OUT"
	rm -f "$HOTPLUG_ONLINE_TEST_KMSG"
	mkfifo "$HOTPLUG_ONLINE_TEST_KMSG"
	cat <>"$HOTPLUG_ONLINE_TEST_KMSG" >>"$KMSG_OUT" 2>/dev/null 3>&- &
	KMSG_PID=$!
}

kmsg() {
	local sync="sync-$RANDOM$RANDOM" i
	echo "$sync" >"$HOTPLUG_ONLINE_TEST_KMSG"
	for ((i = 0; i < 1000; i++)); do
		grep -qxF "$sync" "$KMSG_OUT" && break
		sleep 0.01
	done
	grep -vx 'sync-[0-9]*' "$KMSG_OUT" | sed -E 's/^(<[0-9]+>hotplug-online)\[[0-9]+\]/\1[PID]/' || true
}
