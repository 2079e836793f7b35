#!/usr/bin/env bats
# The soak, short (`make soak` runs 50 cycles): five times hot-add a 512 MiB
# DIMM with `memory = online_movable`, every block online within the bound,
# one syslog line each, hot-remove it, an offline line each, MemTotal back;
# then one vCPU add/remove cycle, the last hotplug of the boot because of
# qemu 7.2's CPU-unplug heap corruption under TCG (see soak.sh and
# README.md).  soak.sh boots and stops its guest itself and prints the
# guest's syslog, dmesg and qemu's log at the first failure.
load common

teardown() { :; }

@test "soak: 5 × 512 MiB movable DIMM add/online/remove and a vCPU add/remove, no failure logged" {
	run -0 env SOAK_DIR="$BATS_FILE_TMPDIR/vm" SOAK_CPU_CYCLES=1 \
		SOAK_ONLINE_BOUND="$BOUND" "$BATS_TEST_DIRNAME/soak.sh" 5
	printf '# %s\n' "${lines[@]}" >&3
	assert_line --regexp '^memory +5/5: dimm[0-9]+ 4 blocks online in'
	assert_line --regexp '^cpu +1/1: cpu[0-9]+ '
	assert_line --partial 'soak: PASS: 5 memory cycles'
}
