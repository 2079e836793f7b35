#!/usr/bin/env bats
# Issue 10, the matrix on Debian 13's 6.12 (kernel.sh trixie), package
# installed: the three memory policies in turn in one guest, as on 6.1
# (120-matrix-6.1.bats), and a hot-added CPU (--online-capable).  6.12 is
# built to online hot-added memory itself (auto_online_blocks "online" at
# boot): setup tells it the zone.  Negative control: the same guest with
# hpo.setup=0 and "memory = online_movable" in the file gets the kernel's
# own choice, Normal: setup is what makes it Movable.
load matrix

@test "6.12: online, online_movable, auto-movable in turn: zones, one line per block, execs; a CPU" {
	boot_suite trixie --append hpo.pkg=installed --online-capable
	policy_sequence 6.12
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "$cpu"
	assert_line --regexp "${LOG_HELPER}${cpu}: online \(by hotplug-online\)$"
	assert_no_failure_logged
}

@test "6.12: replayed add events carry SYNTH_UUID" {
	assert_replays_marked
}

@test "6.12, negative control: hpo.setup=0 with memory = online_movable: the kernel's Normal" {
	boot_suite trixie --append 'hpo.pkg=installed hpo.setup=0'
	export MATRIX_LABEL='6.12 hpo.setup=0 (negative control)'
	run -0 vm_sh "echo 'memory = online_movable' >> /etc/hotplug-online.conf; hpo-vm memhp"
	MEMHP=$(tr '\n' ' ' <<< "$output")
	export MEMHP
	assert_line 'auto_online_blocks online'
	hot_add 512M Normal "the kernel's auto-online"
	assert_execs_kernel
}
