#!/usr/bin/env bats
# `hotplug-online setup [--dry-run]` and `restore`: the kernel's own
# auto-online (devices/system/memory/auto_online_blocks, and for
# auto-movable module/memory_hotplug/parameters/{online_policy,
# auto_movable_ratio, auto_movable_numa_aware}) programmed from the
# configuration, on fake trees (mksysfs aob= policy= ratio= numa=), with
# the kernel command line from $CMDLINE (/proc/cmdline in the test's
# namespace) and the record of replaced values in $RUNDIR/kernel-saved
# (/run/hotplug-online/kernel-saved there).
#
# A kernel whose auto_online_blocks takes only online and offline (before
# 5.x's online_movable/online_kernel there) is emulated by the errno
# injector: auto_online_blocks=EINVAL*1 refuses the first write.

load test_helper/common

P=   # the module parameters directory, once mksysfs made it

setup() {
	common_setup
	P=$SYS/module/memory_hotplug/parameters
	RECORD=$RUNDIR/kernel-saved
}

# knobs: "aob policy ratio numa", '-' for an absent file.
knobs() {
	local f out=()
	for f in "$MEM/auto_online_blocks" "$P/online_policy" "$P/auto_movable_ratio" \
		"$P/auto_movable_numa_aware"; do
		if [[ -e $f ]]; then out+=("$(cat "$f")"); else out+=(-); fi
	done
	echo "${out[*]}"
}

record() { if [[ -e $RECORD ]]; then cat "$RECORD"; else echo '(none)'; fi; }

# check_setup CONFIG MKSYSFS-ARGS FAULTS KNOBS RECORD STDOUT DRY-STDOUT:
# on a fresh tree, a dry run prints DRY-STDOUT and changes nothing; setup
# prints STDOUT and leaves KNOBS and RECORD; run again it changes nothing
# and says so; restore puts back exactly what was there and removes the
# record; restore again has nothing to do.
check_setup() {
	local config=$1 tree=$2 faults=$3 want_knobs=$4 want_record=$5 want_out=$6 want_dry=$7
	local knobs0 sums0 sums1
	rm -rf "$SYS" "$RUNDIR"
	# shellcheck disable=SC2086 # a list of mksysfs arguments
	mksysfs $tree
	printf '%b' "$config" >"$CFG"
	: >"$KMSG"
	knobs0=$(knobs) sums0=$(tree_sums)
	HOTPLUG_ONLINE_TEST_FAULTS=$faults run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup --dry-run
	[[ $output == "$want_dry" ]] || fail "[$config / $tree] dry run printed:"$'\n'"$output"$'\n'"wanted:"$'\n'"$want_dry"
	assert_stderr_empty
	assert_equal "$(tree_sums)" "$sums0"
	[[ ! -e $RUNDIR ]] || fail "[$config / $tree] the dry run made $RUNDIR"
	assert_equal "$(logged)" ''
	HOTPLUG_ONLINE_TEST_FAULTS=$faults run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	[[ $output == "$want_out" ]] || fail "[$config / $tree] setup printed:"$'\n'"$output"$'\n'"wanted:"$'\n'"$want_out"
	assert_stderr_empty
	[[ $(knobs) == "$want_knobs" ]] || fail "[$config / $tree] knobs: $(knobs), wanted $want_knobs"
	[[ $(record) == "$want_record" ]] || fail "[$config / $tree] record: $(record), wanted $want_record"
	# In syslog as on stdout: what setup decided and why (the first line),
	# and every change; not what it left as it was.
	[[ $(logged | sed 's/^<[0-9]*>hotplug-online\[PID\]: //') == "$(sed -n -e 1p -e '1!{/ (was \| overrides /p}' <<<"$want_out")" ]] ||
		fail "[$config / $tree] syslog: $(logged)"
	# Idempotent: the same run again writes nothing.
	sums1=$(tree_sums)
	: >"$KMSG"
	HOTPLUG_ONLINE_TEST_FAULTS=$faults run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	[[ $output != *' (was '* && $output != *'would '* ]] || fail "[$config / $tree] second run: $output"
	assert_equal "$(tree_sums)" "$sums1"
	# (What it decided, and a command-line notice, are said at each run.)
	assert_equal "$(logged | sed 1d | grep -v ' overrides ')" ''
	# restore: exactly the values found, and no record left.
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" restore
	assert_stderr_empty
	[[ $(knobs) == "$knobs0" ]] || fail "[$config / $tree] after restore: $(knobs), wanted $knobs0"
	[[ ! -e $RECORD ]] || fail "[$config / $tree] the record is still there: $(record)"
	sums1=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" restore
	assert_equal "$output$stderr" ''
	assert_equal "$(tree_sums)" "$sums1"
}

