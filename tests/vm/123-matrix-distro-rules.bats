#!/usr/bin/env bats
# The zone and log matrix on Debian 12's 6.1 next to a distribution-like
# rule (hpo.rules=rhel8, rhel10, suse; guest/distro-rules/): the three
# memory policies in turn, then a hot-added CPU.  setup has the kernel
# online the blocks, so their ATTR{state}=="offline" finds nothing to do:
# the same zones and lines as without them; the CPU, onlined by our IMPORT
# at 39-, gets one line and no error although their rule writes online=1
# after it.
# Then, in the rhel8 guest, the policy the kernel is not told:
# "kernel_auto_online = no" with "memory = online_movable", where RHEL 8's
# rule writes "online" (a kernel zone) to every offline block: our IMPORT
# at 39- onlines it Movable first (one helper run per block), their
# ATTR{state} read finds it online.
load matrix

distro_sequence() {
	boot_suite '' --append "hpo.pkg=installed hpo.coldplug=hotplug hpo.rules=$1"
	run -0 vm_sh 'ls /usr/lib/udev/rules.d | grep -E "^(39-hotplug-online|40-redhat|80-hotplug)"'
	echo "# rules: $(tr '\n' ' ' <<< "$output")" >&3
	assert_line 39-hotplug-online.rules
	assert_equal "${#lines[@]}" 2
	policy_sequence "6.1 $1"
	cpu_add
}

@test "6.1 + rhel8's 40-redhat.rules: the three policies, a CPU" {
	distro_sequence rhel8
}

@test "6.1 + rhel8, kernel_auto_online = no, online_movable: the udev path, Movable, one helper run per block" {
	export MATRIX_LABEL='6.1 rhel8 kernel_auto_online=no'
	configure 'kernel_auto_online = no' 'memory = online_movable'
	assert_output --partial 'auto_online_blocks offline'
	hot_add 512M Movable
	assert_execs "${#BLOCKS[@]}"
	hot_remove
}

@test "6.1 + rhel10's 40-redhat-hotplug.rules: the three policies, a CPU" {
	distro_sequence rhel10
}

@test "6.1 + suse's 80-hotplug-cpu-mem.rules: the three policies, a CPU" {
	distro_sequence suse
}
