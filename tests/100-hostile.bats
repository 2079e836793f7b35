#!/usr/bin/env bats
# The tables hold literal hostile strings: no expansion is wanted in them.
# shellcheck disable=SC2016,SC1003
# Table-driven hostile input: DEVPATH, ACTION, SUBSYSTEM, command-line
# arguments, device names and configuration lines.  Every case must exit 2,
# name the input on stderr (unprintable bytes as \xNN, long text cut), and
# leave the fake tree exactly as it was.  The tree has offline blocks
# (memory4-7) and CPUs (cpu2, cpu3), so a wrongly accepted input would write.

load test_helper/common

setup() {
	common_setup
	mksysfs online=4 offline=4 cpus=4 offline_cpus=2
	BEFORE=$(tree_sums)
	ncases=0
}

# expect_refused CASE NAMED: after a run, check status 2, NAMED on stderr
# (sanitized, and only the first 64 characters: long text is cut) and the
# tree unchanged.
expect_refused() {
	local shown
	shown=$(sanitize "$2")
	shown=${shown:0:64}
	[[ $stderr == *"'$shown"* ]] || fail "case $1: stderr does not name '$shown': $stderr"
	[[ $(tree_sums) == "$BEFORE" ]] || fail "case $1: the tree changed: $(changed_since "$BEFORE")"
	ncases=$((ncases + 1))
}

q() { printf '%q' "$1"; }

# Negative control: the same harness sees a valid input write.
expect_written() {
	[[ $(tree_sums) != "$BEFORE" ]] || fail "control $1: nothing was written"
	rm -rf "$SYS"
	mksysfs online=4 offline=4 cpus=4 offline_cpus=2
}