@test "setup: memory = online (and no memory line at all)" {
	for config in 'memory = online\n' '' '# nothing\n'; do
		check_setup "$config" aob=offline '' 'online - - -' 'auto_online_blocks=offline' \
			'memory = online: the kernel onlines it
auto_online_blocks: online (was offline)' \
			'memory = online: the kernel onlines it
auto_online_blocks: would set online (now offline)'
	done
	# Already online: nothing to change, nothing recorded.
	check_setup 'memory = online\n' aob=online '' 'online - - -' '(none)' \
		'memory = online: the kernel onlines it
auto_online_blocks: online (unchanged)' \
		'memory = online: the kernel onlines it
auto_online_blocks: online (unchanged)'
}

@test "setup: memory = online_movable and online_kernel, on a kernel that takes them" {
	for type in online_movable online_kernel; do
		check_setup "memory = $type\n" aob=offline '' "$type - - -" 'auto_online_blocks=offline' \
			"memory = $type: the kernel onlines it
auto_online_blocks: $type (was offline)" \
			"memory = $type: the kernel onlines it
auto_online_blocks: would set $type (now offline); offline if the kernel takes only online/offline there"
	done
}

@test "setup: memory = online_movable and online_kernel, on a kernel that takes only online/offline: offline, the rule decides" {
	for type in online_movable online_kernel; do
		check_setup "memory = $type\n" aob=online 'auto_online_blocks=EINVAL*1' 'offline - - -' \
			'auto_online_blocks=online' \
			"memory = $type: the kernel onlines it
auto_online_blocks: the kernel takes only online/offline there
auto_online_blocks: offline (was online): the udev rule decides" \
			"memory = $type: the kernel onlines it
auto_online_blocks: would set $type (now online); offline if the kernel takes only online/offline there"
	done
	# From offline the fallback changes nothing.
	# (The record names what was there before the refused write: restore
	# then has nothing to change.)
	check_setup 'memory = online_movable\n' aob=offline 'auto_online_blocks=EINVAL*1' 'offline - - -' \
		'auto_online_blocks=offline' \
		'memory = online_movable: the kernel onlines it
auto_online_blocks: the kernel takes only online/offline there
auto_online_blocks: offline (unchanged)' \
		'memory = online_movable: the kernel onlines it
auto_online_blocks: would set online_movable (now offline); offline if the kernel takes only online/offline there'
}

@test "setup: memory = auto-movable with online_policy (5.15+): the kernel's policy, parameters first" {
	check_setup 'memory = auto-movable\nmovable_ratio = 150\nmovable_numa_aware = no\n' \
		'aob=offline policy=contig-zones ratio=200 numa=Y' '' 'online auto-movable 150 N' \
		'auto_online_blocks=offline
online_policy=contig-zones
auto_movable_ratio=200
auto_movable_numa_aware=Y' \
		'memory = auto-movable: the kernel'"'"'s policy, ratio 150%, NUMA-aware no
auto_movable_ratio: 150 (was 200)
auto_movable_numa_aware: N (was Y)
online_policy: auto-movable (was contig-zones)
auto_online_blocks: online (was offline)' \
		'memory = auto-movable: the kernel'"'"'s policy, ratio 150%, NUMA-aware no
auto_movable_ratio: would set 150 (now 200)
auto_movable_numa_aware: would set N (now Y)
online_policy: would set auto-movable (now contig-zones)
auto_online_blocks: would set online (now offline)'
	# The defaults (301, yes) where the kernel has them already.
	check_setup 'memory = auto-movable\n' 'aob=offline policy=contig-zones' '' 'online auto-movable 301 Y' \
		'auto_online_blocks=offline
online_policy=contig-zones' \
		'memory = auto-movable: the kernel'"'"'s policy, ratio 301%, NUMA-aware yes
auto_movable_ratio: 301 (unchanged)
auto_movable_numa_aware: Y (unchanged)
online_policy: auto-movable (was contig-zones)
auto_online_blocks: online (was offline)' \
		'memory = auto-movable: the kernel'"'"'s policy, ratio 301%, NUMA-aware yes
auto_movable_ratio: 301 (unchanged)
auto_movable_numa_aware: Y (unchanged)
online_policy: would set auto-movable (now contig-zones)
auto_online_blocks: would set online (now offline)'
}

