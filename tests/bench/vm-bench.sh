#!/bin/bash
# vm-bench.sh [-s "8G 32G"] [-n RUNS] [-v "a b c d"] [-o CSV]: time to usable memory in a real
# guest (Debian's kernel under qemu, the harness of tests/vm/ used through
# lib.sh, unchanged).  For each size and run, a fresh guest per variant, in turn:
#   a  kernel auto-online (memhp_default_state=online), no rule
#   b  distro rule: ATTR{state}=="offline", ATTR{state}="online"
#   c  this package, installed from the .deb (hpo.pkg=installed)
#   d  the classic online_hotplug_memory.sh from a RUN rule
#   e  control: rule b plus RUN of a no-op program (the cost of a RUN)
# Each hot-adds one pc-dimm of SIZE; the guest's kernel records, with its
# own timestamps (a kprobe on dev_uevent, see guest/hpo-bench), every
# memory block uevent.  The result is last "online" minus first "add".
# The bench initramfs is the harness's, with an overlay cpio appended (the
# kernel unpacks concatenated archives in order): bash for the classic
# script, the script itself, the rules of b and d, guest/hpo-bench.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sizes="8G 32G" runs=3 variants="a b c d" out=$here/raw/vm.csv
while getopts s:n:o:v: opt; do
	case $opt in
	s) sizes=$OPTARG ;;
	n) runs=$OPTARG ;;
	v) variants=$OPTARG ;;
	o) out=$OPTARG ;;
	*) exit 2 ;;
	esac
done
baseline=$top/../shared/baselines/online_hotplug_memory.sh
[[ -f $baseline ]] || { echo "vm-bench: no '$baseline' (a copy of shared/ must sit beside the clone)" >&2; exit 1; }

# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
source "$top/tests/vm/lib.sh"
vm_deps install
vm_prepare ""
bb=$top/build/bench
mkdir -p "$bb" "$(dirname "$out")"

canon() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}
ov=$(mktemp -d "${TMPDIR:-/tmp}/hpo-bench-ov.XXXXXX")
trap 'rm -rf "$ov"; vm_stop 2>/dev/null || true' EXIT
install -D -m 0755 /bin/bash "$ov/usr/bin/bash"
for lib in $(ldd /bin/bash | grep -o '/[^ ]*'); do
	install -D -m 0755 "$lib" "$ov$(canon "$lib")"
done
install -D -m 0755 "$baseline" "$ov/usr/local/share/hpo-bench/online_hotplug_memory.sh"
install -D -m 0644 -t "$ov/usr/local/share/hpo-bench/rules" "$here"/guest/rules/*.rules
install -D -m 0755 "$here/guest/hpo-bench" "$ov/usr/local/bin/hpo-bench"
(cd "$ov" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet --null -o -H newc --owner 0:0 > "$bb/overlay.cpio")
cat "$HPO_VM_INITRD" "$bb/overlay.cpio" > "$bb/initramfs.cpio"
export HPO_VM_INITRD=$bb/initramfs.cpio

# Guest memory: 2 GiB holds the 512 MiB memmap of 32 GiB; one vCPU, so a
# variant's cost is not hidden by a second CPU.
GUEST_MEM=${GUEST_MEM:-2G} GUEST_MAXMEM=${GUEST_MAXMEM:-40G}
# A variant whose blocks are not all online after its cap counts as
# "> cap" (with how many were).  D_RUNS: (d) only in the first D_RUNS
# runs of a size (it is the slow one: at 32 GiB one run takes > 10 min).
WAIT_CAP=${WAIT_CAP:-600} D_CAP=${D_CAP:-$WAIT_CAP} D_RUNS=${D_RUNS:-1000}

bytes() { python3 -c "import re,sys;m=re.fullmatch(r'(\d+)([KMGT]?)',sys.argv[1]);print(int(m[1])<<{'':0,'K':10,'M':20,'G':30,'T':40}[m[2]])" "$1"; }

[[ -s $out ]] || echo "size,variant,run,blocks,adds,onlines,first_add_s,last_online_s,ms,execs,boot_s,cap_s" > "$out"
meta=$(dirname "$out")/vm-meta.txt

# vm_add_memory, but the backend is reserve=off (MAP_NORESERVE): the host's
# heuristic overcommit refuses one 32 GiB mapping on a 24 GiB machine, and
# the guest never touches most of it anyway.  vmctl has no such option.
add_dimm() {
	vm_qmp object-add "{\"qom-type\": \"memory-backend-ram\", \"id\": \"mem-dimm0\", \"size\": $(bytes "$1"), \"reserve\": false}" > /dev/null
	vm_qmp device_add '{"driver": "pc-dimm", "id": "dimm0", "memdev": "mem-dimm0"}' > /dev/null
	vm_qmp query-memory-devices | python3 -c 'import json,sys
for d in json.load(sys.stdin):
    if d["data"].get("id") == "dimm0": print("dimm0", hex(d["data"]["addr"]), d["data"]["size"])'
}

one_run() { # VARIANT SIZE RUN
	local v=$1 size=$2 run=$3 dir=$bb/vm-$1 append="" t0 boot want trace cap=$WAIT_CAP
	[[ $v != d ]] || cap=$D_CAP
	case $v in
	a) append="memhp_default_state=online" ;;
	c) append="hpo.pkg=installed" ;;
	esac
	t0=$(date +%s.%N)
	vm_boot "$dir" --append "$append" --mem "$GUEST_MEM" --maxmem "$GUEST_MAXMEM" \
		--lifetime $((cap + 300)) --timeout 300 2> /dev/null
	boot=$(python3 -c "import sys,time;print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")
	# shellcheck disable=SC2016 # the script expands in the guest
	[[ -s $meta ]] || vm_sh 'echo "guest kernel: $(uname -r)"; echo "guest cmdline (first guest, variant a): $(cat /proc/cmdline)"; echo "guest cpus: $(nproc)"; echo "udev: $(udevadm --version)"' > "$meta"
	case $v in b | d | e) vm_sh "hpo-bench rules $v" ;; esac
	vm_sh 'hpo-bench trace start'
	read -r _ _ _ < <(add_dimm "$size")   # ID ADDR SIZE, unused
	want=$(($(bytes "$size") / 134217728))
	# One cheap check a second (a cat of every state file): polling must
	# not steal the single vCPU from what is measured.
	if ! vm_sh --timeout $((cap + 60)) "want=\$((\$(wc -l < /run/hpo-vm-boot-blocks) + $want))
		read -r up _ < /proc/uptime; end=\$((\${up%.*} + $cap))
		while [ \$(cat /sys/devices/system/memory/memory*/state | grep -c '^online') -lt \$want ]; do
			read -r up _ < /proc/uptime; [ \${up%.*} -lt \$end ] || exit 1; sleep 1; done"; then
		echo "vm-bench: $v $size run $run: not all online after $cap s" >&2
	fi
	trace=$bb/trace-$v-$size-$run.txt
	vm_sh 'hpo-bench trace stop' > "$trace"
	if [[ $v == c && $run == 1 ]]; then replay "$size"; fi
	vm_stop
	python3 - "$trace" "$size" "$v" "$run" "$want" "$boot" "$cap" >> "$out" << 'EOF'
