#!/usr/bin/env bats
# Issue 11: what a boot's replay (`udevadm trigger --action=add`, marked
# SYNTH_UUID by the kernel) must not undo.
#   maxcpus=1 with 2 CPUs present: cpu1 stays offline through the replays,
#   while a real hot-add is onlined; the negative control runs the helper
#   as udev would for an unmarked add, and it onlines cpu1.
#   An administrator's offlined block stays offline through an upgrade's
#   postinst (configure OLDVERSION); a first install's replays it.
#   threads=2 booted nosmt: the siblings stay offline, no error; with SMT
#   back on, onlining a sibling works.
load common

# Each test is a process of its own: all of them talk to the file's guest.
export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

teardown_file() { guest_stop; }

# The helper as udevd runs it for an add without SYNTH_UUID.
unmarked_add() {
	vm_sh "ACTION=add SUBSYSTEM=cpu DEVPATH=/devices/system/cpu/$1 hotplug-online udev; udevadm settle --timeout=30"
}

@test "maxcpus=1: cpu1 stays offline through the boot's and another replay, no line, no error" {
	guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug maxcpus=1' --smp 2
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online'
	assert_output 0
	run -0 vm_sh 'udevadm trigger --action=add --subsystem-match=cpu && udevadm settle --timeout=30; cat /sys/devices/system/cpu/cpu1/online'
	assert_output 0
	run -0 vm_sh 'hpo-vm log'
	refute_output --partial 'cpu1'
	assert_no_failure_logged
}

@test "maxcpus=1: a real CPU hot-add is onlined, one line" {
	cpu_add
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online'
	assert_output 0
}

@test "maxcpus=1, negative control: the same add without SYNTH_UUID onlines cpu1" {
	run -0 unmarked_add cpu1
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online'
	assert_output 1
	assert_logged_once cpu1
	assert_line --regexp "${LOG_HELPER}cpu1: online$"
}

@test "upgrade: a block the administrator took offline stays offline; a first install's postinst onlines it" {
	# Movable, so that it can be taken offline again (a Normal block
	# mostly cannot: unmovable pages, EBUSY).
	run -0 vm_sh "echo 'memory = online_movable' >> /etc/hotplug-online.conf && hotplug-online setup"
	add_dimm 256M
	wait_blocks online
	b=${BLOCKS[0]}
	assert_logged_once "$b"
	log_mark
	run -0 vm_sh "echo offline > /sys/devices/system/memory/$b/state && udevadm settle --timeout=30; cat /sys/devices/system/memory/$b/state"
	assert_output offline
	wait_lines offline "$b"
	assert_line --regexp "${LOG_HELPER}${b}: offline \(128 MiB, node 0\)$"
	# The upgrade's scripts, with the log service stopped and started
	# again as on a systemd machine.
	run -0 vm_sh 'hpo-vm-pkg upgrade 0.0.1-1 && udevadm settle --timeout=30'
	run -0 vm_sh "sleep 2; cat /sys/devices/system/memory/$b/state"
	assert_output offline
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online'
	assert_output 1
	# Negative control: postinst configure with no old version (a first
	# install) replays memory and brings it back: the helper onlines it,
	# the log service logs it.
	log_mark
	run -0 vm_sh '/var/lib/dpkg/info/hotplug-online.postinst configure && udevadm settle --timeout=30'
	run -0 vm_sh "hpo-vm wait $BOUND 'test \$(cat /sys/devices/system/memory/$b/state) = online'"
	assert_logged_once "$b"
	assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Movable\)$"
	assert_no_failure_logged
}

@test "nosmt, 2 threads per core: the sibling stays offline through the replays, no error" {
	guest_stop 2> /dev/null || true
	# qemu64 is an AMD model, whose family qemu gives no SMT without
	# topoext (which TCG lacks): the same CPU as an Intel one.
	guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug nosmt' --smp 2 --threads 2 \
		--qemu-arg=-cpu --qemu-arg=qemu64,vendor=GenuineIntel
	run -0 vm_sh 'cat /sys/devices/system/cpu/smt/control /sys/devices/system/cpu/cpu1/online /sys/devices/system/cpu/cpu0/topology/thread_siblings_list'
	echo "# smt/control, cpu1 online, cpu0's siblings: $(tr '\n' ' ' <<< "$output")" >&3
	assert_line -n 0 off
	assert_line -n 1 0
	run -0 vm_sh 'udevadm trigger --action=add --subsystem-match=cpu && udevadm settle --timeout=30; cat /sys/devices/system/cpu/cpu1/online'
	assert_output 0
	run -0 vm_sh 'hpo-vm log'
	refute_output --partial 'cpu1'
	assert_no_failure_logged
	# Unmarked, the helper tries, the kernel refuses: left alone, no error.
	run -0 unmarked_add cpu1
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online; hpo-vm log'
	assert_line -n 0 0
	assert_line --regexp "${LOG_HELPER}cpu1: left offline \(SMT disabled\)$"
	assert_no_failure_logged
}

@test "nosmt, negative control: with smt/control on, onlining the sibling works" {
	run -0 vm_sh 'echo on > /sys/devices/system/cpu/smt/control; udevadm settle --timeout=30; cat /sys/devices/system/cpu/cpu0/topology/thread_siblings_list'
	echo "# after smt/control on, cpu0's siblings: $output" >&3
	assert_output 0-1
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online'
	echo "# after smt/control on, cpu1 online: $output" >&3
	if [[ $output == 1 ]]; then
		# The kernel onlined it itself: offline it again to ask the helper.
		vm_sh 'echo 0 > /sys/devices/system/cpu/cpu1/online; udevadm settle --timeout=30'
	fi
	log_mark
	run -0 unmarked_add cpu1
	run -0 vm_sh 'cat /sys/devices/system/cpu/cpu1/online'
	assert_output 1
	assert_logged_once cpu1
	assert_line --regexp "${LOG_HELPER}cpu1: online$"
	assert_no_failure_logged
}
