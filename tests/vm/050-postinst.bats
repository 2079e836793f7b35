#!/usr/bin/env bats
# Scenario 5: memory and a CPU hot-added before the package is installed stay
# offline, also once its files are unpacked; its "postinst configure" (run as
# dpkg runs it) brings them online.
load common

setup_file() { guest_boot; }
teardown_file() { guest_stop; }

@test "blocks and CPU added before installation come online when postinst runs" {
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
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "${BLOCKS[@]}" "$cpu"
	assert_no_failure_logged
}
