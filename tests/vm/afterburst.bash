# Shared by the 18x scenarios, issue 19: after a burst of hot-added memory
# and CPUs is online, the log service (`hotplug-online log`, which guest/init
# starts with hpo.pkg=installed) runs the steps of burst.c in a child:
# cgroup v1 cpusets, tmpfs shares, hooks.d.  The guest gets, in a cpio
# archive appended to the initramfs, afterburst/hpo-burst (its side of the
# checks) and a hooks.d that is there from boot (so a boot that runs a hook
# shows):
#   10-x~        executable editor backup     never runs
#   20-broken    a symlink to nowhere         never runs
#   40-noexec    not executable               never runs
#   50-good      appends "ran UPTIME" and its HOTPLUG_ONLINE_* environment
#   60-fail      exit 3
#   70-hang      sleep 1000 (hook_timeout = 2 in the tests that hot-add)
#   99-end       appends "ran UPTIME": the end of the hooks
# Each writes /run/hpo-burst/NAME ("ran" lines: hpo-burst hooks-ran).
load common

AB_OUT=/run/hpo-burst

# afterburst_initrd OUT: the harness's initramfs plus hpo-burst and the hooks.
afterburst_initrd() {
	local out=$1 dir h
	dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/afterburst.XXXXXX") || return 1
	install -D -m 0755 "$BATS_TEST_DIRNAME/afterburst/hpo-burst" "$dir/usr/local/sbin/hpo-burst"
	h=$dir/etc/hotplug-online/hooks.d
	mkdir -p "$h"
	# shellcheck disable=SC2016 # expands in the guest
	printf '#!/bin/sh\nmkdir -p %s\n{ echo "ran $(cut -d" " -f1 /proc/uptime)"; env | grep "^HOTPLUG_ONLINE_" | sort; } >> %s/50-good\nenv | sort > %s/50-good.env\n' \
		"$AB_OUT" "$AB_OUT" "$AB_OUT" > "$h/50-good"
	printf '#!/bin/sh\nmkdir -p %s\necho ran >> %s/60-fail\nexit 3\n' "$AB_OUT" "$AB_OUT" > "$h/60-fail"
	printf '#!/bin/sh\nmkdir -p %s\necho ran >> %s/70-hang\nsleep 1000\necho ran >> %s/70-hang-woke\n' \
		"$AB_OUT" "$AB_OUT" "$AB_OUT" > "$h/70-hang"
	# shellcheck disable=SC2016 # expands in the guest
	printf '#!/bin/sh\nmkdir -p %s\necho "ran $(cut -d" " -f1 /proc/uptime)" >> %s/99-end\n' \
		"$AB_OUT" "$AB_OUT" > "$h/99-end"
	printf '#!/bin/sh\nmkdir -p %s\necho ran >> %s/10-x~\n' "$AB_OUT" "$AB_OUT" > "$h/10-x~"
	printf '#!/bin/sh\nmkdir -p %s\necho ran >> %s/40-noexec\n' "$AB_OUT" "$AB_OUT" > "$h/40-noexec"
	# A name a shell would split: refused and logged, never run.
	printf '#!/bin/sh\nmkdir -p %s\necho ran >> %s/30-bad\n' "$AB_OUT" "$AB_OUT" > "$h/30-a b"
	chmod 0755 "$h/50-good" "$h/60-fail" "$h/70-hang" "$h/99-end" "$h/10-x~" "$h/30-a b"
	chmod 0644 "$h/40-noexec"
	ln -s /nonexistent/hook "$h/20-broken"
	vm_initrd_plus "$out" "$dir"
	local rc=$?
	rm -rf "$dir"
	return $rc
}

# ab_boot SUITE [VMCTL-ARGS...]: boot SUITE's kernel ('' for Debian 12's)
# with the package installed, its log service running and the hooks in
# place; skip the file if SUITE's kernel cannot be had.
ab_boot() {
	suite_kernel "$1"
	shift
	[[ -f $BATS_FILE_TMPDIR/initramfs-afterburst.cpio ]] ||
		afterburst_initrd "$BATS_FILE_TMPDIR/initramfs-afterburst.cpio" || return 1
	HPO_VM_INITRD=$BATS_FILE_TMPDIR/initramfs-afterburst.cpio guest_boot "$@"
}

