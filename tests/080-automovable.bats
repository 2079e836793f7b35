#!/usr/bin/env bats
# memory = auto-movable, the userspace decision (kernels without
# memory_hotplug.online_policy) and the kernel-policy path, on fake trees
# and /proc/zoneinfo samples.  Blocks are 128 MiB = 32768 pages of 4 KiB.
#
# The fake tree takes whatever is written to 'state'; apply() plays the
# kernel's part after each onlining: the block reads online, its zone is
# the one asked for, /proc/zoneinfo grows by the block, and the kernel's
# `online` uevent runs the helper, which logs the line (hotadd in
# common.bash, with the zone set before the event as the kernel sets it).

load test_helper/common

BLOCK=32768

setup() {
	common_setup
	start_devlog
	export HOTPLUG_ONLINE_TEST_ZONEINFO="$BATS_TEST_TMPDIR/zoneinfo"
	export HOTPLUG_ONLINE_TEST_RUNDIR="$BATS_TEST_TMPDIR/run"
	printf 'memory = auto-movable\n' >"$CFG"
	KERNEL=(0 0) MOVABLE=(0 0)
}

# zoneinfo: write the sample from KERNEL[] and MOVABLE[] (pages per node),
# with a DMA zone and CMA lines as the real file has.
zoneinfo() {
	local n
	for n in 0 1; do
		printf 'Node %d, zone      DMA\n  pages free     3840\n        present  0\n        cma      0\n' "$n"
		printf 'Node %d, zone   Normal\n  per-node stats\n      nr_inactive_anon 4\n' "$n"
		printf '  pages free     1000\n        spanned  %d\n        present  %d\n        managed  %d\n        cma      0\n' \
			"${KERNEL[n]}" "${KERNEL[n]}" "${KERNEL[n]}"
		printf 'Node %d, zone  Movable\n        present  %d\n        cma      0\n' "$n" "${MOVABLE[n]}"
	done >"$HOTPLUG_ONLINE_TEST_ZONEINFO"
}

# device FIRST COUNT [NODE]: COUNT offline blocks from FIRST, one ACPI
# memory device (a shared firmware_node), on NODE.
device() {
	local i node=${3:-0}
	for ((i = $1; i < $1 + $2; i++)); do
		mkdir -p "$MEM/memory$i"
		echo offline >"$MEM/memory$i/state"
		echo 'Normal Movable' >"$MEM/memory$i/valid_zones"
		ln -s "../../node/node$node" "$MEM/memory$i/node$node"
		ln -s "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:00/PNP0C80:0$1" "$MEM/memory$i/firmware_node"
	done
}

# add N: the udev event for memoryN, then the kernel's part of it.
add() {
	uevent add "/devices/system/memory/memory$1"
	assert_equal "$output$stderr" ''
	apply "$1"
}

apply() {
	local b=$MEM/memory$1 node
	node=$(basename "$(ls -d "$b"/node[0-9]*)")
	node=${node#node}
	case $(cat "$b/state") in
	online_movable) echo Movable >"$b/valid_zones"; MOVABLE[node]=$((MOVABLE[node] + BLOCK)) ;;
	online_kernel) echo Normal >"$b/valid_zones"; KERNEL[node]=$((KERNEL[node] + BLOCK)) ;;
	online) echo Normal >"$b/valid_zones"; KERNEL[node]=$((KERNEL[node] + BLOCK)) ;;
	*) return 0 ;;
	esac
	echo online >"$b/state"
	zoneinfo
	uevent online "/devices/system/memory/memory$1"
	assert_equal "$output$stderr" ''
}

zones() {
	local i out=
	for i in "$@"; do out+="$(cat "$MEM/memory$i/valid_zones") "; done
	echo "${out% }"
}

@test "auto-movable: a device exactly at the ratio goes Movable, one block more goes kernel" {
	mksysfs online=4 offline=0 nodes=1
	printf 'memory = auto-movable\nmovable_ratio = 100\nmovable_numa_aware = no\n' >"$CFG"
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo   # boot: 512 MiB in kernel zones
	device 10 4                          # 512 MiB: 0 + 4 blocks <= 100% of 4 blocks
	device 20 1                          # then 128 MiB more: 4 + 1 > 4
	for i in 10 11 12 13 20; do add "$i"; done
	assert_equal "$(zones 10 11 12 13 20)" 'Movable Movable Movable Movable Normal'
	run -0 devlog
	assert_line '<30>hotplug-online[PID]: memory10: online (128 MiB, node 0, zone Movable; by hotplug-online as online_movable, auto-movable: 0+512 MiB movable within 100% of 512 MiB kernel)'
	# The device's later blocks reuse its one decision.
	assert_line '<30>hotplug-online[PID]: memory13: online (128 MiB, node 0, zone Movable; by hotplug-online as online_movable, auto-movable: as decided for PNP0C80:010 at memory10 (0+512 MiB movable within 100% of 512 MiB kernel))'
	assert_line '<30>hotplug-online[PID]: memory20: online (128 MiB, node 0, zone Normal; by hotplug-online as online_kernel, auto-movable: 512+128 MiB movable exceeds 100% of 512 MiB kernel)'
	assert_equal "$(devlog | wc -l)" 5
}

