#!/usr/bin/env bats
# Issue 10: RHEL 10's rule (hpo.rules=rhel10) on the kernel closest to
# RHEL 10's, Debian 13's 6.12 (kernel.sh trixie), which onlines hot-added
# memory itself: the three memory policies in turn as in
# 123-matrix-distro-rules.bats, then a CPU (--online-capable), onlined by
# our IMPORT at 39- with their ATTR{online}="1" after it: one line, no error.
load matrix

@test "6.12 + rhel10's 40-redhat-hotplug.rules: the three policies, a CPU" {
	boot_suite trixie --append 'hpo.pkg=installed hpo.rules=rhel10' --online-capable
	policy_sequence '6.12 rhel10'
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "$cpu"
	assert_line --regexp "${LOG_HELPER}${cpu}: online \(by hotplug-online\)$"
	assert_no_failure_logged
}
