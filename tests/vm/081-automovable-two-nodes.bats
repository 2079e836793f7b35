#!/usr/bin/env bats
# Scenario 8, two NUMA nodes: 128 MiB of the boot memory on node 0, 384 MiB
# on node 1, then 512 MiB on node 0 (fits the machine, not node 0: kernel
# zone), 1 GiB on node 1 (fits both: Movable), 2 GiB on node 0 (fits
# neither).  Both checks of the kernel's rule, global and per node
# (auto_movable_numa_aware, default on), decide something here.  The
# kernel's choice on 6.1 is the oracle, as in 080.
load common
load automovable

# AM_MACHINE and AM_SEQ are read by automovable.bash.
# shellcheck disable=SC2034,SC2054
AM_MACHINE=(--mem 512M --maxmem 8G
	--qemu-arg=-object --qemu-arg=memory-backend-ram,id=n0,size=128M
	--qemu-arg=-object --qemu-arg=memory-backend-ram,id=n1,size=384M
	--qemu-arg=-numa --qemu-arg=node,nodeid=0,cpus=0-1,memdev=n0
	--qemu-arg=-numa --qemu-arg=node,nodeid=1,cpus=2-3,memdev=n1)
# shellcheck disable=SC2034
AM_SEQ=(512M:0 1G:1 2G:0)

setup_file() { am_setup_file; }
teardown_file() { guest_stop; }

@test "two nodes, 6.1, kernel decides" {
	am_run kernel
	am_check_units kernel
	# The machine is what this file says: two nodes, the DIMMs on theirs.
	run -0 cat "$AM_RUNS/kernel.pages"
	assert_equal "${#lines[@]}" 2
	# shellcheck disable=SC2016 # an awk program
	run -0 awk '{ print $1, $4, $5 }' "$AM_RUNS/kernel.zones"
	assert_line --partial '0 PNP0C80:00'
	assert_line --partial '1 PNP0C80:01'
	assert_line --partial '0 PNP0C80:02'
}

@test "two nodes, 6.1, userspace decides (test build, forced): same zones" {
	am_run user
	am_check_units user
	am_compare kernel user
}

@test "two nodes, 5.10, userspace decides (shipped binary): same zones as 6.1's kernel" {
	reason=$(am_k510_missing) && skip "$reason"
	am_run user510
	am_check_units user510
	am_compare kernel user510
}
