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
	# Nothing from the caller's environment leaks in; in particular no test
	# ever logs to the host's /dev/log or /dev/kmsg.
	unset ACTION DEVPATH SUBSYSTEM HOTPLUG_ONLINE_TEST_FAULTS
	export HOTPLUG_ONLINE_TEST_ARCH=x86_64
	export HOTPLUG_ONLINE_TEST_DEVLOG="$BATS_TEST_TMPDIR/devlog"   # absent until start_devlog
	export HOTPLUG_ONLINE_TEST_KMSG="$BATS_TEST_TMPDIR/kmsg"
	: >"$HOTPLUG_ONLINE_TEST_KMSG"
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

# A fake /dev/log: a socat datagram listener writing every message it gets
# to a file; devlog_lines prints them one a line.
start_devlog() {
	DEVLOG_OUT="$BATS_TEST_TMPDIR/devlog.out"
	: >"$DEVLOG_OUT"
	socat -u "UNIX-RECV:$HOTPLUG_ONLINE_TEST_DEVLOG,unlink-early" "OPEN:$DEVLOG_OUT,append" \
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
