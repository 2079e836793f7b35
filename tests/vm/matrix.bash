# shellcheck shell=bash
# Shared by the issue-10 matrix (tests/vm/120-*.bats): one guest per kernel
# (or distribution rule) takes the memory policies in turn, as an
# administrator would: a "memory =" line appended to the file (the last one
# wins), `hotplug-online setup` run as the .path unit runs it, then a DIMM.
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

# hot_add SIZE ZONE BY: hot-add a DIMM of SIZE, wait until its blocks are
# online and check: each in ZONE, one "online (128 MiB, node 0, zone ZONE;
# by BY)" line each, no "already online", no error.  EXECS: the helper's
# execs from the device_add to the settled queue (each block's online
# event runs it once to log; more is the add's IMPORT).  BEFORE: MemTotal
# before.
hot_add() {
	local size=$1 zone=$2 by=$3 b mark n l since
	BEFORE=$(vm_sh 'hpo-vm memtotal')
	# The same block numbers come back after a hot-remove: only the
	# lines logged from here on count.
	mark=$(vm_sh 'wc -l < /var/log/messages')
	# udevd's debug log names the rule line that ran the helper for each
	# event, printed below when there are more execs than blocks.
	vm_sh 'udevadm control --log-level=debug; hpo-vm execs start'
	add_dimm "$size"
	wait_blocks online
	vm_sh 'udevadm settle --timeout=30; udevadm control --log-level=info'
	EXECS=$(vm_sh 'hpo-vm execs count')
	EXECLIST=$(vm_sh 'hpo-vm execs list; hpo-vm execs stop')
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online $zone"
	done
	run -0 vm_sh "udevadm settle --timeout=30; tail -n +$((mark + 1)) /var/log/messages | grep -E 'hotplug-online|Process .* failed'"
	for b in "${BLOCKS[@]}"; do
		n=$(grep -cE "${LOG_HELPER}${b}: online \\(" <<< "$output" || true)
		[[ $n == 1 ]] || fail "expected one 'online' line for $b, found $n" "$output"
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone $zone; by $by\)$"
	done
	refute_output --partial 'already online'
	since=$output
	SINCE=$output
	assert_no_failure_logged
	echo "# ${MATRIX_LABEL-}: $MEMHP-> ${#BLOCKS[@]} blocks $zone, by $by; $EXECS helper execs" >&3
	# More execs than lines: which ones (a line's [PID] is its exec's).
	if ((EXECS > ${#BLOCKS[@]})); then
		while read -r l; do echo "#   exec (s since boot, pid, file): $l"; done <<< "$EXECLIST" >&3
		grep -oE "hotplug-online\[[0-9]+\]: memory[0-9]+: online" <<< "$since" |
			while read -r l; do echo "#   line: $l"; done >&3
		vm_sh "tail -n +$((mark + 1)) /var/log/messages | grep -E '39-hotplug-online.rules:[0-9]+ |Processing device'" |
			sed -E 's/^.*\]: /#   udevd: /' >&3
	fi
}

# count_runs: of the helper's execs of the last hot_add (EXECLIST), LOGGING
# wrote lines (a line's [PID] is its exec's: the burst's logger, and the
# runs for online events udevd handled before its link was there), SILENT
# wrote none (the add's runs: the udev path's IMPORT onlines a block and
# leaves its line to the online event).
count_runs() {
	local pid
	LOGGING=0 SILENT=0
	while read -r pid; do
		[[ -n $pid ]] || continue
		if grep -qE "hotplug-online\[$pid\]: " <<< "$SINCE"; then
			LOGGING=$((LOGGING + 1))
		else
			SILENT=$((SILENT + 1))
		fi
	done < <(awk '{ print $2 }' <<< "$EXECLIST" | sort -u)
}

# Where the kernel onlines: the helper runs for the lines, 1 to one per
# block (BURSTS in hotplug-online(8)), and at the add only for a block that
# udevd saw offline and then with its firmware_node: the kernel onlined it
# between the rule's two reads (the helper then finds it online and says
# nothing).  Seen once in 4 blocks under load; the udev path would be one
# per block.
assert_execs_kernel() {
	local n=${#BLOCKS[@]}
	count_runs
	((LOGGING >= 1 && LOGGING <= n && SILENT < n)) ||
		fail "expected 1 to $n helper runs writing the $n lines and fewer than $n silent ones at the add, got $LOGGING and $SILENT" "$EXECLIST"
}

# hot_remove: device_del of the last DIMM; its blocks go, MemTotal is back.
hot_remove() {
	run -0 vm_del "$DIMM_ID" --timeout 60
	wait_blocks absent
	assert_equal "$(vm_sh 'hpo-vm memtotal')" "$BEFORE"
	assert_no_failure_logged
}

# policy_sequence LABEL: online, online_movable, auto-movable in the
# current guest, each a 512 MiB DIMM; the movable ones are removed again.
policy_sequence() {
	MATRIX_LABEL=$1
	configure 'memory = online'
	hot_add 512M Normal "the kernel's auto-online"
	assert_execs_kernel
	configure 'memory = online_movable'
	hot_add 512M Movable "the kernel's auto-online"
	assert_execs_kernel
	hot_remove
	# 512 MiB movable against 1 GiB of kernel zones (boot + the first
	# DIMM): well inside the default ratio (301 %).
	configure 'memory = auto-movable'
	hot_add 512M Movable "the kernel's auto-online"
	assert_execs_kernel
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
