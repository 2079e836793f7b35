#!/usr/bin/env bats
# Hostile or odd kernel files: sysfs attributes and /proc/cmdline with no
# newline, junk, NUL bytes, symlinks, files of the wrong type.  The helper
# must read them safely, follow no symlink, and write nothing it should
# not.  A file it only needs for a detail (block size, zone, node, the
# command line, a dax range) never leaves a block offline: the block is
# onlined and the problem said.  The device's own state is another matter:
# a state no kernel writes is a failure, exit 1, named.

load test_helper/common

udev_add() { # udev_add DEVPATH EXPECTED-STATUS
	ACTION=add DEVPATH=$1 run -"$2" --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
}

@test "contents: attributes without a trailing newline are read" {
	mksysfs newline=no
	assert_equal "$(wc -c <"$MEM/memory4/state")" 7   # "offline", no newline
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(mem_state 4)" online
	udev_add /devices/system/cpu/cpu3 0
	assert_equal "$(cpu_online 3)" 1
	assert_equal "$(logged)" ''
	run -0 ho --sysfs "$SYS" status --json
	assert_equal "$(jq -c '[.block_size_bytes, .memory.offline, .cpus.offline]' <<<"$output")" '[134217728,[5,6,7],[2]]'
}

@test "contents: the written value replaces the whole file" {
	mksysfs
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(od -An -c "$MEM/memory4/state" | tr -s ' ')" ' o n l i n e'
}

@test "contents: 4 KiB of junk in state: exit 1, nothing written" {
	mksysfs
	head -c 4096 /dev/urandom >"$MEM/memory4/state"
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" "hotplug-online: memory4: cannot read 'state': unexpected contents"
	assert_equal "$(logged)" "<27>hotplug-online[PID]: memory4: cannot read 'state': unexpected contents"
	run -1 ho --sysfs "$SYS" --config "$CFG" online memory4
	assert_equal "$(tree_sums)" "$before"
}

@test "contents: NUL bytes in state or online: exit 1, nothing written" {
	mksysfs
	printf 'offline\0\n' >"$MEM/memory4/state"
	printf '0\0' >"$CPU/cpu3/online"
	printf '\0' >"$MEM/memory5/state"
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" "hotplug-online: memory4: cannot read 'state': unexpected contents"
	udev_add /devices/system/memory/memory5 1
	udev_add /devices/system/cpu/cpu3 1
	assert_equal "$stderr" "hotplug-online: cpu3: cannot read 'online': unexpected contents"
	assert_equal "$(tree_sums)" "$before"
}

@test "contents: unknown state values are refused and shown escaped" {
	mksysfs
	printf 'offline\n\n' >"$MEM/memory4/state"
	: >"$MEM/memory5/state"
	printf '\033[31mOffline\n' >"$MEM/memory6/state"
	printf "off'line\\\\\n" >"$MEM/memory7/state"
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" "hotplug-online: memory4: unexpected state 'offline\\x0a'"
	udev_add /devices/system/memory/memory5 1
	assert_equal "$stderr" "hotplug-online: memory5: unexpected state ''"
	udev_add /devices/system/memory/memory6 1
	assert_equal "$stderr" "hotplug-online: memory6: unexpected state '\\x1b[31mOffline'"
	udev_add /devices/system/memory/memory7 1
	assert_equal "$stderr" "hotplug-online: memory7: unexpected state 'off\\x27line\\x5c'"
	assert_equal "$(tree_sums)" "$before"
}

@test "contents: unknown CPU online values are refused" {
	mksysfs memory=no
	echo 2 >"$CPU/cpu3/online"
	echo ' 0' >"$CPU/cpu2/online"
	before=$(tree_sums)
	udev_add /devices/system/cpu/cpu3 1
	assert_equal "$stderr" "hotplug-online: cpu3: unexpected 'online' value '2'"
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$stderr" "hotplug-online: cpu2: unexpected 'online' value ' 0'
hotplug-online: cpu3: unexpected 'online' value '2'"
	assert_equal "$(tree_sums)" "$before"
}

@test "contents: a symlink where state should be is not followed; its target is untouched" {
	mksysfs
	mkdir "$BATS_TEST_TMPDIR/outside"
	echo offline >"$BATS_TEST_TMPDIR/outside/target"
	rm "$MEM/memory4/state"
	ln -s "$BATS_TEST_TMPDIR/outside/target" "$MEM/memory4/state"
	rm "$MEM/memory5/state"
	ln -s ../memory6/state "$MEM/memory5/state"   # even one inside the tree
	before=$(tree_sums)
	outside=$(tree_sums "$BATS_TEST_TMPDIR/outside")
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" "hotplug-online: memory4: cannot read 'state': $ELOOP_TEXT"
	udev_add /devices/system/memory/memory5 1
	run -1 ho --sysfs "$SYS" --config "$CFG" online memory4 memory5
	assert_equal "$(tree_sums "$BATS_TEST_TMPDIR/outside")" "$outside"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/outside/target")" offline
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(mem_state 6)" offline
}

@test "contents: a symlink where a CPU's online file should be is not followed" {
	mksysfs
	echo 0 >"$BATS_TEST_TMPDIR/target"
	rm "$CPU/cpu3/online"
	ln -s "$BATS_TEST_TMPDIR/target" "$CPU/cpu3/online"
	before=$(tree_sums)
	udev_add /devices/system/cpu/cpu3 1
	assert_equal "$stderr" "hotplug-online: cpu3: cannot read 'online': $ELOOP_TEXT"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" 0
	assert_equal "$(tree_sums)" "$before"
}

