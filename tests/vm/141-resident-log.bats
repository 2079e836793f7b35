#!/usr/bin/env bats
# Scenario 14b: the resident logger (hotplug-online-log.service, started as
# systemd would in sysinit).  Debian 12's kernel and udevd with the package
# installed: the kernel onlines a hot-added DIMM, the rule marks each
# `online` event for the logger and runs nothing, and the logger's one
# process writes every line.  Then without it: the rule's runs log again.
load common

setup_file() { guest_boot --append 'hpo.pkg=installed hpo.logd=1'; }
teardown_file() { guest_stop; }

# wait_lines N NAMES...: until each of NAMES has an `online` line (the
# logger writes at idle priority, after udevd is done), BOUND s at most;
# then $output is the log.
wait_lines() {
	local name missing
	for ((i = 0; i < BOUND * 5; i++)); do
		run -0 vm_sh 'hpo-vm log'
		missing=0
		for name in "$@"; do
			grep -qE "${LOG_HELPER}${name}: online \(" <<< "$output" || missing=1
		done
		((missing)) || return 0
		sleep 0.2
	done
	fail "not every block was logged within $BOUND s" "$output"
}

@test "resident: the logger runs, its link resolves to burst/" {
	run -0 vm_sh 'pidof hotplug-online'
	LOGD=$output
	[[ $LOGD =~ ^[0-9]+$ ]] || fail "not one logger process: '$LOGD'"
	run -0 vm_sh 'readlink /run/hotplug-online/logger; test -e /run/hotplug-online/logger/alive2 && echo alive'
	assert_line --regexp "^/proc/$LOGD/fd/[0-9]+\$"
	assert_line alive
}

@test "resident: a 2 GiB DIMM's 16 lines, once each, all from the logger: no helper run for them" {
	run -0 vm_sh 'pidof hotplug-online'
	LOGD=$output
	add_dimm 2G
	wait_blocks online
	wait_lines "${BLOCKS[@]}"
	# A second line would come within the second.
	vm_sh 'sleep 1'
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal; by the kernel's auto-online\)$"
	done
	assert_equal "$(line_pids "${BLOCKS[@]}")" "hotplug-online[$LOGD]"
	assert_no_failure_logged
}

@test "resident: an administrator's offline, then online, of one block: a line each, in order" {
	b=$(last_block)
	vm_sh "echo offline > /sys/devices/system/memory/$b/state; echo online > /sys/devices/system/memory/$b/state"
	wait_lines "$b"
	vm_sh 'sleep 1'
	assert_offline_online_logged "$b"
}

@test "resident: stopped (SIGTERM), its link goes, and the rule's runs log the next DIMM" {
	run -0 vm_sh 'pidof hotplug-online'
	LOGD=$output
	run -0 vm_sh "kill -TERM $LOGD; for i in \$(seq 50); do kill -0 $LOGD 2>/dev/null || break; sleep 0.1; done
		kill -0 $LOGD 2>/dev/null && echo running; test -L /run/hotplug-online/logger && echo link; true"
	assert_output ''
	add_dimm 1G
	wait_blocks online
	assert_logged_once "${BLOCKS[@]}"
	pids=$(line_pids "${BLOCKS[@]}")
	[[ $pids != *"[$LOGD]"* ]] || fail "the stopped logger's PID wrote: $pids"
	assert_no_failure_logged
}

# The rule marks only the events it runs the helper for
# (HOTPLUG_ONLINE_LOG=run), and udevd keeps that mark in its database.  It
# does not carry it into the device's next event (systemd copies a
# device's stored properties into a new event only for `move`): if it did,
# the logger would take the block's next line for a run's and lose it.
@test "resident: started again, a block whose last event was a run's (its mark in udev's database) gets its line from the logger" {
	b=$(last_block)
	# No logger now: the block's offline event is a run's, marked.
	vm_sh "echo offline > /sys/devices/system/memory/$b/state; udevadm settle --timeout=30"
	run -0 vm_sh "cat /run/udev/data/+memory:$b"
	assert_line 'E:HOTPLUG_ONLINE_LOG=run'
	# shellcheck disable=SC2016 # the script expands in the guest
	vm_sh 'hpo-vm-unit exec hotplug-online-log.service </dev/null >/dev/null 2>&1 &
		for i in $(seq 100); do test -e /run/hotplug-online/logger/alive2 && break; sleep 0.1; done'
	run -0 vm_sh 'pidof hotplug-online'
	LOGD=$output
	[[ $LOGD =~ ^[0-9]+$ ]] || fail "not one logger process: '$LOGD'"
	vm_sh "echo online > /sys/devices/system/memory/$b/state"
	for ((i = 0; i < BOUND * 5; i++)); do
		vm_sh "hpo-vm log | grep -q 'hotplug-online\\[$LOGD\\]: $b: online'" && break
		sleep 0.2
	done
	vm_sh 'sleep 1'
	run -0 vm_sh "hpo-vm log | grep -E ' $b: (online|offline)' | tail -n 2"
	assert_line -n 0 --regexp "hotplug-online\[[0-9]+\]: $b: offline \(128 MiB, node 0\)$"
	refute_line -n 0 --partial "hotplug-online[$LOGD]"
	assert_line -n 1 --regexp "hotplug-online\[$LOGD\]: $b: online \(128 MiB, node 0, zone Normal; by another agent\)$"
	run vm_sh "cat /run/udev/data/+memory:$b"
	refute_output --partial 'HOTPLUG_ONLINE_LOG'
	assert_no_failure_logged
}
