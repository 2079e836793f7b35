#!/usr/bin/env bats
# DEVPATH must be exactly /devices/system/memory/memory<N> or
# /devices/system/cpu/cpu<N>: every byte of the directory part counts,
# including the last '/'.  Found missing by a planted off-by-one
# (strncmp(s, "/devices/system/memory/", sizeof - 2)) that the rest of the
# suite let through: these DEVPATHs differ from a valid one in that byte
# only.  The fuzzer (tests/fuzz/fuzz_devpath.c) checks the same for any
# input; this is the deterministic regression test.

load test_helper/common

@test "devpath: one wrong byte where the directory's last '/' belongs is refused, nothing written" {
	mksysfs online=4 offline=4 nodes=1 cpus=4 offline_cpus=2
	before=$(tree_sums)
	local dp
	for dp in /devices/system/memoryXmemory5 /devices/system/memory_memory5 \
		/devices/system/memory.memory5 /devices/system/memorymemory5 \
		/devices/system/cpuXcpu3 /devices/system/cpu_cpu3 /devices/system/cpucpu3 \
		/devices/system/memory/memoryXmemory5 /devices/system/cpu/cpuXcpu3; do
		ACTION=add DEVPATH=$dp run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
		[[ $stderr == *"invalid DEVPATH '$dp'"* ]] || fail "DEVPATH $dp: stderr was: $stderr"
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online "$dp"
		[[ $stderr == *"invalid device '$dp'"* ]] || fail "online $dp: stderr was: $stderr"
	done
	assert_equal "$(changed_since "$before")" ''
	assert_equal "$(mem_state 5)" offline
	assert_equal "$(cpu_online 3)" 0
}

@test "devpath: the valid neighbours of those are accepted (control)" {
	mksysfs online=4 offline=4 nodes=1 cpus=4 offline_cpus=2
	ACTION=add DEVPATH=/devices/system/memory/memory5 SUBSYSTEM=memory run -0 \
		ho --sysfs "$SYS" --config "$CFG" udev
	ACTION=add DEVPATH=/devices/system/cpu/cpu3 SUBSYSTEM=cpu run -0 \
		ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$(mem_state 5)" online
	assert_equal "$(cpu_online 3)" 1
}
