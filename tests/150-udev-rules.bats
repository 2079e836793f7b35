#!/usr/bin/env bats
# The udev rules file against udev's own rule parser (udevadm), and against
# this machine's real devices.  udevadm test reads /run/udev/rules.d: it runs
# in a private mount namespace with a tmpfs on /run, so nothing is installed
# on the host, even for a moment (fallback without unshare: a file in
# /run/udev/rules.d removed in teardown).

load test_helper/common

RULES="${RULES:-$BATS_TEST_DIRNAME/../build/39-hotplug-online.rules}"
RUN_LINE="run: '/usr/sbin/hotplug-online udev'"

setup() {
	common_setup
	command -v udevadm >/dev/null || skip "no udevadm"
	[[ -r $RULES ]] || fail "'$RULES' not built: run 'make'"
	INSTALLED='' MADE_DIRS=''
}

teardown() {
	[[ -z $INSTALLED ]] || rm -f "$INSTALLED"
	# shellcheck disable=SC2086 # a list of directories, one a word
	[[ -z ${MADE_DIRS:-} ]] || rmdir $MADE_DIRS 2>/dev/null || true   # only if empty
	common_teardown
}

# udev_test RULES-FILE DEVICE [ACTION]: udevadm test's output for DEVICE
# with RULES-FILE as /run/udev/rules.d/39-hotplug-online.rules.
udev_test() {
	local rules=$1 dev=$2 action=${3:-add}
	if unshare -m true 2>/dev/null; then
		# shellcheck disable=SC2016 # the script expands in the namespace
		run -0 unshare -m sh -c '
			mount -t tmpfs tmpfs /run && mkdir -p /run/udev/rules.d &&
			cp "$1" /run/udev/rules.d/39-hotplug-online.rules &&
			exec udevadm test --action="$3" "$2" 2>&1' sh "$rules" "$dev" "$action"
	else
		local d
		for d in /run/udev /run/udev/rules.d; do
			[[ -d $d ]] || { mkdir "$d" && MADE_DIRS="$d $MADE_DIRS"; }
		done
		INSTALLED=/run/udev/rules.d/39-hotplug-online.rules
		cp "$rules" "$INSTALLED"
		run -0 udevadm test --action="$action" "$dev" 2>&1
		rm -f "$INSTALLED"
		INSTALLED=
	fi
	assert_output --partial 'Reading rules file: /run/udev/rules.d/39-hotplug-online.rules'
}

# The parser's complaints about our file: "<path>:<line> <message>".
parse_errors() {
	grep -E '^/run/udev/rules\.d/39-hotplug-online\.rules:[0-9]+ ' <<<"$output" || true
}

# A rules file whose device tests match what DEVICE reads now.
variant() { # variant SED-EXPR: the rules with one test rewritten
	sed "$1" "$RULES" >"$BATS_TEST_TMPDIR/variant.rules"
	! cmp -s "$RULES" "$BATS_TEST_TMPDIR/variant.rules" || fail "'$1' changed nothing in the rules"
	echo "$BATS_TEST_TMPDIR/variant.rules"
}

@test "rules: build/39-hotplug-online.rules has its path filled in" {
	run -0 cat "$RULES"
	refute_output --partial '@'
	assert_output --partial 'RUN+="/usr/sbin/hotplug-online udev"'
}

@test "rules: udevadm verify accepts the rules and rejects a broken copy (udev >= 253)" {
	udevadm verify --help >/dev/null 2>&1 || skip "udevadm $(udevadm --version) has no 'verify'"
	run -0 udevadm verify "$RULES"
	printf 'SUBSYSTEM=="memory", ACTIN=="add", RUN+="/bin/true"\n' >"$BATS_TEST_TMPDIR/broken.rules"
	run -1 udevadm verify "$BATS_TEST_TMPDIR/broken.rules"
}

@test "rules: udevadm test parses the rules without a complaint" {
	dev=/sys/devices/system/cpu/cpu0
	[[ -d $dev ]] || skip "no $dev"
	udev_test "$RULES" "$dev"
	assert_equal "$(parse_errors)" ''
}

@test "rules: negative control: the same check catches broken rules" {
	dev=/sys/devices/system/cpu/cpu0
	[[ -d $dev ]] || skip "no $dev"
	broken=$BATS_TEST_TMPDIR/broken.rules
	for bad in 'SUBSYSTEM=="memory", ACTIN=="add", RUN+="/bin/true"' \
		'SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline, RUN+="/bin/true"' \
		'SUBSYSTEM=="memory" ACTION=="add" RUN+="/bin/true" GARBAGE'; do
		{ cat "$RULES"; echo "$bad"; } >"$broken"
		udev_test "$broken" "$dev"
		errors=$(parse_errors)
		[[ $errors == *"39-hotplug-online.rules:$(wc -l <"$broken") "* ]] ||
			fail "not caught: $bad"$'\n'"$output"
	done
}

@test "rules: a memory block reading online gets no RUN; the same rule matching its state does" {
	dev=
	for b in /sys/devices/system/memory/memory*; do
		[[ -r $b/state ]] && { dev=$b; break; }
	done
	[[ -n $dev ]] || skip "no memory blocks in /sys on this machine"
	state=$(cat "$dev/state")
	[[ $state != offline ]] || skip "$dev reads offline: the positive case is not safe to show"
	udev_test "$RULES" "$dev"
	assert_equal "$(parse_errors)" ''
	refute_output --partial "$RUN_LINE"
	udev_test "$(variant "s/ATTR{state}==\"offline\"/ATTR{state}==\"$state\"/")" "$dev"
	assert_equal "$(parse_errors)" ''
	assert_output --partial "$RUN_LINE"
	assert_output --regexp "$(basename "$dev"): /run/udev/rules\\.d/39-hotplug-online\\.rules:[0-9]+ RUN '/usr/sbin/hotplug-online udev'"
	# Only on add.
	udev_test "$BATS_TEST_TMPDIR/variant.rules" "$dev" change
	refute_output --partial "$RUN_LINE"
}

@test "rules: a CPU reading online=1 gets no RUN; matching its value does; no online file, no RUN" {
	dev=
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		[[ -r $c/online ]] && { dev=$c; break; }
	done
	[[ -n $dev ]] || skip "no CPU with an online file on this machine"
	[[ $(cat "$dev/online") == 1 ]] || skip "$dev is offline"
	udev_test "$RULES" "$dev"
	refute_output --partial "$RUN_LINE"
	rules=$(variant 's/ATTR{online}=="0"/ATTR{online}=="1"/')
	udev_test "$rules" "$dev"
	assert_output --partial "$RUN_LINE"
	udev_test "$rules" "$dev" remove
	refute_output --partial "$RUN_LINE"
	# TEST=="online": a CPU without the file (the boot CPU) never runs the helper.
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		if [[ ! -e $c/online ]]; then
			udev_test "$rules" "$c"
			refute_output --partial "$RUN_LINE"
			break
		fi
	done
}
