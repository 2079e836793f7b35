# Shared by the VM scenarios (tests/vm/NNN-*.bats): each file boots its own
# guest in setup_file and asks it, through lib.sh, what happened.
bats_require_minimum_version 1.5.0
# The tests of a file share its guest: never run them side by side.
# shellcheck disable=SC2034 # read by bats
BATS_NO_PARALLELIZE_WITHIN_FILE=true
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BATS_TEST_DIRNAME/lib.sh"
# bats's `run` sets it.
output=''

# Seconds a hot-added device may take to come online.  Measured under TCG on
# 2 cores: well under 2 s for 8 blocks; the margin is for a loaded CI host.
BOUND=${HPO_VM_ONLINE_BOUND:-20}

# A syslog line of the helper: busybox syslogd writes
# "DATE hpo-guest daemon.info hotplug-online[PID]: memory40: online (...)".
LOG_HELPER='daemon\.[a-z]+ hotplug-online(\[[0-9]+\])?: '

guest_boot() {
	export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm
	vm_boot "$HPO_VM_DIR" "$@" 2>&1 | sed 's/^/# /' >&3
	[[ ${PIPESTATUS[0]} == 0 ]]
}

guest_stop() { "$HPO_VM_CTL" -d "$BATS_FILE_TMPDIR/vm" stop; }

# What the guest looked like when a test failed: bats shows it with the failure.
teardown() {
	[[ -n ${BATS_TEST_COMPLETED-} ]] && return 0
	echo "--- guest syslog (tail) ---"
	vm_sh 'tail -n 40 /var/log/messages' || true
	echo "--- guest dmesg (tail) ---"
	vm_sh 'dmesg | tail -n 20' || true
	echo "--- console (tail) ---"
	"$HPO_VM_CTL" console | tail -n 10 || true
	cat "$HPO_VM_DIR/qemu.log" 2> /dev/null || true
}

# Hot-add a DIMM; sets DIMM_ID, DIMM_ADDR, DIMM_SIZE and BLOCKS (its block names).
add_dimm() {
	local line
	line=$(vm_add_memory "$1") || fail "hot-adding a $1 DIMM failed"
	read -r DIMM_ID DIMM_ADDR DIMM_SIZE <<< "$line"
	mapfile -t BLOCKS < <(vm_sh "hpo-vm dimm-blocks $DIMM_ADDR $DIMM_SIZE")
}

# Wait until every block of the last DIMM reads STATE; note how long it took.
wait_blocks() {
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm all $1 $DIMM_ADDR $DIMM_SIZE'"
	echo "# $DIMM_ID: ${#BLOCKS[@]} blocks $1 after ${output} ms" >&3
}

# Assert that the helper logged exactly one "online (...)" line for each of
# NAMES (memory blocks or CPUs): one line per transition, whoever onlined
# it.  Returns the lines in $output.
assert_logged_once() {
	local name n
	run -0 vm_sh 'udevadm settle --timeout=30; hpo-vm log'
	for name in "$@"; do
		n=$(grep -cE "${LOG_HELPER}${name}: online \(" <<< "$output" || true)
		[[ $n == 1 ]] || fail "expected one 'online' line for $name, found $n" "$output"
	done
}

# Assert that nothing failed: no error or warning from the helper, and no
# RUN program that udevd saw fail.
assert_no_failure_logged() {
	run -0 vm_sh 'grep -E "daemon\.(err|warn|crit|alert|emerg) hotplug-online|Process .* failed" /var/log/messages || true'
	assert_output ''
}

# line_pids NAMES...: the helper processes ("hotplug-online[PID]", one a
# line) that wrote the `online` lines of NAMES in $output.
line_pids() {
	local name
	for name in "$@"; do
		grep -E "${LOG_HELPER}${name}: online \(" <<< "$output" | grep -oE 'hotplug-online\[[0-9]+\]'
	done | sort -u
}

# last_block: the highest-numbered memory block.
last_block() { vm_sh 'ls /sys/devices/system/memory | grep -E "^memory[0-9]+$" | sort -V | tail -n 1'; }

# assert_offline_online_logged BLOCK: after an administrator's offline then
# online of BLOCK (hot-added earlier, node 0, Normal), the log has its
# three lines in order (the hot-add's online, the offline, the online), and
# nothing failed.
assert_offline_online_logged() {
	run -0 vm_sh "hpo-vm log | grep -E ' $1: (online|offline)'"
	assert_equal "${#lines[@]}" 3
	assert_line -n 1 --regexp "${LOG_HELPER}$1: offline \(128 MiB, node 0\)$"
	assert_line -n 2 --regexp "${LOG_HELPER}$1: online \(128 MiB, node 0, zone Normal; by another agent\)$"
	assert_no_failure_logged
}
