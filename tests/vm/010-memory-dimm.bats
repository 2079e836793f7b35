#!/usr/bin/env bats
# Scenario 1: a 1 GiB DIMM, package installed (its setup unit ran at boot:
# the kernel onlines): its 8 blocks come online, each logged once as the
# kernel's, and MemTotal grows by exactly 1 GiB.
load common

setup_file() { guest_boot --append hpo.pkg=installed; }
teardown_file() { guest_stop; }

@test "1 GiB DIMM: 8 blocks online in a kernel zone, one syslog line each, MemTotal +1 GiB" {
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks'
	assert_output online
	before=$(vm_sh 'hpo-vm memtotal')
	add_dimm 1G
	assert_equal "${#BLOCKS[@]}" 8
	wait_blocks online

	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online Normal"
	done
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal; by the kernel's auto-online\)$"
	done
	assert_no_failure_logged

	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$((after - before))" "$((1024 * 1024))"
}
