#!/usr/bin/env bats
# The rules file (build/39-hotplug-online.rules) against udev's own rule
# engine (udevadm test) and this machine's real devices.
#
# udevadm test RUNs nothing, but it does execute IMPORT{program}, and the
# rule imports the helper on `add`.  So no test here hands it the shipped
# rules: each gets a copy whose IMPORT program is /bin/echo HO_RAN=1, a
# recorder whose output udev imports as the property HO_RAN=1 (the first
# test checks that the copy differs in nothing else).  And udevadm test
# runs in a private mount namespace with tmpfs on /run and on every rules
# directory, so it reads our file alone (no distribution rule runs against
# the host's devices) and writes its database into the tmpfs.
#
# The host's blocks read online and its CPUs 1; a copy of the rule with
# one value flipped stands in for an offline block (FORCE_OFFLINE), for
# auto_online_blocks reading something else (AOB_ONLINE), for a kernel
# without it (NO_AOB).  SYNTH_UUID (the kernel's mark of a replayed event)
# cannot be given to udevadm test: a rule line before ours that assigns
# ENV{SYNTH_UUID} stands in for it.  The VM suite checks real events.

load test_helper/common

RULES="${RULES:-$BATS_TEST_DIRNAME/../build/39-hotplug-online.rules}"
HELPER='/usr/sbin/hotplug-online udev'
RECORDER='/bin/echo HO_RAN=1'

setup() {
	common_setup
	command -v udevadm >/dev/null || skip "no udevadm"
	[[ -r $RULES ]] || fail "'$RULES' not built: run 'make'"
	SAFE=$BATS_TEST_TMPDIR/safe.rules
	sed "s|IMPORT{program}=\"$HELPER\"|IMPORT{program}=\"$RECORDER\"|" "$RULES" >"$SAFE"
}

# udev_test RULES-FILE DEVICE [ACTION]: udevadm test's output for DEVICE
# with RULES-FILE as the only rules file there is.  STRACE=FILE: under
# strace, the files udevadm opened written to FILE.
udev_test() {
	local rules=$1 dev=$2 action=${3:-add}
	# shellcheck disable=SC2016 # the script expands in the namespace
	run -0 unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount -t tmpfs tmpfs /run
		for d in /etc/udev/rules.d /usr/local/lib/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d; do
			[ ! -d "$d" ] || mount -t tmpfs tmpfs "$d"
		done
		mkdir -p /run/udev/rules.d
		cp "$1" /run/udev/rules.d/39-hotplug-online.rules
		if [ -n "$4" ]; then
			exec strace -f -qq -o "$4" -e trace=open,openat udevadm test --action="$3" "$2" 2>&1
		fi
		exec udevadm test --action="$3" "$2" 2>&1' sh "$rules" "$dev" "$action" "${STRACE:-}"
	assert_output --partial 'Reading rules file: /run/udev/rules.d/39-hotplug-online.rules'
	# Ours alone.
	[[ $(grep -c '^Reading rules file: ' <<<"$output") == 1 ]] || fail "other rules were read:"$'\n'"$output"
}

# The parser's complaints about our file: "<path>:<line> <message>".
parse_errors() {
	grep -E '^/run/udev/rules\.d/39-hotplug-online\.rules:[0-9]+:? ' <<<"$output" || true
}

# variant SED-EXPR...: the safe rules with each expression applied, each
# of which must change something.  Called as $(variant ...), where errexit
# does not reach: it returns 1 itself, and the assignment fails the test.
variant() {
	local v=$BATS_TEST_TMPDIR/variant.$RANDOM.rules e
	cp "$SAFE" "$v"
	for e in "$@"; do
		cp "$v" "$v.before"
		sed -i "$e" "$v" || return 1
		if cmp -s "$v" "$v.before"; then
			echo "'$e' changed nothing in the rules" >&2
			return 1
		fi
	done
	echo "$v"
}

