#!/usr/bin/env bats
# The zone and log matrix with RHEL 10's rule (hpo.rules=rhel10) on the
# kernel closest to RHEL 10's, Debian 13's 6.12 (kernel.sh trixie), which
# onlines hot-added memory itself: the three memory policies in turn as in
# 123-matrix-distro-rules.bats, then a CPU (--online-capable), onlined by
# our IMPORT at 39- with their ATTR{online}="1" after it: one line, no error.
load matrix

@test "6.12 + rhel10's 40-redhat-hotplug.rules: the three policies, a CPU" {
	boot_suite trixie --append 'hpo.pkg=installed hpo.coldplug=hotplug hpo.rules=rhel10' --online-capable
	policy_sequence '6.12 rhel10'
	cpu_add
}
