#!/usr/bin/env bats
# Issue 19 on Debian 12's 6.1: after a burst of hot-added memory and CPUs
# is online, the log service's steps reach the workloads.  One guest (2 of
# 4 CPUs, 512 MiB), the package installed, its log service running, the
# hooks of afterburst.bash in /etc/hotplug-online/hooks.d from boot.
#  - boot: no hook runs and no step is logged, nor at a replay;
#  - memmap headroom: with 150 MiB in a tmpfs file, `status` says the
#    largest hot-add is less than 64 GiB;
#  - a 1 GiB DIMM and a vCPU in one burst (one QMP session), with a cgroup
#    v1 cpuset hierarchy (docker-like child and grandchild, one pinned to
#    cpu1), four tmpfs (size=50%, size=64m, no size=, size=20%) and
#    hook_timeout = 2: the docker-like ones get the CPU, the pinned one not,
#    one `cpusets:` line; the shares grow to the same share of the new
#    MemTotal (nr_inodes too), 64m does not, one `tmpfs:` line; each hook
#    runs once and says the burst, the failing one's exit 3 and the hanging
#    one's timeout are logged, the backup, non-executable and broken
#    symlink never run;
#  - negative control: `cpusets = off` and `tmpfs = off`, another burst
#    (256 MiB and a vCPU): neither changes, the hooks run again;
#  - a 64 MiB DIMM (half a block, placed high) is refused by the kernel
#    without a cost: `status` says a hot-add was refused, no hook runs, and
#    the log service says so in a line (at 5aa74da it does not: it waits for
#    an `acpi` `add` uevent of a PNP0C80 device, and qemu's memory devices
#    exist from boot, one per slot: a hot-add, refused or not, sends none).
# cgroup v2 and a DIMM too large for its memmap: 181 (6.12).
load afterburst

setup_file() {
	ab_boot '' --append 'hpo.pkg=installed hpo.coldplug=hotplug' --smp 2 --maxcpus 4 --maxmem 72G
}
teardown_file() { guest_stop; }

@test "after-burst 6.1: boot with hooks in place: no hook ran, no step logged; nor after a replay" {
	run -0 ab_log_service
	assert_equal "${#lines[@]}" 1
	vm_sh 'udevadm settle --timeout=30; sleep 1.2'
	ab_assert_nothing_ran "at boot"
	vm_sh 'udevadm trigger --action=add --subsystem-match=memory --subsystem-match=cpu; udevadm settle --timeout=30; sleep 1.2'
	ab_assert_nothing_ran "after a replay"
}

@test "after-burst 6.1: memmap headroom: 512 MiB with 150 MiB in a tmpfs file: status says the largest hot-add is less than 64 GiB" {
	ab_headroom 150 64G
}

@test "after-burst 6.1: a 1 GiB DIMM and a vCPU, one burst, with cgroup v1 cpusets, four tmpfs and hooks" {
	ab_first_burst v1 1G
}

@test "after-burst 6.1: cgroup v1: the docker-like child and grandchild get the CPU, the pinned one does not; one cpusets line" {
	local cpu
	read -r cpu _ < "$BATS_FILE_TMPDIR/burst"
	sed 's/^/# v1 before: /' "$BATS_FILE_TMPDIR/v1-before" >&3
	ab_show 'v1 after' v1-show
	assert_equal "$cpu" cpu2
	run -0 vm_sh 'hpo-burst v1-show'
	assert_equal "$output" ". cpus=0-2 mems=0
docker cpus=0-2 mems=0
docker/ctr cpus=0-2 mems=0
pinned cpus=1 mems=0"
	run -0 ab_lines "$(< "$BATS_FILE_TMPDIR/mark")"
	grep -E ': (cpusets|tmpfs):' <<< "$output" | sed 's/^/# log: /' >&3
	assert_equal "$(grep -c ': cpusets:' <<< "$output")" 1
	assert_line --regexp "${LOG_HELPER}cpusets: 2 of /sys/fs/cgroup/cpuset get CPUs '2'\$"
}

@test "after-burst 6.1: tmpfs: size=50%, no size= and size=20% keep their share of the new MemTotal, size=64m does not change; one tmpfs line" {
	ab_assert_first_tmpfs
	run -0 ab_lines "$(< "$BATS_FILE_TMPDIR/mark")"
	assert_equal "$(grep -c ': tmpfs:' <<< "$output")" 1
	assert_line --regexp "${LOG_HELPER}tmpfs: .*/dev/shm 50%"
	assert_line --regexp "${LOG_HELPER}tmpfs: .*/mnt/p20 20%"
	run -0 grep ': tmpfs:' <<< "$output"
	refute_output --partial /mnt/a64
	refute_output --partial /sys/fs/cgroup
}

@test "after-burst 6.1: hooks: each runs once, the good one's environment says the burst; exit 3 and the timeout logged; backup, non-executable, broken symlink never run" {
	ab_assert_first_hooks
}

@test "after-burst 6.1, negative control: cpusets = off, tmpfs = off: another 256 MiB and vCPU change neither; the hooks run again" {
	local t1 t2
	vm_sh 'printf "cpusets = off\ntmpfs = off\n" >> /etc/hotplug-online.conf'
	vm_sh 'hpo-burst tmpfs-show' > "$BATS_FILE_TMPDIR/tmpfs-before2"
	# shellcheck disable=SC2034 # read by ab_assert_hooks
	AB_RAN_BEFORE=$(vm_sh 'hpo-burst hooks-ran')
	t1=$(vm_sh 'hpo-vm memtotal')
	log_mark
	ab_burst 256M
	t2=$(vm_sh 'hpo-vm memtotal')
	ab_show 'v1 after the second burst' v1-show
	run -0 vm_sh 'hpo-burst v1-show'
	assert_equal "$output" ". cpus=0-3 mems=0
docker cpus=0-2 mems=0
docker/ctr cpus=0-2 mems=0
pinned cpus=1 mems=0"
	vm_sh 'hpo-burst tmpfs-show' > "$BATS_FILE_TMPDIR/tmpfs-after2"
	sed "s/^/# tmpfs after the second burst (MemTotal $t1 -> $t2 kB): /" "$BATS_FILE_TMPDIR/tmpfs-after2" >&3
	ab_assert_tmpfs "$(< "$BATS_FILE_TMPDIR/tmpfs-before2")" "$(< "$BATS_FILE_TMPDIR/tmpfs-after2")" "$t1" "$t2" 0
	run -0 ab_lines "$LOG_MARK"
	refute_line --partial 'cpusets:'
	refute_line --partial 'tmpfs:'
	ab_assert_hooks "$LOG_MARK" "$AB_CPU"
}

@test "after-burst 6.1: a DIMM the kernel refuses (64 MiB, half a block): status says a hot-add was refused, no hook ran" {
	ab_refuse_unaligned
	echo "$AB_REFUSED_MARK" > "$BATS_FILE_TMPDIR/refused-mark"
}

@test "after-burst 6.1: the same refused DIMM: the log service says a memory device brought no memory" {
	ab_refused_line "$(< "$BATS_FILE_TMPDIR/refused-mark")"
}
