#!/bin/bash
# bench.sh: everything `make bench` measures (see RESULTS.md for what and
# how), raw numbers into tests/bench/raw/, the table into RESULTS.md.
#   BENCH_RUNS_8G, BENCH_RUNS_32G   pc-dimm guest runs of a, c, u, b (default 5, 3)
#   BENCH_CTL_RUNS_8G               runs of the controls e, k and of d at 8 GiB (3)
#   BENCH_D_RUNS_32G, BENCH_D_CAP_32G  runs of (d) at 32 GiB and its cap in
#                                   seconds (default 1, 240)
#   BENCH_RUNS_VMEM                 virtio-mem 8 GiB runs of a, c, u, b (default 5)
#   BENCH_RUNS_NOLOG_8G, _32G       runs of a, c, l, n for the cost of the log lines (5, 3)
#   BENCH_RUNS_ICOUNT_8G, _32G, _VMEM  runs of a, c, u, b, n under qemu -icount (2, 1, 2)
#   BENCH_PARTS                     "host guest nolog icount" (default), or some of
#                                   them: the other parts' raw files are kept
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
raw=$here/raw
baseline=$top/../shared/baselines/online_hotplug_memory.sh
[[ -f $baseline ]] || { echo "bench: no '$baseline': a copy of shared/ must sit beside the clone" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "bench: run as root (unshare -m and bind mounts for the fake sysfs trees)" >&2; exit 1; }

parts=${BENCH_PARTS:-host guest nolog icount}
for part in $parts; do
	case $part in
	host) rm -f "$raw"/{helper.csv,sweep.csv,host-meta.txt} ;;
	guest) rm -f "$raw"/{vm.csv,vmem.csv,vm-meta.txt,setup-c.txt,replay-*.txt} ;;
	nolog) rm -f "$raw"/vm-nolog.csv ;;
	icount) rm -f "$raw"/{vm-icount.csv,vmem-icount.csv} ;;
	*) echo "bench: BENCH_PARTS: host, guest, nolog, icount, not '$part'" >&2; exit 2 ;;
	esac
done
mkdir -p "$raw"
# meta.txt: the machine, then one line per part (date, commit, duration);
# the lines of the parts kept stay.
touch "$raw/meta.txt"
grep -E '^(host|guest|nolog|icount) part:' "$raw/meta.txt" > "$raw/meta.parts" || true
for part in $parts; do sed -i "/^$part part:/d" "$raw/meta.parts"; done
{
	echo "host: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "host kernel: $(uname -r)"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1)"
	echo "accel: $(cat "$top/build/vm/accel" 2> /dev/null || echo "${HPO_VM_ACCEL:-?}")"
	cat "$raw/meta.parts"
} > "$raw/meta.txt"
rm -f "$raw/meta.parts"
# part NAME COMMAND...: run one part, note when, at which commit, how long.
part() {
	local name=$1 t0 d
	shift
	t0=$(date +%s)
	d=$(date -u '+%Y-%m-%d %H:%M UTC')
	"$@"
	echo "$name part: $d, commit $(git -C "$top" rev-parse --short HEAD), took $((($(date +%s) - t0) / 60)) min $((($(date +%s) - t0) % 60)) s" >> "$raw/meta.txt"
}
host_part() {
	echo "bench: host part (helper cost, sweep)" >&2
	"$here/host-bench.sh" "$raw"
	echo "bench: auto-movable per device (fake trees)" >&2
	"$here/automovable-bench.sh" "$raw"
}
guest_part() {
	echo "bench: guest part" >&2
	# Each run boots one guest per variant in this order, so a, c, u and b
	# are measured side by side run after run.  8 GiB: a, c, u, b 5 runs,
	# the controls e, k and the classic script d in the first 3.  32 GiB:
	# a, c, u, b 3 runs; d once, capped (one run of it took more than 15 min
	# under TCG).  virtio-mem 8 GiB: a, c, u, b 5 runs.
	local ctl=${BENCH_CTL_RUNS_8G:-3}
	RUNS_d=$ctl RUNS_e=$ctl RUNS_k=$ctl \
		"$here/vm-bench.sh" -s 8G -n "${BENCH_RUNS_8G:-5}" -v "a c u b e k d" -o "$raw/vm.csv"
	RUNS_d=${BENCH_D_RUNS_32G:-1} D_CAP=${BENCH_D_CAP_32G:-240} \
		"$here/vm-bench.sh" -s 32G -n "${BENCH_RUNS_32G:-3}" -v "a c u b d" -o "$raw/vm.csv"
	"$here/vm-bench.sh" -m vmem -s 8G -n "${BENCH_RUNS_VMEM:-5}" -v "a c u b" -o "$raw/vmem.csv"
}
nolog_part() {
	# What the log lines cost (c): a, c, l = c without the resident logger
	# and n = c without the rule's RUN on online/offline events, side by
	# side, in a file of their own.
	echo "bench: guest part, c without its log runs" >&2
	"$here/vm-bench.sh" -s 8G -n "${BENCH_RUNS_NOLOG_8G:-5}" -v "a c l n" -o "$raw/vm-nolog.csv"
	"$here/vm-bench.sh" -s 32G -n "${BENCH_RUNS_NOLOG_32G:-3}" -v "a c l n" -o "$raw/vm-nolog.csv"
}
icount_part() {
	# The same guests with qemu's -icount: the guest clock counts the
	# instructions of its one vCPU (1 ns each) while it runs, so the host's
	# load leaves the window alone (idle time still follows the host's
	# clock); two runs give the same ms to a few tenths of a percent.
	echo "bench: guest part under -icount" >&2
	local ic=shift=0,sleep=on
	"$here/vm-bench.sh" -i $ic -s 8G -n "${BENCH_RUNS_ICOUNT_8G:-2}" -v "a c u b n" -o "$raw/vm-icount.csv"
	"$here/vm-bench.sh" -i $ic -s 32G -n "${BENCH_RUNS_ICOUNT_32G:-1}" -v "a c u b n" -o "$raw/vm-icount.csv"
	"$here/vm-bench.sh" -i $ic -m vmem -s 8G -n "${BENCH_RUNS_ICOUNT_VMEM:-2}" -v "a c u b" -o "$raw/vmem-icount.csv"
}
for p in host guest nolog icount; do
	[[ " $parts " != *" $p "* ]] || part "$p" "${p}_part"
done
python3 "$here/report.py" "$raw" > "$here/RESULTS.md"
echo "bench: wrote $here/RESULTS.md" >&2
