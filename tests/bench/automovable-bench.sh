#!/bin/bash
# automovable-bench.sh RAWDIR: the cost per block of memory = auto-movable's
# userspace decision for one memory device (one firmware_node) of 512, 2048
# and 8192 blocks, on generated fake trees (gen-tree --device), for this
# tree's helper and for an older one side by side, in one run.
#   sweep    `hotplug-online online`, one process over the device
#   dry-run  `hotplug-online online --dry-run` (what the issue measured)
#   udev     one `ACTION=add ... udev` process per block, one after the
#            other (udevd runs them in parallel; the sum is what they cost)
# Writes RAWDIR/automovable.csv and RAWDIR/automovable-meta.txt.  No root:
# both helpers are test builds, told by the seam's variables where the
# fake /proc/zoneinfo, /proc/iomem and run directory are.
#   AM_NEW, AM_OLD   the helpers (default build/hotplug-online-test and
#                    build/bench/old/hotplug-online-test, built from AM_OLD_REF)
#   AM_OLD_REF       the commit the old helper is built from (default main)
#   AM_SIZES         block counts (default "512 2048 8192")
#   AM_RUNS          runs per measurement, the median is kept (default 3)
#   AM_CAP           seconds one run of the old helper may take (default 120);
#                    its udev burst is sampled: the first AM_SAMPLE events
#                    (default 256) of each size, cost per event being the same
#                    for every block of a device there
#   AM_EXACT         1 (default): also count instructions (callgrind) and
#                    syscalls (strace -c) per block, which a shared host's load
#                    does not change: the sweep of the new helper at every
#                    size (of the old one at the smallest: it grows with the
#                    square), and udev events for the first, middle and last
#                    block of the device (after the first one decided it), for
#                    both; into RAWDIR/automovable-exact.csv
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
raw=$(mkdir -p "${1:-$here/raw}" && cd "${1:-$here/raw}" && pwd)
new=${AM_NEW:-$top/build/hotplug-online-test}
old=${AM_OLD:-$top/build/bench/old/hotplug-online-test}
ref=${AM_OLD_REF:-main}
sizes=${AM_SIZES:-512 2048 8192}
runs=${AM_RUNS:-3}
cap=${AM_CAP:-120}
sample=${AM_SAMPLE:-256}
gentree=$top/build/bench/gen-tree

mkdir -p "$top/build/bench"
gcc -O2 -Wall -Wextra -o "$gentree" "$here/gen-tree.c"
if [[ -z ${AM_OLD-} ]]; then
	rm -rf "$top/build/bench/old"
	mkdir -p "$top/build/bench/old"
	git -C "$top" archive "$ref" | tar -x -C "$top/build/bench/old"
	make -s -C "$top/build/bench/old" build/hotplug-online-test > /dev/null
	old=$top/build/bench/old/build/hotplug-online-test
fi
[[ -x $new && -x $old ]] || { echo "automovable-bench: no '$new' or '$old'" >&2; exit 1; }

W=$(mktemp -d /tmp/hpo-am-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
printf 'memory = auto-movable\n' > "$W/conf"
: > "$W/kmsg"
export HOTPLUG_ONLINE_TEST_ZONEINFO=$W/zoneinfo HOTPLUG_ONLINE_TEST_RUNDIR=$W/run
export HOTPLUG_ONLINE_TEST_IOMEM=$W/iomem HOTPLUG_ONLINE_TEST_CMDLINE=$W/cmdline
export HOTPLUG_ONLINE_TEST_DEVLOG=$W/no-devlog HOTPLUG_ONLINE_TEST_KMSG=/dev/null
export HOTPLUG_ONLINE_TEST_UDEVCTL=$W/no-udev HOTPLUG_ONLINE_TEST_ARCH=x86_64
export HOTPLUG_ONLINE_TEST_RELEASE=5.10.0-26-amd64
: > "$W/cmdline"
# 16 GiB of kernel-zone memory at boot: at 301 % every device here fits.
printf 'Node 0, zone   Normal\n        present  4194304\n        cma      0\nNode 0, zone  Movable\n        present  0\n' \
	> "$W/zoneinfo"

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "new: $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD -- 'helper/*.c' 'helper/*.h' || echo '+changes')"
	echo "old: $ref = $(git -C "$top" rev-parse --short "$ref")"
	echo "host: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "runs: $runs (median), old capped at $cap s per run, old udev sampled: first $sample events"
} > "$raw/automovable-meta.txt"

# run CAP COUNT FIRST CMD...: CMD run COUNT times, "{}" in it replaced by
# FIRST, FIRST+1, ... (COUNT 1: once, as is), one after the other; prints
# the wall seconds and the CPU seconds of those processes alone (wait4's
# rusage, not this driver's own), or "cap cap" past CAP seconds.
run() {
	python3 - "$@" << 'EOF2'
import os, signal, sys, time
cap, count, first, cmd = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
env = dict(os.environ)
devnull = os.open(os.devnull, os.O_WRONLY)
cpu, pid = 0.0, None
def over(sig, frame):
    if pid:
        os.kill(pid, signal.SIGKILL)
    print("cap cap")
    sys.exit(0)
signal.signal(signal.SIGALRM, over)
signal.setitimer(signal.ITIMER_REAL, cap)
t0 = time.monotonic()
for i in range(first, first + count):
    argv = [a.replace("{}", str(i)) for a in cmd]
    if count > 1:
        env["DEVPATH"] = f"/devices/system/memory/memory{i}"
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, ru = os.wait4(pid, 0)
    pid = None
    if status != 0:
        sys.exit(f"{argv}: exit status {status >> 8}")
    cpu += ru.ru_utime + ru.ru_stime
print(f"{time.monotonic() - t0:.4f} {cpu:.4f}")
EOF2
}