@test "hostile DEVPATH (udev, ACTION=add)" {
	long=$(printf 'a%.0s' {1..300})
	cases=(
		'' / /devices /devices/system/memory /devices/system/memory/ /devices/system/cpu/
		/devices/system/memory/memory4/ /devices/system/memory//memory4 //devices/system/memory/memory4
		/devices/system/memory/memory4/.. /devices/system/memory/../memory/memory4
		/devices/system/memory/memory4/../memory5 /devices/system/memory/./memory4
		/devices/system/memory/memory4/state /devices/system/cpu/cpu3/online /devices/system/cpu/cpu3/
		/devices/system/memory/memory04 /devices/system/memory/memory00 /devices/system/cpu/cpu03
		/devices/system/memory/memory1234567890 /devices/system/memory/memory99999999999999999999
		/devices/system/cpu/cpu4294967299 /devices/system/memory/memory+4 /devices/system/memory/memory-4
		/devices/system/cpu/cpu-3 '/devices/system/memory/memory 4' '/devices/system/memory/memory4 '
		' /devices/system/memory/memory4' $'/devices/system/memory/memory4\n'
		$'/devices/system/memory/memory4\n/devices/system/cpu/cpu3' $'/devices/system/memory/memory\t4'
		$'/devices/system/memory/memory4\r' $'/devices/system/memory/memory4\x7f'
		$'/devices/system/memory/memory4\x1b[2J' /devices/system/memory/memory４ /devices/system/memory/memory4é
		/devices/system/memory/mémory4 /sys/devices/system/memory/memory4 devices/system/memory/memory4
		/devices/system/cpu/memory4 /devices/system/memory/cpu3 /devices/system/memory/memory
		/devices/system/cpu/cpu /devices/system/cpu/cpu3x /devices/system/cpu/cpu0x3
		/devices/system/memory/memory0x4 /devices/system/memory/memory4.0 /devices/system/memory/memory4e0
		/devices/system/cpu/cpufreq /devices/system/node/node0 /devices/system/Memory/memory4
		/DEVICES/system/memory/memory4 /devices/system/memory/MEMORY4 /devices/system/memory/Memory4
		'/devices/system/memory/memory4;reboot' '/devices/system/memory/memory4$(id)'
		"/devices/system/memory/memory4'" '/devices/system/memory/memory4\' '/devices/system/memory/*'
		"/devices/system/memory/$long" "/devices/system/memory/memory4/$long"
		/devices/platform/../system/memory/memory4 /devices/system/memory/memory4/node1
	)
	for d in "${cases[@]}"; do
		ACTION=add DEVPATH=$d run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev ||
			fail "DEVPATH $(q "$d"): exit $status"
		assert_equal "$output" ''
		[[ $stderr == *"invalid DEVPATH '"* ]] || fail "DEVPATH $(q "$d"): $stderr"
		expect_refused "DEVPATH $(q "$d")" "$d"
	done
	((ncases >= 60)) || fail "only $ncases cases"
	ACTION=add DEVPATH=/devices/system/memory/memory4 run -0 ho --sysfs "$SYS" --config "$CFG" udev
	expect_written "DEVPATH /devices/system/memory/memory4"
}

@test "hostile ACTION (DEVPATH of an offline block)" {
	cases=(
		'' ADD Add 'add ' ' add' $'add\n' $'add\r' adds ad added new '*' 'add;remove' $'add\x1b'
		addé 'аdd' $'remove\n' Remove bind2 $'\x01' "$(printf 'a%.0s' {1..200})"
		Online 'online ' onlined $'offline\n' OFFLINE off-line
	)
	for a in "${cases[@]}"; do
		ACTION=$a DEVPATH=/devices/system/memory/memory4 run -2 --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev || fail "ACTION $(q "$a"): exit $status"
		[[ $stderr == *"invalid ACTION '"* ]] || fail "ACTION $(q "$a"): $stderr"
		expect_refused "ACTION $(q "$a")" "$a"
	done
	((ncases >= 26)) || fail "only $ncases cases"
}

@test "hostile SUBSYSTEM (must match the DEVPATH)" {
	cases=('' cpu Memory MEMORY 'memory ' ' memory' $'memory\n' mem memoryx memory4 block mémoire '*' $'\x1b')
	for s in "${cases[@]}"; do
		ACTION=add DEVPATH=/devices/system/memory/memory4 SUBSYSTEM=$s run -2 --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev || fail "SUBSYSTEM $(q "$s"): exit $status"
		[[ $stderr == *"does not match DEVPATH '/devices/system/memory/memory4'"* ]] ||
			fail "SUBSYSTEM $(q "$s"): $stderr"
		expect_refused "SUBSYSTEM $(q "$s")" "$s"
	done
	for s in memory '' CPU cpus; do
		ACTION=add DEVPATH=/devices/system/cpu/cpu3 SUBSYSTEM=$s run -2 --separate-stderr \
			ho --sysfs "$SYS" --config "$CFG" udev || fail "SUBSYSTEM $(q "$s") for cpu3: exit $status"
		expect_refused "SUBSYSTEM $(q "$s") for cpu3" "$s"
	done
	((ncases >= 18)) || fail "only $ncases cases"
	ACTION=add DEVPATH=/devices/system/cpu/cpu3 SUBSYSTEM=cpu run -0 ho --sysfs "$SYS" --config "$CFG" udev
	expect_written "SUBSYSTEM cpu"
}

@test "hostile command-line arguments" {
	nx=$BATS_TEST_TMPDIR/nonexistent
	# Each case: the text stderr must name, then the arguments.
	argcase() {
		local named=$1
		shift
		run -2 --separate-stderr ho "$@" || fail "args $(printf '%q ' "$@"): exit $status"
		assert_equal "$output" ''
		expect_refused "args $(printf '%q ' "$@")" "$named"
	}
	argcase -x -x --sysfs "$SYS" --config "$CFG" online
	argcase --frobnicate --sysfs "$SYS" --config "$CFG" --frobnicate online
	argcase --help=yes --help=yes
	argcase --dry-run=1 --sysfs "$SYS" --config "$CFG" --dry-run=1 online
	argcase --sysfsx=/ --sysfsx=/ status
	argcase --json-x --json-x status
	argcase $'-\x01' $'-\x01' status
	argcase '--sysfs' --sysfs
	argcase '--sysfs' --config "$CFG" --sysfs= online
	argcase '--config' --sysfs "$SYS" --config= online
	argcase '--config' --sysfs "$SYS" online --config
	argcase "$nx" --sysfs "$nx" --config "$CFG" online
	argcase "$nx"$'\x01' --sysfs "$nx"$'\x01' status
	argcase "$CFG" --sysfs "$CFG" --config "$CFG" online
	argcase "$nx" --sysfs "$SYS" --config "$nx" online
	argcase "$nx" --sysfs "$SYS" --config "$nx" online --dry-run
	argcase "$SYS" --sysfs "$SYS" --config "$SYS" online
	argcase ONLINE --sysfs "$SYS" --config "$CFG" ONLINE
	argcase $'online\n' --sysfs "$SYS" --config "$CFG" $'online\n'
	argcase 'onlinе' --sysfs "$SYS" --config "$CFG" 'onlinе'
	argcase '' --sysfs "$SYS" --config "$CFG" ''
	argcase - --sysfs "$SYS" --config "$CFG" -
	argcase online --sysfs "$SYS" --config "$CFG" --json online
	argcase udev --sysfs "$SYS" --config "$CFG" --dry-run udev
	argcase status --sysfs "$SYS" -n status
	argcase extra --sysfs "$SYS" --config "$CFG" udev extra
	argcase memory4 --sysfs "$SYS" status memory4
	argcase x --sysfs "$SYS" --config "$CFG" udev -- x
	argcase memory4 --sysfs "$SYS" --config "$CFG" setup memory4
	argcase setup --sysfs "$SYS" --config "$CFG" --json setup
	argcase restore --sysfs "$SYS" --dry-run restore
	argcase all --sysfs "$SYS" restore all
	argcase SETUP --sysfs "$SYS" --config "$CFG" SETUP
	argcase "$nx" --sysfs "$SYS" --config "$nx" setup --dry-run
	((ncases >= 25)) || fail "only $ncases cases"
}

@test "hostile device names (online)" {
	cases=(
		'' memory cpu memory04 memory00 cpu03 cpu00 memory1234567890 memory99999999999999999999
		cpu4294967296 memory-4 memory+4 cpu-3 'memory 4' ' memory4' 'memory4 ' $'memory4\n' $'memory\t4'
		Memory4 MEMORY4 CPU3 mem4 memory4x memory0x4 memory4.0 memory4e0 memory4/ memory4/state ../memory4
		./memory4 memory４ memoryé ｍemory4 cpu3/online node0 'memory4;rm' '$(id)' "memory4'" 'memory4\'
		$'memory4\x7f' $'memory\x1b[1m4' /devices/system/memory/memory4/ /devices/system/memory//memory4
		/sys/devices/system/memory/memory4 /devices/system/cpu/memory4 /devices/system/memory/cpu3
		devices/system/cpu/cpu3 /devices/system/cpu/cpu3/.. /devices/system/cpu/cpu3/online
		"memory$(printf '4%.0s' {1..100})"
	)
	for n in "${cases[@]}"; do
		# After valid names: all are checked before any is touched.
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online memory4 cpu3 "$n" ||
			fail "device $(q "$n"): exit $status"
		assert_equal "$output" ''
		[[ $stderr == *"invalid device '"* ]] || fail "device $(q "$n"): $stderr"
		expect_refused "device $(q "$n")" "$n"
	done
	# And alone.
	for n in '' memory04 $'memory4\n' /devices/system/memory/memory4/; do
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online "$n" ||
			fail "device $(q "$n") alone: exit $status"
		expect_refused "device $(q "$n") alone" "$n"
	done
	((ncases >= 50)) || fail "only $ncases cases"
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory4
	expect_written "device memory4"
}

@test "hostile configuration lines (online refuses to run)" {
	cases=(
		'memory = onlin' 'memory = Online' 'memory = ONLINE' 'memory = online online' 'memory = off,'
		'memory =' 'memory' '= online' '=' 'Memory = online' 'memory == online' 'memory: online'
		'[main]' 'cpu = yes' 'cpu = 1' 'cpu = true' 'cpu = ON' 'strict = true' 'strict = 1'
		'strict = on' 'skip_s390x_ppc64 = on' 'skip_s390x_ppc64 = 0' 'memory = "online"'
		"memory = 'online'" 'mémory = online' 'memory = оnline' $'memory = online\x01'
		$'memory = online\x1b[31m' $'memory\v= online' 'export memory=online' 'memory = online_movable x'
		'memory = $(reboot)' 'numa = yes' 'memory = auto_movable' 'memory = Auto-movable'
		'movable_ratio = 0' 'movable_ratio = 100001' 'movable_ratio = -1' 'movable_ratio = 50%'
		'movable_ratio = 0301' 'movable_ratio = 1e3' 'movable_numa_aware = on'
		'kernel_auto_online = on' 'kernel_auto_online = 1' 'kernel_auto_online = Yes' 'kernel_auto_online =' 'memory=online;cpu=off' $'\x7f' 'memory = online\'
		"memory = $(printf 'x%.0s' {1..300})" "$(printf 'y%.0s' {1..2000}) = online"
	)
	for l in "${cases[@]}"; do
		printf '# a good line first\ncpu = on\n%s\n' "$l" >"$CFG"
		run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online ||
			fail "config $(q "$l"): exit $status"
		assert_equal "$output" ''
		[[ $stderr == *"config '$CFG' line 3: "* ]] || fail "config $(q "$l"): $stderr"
		expect_refused "config $(q "$l")" "$l"
	done
	run -2 ho --sysfs "$SYS" --config "$CFG" online --dry-run memory4
	# setup refuses a bad file as online does.
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" setup
	expect_refused "config for setup" "$l"
	# A NUL byte: the line is named up to the NUL.
	printf 'memory = on\0line\n' >"$CFG"
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	expect_refused "config with NUL" 'memory = on'
	((ncases >= 35)) || fail "only $ncases cases"
	printf 'memory = online_kernel\n' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory4
	expect_written "config memory = online_kernel"
}
