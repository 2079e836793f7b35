#!/usr/bin/env bats
# Issue 11: the rule and the helper tell a replay from a hot-add by
# SYNTH_UUID, which the kernel adds to an event written to a uevent file
# (`udevadm trigger`) from 4.13 on.  The matrix files check it on 6.1, 6.12
# and unstable's kernel in their guests; this one on Debian 11's 5.10
# (kernel.sh bullseye), the oldest kernel of the suite.
load matrix

@test "5.10 (Debian 11): replayed add events carry SYNTH_UUID" {
	boot_suite bullseye --append 'hpo.pkg=installed hpo.coldplug=hotplug'
	assert_replays_marked
}