# replayed RULES-FILE: a copy with a rule before ours that sets SYNTH_UUID.
replayed() {
	{ echo 'ENV{SYNTH_UUID}="0"'; cat "$1"; } >"$1.replayed"
	echo "$1.replayed"
}

# import_line RULES-FILE N: the line number of its Nth IMPORT{program}.
import_line() { grep -n 'IMPORT{program}=' "$1" | sed -n "${2}p" | cut -d: -f1; }

# imported RULES-FILE N: the last udev_test ran the recorder from the Nth
# IMPORT (1 memory, 2 CPU) and imported its property; not_imported: none.
imported() {
	assert_output --regexp "/run/udev/rules\\.d/39-hotplug-online\\.rules:$(import_line "$1" "$2") Importing properties from results of '$RECORDER'"
	assert_line 'HO_RAN=1'
	refute_output --partial "run: '"
}
not_imported() {
	refute_output --partial 'Importing properties'
	refute_line 'HO_RAN=1'
	refute_output --partial "run: '"
}

# A memory block of this machine that reads online, with an online file;
# a CPU with online = 1.
memory_block() {
	local b
	for b in /sys/devices/system/memory/memory*; do
		[[ -r $b/online && $(cat "$b/online" 2>/dev/null) == 1 ]] && { echo "$b"; return; }
	done
}
online_cpu() {
	local c
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[[ -r $c/online && $(cat "$c/online") == 1 ]] && { echo "$c"; return; }
	done
}

# need_block: BLOCK, and the host's auto_online_blocks taken for what the
# rule wants (its value is the kernel's: a copy of the rule matches it).
need_block() {
	BLOCK=$(memory_block)
	[[ -n $BLOCK ]] || skip "no online memory block with an online file in /sys on this machine"
	AOB=/sys/devices/system/memory/auto_online_blocks
	[[ -r $AOB ]] || skip "no $AOB on this machine"
	HOST_AOB=$(cat "$AOB")
	# AOB_OFFLINE: the rule's "offline" test made to match this kernel's value;
	# AOB_ONLINE: made to match nothing (the kernel onlines memory itself).
	AOB_OFFLINE=("s|ATTR{../auto_online_blocks}==\"offline\"|ATTR{../auto_online_blocks}==\"$HOST_AOB\"|")
	[[ $HOST_AOB != offline ]] || AOB_OFFLINE=()
	AOB_ONLINE=("s|ATTR{../auto_online_blocks}==\"offline\"|ATTR{../auto_online_blocks}==\"no-such-value\"|")
}

# The block taken for offline: the rule ends only for online == 0 instead of 1.
FORCE_OFFLINE='s/ATTR{online}=="1", GOTO="hotplug_online_end"/ATTR{online}=="0", GOTO="hotplug_online_end"/'
# A kernel without auto_online_blocks (before 4.7).
NO_AOB='s|TEST!="/sys/devices/system/memory/auto_online_blocks"|TEST!="/sys/devices/system/memory/no_such_file"|'
# The CPU taken for offline.
FORCE_CPU_OFFLINE='s/ATTR{online}=="0", IMPORT/ATTR{online}=="1", IMPORT/'

@test "rules: build/39-hotplug-online.rules has its paths filled in; IMPORT on add, one RUN (setup)" {
	run -0 cat "$RULES"
	refute_output --partial '@'
	assert_equal "$(grep -c "IMPORT{program}=\"$HELPER\"" "$RULES")" 2
	assert_equal "$(grep -v '^#' "$RULES" | grep 'RUN')" \
		'SUBSYSTEM=="nd|dax|cxl", ACTION=="add", RUN+="/usr/sbin/hotplug-online setup"'
	# The tests' copy differs in the IMPORT program and nothing else.
	assert_equal "$(diff "$RULES" "$SAFE" | grep -c '^[<>]')" 4
	assert_equal "$(sed "s|$RECORDER|$HELPER|" "$SAFE")" "$(cat "$RULES")"
	run -1 grep -F "IMPORT{program}=\"$HELPER\"" "$SAFE"
}