@test "setup: memory = auto-movable without online_policy (before 5.15): online, and a line saying so" {
	check_setup 'memory = auto-movable\n' aob=offline '' 'online - - -' 'auto_online_blocks=offline' \
		'memory = auto-movable: this kernel has no memory_hotplug.online_policy (5.15+): hot-added memory goes online in a kernel zone
auto_online_blocks: online (was offline)' \
		'memory = auto-movable: this kernel has no memory_hotplug.online_policy (5.15+): hot-added memory goes online in a kernel zone
auto_online_blocks: would set online (now offline)'
	check_setup 'memory = auto-movable\n' aob=online '' 'online - - -' '(none)' \
		'memory = auto-movable: this kernel has no memory_hotplug.online_policy (5.15+): hot-added memory goes online in a kernel zone
auto_online_blocks: online (unchanged)' \
		'memory = auto-movable: this kernel has no memory_hotplug.online_policy (5.15+): hot-added memory goes online in a kernel zone
auto_online_blocks: online (unchanged)'
}

@test "setup: memory = off, and kernel_auto_online = no whatever memory says: offline" {
	check_setup 'memory = off\n' 'aob=online policy=contig-zones' '' 'offline contig-zones 301 Y' \
		'auto_online_blocks=online' \
		'memory = off: hot-added memory stays offline
auto_online_blocks: offline (was online)' \
		'memory = off: hot-added memory stays offline
auto_online_blocks: would set offline (now online)'
	for memory in online online_movable auto-movable; do
		check_setup "memory = $memory\nkernel_auto_online = no\n" 'aob=online policy=contig-zones' '' \
			'offline contig-zones 301 Y' 'auto_online_blocks=online' \
			'kernel_auto_online = no: the udev rule onlines memory
auto_online_blocks: offline (was online)' \
			'kernel_auto_online = no: the udev rule onlines memory
auto_online_blocks: would set offline (now online)'
	done
}

@test "setup: no auto_online_blocks: nothing to set for any configuration, exit 0" {
	local tree=policy=contig-zones want='- contig-zones 301 Y'
	for config in 'memory = online\n' 'memory = online_movable\n' 'memory = online_kernel\n' \
		'memory = auto-movable\n' 'memory = off\n' 'kernel_auto_online = no\n'; do
		check_setup "$config" "$tree" '' "$want" \
			'(none)' 'this kernel has no auto_online_blocks: the udev rule onlines memory' \
			'this kernel has no auto_online_blocks: the udev rule onlines memory'
		# With and without the policy parameters, in turn.
		if [[ -n $tree ]]; then tree='' want='- - - -'; else tree=policy=contig-zones want='- contig-zones 301 Y'; fi
	done
}

@test "setup: s390x and ppc64 with skip_s390x_ppc64 = yes leave the kernel alone; = no does not" {
	for arch in s390x ppc64le; do
		HOTPLUG_ONLINE_TEST_ARCH=$arch check_setup 'memory = online\n' aob=offline '' 'offline - - -' '(none)' \
			's390x/ppc64: memory left alone (skip_s390x_ppc64 = yes)' \
			's390x/ppc64: memory left alone (skip_s390x_ppc64 = yes)'
	done
	HOTPLUG_ONLINE_TEST_ARCH=s390x check_setup 'memory = online\nskip_s390x_ppc64 = no\n' aob=offline '' \
		'online - - -' 'auto_online_blocks=offline' \
		'memory = online: the kernel onlines it
auto_online_blocks: online (was offline)' \
		'memory = online: the kernel onlines it
auto_online_blocks: would set online (now offline)'
}

