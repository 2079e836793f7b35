#!/usr/bin/env bats
# Scenario 14: a burst's lines from one helper run (logger.c).  Debian 12's
# kernel and udevd with the package installed: the run udevd starts for
# the first `online` event of a DIMM stays, follows udevd's broadcast, and
# logs the blocks whose events our rule marked for it, instead of one exec
# per block.  Negative control: the same rule without the mark.
load common

setup_file() { guest_boot --append 'hpo.pkg=installed'; }   # no hpo.logd=1: no resident logger
teardown_file() { guest_stop; }

# The runs udevd starts before the first one has made its link (under TCG
# a handful: udevd handles several events while one exec starts) log their
# own lines: fewer than one per block, never a line twice.
@test "burst: a 2 GiB DIMM's 16 lines, once each, from a few runs; the link goes, no warning" {
	add_dimm 2G
	wait_blocks online
	assert_logged_once "${BLOCKS[@]}"
	n=$(line_pids "${BLOCKS[@]}" | wc -l)
	echo "# ${#BLOCKS[@]} lines from $n helper runs" >&3
	# Fewer runs than lines (the negative control below has one each); how
	# many fewer depends on the host's load (6 to 10 of 16 seen).
	((n < ${#BLOCKS[@]})) || fail "$n helper runs logged the ${#BLOCKS[@]} lines"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal; by the kernel's auto-online\)$"
	done
	assert_no_failure_logged
	run -0 vm_sh 'test ! -e /run/hotplug-online/logger && test ! -L /run/hotplug-online/logger && echo gone'
	assert_output gone
}

@test "burst: an administrator's offline, then online, of one block: a line each, in order" {
	b=$(last_block)
	vm_sh "echo offline > /sys/devices/system/memory/$b/state; udevadm settle --timeout=30
		echo online > /sys/devices/system/memory/$b/state; udevadm settle --timeout=30"
	assert_offline_online_logged "$b"
}

@test "burst: negative control: without the rule's test of the logger, each block is a run of its own" {
	vm_sh "mkdir -p /etc/udev/rules.d && sed '/logger\/alive/d' /usr/lib/udev/rules.d/39-hotplug-online.rules \
		> /etc/udev/rules.d/39-hotplug-online.rules && udevadm control --reload"
	add_dimm 1G
	wait_blocks online
	assert_logged_once "${BLOCKS[@]}"
	n=$(line_pids "${BLOCKS[@]}" | wc -l)
	vm_sh 'rm /etc/udev/rules.d/39-hotplug-online.rules; udevadm control --reload'
	assert_equal "$n" "${#BLOCKS[@]}"
}
