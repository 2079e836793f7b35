#!/usr/bin/env bats
# Issue 18, bug 1, on Debian 13's 6.12 (kernel.sh trixie), which is built to
# online hot-added memory itself (CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO):
# memhp_default_state=offline on the kernel command line, the package
# installed with its defaults (no `memory =` line) and its log service
# running.  setup leaves auto_online_blocks at offline, and a hot-added
# 512 MiB DIMM stays offline, through the replay postinst makes too.
# Negative control: the same boot without the parameter onlines all 4 blocks.
load realparts

setup_file() { memhp_boot trixie memhp_default_state=offline; }
teardown_file() { guest_stop; }

@test "6.12, memhp_default_state=offline: setup leaves auto_online_blocks at offline" {
	memhp_assert_setup_offline
}

@test "6.12, memhp_default_state=offline: a 512 MiB DIMM's 4 blocks stay offline, the helper says why" {
	memhp_assert_dimm_offline
}

@test "6.12, memhp_default_state=offline: a replay of the add events leaves them offline, no new line" {
	memhp_assert_replay_offline
}

@test "6.12, negative control: the same boot without the parameter: the DIMM's 4 blocks come online" {
	guest_stop
	memhp_boot trixie
	memhp_assert_dimm_online
}
