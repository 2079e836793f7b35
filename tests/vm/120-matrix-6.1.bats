#!/usr/bin/env bats
# The zone and log matrix on Debian 12's 6.1 (the default kernel), package
# installed: "memory = online", "online_movable", "auto-movable" applied in
# turn in one guest (setup after each change, as the .path unit runs it),
# a 512 MiB DIMM each.  setup programs the kernel, which onlines every block
# in the configured zone with no helper run; the log service gives each
# block one line naming its zone; the movable DIMMs hot-remove, an offline
# line each.  Then auto-movable is the kernel's own policy at its ratio:
# with "movable_ratio = 150" (setup writes it to the kernel), 150 % of the
# 512 MiB of boot memory is about 767 MiB: a 512 MiB DIMM goes Movable, the
# next one (1 GiB movable in all) to a kernel zone.
load matrix

@test "6.1: online, online_movable, auto-movable in turn: zones, one line per block, no helper run" {
	boot_suite '' --append 'hpo.pkg=installed hpo.coldplug=hotplug'
	policy_sequence 6.1
}

@test "6.1: auto-movable is the kernel's online_policy at the configured ratio: Movable within it, a kernel zone past it" {
	export MATRIX_LABEL='6.1 auto-movable, movable_ratio = 150'
	configure 'memory = auto-movable' 'movable_ratio = 150'
	assert_line 'online_policy auto-movable'
	assert_line 'auto_movable_ratio 150'
	hot_add 512M Movable
	assert_execs 0
	hot_add 512M Normal
	assert_execs 0
}

@test "6.1: replayed add events carry SYNTH_UUID" {
	need_suite ''
	assert_replays_marked
}
