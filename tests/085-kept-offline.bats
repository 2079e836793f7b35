#!/usr/bin/env bats
# Devices that are someone else's to online: dax kmem memory (daxctl's,
# found in /proc/iomem, HOTPLUG_ONLINE_TEST_IOMEM here) and CPUs the
# kernel command line keeps offline (maxcpus=, nosmt), which a sweep, and
# a udev add on a kernel that cannot mark replays (before 4.13,
# HOTPLUG_ONLINE_TEST_RELEASE), leave alone.  Blocks are 128 MiB: memoryN
# starts at N * 0x8000000 (memory4 at 0x20000000).

load test_helper/common

setup() {
	common_setup
	start_devlog
	IOMEM=$HOTPLUG_ONLINE_TEST_IOMEM
}

L='<30>hotplug-online[PID]:'
DAX_LEFT='left offline: dax kmem memory is daxctl'"'"'s (dax_kmem = online to online it)'

@test "dax kmem: memory the kmem driver added is left offline, said at a hot-add, not at a replay" {
	mksysfs
	printf '%s\n' '00000000-1fffffff : System RAM' '20000000-3fffffff : System RAM (kmem)' \
		'  20000000-3fffffff : dax0.0' >"$IOMEM"
	before=$(tree_sums)
	hotadd /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	hotadd --replay /devices/system/memory/memory5
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "$L memory4: $DAX_LEFT"
	assert_equal "$(marks)" ''
	# A sweep says so for each block, and still onlines the CPUs.
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output "memory4: $DAX_LEFT
memory5: $DAX_LEFT
memory6: $DAX_LEFT
memory7: $DAX_LEFT
cpu2: onlined
cpu3: onlined"
	assert_equal "$(mem_state 4)$(mem_state 7)" offlineoffline
}

@test "dax kmem: dax_kmem = online onlines it; a DIMM's and virtio-mem's blocks are onlined either way" {
	mksysfs
	printf '%s\n' '20000000-27ffffff : System RAM (kmem)' '28000000-2fffffff : System RAM (virtio_mem)' \
		'30000000-37ffffff : System RAM' >"$IOMEM"
	before=$(tree_sums)
	for b in 5 6; do hotadd "/devices/system/memory/memory$b"; done
	assert_equal "$(changed_since "$before")" 'devices/system/memory/memory5/state
devices/system/memory/memory6/state'
	echo 'dax_kmem = online' >"$CFG"
	hotadd /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	assert_equal "$(devlog)" "$L memory5: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
$L memory6: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
$L memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)"
}

@test "dax kmem: the innermost System RAM range decides" {
	mksysfs
	printf '%s\n' '00000000-ffffffff : System RAM' '  20000000-27ffffff : System RAM (kmem)' \
		'    20000000-27ffffff : dax0.0' >"$IOMEM"
	hotadd /devices/system/memory/memory4
	hotadd /devices/system/memory/memory5
	assert_equal "$(mem_state 4)$(mem_state 5)" offlineonline
	# Control: the same ranges the other way round.
	printf '%s\n' '00000000-ffffffff : System RAM (kmem)' '  28000000-2fffffff : System RAM' >"$IOMEM"
	hotadd /devices/system/memory/memory6
	assert_equal "$(mem_state 6)" offline
	echo offline >"$MEM/memory5/state"
	hotadd /devices/system/memory/memory5
	assert_equal "$(mem_state 5)" online
}

@test "dax kmem: an /proc/iomem of another shape is bad input: exit 2, the line named, nothing written" {
	mksysfs
	for bad in 'garbage' '20000000 : System RAM' '20000000-1fffffff : System RAM' \
		'2000000g-27ffffff : System RAM' '20000000-27ffffff: System RAM' '20000000-27ffffff : ' \
		$'00000000-0fffffff : System RAM\n\n' "20000000-27ffffff : System RAM ($(printf 'k%.0s' {1..40}))"; do
		printf '%s\n' '00000000-00000fff : Reserved' "$bad" >"$IOMEM"
		: >"$DEVLOG_OUT"
		before=$(tree_sums)
		uevent -2 add /devices/system/memory/memory4
		[[ $stderr == "hotplug-online: '/proc/iomem' line "[23]": unexpected contents: nothing changed" ]] ||
			fail "iomem '$bad': $stderr"
		# A sweep stops at the first block, before any write, the CPUs' too.
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
		assert_output ''
		assert_equal "$(tree_sums)" "$before"
		run -0 devlog
		assert_line --index 0 --regexp "^<27>hotplug-online\\[PID\\]: '/proc/iomem' line [23]: unexpected contents: nothing changed$"
	done
	# Not read at all with dax_kmem = online, nor for a CPU.
	uevent add /devices/system/cpu/cpu3
	echo 'dax_kmem = online' >"$CFG"
	uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)$(cpu_online 3)" online1
}

