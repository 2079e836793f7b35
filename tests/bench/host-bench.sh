#!/bin/bash
# host-bench.sh RAWDIR: the helper's cost on fake sysfs trees, on this host.
#   helper.csv  per event: the udev rule's run on a memory `add` (the
#               fixture's memory32, udev mode): instructions (callgrind),
#               syscalls (strace -c), wall time per exec (hyperfine), peak
#               RSS (GNU time), stripped size, for the shipped musl binary
#               and a glibc -static build of the same source; the log
#               service's cost per `online` uevent (its line), from the
#               difference of a run given 0 and LOG_EVENTS events; the
#               classic script (one run per event)
#   sweep.csv   `hotplug-online online` over 1 000, 10 000, 100 000 offline
#               blocks against the classic script (capped by `timeout`)
# Runs in a private mount namespace (unshare -m): a tmpfs for the trees,
# a tmpfs /dev whose /dev/log is a socat sink we count and whose /dev/kmsg
# is a plain file (the host's kernel log never sees a line), a plain
# kernel command line bind-mounted over /proc/cmdline (the helper reads
# it for memhp_default_state= and memory_hotplug.*: the host's own must
# not decide the policy), and the fake tree bind-mounted over
# /sys/devices/system/memory for the script, which hard-codes that path
# and runs unmodified.  The log service listens in a network namespace of
# its own (unshare -n), where tests/test_helper/uevent-send multicasts the
# events; only the test build takes them from a sender that is not the
# kernel, so its numbers are the test build's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
raw=${1:-$here/raw}
if [[ -z ${HPO_BENCH_NS-} ]]; then
	[[ $(id -u) == 0 ]] || { echo "host-bench: needs root (mount namespace, bind mounts)" >&2; exit 1; }
	mkdir -p "$raw"
	HPO_BENCH_NS=1 exec unshare -m --propagation private "$0" "$raw"
fi
raw=$(cd "$raw" && pwd)

# The newest .deb: dist/ holds only names we make, so ls -t is safe here.
# shellcheck disable=SC2012
deb=${HPO_BENCH_DEB:-$(ls -t "$top"/dist/hotplug-online_*_amd64.deb 2> /dev/null | head -n 1)}
glibc=$top/build/bench/glibc/hotplug-online
testbin=${HPO_BENCH_TESTBIN:-$top/build/hotplug-online-test}
send=$top/build/uevent-send
gentree=$top/build/bench/gen-tree
conf=$top/helper/hotplug-online.conf   # as the package ships it: all comments
baseline=$top/../shared/baselines/online_hotplug_memory.sh
fixtures=$top/../shared/fixtures/sysfs-snapshots.tar.gz
SWEEP_SIZES=${SWEEP_SIZES:-1000 10000 100000}
SCRIPT_CAP=${SCRIPT_CAP:-60}
LOG_EVENTS=${LOG_EVENTS:-5000}
for f in "$deb" "$glibc" "$testbin" "$send" "$gentree" "$baseline" "$fixtures"; do
	[[ -e $f ]] || { echo "host-bench: missing '$f'" >&2; exit 1; }
done

W=$(mktemp -d /tmp/hpo-bench.XXXXXX)
mount -t tmpfs -o size=6G,mode=0755 tmpfs "$W"
mkdir "$W/olddev"
mount --rbind /dev "$W/olddev"
mount -t tmpfs -o mode=0755 tmpfs /dev
for n in null zero full random urandom tty; do
	touch "/dev/$n"
	mount --bind "$W/olddev/$n" "/dev/$n"
done
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
: > "$W/kmsg"
touch /dev/kmsg
mount --bind "$W/kmsg" /dev/kmsg
# Whatever the helper might keep in /run goes to a tmpfs of ours.
mount -t tmpfs -o mode=0755 tmpfs /run
# A kernel command line without memhp_default_state= or memory_hotplug.*:
# the configured policy (the default, online) decides, not the host's.
echo "console=ttyS0 quiet" > "$W/cmdline"
mount --bind "$W/cmdline" /proc/cmdline
socat -u UNIX-RECV:/dev/log OPEN:"$W/syslog",creat,append &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 50); do [[ -S /dev/log ]] && break; sleep 0.1; done
# Datagrams carry no newline: count the syslog headers.
loglines() { { grep -o '<[0-9]*>hotplug-online\[' "$W/syslog" || true; } | wc -l; }

