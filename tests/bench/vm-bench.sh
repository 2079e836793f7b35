#!/bin/bash
# vm-bench.sh [-s "8G 32G"] [-n RUNS] [-v "a c u b"] [-m dimm|vmem] [-i SPEC] [-o CSV]:
# time to usable memory in a real guest (Debian's kernel under qemu, the
# harness of tests/vm/ used through lib.sh).  For each size and run, a fresh
# guest per variant, in the order given, so variants are interleaved run by
# run and a run's variants are measured side by side:
#   a  kernel auto-online (memhp_default_state=online), no package
#   c  hotplug-online as installed: the package installed (hpo.pkg=installed),
#      `hotplug-online setup` run (by the harness's init, as its unit at
#      boot, and once more by the bench: setup is idempotent) and the log
#      service running as its unit starts it (CPUSchedulingPolicy=idle:
#      `chrt -i 0 hotplug-online log`)
#   n  control: (c) without the log service (setup run, no logger): what (c)
#      costs without its transition lines
#   u  udev mode: the package installed, setup not run (hpo.setup=0), so
#      auto_online_blocks stays "offline" (Debian 12's default) and the rule
#      runs the helper for every block (IMPORT{program} on add); the log
#      service runs as in (c)
#   b  distro rule: ATTR{state}=="offline", ATTR{state}="online"
#   d  the classic online_hotplug_memory.sh from a RUN rule
#   e  control: rule b plus RUN of a no-op program (the cost of a RUN)
#   k  control: kernel auto-online as (a) with no udevd at all (hpo.udev=0):
#      the kernel's own onlining, nobody handling the uevents
# -i SPEC: qemu -icount SPEC (shift=0,sleep=on: the guest clock counts the
# vCPU's instructions while it runs, so the host's load stays out of it).
# -m dimm (default): hot-add one pc-dimm of SIZE.  -m vmem: the guest boots
# with a virtio-mem-pci device of SIZE at requested-size 0 and its driver
# loaded; the bench then sets requested-size to SIZE (QMP qom-set).
# The guest's kernel records with its own timestamps (see guest/hpo-bench)
# every memory block uevent, virtio-mem config change, helper exec and the
# CPU time of udevd, what it spawns and the log service.  The result is the
# last "online" uevent minus the first "add" (dimm) or the config change
# (vmem); parse-trace.py writes the CSV row.
# The first (c) guest of each pc-dimm size also measures the log service
# (logger.csv and logger-SIZE-PART.txt beside CSV): its lines for the
# hot-add, its RSS after it, its context switches over an idle minute.
# The bench initramfs is the harness's, with an overlay cpio appended (the
# kernel unpacks concatenated archives in order): bash for the classic
# script, chrt for the log service's policy, the script itself, the rules
# of b, d and e, guest/hpo-bench and, for -m vmem, the kernel's virtio-mem
# modules.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
sizes="8G 32G" runs=3 variants="a c u b" out=$here/raw/vm.csv mode=dimm icount=
while getopts s:n:o:v:m:i: opt; do
	case $opt in
	i) icount=$OPTARG ;;
	s) sizes=$OPTARG ;;
	n) runs=$OPTARG ;;
	v) variants=$OPTARG ;;
	o) out=$OPTARG ;;
	m) mode=$OPTARG ;;
	*) exit 2 ;;
	esac
done
case $mode in dimm | vmem) ;; *) echo "vm-bench: -m dimm|vmem, not '$mode'" >&2; exit 2 ;; esac
baseline=$top/../shared/baselines/online_hotplug_memory.sh
[[ -f $baseline ]] || { echo "vm-bench: no '$baseline' (a copy of shared/ must sit beside the clone)" >&2; exit 1; }

# The harness's build directory of our own: other runs of the harness in
# this tree (make check-vm) rebuild build/vm/initramfs.cpio.
: "${HPO_VM_BUILD:=$top/build/bench/vm}"
export HPO_VM_BUILD
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
source "$top/tests/vm/lib.sh"
vm_deps install
# One package for the whole run, named in vm-meta.txt: make bench builds
# dist/'s newest, and another build may replace it meanwhile.
HPO_VM_DEB=$(vm_deb)
export HPO_VM_DEB
vm_prepare "$HPO_VM_DEB"
bb=$top/build/bench
mkdir -p "$bb" "$(dirname "$out")"