import re, sys
trace, size, v, run, want, boot, cap = sys.argv[1:]
adds, onl, execs = [], [], 0
for line in open(trace):
    f = line.split()
    if f[0] == "uev" and re.fullmatch(r"memory\d+", f[2]):
        (adds if f[3] == "add" else onl if f[3] == "online" else []).append(float(f[1]))
    elif f[0] == "exec":
        execs += 1
if adds and onl:
    a, o = min(adds), max(onl)
    ms = f"{(o - a) * 1000:.1f}" if len(onl) >= int(want) else "NA"
    print(f"{size},{v},{run},{want},{len(adds)},{len(onl)},{a:.6f},{o:.6f},{ms},{execs},{boot},{cap}")
else:
    print(f"{size},{v},{run},{want},{len(adds)},{len(onl)},NA,NA,NA,{execs},{boot},{cap}")
EOF
	tail -n 1 "$out" >&2
}

# Boot replay (part 4), in the (c) guest once every block is online: the
# coldplug trigger of each boot must exec the helper zero times.  The same
# kprobe counts the synthetic add uevents (proof the replay happened), and a
# control with one block set offline first must count exactly one exec.
replay() {
	local r
	r=$(dirname "$out")/replay-$1.txt
	# shellcheck disable=SC2016 # the script expands in the guest
	vm_sh --timeout 300 '
		n=$(ls -d /sys/devices/system/memory/memory[0-9]* | wc -l)
		off=$(grep -lx offline /sys/devices/system/memory/memory*/state | wc -l)
		hpo-bench trace start
		udevadm trigger --action=add --subsystem-match=memory --settle
		udevadm settle
		adds=$(hpo-bench trace stop | grep -c "^uev .* add$")
		execs=$(hpo-bench trace count)
		echo "replay: blocks=$n offline_before=$off add_uevents=$adds helper_execs=$execs"
		last=$(ls -d /sys/devices/system/memory/memory[0-9]* | sed "s/.*memory//" | sort -n | tail -n 1)
		echo offline > /sys/devices/system/memory/memory$last/state || echo "control: cannot offline memory$last"
		hpo-bench trace start
		udevadm trigger --action=add --subsystem-match=memory --settle
		udevadm settle
		adds=$(hpo-bench trace stop | grep -c "^uev .* add$")
		execs=$(hpo-bench trace count)
		echo "control (memory$last offlined first): add_uevents=$adds helper_execs=$execs state_after=$(cat /sys/devices/system/memory/memory$last/state)"
		grep "hotplug-online" /var/log/messages | tail -n 1
	' | tee "$r" >&2
}

for size in $sizes; do
	for run in $(seq 1 "$runs"); do
		for v in $variants; do
			[[ $v != d ]] || ((run <= D_RUNS)) || continue
			one_run "$v" "$size" "$run"
		done
	done
done