@test "rules: no line reads a block's state (udev caches it: a later rule would see a stale value)" {
	run -1 grep -nE '^[^#]*(ATTRS?\{[^}]*state\}|TEST[^,]*state)' "$RULES"
	# Negative control: the same check sees such a line.
	{ cat "$RULES"; echo 'SUBSYSTEM=="memory", ATTR{state}=="offline", GOTO="x"'; } >"$BATS_TEST_TMPDIR/bad.rules"
	run -0 grep -nE '^[^#]*(ATTRS?\{[^}]*state\}|TEST[^,]*state)' "$BATS_TEST_TMPDIR/bad.rules"
}

@test "rules: udevadm opens no block's state file at an add, a replay or an offline block's add" {
	command -v strace >/dev/null || skip "no strace"
	need_block
	for rules in "$SAFE" "$(replayed "$SAFE")" "$(variant "$FORCE_OFFLINE" "${AOB_OFFLINE[@]}")" \
		"$(variant "$NO_AOB" "$FORCE_OFFLINE")"; do
		STRACE=$BATS_TEST_TMPDIR/strace udev_test "$rules" "$BLOCK"
		run -0 grep -F "$BLOCK/" "$BATS_TEST_TMPDIR/strace"
		assert_output --partial "$BLOCK/online"
		refute_output --partial "$BLOCK/state"
	done
	# Negative control: a rule that reads it is seen.
	rules=$(variant 's/ATTR{online}=="1", GOTO/ATTR{state}=="online", GOTO/')
	STRACE=$BATS_TEST_TMPDIR/strace udev_test "$rules" "$BLOCK"
	run -0 grep -F "$BLOCK/state" "$BATS_TEST_TMPDIR/strace"
}

@test "rules: udevadm verify accepts the rules and rejects a broken copy (udev >= 253)" {
	udevadm verify --help >/dev/null 2>&1 || skip "udevadm $(udevadm --version) has no 'verify'"
	run -0 udevadm verify "$RULES"
	printf 'SUBSYSTEM=="memory", ACTIN=="add", RUN+="/bin/true"\n' >"$BATS_TEST_TMPDIR/broken.rules"
	run -1 udevadm verify "$BATS_TEST_TMPDIR/broken.rules"
}

@test "rules: udevadm test parses the rules without a complaint (CPU, memory, each action)" {
	dev=/sys/devices/system/cpu/cpu0
	[[ -d $dev ]] || skip "no $dev"
	for action in add online offline remove change; do
		udev_test "$SAFE" "$dev" "$action"
		assert_equal "$(parse_errors)" ''
	done
	b=$(memory_block)
	[[ -z $b ]] || { udev_test "$SAFE" "$b"; assert_equal "$(parse_errors)" ''; }
}

@test "rules: negative control: the same check catches broken rules" {
	dev=/sys/devices/system/cpu/cpu0
	[[ -d $dev ]] || skip "no $dev"
	broken=$BATS_TEST_TMPDIR/broken.rules
	for bad in 'SUBSYSTEM=="memory", ACTIN=="add", RUN+="/bin/true"' \
		'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline, RUN+="/bin/true"' \
		'SUBSYSTEM=="memory" ACTION=="add" RUN+="/bin/true" GARBAGE'; do
		{ cat "$SAFE"; echo "$bad"; } >"$broken"
		udev_test "$broken" "$dev"
		errors=$(parse_errors)
		[[ $errors == *"39-hotplug-online.rules:$(wc -l <"$broken") "* ]] ||
			fail "not caught: $bad"$'\n'"$output"
	done
	# A GOTO to a label that is not there.
	sed 's/LABEL="hotplug_online_memory"/LABEL="hotplug_online_elsewhere"/' "$SAFE" >"$broken"
	udev_test "$broken" "$dev"
	[[ -n $(parse_errors) ]] || fail "a missing label was not caught"$'\n'"$output"
}

