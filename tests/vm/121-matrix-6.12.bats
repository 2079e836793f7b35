#!/usr/bin/env bats
# The zone and log matrix on Debian 13's 6.12 (kernel.sh trixie), package
# installed: the three memory policies in turn in one guest, as on 6.1
# (120-matrix-6.1.bats), and a hot-added CPU (--online-capable: ACPI 6.3
# tables, see README.md).  6.12 is built to online hot-added memory itself
# (auto_online_blocks "online" at boot): setup tells it the zone.
# Negative controls, in a second guest booted with hpo.setup=0 and qemu's
# own ACPI tables: with "memory = online_movable" in the file the kernel
# makes its own choice, Normal (setup is what makes it Movable), and 6.12
# refuses a hot-added CPU ("Unable to map lapic").
load matrix

@test "6.12: online, online_movable, auto-movable in turn: zones, one line per block, no helper run; a CPU" {
	boot_suite trixie --append 'hpo.pkg=installed hpo.coldplug=hotplug' --online-capable
	run -0 vm_sh 'dmesg | grep "CPU topo: Allowing"'
	assert_output --partial 'Allowing 1 present CPUs plus 3 hotplug CPUs'
	policy_sequence 6.12
	cpu_add
}

@test "6.12: replayed add events carry SYNTH_UUID" {
	need_suite trixie
	assert_replays_marked
}

@test "6.12, negative control: hpo.setup=0 with memory = online_movable: no setup ran, the kernel's Normal" {
	boot_suite trixie --append 'hpo.pkg=installed hpo.coldplug=hotplug hpo.setup=0'
	export MATRIX_LABEL='6.12 hpo.setup=0 (negative control)'
	run -0 vm_sh 'ls /run/hpo-vm-unit/'
	refute_output --partial hotplug-online-setup
	run -0 vm_sh "echo 'memory = online_movable' >> /etc/hotplug-online.conf; hpo-vm memhp"
	MEMHP=$(tr '\n' ' ' <<< "$output")
	export MEMHP
	assert_line 'auto_online_blocks online'
	hot_add 512M Normal
	assert_execs 0
}

@test "6.12, negative control: with qemu's own ACPI tables a hot-added CPU is refused" {
	run -0 vm_sh 'dmesg | grep "CPU topo: Allowing"'
	assert_output --partial 'Allowing 1 present CPUs plus 0 hotplug CPUs'
	vm_add_cpu
	run -1 vm_sh "hpo-vm wait 5 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus; dmesg | grep -i lapic'
	assert_output --partial 'Unable to map lapic to logical cpu number'
	refute_output --regexp '^cpu[0-9]'
}
