#!/usr/bin/env bats
# memory = auto-movable, the userspace decision, per memory device: decided
# once and recorded (/run/hotplug-online/devices/), never before the kernel
# has bound the device's blocks (the test build's UNBOUND seam holds the
# links back, as the kernel does between its add uevents and the binding),
# the fallback only into a zone the decision allows, kernels before 4.13,
# and the ratio status reports.  Blocks are 128 MiB = 32768 pages of 4 KiB.
#
# The fake tree takes whatever is written to 'state'; apply() plays the
# kernel's part after each onlining (the block reads online, its zone is
# the one asked for, /proc/zoneinfo grows by the block), and hot_add() then
# runs the `online` uevent the kernel would send, which logs the line.
# Log lines go to the kmsg file (no /dev/log here).

load test_helper/common

BLOCK=32768

setup() {
	common_setup
	local t=$BATS_TEST_TMPDIR
	export HOTPLUG_ONLINE_TEST_ZONEINFO=$t/zoneinfo HOTPLUG_ONLINE_TEST_RUNDIR=$t/run
	export HOTPLUG_ONLINE_TEST_IOMEM=$t/iomem HOTPLUG_ONLINE_TEST_CMDLINE=$t/cmdline
	export HOTPLUG_ONLINE_TEST_UDEVCTL=$t/udev-control HOTPLUG_ONLINE_TEST_DEVLOG=$t/no-devlog
	export HOTPLUG_ONLINE_TEST_RELEASE=5.10.0-26-amd64
	unset HOTPLUG_ONLINE_TEST_UNBOUND HOTPLUG_ONLINE_TEST_BIND_WAIT_MS
	unset HOTPLUG_ONLINE_TEST_USERSPACE_POLICY SYNTH_UUID
	: >"$t/cmdline"
	: >"$t/iomem"
	RUN=$t/run UNBOUND=$t/unbound
	printf 'memory = auto-movable\nmovable_ratio = 100\n' >"$CFG"
	KERNEL=(0 0) MOVABLE=(0 0)
}

# zoneinfo: the sample from KERNEL[] and MOVABLE[] (pages per node).
zoneinfo() {
	local n
	for n in 0 1; do
		printf 'Node %d, zone      DMA\n        present  0\n        cma      0\n' "$n"
		printf 'Node %d, zone   Normal\n  pages free     1000\n        present  %d\n        cma      0\n' \
			"$n" "${KERNEL[n]}"
		printf 'Node %d, zone  Movable\n        present  %d\n        cma      0\n' "$n" "${MOVABLE[n]}"
	done >"$HOTPLUG_ONLINE_TEST_ZONEINFO"
}

# boot MiB [NODES]: a machine with that much kernel-zone memory at boot on
# node 0 (4 online blocks in the tree, whatever the size).
boot() {
	mksysfs online=4 offline=0 nodes="${2:-1}"
	KERNEL[0]=$(($1 * 256))
	zoneinfo
}

# dimm FIRST COUNT [NODE]: COUNT offline blocks from FIRST, one ACPI memory
# device PNP0C80:<FIRST> (a shared firmware_node, the ACPI device in
# bus/acpi/devices, its range in /proc/iomem), on NODE.
dimm() {
	local i node=${3:-0} name=PNP0C80:$1
	mkdir -p "$SYS/bus/acpi/devices/$name"
	for ((i = $1; i < $1 + $2; i++)); do
		mkdir -p "$MEM/memory$i"
		echo offline >"$MEM/memory$i/state"
		echo 'Normal Movable' >"$MEM/memory$i/valid_zones"
		ln -s "../../node/node$node" "$MEM/memory$i/node$node"
		ln -s "../../../LNXSYSTM:00/LNXSYBUS:00/PNP0A06:00/$name" "$MEM/memory$i/firmware_node"
	done
	printf '%x-%x : System RAM\n' $(($1 << 27)) $((($1 + $2) * (1 << 27) - 1)) >>"$HOTPLUG_ONLINE_TEST_IOMEM"
}

# event ACTION N [STATUS]: the helper for a udev event on memoryN.
event() {
	ACTION=$1 DEVPATH=/devices/system/memory/memory$2 SUBSYSTEM=memory \
		run "-${3:-0}" --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
}