# vmem_modules DIR: the virtio-mem driver and its dependencies for the
# harness's kernel into DIR.  Debian builds them as modules and the
# harness's initramfs has none; tests/vm/kernel.sh keeps only boot/ of the
# kernel's package, so the same package is fetched once more (apt-get
# download) and its virtio modules kept in a cache of the bench's own.
vmem_modules() {
	local kdir pv cache tmp m
	kdir=$(dirname "$(dirname "$HPO_VM_KERNEL")")
	pv=${kdir##*/}   # linux-image-6.1.0-57-amd64_6.1.192-3
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/bench/modules/$pv
	if [[ ! -f $cache/ok ]]; then
		echo "vm-bench: fetching ${pv%_*} ${pv##*_} for its virtio-mem modules" >&2
		tmp=$(mktemp -d "${TMPDIR:-/tmp}/hpo-bench-kmod.XXXXXX")
		chmod 0755 "$tmp"
		chown _apt "$tmp" 2> /dev/null || true
		if ! (cd "$tmp" && apt-get download -q "${pv%_*}=${pv##*_}" > /dev/null); then
			echo "vm-bench: apt-get download ${pv%_*}=${pv##*_} failed" >&2
			rm -rf "$tmp"
			exit 1
		fi
		mkdir -p "$tmp/x" "$cache"
		dpkg-deb --fsys-tarfile "$tmp"/*.deb |
			tar -x -C "$tmp/x" --wildcards './lib/modules/*/kernel/drivers/virtio/*'
		for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mem; do
			find "$tmp/x" -name "$m.ko*" -exec cp {} "$cache/" \;
		done
		rm -rf "$tmp"
		# busybox insmod reads plain .ko files only.
		for m in "$cache"/*.ko.xz; do [[ ! -e $m ]] || xz -d -f "$m"; done
		[[ -f $cache/virtio_mem.ko ]] || { echo "vm-bench: no virtio_mem.ko in ${pv%_*}" >&2; exit 1; }
		touch "$cache/ok"
	fi
	install -D -m 0644 -t "$1" "$cache"/*.ko
}

canon() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}
ov=$(mktemp -d "${TMPDIR:-/tmp}/hpo-bench-ov.XXXXXX")
trap 'rm -rf "$ov"; vm_stop 2>/dev/null || true' EXIT
# bash for the classic script; util-linux's chrt (busybox-static has none)
# to start the log service as its unit does (CPUSchedulingPolicy=idle).
for prog in /bin/bash "$(command -v chrt)"; do
	install -D -m 0755 "$prog" "$ov$(canon "$prog")"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		[[ -e $ov$(canon "$lib") ]] || install -D -m 0755 "$lib" "$ov$(canon "$lib")"
	done
done
install -D -m 0755 "$baseline" "$ov/usr/local/share/hpo-bench/online_hotplug_memory.sh"
install -D -m 0644 -t "$ov/usr/local/share/hpo-bench/rules" "$here"/guest/rules/*.rules
install -D -m 0755 "$here/guest/hpo-bench" "$ov/usr/local/bin/hpo-bench"
[[ $mode != vmem ]] || vmem_modules "$ov/usr/local/share/hpo-bench/modules"
(cd "$ov" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet --null -o -H newc --owner 0:0 > "$bb/overlay-$mode.cpio")
cat "$HPO_VM_INITRD" "$bb/overlay-$mode.cpio" > "$bb/initramfs-$mode.cpio"
export HPO_VM_INITRD=$bb/initramfs-$mode.cpio

# Guest memory: 2 GiB holds the 512 MiB memmap of 32 GiB; one vCPU, so a
# variant's cost is not hidden by a second CPU.
GUEST_MEM=${GUEST_MEM:-2G} GUEST_MAXMEM=${GUEST_MAXMEM:-40G}
# A variant whose blocks are not all online after its cap counts as
# "> cap" (with how many were).  RUNS_d, RUNS_e, RUNS_k, RUNS_n (D_RUNS is RUNS_d):
# that variant only in the first so many runs of a size ((d) is the slow
# one: at 32 GiB one run takes > 10 min; (e) and (k) are controls).
WAIT_CAP=${WAIT_CAP:-600} D_CAP=${D_CAP:-$WAIT_CAP} ARM_SLEEP=${ARM_SLEEP:-20}
RUNS_d=${RUNS_d:-${D_RUNS:-1000}} RUNS_e=${RUNS_e:-1000} RUNS_k=${RUNS_k:-1000} RUNS_n=${RUNS_n:-1000}

bytes() { python3 -c "import re,sys;m=re.fullmatch(r'(\d+)([KMGT]?)',sys.argv[1]);print(int(m[1])<<{'':0,'K':10,'M':20,'G':30,'T':40}[m[2]])" "$1"; }

[[ -s $out ]] || "$here/parse-trace.py" --header > "$out"
meta=$(dirname "$out")/vm-meta.txt
setup_log=$(dirname "$out")/setup-c.txt
logger_csv=$(dirname "$out")/logger.csv
part=$(basename "$out" .csv)   # vm, vm-icount, ...: names the logger's rows

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

# vmem_set SIZE CAP: set the virtio-mem device's requested-size to SIZE;
# print the host's milliseconds until the device's size reads SIZE (polled
# every 0.1 s over one QMP connection: cheap for the guest), or NA after
# CAP seconds.
vmem_set() {
	python3 - "$HPO_VM_CTL" "$HPO_VM_DIR/qmp.sock" "$(bytes "$1")" "$2" << 'EOF'
import importlib.machinery, importlib.util, sys, time
loader = importlib.machinery.SourceFileLoader("vmctl", sys.argv[1])
spec = importlib.util.spec_from_loader("vmctl", loader)
vmctl = importlib.util.module_from_spec(spec)
loader.exec_module(vmctl)
q = vmctl.QMP(sys.argv[2])
want, cap, path = int(sys.argv[3]), float(sys.argv[4]), "/machine/peripheral/vmem0"
t0 = time.monotonic()
q.cmd("qom-set", path=path, property="requested-size", value=want)
while True:
    if q.cmd("qom-get", path=path, property="size") >= want:
        print(f"{(time.monotonic() - t0) * 1000:.0f}")
        break
    if time.monotonic() - t0 > cap:
        print("NA")
        break
    time.sleep(0.1)
EOF
}

one_run() { # VARIANT SIZE RUN
	local v=$1 size=$2 run=$3 dir=$bb/vm-$1 append="" t0 boot want trace cap=$WAIT_CAP aob host_ms=NA
	local qemu=()
	[[ $v != d ]] || cap=$D_CAP
	# The log service of (c) and (u) is started below, not by the
	# harness (hpo.logd=0: its init starts it at the default policy).
	case $v in
	a) append="memhp_default_state=online" ;;
	c | n) append="hpo.pkg=installed hpo.logd=0" ;;
	u) append="hpo.pkg=installed hpo.setup=0 hpo.logd=0" ;;
	k) append="memhp_default_state=online hpo.udev=0" ;;
	esac
	if [[ $mode == vmem ]]; then
		qemu=(--qemu-arg=-object "--qemu-arg=memory-backend-ram,id=mem-vmem0,size=$(bytes "$size"),reserve=off"
			--qemu-arg=-device "--qemu-arg=virtio-mem-pci,id=vmem0,memdev=mem-vmem0,requested-size=0")
	fi
	[[ -z $icount ]] || qemu+=(--qemu-arg=-icount "--qemu-arg=$icount")
	t0=$(date +%s.%N)
	vm_boot "$dir" --append "$append" --mem "$GUEST_MEM" --maxmem "$GUEST_MAXMEM" \
		--lifetime $((cap + 300)) --timeout 300 "${qemu[@]}" 2> /dev/null
	boot=$(python3 -c "import sys,time;print(f'{time.time()-float(sys.argv[1]):.1f}')" "$t0")
	# shellcheck disable=SC2016 # the script expands in the guest
	[[ -s $meta ]] || vm_sh 'echo "guest kernel: $(uname -r)"; echo "guest cmdline (first guest, variant a): $(cat /proc/cmdline)"; echo "guest cpus: $(nproc)"; echo "udev: $(udevadm --version)"' > "$meta"
	local pkg
	pkg="package of $part ($mode): ${HPO_VM_DEB##*/}, sha256 $(sha256sum < "$HPO_VM_DEB" | cut -c1-12), built $(date -u -r "$HPO_VM_DEB" '+%Y-%m-%d %H:%M UTC')"
	grep -qxF "$pkg" "$meta" || echo "$pkg" >> "$meta"
	# Every variant has a syslogd (udevd logs there too); a note if the
	# harness's init did not start one.
	vm_sh 'hpo-bench syslog' | sed "s/^/vm-bench: $v $size run $run: /" | tee -a "$bb/notes.txt" >&2
	[[ $mode != vmem ]] || vm_sh 'hpo-bench vmem load'
	case $v in
	b | d | e) vm_sh "hpo-bench rules $v" ;;
	c | n)
		# shellcheck disable=SC2016 # the script expands in the guest
		vm_sh 'echo "before: auto_online_blocks=$(cat /sys/devices/system/memory/auto_online_blocks), kernel-saved: $([ -e /run/hotplug-online/kernel-saved ] && echo yes || echo no)"
			hotplug-online setup; echo "setup: exit $?"
			echo "after: auto_online_blocks=$(cat /sys/devices/system/memory/auto_online_blocks)"' > "$bb/setup-c.txt" 2>&1
		[[ -s $setup_log ]] || cp "$bb/setup-c.txt" "$setup_log"
		;;
	esac
	# The log service, as hotplug-online-log.service runs it: SCHED_IDLE
	# (CPUSchedulingPolicy=idle).
	case $v in
	c | u) vm_sh 'hpo-bench logger start' ;;
	*) vm_sh 'hpo-bench logger none' ;;
	esac
	# Every variant's udevd loads changed rules here, before the trace: a
	# variant that changed them (b, d, e, n) would otherwise parse every
	# rules file at its first measured event, and fork its workers anew (a
	# reload of changed rules stops them) inside the window.  So each
	# variant changes them (an empty file) and reloads, then warms its
	# workers alike with a change event for every memory block.
	[[ $v == k ]] || vm_sh 'mkdir -p /etc/udev/rules.d && : > /etc/udev/rules.d/99-hpo-bench.rules && udevadm control --reload &&
		udevadm trigger --action=change --subsystem-match=memory && udevadm settle --timeout=60'
	# The premise of each variant, checked: (a) and (c) have the kernel
	# online, (u) has it leave the blocks to udev.
	aob=$(vm_sh 'cat /sys/devices/system/memory/auto_online_blocks')
	case $v:$aob in
	[ackn]:offline | u:online*)
		echo "vm-bench: $v $size run $run: auto_online_blocks is '$aob', not what variant $v measures" >&2
		exit 1
		;;
	esac
	vm_sh 'hpo-bench trace start'
	want=$(($(bytes "$size") / 134217728))
	# Nothing of the bench may run in the guest while it onlines: no agent
	# request (its serial line interrupts, its shell), no poll.  So the
	# waiter is sent before the hot-add: it says so on the console, sleeps
	# ARM_SLEEP s of guest time (longer than any window but (d)'s), then
	# checks once a second (a cat of every state file) until every block
	# is online.  The host hot-adds once the console shows it asleep, and
	# touches the guest again only when the waiter is done.
	local mark="hpo-bench: waiting $v $size $run $RANDOM"
	vm_sh --timeout $((cap + ARM_SLEEP + 120)) "echo '$mark' > /dev/console; sleep $ARM_SLEEP
		want=\$((\$(wc -l < /run/hpo-vm-boot-blocks) + $want))
		read -r up _ < /proc/uptime; end=\$((\${up%.*} + $cap))
		while [ \$(cat /sys/devices/system/memory/memory*/state | grep -c '^online') -lt \$want ]; do
			read -r up _ < /proc/uptime; [ \${up%.*} -lt \$end ] || exit 1; sleep 1; done" &
	local waiter=$! i=0
	until grep -qF "$mark" "$dir/console.log"; do
		((++i < 1200)) || { echo "vm-bench: $v $size run $run: the waiter did not start" >&2; exit 1; }
		sleep 0.1
	done
	sleep 2   # from its echo to its sleep
	if [[ $mode == vmem ]]; then
		host_ms=$(vmem_set "$size" "$cap")
	else
		read -r _ _ _ < <(add_dimm "$size")   # ID ADDR SIZE, unused
	fi
	if ! wait "$waiter"; then
		echo "vm-bench: $v $size run $run: not all online after $cap s" >&2
	fi
	# The RUNs of the last online events finish before the trace stops:
	# their execs and CPU time are counted.  (k) has no udevd.
	# (d)'s leftover runs (each add event runs the whole script) would keep
	# the vCPU busy for minutes: they are not measured, stop them.
	case $v in
	k) ;;
	d) vm_sh 'udevadm control --stop-exec-queue; killall bash 2> /dev/null; true' ;;
	*) vm_sh --timeout 120 'udevadm settle --timeout=100' || true ;;
	esac
	# The log service's lines of the last blocks: it runs when the vCPU
	# is otherwise idle, so after the burst; its CPU then is counted too.
	case $v in c | u) vm_sh --timeout 120 "hpo-bench logger wait $want 60" || true ;; esac
	trace=$bb/trace-$mode-$v-$size-$run.txt
	# Compressed: the agent's serial line is slow under TCG.
	vm_sh --timeout 300 'hpo-bench trace stop | gzip -1' | gzip -dc > "$trace"
	if [[ $mode == dimm && $v == c && $run == 1 ]]; then
		logger_stats "$size"
		replay "$size"
	fi
	vm_stop
	"$here/parse-trace.py" "$trace" "$size" "$v" "$run" "$want" "$boot" "$cap" "$aob" "$host_ms" >> "$out"
	tail -n 1 "$out" >&2
}

