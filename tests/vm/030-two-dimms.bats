#!/usr/bin/env bats
# Scenario 3: two DIMMs, one after the other: the second one's blocks come
# online too, and the first one's are not touched (or logged) again.
load common

setup_file() { guest_boot --append hpo.pkg=installed; }
teardown_file() { guest_stop; }

@test "two DIMMs one after the other: 16 blocks online, each logged once, MemTotal +2 GiB" {
	before=$(vm_sh 'hpo-vm memtotal')
	add_dimm 1G
	wait_blocks online
	first=("${BLOCKS[@]}") first_addr=$DIMM_ADDR

	add_dimm 1G
	wait_blocks online
	run -0 vm_sh "hpo-vm all online $first_addr $DIMM_SIZE"

	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 16
	refute_output --partial offline
	assert_logged_once "${first[@]}" "${BLOCKS[@]}"
	assert_no_failure_logged

	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$((after - before))" "$((2 * 1024 * 1024))"
}
