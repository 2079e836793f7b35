#!/usr/bin/env bats
# The rules file (build/39-hotplug-online.rules) against udev's own rule
# engine (udevadm test) and this machine's real devices.
#
# udevadm test RUNs nothing (it lists RUN+= as "run: '...'"), but it does
# execute IMPORT{program}, and the rule imports the helper on `add`.  So no
# test here hands it the shipped rules: each gets a copy whose IMPORT
# program is /bin/echo HO_RAN=1, a recorder whose output udev imports as
# the property HO_RAN=1 (the first test checks that the copy differs in
# nothing else).  And udevadm test runs in a private mount namespace with
# tmpfs on /run and on every rules directory, so it reads our file alone
# (no distribution rule runs against the host's devices) and writes its
# database into the tmpfs.  Without a mount namespace the tests skip.
#
# SYNTH_UUID (the kernel's mark of a replayed event) cannot be given to
# udevadm test (no option sets a property); a rule line put before ours
# that assigns ENV{SYNTH_UUID} stands in for it.  The VM suite checks real
# replays.

load test_helper/common

RULES="${RULES:-$BATS_TEST_DIRNAME/../build/39-hotplug-online.rules}"
HELPER='/usr/sbin/hotplug-online udev'
RECORDER='/bin/echo HO_RAN=1'

setup() {
	common_setup
	command -v udevadm >/dev/null || skip "no udevadm"
	[[ -r $RULES ]] || fail "'$RULES' not built: run 'make'"
	unshare -m true 2>/dev/null || skip "no mount namespace (needs root): udevadm test would read the host's rules"
	SAFE=$BATS_TEST_TMPDIR/safe.rules
	sed "s|IMPORT{program}=\"$HELPER\"|IMPORT{program}=\"$RECORDER\"|" "$RULES" >"$SAFE"
}

# udev_test RULES-FILE DEVICE [ACTION]: udevadm test's output for DEVICE
# with RULES-FILE as the only rules file there is.  ARCH_FLAG=1: with
# setup's /run/hotplug-online/arch-memory (skip_s390x_ppc64 = no) there.
# LOGGER_LINK=TARGET: with a logger's link (logger.c) pointing there, and
# its burst/alive and alive2 (OLD_LOGGER=1: alive only, as a logger of
# before made it); udevadm has burst/ open as fd 9.
udev_test() {
	local rules=$1 dev=$2 action=${3:-add}
	# shellcheck disable=SC2016 # the script expands in the namespace
	run -0 unshare -m sh -c '
		set -e
		mount -t tmpfs tmpfs /run
		for d in /etc/udev/rules.d /usr/local/lib/udev/rules.d /usr/lib/udev/rules.d /lib/udev/rules.d; do
			[ ! -d "$d" ] || mount -t tmpfs tmpfs "$d"
		done
		mkdir -p /run/udev/rules.d
		cp "$1" /run/udev/rules.d/39-hotplug-online.rules
		if [ "$4" = 1 ]; then
			mkdir -p -m 0700 /run/hotplug-online
			echo "skip_s390x_ppc64 = no" >/run/hotplug-online/arch-memory
		fi
		if [ -n "$5" ]; then
			mkdir -p -m 0700 /run/hotplug-online/burst
			: >/run/hotplug-online/burst/alive
			[ "$6" = 1 ] || : >/run/hotplug-online/burst/alive2
			ln -s "$5" /run/hotplug-online/logger
		fi
		# fd 9: as a live logger holds burst/ open (LOGGER_LINK=/proc/self/fd/9).
		[ ! -d /run/hotplug-online/burst ] || exec 9</run/hotplug-online/burst
		exec udevadm test --action="$3" "$2" 2>&1' sh "$rules" "$dev" "$action" "${ARCH_FLAG:-0}" \
		"${LOGGER_LINK:-}" "${OLD_LOGGER:-0}"
	assert_output --partial 'Reading rules file: /run/udev/rules.d/39-hotplug-online.rules'
	# Ours alone.
	[[ $(grep -c '^Reading rules file: ' <<<"$output") == 1 ]] || fail "other rules were read:"$'\n'"$output"
}

# The parser's complaints about our file: "<path>:<line> <message>".
parse_errors() {
	grep -E '^/run/udev/rules\.d/39-hotplug-online\.rules:[0-9]+:? ' <<<"$output" || true
}

# variant SED-EXPR...: the safe rules with each expression applied, each
# of which must change something.
# Called as $(variant ...), where errexit does not reach: it returns 1
# itself, and the assignment fails the test.
variant() {
	local v=$BATS_TEST_TMPDIR/variant.rules e
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
	{ echo 'ENV{SYNTH_UUID}="0"'; cat "$1"; } >"$BATS_TEST_TMPDIR/replayed.rules"
	echo "$BATS_TEST_TMPDIR/replayed.rules"
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
}

