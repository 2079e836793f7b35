#!/usr/bin/env bats
# The zone and log matrix on unstable's newest kernel (kernel.sh sid; 7.2
# when written), package installed: the three memory policies in turn in
# one guest, as on 6.1 (120-matrix-6.1.bats), and a hot-added CPU
# (--online-capable).
load matrix

@test "sid: online, online_movable, auto-movable in turn: zones, one line per block, no helper run; a CPU" {
	boot_suite sid --append 'hpo.pkg=installed hpo.coldplug=hotplug' --online-capable
	run -0 vm_sh 'dmesg | grep "CPU topo: Allowing"'
	assert_output --partial 'Allowing 1 present CPUs plus 3 hotplug CPUs'
	policy_sequence "sid $(vm_sh 'uname -r')"
	cpu_add
}

@test "sid: replayed add events carry SYNTH_UUID" {
	need_suite sid
	assert_replays_marked
}