# hot_add N [STATUS]: the add event, the kernel's part, its online event.
hot_add() {
	event add "$1" "${2:-0}"
	local s=$status o=$output e=$stderr
	apply "$1"
	if [[ $(mem_state "$1") == online ]]; then
		event online "$1"
	fi
	status=$s output=$o stderr=$e
}

apply() {
	local b=$MEM/memory$1 node
	node=$(basename "$(ls -d "$b"/node[0-9]*)")
	node=${node#node}
	case $(cat "$b/state") in
	online_movable) echo Movable >"$b/valid_zones"; MOVABLE[node]=$((MOVABLE[node] + BLOCK)) ;;
	online_kernel | online) echo Normal >"$b/valid_zones"; KERNEL[node]=$((KERNEL[node] + BLOCK)) ;;
	*) return 0 ;;
	esac
	echo online >"$b/state"
	zoneinfo
}

zones() {
	local i out=
	for i in "$@"; do out+="$(cat "$MEM/memory$i/valid_zones") "; done
	echo "${out% }"
}

# blocks FIRST COUNT: their numbers.
blocks() { seq "$1" $(($1 + $2 - 1)); }

# zones_of FIRST COUNT: zones of those blocks.
zones_of() {
	local b
	mapfile -t b < <(blocks "$1" "$2")
	zones "${b[@]}"
}

logged() { sed -E 's/^(<[0-9]+>hotplug-online)\[[0-9]+\]/\1[PID]/' "$HOTPLUG_ONLINE_TEST_KMSG"; }

# ---------------------------------------------------------------------------
# One decision per device

@test "devices: a device is decided at its first block, recorded, and its other blocks take the record" {
	boot 512
	dimm 8 4   # 512 MiB: within 100% of 512 MiB
	for i in $(blocks 8 4); do hot_add "$i"; done
	assert_equal "$(zones_of 8 4)" 'Movable Movable Movable Movable'
	ino=$(stat -c %i "$MEM/memory8")
	assert_equal "$(cat "$RUN/devices/PNP0C80:8")" \
		"memory8 4 $ino online_movable 0+512 MiB movable within 100% of 512 MiB kernel; node 0: 0+512 MiB within 100% of 512 MiB kernel"
	run -0 logged
	assert_line '<30>hotplug-online[PID]: memory8: online (128 MiB, node 0, zone Movable; by hotplug-online as online_movable, auto-movable: 0+512 MiB movable within 100% of 512 MiB kernel; node 0: 0+512 MiB within 100% of 512 MiB kernel)'
	assert_line '<30>hotplug-online[PID]: memory11: online (128 MiB, node 0, zone Movable; by hotplug-online as online_movable, auto-movable: as decided for PNP0C80:8 at memory8 (0+512 MiB movable within 100% of 512 MiB kernel; node 0: 0+512 MiB within 100% of 512 MiB kernel))'
}

@test "devices: the record holds even when other memory came online meanwhile: a device never splits" {
	boot 512
	dimm 8 4
	hot_add 8
	# Something else puts 128 MiB in Movable: a fresh decision for the
	# device's remaining 384 MiB would now exceed the ratio (the kernel's
	# own policy, asked per block, would split the device here).
	MOVABLE[0]=$((MOVABLE[0] + BLOCK))
	zoneinfo
	run -0 ho --sysfs "$SYS" --config "$CFG" online --dry-run memory9
	assert_output --partial 'memory9: would online as online_movable, auto-movable: as decided for PNP0C80:8 at memory8'
	for i in 9 10 11; do hot_add "$i"; done
	assert_equal "$(zones_of 8 4)" 'Movable Movable Movable Movable'
}

@test "devices: a device that does not fit goes to a kernel zone whole; the next device has its own record" {
	boot 512
	dimm 8 8    # 1 GiB: exceeds 100% of 512 MiB
	dimm 16 2   # 256 MiB: fits
	for i in $(blocks 8 8) 16 17; do hot_add "$i"; done
	assert_equal "$(zones_of 8 8)" 'Normal Normal Normal Normal Normal Normal Normal Normal'
	assert_equal "$(zones 16 17)" 'Movable Movable'
	run -0 cut -d' ' -f1,2,4 "$RUN/devices/PNP0C80:8" "$RUN/devices/PNP0C80:16"
	assert_output $'memory8 8 online_kernel\nmemory16 2 online_movable'
}

