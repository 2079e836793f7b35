#!/usr/bin/env bats
# The kernel onlines hot-added memory itself (memhp_default_state=online on
# its command line) while the package is installed with no "memory =" line:
# setup leaves the kernel as the command line set it, the kernel onlines
# every block, and each gets one line.
load common

setup_file() { guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug memhp_default_state=online'; }
teardown_file() { guest_stop; }

@test "memhp_default_state=online, no memory = line: left as it is, each block online and logged once" {
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks; hotplug-online status'
	assert_line -n 0 online
	refute_output --partial 'set by hotplug-online'
	add_dimm 1G
	wait_blocks online
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal\)$"
	done
	assert_no_failure_logged
}
