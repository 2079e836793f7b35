#!/usr/bin/env bats
# Debian 11's 5.10 (kernel.sh bullseye), the oldest kernel of the suite,
# with the package installed:
#   the rule and the helper tell a replay from a hot-add by SYNTH_UUID,
#   which the kernel adds to an event written to a uevent file (`udevadm
#   trigger`) from 4.13 on; the matrix files check it on 6.1, 6.12 and
#   unstable's kernel in their guests, this one on 5.10;
#   5.10 has no memory_hotplug.online_policy (5.15+): "memory =
#   auto-movable" onlines in a kernel zone, and setup and status say so in
#   one line.
load matrix

@test "5.10 (Debian 11): replayed add events carry SYNTH_UUID" {
	boot_suite bullseye --append 'hpo.pkg=installed hpo.coldplug=hotplug'
	assert_replays_marked
}

@test "5.10: memory = auto-movable: setup and status say the kernel has no online_policy; a DIMM online in a kernel zone" {
	export MATRIX_LABEL='5.10 auto-movable'
	msg="memory = auto-movable: this kernel has no memory_hotplug.online_policy (5.15+): hot-added memory goes online in a kernel zone"
	run -0 vm_sh "echo 'memory = auto-movable' >> /etc/hotplug-online.conf; hotplug-online setup"
	echo "# setup: $(tr '\n' ' ' <<< "$output")" >&3
	assert_line "$msg"
	assert_equal "$(grep -c 'online_policy' <<< "$output")" 1
	run -0 vm_sh 'hotplug-online status'
	assert_line --regexp 'online_policy.*5\.15\+.*kernel zone'
	run -0 vm_sh 'hpo-vm memhp'
	export MEMHP; MEMHP=$(tr "\n" " " <<< "$output")
	refute_output --partial online_policy
	assert_line 'auto_online_blocks online'
	hot_add 512M Normal
	assert_execs 0
}