# The shipped binary: the one in the .deb (musl, stripped by dh_strip).
dpkg-deb -x "$deb" "$W/deb"
musl=$W/deb/usr/sbin/hotplug-online
[[ -x $musl ]] || { echo "host-bench: no /usr/sbin/hotplug-online in '$deb'" >&2; exit 1; }
tar -xzf "$fixtures" -C "$W"
fx=$W/qemu-debian12-6.1-hotadd
mem=$fx/devices/system/memory
blk=$mem/memory32/state
echo offline > "$W/offline"
hotadded=$(grep -lx offline "$mem"/memory*/state | sed 's|/state$||; s|.*/||' | tr '\n' ' ')
reset_fx() { for b in $hotadded; do cp "$W/offline" "$mem/$b/state"; done; }

export ACTION=add DEVPATH=/devices/system/memory/memory32 SUBSYSTEM=memory
event=(--config "$conf" --sysfs "$fx" udev)

# Instructions of one run of ARGV (every process of it), from callgrind.
instr() {
	rm -f "$W"/cg.*
	valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$W/cg.%p" \
		"$@" > /dev/null 2> "$W/vg.err" || true
	cat "$W"/cg.* | sed -n 's/^totals: *\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s}'
}
# Syscalls of one run (every process), from strace -c.
syscalls() {
	strace -f -c -o "$W/st" "$@" > /dev/null 2>&1 || true
	awk '$NF == "total" {print $4}' "$W/st"
}
# Peak RSS in KiB (GNU time: the largest of the process and its children).
rss() { /usr/bin/time -f %M -o "$W/rss" "$@" > /dev/null 2>&1 || true; cat "$W/rss"; }
# hyperfine: median and stddev of wall time, mean user+system CPU time, in
# microseconds; runs.
hf() {
	local runs=$1
	shift
	hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$W/hf.json" "$@" > /dev/null 2>&1
	python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.0f,%.0f,%.0f,%d" % (r["median"] * 1e6, r["stddev"] * 1e6,
                          (r["user"] + r["system"]) * 1e6, len(r["times"])))' "$W/hf.json"
}
check_online() { [[ $(cat "$blk") == online ]] || { echo "host-bench: $1 left memory32 $(cat "$blk")" >&2; exit 1; }; }

# HOST_BENCH_PARTS: some of "event log sweep" (the default, all three); log
# alone replaces the log service's rows of an existing helper.csv.
parts=" ${HOST_BENCH_PARTS:-event log sweep} "
if [[ $parts == *" event "* ]]; then
echo "what,instructions,syscalls,median_us,stddev_us,cpu_us,runs,peak_rss_kib,size_bytes,stripped_bytes,log_lines" > "$raw/helper.csv"
for v in musl glibc; do
	bin=${!v}
	strip -o "$W/stripped" "$bin"
	reset_fx
	n0=$(loglines)
	i=$(instr "$bin" "${event[@]}")
	check_online "$v under callgrind"
	# Twice more: callgrind counts are exact, a difference means the
	# helper does something nondeterministic.
	reset_fx; i2=$(instr "$bin" "${event[@]}")
	reset_fx; i3=$(instr "$bin" "${event[@]}")
	[[ $i == "$i2" && $i == "$i3" ]] || echo "host-bench: $v instructions vary: $i $i2 $i3" >&2
	reset_fx; s=$(syscalls "$bin" "${event[@]}")
	reset_fx; r=$(rss "$bin" "${event[@]}")
	check_online "$v"
	t=$(hf 300 --prepare "cp $W/offline $blk" "$bin ${event[*]}")
	check_online "$v under hyperfine"
	n1=$(loglines)
	echo "$v-static udev event,$i,$s,$t,$r,$(stat -c %s "$bin"),$(stat -c %s "$W/stripped"),$((n1 - n0))" >> "$raw/helper.csv"
	echo "host-bench: $v: $i instructions, $s syscalls, $t us (median,sd,runs), $r KiB" >&2
done

