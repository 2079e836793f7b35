#!/usr/bin/env bats
# Scenario 5: memory and a CPU hot-added before the package is installed stay
# offline, also once its files are unpacked; its first "postinst configure"
# (run as dpkg runs it) brings the memory online, never the CPU (a replay is
# no hot-add).
load common

setup_file() { guest_boot; }
teardown_file() { guest_stop; }

@test "blocks added before installation come online when postinst runs, the CPU does not" {
	add_dimm 1G
	vm_add_cpu
	vm_sh 'udevadm settle --timeout=30'
	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE"
	run -0 vm_sh 'hpo-vm new-cpus-are 1 0'

	# Unpacking alone changes nothing: udevd does not replay past events.
	run -0 vm_sh 'hpo-vm-pkg install --no-postinst && udevadm settle --timeout=30'
	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE"
	run -0 vm_sh '/var/lib/dpkg/info/hotplug-online.postinst configure'
	wait_blocks online
	run -0 vm_sh 'udevadm settle --timeout=30; hpo-vm new-cpus-are 1 0'
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal; by hotplug-online as online\)$"
	done
	refute_line --partial "$cpu"
	# setup ran too: the next hot-add is the kernel's.
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks'
	assert_output online
	assert_no_failure_logged
}
