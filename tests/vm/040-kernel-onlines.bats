#!/usr/bin/env bats
# Scenario 4: the kernel onlines hot-added memory itself
# (memhp_default_state=online on its command line) while the package is
# installed with no "memory =" line: setup leaves the kernel alone, the
# kernel onlines every block, and each is logged once as the kernel's.
load common

setup_file() { guest_boot --append 'hpo.pkg=installed memhp_default_state=online'; }
teardown_file() { guest_stop; }

@test "kernel auto-online from the command line: left as it is, each block logged once as the kernel's" {
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks; hotplug-online status'
	assert_line -n 0 online
	refute_output --partial 'set by hotplug-online'
	add_dimm 1G
	wait_blocks online
	assert_no_failure_logged
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal; by the kernel's auto-online\)$"
	done
	refute_output --partial 'already online'
}