@test "devices: a dry run decides once per device too, and records nothing" {
	boot 512
	dimm 8 8
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run
	assert_line --index 0 'memory8: would online as online_kernel, auto-movable: 0+1024 MiB movable exceeds 100% of 512 MiB kernel'
	assert_line --index 7 'memory15: would online as online_kernel, auto-movable: as decided for PNP0C80:8 at memory8 (0+1024 MiB movable exceeds 100% of 512 MiB kernel)'
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $RUN ]] || fail "the dry run wrote $RUN"
}

@test "devices: a sweep decides a device at its first block and records it for the rest" {
	boot 512
	dimm 8 8
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	for i in $(blocks 8 8); do assert_equal "$(mem_state "$i")" online_kernel; done
	run -0 cut -d' ' -f1,2,4 "$RUN/devices/PNP0C80:8"
	assert_output 'memory8 8 online_kernel'
}

@test "devices: a record of a removed device (its first block a new directory) is not reused" {
	boot 512
	dimm 8 4
	for i in $(blocks 8 4); do hot_add "$i"; done
	old=$(cat "$RUN/devices/PNP0C80:8")
	# Removed, and the slot filled again with 1 GiB at the same place:
	# same ACPI name, new block directories.
	# (The old directories are kept elsewhere until the new ones exist:
	# kernfs does not reuse an inode number soon, every file system does.)
	mkdir "$BATS_TEST_TMPDIR/gone"
	mv "$MEM"/memory{8,9,10,11} "$BATS_TEST_TMPDIR/gone/"
	rm -r "$SYS/bus/acpi/devices/PNP0C80:8"
	MOVABLE[0]=0
	zoneinfo
	: >"$HOTPLUG_ONLINE_TEST_IOMEM"
	dimm 8 8
	rm -r "$BATS_TEST_TMPDIR/gone"
	refute [ "$(stat -c %i "$MEM/memory8")" = "$(cut -d' ' -f3 <<<"$old")" ]
	hot_add 8
	assert_equal "$(zones 8)" Normal
	run -0 cut -d' ' -f1,2,4 "$RUN/devices/PNP0C80:8"
	assert_output 'memory8 8 online_kernel'
}

@test "devices: a block outside the recorded blocks is decided afresh" {
	boot 512
	dimm 8 4
	hot_add 8
	echo 'memory20 2 1 online_kernel made up' >"$RUN/devices/PNP0C80:8"   # not memory8's
	hot_add 9
	run -0 logged
	assert_line --partial 'memory9: online (128 MiB, node 0, zone Movable; by hotplug-online as online_movable, auto-movable: 128+384 MiB movable within'
	run -0 cut -d' ' -f1,2,4 "$RUN/devices/PNP0C80:8"
	assert_output 'memory8 4 online_movable'
}

@test "devices: a record of another shape: exit 2 naming it, nothing written" {
	boot 512
	dimm 8 4
	mkdir -p "$RUN/devices"
	ino=$(stat -c %i "$MEM/memory8")
	bad=(
		'garbage'
		"memory8 4 $ino online"
		"memory08 4 $ino online_kernel"
		"memory8 0 $ino online_kernel"
		"memory8 4 -$ino online_kernel"
		"memory8 4 99999999999999999999999 online_kernel"
		"memory999999999 2 $ino online_kernel"
		"memory8 4 $ino online_movable $(printf 'tab\there')"
		"memory8 4 $ino online_movable $(printf 'x%.0s' {1..200})"
		"memory8  4 $ino online_kernel"
		"$(printf 'memory8 4 %s online_kernel\nmemory9 4 %s online_kernel' "$ino" "$ino")"
	)
	for text in "${bad[@]}"; do
		printf '%s\n' "$text" >"$RUN/devices/PNP0C80:8"
		before=$(tree_sums)
		event add 8 2
		assert_stderr_contains "'$RUN/devices/PNP0C80:8': not a decision record: nothing changed"
		assert_equal "$(tree_sums)" "$before"
	done
	# NUL bytes, a directory, a symlink (never followed), a FIFO.
	printf 'memory8 4 %s online_kernel\0x\n' "$ino" >"$RUN/devices/PNP0C80:8"
	event add 8 2
	rm "$RUN/devices/PNP0C80:8"
	mkdir "$RUN/devices/PNP0C80:8"
	event add 8 2
	rmdir "$RUN/devices/PNP0C80:8"
	printf 'memory8 4 %s online_kernel\n' "$ino" >"$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$RUN/devices/PNP0C80:8"
	event add 8 2
	rm "$RUN/devices/PNP0C80:8"
	mkfifo "$RUN/devices/PNP0C80:8"
	event add 8 2
	assert_equal "$(mem_state 8)" offline
	# A good record is taken, whatever its numbers say.
	rm "$RUN/devices/PNP0C80:8"
	printf 'memory8 4 %s online_kernel set by hand\n' "$ino" >"$RUN/devices/PNP0C80:8"
	hot_add 8
	assert_equal "$(zones 8)" Normal
	run -0 logged
	assert_line --partial 'as online_kernel, auto-movable: as decided for PNP0C80:8 at memory8 (set by hand))'
}

