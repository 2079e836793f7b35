#!/usr/bin/env bats
# `hotplug-online udev`: one udev event, one device.  An `add` onlines a
# hot-added device and logs nothing on success: it leaves a mark in
# $RUNDIR/onlined/, and the kernel's `online` event that follows (hotadd in
# common.bash plays the kernel's part on the fake tree) logs the one line of
# that transition.  `online` and `offline` events log their transition
# whoever made it; replays (SYNTH_UUID) log nothing.

load test_helper/common

setup() {
	common_setup
	start_devlog
}

# udev_event ACTION DEVPATH [SUBSYSTEM]: run the helper as the rule does.
udev_event() {
	local action=$1 devpath=$2
	shift 2
	if (($#)); then
		ACTION=$action DEVPATH=$devpath SUBSYSTEM=$1 run -"$UDEV_EXPECT" --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
	else
		ACTION=$action DEVPATH=$devpath run -"$UDEV_EXPECT" --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
	fi
}
UDEV_EXPECT=0

L='<30>hotplug-online[PID]:'   # an info line, as devlog shows it

@test "udev add: an offline block is onlined, nothing logged, a mark left; its online event logs the line" {
	mksysfs online=4 offline=4 nodes=2
	before=$(tree_sums)
	uevent add /devices/system/memory/memory5
	assert_output ''
	assert_stderr_empty
	assert_equal "$(mem_state 5)" online
	assert_equal "$(changed_since "$before")" devices/system/memory/memory5/state
	assert_equal "$(devlog)" ''
	assert_equal "$(marks)" "onlined/memory5: $(ino "$MEM/memory5") as online"
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
	# The kernel's online event: the one line, and the mark is used up.
	uevent online /devices/system/memory/memory5
	assert_equal "$output$stderr" ''
	assert_equal "$(devlog)" "$L memory5: online (128 MiB, node 1, zone Normal; by hotplug-online as online)"
	assert_equal "$(marks)" ''
	assert_equal "$(changed_since "$before")" devices/system/memory/memory5/state
}

@test "udev add: real 6.1 snapshot, memory32 hot-added to node 1" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	hotadd /devices/system/memory/memory32
	assert_equal "$ONLINE_EVENT" yes
	assert_equal "$(mem_state 32)" online
	assert_equal "$(mem_state 33)" offline
	assert_equal "$(changed_since "$before")" devices/system/memory/memory32/state
	assert_equal "$(devlog)" "$L memory32: online (128 MiB, node 1, zone Normal; by hotplug-online as online)"
	# The syslog line carries the PID of the process that logged it.
	[[ $(devlog_lines) =~ ^\<30\>hotplug-online\[[1-9][0-9]*\]:\  ]] || fail "no PID: $(devlog_lines)"
}

@test "udev add: an offline CPU is written 1; its mark holds the inode and nothing else" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	before=$(tree_sums)
	uevent add /devices/system/cpu/cpu3
	assert_equal "$output$stderr" ''
	assert_equal "$(cpu_online 3)" 1
	assert_equal "$(cpu_online 2)" 0
	assert_equal "$(changed_since "$before")" devices/system/cpu/cpu3/online
	assert_equal "$(cat "$RUNDIR/onlined/cpu3")" "$(ino "$CPU/cpu3") "
	assert_equal "$(devlog)" ''
	uevent online /devices/system/cpu/cpu3
	assert_equal "$(devlog)" "$L cpu3: online (by hotplug-online)"
	assert_equal "$(marks)" ''
}

@test "udev add: SUBSYSTEM may be absent" {
	mksysfs
	udev_event add /devices/system/cpu/cpu2
	assert_equal "$(cpu_online 2)" 1
	udev_event add /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	assert_equal "$(marks | cut -d: -f1)" $'onlined/cpu2\nonlined/memory4'
}

@test "udev add: a block or CPU already online is left alone, silently, no mark" {
	mksysfs
	before=$(tree_sums)
	hotadd /devices/system/memory/memory1
	assert_equal "$output$stderr" ''
	hotadd /devices/system/cpu/cpu1
	assert_equal "$output$stderr" ''
	assert_equal "$ONLINE_EVENT" no
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" ''
	assert_equal "$(marks)" ''
	[[ ! -e $RUNDIR ]] || fail "the run directory was made for nothing"
}

@test "udev add: going-offline block is left alone and logged at notice" {
	mksysfs going_offline=2
	before=$(tree_sums)
	hotadd /devices/system/memory/memory2
	assert_equal "$(mem_state 2)" going-offline
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory2: going offline, left alone'
	assert_equal "$(marks)" ''
}