@test "rules: memory add, the block online (online = 1): no import, whatever auto_online_blocks says, even at a replay" {
	need_block
	for rules in "$SAFE" "$(variant "${AOB_ONLINE[@]}")"; do
		udev_test "$rules" "$BLOCK"
		not_imported
	done
	udev_test "$(replayed "$SAFE")" "$BLOCK"
	not_imported
	udev_test "$(variant "$NO_AOB")" "$BLOCK"
	not_imported
}

@test "rules: memory add, offline block, auto_online_blocks = offline (the kernel will not online it): the helper" {
	need_block
	rules=$(variant "$FORCE_OFFLINE" "${AOB_OFFLINE[@]}")
	udev_test "$rules" "$BLOCK"
	assert_equal "$(parse_errors)" ''
	imported "$rules" 1
}

@test "rules: memory add, offline block, auto_online_blocks online* (the kernel onlines it): no import" {
	need_block
	rules=$(variant "$FORCE_OFFLINE" "${AOB_ONLINE[@]}")
	udev_test "$rules" "$BLOCK"
	not_imported
	# Control: the same copy at a replay (the kernel onlines nothing then) imports it.
	rules=$(replayed "$rules")
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
}

@test "rules: memory add, offline block, a kernel without auto_online_blocks: the helper" {
	need_block
	rules=$(variant "$FORCE_OFFLINE" "$NO_AOB" "${AOB_ONLINE[@]}")
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
}

@test "rules: CPU add: online = 1 imports nothing; an offline CPU imports the helper, but not at a replay" {
	cpu=$(online_cpu)
	[[ -n $cpu ]] || skip "no CPU with online = 1 on this machine"
	udev_test "$SAFE" "$cpu"
	not_imported
	rules=$(variant "$FORCE_CPU_OFFLINE")
	udev_test "$rules" "$cpu"
	imported "$rules" 2
	udev_test "$(replayed "$rules")" "$cpu"
	not_imported
	# ATTR{online}: a CPU without the file (the boot CPU) never imports it.
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		if [[ ! -e $c/online ]]; then
			udev_test "$rules" "$c"
			not_imported
			break
		fi
	done
}

@test "rules: online, offline, remove, change, move: nothing run or imported (memory and CPUs), even for an offline device" {
	need_block
	cpu=$(online_cpu)
	for dev in "$BLOCK" "$cpu"; do
		[[ -n $dev && -d $dev ]] || continue
		for action in online offline remove change move; do
			for rules in "$SAFE" "$(variant "$FORCE_OFFLINE" "$FORCE_CPU_OFFLINE" "${AOB_OFFLINE[@]}")"; do
				udev_test "$rules" "$dev" "$action"
				not_imported
			done
		done
	done
}

# Persistent or CXL memory whose drivers load after setup ran at boot:
# setup again, so that the kernel's auto-online goes off for daxctl.
@test "rules: an nd, dax or cxl device's add RUNs setup; no other action, and no memory or CPU device" {
	dev=/sys/devices/system/node/node0
	[[ -d $dev ]] || skip "no $dev"
	# node0 taken for such a device.
	rules=$(variant 's/SUBSYSTEM=="nd|dax|cxl", ACTION=="add"/SUBSYSTEM=="node", ACTION=="add"/')
	udev_test "$rules" "$dev"
	assert_line "run: '/usr/sbin/hotplug-online setup'"
	refute_line 'HO_RAN=1'
	for action in change remove bind online; do
		udev_test "$rules" "$dev" "$action"
		refute_output --partial "run: '"
	done
	# As shipped: node0 is none of them.
	udev_test "$SAFE" "$dev"
	refute_output --partial "run: '"
}

