#!/usr/bin/env bats
# Debian 12's 6.1 with the package installed (its setup unit ran at boot:
# the kernel onlines hot-added memory) and its log service running, in one
# guest, what a user sees in turn:
#   a 1 GiB DIMM: 8 blocks online in ZONE_NORMAL, one line each naming
#   size, node and zone, MemTotal +1 GiB, no helper run;
#   a second 1 GiB DIMM: its 8 blocks too, the first DIMM's not logged again;
#   two vCPUs: both online (the rule's helper), one line each;
#   an administrator's offline then online of a block: a line each;
#   "memory = online_movable" and setup (as the .path unit runs it): a DIMM
#   in ZONE_MOVABLE that device_del removes, an offline line per block,
#   MemTotal back.
load common

setup_file() { guest_boot --append hpo.pkg=installed --smp 1 --maxcpus 4; }
teardown_file() { guest_stop; }

# Each test is a process of its own: all of them talk to the file's guest.
export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

@test "boot: the package's setup unit ran (the kernel onlines), its log service runs" {
	run -0 vm_sh 'sed -n "s/^ExecStart=//p" /usr/lib/systemd/system/hotplug-online-setup.service'
	exec_start=$output
	run -0 vm_sh 'cat /run/hpo-vm-unit/hotplug-online-setup.service.log; cat /sys/devices/system/memory/auto_online_blocks'
	assert_line "$exec_start -> 0"
	assert_line online
	run -0 vm_sh "hpo-vm-unit status $LOGD; pidof hotplug-online"
	[[ ${lines[0]} =~ ^active\ ([0-9]+)$ ]] || fail "the log service is not running: $output"
	assert_equal "${lines[1]}" "${BASH_REMATCH[1]}"
}

@test "1 GiB DIMM: 8 blocks online in ZONE_NORMAL, one line each, MemTotal +1 GiB, no helper run" {
	before=$(vm_sh 'hpo-vm memtotal')
	vm_sh 'hpo-vm execs start'
	add_dimm 1G
	assert_equal "${#BLOCKS[@]}" 8
	wait_blocks online
	run -0 vm_sh 'udevadm settle --timeout=30; hpo-vm execs count; hpo-vm execs stop'
	assert_output 0
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online Normal"
	done
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal\)$"
	done
	assert_no_failure_logged
	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$((after - before))" "$((1024 * 1024))"
}

@test "a second 1 GiB DIMM: 16 blocks online, each logged once, MemTotal +2 GiB in all" {
	first=$(vm_sh 'hpo-vm new-blocks' | cut -d' ' -f1)
	add_dimm 1G
	wait_blocks online
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 16
	refute_output --partial offline
	# shellcheck disable=SC2086 # block names
	assert_logged_once $first "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal\)$"
	done
	assert_no_failure_logged
}

@test "two hot-added CPUs come online, one line each" {
	vm_add_cpu
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 2 1'"
	echo "# 2 CPUs online after $output ms" >&3
	run -0 vm_sh 'hpo-vm new-cpus'
	mapfile -t cpus < <(cut -d' ' -f1 <<< "$output")
	run -0 vm_sh 'grep -c ^processor /proc/cpuinfo'
	assert_output 3
	assert_logged_once "${cpus[@]}"
	for c in "${cpus[@]}"; do
		assert_line --regexp "${LOG_HELPER}${c}: online$"
	done
	assert_no_failure_logged
}

@test "an administrator's offline, then online, of one block: a line each, in order" {
	assert_offline_online_logged "$(last_block)" Normal
}

@test "online_movable: DIMM in ZONE_MOVABLE, device_del removes it, an offline line per block, MemTotal back" {
	run -0 vm_sh 'echo "memory = online_movable" >> /etc/hotplug-online.conf && hotplug-online setup > /dev/null && cat /sys/devices/system/memory/auto_online_blocks'
	assert_output online_movable
	before=$(vm_sh 'hpo-vm memtotal')
	log_mark
	add_dimm 1G
	wait_blocks online
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online Movable"
	done
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Movable\)$"
	done

	log_mark
	run -0 vm_del "$DIMM_ID" --timeout 60
	wait_blocks absent
	run -0 vm_qmp query-memory-devices
	refute_output --partial "\"$DIMM_ID\""
	assert_equal "$(vm_sh 'hpo-vm memtotal')" "$before"
	wait_lines offline "${BLOCKS[@]}"
	run -0 vm_sh "sleep 0.5; hpo-vm log $LOG_MARK"
	assert_once offline "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		# The block may be gone before the log service reads its size and
		# node, or go while it reads (its size read, its node link gone).
		assert_line --regexp "${LOG_HELPER}${b}: offline( \(128 MiB(, node 0)?\))?$"
	done
	assert_no_failure_logged
}
