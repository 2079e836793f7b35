#!/usr/bin/env bats
# Scenario 4: the kernel onlines hot-added memory itself
# (memhp_default_state=online) while the package is installed: everything is
# online and nothing is logged as failed, whoever wins the race.
load common

setup_file() { guest_boot --append 'hpo.pkg=installed memhp_default_state=online'; }
teardown_file() { guest_stop; }

@test "kernel auto-online: all blocks online, no failure logged" {
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks'
	assert_output online
	add_dimm 1G
	wait_blocks online
	# Let udevd finish with every event before judging the log.
	vm_sh 'udevadm settle --timeout=30'
	assert_no_failure_logged
	# If the helper ran at all, it only says what it did, never "onlined"
	# twice for a block.
	run -0 vm_sh 'hpo-vm log'
	for b in "${BLOCKS[@]}"; do
		n=$(grep -cE "${LOG_HELPER}${b}: onlined" <<< "$output" || true)
		((n <= 1)) || fail "$b logged as onlined $n times" "$output"
	done
}