# A memory block of this machine that reads online, with an online file,
# and no firmware_node (boot memory); a CPU with online = 1.
memory_block() {
	local b
	for b in /sys/devices/system/memory/memory*; do
		[[ -r $b/online && ! -e $b/firmware_node && $(cat "$b/state" 2>/dev/null) == online ]] &&
			{ echo "$b"; return; }
	done
}
online_cpu() {
	local c
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[[ -r $c/online && $(cat "$c/online") == 1 ]] && { echo "$c"; return; }
	done
}

need_block() {
	BLOCK=$(memory_block)
	[[ -n $BLOCK ]] || skip "no online boot memory block in /sys on this machine"
	AOB=/sys/devices/system/memory/auto_online_blocks
	[[ -r $AOB ]] || skip "no $AOB on this machine"
	HOST_AOB=$(cat "$AOB")
	# The rule made to take this kernel's value for "offline" (nothing to
	# change where it is).
	AOB_SED=()
	[[ $HOST_AOB == offline ]] ||
		AOB_SED=("s|ATTR{../auto_online_blocks}==\"offline\"|ATTR{../auto_online_blocks}==\"$HOST_AOB\"|")
}

# The memory rule with the block taken for offline (its online file reads 1).
FORCE_OFFLINE='s/ATTR{online}!="0"/ATTR{online}!="1"/'

@test "rules: build/39-hotplug-online.rules has its path filled in" {
	run -0 cat "$RULES"
	refute_output --partial '@'
	assert_equal "$(grep -c "RUN+=\"$HELPER\"" "$RULES")" 1
	assert_equal "$(grep -c "IMPORT{program}=\"$HELPER\"" "$RULES")" 2
	# The tests' copy differs in the IMPORT program and nothing else.
	assert_equal "$(diff "$RULES" "$SAFE" | grep -c '^[<>]')" 4
	assert_equal "$(sed "s|$RECORDER|$HELPER|" "$SAFE")" "$(cat "$RULES")"
	run -1 grep -F "IMPORT{program}=\"$HELPER\"" "$SAFE"
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
	for action in add online offline remove; do
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

@test "rules: memory add: a block reading online imports nothing, runs nothing" {
	need_block
	udev_test "$SAFE" "$BLOCK"
	not_imported
	refute_output --partial "run: '"
	# Not even a replayed add.
	udev_test "$(replayed "$SAFE")" "$BLOCK"
	not_imported
}

@test "rules: memory add: an offline block the kernel left offline (auto_online_blocks = offline) imports the helper" {
	need_block
	rules=$(variant "$FORCE_OFFLINE" "${AOB_SED[@]}")
	udev_test "$rules" "$BLOCK"
	assert_equal "$(parse_errors)" ''
	imported "$rules" 1
	# Control: the same block without the forced test imports nothing.
	rules=$(variant "${AOB_SED[@]}")
	udev_test "$rules" "$BLOCK"
	not_imported
}

@test "rules: memory add: a kernel without auto_online_blocks: the helper" {
	need_block
	rules=$(variant "$FORCE_OFFLINE" 's|TEST!="/sys/devices/system/memory/auto_online_blocks"|TEST!="/sys/devices/system/memory/no_such_file"|' \
		's|ATTR{../auto_online_blocks}=="offline"|ATTR{../auto_online_blocks}=="no-such-value"|')
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
}

@test "rules: memory add: the kernel onlines it (auto_online_blocks not offline): no import, unless it failed (firmware_node) or a replay" {
	need_block
	kernel="s|ATTR{../auto_online_blocks}==\"offline\"|ATTR{../auto_online_blocks}==\"no-such-value\"|"
	rules=$(variant "$FORCE_OFFLINE" "$kernel")
	udev_test "$rules" "$BLOCK"
	not_imported
	# Still offline with its firmware_node bound: the kernel's auto-online
	# failed (the link stands in for it here: every device has 'uevent').
	rules=$(variant "$FORCE_OFFLINE" "$kernel" 's/TEST!="firmware_node"/TEST!="uevent"/')
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
	# With the link, a block the kernel did online (it reads online) is left alone.
	rules=$(variant "$kernel" 's/TEST!="firmware_node"/TEST!="uevent"/')
	udev_test "$rules" "$BLOCK"
	not_imported
	# A replayed add of an offline block: the kernel onlines nothing at a replay.
	rules=$(replayed "$(variant "$FORCE_OFFLINE" "$kernel")")
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
}

@test "rules: memory add on a kernel without the online attribute: the state is read" {
	need_block
	old='s/TEST=="online", ATTR{online}!="0"/TEST=="no_such_file", ATTR{online}!="0"/;s/TEST!="online", ATTR{state}/TEST!="no_such_file", ATTR{state}/'
	rules=$(variant "$old" "${AOB_SED[@]}")
	udev_test "$rules" "$BLOCK"
	not_imported
	rules=$(variant "$old" "${AOB_SED[@]}" 's/ATTR{state}!="offline"/ATTR{state}!="online"/')
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
}