@test "udev add: CPU without an online file (the boot CPU) needs nothing" {
	mksysfs
	[[ ! -e $CPU/cpu0/online ]]
	before=$(tree_sums)
	hotadd /devices/system/cpu/cpu0
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $CPU/cpu0/online ]] || fail "an online file was created"
	run -0 devlog
	assert_output ''
}

@test "udev: remove, change, move, bind, unbind are a silent no-op" {
	mksysfs
	mkdir -p "$RUNDIR/onlined"
	echo "$(ino "$MEM/memory4") as online" >"$RUNDIR/onlined/memory4"
	before=$(tree_sums) marks=$(marks)
	for action in remove change move bind unbind; do
		udev_event "$action" /devices/system/memory/memory4 memory
		[[ -z $output && -z $stderr ]] || fail "$action: printed '$output' '$stderr'"
		udev_event "$action" /devices/system/cpu/cpu3 cpu
		[[ -z $output && -z $stderr ]] || fail "$action: printed '$output' '$stderr'"
	done
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(marks)" "$marks"
	assert_equal "$(devlog)" ''
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "udev: other actions do not look at DEVPATH; add, online and offline need it" {
	mksysfs
	before=$(tree_sums)
	ACTION=remove run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$output$stderr" ''
	ACTION=remove DEVPATH=/devices/system/memory/../x run -0 --separate-stderr \
		ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$output$stderr" ''
	for action in add online offline; do
		ACTION=$action run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
		assert_stderr_contains "DEVPATH is not set"
		ACTION=$action DEVPATH=/devices/system/memory/../x run -2 --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev
		assert_stderr_contains "invalid DEVPATH '/devices/system/memory/../x'"
	done
	assert_equal "$(tree_sums)" "$before"
}

@test "udev add: device removed before it could be onlined is logged, exit 0" {
	mksysfs
	before=$(tree_sums)
	hotadd /devices/system/memory/memory99
	hotadd /devices/system/cpu/cpu9
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory99: removed before it could be onlined
<29>hotplug-online[PID]: cpu9: removed before it could be onlined'
	assert_equal "$(marks)" ''
}

@test "udev add: no memory directory at all, a memory event is a removed device" {
	mksysfs memory=no
	udev_event add /devices/system/memory/memory4 memory
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: memory4: removed before it could be onlined'
}

@test "udev: missing ACTION or DEVPATH is refused, exit 2, logged at err" {
	mksysfs
	before=$(tree_sums)
	DEVPATH=/devices/system/memory/memory4 run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "ACTION is not set: 'udev' runs from a udev rule"
	ACTION=add run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "DEVPATH is not set: 'udev' runs from a udev rule"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "<27>hotplug-online[PID]: ACTION is not set: 'udev' runs from a udev rule
<27>hotplug-online[PID]: DEVPATH is not set: 'udev' runs from a udev rule"
}

@test "udev: SUBSYSTEM that does not match DEVPATH is refused (add and online)" {
	mksysfs
	before=$(tree_sums)
	UDEV_EXPECT=2 udev_event add /devices/system/memory/memory4 cpu
	assert_stderr_contains "SUBSYSTEM 'cpu' does not match DEVPATH '/devices/system/memory/memory4'"
	UDEV_EXPECT=2 udev_event add /devices/system/cpu/cpu3 memory
	UDEV_EXPECT=2 udev_event online /devices/system/cpu/cpu1 memory
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" "<27>hotplug-online[PID]: SUBSYSTEM 'cpu' does not match DEVPATH '/devices/system/memory/memory4'
<27>hotplug-online[PID]: SUBSYSTEM 'memory' does not match DEVPATH '/devices/system/cpu/cpu3'
<27>hotplug-online[PID]: SUBSYSTEM 'memory' does not match DEVPATH '/devices/system/cpu/cpu1'"
}

@test "udev add: on s390x and ppc64 memory is left alone (said at a hot-add), CPUs are not" {
	for arch in s390x s390 ppc64 ppc64le; do
		rm -rf "$SYS" "$RUNDIR"
		mksysfs
		: >"$DEVLOG_OUT"
		before=$(tree_sums)
		HOTPLUG_ONLINE_TEST_ARCH=$arch hotadd /devices/system/memory/memory4
		assert_equal "$(tree_sums)" "$before"
		HOTPLUG_ONLINE_TEST_ARCH=$arch hotadd /devices/system/cpu/cpu3
		assert_equal "$(cpu_online 3)" 1
		assert_equal "$(devlog)" "$L memory4: left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)
$L cpu3: online (by hotplug-online)"
	done
}

@test "udev add: other architectures online memory (x86_64, aarch64, ppc, riscv64)" {
	for arch in x86_64 aarch64 ppc riscv64; do
		rm -rf "$SYS"
		mksysfs
		HOTPLUG_ONLINE_TEST_ARCH=$arch udev_event add /devices/system/memory/memory4 memory
		[[ $(mem_state 4) == online ]] || fail "$arch: memory4 reads $(mem_state 4)"
	done
}

@test "udev add: skip_s390x_ppc64 = no onlines memory on s390x" {
	mksysfs
	echo 'skip_s390x_ppc64 = no' >"$CFG"
	HOTPLUG_ONLINE_TEST_ARCH=s390x hotadd /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)"
}

