#!/usr/bin/env bats
# Scenario 6: "memory = online_movable" and `hotplug-online setup` (what the
# .path unit runs on a systemd machine) make the kernel put the DIMM in
# ZONE_MOVABLE, so it can be hot-removed again: qemu's device_del completes
# and the blocks are gone from the guest, each offline logged once.
load common

setup_file() { guest_boot --append hpo.pkg=installed; }
teardown_file() { guest_stop; }

@test "online_movable: DIMM in ZONE_MOVABLE, device_del removes it, blocks disappear" {
	vm_sh 'echo "memory = online_movable" >> /etc/hotplug-online.conf'
	run -0 vm_sh 'hotplug-online setup && cat /sys/devices/system/memory/auto_online_blocks'
	assert_line online_movable
	before=$(vm_sh 'hpo-vm memtotal')
	add_dimm 1G
	wait_blocks online
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online Movable"
	done
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Movable; by the kernel's auto-online\)$"
	done

	run -0 vm_del "$DIMM_ID" --timeout 60
	wait_blocks absent
	run -0 vm_qmp query-memory-devices
	assert_output '[]'
	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$after" "$before"
	run -0 vm_sh 'udevadm settle --timeout=30; hpo-vm log'
	for b in "${BLOCKS[@]}"; do
		# The block may be gone before its offline event's run reads it,
		# or go while it reads (its size read, its node link gone).
		assert_equal "$(grep -cE "${LOG_HELPER}${b}: offline( \(128 MiB(, node 0)?\))?$" <<< "$output")" 1
	done
	assert_no_failure_logged
}
