#!/usr/bin/env bats
# Issue 10, the matrix on Debian 12's 6.1 (the default kernel), package
# installed: "memory = online", "online_movable", "auto-movable" applied in
# turn in one guest (setup after each change, as the .path unit runs it),
# a 512 MiB DIMM each.  setup programs the kernel, which onlines every block
# in the configured zone; each block gets one line naming it, the helper
# runs only for those lines, and the movable DIMMs hot-remove.
# Then the policy the kernel cannot be told: "kernel_auto_online = no" with
# "memory = online_movable" and RHEL 8's rule, which writes "online" (a
# kernel zone) to every offline block: our IMPORT at 39- onlines it Movable
# first, their ATTR{state} read finds it online.
load matrix

@test "6.1: online, online_movable, auto-movable in turn: zones, one line per block, execs" {
	boot_suite '' --append hpo.pkg=installed
	policy_sequence 6.1
}

@test "6.1: replayed add events carry SYNTH_UUID" {
	assert_replays_marked
}

@test "6.1, rhel8, kernel_auto_online = no, online_movable: the udev path, Movable, by hotplug-online" {
	boot_suite '' --append 'hpo.pkg=installed hpo.rules=rhel8'
	export MATRIX_LABEL='6.1 rhel8 kernel_auto_online=no'
	configure 'kernel_auto_online = no' 'memory = online_movable'
	assert_output --partial 'auto_online_blocks offline'
	hot_add 512M Movable 'hotplug-online as online_movable'
	# One per block at the add (IMPORT, silent: the line is the online
	# event's), and 1 to one per block for the lines.
	count_runs
	assert_equal "$SILENT" "${#BLOCKS[@]}"
	((LOGGING >= 1 && LOGGING <= ${#BLOCKS[@]})) || fail "$LOGGING helper runs wrote the lines" "$EXECLIST"
	hot_remove
}
