#!/usr/bin/env bats
# The same image booted without the package, first as the negative control
# of the whole suite: hot-added memory and a CPU stay offline, the very
# waits the other scenarios pass time out here, nothing is logged.  Then the
# package is installed the way dpkg does it: its files alone change
# nothing (udevd does not replay past events); its first
# "postinst configure" replays memory and brings the blocks online, never
# the CPU (a replay is no hot-add), and programs the kernel for the next
# hot-add.
load common

setup_file() { guest_boot --append hpo.coldplug=hotplug; }
teardown_file() { guest_stop; }

export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

@test "without the package: helper and rule absent, the package in the image" {
	run -0 vm_sh 'test ! -e /usr/sbin/hotplug-online && ! ls /usr/lib/udev/rules.d /etc/udev/rules.d | grep -q hotplug-online'
	run -0 vm_sh 'test -x /usr/local/share/hotplug-online-vm/deb/root/usr/sbin/hotplug-online'
}

@test "without the package: a 1 GiB DIMM and a CPU stay offline, nothing logged" {
	before=$(vm_sh 'hpo-vm memtotal')
	add_dimm 1G
	vm_add_cpu
	vm_sh 'udevadm settle --timeout=30'
	# The positive scenarios' waits must time out here.
	run -1 vm_sh "hpo-vm wait 5 'hpo-vm all online $DIMM_ADDR $DIMM_SIZE'"
	run -1 vm_sh "hpo-vm wait 1 'hpo-vm new-cpus-are 1 1'"
	run -1 vm_sh "hpo-vm logged online 0 ${BLOCKS[0]}"
	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE"
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 8
	run -0 vm_sh 'hpo-vm new-cpus-are 1 0'
	run -0 vm_sh 'hpo-vm log'
	assert_output ''
	assert_equal "$(vm_sh 'hpo-vm memtotal')" "$before"
}

@test "installed: the blocks come online when postinst runs, the CPU does not; one line each" {
	mapfile -t BLOCKS < <(vm_sh 'hpo-vm new-blocks | cut -d" " -f1')
	# Unpacking alone changes nothing.
	run -0 vm_sh 'hpo-vm-pkg install --no-postinst && udevadm settle --timeout=30; hpo-vm new-blocks'
	refute_output --partial ' online'
	# dpkg --configure: postinst configure, with no old version; as on a
	# systemd machine, its snippets start the log service.
	run -0 vm_sh "hpo-vm-pkg configure; hpo-vm-unit status $LOGD"
	assert_line --regexp '^active [0-9]+$'
	run -0 vm_sh "hpo-vm wait $BOUND '! hpo-vm new-blocks | grep -q offline'"
	echo "# ${#BLOCKS[@]} blocks online $output ms after postinst" >&3
	run -0 vm_sh 'udevadm settle --timeout=30; hpo-vm new-cpus-are 1 0'
	cpu=$(vm_sh 'hpo-vm new-cpus' | cut -d' ' -f1)
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal\)$"
	done
	refute_line --partial "$cpu"
	# setup ran too: the next hot-add is the kernel's.
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks'
	assert_output online
	assert_no_failure_logged
}