median() { tr ' ' '\n' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

echo "what,helper,blocks,events,runs,wall_s,cpu_s,us_per_block_wall,us_per_block_cpu,capped" > "$raw/automovable.csv"
for n in $sizes; do
	tree=$W/t$n
	first=32   # the device starts at 4 GiB, after 4 GiB of boot memory
	rm -rf "$tree"
	"$gentree" --device PNP0C80:00 "$tree" "$n" "$first"
	printf '%x-%x : System RAM\n' $((first << 27)) $(((first + n) * (1 << 27) - 1)) > "$W/iomem"
	for helper in new old; do
		bin=${!helper}
		for what in sweep dry-run udev; do
			events=$n
			walls=() cpus=() capped=no
			for ((r = 0; r < runs; r++)); do
				"$gentree" --reset "$tree" "$n" "$first"
				rm -rf "$W/run"
				case $what in
				sweep) out=$(run "$cap" 1 0 "$bin" --sysfs "$tree" --config "$W/conf" online) ;;
				dry-run) out=$(run "$cap" 1 0 "$bin" --sysfs "$tree" --config "$W/conf" online --dry-run) ;;
				udev)
					[[ $helper == old ]] && events=$((sample < n ? sample : n))
					out=$(ACTION=add SUBSYSTEM=memory run "$((cap * 10))" "$events" "$first" \
						"$bin" --sysfs "$tree" --config "$W/conf" udev)
					;;
				esac
				if [[ $out == "cap cap" ]]; then
					capped=yes
					break
				fi
				walls+=("${out% *}") cpus+=("${out#* }")
			done
			if [[ $capped == yes ]]; then
				echo "$what,$helper,$n,$events,0,,,,,>${cap}s" >> "$raw/automovable.csv"
				echo "automovable-bench: $helper $what $n: over the cap of $cap s" >&2
				continue
			fi
			wall=$(echo "${walls[*]}" | median) cpu=$(echo "${cpus[*]}" | median)
			echo "$what,$helper,$n,$events,$runs,$wall,$cpu,$(python3 -c "print(f'{$wall * 1e6 / $events:.1f},{$cpu * 1e6 / $events:.1f}')"),no" >> "$raw/automovable.csv"
			echo "automovable-bench: $helper $what $n: ${wall}s wall, ${cpu}s CPU for $events events/blocks" >&2
		done
	done
	rm -rf "$tree"
done

[[ ${AM_EXACT:-1} == 1 ]] || exit 0
# instructions CMD...: user-space instructions of CMD (callgrind, exact).
instructions() {
	rm -f "$W"/cg.*
	valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$@" > /dev/null 2> "$W/vg.err" ||
		{ cat "$W/vg.err" >&2; return 1; }
	sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$W/cg.out"
}
# syscalls CMD...: how many CMD makes (strace -c).
syscalls() {
	strace -c -o "$W/st" "$@" > /dev/null 2>&1
	awk '$NF == "total" {print $(NF - 2)}' "$W/st"
}
smallest=${sizes%% *}
echo "what,helper,blocks,events,instructions_per_block,syscalls_per_block" > "$raw/automovable-exact.csv"
for n in $sizes; do
	tree=$W/t$n
	first=32
	rm -rf "$tree"
	"$gentree" --device PNP0C80:00 "$tree" "$n" "$first"
	printf '%x-%x : System RAM\n' $((first << 27)) $(((first + n) * (1 << 27) - 1)) > "$W/iomem"
	for helper in new old; do
		bin=${!helper}
		if [[ $helper == new || $n == "$smallest" ]]; then
			"$gentree" --reset "$tree" "$n" "$first"; rm -rf "$W/run"
			i=$(instructions "$bin" --sysfs "$tree" --config "$W/conf" online)
			"$gentree" --reset "$tree" "$n" "$first"; rm -rf "$W/run"
			sc=$(syscalls "$bin" --sysfs "$tree" --config "$W/conf" online)
			echo "sweep,$helper,$n,$n,$((i / n)),$(python3 -c "print(f'{$sc / $n:.1f}')")" >> "$raw/automovable-exact.csv"
		fi
		# udev: the device's first event decides (walks it), then the
		# first, middle and last block are measured as the events after it.
		"$gentree" --reset "$tree" "$n" "$first"; rm -rf "$W/run"
		export ACTION=add SUBSYSTEM=memory DEVPATH=/devices/system/memory/memory$first
		"$bin" --sysfs "$tree" --config "$W/conf" udev
		ti=0 ts=0
		for b in $((first + 1)) $((first + n / 2)) $((first + n - 1)); do
			export DEVPATH=/devices/system/memory/memory$b
			ti=$((ti + $(instructions "$bin" --sysfs "$tree" --config "$W/conf" udev)))
			echo offline > "$tree/devices/system/memory/memory$b/state"
			ts=$((ts + $(syscalls "$bin" --sysfs "$tree" --config "$W/conf" udev)))
		done
		unset ACTION SUBSYSTEM DEVPATH
		echo "udev,$helper,$n,3,$((ti / 3)),$(python3 -c "print(f'{$ts / 3:.1f}')")" >> "$raw/automovable-exact.csv"
		echo "automovable-bench: exact $helper $n done" >&2
	done
	rm -rf "$tree"
done