@test "devices: a firmware_node link no kernel makes: exit 2, nothing written" {
	boot 512
	dimm 8 1
	for target in '../../../LNXSYSTM:00/.hidden' '../../../LNXSYSTM:00/' '../../../LNXSYSTM:00/PNP 0C80' \
		"../../../LNXSYSTM:00/$(printf 'PNP\n0C80')" "../../../$(printf 'x%.0s' {1..40})" '..'; do
		rm "$MEM/memory8/firmware_node"
		ln -s "$target" "$MEM/memory8/firmware_node"
		before=$(tree_sums)
		event add 8 2
		assert_stderr_contains "memory8: 'firmware_node' is not a link to an ACPI device: nothing changed"
		assert_equal "$(tree_sums)" "$before"
	done
	rm "$MEM/memory8/firmware_node"
	echo PNP0C80:8 >"$MEM/memory8/firmware_node"   # a file, not a link
	event add 8 2
	assert_equal "$(mem_state 8)" offline
}

# ---------------------------------------------------------------------------
# The kernel binds a DIMM's blocks after their add events

# burst FIRST COUNT: the add events of a DIMM all at once, as udevd runs
# them, then the kernel's part of each.
burst() {
	local i pids=()
	for i in $(blocks "$1" "$2"); do
		ACTION=add DEVPATH=/devices/system/memory/memory$i SUBSYSTEM=memory \
			"$HO" --sysfs "$SYS" --config "$CFG" udev 2>>"$BATS_TEST_TMPDIR/burst.err" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || fail "an add event failed: $(cat "$BATS_TEST_TMPDIR/burst.err")"; done
	for i in $(blocks "$1" "$2"); do apply "$i"; done
}

# bind_after MS: the kernel binds every block MS ms from now.
bind_after() {
	: >"$UNBOUND"
	export HOTPLUG_ONLINE_TEST_UNBOUND=$UNBOUND
	(sleep "$(printf '0.%03d' "$1")"; rm -f "$UNBOUND") 3>&- &
}

@test "late binding: a DIMM whose add events come before its firmware_node and node links does not split" {
	boot 512
	dimm 8 8   # 1 GiB: over the ratio as a whole, any one block alone fits
	bind_after 400
	burst 8 8
	assert_equal "$(zones_of 8 8)" 'Normal Normal Normal Normal Normal Normal Normal Normal'
	run -0 cut -d' ' -f1,2,4 "$RUN/devices/PNP0C80:8"
	assert_output 'memory8 8 online_kernel'
	run -0 logged
	refute_output --partial 'not there'
}

@test "late binding, negative control: without the wait the same DIMM splits (the bug this fixes)" {
	boot 512
	dimm 8 8
	: >"$UNBOUND"
	export HOTPLUG_ONLINE_TEST_UNBOUND=$UNBOUND HOTPLUG_ONLINE_TEST_BIND_WAIT_MS=0
	# One event after the other, the kernel's part between them, as a
	# fast machine would: each block alone fits, until 512 MiB are Movable.
	for i in $(blocks 8 4); do hot_add "$i"; done
	rm "$UNBOUND"
	for i in $(blocks 12 4); do hot_add "$i"; done
	assert_equal "$(zones_of 8 8)" 'Movable Movable Movable Movable Normal Normal Normal Normal'
	run -0 logged
	assert_line --partial 'memory8: firmware_node and node link not there 0 ms after the hot-add: decided with what sysfs shows'
}