@test "rules: memory add on s390x/ppc64: nothing, unless setup left the arch-memory flag" {
	need_block
	# This machine's architecture taken for s390x (any matches '*').
	rules=$(variant "$FORCE_OFFLINE" "${AOB_SED[@]}" 's/CONST{arch}=="s390\*|ppc64\*"/CONST{arch}=="*"/')
	udev_test "$rules" "$BLOCK"
	not_imported
	ARCH_FLAG=1 udev_test "$rules" "$BLOCK"
	imported "$rules" 1
	# Control: as this machine is (not s390x or ppc64), the flag does not matter.
	[[ $(uname -m) != @(s390*|ppc64*) ]] || skip "this machine is $(uname -m)"
	rules=$(variant "$FORCE_OFFLINE" "${AOB_SED[@]}")
	udev_test "$rules" "$BLOCK"
	imported "$rules" 1
	# CPUs are not filtered by architecture.
	cpu=$(online_cpu)
	[[ -n $cpu ]] || skip "no CPU with online = 1"
	rules=$(variant 's/ATTR{online}=="0"/ATTR{online}=="1"/' 's/CONST{arch}=="s390\*|ppc64\*"/CONST{arch}=="*"/')
	udev_test "$rules" "$cpu"
	imported "$rules" 2
}

@test "rules: online and offline events RUN the helper (memory and CPU), import nothing; other actions neither" {
	need_block
	cpu=$(online_cpu)
	for dev in "$BLOCK" "$cpu" /sys/devices/system/cpu/cpu0; do
		[[ -n $dev && -d $dev ]] || continue
		for action in online offline; do
			# Even on the rules that take the block for offline.
			for rules in "$SAFE" "$(variant "$FORCE_OFFLINE")"; do
				udev_test "$rules" "$dev" "$action"
				assert_output --regexp "$(basename "$dev"): /run/udev/rules\\.d/39-hotplug-online\\.rules:[0-9]+ RUN '$HELPER'"
				assert_line "run: '$HELPER'"
				not_imported
			done
			# A replayed online event still RUNs: the helper says nothing then.
			udev_test "$(replayed "$SAFE")" "$dev" "$action"
			assert_line "run: '$HELPER'"
		done
		for action in change remove move bind; do
			udev_test "$(variant "$FORCE_OFFLINE")" "$dev" "$action"
			refute_output --partial "run: '"
			not_imported
		done
	done
}

@test "rules: while a logger's link resolves to burst/, online and offline events RUN nothing and carry no mark; a dead logger's link RUNs, marked" {
	need_block
	cpu=$(online_cpu)
	for dev in "$BLOCK" "$cpu"; do
		[[ -n $dev && -d $dev ]] || continue
		for action in online offline; do
			LOGGER_LINK=/proc/self/fd/9 udev_test "$SAFE" "$dev" "$action"
			refute_output --partial "run: '"
			refute_output --partial 'HOTPLUG_ONLINE_LOG'
			# A logger that died: its /proc/PID/fd/N is gone.
			LOGGER_LINK=/proc/999999999/fd/3 udev_test "$SAFE" "$dev" "$action"
			assert_line "run: '$HELPER'"
			assert_line 'HOTPLUG_ONLINE_LOG=run'
			# Or its PID now another process's, whose fd N is open: the
			# link resolves, but not to burst/.
			LOGGER_LINK=/proc/self/fd/0 udev_test "$SAFE" "$dev" "$action"
			assert_line "run: '$HELPER'"
			assert_line 'HOTPLUG_ONLINE_LOG=run'
			# A logger of before (burst/alive, no alive2: it logs only
			# events marked deferred): a run, marked, which it leaves.
			OLD_LOGGER=1 LOGGER_LINK=/proc/self/fd/9 udev_test "$SAFE" "$dev" "$action"
			assert_line "run: '$HELPER'"
			assert_line 'HOTPLUG_ONLINE_LOG=run'
		done
		# An add is never marked, whatever the link.
		LOGGER_LINK=/proc/self/fd/9 udev_test "$SAFE" "$dev" add
		refute_output --partial 'HOTPLUG_ONLINE_LOG'
	done
}

@test "rules: CPU add: online = 1 imports nothing; taken for offline imports the helper, but not at a replay" {
	cpu=$(online_cpu)
	[[ -n $cpu ]] || skip "no CPU with online = 1 on this machine"
	udev_test "$SAFE" "$cpu"
	not_imported
	rules=$(variant 's/ATTR{online}=="0"/ATTR{online}=="1"/')
	udev_test "$rules" "$cpu"
	imported "$rules" 2
	udev_test "$(replayed "$rules")" "$cpu"
	not_imported
	udev_test "$rules" "$cpu" remove
	not_imported
	# TEST=="online": a CPU without the file (the boot CPU) never imports it.
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		if [[ ! -e $c/online ]]; then
			udev_test "$rules" "$c"
			not_imported
			break
		fi
	done
}

@test "rules: other subsystems are not ours" {
	dev=/sys/devices/system/node/node0
	[[ -d $dev ]] || dev=/sys/devices/virtual/mem/null
	[[ -d $dev ]] || skip "no device outside memory and cpu"
	for action in add online offline; do
		udev_test "$(variant "$FORCE_OFFLINE" 's/ATTR{online}=="0"/ATTR{online}=="1"/')" "$dev" "$action"
		refute_output --partial "run: '"
		not_imported
	done
}
