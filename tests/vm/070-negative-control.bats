#!/usr/bin/env bats
# Scenario 7, the negative control: the same image booted without the
# package.  Hot-added memory and CPUs must stay offline, and the very checks
# the other scenarios pass must fail here; if they did not, those scenarios
# would prove nothing.
load common

setup_file() { guest_boot; }
teardown_file() { guest_stop; }

@test "without the package: helper and rule absent" {
	run -0 vm_sh 'test ! -e /usr/sbin/hotplug-online && ! ls /usr/lib/udev/rules.d /etc/udev/rules.d | grep -q hotplug-online'
	# ... but the package is in the image, ready for hpo-vm-pkg.
	run -0 vm_sh 'test -x /usr/local/share/hotplug-online-vm/deb/root/usr/sbin/hotplug-online'
}

@test "without the package: a 1 GiB DIMM and a CPU stay offline" {
	before=$(vm_sh 'hpo-vm memtotal')
	add_dimm 1G
	vm_add_cpu
	vm_sh 'udevadm settle --timeout=30'
	# The positive scenarios' wait must time out here.
	run -1 vm_sh "hpo-vm wait 5 'hpo-vm all online $DIMM_ADDR $DIMM_SIZE'"
	run -1 vm_sh "hpo-vm wait 1 'hpo-vm new-cpus-are 1 1'"

	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE"
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 8
	run -0 vm_sh 'hpo-vm new-cpus-are 1 0'
	run -0 vm_sh 'hpo-vm log'
	assert_output ''
	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$after" "$before"
}