@test "setup: switching from auto-movable to online puts the policy parameters back, keeps the first record" {
	mksysfs aob=offline policy=contig-zones ratio=200
	echo 'memory = auto-movable' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$(knobs)" 'online auto-movable 301 Y'
	echo 'memory = online' >"$CFG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_output 'memory = online: the kernel onlines it
auto_movable_ratio: 200 (put back, was 301)
online_policy: contig-zones (put back, was auto-movable)
auto_online_blocks: online (unchanged)'
	assert_equal "$(knobs)" 'online contig-zones 200 Y'
	# auto_online_blocks keeps its first recorded value, not the one setup wrote.
	assert_equal "$(record)" 'auto_online_blocks=offline'
	echo 'memory = online_movable' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$(knobs)" 'online_movable contig-zones 200 Y'
	assert_equal "$(record)" 'auto_online_blocks=offline'
	run -0 ho --sysfs "$SYS" restore
	assert_output 'auto_online_blocks: offline (put back, was online_movable)'
	assert_equal "$(knobs)" 'offline contig-zones 200 Y'
	[[ ! -e $RECORD ]]
}

@test "setup --dry-run after a setup shows what it would put back, and writes nothing" {
	mksysfs aob=offline policy=contig-zones
	echo 'memory = auto-movable' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	echo 'memory = off' >"$CFG"
	before=$(tree_sums) rec=$(record)
	: >"$KMSG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup --dry-run
	assert_output 'memory = off: hot-added memory stays offline
online_policy: would put back contig-zones (now auto-movable)
auto_online_blocks: would set offline (now online)'
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(record)" "$rec"
	assert_equal "$(logged)" ''
}

@test "setup: its decision and the changes go to syslog at info, the command-line notice at notice" {
	mksysfs aob=offline
	echo 'memhp_default_state=online_movable' >"$CMDLINE"
	echo 'memory = online' >"$CFG"
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_output "memory = online: the kernel onlines it
memory = online in the configuration overrides 'memhp_default_state=online_movable' on the kernel command line
auto_online_blocks: online (was offline)"
	assert_equal "$(logged)" "<30>hotplug-online[PID]: memory = online: the kernel onlines it
<29>hotplug-online[PID]: memory = online in the configuration overrides 'memhp_default_state=online_movable' on the kernel command line
<30>hotplug-online[PID]: auto_online_blocks: online (was offline)"
	run -0 ho --sysfs "$SYS" restore
	run -0 logged
	assert_line --index 3 '<30>hotplug-online[PID]: auto_online_blocks: offline (put back, was online)'
	assert_equal "${#lines[@]}" 4
}

# The kernel command line: memhp_default_state= and memory_hotplug.* are
# the administrator's choice unless the file says `memory =`.

@test "setup: a command line that sets auto-online and no 'memory =': nothing written, nothing recorded" {
	for word in memhp_default_state=online memhp_default_state=offline \
		memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=100 \
		memory_hotplug.auto_movable_numa_aware=N; do
		printf 'BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro %s quiet\n' "$word" >"$CMDLINE"
		configs=('' 'kernel_auto_online = no\n' 'movable_ratio = 50\n')   # one each, in turn
		check_setup "${configs[${#word} % 3]}" 'aob=offline policy=contig-zones' '' 'offline contig-zones 301 Y' '(none)' \
			"'$word' on the kernel command line and no 'memory =' in the configuration: the kernel's setting stands" \
			"'$word' on the kernel command line and no 'memory =' in the configuration: the kernel's setting stands"
	done
}

@test "setup: a command line and 'memory =': the file wins, with a notice naming the word" {
	printf 'quiet\tmemhp_default_state=online_movable\n' >"$CMDLINE"
	check_setup 'memory = off\n' aob=online '' 'offline - - -' 'auto_online_blocks=online' \
		"memory = off: hot-added memory stays offline
memory = off in the configuration overrides 'memhp_default_state=online_movable' on the kernel command line
auto_online_blocks: offline (was online)" \
		"memory = off: hot-added memory stays offline
memory = off in the configuration overrides 'memhp_default_state=online_movable' on the kernel command line
auto_online_blocks: would set offline (now online)"
}

