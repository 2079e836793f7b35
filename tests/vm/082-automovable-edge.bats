#!/usr/bin/env bats
# Scenario 8 at the edge: 510 MiB at boot instead of 512 MiB.  The 1 GiB
# DIMM that fits beside the first 512 MiB with 512 MiB of boot memory
# (1536 MiB movable within 301 % of 130942 pages) no longer fits with 510:
# 301 % of 130430 pages is 392594 pages, 1536 MiB is 393216.  The userspace
# rule must count pages as the kernel does to land on the same side.  A
# last 1 GiB DIMM after the 2 GiB one: 512+1024 MiB movable is still over
# 301 % of the boot memory (the kernel's present_early_pages), though well
# within 301 % of the 3.5 GiB now in kernel zones: a rule that took the
# kernel zones' present pages now instead of at boot would make it Movable.
load common
load automovable

# AM_MACHINE and AM_SEQ are read by automovable.bash.
# shellcheck disable=SC2034,SC2054
AM_MACHINE=(--mem 510M --maxmem 8G)
# shellcheck disable=SC2034
AM_SEQ=(512M 1G 2G 1G)

setup_file() { am_setup_file; }
teardown_file() { guest_stop; }

@test "510 MiB at boot, 6.1, kernel decides: the 1 GiB DIMM goes to a kernel zone" {
	am_run kernel
	am_check_units kernel
	# shellcheck disable=SC2016 # an awk program
	run -0 awk '$5 == "PNP0C80:01" { print $3 }' "$AM_RUNS/kernel.zones"
	assert_output "$(printf 'Normal\n%.0s' 1 2 3 4 5 6 7 8)"
}

@test "510 MiB at boot, 6.1, userspace decides (test build, forced): same zones" {
	am_run user
	am_check_units user
	am_compare kernel user
}