@test "rules: other subsystems are not ours" {
	dev=/sys/devices/system/node/node0
	[[ -d $dev ]] || dev=/sys/devices/virtual/mem/null
	[[ -d $dev ]] || skip "no device outside memory and cpu"
	for action in add online offline; do
		udev_test "$(variant "$FORCE_OFFLINE" "$FORCE_CPU_OFFLINE")" "$dev" "$action"
		not_imported
	done
}

# udev_test_247 RULES-FILE DEVICE: udevadm test of Debian 11's udev
# (systemd 247, tests/bullseye-udev.sh: downloaded once and cached, as for
# tests/235) in its own root, seen through an overlay (the cache is left as
# it is), with RULES-FILE its only rules file.
udev_test_247() {
	local up=$BATS_TEST_TMPDIR/247.$RANDOM
	mkdir -p "$up/upper" "$up/work" "$up/root"
	# shellcheck disable=SC2016 # the script expands in the namespace
	run -0 unshare -m sh -c '
		set -e
		mount --make-rprivate /
		mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/root"
		r=$2/root
		mkdir -p "$r/sys" "$r/proc" "$r/run" "$r/dev" "$r/etc/udev/rules.d" "$r/lib/udev/rules.d"
		cp /bin/busybox "$r/bin/echo"
		mount --rbind /sys "$r/sys"
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		for d in run etc/udev/rules.d lib/udev/rules.d; do mount -t tmpfs tmpfs "$r/$d"; done
		mkdir -p "$r/run/udev/rules.d"
		cp "$3" "$r/run/udev/rules.d/39-hotplug-online.rules"
		exec chroot "$r" /bin/udevadm test --action=add "$4" 2>&1' sh "$ROOT_247" "$up" "$1" "${2#/sys}"
	assert_line 'Reading rules file: /run/udev/rules.d/39-hotplug-online.rules'
	[[ $(grep -c '^Reading rules file: ' <<<"$output") == 1 ]] || fail "other rules were read:"$'\n'"$output"
}

@test "rules: Debian 11's udevadm (systemd 247) parses them without a complaint; an offline block or a replay imports the helper, an online one not" {
	need_block
	[[ -x /bin/busybox ]] || skip "no /bin/busybox (busybox-static) for the recorder in Debian 11's root"
	ROOT_247=$("$BATS_TEST_DIRNAME/bullseye-udev.sh" 2>"$BATS_TEST_TMPDIR/fetch.err") ||
		skip "no Debian 11 udev: $(tr '\n' ' ' <"$BATS_TEST_TMPDIR/fetch.err")"
	run -0 chroot "$ROOT_247" /bin/udevadm --version
	assert_output 247
	udev_test_247 "$SAFE" "$BLOCK"
	refute_output --partial '39-hotplug-online.rules:'
	refute_line 'HO_RAN=1'
	rules=$(variant "$FORCE_OFFLINE" "${AOB_OFFLINE[@]}")
	udev_test_247 "$rules" "$BLOCK"
	refute_output --partial '39-hotplug-online.rules:'
	assert_line 'HO_RAN=1'
	# The kernel onlines it: nothing; at a replay: the helper.
	rules=$(variant "$FORCE_OFFLINE" "${AOB_ONLINE[@]}")
	udev_test_247 "$rules" "$BLOCK"
	refute_line 'HO_RAN=1'
	udev_test_247 "$(replayed "$rules")" "$BLOCK"
	assert_line 'HO_RAN=1'
	# Negative control: 247 does complain about a broken line.
	{ cat "$SAFE"; echo 'SUBSYSTEM=="memory", ACTIN=="add", GOTO="x"'; } >"$BATS_TEST_TMPDIR/broken.rules"
	udev_test_247 "$BATS_TEST_TMPDIR/broken.rules" "$BLOCK"
	assert_output --partial '39-hotplug-online.rules:'
}