@test "late binding: the first block bound, the rest of its range not yet: the device is not decided short" {
	boot 512
	dimm 8 8
	echo 12 >"$UNBOUND"   # the kernel has bound memory8-11 so far
	export HOTPLUG_ONLINE_TEST_UNBOUND=$UNBOUND
	(sleep 0.3; rm -f "$UNBOUND") 3>&- &
	hot_add 8
	assert_equal "$(zones 8)" Normal
	run -0 cut -d' ' -f1,2,4 "$RUN/devices/PNP0C80:8"
	assert_output 'memory8 8 online_kernel'
}

@test "late binding, negative control: without the wait the short device goes Movable, the rest Normal" {
	boot 512
	dimm 8 8
	echo 12 >"$UNBOUND"
	export HOTPLUG_ONLINE_TEST_UNBOUND=$UNBOUND HOTPLUG_ONLINE_TEST_BIND_WAIT_MS=0
	for i in $(blocks 8 4); do hot_add "$i"; done   # decided as a 4-block device
	rm "$UNBOUND"
	for i in $(blocks 12 4); do hot_add "$i"; done  # outside that record: decided afresh
	assert_equal "$(zones_of 8 8)" 'Movable Movable Movable Movable Normal Normal Normal Normal'
}

@test "late binding: the node link is waited for too, so the per-node check is not skipped" {
	boot 1664 2
	KERNEL=($((12 * BLOCK)) $((1 * BLOCK)))   # node 1: 128 MiB of kernel memory
	zoneinfo
	printf 'memory = auto-movable\n' >"$CFG"   # 301 %, NUMA-aware
	dimm 10 4 1                                # fits the machine, not node 1
	bind_after 300
	burst 10 4
	assert_equal "$(zones_of 10 4)" 'Normal Normal Normal Normal'
	# Negative control: no wait, no node link: the node's check is skipped.
	rm -rf "$RUN" "$MEM"/memory1[0-3] "$SYS/bus/acpi/devices/PNP0C80:10"
	: >"$HOTPLUG_ONLINE_TEST_IOMEM"
	KERNEL=($((12 * BLOCK)) $((1 * BLOCK)))
	zoneinfo
	dimm 10 4 1
	: >"$UNBOUND"
	export HOTPLUG_ONLINE_TEST_BIND_WAIT_MS=0
	burst 10 4
	assert_equal "$(zones 10)" 'Movable'
}

@test "late binding: the wait has a bound; then the block is decided with what sysfs shows, said at notice" {
	boot 512
	dimm 8 1
	: >"$UNBOUND"
	export HOTPLUG_ONLINE_TEST_UNBOUND=$UNBOUND HOTPLUG_ONLINE_TEST_BIND_WAIT_MS=200
	start=$(date +%s%N)
	hot_add 8
	elapsed=$((($(date +%s%N) - start) / 1000000))
	((elapsed >= 200 && elapsed < 5000)) || fail "waited $elapsed ms"
	run -0 logged
	assert_line --regexp '^<29>hotplug-online\[PID\]: memory8: firmware_node and node link not there 2[0-9][0-9] ms after the hot-add: decided with what sysfs shows$'
	assert_line --regexp '^<30>hotplug-online\[PID\]: memory8: online \(128 MiB, node 0, zone Movable; by hotplug-online as online_movable, auto-movable: 0\+128 MiB movable within 100% of 512 MiB kernel, firmware_node and node link not there after 2[0-9][0-9] ms\)$'
}

@test "late binding: no wait where no binding can come: a replay, a sweep, no ACPI memory device, a driver's memory" {
	boot 512
	dimm 8 2
	: >"$UNBOUND"
	# Held back for good: a wait would run out, and say so at notice.
	export HOTPLUG_ONLINE_TEST_UNBOUND=$UNBOUND HOTPLUG_ONLINE_TEST_BIND_WAIT_MS=2000
	export SYNTH_UUID=0
	event add 8                                    # a replay: the binding is long done
	unset SYNTH_UUID
	ho --sysfs "$SYS" --config "$CFG" online memory9 >/dev/null   # named by an administrator
	assert_equal "$(mem_state 8) $(mem_state 9)" 'online_movable online_movable'
	# Blocks with no firmware_node at all from here on, their node links there.
	rm "$UNBOUND"
	# No PNP0C80 device in bus/acpi/devices: no firmware_node will come.
	rm -rf "$SYS/bus"
	mkdir -p "$MEM/memory20"
	echo offline >"$MEM/memory20/state"
	ln -s ../../node/node0 "$MEM/memory20/node0"
	event add 20
	# virtio-mem memory: the driver's, never bound to an ACPI device.
	mkdir -p "$SYS/bus/acpi/devices/PNP0C80:8" "$MEM/memory30"
	echo offline >"$MEM/memory30/state"
	ln -s ../../node/node0 "$MEM/memory30/node0"
	printf '%x-%x : System RAM (virtio_mem)\n' $((30 << 27)) $((31 * (1 << 27) - 1)) >>"$HOTPLUG_ONLINE_TEST_IOMEM"
	event add 30
	assert_equal "$(mem_state 20) $(mem_state 30)" 'online_movable online_movable'
	run -0 logged
	refute_output --partial 'not there'
	# Negative control: a hot-add of a DIMM block still held back waits, and says so.
	dimm 40 1
	: >"$UNBOUND"
	hot_add 40
	run -0 logged
	assert_output --partial 'memory40: firmware_node and node link not there'
}

