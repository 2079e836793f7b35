#!/bin/bash
# bench.sh: everything `make bench` measures (see RESULTS.md for what and
# how), raw numbers into tests/bench/raw/, the table into RESULTS.md.
#   BENCH_RUNS_8G, BENCH_RUNS_32G   pc-dimm guest runs of a, c, u, b (default 5, 3)
#   BENCH_CTL_RUNS_8G               runs of the controls e, k and of d at 8 GiB (3)
#   BENCH_D_RUNS_32G, BENCH_D_CAP_32G  runs of (d) at 32 GiB and its cap in
#                                   seconds (default 1, 240)
#   BENCH_RUNS_VMEM                 virtio-mem 8 GiB runs of a, c, u, b (default 5)
#   BENCH_PARTS                     "host guest" (default), or one of them: the
#                                   other part's raw files are kept
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
raw=$here/raw
start=$(date +%s)
baseline=$top/../shared/baselines/online_hotplug_memory.sh
[[ -f $baseline ]] || { echo "bench: no '$baseline': a copy of shared/ must sit beside the clone" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "bench: run as root (unshare -m and bind mounts for the fake sysfs trees)" >&2; exit 1; }

parts=${BENCH_PARTS:-host guest}
if [[ $parts == *host* && $parts == *guest* ]]; then
	rm -rf "$raw"
elif [[ $parts == *host* ]]; then
	rm -f "$raw"/{helper.csv,sweep.csv,host-meta.txt}
elif [[ $parts == *guest* ]]; then
	rm -f "$raw"/{vm.csv,vmem.csv,vm-meta.txt,setup-c.txt,replay-*.txt}
else
	echo "bench: BENCH_PARTS: host, guest or both, not '$parts'" >&2
	exit 2
fi
mkdir -p "$raw"
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "commit: $(git -C "$top" rev-parse --short HEAD)"
	echo "host: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
	echo "host kernel: $(uname -r)"
	echo "qemu: $(qemu-system-x86_64 --version | head -n 1)"
} > "$raw/meta.txt"

if [[ $parts == *host* ]]; then
	echo "bench: host part (helper cost, sweep)" >&2
	"$here/host-bench.sh" "$raw"
fi
if [[ $parts == *guest* ]]; then
echo "bench: guest part" >&2
# Each run boots one guest per variant in this order, so a, c, u and b are
# measured side by side run after run.  8 GiB: a, c, u, b 5 runs, the
# controls e, k and the classic script d in the first 3.  32 GiB: a, c, u,
# b 3 runs; d once, capped (one run of it took more than 15 min under TCG).
# virtio-mem 8 GiB: a, c, u, b 5 runs.
ctl=${BENCH_CTL_RUNS_8G:-3}
RUNS_d=$ctl RUNS_e=$ctl RUNS_k=$ctl \
	"$here/vm-bench.sh" -s 8G -n "${BENCH_RUNS_8G:-5}" -v "a c u b e k d" -o "$raw/vm.csv"
RUNS_d=${BENCH_D_RUNS_32G:-1} D_CAP=${BENCH_D_CAP_32G:-240} \
	"$here/vm-bench.sh" -s 32G -n "${BENCH_RUNS_32G:-3}" -v "a c u b d" -o "$raw/vm.csv"
"$here/vm-bench.sh" -m vmem -s 8G -n "${BENCH_RUNS_VMEM:-5}" -v "a c u b" -o "$raw/vmem.csv"
echo "accel: $(cat "$top/build/vm/accel" 2> /dev/null || echo "${HPO_VM_ACCEL:-?}")" >> "$raw/meta.txt"
fi
echo "bench.sh ($parts) took: $((($(date +%s) - start) / 60)) min $((($(date +%s) - start) % 60)) s" >> "$raw/meta.txt"
python3 "$here/report.py" "$raw" > "$here/RESULTS.md"
echo "bench: wrote $here/RESULTS.md" >&2