@test "udev: a nine-digit index is a valid DEVPATH (and here a removed device)" {
	mksysfs
	udev_event add /devices/system/cpu/cpu999999999 cpu
	assert_equal "$(devlog)" '<29>hotplug-online[PID]: cpu999999999: removed before it could be onlined'
}

# Replays: `udevadm trigger` and every boot's coldplug write "add" to the
# uevent files, and the kernel (4.13+) sets SYNTH_UUID on those.

@test "udev add, replayed: an offline block is onlined as at a hot-add (the online event is real)" {
	mksysfs
	before=$(tree_sums)
	hotadd --replay /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$ONLINE_EVENT" yes
	assert_equal "$(changed_since "$before")" devices/system/memory/memory4/state
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)"
}

@test "udev add, replayed: a CPU is not ours (maxcpus=, nosmt, echo 0): nothing read, written or logged" {
	mksysfs
	echo 'cpu = off' >"$CFG"
	before=$(tree_sums)
	hotadd --replay /devices/system/cpu/cpu3
	assert_equal "$output$stderr" ''
	# Even a bogus online value is not looked at.
	echo 7 >"$CPU/cpu2/online"
	before=$(tree_sums)
	hotadd --replay /devices/system/cpu/cpu2
	assert_equal "$output$stderr" ''
	: >"$CFG"
	hotadd --replay /devices/system/cpu/cpu3
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(devlog)" ''
	assert_equal "$(marks)" ''
	# Control: the same CPU at a real hot-add is onlined.
	hotadd /devices/system/cpu/cpu3
	assert_equal "$(cpu_online 3)" 1
	assert_equal "$(devlog)" "$L cpu3: online (by hotplug-online)"
}

@test "udev add: left-alone lines are logged at a hot-add, not at a replay" {
	mksysfs
	printf 'memory = off\ncpu = off\n' >"$CFG"
	before=$(tree_sums)
	hotadd --replay /devices/system/memory/memory4
	HOTPLUG_ONLINE_TEST_ARCH=s390x hotadd --replay /devices/system/memory/memory5
	assert_equal "$(devlog)" ''
	hotadd /devices/system/memory/memory4
	hotadd /devices/system/cpu/cpu3
	printf 'cpu = on\n' >"$CFG"
	HOTPLUG_ONLINE_TEST_ARCH=s390x hotadd /devices/system/memory/memory5
	assert_equal "$(devlog)" "$L memory4: left offline (memory = off)
$L cpu3: left offline (cpu = off)
$L memory5: left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)"
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(marks)" ''
}

@test "udev: replayed online and offline events log nothing and leave the marks alone" {
	mksysfs aob=online
	uevent add /devices/system/memory/memory4
	marks=$(marks)
	[[ -n $marks ]]
	for action in online offline; do
		uevent --replay "$action" /devices/system/memory/memory4
		assert_equal "$output$stderr" ''
		uevent --replay "$action" /devices/system/cpu/cpu1
		assert_equal "$output$stderr" ''
	done
	assert_equal "$(devlog)" ''
	assert_equal "$(marks)" "$marks"
}

# The online and offline events: the one line of each transition.

@test "udev online: without a mark, another agent onlined it (auto_online_blocks absent or offline)" {
	for aob in '' offline; do
		rm -rf "$SYS"
		mksysfs aob="$aob"
		: >"$DEVLOG_OUT"
		before=$(tree_sums)
		uevent online /devices/system/memory/memory1
		assert_equal "$output$stderr" ''
		uevent online /devices/system/cpu/cpu1
		assert_equal "$(devlog)" "$L memory1: online (128 MiB, node 0, zone Normal; by another agent)
$L cpu1: online (by another agent)"
		assert_equal "$(tree_sums)" "$before"
		[[ ! -e $RUNDIR ]] || fail "an online event made the run directory"
	done
}