# ---------------------------------------------------------------------------
# The fallback after a refused type: only into a zone the decision allows

# refused TYPE VALID_ZONES: memory10, offline, its valid_zones VALID_ZONES
# ("-": no such file); the kernel refuses the first write (EINVAL).
refused() {
	mksysfs online=4 offline=1 offline_start=10 nodes=1
	printf 'memory = %s\n' "$1" >"$CFG"
	if [[ $2 == - ]]; then rm "$MEM/memory10/valid_zones"; else printf '%s\n' "$2" >"$MEM/memory10/valid_zones"; fi
	export HOTPLUG_ONLINE_TEST_FAULTS='memory10=EINVAL*1'
}

@test "fallback: a refused online_kernel becomes online only where online picks a kernel zone" {
	# valid_zones of the offline block -> what is written, how it is said
	for form in 'Normal Movable|online' 'Normal|online' 'DMA32 Normal Movable|online' \
		'Movable Normal|offline' 'Movable|offline' 'none|offline' '-|offline' \
		'Nor%mal Movable|offline' ' Normal|offline' 'Normal |offline' '|offline'; do
		zones=${form%|*} want=${form#*|}
		rm -rf "$SYS" "$HOTPLUG_ONLINE_TEST_KMSG"
		: >"$HOTPLUG_ONLINE_TEST_KMSG"
		refused online_kernel "$zones"
		if [[ $want == online ]]; then
			event add 10 0
			assert_equal "$(mem_state 10)" online
			run -0 logged
			assert_line "<29>hotplug-online[PID]: memory10: the kernel refused online_kernel (Invalid argument); onlining as online instead, into its default zone ${zones%% *} (valid_zones '$zones')"
		else
			event add 10 1
			assert_equal "$(mem_state 10)" offline   # nothing written after the refused write
			run -0 logged
			assert_line --partial '<27>hotplug-online[PID]: memory10: the kernel refused online_kernel (Invalid argument); left offline: '
			refute_output --partial 'Nor%mal'   # what does not parse is never echoed
		fi
	done
	run -0 logged
	assert_line "<27>hotplug-online[PID]: memory10: the kernel refused online_kernel (Invalid argument); left offline: no valid_zones says where online would put it, and online_kernel excludes Movable"
}

@test "fallback: online would put it in Movable: left offline, said so, exit 1" {
	refused online_kernel 'Movable Normal'
	event add 10 1
	assert_stderr_contains "memory10: the kernel refused online_kernel (Invalid argument); left offline: online would put it in Movable (valid_zones 'Movable Normal'), which online_kernel excludes"
	assert_equal "$(mem_state 10)" offline
}

@test "fallback: a refused online_movable becomes online whatever the zone (a kernel zone is within any ratio)" {
	for zones in 'Normal Movable' 'Movable Normal' 'Normal' 'Movable' '-' 'bad zone'; do
		rm -rf "$SYS"
		: >"$HOTPLUG_ONLINE_TEST_KMSG"
		refused online_movable "$zones"
		event add 10
		assert_equal "$(mem_state 10)" online
		run -0 logged
		assert_line --partial '<29>hotplug-online[PID]: memory10: the kernel refused online_movable (Invalid argument); onlining as online instead'
	done
}

@test "fallback: auto-movable's online_kernel refused: only into a kernel zone; strict = yes: never" {
	boot 512
	dimm 8 8   # decided online_kernel
	echo 'Movable' >"$MEM/memory8/valid_zones"
	HOTPLUG_ONLINE_TEST_FAULTS='memory8=EINVAL*1' event add 8 1
	assert_equal "$(mem_state 8)" offline
	assert_stderr_contains 'memory8: the kernel refused online_kernel (Invalid argument); left offline: online would put it in Movable'
	echo 'Normal Movable' >"$MEM/memory9/valid_zones"
	HOTPLUG_ONLINE_TEST_FAULTS='memory9=EINVAL*1' event add 9
	assert_equal "$(mem_state 9)" online
	printf 'memory = auto-movable\nmovable_ratio = 100\nstrict = yes\n' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='memory10=EINVAL*1' event add 10 1
	assert_equal "$(mem_state 10)" offline
	assert_stderr_contains 'memory10: cannot online as online_kernel: Invalid argument'
}

@test "fallback: auto-movable's online_movable refused, the block lands in a kernel zone: the device's rest follows it" {
	boot 512
	dimm 8 4   # decided online_movable
	hot_add 8
	# The kernel refuses memory9's online_movable; "online" puts it in Normal.
	HOTPLUG_ONLINE_TEST_FAULTS='memory9=EINVAL*1' event add 9
	apply 9
	event online 9
	assert_equal "$(zones 9)" Normal
	run -0 cut -d' ' -f4- "$RUN/devices/PNP0C80:8"
	assert_output 'online_kernel memory9 went to Normal, the kernel refused online_movable'
	hot_add 10
	assert_equal "$(zones 8 9 10)" 'Movable Normal Normal'
	run -0 logged
	assert_line --partial "memory9: the kernel refused online_movable (Invalid argument); onlining as online instead, into its default zone Normal (valid_zones 'Normal Movable')"
	assert_line --partial 'memory9: online (128 MiB, node 0, zone Normal; by hotplug-online as online, auto-movable: as decided for PNP0C80:8 at memory8 ('
}

# ---------------------------------------------------------------------------
# Kernels before 4.13

@test "old kernels: online_movable and auto-movable are refused before 4.13: exit 2 at a terminal, nothing written" {
	for rel in 3.10.0-1160.119.1.el7.x86_64 4.12.14-lp150.12.82-default 2.6.32-754.el6.x86_64; do
		export HOTPLUG_ONLINE_TEST_RELEASE=$rel
		for policy in online_movable auto-movable; do
			rm -rf "$SYS"
			mksysfs online=4 offline=2 offline_start=10 nodes=1
			printf 'memory = %s\n' "$policy" >"$CFG"
			before=$(tree_sums)
			run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
			assert_stderr_contains "memory10: memory = $policy needs Linux 4.13 or later: this kernel ($rel) takes online_movable only for the highest block of ZONE_NORMAL, which would split each device between zones; nothing changed (memory = online or online_kernel work here)"
			assert_equal "$(tree_sums)" "$before"
			run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run memory11
			assert_equal "$(tree_sums)" "$before"
		done
	done
}

@test "old kernels: from udev the block goes online in a kernel zone, the error logged (RAM never left offline)" {
	export HOTPLUG_ONLINE_TEST_RELEASE=3.10.0-1160.el7.x86_64
	mksysfs online=4 offline=1 offline_start=10 nodes=1
	printf 'memory = online_movable\n' >"$CFG"
	event add 10
	assert_equal "$(mem_state 10)" online
	run -0 logged
	assert_line '<27>hotplug-online[PID]: memory10: memory = online_movable needs Linux 4.13 or later: this kernel (3.10.0-1160.el7.x86_64) takes online_movable only for the highest block of ZONE_NORMAL, which would split each device between zones; onlining as online instead'
}

@test "old kernels: online, online_kernel and off are unaffected; 4.13 and later, or a release that does not parse, are not old" {
	export HOTPLUG_ONLINE_TEST_RELEASE=3.10.0-1160.el7.x86_64
	for policy in online online_kernel; do
		rm -rf "$SYS"
		mksysfs online=4 offline=1 offline_start=10 nodes=1
		printf 'memory = %s\n' "$policy" >"$CFG"
		run -0 ho --sysfs "$SYS" --config "$CFG" online
		assert_equal "$(mem_state 10)" "$policy"
	done
	for rel in 4.13.0 4.18.0-553.el8_10.x86_64 5.10.0-26-amd64 6.1.0-27-amd64 10.0 weird 4. 4.x; do
		export HOTPLUG_ONLINE_TEST_RELEASE=$rel
		rm -rf "$SYS"
		mksysfs online=4 offline=1 offline_start=10 nodes=1
		printf 'memory = online_movable\n' >"$CFG"
		run -0 ho --sysfs "$SYS" --config "$CFG" online
		assert_equal "$(mem_state 10)" online_movable
	done
}

@test "old kernels, negative control: the kernel's documented pre-4.13 rule applied to ascending events splits a device" {
	# Documentation/memory-hotplug.txt before 4.13: online_movable only for
	# the block adjacent to ZONE_MOVABLE, the highest of ZONE_NORMAL.  A
	# fake kernel with that rule (EINVAL for any block but the top one),
	# the helper told it runs 4.13 so it does not refuse: udev's ascending
	# order leaves all but the top block in Normal.
	export HOTPLUG_ONLINE_TEST_RELEASE=4.13.0
	mksysfs online=4 offline=4 offline_start=10 nodes=1
	printf 'memory = online_movable\n' >"$CFG"
	for i in 10 11 12 13; do
		faults=
		((i < 13)) && faults="memory$i=EINVAL*1"
		HOTPLUG_ONLINE_TEST_FAULTS=$faults event add "$i"
	done
	assert_equal "$(mem_state 10) $(mem_state 11) $(mem_state 12) $(mem_state 13)" 'online online online online_movable'
}

# ---------------------------------------------------------------------------
# status: the ratio auto-movable applies

@test "status: the ratio auto-movable applies (boot kernel memory) beside the one of kernel zones now" {
	boot 512
	dimm 8 4    # 512 MiB Movable
	dimm 12 4   # then 512 MiB more, which no longer fits: Normal
	for i in $(blocks 8 8); do hot_add "$i"; done
	assert_equal "$(zones_of 8 8)" 'Movable Movable Movable Movable Normal Normal Normal Normal'
	run -0 --separate-stderr ho --sysfs "$SYS" status
	# The sysfs tree's 4 boot blocks read Normal/DMA32 (512 MiB), plus 512 MiB Normal hot-added.
	assert_line '          kernel zones 1 GiB, Movable 512 MiB (50% of kernel zones now)'
	assert_line '          auto-movable ratio 100% (Movable 512 MiB of 512 MiB kernel-zone memory at boot)'
	assert_line 'Auto-movable ratio: 100% (Movable 512 MiB of 512 MiB kernel-zone memory at boot)'
	run -0 --separate-stderr ho --sysfs "$SYS" status --json
	run -0 jq -c '.memory | [.boot_snapshot, .boot_kernel_bytes, .policy_movable_bytes, .movable_percent_of_boot_kernel]' <<<"$output"
	assert_output '[true,536870912,536870912,100]'
	run -0 --separate-stderr ho --sysfs "$SYS" status --json
	run -0 jq -c '.memory.nodes[0] | [.kernel_bytes, .movable_bytes, .movable_percent, .movable_percent_of_kernel_now, .boot_kernel_bytes, .policy_movable_bytes, .movable_percent_of_boot_kernel]' <<<"$output"
	assert_output '[1073741824,536870912,50,50,536870912,536870912,100]'
}

@test "status: no boot snapshot: no auto-movable figure, nulls in JSON; a corrupt one: said so" {
	boot 512
	run -0 --separate-stderr ho --sysfs "$SYS" status
	refute_output --partial 'uto-movable ratio'
	run -0 --separate-stderr ho --sysfs "$SYS" status --json
	run -0 jq -c '[.memory.boot_snapshot, .memory.boot_kernel_bytes, .memory.movable_percent_of_boot_kernel, .memory.nodes[0].boot_kernel_bytes, .memory.nodes[0].movable_percent_of_boot_kernel, .memory.nodes[0].movable_percent]' <<<"$output"
	assert_output '[false,null,null,null,null,0]'
	mkdir -p "$RUN"
	echo 'not a zoneinfo' >"$RUN/boot-zoneinfo"
	run -0 --separate-stderr ho --sysfs "$SYS" status
	assert_line 'Auto-movable ratio: unknown (the boot snapshot does not parse)'
	run -0 --separate-stderr ho --sysfs "$SYS" status --json
	run -0 jq -c '[.memory.boot_snapshot, .memory.movable_percent_of_boot_kernel]' <<<"$output"
	assert_output '[false,null]'
}
