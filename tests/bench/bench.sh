#!/bin/bash
# bench.sh: everything `make bench` measures (see RESULTS.md for what and
# how), raw numbers into tests/bench/raw/, the table into RESULTS.md.
#   BENCH_RUNS_ICOUNT_8G, _VMEM, _32G  runs under qemu -icount (2, 2, 1): the
#                                   headline, in this order
#   BENCH_ICOUNT_VARIANTS           variants of the icount part ("a c n u b")
#   BENCH_RUNS_8G, BENCH_RUNS_32G   real-time pc-dimm runs of a, c, n, u, b (5, 3)
#   BENCH_CTL_RUNS_8G               runs of the controls e, k and of d at 8 GiB (3)
#   BENCH_D_RUNS_32G, BENCH_D_CAP_32G  runs of (d) at 32 GiB and its cap in
#                                   seconds (default 1, 240)
#   BENCH_RUNS_VMEM                 real-time virtio-mem 8 GiB runs of a, c, n, u, b (5)
#   BENCH_PARTS                     "host icount guest" (default), or some of
#                                   them: the other parts' raw files are kept
# The first (c) guest of each pc-dimm size of a part also measures the log
# service (raw/logger.csv): its lines, its RSS, an idle minute's wakeups.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
raw=$here/raw
baseline=$top/../shared/baselines/online_hotplug_memory.sh
[[ -f $baseline ]] || { echo "bench: no '$baseline': a copy of shared/ must sit beside the clone" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "bench: run as root (unshare -m and bind mounts for the fake sysfs trees)" >&2; exit 1; }

# One package for every part: dist/'s newest now (make bench has just built
# it), whatever another build puts there meanwhile.
if [[ -z ${HPO_VM_DEB-} ]]; then
	HPO_VM_DEB=$(find "$top/dist" -maxdepth 1 -name 'hotplug-online_*_amd64.deb' -printf '%T@ %p\n' 2> /dev/null |
		sort -n | tail -n 1 | cut -d' ' -f2-)
	[[ -n $HPO_VM_DEB ]] || { echo "bench: no dist/hotplug-online_*_amd64.deb: run 'make deb'" >&2; exit 1; }
fi
export HPO_VM_DEB HPO_BENCH_DEB=${HPO_BENCH_DEB:-$HPO_VM_DEB}

parts=${BENCH_PARTS:-host icount guest}
# logger.csv: the rows of the parts kept stay.
drop_logger_rows() {
	[[ -f $raw/logger.csv ]] || return 0
	awk -F, -v p="$1" 'NR == 1 || $1 != p' "$raw/logger.csv" > "$raw/logger.csv.tmp"
	mv "$raw/logger.csv.tmp" "$raw/logger.csv"
}
for part in $parts; do
	case $part in
	host) rm -f "$raw"/{helper.csv,sweep.csv,host-meta.txt} ;;
	guest) rm -f "$raw"/{vm.csv,vmem.csv,replay-*-vm.txt,logger-*-vm.txt}; drop_logger_rows vm ;;
	icount) rm -f "$raw"/{vm-icount.csv,vmem-icount.csv,replay-*-vm-icount.txt,logger-*-vm-icount.txt}; drop_logger_rows vm-icount ;;
	*) echo "bench: BENCH_PARTS: host, icount, guest, not '$part'" >&2; exit 2 ;;
	esac
done
[[ " $parts " != *" guest "* && " $parts " != *" icount "* ]] || rm -f "$raw"/{vm-meta.txt,setup-c.txt}
mkdir -p "$raw"
# meta.txt: the machine, then one line per part (date, commit, duration);
# the lines of the parts kept stay.
touch "$raw/meta.txt"
grep -E '^(host|guest|icount) part:' "$raw/meta.txt" > "$raw/meta.parts" || true
for part in $parts; do sed -i "/^$part part:/d" "$raw/meta.parts"; done
{
	echo "host: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "host kernel: $(uname -r)"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1)"
	echo "accel: $(cat "${HPO_VM_BUILD:-$top/build/bench/vm}/accel" 2> /dev/null || echo "${HPO_VM_ACCEL:-?}")"
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
	echo "$name part: $d, commit $(git -C "$top" describe --always --dirty), took $((($(date +%s) - t0) / 60)) min $((($(date +%s) - t0) % 60)) s" >> "$raw/meta.txt"
}
host_part() {
	echo "bench: host part (helper cost, log service cost, sweep)" >&2
	"$here/host-bench.sh" "$raw"
}
icount_part() {
	# The guests booted with qemu's -icount: the guest clock counts the
	# instructions of its one vCPU (1 ns each) while it runs, so the host's
	# load leaves the window alone (idle time still follows the host's
	# clock); two runs give the same ms to a few tenths of a percent.  The
	# headline: 8 GiB first, then virtio-mem, then 32 GiB.
	echo "bench: guest part under -icount" >&2
	local ic=shift=0,sleep=on v=${BENCH_ICOUNT_VARIANTS:-a c n u b}
	"$here/vm-bench.sh" -i $ic -s 8G -n "${BENCH_RUNS_ICOUNT_8G:-2}" -v "$v" -o "$raw/vm-icount.csv"
	"$here/vm-bench.sh" -i $ic -m vmem -s 8G -n "${BENCH_RUNS_ICOUNT_VMEM:-2}" -v "$v" -o "$raw/vmem-icount.csv"
	"$here/vm-bench.sh" -i $ic -s 32G -n "${BENCH_RUNS_ICOUNT_32G:-1}" -v "$v" -o "$raw/vm-icount.csv"
}
guest_part() {
	echo "bench: guest part (real time)" >&2
	# Each run boots one guest per variant in this order, so the variants
	# are measured side by side run after run.  8 GiB: a, c, n, u, b 5
	# runs, the controls e, k and the classic script d in the first 3.
	# 32 GiB: 3 runs; d once, capped (one run of it took more than 15 min
	# under TCG).  virtio-mem 8 GiB: 5 runs.
	local ctl=${BENCH_CTL_RUNS_8G:-3}
	RUNS_d=$ctl RUNS_e=$ctl RUNS_k=$ctl \
		"$here/vm-bench.sh" -s 8G -n "${BENCH_RUNS_8G:-5}" -v "a c n u b e k d" -o "$raw/vm.csv"
	RUNS_d=${BENCH_D_RUNS_32G:-1} D_CAP=${BENCH_D_CAP_32G:-240} \
		"$here/vm-bench.sh" -s 32G -n "${BENCH_RUNS_32G:-3}" -v "a c n u b d" -o "$raw/vm.csv"
	"$here/vm-bench.sh" -m vmem -s 8G -n "${BENCH_RUNS_VMEM:-5}" -v "a c n u b" -o "$raw/vmem.csv"
}
for p in host icount guest; do
	[[ " $parts " != *" $p "* ]] || part "$p" "${p}_part"
done
python3 "$here/report.py" "$raw" > "$here/RESULTS.md"
echo "bench: wrote $here/RESULTS.md" >&2