@test "dax kmem: a NUL byte in /proc/iomem: exit 2, said, nothing written" {
	mksysfs
	printf '00000000-1fffffff : System RAM\n20000000-3fffffff : System\0RAM\n' >"$IOMEM"
	before=$(tree_sums)
	uevent -2 add /devices/system/memory/memory4
	assert_equal "$stderr" "hotplug-online: '/proc/iomem': unexpected contents: nothing changed"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4 cpu3
	assert_equal "$stderr" "hotplug-online: '/proc/iomem': unexpected contents: nothing changed"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "<27>hotplug-online[PID]: '/proc/iomem': unexpected contents: nothing changed
<27>hotplug-online[PID]: '/proc/iomem': unexpected contents: nothing changed"
}

@test "dax kmem: no /proc/iomem to read: the block is onlined" {
	mksysfs
	rm "$IOMEM"
	hotadd /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online
}

@test "CPUs kept offline by the command line: a sweep leaves them, naming the word; named, they are onlined" {
	for word in maxcpus=2 nosmt nosmt=force; do
		rm -rf "$SYS"
		mksysfs
		printf 'BOOT_IMAGE=/vmlinuz ro %s quiet\n' "$word" >"$HOTPLUG_ONLINE_TEST_CMDLINE"
		run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
		assert_output "memory4: onlined as online (128 MiB, node 1, zone Normal)
memory5: onlined as online (128 MiB, node 1, zone Normal)
memory6: onlined as online (128 MiB, node 1, zone Normal)
memory7: onlined as online (128 MiB, node 1, zone Normal)
cpu2: left offline ('$word' on the kernel command line: name it to online it)
cpu3: left offline ('$word' on the kernel command line: name it to online it)"
		assert_equal "$(cpu_online 2)$(cpu_online 3)" 00
		run -0 ho --sysfs "$SYS" --config "$CFG" online cpu3
		assert_output 'cpu3: onlined'
		# A hot-add on a kernel that marks replays: onlined.
		uevent add /devices/system/cpu/cpu2
		assert_equal "$(cpu_online 2)" 1
	done
	# Control: words that only look like it, or after --.
	for cmdline in 'maxcpus=' 'nosmtx' 'xmaxcpus=2' 'ro -- maxcpus=1'; do
		rm -rf "$SYS"
		mksysfs
		echo "$cmdline" >"$HOTPLUG_ONLINE_TEST_CMDLINE"
		run -0 ho --sysfs "$SYS" --config "$CFG" online
		[[ $output == *$'\ncpu2: onlined\ncpu3: onlined' ]] || fail "command line '$cmdline': $output"
	done
}

@test "CPUs kept offline by the command line: a udev add on a kernel before 4.13 (no SYNTH_UUID) leaves them" {
	mksysfs
	echo 'maxcpus=1' >"$HOTPLUG_ONLINE_TEST_CMDLINE"
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_RELEASE=4.12.14 hotadd /devices/system/cpu/cpu3
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "$L cpu3: left offline ('maxcpus=1' on the kernel command line; this kernel does not mark replayed events)"
	for release in 4.13.0 5.10.0-28-amd64 6.1.0; do
		HOTPLUG_ONLINE_TEST_RELEASE=$release hotadd /devices/system/cpu/cpu3
		assert_equal "$(cpu_online 3)" 1
		echo 0 >"$CPU/cpu3/online"
	done
	# Control: without the word, an old kernel onlines it too.
	: >"$HOTPLUG_ONLINE_TEST_CMDLINE"
	HOTPLUG_ONLINE_TEST_RELEASE=3.10.0-1160.el7.x86_64 hotadd /devices/system/cpu/cpu3
	assert_equal "$(cpu_online 3)" 1
}

@test "CPUs kept offline: an escaped word, and an unreadable command line onlines them" {
	mksysfs
	printf 'maxcpus=1\033[2J\n' >"$HOTPLUG_ONLINE_TEST_CMDLINE"
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_line "cpu2: left offline ('maxcpus=1\\x1b[2J' on the kernel command line: name it to online it)"
	rm "$HOTPLUG_ONLINE_TEST_CMDLINE"
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_line 'cpu3: onlined'
}
