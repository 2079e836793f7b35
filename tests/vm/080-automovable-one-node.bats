#!/usr/bin/env bats
# Scenario 8: memory = auto-movable against the kernel's own rule.  512 MiB
# at boot, then DIMMs of 512 MiB, 1 GiB and 2 GiB: at the default ratio
# (301 %) about 1.5 GiB may be movable, so the sequence straddles the limit.
# The kernel's choice (6.1, online_policy=auto-movable) is the oracle; the
# package's userspace rule must pick the same zone for every block, on 6.1
# (test build, forced) and on Debian 11's 5.10 (no kernel policy), where a
# DIMM in Movable must hot-remove cleanly.
load common
load automovable

# AM_MACHINE and AM_SEQ are read by automovable.bash.
# shellcheck disable=SC2034,SC2054
AM_MACHINE=(--mem 512M --maxmem 8G)
# shellcheck disable=SC2034
AM_SEQ=(512M 1G 2G)

setup_file() { am_setup_file; }
teardown_file() { guest_stop; }

@test "6.1, kernel decides (online_policy=auto-movable, memory = online)" {
	am_run kernel
	am_check_units kernel
}

@test "6.1, userspace decides (test build, HOTPLUG_ONLINE_TEST_USERSPACE_POLICY=1): same zones" {
	am_run user
	am_check_units user
	am_compare kernel user
}

@test "5.10 (Debian 11), userspace decides (shipped binary): same zones as 6.1's kernel" {
	reason=$(am_k510_missing) && skip "$reason"
	am_run user510
	am_check_units user510
	am_compare kernel user510
	# Debian 12's udevd on Debian 11's kernel: alive, and nothing logged at
	# err or worse but what 6.1 logs too (groups this image has no names for).
	run -0 vm_sh 'pidof systemd-udevd && udevadm --version'
	echo "# 5.10: systemd-udevd $(tail -n 1 <<< "$output") runs" >&3
	run -0 vm_sh 'grep -E "daemon\.(err|crit|alert|emerg) systemd-udevd" /var/log/messages | grep -v "Unknown group" || true'
	assert_output ''
}

@test "5.10: every DIMM in Movable hot-removes (device_del), its blocks gone, MemTotal back" {
	reason=$(am_k510_missing) && skip "$reason"
	[[ -s $AM_RUNS/user510.ids ]] || fail "no 5.10 run to remove from"
	removed=0
	while read -r id addr bytes; do
		run -0 vm_sh "hpo-vm blocks $addr $bytes"
		grep -qv ' online Movable$' <<< "$output" && continue
		before=$(vm_sh 'hpo-vm memtotal')
		run -0 vm_del "$id" --timeout 60
		run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm all absent $addr $bytes'"
		echo "# 5.10: $id ($((bytes >> 20)) MiB, Movable) removed, blocks gone after $output ms" >&3
		after=$(vm_sh 'hpo-vm memtotal')
		assert_equal "$((before - after))" "$((bytes >> 10))"
		run -0 vm_qmp query-memory-devices
		refute_output --partial "\"$id\""
		removed=$((removed + 1))
	done < "$AM_RUNS/user510.ids"
	((removed > 0)) || fail "no DIMM went to Movable on 5.10"
	assert_no_failure_logged
}