# logger_stats SIZE: in the first (c) guest of a pc-dimm size, after the
# hot-add: the log service's lines (hpo-bench logger lines), its memory and
# an idle minute's context switches (hpo-bench logger idle 60), into
# logger.csv; the log's hotplug-online lines other than plain `online`
# lines of hot-added blocks, and the first and last of those, into
# logger-SIZE-PART.txt.
logger_stats() {
	local txt row
	txt=$(dirname "$out")/logger-$1-$part.txt
	[[ -s $logger_csv ]] || echo "part,size,blocks,online_lines,hotadded_online_lines,distinct_blocks,lost_lines,other_lines,vmrss_kib,vmhwm_kib,idle_s,voluntary_cs,involuntary_cs" > "$logger_csv"
	vm_sh --timeout 120 'hpo-bench logger lines' > "$txt"
	row=$(vm_sh --timeout 180 'hpo-bench logger idle 60')
	echo "$part,$1,$want,$(sed -n 's/^counts: //p' "$txt"),$row" >> "$logger_csv"
	tail -n 1 "$logger_csv" >&2
}

# Boot replay, in the (c) guest once every block is online: the coldplug
# trigger of each boot must exec the helper zero times.  The same kprobe
# counts the synthetic add uevents (proof the replay happened).  The
# control sets one block offline first: the replay's add then runs the
# helper, which onlines the block (1 exec; the log service writes its
# offline and online lines).
replay() {
	local r
	r=$(dirname "$out")/replay-$1-$part.txt
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
		udevadm settle
		hpo-bench trace start
		udevadm trigger --action=add --subsystem-match=memory --settle
		udevadm settle
		adds=$(hpo-bench trace stop | grep -c "^uev .* add$")
		execs=$(hpo-bench trace count)
		echo "control (memory$last offlined first): add_uevents=$adds helper_execs=$execs state_after=$(cat /sys/devices/system/memory/memory$last/state)"
		sleep 2
		grep "hotplug-online" /var/log/messages | tail -n 3
	' | tee "$r" >&2
}

for size in $sizes; do
	for run in $(seq 1 "$runs"); do
		for v in $variants; do
			case $v in
			d) ((run <= RUNS_d)) || continue ;;
			e) ((run <= RUNS_e)) || continue ;;
			k) ((run <= RUNS_k)) || continue ;;
			n) ((run <= RUNS_n)) || continue ;;
			a | c | u | b) ;;
			*) echo "vm-bench: no variant '$v' (a c n u b d e k)" >&2; exit 2 ;;
			esac
			one_run "$v" "$size" "$run"
		done
	done
done
