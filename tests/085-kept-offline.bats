#!/usr/bin/env bats
# Devices the helper leaves offline on purpose, and says why (at a hot-add
# and on a terminal; never at a replay):
#  - memory the kernel command line keeps offline (memhp_default_state=
#    offline, and no `memory =` line in the configuration);
#  - dax kmem memory, daxctl's: a block inside a bus/dax/devices/<dev>
#    range (resource + size), unless dax_kmem = online;
#  - CPUs the command line keeps offline (maxcpus=, nosmt), which a sweep,
#    and a udev add on a kernel that cannot mark replays (before 4.13,
#    HOTPLUG_ONLINE_TEST_RELEASE), leave alone.
# Blocks are 128 MiB: memoryN starts at N * 0x8000000 (memory4 at
# 0x20000000).

load test_helper/common

L='<30>hotplug-online[PID]:'

@test "memhp_default_state=offline and no 'memory =': hot-added memory stays offline, said once at a hot-add" {
	mksysfs
	echo 'BOOT_IMAGE=/vmlinuz ro memhp_default_state=offline quiet' >"$CMDLINE"
	before=$(tree_sums)
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	uevent --replay add /devices/system/memory/memory5
	assert_equal "$(logged)" "$L memory4: left offline ('memhp_default_state=offline' on the kernel command line)"
	# A sweep leaves them too, saying so for each; CPUs are not concerned.
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output "memory4: left offline ('memhp_default_state=offline' on the kernel command line)
memory5: left offline ('memhp_default_state=offline' on the kernel command line)
memory6: left offline ('memhp_default_state=offline' on the kernel command line)
memory7: left offline ('memhp_default_state=offline' on the kernel command line)
cpu2: onlined
cpu3: onlined"
	assert_equal "$(changed_since "$before")" 'devices/system/cpu/cpu2/online
devices/system/cpu/cpu3/online'
}

@test "memhp_default_state=online*: the kernel's type is written; the last word counts, as for the kernel" {
	mksysfs
	for type in online online_movable online_kernel; do
		echo "memhp_default_state=$type" >"$CMDLINE"
		echo offline >"$MEM/memory4/state"
		uevent add /devices/system/memory/memory4
		assert_equal "$(mem_state 4)" "$type"
	done
	echo 'memhp_default_state=online_movable memhp_default_state=offline' >"$CMDLINE"
	echo offline >"$MEM/memory4/state"
	uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" offline
	echo 'memhp_default_state=offline memhp_default_state=online_kernel' >"$CMDLINE"
	uevent add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online_kernel
}

@test "a 'memory =' line wins over the command line: onlined as the file says, silently" {
	mksysfs
	echo 'memhp_default_state=offline' >"$CMDLINE"
	echo 'memory = online_movable' >"$CFG"
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online_movable
	echo 'memory = online' >"$CFG"
	uevent --replay add /devices/system/memory/memory5
	assert_equal "$(mem_state 5)" online
	assert_equal "$(logged)" ''
	# Without the line, the same command line keeps memory6 offline (control).
	echo 'cpu = on' >"$CFG"
	uevent add /devices/system/memory/memory6
	assert_equal "$(mem_state 6)" offline
}

@test "command-line words that leave no choice: online (memory_hotplug.* policy, a value the kernel ignores, after --)" {
	mksysfs offline=8
	i=4
	for words in memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=50 \
		memhp_default_state=bogus memhp_default_state= memhp_default_state=Offline \
		'ro -- memhp_default_state=offline' xmemhp_default_state=offline 'memhp_default_state =offline'; do
		echo "$words" >"$CMDLINE"
		uevent add "/devices/system/memory/memory$i"
		[[ $(mem_state "$i") == online ]] || fail "command line '$words': memory$i reads $(mem_state "$i")"
		i=$((i + 1))
	done
	assert_equal "$(logged)" ''
}

DAX_LEFT="left offline: memory of dax0.0, daxctl's (dax_kmem = online to online it)"

@test "dax kmem: a block inside a dax device's range is left offline, said at a hot-add, not at a replay" {
	# dax0.0: 256 MiB at 0x20000000, memory4 and memory5.
	mksysfs dax='dax0.0:0x20000000:268435456'
	before=$(tree_sums)
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	uevent --replay add /devices/system/memory/memory5
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" "$L memory4: $DAX_LEFT"
	# A sweep says so for each of its blocks, and onlines the rest.
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output "memory4: $DAX_LEFT
memory5: $DAX_LEFT
memory6: onlined as online (128 MiB, node 1, zone Normal)
memory7: onlined as online (128 MiB, node 1, zone Normal)
cpu2: onlined
cpu3: onlined"
	assert_equal "$(mem_state 4)$(mem_state 5)" offlineoffline
}

