#!/usr/bin/env bats
# The shipped binary and the command-line basics: --help, --version, usage.

load test_helper/common

@test "shipped binary is static: no INTERP segment, no NEEDED entry" {
	[[ -x $HO_SHIPPED ]] || fail "'$HO_SHIPPED' not built: run 'make'"
	run -0 readelf -lW "$HO_SHIPPED"
	refute_output --partial INTERP
	run -0 readelf -dW "$HO_SHIPPED"
	refute_output --partial NEEDED
}

@test "shipped binary carries no test seam (strings shows no HOTPLUG_ONLINE_TEST)" {
	run -0 strings -a "$HO_SHIPPED"
	refute_output --partial HOTPLUG_ONLINE_TEST
	# Negative control: the same check does see the seam in the test build.
	run -0 strings -a "$HO"
	assert_output --partial HOTPLUG_ONLINE_TEST
}

# The issue's target is 64 KiB (65,536 bytes); at 0.2.0 it is 95,904 bytes.
# The bound holds what is there, so that growth shows; lower it as the
# helper shrinks.
@test "shipped binary is at most 96 KiB once stripped (0.1 was 90; the target is 64)" {
	cp "$HO_SHIPPED" "$BATS_TEST_TMPDIR/stripped"
	strip "$BATS_TEST_TMPDIR/stripped"
	size=$(stat -c %s "$BATS_TEST_TMPDIR/stripped")
	((size <= 98304)) || fail "stripped size $size > 98304 bytes"
}

@test "shipped binary ignores the seam's variables (the test build's uname and errno injector)" {
	"$MKSYSFS" "$SYS" online=2 offline=1 cpus=2 offline_cpus=1
	# The test build pretends to be s390x and leaves memory alone ...
	HOTPLUG_ONLINE_TEST_ARCH=s390x run -0 ho --sysfs "$SYS" --config "$CFG" online --dry-run
	assert_line 'memory2: left offline on s390x/ppc64 (skip_s390x_ppc64 = yes)'
	# ... and fails a write it is told to fail ...
	before=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS='memory2=EPERM cpu1=EIO' run -1 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(tree_sums)" "$before"
	# ... the shipped one reads the real machine and writes.
	[[ $(uname -m) == @(s390*|ppc64*) ]] && skip "this machine is s390x/ppc64"
	HO=$HO_SHIPPED HOTPLUG_ONLINE_TEST_ARCH=s390x run -0 ho --sysfs "$SYS" --config "$CFG" online --dry-run
	assert_output $'memory2: would online as online\ncpu1: would online'
	HO=$HO_SHIPPED HOTPLUG_ONLINE_TEST_FAULTS='memory2=EPERM cpu1=EIO' run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(mem_state 2)$(cpu_online 1)" online1
}

@test "--version prints the version from VERSION" {
	run -0 --separate-stderr ho --version
	assert_output "hotplug-online $(cat "$BATS_TEST_DIRNAME/../VERSION")"
	assert_stderr_empty
	run -0 ho -V
	assert_output "hotplug-online $(cat "$BATS_TEST_DIRNAME/../VERSION")"
}

@test "--help prints the usage on stdout and exits 0" {
	run -0 --separate-stderr ho --help
	assert_line --index 0 --partial 'Usage: hotplug-online [OPTIONS] udev'
	assert_output --partial 'online [--dry-run] [DEVICE...]'
	assert_output --partial 'status [--json]'
	assert_output --partial 'setup [--dry-run]'
	assert_output --partial 'restore'
	assert_output --partial '[OPTIONS] log'
	assert_output --partial '--sysfs DIR'
	assert_output --partial '--config FILE'
	assert_output --partial 'Exit status: 0 all online, 1 failure, 2 bad usage or input, 64 partial success.'
	assert_stderr_empty
	run -0 ho -h
	assert_line --index 0 --partial 'Usage:'
}

@test "--help and --version touch nothing, even with a command" {
	"$MKSYSFS" "$SYS"
	before=$(tree_sums)
	run -0 ho --sysfs "$SYS" --help online
	run -0 ho --sysfs "$SYS" online --version
	assert_equal "$(tree_sums)" "$before"
}

@test "no command: exit 2, one line plus 'try --help', not the whole usage" {
	run -2 --separate-stderr ho
	assert_output ''
	assert_equal "$stderr" $'hotplug-online: no command given\nTry \'hotplug-online --help\' for more information.'
}

@test "unknown command and option: exit 2 naming it" {
	run -2 --separate-stderr ho frobnicate
	assert_stderr_contains "unknown command 'frobnicate'"
	assert_stderr_contains "Try 'hotplug-online --help'"
	run -2 --separate-stderr ho --frobnicate status
	assert_stderr_contains "unknown option '--frobnicate'"
}

@test "--sysfs that cannot be opened: exit 2 naming it" {
	run -2 --separate-stderr ho --sysfs "$BATS_TEST_TMPDIR/nonexistent" status
	assert_stderr_contains "cannot open sysfs root '$BATS_TEST_TMPDIR/nonexistent': No such file or directory"
	: >"$BATS_TEST_TMPDIR/file"
	run -2 --separate-stderr ho --sysfs "$BATS_TEST_TMPDIR/file" --config "$CFG" online
	assert_stderr_contains "cannot open sysfs root '$BATS_TEST_TMPDIR/file': Not a directory"
}

# The harness itself (test_helper/ns-run.c): what every test relies on.
@test "harness: the helper sees the test's /proc/cmdline, /run, /dev/log and /dev/kmsg, and the host keeps its own" {
	host_cmdline=$(cat /proc/cmdline)
	echo 'BOOT_IMAGE=/vmlinuz memhp_default_state=offline' >"$CMDLINE"
	run -0 in_ns cat /proc/cmdline
	assert_output 'BOOT_IMAGE=/vmlinuz memhp_default_state=offline'
	run -0 in_ns sh -c 'mkdir /run/hotplug-online && echo x >/run/hotplug-online/f && readlink /dev/log /dev/kmsg'
	assert_output "$DEVLOG
$KMSG"
	assert_equal "$(cat "$RUNDIR/f")" x
	# Nothing leaked out: the host's files are as they were.
	assert_equal "$(cat /proc/cmdline)" "$host_cmdline"
	[[ ! -e /run/hotplug-online/f ]] || fail "wrote the host's /run"
	run -1 grep -F " $NS" /proc/self/mountinfo
	# A line logged without /dev/log lands in the test's kmsg file.
	run -2 ho frobnicate
	assert_equal "$(logged)" "<27>hotplug-online[PID]: unknown command 'frobnicate'"
}