# The classic script runs in full for every event: the first event of a
# burst onlines all 8 hot-added blocks of the fixture, every later one
# finds them online and still walks all 14 blocks.
mount --bind "$mem" /sys/devices/system/memory
reset_fx; i=$(instr "$baseline"); [[ $(cat "$blk") == online ]] || { echo "host-bench: script did not online" >&2; exit 1; }
reset_fx; s=$(syscalls "$baseline")
reset_fx; r=$(rss "$baseline")
t=$(hf 30 --prepare "bash -c 'for b in $hotadded; do cp $W/offline $mem/\$b/state; done'" "$baseline")
echo "classic script run (onlines 8 of 14 blocks),$i,$s,$t,$r,$(stat -c %s "$baseline"),,NA" >> "$raw/helper.csv"
i=$(instr "$baseline"); s=$(syscalls "$baseline"); r=$(rss "$baseline")
t=$(hf 30 "$baseline")
echo "classic script run (all 14 online),$i,$s,$t,$r,$(stat -c %s "$baseline"),,NA" >> "$raw/helper.csv"
umount /sys/devices/system/memory
echo "host-bench: script done" >&2

fi

if [[ $parts == *" log "* ]]; then
[[ $parts == *" event "* ]] || { grep -v '^log service' "$raw/helper.csv" > "$W/helper.csv"; cp "$W/helper.csv" "$raw/helper.csv"; }
# The log service (`hotplug-online log`): what one `online` uevent costs
# it, its line included.  It runs in a network namespace of its own, where
# uevent-send multicasts memory32's online event as the kernel sends it;
# run once with 0 events and once with LOG_EVENTS, and killed (SIGTERM, as
# systemd stops it) once the sink has every line; per event is the
# difference over LOG_EVENTS.  Instructions: callgrind; syscalls: strace
# -c; CPU: utime+stime of a plain run (/proc/PID/stat); RSS: its VmHWM
# after the events.  memory32 online and auto_online_blocks `online`, as in
# (c).  The test build (only it takes events from a sender other than the
# kernel).
cp "$mem/auto_online_blocks" "$W/aob"
echo online > "$mem/auto_online_blocks"
echo online > "$blk"
logrun() { # EVENTS WRAPPER...: one run of the log service, given EVENTS events
	local n=$1
	shift
	# shellcheck disable=SC2016 # expands in the namespace's bash
	unshare -n bash -c '
		n=$1 send=$2 W=$3 fx=$4 conf=$5; shift 5
		"$@" --sysfs "$fx" --config "$conf" log > /dev/null 2> "$W/logrun.err" &
		w=$!
		# The log service itself (under a wrapper, its child): the port of
		# the one socket bound to the uevent group here is its PID.
		p=
		for _ in $(seq 300); do
			p=$(awk "\$2 == 15 && \$4 == \"00000001\" {print \$3}" /proc/net/netlink)
			[[ -z $p ]] || break
			sleep 0.1
		done
		[[ -d /proc/$p ]] || { echo "host-bench: the log service did not start" >&2; exit 1; }
		lines() { { grep -o "<[0-9]*>hotplug-online\[" "$W/syslog" || true; } | wc -l; }
		l0=$(lines)
		c0=$(awk "{print \$14 + \$15}" /proc/$p/stat)
		[[ $n == 0 ]] || "$send" -c "$n" online@/devices/system/memory/memory32 ACTION=online \
			DEVPATH=/devices/system/memory/memory32 SUBSYSTEM=memory SEQNUM=7
		for _ in $(seq 600); do (($(lines) - l0 >= n)) && break; sleep 0.1; done
		sleep 0.5
		c1=$(awk "{print \$14 + \$15}" /proc/$p/stat)
		hwm=$(awk "/^VmHWM:/ {print \$2}" /proc/$p/status)
		kill -TERM $p
		wait $w
		echo "$(($(lines) - l0)) $((c1 - c0)) $hwm"
	' logrun "$n" "$send" "$W" "$fx" "$conf" "$@"
}
ticks=$(getconf CLK_TCK)
# Instructions, syscalls: every process of a run, as instr/syscalls do.
logcg() {
	rm -f "$W"/cg.*
	logrun "$1" valgrind --tool=callgrind --callgrind-out-file="$W/cg.%p" "$testbin" > /dev/null 2>&1
	cat "$W"/cg.* | sed -n 's/^totals: *\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s}'
}
logst() {
	logrun "$1" strace -f -c -o "$W/st" "$testbin" > /dev/null 2>&1
	awk '$NF == "total" {print $4}' "$W/st"
}
i0=$(logcg 0); i1=$(logcg "$LOG_EVENTS")
s0=$(logst 0); s1=$(logst "$LOG_EVENTS")
read -r got cpu hwm < <(logrun "$LOG_EVENTS" "$testbin")
[[ $got == "$LOG_EVENTS" ]] || echo "host-bench: the log service wrote $got lines for $LOG_EVENTS events" >&2
ipe=$(((i1 - i0) / LOG_EVENTS))
spe=$(python3 -c "print(f'{($s1 - $s0) / $LOG_EVENTS:.1f}')")
cpe=$(python3 -c "print(f'{$cpu * 1e6 / $ticks / $LOG_EVENTS:.0f}')")
echo "log service: one online event (its line),$ipe,$spe,NA,NA,$cpe,$LOG_EVENTS,$hwm,$(stat -c %s "$testbin"),,$got" >> "$raw/helper.csv"
echo "log service started and stopped (no event),$i0,$s0,NA,NA,NA,1,NA,$(stat -c %s "$testbin"),,0" >> "$raw/helper.csv"
echo "host-bench: log service: $ipe instructions, $spe syscalls, $cpe us CPU per event; $hwm KiB peak; $got lines" >&2
cp "$W/aob" "$mem/auto_online_blocks"

