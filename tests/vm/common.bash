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

# A syslog line of hotplug-online (the log service's transition lines, the
# helper's decisions and failures): busybox syslogd writes
# "DATE hpo-guest daemon.info hotplug-online[PID]: memory40: online (...)".
LOG_HELPER='daemon\.[a-z]+ hotplug-online(\[[0-9]+\])?: '

# The log service writes the transition lines (hotplug-online-log.service,
# which guest/init starts with hpo.pkg=installed).
# shellcheck disable=SC2034 # used by the scenarios
LOGD=hotplug-online-log.service

guest_boot() {
	export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm
	vm_boot "$HPO_VM_DIR" "$@" 2>&1 | sed 's/^/# /' >&3
	[[ ${PIPESTATUS[0]} == 0 ]]
}

guest_stop() { "$HPO_VM_CTL" -d "$BATS_FILE_TMPDIR/vm" stop; }

# suite_kernel SUITE: export HPO_VM_KERNEL, the path of SUITE's kernel
# (kernel.sh SUITE); '' leaves it as it is (Debian 12's).  Skip the test, or
# from setup_file the file, saying why, when SUITE's kernel cannot be had.
suite_kernel() {
	[[ -n $1 ]] || return 0
	HPO_VM_KERNEL=$(vm_kernel_of "$1" 2> "$BATS_FILE_TMPDIR/$1.err") ||
		skip "no $1 kernel (tests/vm/kernel.sh $1: $(tr '\n' ' ' < "$BATS_FILE_TMPDIR/$1.err"))"
	export HPO_VM_KERNEL
}

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
	run -0 vm_sh --timeout $((BOUND + 30)) "hpo-vm wait $BOUND 'hpo-vm all $1 $DIMM_ADDR $DIMM_SIZE'"
	echo "# $DIMM_ID: ${#BLOCKS[@]} blocks $1 after ${output} ms" >&3
}

# cpu_add: hot-add a vCPU; it comes online (the rule's helper), one line,
# nothing failed.  cpu: its name.
cpu_add() {
	# shellcheck disable=SC2119 # no arguments: the next free slot
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	assert_logged_once "$cpu"
	assert_line --regexp "${LOG_HELPER}${cpu}: online$"
	assert_no_failure_logged
}

# log_mark: LOG_MARK is the syslog's line count now: wait_lines and
# assert_logged_once look at the lines after it (a hot-removed DIMM's block
# numbers come back with the next one).  Unset: the whole log.
log_mark() { LOG_MARK=$(vm_sh 'hpo-vm mark'); }

# wait_lines WHAT NAMES...: until each of NAMES (memory blocks, CPUs) has a
# "NAME: WHAT" line (online, offline) after LOG_MARK, BOUND s at most: the
# log service writes it a moment after the transition, at its own pace
# (`udevadm settle` does not wait for it).  Then, LINGER s later (default
# 0), $output is the log after LOG_MARK.  One request to the guest.
wait_lines() {
	local what=$1
	shift
	run vm_sh --timeout $((BOUND + 30)) "if hpo-vm wait $BOUND 'hpo-vm logged $what ${LOG_MARK:-0} $*' > /dev/null
		then s=0; else s=1; fi; sleep ${LINGER:-0}; hpo-vm log ${LOG_MARK:-0}; exit \$s"
	((status == 0)) || fail "not every one of $* had a '$what' line within $BOUND s" "$output"
}

# assert_once WHAT NAMES...: $output has exactly one "NAME: WHAT" line of
# hotplug-online for each of NAMES.
assert_once() {
	local what=$1 bad
	shift
	# shellcheck disable=SC2016 # an awk program
	bad=$(awk -v what="$what" -v names="$*" '
		BEGIN { n = split(names, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		/ hotplug-online(\[[0-9]+\])?: / {
			s = $0
			sub(/^.* hotplug-online(\[[0-9]+\])?: /, "", s)
			i = index(s, ": ")
			if (i && (substr(s, 1, i - 1) in want) && substr(s, i + 2, length(what)) == what)
				c[substr(s, 1, i - 1)]++
		}
		END { for (k in want) if (c[k] != 1) printf "%s %d times; ", k, c[k] }' <<< "$output")
	[[ -z $bad ]] || fail "expected one '$what' line each, found $bad" "$output"
}

# assert_logged_once NAMES...: each of NAMES (memory blocks or CPUs) gets
# exactly one "online" line after LOG_MARK: one line per transition,
# whoever made it.  Waits for the lines, and a moment more for a second one.
# Returns the lines in $output.
assert_logged_once() {
	LINGER=0.5 wait_lines online "$@"
	assert_once online "$@"
}

# Assert that nothing failed: no error or warning from the helper, and no
# RUN program that udevd saw fail.
assert_no_failure_logged() {
	run -0 vm_sh 'grep -E "daemon\.(err|warn|crit|alert|emerg) hotplug-online|Process .* failed" /var/log/messages || true'
	assert_output ''
}

# last_block: the highest-numbered memory block.
last_block() { vm_sh 'ls /sys/devices/system/memory | grep -E "^memory[0-9]+$" | sort -V | tail -n 1'; }

# assert_offline_online_logged BLOCK ZONE: an administrator's offline then
# online of BLOCK (hot-added earlier, node 0, in ZONE): a line each, in
# order, and no other line about it (the helper does nothing at an online
# or offline event), nothing failed.
assert_offline_online_logged() {
	local b=$1 zone=$2
	log_mark
	run -0 vm_sh "echo offline > /sys/devices/system/memory/$b/state && echo online > /sys/devices/system/memory/$b/state"
	LINGER=0.5 wait_lines online "$b"
	run -0 grep -E " $b: " <<< "$output"
	assert_equal "${#lines[@]}" 2
	assert_line -n 0 --regexp "${LOG_HELPER}$b: offline \(128 MiB, node 0\)$"
	assert_line -n 1 --regexp "${LOG_HELPER}$b: online \(128 MiB, node 0, zone $zone\)$"
	assert_no_failure_logged
}