@test "udev online: auto_online_blocks set to online*, no offline mark: the kernel's auto-online" {
	for aob in online online_movable online_kernel; do
		rm -rf "$SYS"
		mksysfs aob="$aob"
		: >"$DEVLOG_OUT"
		before=$(tree_sums)
		uevent online /devices/system/memory/memory2
		assert_equal "$(devlog)" "$L memory2: online (128 MiB, node 1, zone Normal; by the kernel's auto-online)"
		# The kernel onlines memory only: a CPU is another agent's.
		uevent online /devices/system/cpu/cpu1
		assert_equal "$(tree_sums)" "$before"
	done
	run -0 devlog
	assert_line --index 1 "$L cpu1: online (by another agent)"
}

@test "udev online: junk in auto_online_blocks is not taken for the kernel's word" {
	for junk in onlinex 'online ' '' $'online\n\n' $'on\x01line'; do
		rm -rf "$SYS"
		mksysfs
		printf '%s' "$junk" >"$MEM/auto_online_blocks"
		: >"$DEVLOG_OUT"
		uevent online /devices/system/memory/memory1
		assert_equal "$(devlog)" "$L memory1: online (128 MiB, node 0, zone Normal; by another agent)"
	done
	printf 'online\0' >"$MEM/auto_online_blocks"
	: >"$DEVLOG_OUT"
	uevent online /devices/system/memory/memory1
	assert_equal "$(devlog)" "$L memory1: online (128 MiB, node 0, zone Normal; by another agent)"
}

@test "udev offline: the line has no zone, leaves an offline mark; onlining that block again is another agent's" {
	mksysfs aob=online
	before=$(tree_sums)
	uevent offline /devices/system/memory/memory3
	assert_equal "$output$stderr" ''
	assert_equal "$(devlog)" "$L memory3: offline (128 MiB, node 1)"
	assert_equal "$(marks)" "offlined/memory3: $(ino "$MEM/memory3") "
	# The kernel's auto-online onlines only what is being hot-added: a block
	# that went offline and comes back was onlined by someone else.
	: >"$DEVLOG_OUT"
	uevent online /devices/system/memory/memory3
	assert_equal "$(devlog)" "$L memory3: online (128 MiB, node 1, zone Normal; by another agent)"
	assert_equal "$(marks)" ''
	# Control: the mark was what made the difference.
	: >"$DEVLOG_OUT"
	uevent online /devices/system/memory/memory3
	assert_equal "$(devlog)" "$L memory3: online (128 MiB, node 1, zone Normal; by the kernel's auto-online)"
	assert_equal "$(tree_sums)" "$before"
}

@test "udev offline: a CPU's line, no mark; an onlined mark never reached by its online event is dropped" {
	mksysfs
	uevent add /devices/system/cpu/cpu3
	[[ -e $RUNDIR/onlined/cpu3 ]]
	uevent offline /devices/system/cpu/cpu3
	assert_equal "$output$stderr" ''
	assert_equal "$(devlog)" "$L cpu3: offline"
	assert_equal "$(marks)" ''
	uevent online /devices/system/cpu/cpu3
	run -0 devlog
	assert_line --index 1 "$L cpu3: online (by another agent)"
}

@test "udev online: one mark, one line: a second online event finds none" {
	mksysfs
	uevent add /devices/system/memory/memory4
	uevent online /devices/system/memory/memory4
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
$L memory4: online (128 MiB, node 1, zone Normal; by another agent)"
}

@test "udev online: a mark naming another inode (a block removed and added again) is ignored, and dropped" {
	mksysfs
	uevent add /devices/system/memory/memory4
	old=$(ino "$MEM/memory4")
	# The block goes away and a new one comes with the same name.
	mv "$MEM/memory4" "$BATS_TEST_TMPDIR/old-memory4"
	cp -a "$BATS_TEST_TMPDIR/old-memory4" "$MEM/memory4"
	[[ $(ino "$MEM/memory4") != "$old" ]] || fail "cp kept the inode"
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by another agent)"
	assert_equal "$(marks)" ''
}

