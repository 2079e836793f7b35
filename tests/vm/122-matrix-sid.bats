#!/usr/bin/env bats
# Issue 10, the matrix on unstable's newest kernel (kernel.sh sid), package
# installed: the three memory policies in turn in one guest, as on 6.1
# (120-matrix-6.1.bats), and a hot-added CPU (--online-capable).
load matrix

@test "sid: online, online_movable, auto-movable in turn: zones, one line per block, execs; a CPU" {
	boot_suite sid --append hpo.pkg=installed --online-capable
	policy_sequence "sid $(vm_sh 'uname -r')"
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "$cpu"
	assert_line --regexp "${LOG_HELPER}${cpu}: online \(by hotplug-online\)$"
	assert_no_failure_logged
}

@test "sid: replayed add events carry SYNTH_UUID" {
	assert_replays_marked
}
