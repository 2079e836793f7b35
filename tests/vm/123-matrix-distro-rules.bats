#!/usr/bin/env bats
# Issue 10, the matrix on Debian 12's 6.1 next to a distribution-like rule
# (hpo.rules=rhel8, rhel10, suse; guest/distro-rules/): the three memory
# policies in turn, then a hot-added CPU.  setup has the kernel online the
# blocks, so their ATTR{state}=="offline" finds nothing to do: the same
# zones as without them, one line per block; the CPU, onlined by our
# IMPORT at 39-, gets one line and no error although their rule writes
# online=1 after it.
load matrix

distro_sequence() {
	boot_suite '' --append "hpo.pkg=installed hpo.rules=$1"
	run -0 vm_sh 'ls /usr/lib/udev/rules.d | grep -E "^(39-hotplug-online|40-redhat|80-hotplug)"'
	echo "# rules: $(tr '\n' ' ' <<< "$output")" >&3
	policy_sequence "6.1 $1"
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "$cpu"
	assert_line --regexp "${LOG_HELPER}${cpu}: online \(by hotplug-online\)$"
	assert_no_failure_logged
}

@test "6.1 + rhel8's 40-redhat.rules: the three policies, a CPU" {
	distro_sequence rhel8
}

@test "6.1 + rhel10's 40-redhat-hotplug.rules: the three policies, a CPU" {
	distro_sequence rhel10
}

@test "6.1 + suse's 80-hotplug-cpu-mem.rules: the three policies, a CPU" {
	distro_sequence suse
}
