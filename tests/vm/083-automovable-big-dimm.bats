#!/usr/bin/env bats
# Scenario 8 with a big DIMM: 512 MiB at boot, then 1 GiB (within 301 % of
# the boot memory: Movable) and 4 GiB (32 blocks; 1 + 4 GiB is over the
# limit: a kernel zone, the whole DIMM).  Any one block of the 4 GiB DIMM
# alone would fit (1 GiB + 128 MiB is within about 1.5 GiB), so a block the
# userspace rule decided before the kernel had bound the DIMM's blocks to
# their firmware_node would go Movable and split the DIMM.  The 6.1
# kernel's own policy is the oracle; Debian 11's 5.10 (no kernel policy,
# the shipped binary decides) must match it block for block.
load common
load automovable

# AM_MACHINE and AM_SEQ are read by automovable.bash.
# shellcheck disable=SC2034,SC2054
AM_MACHINE=(--mem 512M --maxmem 8G)
# shellcheck disable=SC2034
AM_SEQ=(1G 4G)

setup_file() { am_setup_file; }
teardown_file() { guest_stop; }

@test "1 GiB + 4 GiB, 6.1, kernel decides: the 1 GiB DIMM Movable, the 4 GiB one in a kernel zone, whole" {
	am_run kernel
	am_check_units kernel
	# shellcheck disable=SC2016 # awk programs
	run -0 awk '$5 == "PNP0C80:00" { print $3 }' "$AM_RUNS/kernel.zones"
	assert_output "$(printf 'Movable\n%.0s' {1..8})"
	# shellcheck disable=SC2016
	run -0 awk '$5 == "PNP0C80:01" { print $3 }' "$AM_RUNS/kernel.zones"
	assert_output "$(printf 'Normal\n%.0s' {1..32})"
}

@test "1 GiB + 4 GiB, 6.1, userspace decides (test build, forced): same zones" {
	am_run user
	am_check_units user
	am_compare kernel user
}

@test "1 GiB + 4 GiB, 5.10 (Debian 11), userspace decides (shipped binary): same zones as 6.1's kernel" {
	reason=$(am_k510_missing) && skip "$reason"
	am_run user510
	am_check_units user510
	am_compare kernel user510
	# Each DIMM was decided once: one record per ACPI memory device.
	# shellcheck disable=SC2016 # for the guest's shell
	run -0 vm_sh 'for f in /run/hotplug-online/devices/*; do echo "${f##*/} $(cut -d" " -f2,4 "$f")"; done'
	assert_output $'PNP0C80:00 8 online_movable\nPNP0C80:01 32 online_kernel'
}