# ab_log_service: the PIDs of running `hotplug-online log` processes, one a line.
ab_log_service() {
	# shellcheck disable=SC2016 # expands in the guest
	vm_sh 'for p in /proc/[0-9]*; do
		set -- $({ tr "\0" " " < $p/cmdline; } 2> /dev/null)
		case ${1-}:${2-} in */hotplug-online:log) echo ${p#/proc/} ;; esac
	done'
}

# ab_lines [MARK]: the log's lines of the steps (cpusets:, tmpfs:, hook ...)
# after line MARK (default 0).
ab_lines() {
	vm_sh "hpo-vm log ${1:-0} | grep -E 'hotplug-online(\[[0-9]+\])?: (cpusets|tmpfs|hook|after-hot-add|cannot start the after)' || true"
}

# ab_assert_nothing_ran WHEN: no hook ran, no line of a step.
ab_assert_nothing_ran() {
	run -0 vm_sh "ls $AB_OUT 2> /dev/null || true"
	[[ -z $output ]] || fail "$1: hooks ran: $output" "$(vm_sh "head $AB_OUT/*; hpo-vm log")"
	run -0 ab_lines
	[[ -z $output ]] || fail "$1: steps logged" "$output"
}

# ab_burst SIZE: hot-add a DIMM of SIZE ('' for none) and a vCPU together
# (afterburst/hotadd: one QMP session, the device_adds back to back: one burst),
# wait until the hooks are done (99-end has one more run), and set
#   AB_LAST_BLOCK  uptime (s) of the last `online` uevent of a block (udevadm
#                  monitor, the kernel's events)
#   AB_LAST_EVENT  uptime of the burst's last memory or CPU uevent
#   AB_GOOD_START  uptime when 50-good ran, AB_END when 99-end ran
#   AB_CPU         the new CPU's name; BLOCKS, DIMM_* (add_dimm)
# and print the times.  Waits 0.5 s more for the log service's lines.
ab_burst() {
	local size=$1 before mon added
	before=$(vm_sh "grep -c ^ran $AB_OUT/99-end 2> /dev/null || true")
	before=${before:-0}
	vm_sh 'hpo-vm monitor start'
	BLOCKS=()
	mapfile -t added < <("$BATS_TEST_DIRNAME/afterburst/hotadd" "$HPO_VM_DIR" ${size:+--memory "$size"} --cpu)
	((${#added[@]} == (${#size} ? 2 : 1))) || fail "hot-adding ${size:+a $size DIMM and }a vCPU failed"
	if [[ -n $size ]]; then
		# shellcheck disable=SC2034 # as add_dimm sets them
		read -r DIMM_ID DIMM_ADDR DIMM_SIZE <<< "${added[0]}"
		mapfile -t BLOCKS < <(vm_sh "hpo-vm dimm-blocks $DIMM_ADDR $DIMM_SIZE")
	fi
	run -0 vm_sh --timeout $((BOUND * 3)) "hpo-vm wait $((BOUND * 2)) '[ \$(grep -c ^ran $AB_OUT/99-end 2> /dev/null || echo 0) -gt $before ]' > /dev/null || echo timeout
		sleep 0.5"
	[[ $output != *timeout* ]] || fail "the hooks did not end within $((BOUND * 2)) s" "$(vm_sh 'hpo-vm log | tail -n 30')"
	mon=$(vm_sh 'hpo-vm monitor stop')
	AB_LAST_BLOCK=$(awk '/^KERNEL.* online .*\(memory\)/ { t = $1 } END { gsub(/[^0-9.]/, "", t); print t }' <<< "$mon")
	AB_LAST_EVENT=$(awk '/^KERNEL.*\((memory|cpu)\)/ { t = $1 } END { gsub(/[^0-9.]/, "", t); print t }' <<< "$mon")
	AB_CPU=$(awk '/^KERNEL.* online .*\(cpu\)/ { n = $3 } END { sub(/.*\//, "", n); print n }' <<< "$mon")
	AB_GOOD_START=$(vm_sh "grep ^ran $AB_OUT/50-good | tail -n 1 | cut -d' ' -f2")
	AB_END=$(vm_sh "tail -n 1 $AB_OUT/99-end | cut -d' ' -f2")
	AB_LAST_BLOCK=${AB_LAST_BLOCK:-$AB_LAST_EVENT}
	echo "# burst: ${#BLOCKS[@]} blocks and $AB_CPU; last block online at $AB_LAST_BLOCK s, last event $AB_LAST_EVENT s, 50-good at $AB_GOOD_START s, hooks done at $AB_END s: $(awk -v a="$AB_LAST_BLOCK" -v b="$AB_END" 'BEGIN { printf "%.2f", b - a }') s from the last block online to the end of the hooks" >&3
}

# ab_first_burst CGROUP SIZE: the first burst of a 18x file: hpo-burst
# CGROUP (v1, v2: its cpuset cgroups) and tmpfs, hook_timeout = 2, then
# ab_burst SIZE; the DIMM's blocks and the CPU are online.  For the tests
# after it, in BATS_FILE_TMPDIR: CGROUP-before (hpo-burst CGROUP-show),
# tmpfs-before, t0 and t1 (MemTotal before and after), mark (the syslog's,
# before) and burst (the CPU and the blocks).
ab_first_burst() {
	local cg=$1
	run -0 vm_sh "hpo-burst $cg && hpo-burst tmpfs && echo 'hook_timeout = 2' >> /etc/hotplug-online.conf"
	vm_sh "hpo-burst $cg-show" > "$BATS_FILE_TMPDIR/$cg-before"
	vm_sh 'hpo-burst tmpfs-show' > "$BATS_FILE_TMPDIR/tmpfs-before"
	vm_sh 'hpo-vm memtotal' > "$BATS_FILE_TMPDIR/t0"
	vm_sh 'hpo-vm mark' > "$BATS_FILE_TMPDIR/mark"
	ab_burst "$2"
	echo "$AB_CPU ${BLOCKS[*]}" > "$BATS_FILE_TMPDIR/burst"
	vm_sh 'hpo-vm memtotal' > "$BATS_FILE_TMPDIR/t1"
	run -0 vm_sh "hpo-vm all online $DIMM_ADDR $DIMM_SIZE && cat /sys/devices/system/cpu/$AB_CPU/online"
	assert_output 1
}

# ab_say TAG: each line of stdin to the report (fd 3) as "# TAG: LINE".
ab_say() {
	local l
	while IFS= read -r l; do echo "# $1: $l"; done >&3
}

# ab_show TAG WHAT...: hpo-burst WHAT to the report, as ab_say TAG.
ab_show() {
	local tag=$1
	shift
	vm_sh "hpo-burst $*" | ab_say "$tag"
}

# ab_hook_env: the HOTPLUG_ONLINE_* lines of 50-good's last run, sorted.
ab_hook_env() {
	vm_sh "awk '/^ran/ { n = 0; next } { l[++n] = \$0 } END { for (i = 1; i <= n; i++) print l[i] }' $AB_OUT/50-good"
}

# ab_tmpfs_kb PCT MEMTOTAL_KB: the size in kB that mm/shmem.c gives size=PCT%
# (PCT * pages * PAGE_SIZE / 100 bytes, rounded up to pages).
# shellcheck disable=SC2017 # the kernel's own rounding, step by step
ab_tmpfs_kb() { echo $((($1 * ($2 / 4) * 4096 / 100 + 4095) / 4096 * 4)); }

# ab_assert_tmpfs BEFORE AFTER T0 T1 GROWN: tmpfs-show lines before and after
# a burst that took MemTotal from T0 to T1 kB.  GROWN=1: the shares (no
# size= and 50 %: /dev/shm, /run, /mnt/p50, /mnt/def; 20 %: /mnt/p20) are
# the same share of T1, nr_inodes half of T1's pages (the kernel's default),
# /mnt/a64 as it was; GROWN=0: every size and inode count as it was.
ab_assert_tmpfs() {
	local before=$1 after=$2 t0=$3 t1=$4 grown=$5 m pct b a bs bi as ai bad=''
	for m in /dev/shm /run /mnt/p50 /mnt/a64 /mnt/def /mnt/p20; do
		b=$(grep "^$m " <<< "$before") a=$(grep "^$m " <<< "$after")
		bs=$(sed -n 's/.* size_k=\([0-9]*\) .*/\1/p' <<< "$b") bi=$(sed -n 's/.* inodes=\([0-9]*\) .*/\1/p' <<< "$b")
		as=$(sed -n 's/.* size_k=\([0-9]*\) .*/\1/p' <<< "$a") ai=$(sed -n 's/.* inodes=\([0-9]*\) .*/\1/p' <<< "$a")
		case $m in /mnt/a64) pct=0 ;; /mnt/p20) pct=20 ;; *) pct=50 ;; esac
		if ((pct == 0 || !grown)); then
			[[ $as == "$bs" && $ai == "$bi" ]] || bad+="$m: $bs kB, $bi inodes -> $as kB, $ai inodes (expected unchanged); "
			continue
		fi
		[[ $bs == "$(ab_tmpfs_kb $pct "$t0")" ]] || bad+="$m: $bs kB before is not $pct % of $t0 kB; "
		[[ $as == "$(ab_tmpfs_kb $pct "$t1")" ]] || bad+="$m: $as kB after, expected $(ab_tmpfs_kb $pct "$t1") ($pct % of $t1 kB); "
		[[ $ai == $((t1 / 8)) ]] || bad+="$m: $ai inodes after, expected $((t1 / 8)); "
	done
	[[ -z $bad ]] || fail "$bad" "$(printf 'before (MemTotal %s kB):\n%s\nafter (MemTotal %s kB):\n%s\n' "$t0" "$before" "$t1" "$after")"
}