@test "setup: command-line words that are not the kernel's: after --, inside another word, another key" {
	for words in 'ro -- memhp_default_state=online' 'xmemhp_default_state=online' \
		'memhp_default_state' 'memory_hotplug.memmap_on_memory=1' 'init=/bin/sh memhp_default_stat=online' \
		'rd.memhp_default_state=online' ''; do
		printf '%s\n' "$words" >"$CMDLINE"
		rm -rf "$SYS" "$RUNDIR"
		mksysfs aob=offline
		run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
		[[ $output == 'memory = online: the kernel onlines it
auto_online_blocks: online (was offline)' ]] || fail "command line '$words': $output"
	done
	# Control: the same word before -- is the kernel's.
	printf '%s\n' 'ro memhp_default_state=online -- memhp_default_state=offline' >"$CMDLINE"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup --dry-run
	assert_output --partial "'memhp_default_state=online' on the kernel command line"
}

@test "setup: an unprintable or very long command-line word is shown escaped and cut" {
	mksysfs aob=offline
	printf 'memhp_default_state=\033[2J%s\n' "$(printf 'x%.0s' {1..300})" >"$CMDLINE"
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_output --regexp "^'memhp_default_state=\\\\x1b\\[2Jx+\\.\\.\\.' on the kernel command line and no 'memory =' in the configuration: the kernel's setting stands$"
	((${#output} < 200)) || fail "not cut: ${#output} bytes"
	assert_equal "$(tree_sums)" "$before"
}

@test "setup: a command line with a NUL byte, too long, or unreadable: exit 2, nothing written" {
	mksysfs aob=offline
	before=$(tree_sums)
	printf 'quiet\0memhp_default_state=online\n' >"$CMDLINE"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: cannot read '/proc/cmdline': unexpected contents"
	head -c 8192 /dev/zero | tr '\0' ' ' >"$CMDLINE"   # more than the kernel's 4 KiB
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: cannot read '/proc/cmdline': unexpected contents"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup --dry-run
	# A socket where the file should be: open() fails (ENXIO).
	rm "$CMDLINE"
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$CMDLINE"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_stderr_contains "hotplug-online: cannot read '/proc/cmdline': "
	rm "$CMDLINE"
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $RUNDIR ]] || fail "made $RUNDIR"
	# Control: a long but sane command line is read.
	{ head -c 3000 /dev/zero | tr '\0' ' '; echo memhp_default_state=online; } >"$CMDLINE"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	assert_output --partial "'memhp_default_state=online' on the kernel command line"
}

# Bad input: a knob, the record or the command line holding what the
# kernel or setup never write.  Exit 2, the file named, nothing written.

@test "setup and restore: junk, overlong or NUL-bearing contents in a knob: exit 2 naming it, nothing written" {
	mksysfs aob=online_movable policy=auto-movable ratio=150 numa=N
	mkdir -p "$RUNDIR"
	printf 'auto_online_blocks=offline\n' >"$RECORD"
	rec=$(record)
	for knob in auto_online_blocks online_policy auto_movable_ratio auto_movable_numa_aware; do
		f=$MEM/$knob
		[[ $knob == auto_online_blocks ]] || f=$P/$knob
		good=$(cat "$f")
		for junk in 'junk\n' 'online \n' 'Online\n' '\n' '' 'online\n\n' 'online\0\n' "$(printf 'x%.0s' {1..40})\n" \
			'-1\n' '0301\n' '3.5\n' '+5\n' 'yes\n' 'y\n' 'contig_zones\n' 'auto_movable\n'; do
			# shellcheck disable=SC2059 # the format is the file's contents
			printf -- "$junk" >"$f"
			before=$(tree_sums)
			for cmd in setup 'setup --dry-run' restore; do
				# shellcheck disable=SC2086 # the command and its option
				run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" $cmd
				[[ $stderr == "hotplug-online: '$knob' holds a value the kernel never writes: nothing changed" ]] ||
					fail "$knob '$junk', $cmd: $stderr"
				assert_equal "$output" ''
			done
			assert_equal "$(tree_sums)" "$before"
			assert_equal "$(record)" "$rec"
		done
		echo "$good" >"$f"
	done
	# Control: the same tree with good values is accepted.
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	assert_output 'memory = online: the kernel onlines it
auto_online_blocks: online (was online_movable)'
}

@test "setup: a knob that is a directory or a FIFO is bad input; a symlink is not followed" {
	mksysfs aob=offline policy=contig-zones
	rm "$P/online_policy"
	mkfifo "$P/online_policy"
	before=$(tree_sums)
	HO_WRAPPER="timeout 10 $HO_WRAPPER" run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: 'online_policy' holds a value the kernel never writes: nothing changed"
	rm "$P/online_policy"
	mkdir "$P/online_policy"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	rmdir "$P/online_policy"
	echo online >"$BATS_TEST_TMPDIR/target"
	rm "$MEM/auto_online_blocks"
	ln -s "$BATS_TEST_TMPDIR/target" "$MEM/auto_online_blocks"
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: cannot read 'auto_online_blocks': $ELOOP_TEXT"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/target")" online
	[[ ! -e $RUNDIR ]] || fail "made $RUNDIR"
}

@test "setup and restore: a bad record is bad input: exit 2 naming it, nothing written, the record kept" {
	long=$(printf 'x%.0s' {1..300})
	for rec in 'auto_online_blocks=bogus\n' 'auto_online_blocks="offline"\n' 'auto_online_blocks = offline\n' \
		'frobnicate=1\n' 'auto_online_blocks\n' '=offline\n' 'auto_online_blocks=\n' \
		'auto_online_blocks=offline\nauto_online_blocks=online\n' 'auto_online_blocks=offline\n\nonline_policy=contig-zones\n' \
		'auto_online_blocks=offline\0\n' "auto_online_blocks=$long\n" "online_policy=contig-zones\n$long\n" \
		'auto_movable_ratio=0301\n' 'auto_movable_numa_aware=yes\n' 'online_policy=contig_zones\n' \
		'AUTO_ONLINE_BLOCKS=offline\n' 'auto_online_blocks=offline\r\n'; do
		rm -rf "$SYS" "$RUNDIR"
		mksysfs aob=online policy=auto-movable
		mkdir -p "$RUNDIR"
		# shellcheck disable=SC2059 # the format is the file's contents
		printf "$rec" >"$RECORD"
		before=$(tree_sums) sums=$(tree_sums "$RUNDIR")
		for cmd in setup 'setup --dry-run' restore; do
			# shellcheck disable=SC2086 # the command and its option
			run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" $cmd
			[[ $stderr == "hotplug-online: '/run/hotplug-online/kernel-saved': unexpected contents: nothing changed" ]] ||
				fail "record '$rec', $cmd: $stderr"
		done
		assert_equal "$(tree_sums)" "$before"
		assert_equal "$(tree_sums "$RUNDIR")" "$sums"
	done
	# Control: good records, one knob or all four, in any order, are read.
	for rec in 'auto_online_blocks=offline\n' 'auto_movable_numa_aware=Y\nauto_online_blocks=offline\nauto_movable_ratio=301\nonline_policy=contig-zones\n' \
		'online_policy=contig-zones'; do
		# shellcheck disable=SC2059 # the format is the file's contents
		printf "$rec" >"$RECORD"
		run -0 ho --sysfs "$SYS" --config "$CFG" setup --dry-run
	done
}

@test "restore: only what the record names, and a knob gone since is skipped" {
	mksysfs aob=online_kernel policy=auto-movable ratio=150 numa=N
	mkdir -p "$RUNDIR"
	printf 'online_policy=contig-zones\nauto_movable_ratio=301\n' >"$RECORD"
	run -0 --separate-stderr ho --sysfs "$SYS" restore
	assert_output 'online_policy: contig-zones (put back, was auto-movable)
auto_movable_ratio: 301 (put back, was 150)'
	assert_equal "$(knobs)" 'online_kernel contig-zones 301 N'
	[[ ! -e $RECORD ]]
	# The parameters went away (module reloaded, another kernel): nothing to put back.
	printf 'online_policy=contig-zones\nauto_online_blocks=offline\n' >"$RECORD"
	rm -r "$SYS/module"
	run -0 --separate-stderr ho --sysfs "$SYS" restore
	assert_output 'auto_online_blocks: offline (put back, was online_kernel)'
	assert_equal "$(knobs)" 'offline - - -'
	[[ ! -e $RECORD ]]
}

@test "restore: no record, no run directory: nothing to do, exit 0, silent" {
	mksysfs aob=online policy=auto-movable
	before=$(tree_sums)
	run -0 --separate-stderr ho --sysfs "$SYS" restore
	assert_equal "$output$stderr" ''
	mkdir -p "$RUNDIR"
	run -0 --separate-stderr ho --sysfs "$SYS" restore
	assert_equal "$output$stderr" ''
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
}

@test "setup: a refused write without a fallback fails, exit 1; restore puts back what was changed before it" {
	mksysfs aob=offline policy=contig-zones ratio=200
	echo 'memory = auto-movable' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='online_policy=EPERM' run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: cannot set 'online_policy': Operation not permitted"
	# The ratio came first and was set; the policy and auto_online_blocks were not.
	assert_equal "$(knobs)" 'offline contig-zones 301 Y'
	run -0 ho --sysfs "$SYS" restore
	assert_equal "$(knobs)" 'offline contig-zones 200 Y'
	[[ ! -e $RECORD ]]
	# memory = online has no fallback: EINVAL is a failure.
	echo 'memory = online' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='auto_online_blocks=EINVAL' run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: cannot set 'auto_online_blocks': Invalid argument"
	assert_equal "$(knobs)" 'offline contig-zones 200 Y'
	# online_movable whose fallback is refused too.
	echo 'memory = online_movable' >"$CFG"
	sed -i 's/offline/online/' "$MEM/auto_online_blocks"
	HOTPLUG_ONLINE_TEST_FAULTS='auto_online_blocks=EINVAL' run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_equal "$stderr" "hotplug-online: cannot set 'auto_online_blocks': Invalid argument"
	assert_equal "$(knobs)" 'online contig-zones 200 Y'
}

@test "setup: where the record cannot be written, nothing is changed, exit 1" {
	mksysfs aob=offline
	mkdir -p "$RUNDIR/kernel-saved.new"   # in the way of the atomic write
	before=$(tree_sums)
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_stderr_contains "cannot record 'auto_online_blocks' before changing it: "
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $RECORD ]]
	# A run directory that is not one: cannot even be read.
	rm -rf "$RUNDIR"
	: >"$RUNDIR"
	run -1 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_stderr_contains "kernel-saved': Not a directory: nothing changed"
	assert_equal "$(tree_sums)" "$before"
}