@test "contents: a symlink where the memoryN directory should be is not followed" {
	mksysfs
	mkdir -p "$BATS_TEST_TMPDIR/outside/memory9"
	echo offline >"$BATS_TEST_TMPDIR/outside/memory9/state"
	ln -s "$BATS_TEST_TMPDIR/outside/memory9" "$MEM/memory9"
	ln -s memory4 "$MEM/memory10"
	before=$(tree_sums)
	outside=$(tree_sums "$BATS_TEST_TMPDIR/outside")
	udev_add /devices/system/memory/memory9 1
	assert_stderr_contains 'hotplug-online: memory9: cannot open: '
	udev_add /devices/system/memory/memory10 1
	run -1 ho --sysfs "$SYS" --config "$CFG" online memory9
	assert_equal "$(tree_sums "$BATS_TEST_TMPDIR/outside")" "$outside"
	assert_equal "$(tree_sums)" "$before"
	# A sweep does not follow them either: each is a failure, named; the
	# real blocks are onlined (partial success).
	run -64 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	refute_output --partial memory9
	refute_output --partial memory10
	assert_stderr_contains 'hotplug-online: memory9: cannot open: '
	assert_stderr_contains 'hotplug-online: memory10: cannot open: '
	assert_equal "$(cat "$BATS_TEST_TMPDIR/outside/memory9/state")" offline
	assert_equal "$(tree_sums "$BATS_TEST_TMPDIR/outside")" "$outside"
	assert_equal "$(mem_state 4)$(mem_state 7)" onlineonline
}

@test "contents: a symlinked devices/system/memory is not followed" {
	mksysfs
	mv "$MEM" "$BATS_TEST_TMPDIR/realmem"
	ln -s "$BATS_TEST_TMPDIR/realmem" "$MEM"
	outside=$(tree_sums "$BATS_TEST_TMPDIR/realmem")
	udev_add /devices/system/memory/memory4 1
	assert_stderr_contains "hotplug-online: memory4: cannot open: "   # ELOOP or ENOTDIR
	# The listing failed, the CPUs came online: partial success.
	run -64 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_stderr_contains "cannot list memory devices: "
	assert_equal "$(tree_sums "$BATS_TEST_TMPDIR/realmem")" "$outside"
	assert_equal "$(cpu_online 3)" 1   # the CPUs were still onlined
}

@test "contents: a directory or a FIFO where state should be: refused, no hang" {
	mksysfs
	rm "$MEM/memory4/state" "$MEM/memory5/state"
	mkdir "$MEM/memory4/state"
	mkfifo "$MEM/memory5/state"
	before=$(tree_sums)
	udev_add /devices/system/memory/memory4 1
	assert_equal "$stderr" "hotplug-online: memory4: cannot read 'state': unexpected contents"
	HO_WRAPPER="timeout 10 $HO_WRAPPER" udev_add /devices/system/memory/memory5 1
	assert_equal "$stderr" "hotplug-online: memory5: cannot read 'state': unexpected contents"
	assert_equal "$(tree_sums)" "$before"
}

@test "contents: a block whose state vanished counts as removed under udev, fails when named" {
	mksysfs
	rm "$MEM/memory4/state"
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(logged)" '<29>hotplug-online[PID]: memory4: removed before it could be onlined'
	run -1 ho --sysfs "$SYS" --config "$CFG" online memory4
}

@test "contents: junk block_size_bytes, valid_zones and no node link: the block is onlined, they are left out of the line" {
	mksysfs dax='dax0.0:0x20000000:134217728'
	echo zzz >"$MEM/block_size_bytes"
	echo '<script>' >"$MEM/memory5/valid_zones"
	rm "$MEM/memory5/node1"
	# Without a block size no block can be placed in a dax range: onlined.
	udev_add /devices/system/memory/memory4 0
	assert_equal "$output$stderr" ''
	assert_equal "$(mem_state 4)" online
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory5 memory6
	assert_output 'memory5: onlined as online
memory6: onlined as online (node 1, zone Normal)'
	run -1 --separate-stderr ho --sysfs "$SYS" status
	assert_stderr_contains "cannot read a valid 'block_size_bytes'"
	# Control: with a good block size, memory4 is the dax device's.
	echo 8000000 >"$MEM/block_size_bytes"
	echo offline >"$MEM/memory4/state"
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(mem_state 4)" offline
}

@test "contents: a /proc/cmdline that cannot be read (NUL byte, too long, not a file): said, and the block onlined" {
	mksysfs
	printf 'memhp_default_state=offline\0\n' >"$CMDLINE"
	udev_add /devices/system/memory/memory4 0
	assert_equal "$stderr" "hotplug-online: cannot read '/proc/cmdline': unexpected contents"
	assert_equal "$(mem_state 4)" online
	{ printf 'memhp_default_state=offline '; head -c 8192 /dev/zero | tr '\0' x; } >"$CMDLINE"
	udev_add /devices/system/memory/memory5 0
	assert_equal "$stderr" "hotplug-online: cannot read '/proc/cmdline': unexpected contents"
	assert_equal "$(mem_state 5)" online
	# A socket where the file should be: open() fails.
	rm "$CMDLINE"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$CMDLINE"
	udev_add /devices/system/memory/memory6 0
	assert_stderr_contains "hotplug-online: cannot read '/proc/cmdline': "
	assert_equal "$(mem_state 6)" online
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory7
	assert_equal "$(mem_state 7)" online
	# Control: the same word, readable, is the administrator's choice.
	rm "$CMDLINE"
	echo 'memhp_default_state=offline' >"$CMDLINE"
	echo offline >"$MEM/memory7/state"
	udev_add /devices/system/memory/memory7 0
	assert_equal "$(mem_state 7)" offline
}