# ab_assert_first_tmpfs: ab_assert_tmpfs GROWN=1 of ab_first_burst's tmpfs
# lines (before, and now) and MemTotal, both shown in the report.
ab_assert_first_tmpfs() {
	local t0 t1
	t0=$(< "$BATS_FILE_TMPDIR/t0") t1=$(< "$BATS_FILE_TMPDIR/t1")
	sed "s/^/# tmpfs before (MemTotal $t0 kB): /" "$BATS_FILE_TMPDIR/tmpfs-before" >&3
	vm_sh 'hpo-burst tmpfs-show' > "$BATS_FILE_TMPDIR/tmpfs-after"
	sed "s/^/# tmpfs after (MemTotal $t1 kB): /" "$BATS_FILE_TMPDIR/tmpfs-after" >&3
	ab_assert_tmpfs "$(< "$BATS_FILE_TMPDIR/tmpfs-before")" "$(< "$BATS_FILE_TMPDIR/tmpfs-after")" "$t0" "$t1" 1
}

# ab_assert_hooks MARK CPU: after line MARK of the syslog, one line for each
# hook that runs (exit 0, exit 3, killed after 2 s) and for the one whose
# name is refused, none for the others; each ran once more than before (the
# counts in $AB_RAN_BEFORE, hooks-ran lines), the others never; 50-good's
# environment names the burst: BLOCKS (128 MiB blocks, node 0) and CPU.
ab_assert_hooks() {
	local mark=$1 cpu=$2 first last h n
	run -0 vm_sh "hpo-vm log $mark | grep -E 'hotplug-online(\\[[0-9]+\\])?: hook ' | sed 's/^.*hotplug-online\\[[0-9]*\\]: //'"
	assert_equal "$output" "hook '30-a b': unexpected name: not run
hook 50-good: exit 0
hook 60-fail: exit 3
hook 70-hang: killed after 2 s (hook_timeout)
hook 99-end: exit 0"
	run -0 vm_sh 'hpo-burst hooks-ran'
	for h in 50-good 60-fail 70-hang 99-end; do
		n=$(awk -v h="$h" '$1 == h { print $2 }' <<< "${AB_RAN_BEFORE-}")
		assert_line "$h $((${n:-0} + 1))"
	done
	refute_line --partial '10-x~'
	refute_line --partial '30-bad'
	refute_line --partial '40-noexec'
	refute_line --partial '70-hang-woke'
	run -0 vm_sh 'hpo-burst hung'
	assert_output ''
	run -0 ab_hook_env
	ab_say '50-good' <<< "$output"
	if ((${#BLOCKS[@]})); then
		first=$(printf '%s\n' "${BLOCKS[@]#memory}" | sort -n | head -n 1)
		last=$(printf '%s\n' "${BLOCKS[@]#memory}" | sort -n | tail -n 1)
		assert_equal "$output" "HOTPLUG_ONLINE_BLOCK_SIZE=134217728
HOTPLUG_ONLINE_CPUS=${cpu#cpu}
HOTPLUG_ONLINE_MEMORY_BLOCKS=$first-$last
HOTPLUG_ONLINE_MEMORY_BYTES=$((${#BLOCKS[@]} << 27))
HOTPLUG_ONLINE_NODES=0"
	else
		assert_equal "$output" "HOTPLUG_ONLINE_BLOCK_SIZE=134217728
HOTPLUG_ONLINE_CPUS=${cpu#cpu}
HOTPLUG_ONLINE_MEMORY_BLOCKS=
HOTPLUG_ONLINE_MEMORY_BYTES=0
HOTPLUG_ONLINE_NODES="
	fi
}

# ab_assert_first_hooks: ab_assert_hooks for ab_first_burst (its mark, CPU
# and blocks).
ab_assert_first_hooks() {
	local cpu blocks
	read -r cpu blocks < "$BATS_FILE_TMPDIR/burst"
	read -ra BLOCKS <<< "$blocks"
	ab_assert_hooks "$(< "$BATS_FILE_TMPDIR/mark")" "$cpu"
}

# ab_headroom FILL_MB SIZE: FILL_MB MiB in a tmpfs file (MemAvailable
# small): `status` says memmap_on_memory is off and the largest hot-add is
# smaller than SIZE (text and JSON), and nothing was refused yet.  The file
# is removed again.
ab_headroom() {
	local fill=$1 bytes max
	bytes=$(numfmt --from=iec "$2")
	run -0 vm_sh "hpo-burst fill $fill && grep -E '^(MemTotal|MemAvailable)' /proc/meminfo && hotplug-online status && hotplug-online status --json; hpo-burst unfill"
	grep -E '^(Mem|memmap|Largest)|refused' <<< "$output" | grep -v '^{' | sed 's/^/# status: /' >&3
	assert_line --regexp '^memmap_on_memory: +off$'
	assert_line --regexp '^Largest hot-add: +about [0-9]+ (GiB|MiB) now '
	refute_line --partial 'The kernel refused'
	max=$(grep -o '"max_hot_add_bytes":[0-9]*' <<< "$output" | cut -d: -f2)
	assert_output --partial '"memmap_on_memory":false'
	assert_output --partial '"hot_add_refused":false'
	if [[ -z $max ]] || ((max >= bytes)); then
		fail "status: the largest hot-add is ${max:-unknown} bytes, not less than $2: $output"
	fi
	echo "# status --json: max_hot_add_bytes $max ($((max >> 20)) MiB) < $2" >&3
}

# ab_refuse_unaligned: a 64 MiB DIMM, half a memory block, at 70 GiB into
# the hotplug area (the guest's --maxmem 72G leaves room; later DIMMs keep
# their alignment below it): the kernel refuses it ("unaligned hotplug
# range", "add_memory failed") without allocating anything, so the guest
# lives on.  No block, no hook ran, and `status` says a hot-add was refused
# (text and JSON).  Sets AB_REFUSED_MARK (the syslog's line count before the
# device_add).
ab_refuse_unaligned() {
	local ran
	ran=$(vm_sh 'hpo-burst hooks-ran')
	# shellcheck disable=SC2034 # for the caller
	AB_REFUSED_MARK=$(vm_sh 'hpo-vm mark')
	run -0 "$BATS_TEST_DIRNAME/afterburst/hotadd" "$HPO_VM_DIR" --memory 64M --addr $((0x100000000 + (70 << 30)))
	read -r _ DIMM_ADDR DIMM_SIZE <<< "$output"
	run vm_sh "hpo-vm wait $BOUND 'dmesg | grep -q \"add_memory failed\"' > /dev/null && sleep 2 && dmesg | grep -E 'PNP0C80|hotplug range'"
	ab_say 'dmesg' <<< "$output"
	assert_success
	assert_line --partial 'add_memory failed'
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	assert_output ''
	run -0 vm_sh 'hotplug-online status'
	grep -E 'Largest|refused' <<< "$output" | sed 's/^/# status after: /' >&3
	assert_line "The kernel refused a hot-add (its log: 'add_memory failed'): boot with memory_hotplug.memmap_on_memory=1 where the kernel has it, or hot-add less at a time"
	run -0 vm_sh 'hotplug-online status --json'
	assert_output --partial '"hot_add_refused":true'
	run -0 vm_sh 'hpo-burst hooks-ran'
	assert_output "$ran"
}

# ab_refused_line MARK: the log service's line for a memory device that
# brought no memory, after line MARK of the syslog.
ab_refused_line() {
	run -0 vm_sh "hpo-vm log $1"
	[[ -n $output ]] || fail "no line of hotplug-online after the refused hot-add; dmesg and syslog:
$(vm_sh "dmesg | tail -n 3; tail -n 5 /var/log/messages")"
	ab_say 'log' <<< "$output"
	assert_line --regexp "${LOG_HELPER}the kernel refused a hot-add \('[^']*add_memory failed'\)(; with memmap_on_memory off, free memory takes about [0-9]+ MiB now)?: boot with memory_hotplug.memmap_on_memory=1 where the kernel has it, or add less at a time$"
}

# ab_refuse_memmap SIZE: a DIMM of SIZE whose memmap is more than the memory
# available: all but about 200 MiB of it held by a process the OOM killer
# takes first (hpo-burst hog; the DIMM's backend not reserved on the host:
# never touched).  Before: `status` says the largest hot-add is less than
# SIZE.  Then what the issue asks for: the kernel refuses it ("add_memory
# failed"), the guest answers, `status` says a hot-add was refused, and the
# log service's line says why.  The kernel may do otherwise (its OOM killer
# decides: 181's header); the console's lines are printed first.
ab_refuse_memmap() {
	local avail max mark
	avail=$(vm_sh "sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo")
	run -0 vm_sh --timeout 90 "hpo-burst hog $(((avail >> 10) - 200)) &&
		grep -E '^(MemFree|MemAvailable)' /proc/meminfo && hotplug-online status --json"
	grep '^Mem' <<< "$output" | ab_say before
	max=$(grep -o '"max_hot_add_bytes":[0-9]*' <<< "$output" | cut -d: -f2)
	if [[ -z $max ]] || ((max >= $(numfmt --from=iec "$1"))); then
		fail "status: the largest hot-add is ${max:-unknown} bytes, not less than $1"
	fi
	echo "# before: max_hot_add_bytes $max ($((max >> 20)) MiB) < $1" >&3
	mark=$(vm_sh 'hpo-vm mark')
	run -0 "$BATS_TEST_DIRNAME/afterburst/hotadd" "$HPO_VM_DIR" --memory "$1" --noreserve
	run vm_sh --timeout $((BOUND + 30)) "hpo-vm wait $BOUND 'hpo-vm log $mark | grep -q \"refused a hot-add\"' > /dev/null
		grep -E '^(MemFree|MemAvailable)' /proc/meminfo; hotplug-online status; hotplug-online status --json"
	"$HPO_VM_CTL" console | grep -E 'add_memory failed|Out of memory|Kernel panic' | ab_say console
	grep -E '^Mem' <<< "$output" | ab_say after
	assert_success
	assert_line "The kernel refused a hot-add (its log: 'add_memory failed'): boot with memory_hotplug.memmap_on_memory=1 where the kernel has it, or hot-add less at a time"
	assert_output --partial '"hot_add_refused":true'
	run "$HPO_VM_CTL" console
	assert_output --partial 'add_memory failed'
	ab_refused_line "$mark"
	# shellcheck disable=SC2016 # the guest expands it
	vm_sh 'kill $(pidof dd) 2> /dev/null; true'
}
