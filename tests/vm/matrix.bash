# shellcheck shell=bash
# Shared by the zone and log matrix (tests/vm/12x-*.bats, issue 10): one
# guest per kernel (or distribution rule) takes the memory policies in
# turn, as an administrator would: a "memory =" line appended to the file
# (the last one wins), `hotplug-online setup` run as the .path unit runs
# it, then a DIMM; each block in the configured zone, one line each from
# the log service.
# shellcheck source-path=SCRIPTDIR source=common.bash
source "$BATS_TEST_DIRNAME/common.bash"

# Every test of a file talks to its one guest (each test is a process of
# its own: guest_boot's export does not reach the next one).
export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

teardown_file() { guest_stop; }

# need_suite SUITE: KERNEL is the path of SUITE's kernel ('' for Debian 12's
# default one); skip, saying why, when it cannot be had.
need_suite() {
	KERNEL=
	[[ -z $1 ]] && return 0
	KERNEL=$(vm_kernel_of "$1" 2> "$BATS_FILE_TMPDIR/$1.err") ||
		skip "no $1 kernel (tests/vm/kernel.sh $1: $(tr '\n' ' ' < "$BATS_FILE_TMPDIR/$1.err"))"
}

# boot_suite SUITE [vmctl boot args]: a fresh guest on that kernel.
boot_suite() {
	local suite=$1
	shift
	need_suite "$suite"
	guest_stop 2> /dev/null || true
	if [[ -n $KERNEL ]]; then
		HPO_VM_KERNEL=$KERNEL guest_boot "$@"
	else
		guest_boot "$@"
	fi
	echo "# ${suite:-bookworm}: kernel $(vm_sh 'uname -r')" >&3
}

# configure LINE...: append the lines to /etc/hotplug-online.conf and run
# setup; prints the kernel's policy afterwards (hpo-vm memhp).
configure() {
	local l script=''
	for l in "$@"; do script+="echo '$l' >> /etc/hotplug-online.conf; "; done
	run -0 vm_sh "${script}hotplug-online setup > /dev/null && hpo-vm memhp"
	MEMHP=$(tr '\n' ' ' <<< "$output")
}

# hot_add SIZE ZONE: hot-add a DIMM of SIZE, wait until its blocks are
# online and check: each in ZONE, one "online (128 MiB, node 0, zone ZONE)"
# line each (the log service's), no error.  EXECS: the helper's execs from
# the device_add to the settled queue (0 where the kernel onlines: the rule
# runs nothing; one per block on the udev path), EXECLIST their "TIME PID
# FILE" lines.  BEFORE: MemTotal before.
hot_add() {
	local size=$1 zone=$2 b
	# MemTotal; the syslog's mark (the same block numbers come back after
	# a hot-remove: only the lines logged from here on count).
	{ read -r BEFORE && read -r LOG_MARK; } < <(vm_sh 'hpo-vm memtotal; hpo-vm mark; hpo-vm execs start')
	add_dimm "$size"
	wait_blocks online
	EXECLIST=$(vm_sh 'udevadm settle --timeout=30; hpo-vm execs list; hpo-vm execs stop')
	EXECS=$(grep -c . <<< "$EXECLIST" || true)
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online $zone"
	done
	assert_logged_once "${BLOCKS[@]}"
	for b in "${BLOCKS[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \\(128 MiB, node 0, zone $zone\\)$"
	done
	assert_no_failure_logged
	echo "# ${MATRIX_LABEL-}: $MEMHP-> ${#BLOCKS[@]} blocks $zone; $EXECS helper execs" >&3
}

# assert_execs N: the last hot_add ran the helper N times; else show the
# runs (time, PID) and what the log says after the mark.
assert_execs() {
	((EXECS == $1)) && return 0
	fail "expected $1 helper execs, got $EXECS: $EXECLIST" "$(vm_sh "hpo-vm log $LOG_MARK")"
}

# hot_remove: device_del of the last DIMM; its blocks go, each with one
# "offline" line, MemTotal is back.
hot_remove() {
	log_mark
	run -0 vm_del "$DIMM_ID" --timeout 60
	wait_blocks absent
	assert_equal "$(vm_sh 'hpo-vm memtotal')" "$BEFORE"
	LINGER=0.5 wait_lines offline "${BLOCKS[@]}"
	assert_once offline "${BLOCKS[@]}"
	assert_no_failure_logged
}

# policy_sequence LABEL: online, online_movable, auto-movable in the
# current guest, each a 512 MiB DIMM, all onlined by the kernel (no helper
# exec); the movable ones are removed again.
policy_sequence() {
	MATRIX_LABEL=$1
	configure 'memory = online'
	hot_add 512M Normal
	assert_execs 0
	configure 'memory = online_movable'
	hot_add 512M Movable
	assert_execs 0
	hot_remove
	# 512 MiB movable against 1 GiB of kernel zones (boot + the first
	# DIMM): well inside the default ratio (301 %).
	configure 'memory = auto-movable'
	assert_output --partial 'online_policy auto-movable'
	hot_add 512M Movable
	assert_execs 0
	hot_remove
}

# assert_replays_marked: an `udevadm trigger --action=add` of a memory block
# and a CPU reaches udevd with SYNTH_UUID (the kernel's mark of a
# replayed event, 4.13+), in the kernel's event and in udevd's.
assert_replays_marked() {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	run -0 vm_sh 'udevadm monitor --kernel --udev --property --subsystem-match=memory --subsystem-match=cpu > /run/synth 2>&1 &
		pid=$!; i=0
		while ! grep -q "^UDEV - " /run/synth && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		udevadm trigger --action=add /sys/devices/system/memory/memory0 /sys/devices/system/cpu/cpu0
		udevadm settle --timeout=30; sleep 0.5; kill $pid
		# Only these two devices: a removed DIMM'"'"'s last events may still
		# come (udevd holds a device'"'"'s next event behind a burst'"'"'s logger).
		uname -r; awk -v RS= "/\nDEVPATH=\/devices\/system\/(memory\/memory0|cpu\/cpu0)(\n|\$)/" /run/synth |
			grep -E "^(KERNEL|UDEV) *\[|^SYNTH_UUID="'
	echo "# $(head -n 1 <<< "$output"): replayed add events: $(grep -c '^SYNTH_UUID=' <<< "$output") SYNTH_UUID for $(grep -cE '^(KERNEL|UDEV) *\[' <<< "$output") events ($(grep '^SYNTH_UUID=' <<< "$output" | sort -u | tr '\n' ' '))" >&3
	assert_equal "$(grep -c '^SYNTH_UUID=' <<< "$output")" 4
	assert_equal "$(grep -cE '^(KERNEL|UDEV) *\[' <<< "$output")" 4
}