@test "dax kmem: the range's edges; dax_kmem = online onlines its blocks" {
	# dax1.0 ends one byte before memory6; dax2.0 starts one byte into memory7.
	mksysfs dax='dax1.0:0x28000000:134217727 dax2.0:0x38000001:4096'
	for b in 4 5 6 7; do uevent add "/devices/system/memory/memory$b"; done
	assert_equal "$(mem_state 4)$(mem_state 5)$(mem_state 6)$(mem_state 7)" onlineofflineonlineonline
	echo 'dax_kmem = online' >"$CFG"
	uevent add /devices/system/memory/memory5
	assert_equal "$(mem_state 5)" online
	run -0 logged
	assert_line --index 0 "$L memory5: left offline: memory of dax1.0, daxctl's (dax_kmem = online to online it)"
	assert_equal "${#lines[@]}" 1
}

@test "dax kmem: a garbled resource or size is said, naming the device, and the block is onlined" {
	for bad in 'dax0.0:0x:268435456' 'dax0.0:0x20000000:' 'dax0.0:0x20000000:256M' \
		'dax0.0:0x2000000g:268435456' 'dax0.0:-1:268435456' 'dax0.0:0x20000000:99999999999999999999999' \
		'dax0.0:0x20000000:268435456x'; do
		rm -rf "$SYS"
		mksysfs dax="$bad"
		: >"$KMSG"
		uevent add /devices/system/memory/memory4
		[[ $stderr == "hotplug-online: '/sys/bus/dax/devices/dax0.0/resource' or 'size': unexpected contents" ]] ||
			fail "dax '$bad': $stderr"
		assert_equal "$(mem_state 4)" online
		assert_equal "$(logged)" "<27>hotplug-online[PID]: '/sys/bus/dax/devices/dax0.0/resource' or 'size': unexpected contents"
	done
	# A dax device without resource (kernels before it had one): not knowable, onlined, silently.
	rm -rf "$SYS"
	mksysfs dax='dax0.0:0x20000000:268435456'
	rm "$SYS/devices/platform/dax/dax0.0/resource"
	uevent add /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online
}

@test "CPUs kept offline by the command line: a sweep leaves them, naming the word; named, they are onlined" {
	for word in maxcpus=2 nosmt nosmt=force; do
		rm -rf "$SYS"
		mksysfs
		printf 'BOOT_IMAGE=/vmlinuz ro %s quiet\n' "$word" >"$CMDLINE"
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
	for words in 'maxcpus=' 'nosmtx' 'xmaxcpus=2' 'ro -- maxcpus=1'; do
		rm -rf "$SYS"
		mksysfs
		echo "$words" >"$CMDLINE"
		run -0 ho --sysfs "$SYS" --config "$CFG" online
		[[ $output == *$'\ncpu2: onlined\ncpu3: onlined' ]] || fail "command line '$words': $output"
	done
}

@test "CPUs kept offline by the command line: a udev add on a kernel before 4.13 (no SYNTH_UUID) leaves them" {
	mksysfs
	echo 'maxcpus=1' >"$CMDLINE"
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_RELEASE=4.12.14 uevent add /devices/system/cpu/cpu3
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" "$L cpu3: left offline ('maxcpus=1' on the kernel command line; this kernel does not mark replayed events)"
	for release in 4.13.0 5.10.0-28-amd64 6.1.0; do
		HOTPLUG_ONLINE_TEST_RELEASE=$release uevent add /devices/system/cpu/cpu3
		assert_equal "$(cpu_online 3)" 1
		echo 0 >"$CPU/cpu3/online"
	done
	# Control: without the word, an old kernel onlines it too.
	: >"$CMDLINE"
	HOTPLUG_ONLINE_TEST_RELEASE=3.10.0-1160.el7.x86_64 uevent add /devices/system/cpu/cpu3
	assert_equal "$(cpu_online 3)" 1
}

@test "CPUs kept offline: an escaped word; an unreadable command line onlines them" {
	mksysfs
	printf 'maxcpus=1\033[2J\n' >"$CMDLINE"
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_line "cpu2: left offline ('maxcpus=1\\x1b[2J' on the kernel command line: name it to online it)"
	printf 'maxcpus=1\0\n' >"$CMDLINE"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_line 'cpu3: onlined'
	assert_equal "$stderr" "hotplug-online: cannot read '/proc/cmdline': unexpected contents"
}

# Found by this suite at 8c47dc5: the scan stopped at the first garbled
# device, so a block of a good device listed after it was onlined.
@test "dax kmem: a garbled device does not hide a good one: the good one's block stays offline, both said" {
	# Both orders of the directory listing (hashed: the names decide it).
	for pair in 'daxA daxB' 'dax9.0 dax0.0'; do
		read -r bad good <<<"$pair"
		rm -rf "$SYS"
		mksysfs dax="$bad:0x:1 $good:0x20000000:268435456"
		: >"$KMSG"
		uevent add /devices/system/memory/memory4
		assert_equal "$(mem_state 4)" offline
		assert_equal "$(logged)" "<27>hotplug-online[PID]: '/sys/bus/dax/devices/$bad/resource' or 'size': unexpected contents
$L memory4: left offline: memory of $good, daxctl's (dax_kmem = online to online it)"
	done
}