@test "auto-movable: a device that does not fit whole goes to a kernel zone whole, never split" {
	mksysfs online=4 offline=0 nodes=1
	printf 'memory = auto-movable\nmovable_ratio = 100\n' >"$CFG"
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 5                          # 640 MiB > 100% of 512 MiB
	for i in 10 11 12 13 14; do add "$i"; done
	assert_equal "$(zones 10 11 12 13 14)" 'Normal Normal Normal Normal Normal'
	run -0 devlog
	assert_line '<30>hotplug-online[PID]: memory10: online (128 MiB, node 0, zone Normal; by hotplug-online as online_kernel, auto-movable: 0+640 MiB movable exceeds 100% of 512 MiB kernel)'
	# The rest of the device follows its one decision.
	assert_line '<30>hotplug-online[PID]: memory11: online (128 MiB, node 0, zone Normal; by hotplug-online as online_kernel, auto-movable: as decided for PNP0C80:010 at memory10 (0+640 MiB movable exceeds 100% of 512 MiB kernel))'
}

@test "auto-movable: kernel memory hot-added since boot does not raise the budget" {
	mksysfs online=4 offline=0 nodes=1
	printf 'memory = auto-movable\nmovable_ratio = 100\n' >"$CFG"
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 5   # kernel, as above: the boot snapshot is taken now
	device 20 4   # 4 blocks fit 100% of the 4 boot blocks, not of 9
	device 30 1   # and then nothing more does
	for i in 10 11 12 13 14 20 21 22 23 30; do add "$i"; done
	assert_equal "$(zones 20 21 22 23 30)" 'Movable Movable Movable Movable Normal'
	[[ -f $HOTPLUG_ONLINE_TEST_RUNDIR/boot-zoneinfo ]]
}

@test "auto-movable: NUMA-aware, a node without the budget keeps its memory in a kernel zone" {
	mksysfs online=4 offline=0 nodes=2
	KERNEL=($((12 * BLOCK)) $((1 * BLOCK)))
	zoneinfo   # node 1 has 128 MiB of kernel memory
	device 10 4 1                                     # 512 MiB on node 1
	for i in 10 11 12 13; do add "$i"; done
	assert_equal "$(zones 10 11 12 13)" 'Normal Normal Normal Normal'
	run -0 devlog
	assert_line '<30>hotplug-online[PID]: memory10: online (128 MiB, node 1, zone Normal; by hotplug-online as online_kernel, auto-movable: 0+512 MiB movable within 301% of 1664 MiB kernel; node 1: 0+512 MiB exceeds 301% of 128 MiB kernel)'
}

@test "auto-movable: the same device with movable_numa_aware = no goes Movable" {
	mksysfs online=4 offline=0 nodes=2
	printf 'memory = auto-movable\nmovable_numa_aware = no\n' >"$CFG"
	KERNEL=($((12 * BLOCK)) $((1 * BLOCK)))
	zoneinfo
	device 10 4 1
	for i in 10 11 12 13; do add "$i"; done
	assert_equal "$(zones 10 11 12 13)" 'Movable Movable Movable Movable'
}

@test "auto-movable: blocks without a firmware_node are decided one by one" {
	mksysfs online=4 offline=2 offline_start=10 nodes=1
	printf 'memory = auto-movable\nmovable_ratio = 100\n' >"$CFG"
	KERNEL[0]=$BLOCK   # room for exactly one movable block
	zoneinfo
	zoneinfo
	add 10
	add 11
	assert_equal "$(zones 10 11)" 'Movable Normal'
}

@test "auto-movable: CMA pages count as movable, as the kernel counts them" {
	mksysfs online=4 offline=0 nodes=1
	printf 'memory = auto-movable\nmovable_ratio = 100\n' >"$CFG"
	KERNEL[0]=$((5 * BLOCK))
	zoneinfo
	sed -i "0,/cma      0/s//cma      $BLOCK/" "$HOTPLUG_ONLINE_TEST_ZONEINFO"   # node 0 DMA: a block of CMA...
	sed -i "0,/present  0/s//present  $BLOCK/" "$HOTPLUG_ONLINE_TEST_ZONEINFO"   # ...in a block of DMA
	device 10 5   # 5 + 1 boot blocks, 1 of them CMA: kernel 5, movable 1 + 5 > 5
	add 10
	assert_equal "$(zones 10)" 'Normal'
	run -0 devlog
	assert_line --partial 'as online_kernel, auto-movable: 128+640 MiB movable exceeds 100% of 640 MiB kernel)'
}

@test "auto-movable: dry run prints the decision and its numbers, writes nothing, makes no snapshot" {
	mksysfs online=4 offline=0 nodes=1
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 2
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run
	assert_line 'memory10: would online as online_movable, auto-movable: 0+256 MiB movable within 301% of 512 MiB kernel; node 0: 0+256 MiB within 301% of 512 MiB kernel'
	assert_line --index 1 --partial 'memory11: would online as online_movable'
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $HOTPLUG_ONLINE_TEST_RUNDIR ]] || fail "the dry run created $HOTPLUG_ONLINE_TEST_RUNDIR"
}