@test "setup and restore: usage" {
	mksysfs aob=offline
	before=$(tree_sums)
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup memory4
	assert_stderr_contains "unexpected argument 'memory4'"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" restore --dry-run
	assert_stderr_contains "--dry-run works only with 'online' and 'setup', not 'restore'"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup --json
	assert_stderr_contains "--json works only with 'status', not 'setup'"
	run -2 --separate-stderr ho --sysfs "$SYS" restore extra
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$BATS_TEST_TMPDIR/nonexistent.conf" setup
	assert_stderr_contains "nonexistent.conf': No such file or directory"
	printf 'memory = sometimes\n' >"$CFG"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	assert_stderr_contains "line 1: invalid value: 'memory = sometimes'"
	assert_equal "$(tree_sums)" "$before"
	[[ ! -e $RUNDIR ]]
}

# daxctl reconfigure-device --mode=system-ram aborts while the kernel
# onlines hot-added memory (ndctl: auto_online_blocks starting with
# "online"): with dax-capable memory the udev rule onlines instead.
@test "setup: dax, nd or cxl devices: auto_online_blocks = offline, said (whatever dax_kmem and memory say)" {
	for bus in dax nd cxl; do
		for config in '' 'dax_kmem = online\n' 'memory = online_movable\n'; do
			check_setup "$config" "aob=online bus=$bus" '' 'offline - - -' 'auto_online_blocks=online' \
				'dax, nvdimm or cxl devices here: the udev rule onlines memory, so that daxctl reconfigure-device works
auto_online_blocks: offline (was online)' \
				'dax, nvdimm or cxl devices here: the udev rule onlines memory, so that daxctl reconfigure-device works
auto_online_blocks: would set offline (now online)'
		done
	done
	# A dax device with a range counts too.
	check_setup '' "aob=online dax=dax0.0:0x20000000:268435456" '' 'offline - - -' 'auto_online_blocks=online' \
		'dax, nvdimm or cxl devices here: the udev rule onlines memory, so that daxctl reconfigure-device works
auto_online_blocks: offline (was online)' \
		'dax, nvdimm or cxl devices here: the udev rule onlines memory, so that daxctl reconfigure-device works
auto_online_blocks: would set offline (now online)'
}

@test "setup: an empty bus/dax/devices (the driver loaded, no device) is no dax device (control)" {
	mksysfs aob=offline
	mkdir -p "$SYS/bus/dax/devices" "$SYS/bus/nd/devices" "$SYS/bus/cxl/devices"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	assert_output 'memory = online: the kernel onlines it
auto_online_blocks: online (was offline)'
}

@test "setup: the command line's word and dax devices: the kernel's setting stands, nothing written" {
	echo 'memhp_default_state=online' >"$CMDLINE"
	check_setup '' 'aob=online bus=nd' '' 'online - - -' '(none)' \
		"'memhp_default_state=online' on the kernel command line and no 'memory =' in the configuration: the kernel's setting stands" \
		"'memhp_default_state=online' on the kernel command line and no 'memory =' in the configuration: the kernel's setting stands"
}