fi

# Sweep scaling.
if [[ $parts == *" sweep "* ]]; then
onlined() { { find "$1" -mindepth 2 -maxdepth 2 -name state -exec grep -lx online {} + || true; } | wc -l; }
echo "what,blocks,instructions,syscalls,median_us,stddev_us,cpu_us,runs,us_per_block,onlined,log_lines,cap_s" > "$raw/sweep.csv"
for n in $SWEEP_SIZES; do
	t=$W/t$n
	"$gentree" "$t" "$n"
	tm=$t/devices/system/memory
	n0=$(loglines)
	"$musl" --config "$conf" --sysfs "$t" online > /dev/null
	on=$(onlined "$tm")
	n1=$(loglines)
	"$gentree" --reset "$t" "$n"
	if ((n <= 10000)); then
		i=$(instr "$musl" --config "$conf" --sysfs "$t" online)
		"$gentree" --reset "$t" "$n"
	else
		i=NA   # callgrind over 100 000 blocks takes minutes; 1 000 and 10 000 show the slope
	fi
	s=$(syscalls "$musl" --config "$conf" --sysfs "$t" online)
	"$gentree" --reset "$t" "$n"
	h=$(hf 5 --prepare "$gentree --reset $t $n" "$musl --config $conf --sysfs $t online")
	med=${h%%,*}
	echo "hotplug-online online,$n,$i,$s,$h,$(python3 -c "print(f'{$med/$n:.3f}')"),$on,$((n1 - n0)),"  >> "$raw/sweep.csv"
	echo "host-bench: sweep $n: $i instructions, $h us" >&2

	"$gentree" --reset "$t" "$n"
	mount --bind "$tm" /sys/devices/system/memory
	s0=$(date +%s%N)
	timeout "$SCRIPT_CAP" "$baseline" > /dev/null 2>&1 || true
	s1=$(date +%s%N)
	# Lazy: a cat or grep of the killed script may still hold a file.
	umount -l /sys/devices/system/memory
	on=$(onlined "$tm")
	us=$(((s1 - s0) / 1000))
	per=$(python3 -c "print(f'{$us/$on:.1f}' if $on else 'NA')")
	echo "classic script,$n,NA,NA,$us,NA,NA,1,$per,$on,0,$SCRIPT_CAP" >> "$raw/sweep.csv"
	echo "host-bench: script sweep $n: $on onlined in $us us (cap $SCRIPT_CAP s)" >&2
	rm -rf "$t"
done
fi
echo "kmsg lines written by the helper (must be 0): $(wc -l < "$W/kmsg")" > "$raw/host-meta.txt"
kill $sink
umount /dev/kmsg
umount -l /run
umount -l /dev
umount -l "$W/olddev" 2> /dev/null || true
umount "$W"
rmdir "$W"