@test "auto-movable: a corrupt boot snapshot falls back to plain online, logged" {
	mksysfs online=4 offline=0 nodes=1
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 1
	mkdir -p "$HOTPLUG_ONLINE_TEST_RUNDIR"
	echo 'not a zoneinfo' >"$HOTPLUG_ONLINE_TEST_RUNDIR/boot-zoneinfo"
	add 10
	assert_equal "$(zones 10)" 'Normal'
	run -0 devlog
	assert_line '<30>hotplug-online[PID]: memory10: online (128 MiB, node 0, zone Normal; by hotplug-online as online, auto-movable: no usable boot zoneinfo snapshot (Invalid argument), kernel picks)'
}

@test "auto-movable: an unreadable boot snapshot falls back to plain online, logged" {
	mksysfs online=4 offline=0 nodes=1
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 1
	mkdir -p "$HOTPLUG_ONLINE_TEST_RUNDIR/boot-zoneinfo"   # a directory: read() fails
	add 10
	assert_equal "$(zones 10)" 'Normal'
	run -0 devlog
	assert_line --partial 'memory10: online (128 MiB, node 0, zone Normal; by hotplug-online as online, auto-movable: no usable boot zoneinfo snapshot ('
}

@test "auto-movable: no /proc/zoneinfo at the first decision falls back to plain online" {
	mksysfs online=4 offline=0 nodes=1
	device 10 1
	add 10
	assert_equal "$(zones 10)" 'Normal'
	run -0 devlog
	assert_line '<30>hotplug-online[PID]: memory10: online (128 MiB, node 0, zone Normal; by hotplug-online as online, auto-movable: no usable boot zoneinfo snapshot (No such file or directory), kernel picks)'
	[[ ! -e $HOTPLUG_ONLINE_TEST_RUNDIR/boot-zoneinfo ]]
}

@test "auto-movable: the kernel refusing online_movable falls back to online and says why" {
	mksysfs online=4 offline=0 nodes=1
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 1
	HOTPLUG_ONLINE_TEST_FAULTS='memory10=EINVAL*1' add 10
	assert_equal "$(cat "$MEM/memory10/valid_zones")" Normal
	run -0 devlog
	assert_line '<30>hotplug-online[PID]: memory10: online (128 MiB, node 0, zone Normal; by hotplug-online as online, auto-movable: 0+128 MiB movable within 301% of 512 MiB kernel; node 0: 0+128 MiB within 301% of 512 MiB kernel, kernel refused online_movable)'
}

@test "auto-movable: where the kernel has the policy, it is configured and the kernel decides" {
	mksysfs online=4 offline=0 nodes=1
	printf 'memory = auto-movable\nmovable_ratio = 150\nmovable_numa_aware = no\n' >"$CFG"
	P=$SYS/module/memory_hotplug/parameters
	mkdir -p "$P"
	echo contig-zones >"$P/online_policy"
	echo 301 >"$P/auto_movable_ratio"
	echo Y >"$P/auto_movable_numa_aware"
	device 10 1
	# A dry run touches no parameter.
	before=$(tree_sums)
	run -0 ho --sysfs "$SYS" --config "$CFG" online --dry-run memory10
	assert_output 'memory10: would online as online, zone chosen by the kernel'"'"'s auto-movable policy'
	assert_equal "$(tree_sums)" "$before"
	uevent add /devices/system/memory/memory10
	assert_equal "$(cat "$P/online_policy") $(cat "$P/auto_movable_ratio") $(cat "$P/auto_movable_numa_aware")" 'auto-movable 150 N'
	assert_equal "$(mem_state 10)" online   # plain online: the zone is the kernel's choice
	[[ ! -e $HOTPLUG_ONLINE_TEST_RUNDIR/boot-zoneinfo ]] || fail "the kernel path needs no snapshot"
	apply 10
	run -0 devlog
	assert_line "<30>hotplug-online[PID]: memory10: online (128 MiB, node 0, zone Normal; by hotplug-online as online, zone chosen by the kernel's auto-movable policy)"
}

@test "auto-movable: the test-only switch forces the userspace decision beside the kernel's policy" {
	mksysfs online=4 offline=0 nodes=1
	P=$SYS/module/memory_hotplug/parameters
	mkdir -p "$P"
	echo contig-zones >"$P/online_policy"
	KERNEL[0]=$((4 * BLOCK))
	zoneinfo
	device 10 1
	HOTPLUG_ONLINE_TEST_USERSPACE_POLICY=1 add 10
	assert_equal "$(cat "$P/online_policy")" contig-zones
	assert_equal "$(zones 10)" Movable
}

@test "auto-movable: movable_ratio outside 1..100000 is a bad value" {
	mksysfs
	for v in 0 100001 -1 3.5 1e3 ' ' 0301; do
		printf 'memory = auto-movable\nmovable_ratio = %s\n' "$v" >"$CFG"
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run
		assert_stderr_contains "line 2: "
	done
	printf 'movable_ratio = 1\nmovable_ratio = 100000\n' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" online --dry-run
}