@test "udev online: malformed marks are ignored and dropped, their bytes never logged raw" {
	mksysfs
	ino=$(ino "$MEM/memory4")
	mkdir -p "$RUNDIR/onlined"
	for mark in '' "x$ino as online" "${ino}as online" "-$ino as online" "${ino}0 as online" \
		"$ino$ino as online" "99999999999999999999999 as online" "$(printf 'x%.0s' {1..400})"; do
		printf '%s\n' "$mark" >"$RUNDIR/onlined/memory4"
		: >"$DEVLOG_OUT"
		uevent online /devices/system/memory/memory4
		[[ $(devlog) == "$L memory4: online (128 MiB, node 1, zone Normal; by another agent)" ]] ||
			fail "mark '$mark': $(devlog)"
		[[ ! -e $RUNDIR/onlined/memory4 ]] || fail "mark '$mark' was kept"
	done
	printf '%s as on\0line\n' "$ino" >"$RUNDIR/onlined/memory4"
	: >"$DEVLOG_OUT"
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by another agent)"
	# Printable text, quote and backslash included, is logged as written
	# (the helper's own: "zone chosen by the kernel's auto-movable policy").
	printf '%s as online, the kernel'"'"'s \\ choice\n' "$ino" >"$RUNDIR/onlined/memory4"
	: >"$DEVLOG_OUT"
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online, the kernel's \\ choice)"
	# A well-formed mark with unprintable bytes: each one logged as '?'.
	printf '%s as online\033[31m\303\251\n' "$ino" >"$RUNDIR/onlined/memory4"
	: >"$DEVLOG_OUT"
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online?[31m??)"
}

@test "udev: symlinked marks and run directory are never followed" {
	mksysfs
	mkdir -p "$BATS_TEST_TMPDIR/outside" "$RUNDIR/onlined"
	echo "$(ino "$MEM/memory4") as online" >"$BATS_TEST_TMPDIR/outside/mark"
	ln -s "$BATS_TEST_TMPDIR/outside/mark" "$RUNDIR/onlined/memory4"
	outside=$(tree_sums "$BATS_TEST_TMPDIR/outside")
	uevent online /devices/system/memory/memory4
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by another agent)"
	[[ ! -L $RUNDIR/onlined/memory4 ]] || fail "the symlink is still there"
	# A mark written where a symlink was replaces it; the target is untouched.
	ln -s "$BATS_TEST_TMPDIR/outside/mark" "$RUNDIR/onlined/memory5"
	uevent add /devices/system/memory/memory5
	[[ -f $RUNDIR/onlined/memory5 && ! -L $RUNDIR/onlined/memory5 ]] || fail "not a plain file"
	assert_equal "$(tree_sums "$BATS_TEST_TMPDIR/outside")" "$outside"
	# A symlinked run directory: no mark at all, the block still onlined.
	rm -rf "$RUNDIR"
	ln -s "$BATS_TEST_TMPDIR/outside" "$RUNDIR"
	uevent add /devices/system/memory/memory6
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 6)" online
	assert_equal "$(tree_sums "$BATS_TEST_TMPDIR/outside")" "$outside"
}

@test "udev add: a run directory that cannot be made costs the attribution, never the onlining" {
	mksysfs
	: >"$RUNDIR"   # a file where the directory belongs
	hotadd /devices/system/memory/memory4
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online
	assert_equal "$(devlog)" "$L memory4: online (128 MiB, node 1, zone Normal; by another agent)"
}

@test "udev online/offline: a device already gone (a hot-remove): the transition without details, exit 0" {
	mksysfs
	mkdir -p "$RUNDIR/onlined"
	echo '1 as online' >"$RUNDIR/onlined/memory99"
	for action in online offline; do
		uevent "$action" /devices/system/memory/memory99
		assert_equal "$output$stderr" ''
		uevent "$action" /devices/system/cpu/cpu9
	done
	assert_equal "$(devlog)" "$L memory99: online
$L cpu9: online
$L memory99: offline
$L cpu9: offline"
	# No mark is read or made for a device that is not there.
	assert_equal "$(marks)" 'onlined/memory99: 1 as online'
	[[ ! -e $RUNDIR/offlined ]] || fail "made an offline mark"
}

@test "udev online: what sysfs does not say is left out of the line" {
	mksysfs
	echo zzz >"$MEM/block_size_bytes"
	echo '<script>' >"$MEM/memory1/valid_zones"
	rm "$MEM/memory1/node0"
	uevent online /devices/system/memory/memory1
	uevent offline /devices/system/memory/memory1
	assert_equal "$(devlog)" "$L memory1: online (by another agent)
$L memory1: offline"
}
