# shellcheck shell=bash
# Shared by tests/vm/17x-el-udev-*.bats (issue 18, "RHEL's own udev"): the
# package under the systemd-udevd and udevadm that RHEL ships, built from
# source by ../shared/el-udev/build (219-67.12: RHEL 7.0-7.7, 219-78: 7.8-7.9,
# 239: RHEL 8) into build/el-udev/VERSION once (kept: a later run reuses it),
# in place of Debian's in the test guest (mkinitramfs.sh --udev), with that
# release's own rules instead of Debian 12's (--udev-rules: 219 cannot parse
# 252's) but its 40-redhat.rules, which a test installs when it wants it.
#
# One guest per release takes the matrix in turn, a 512 MiB DIMM each (the
# "memory =" and "kernel_auto_online =" lines appended, the last one wins,
# and `hotplug-online setup` run as the .path unit runs it):
#   alone:  defaults (the kernel onlines: Normal), a CPU;
#           memory = online_movable (the kernel: Movable);
#           kernel_auto_online = no (the rule's helper: Movable)
#   beside the release's 40-redhat.rules (installed, `udevadm control -R`):
#           kernel_auto_online = no (the helper: Movable, and RHEL's
#           ATTR{state}=="offline" reads a fresh "online": no write);
#           defaults again (the kernel: Normal), a CPU
#   negative control: a 38- rule that reads ATTR{state} at the add makes
#           RHEL's rule write "online" to every block the helper onlined
#           (udev's cached value): the check sees what it looks for;
#           a line with CONST{arch} (0.1's rule had one): 219-67.12 drops it
#           with "unknown key" and "invalid rule" at error priority, 219-78
#           and 239 parse it.
# RHEL's CPU rule (ATTR{online}=="0", ATTR{online}="1") writes online again
# after our helper onlined the CPU: udev cached our rule's ATTR{online}
# read.  The kernel takes it as a no-op (no error, no event): the count is
# shown, not checked.
# Each step: every block in its zone, one line each from the log service,
# no error or warning line in the syslog (udevd's rule parsing at its start
# and at the reload included), the helper's execs (0 where the kernel
# onlines, one per block on the udev path), and, from udevd's debug log, no
# ATTR write to the state of a block our helper onlined (219 and 239 do not
# log a write the kernel refuses: the debug line is what shows it).
# shellcheck source-path=SCRIPTDIR source=common.bash
source "$BATS_TEST_DIRNAME/common.bash"

# Every test of a file talks to its one guest.
export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

# ../shared/el-udev: the build script and RHEL's source tarballs.
EL_UDEV_SRC=${HPO_VM_EL_UDEV_SRC:-$HPO_VM_TOP/../shared/el-udev}
EL_UDEV_BUILD=$HPO_VM_TOP/build/el-udev
# The file's release (EL_VER, set before loading this file), its build,
# and what the lines of the steps say.
EL_DIR=$EL_UDEV_BUILD/${EL_VER:?set EL_VER before loading el-udev}
EL_LABEL="udev $EL_VER"

teardown_file() { guest_stop; }

# el_udev_prepare VERSION: build/el-udev/VERSION/{systemd-udevd,udevadm}
# (built once), rules.d/ (the release's *.rules but 40-redhat.rules) and
# 40-redhat.rules from its tarball; EL_INITRD: the guest's initramfs with
# them, the package and systemd-detect-virt (RHEL 7.0-7.7's 40-redhat.rules
# runs /bin/systemd-detect-virt; the host's says "qemu" under TCG, as
# udevd's CONST{virt} of 219-78 and 239 does).
el_udev_prepare() {
	local ver=$1 dir=$EL_UDEV_BUILD/$1 tgz start rules
	[[ -x $EL_UDEV_SRC/build ]] ||
		skip "no RHEL udev sources in $EL_UDEV_SRC (HPO_VM_EL_UDEV_SRC: ../shared/el-udev)"
	case $ver in
	219-*) tgz=$(ls "$EL_UDEV_SRC"/systemd-rhel7-"$ver"-*.tar.gz) ;;
	*) tgz=$(ls "$EL_UDEV_SRC"/systemd-rhel8-"$ver"-*.tar.gz) ;;
	esac
	mkdir -p "$EL_UDEV_BUILD"
	if [[ ! -x $dir/systemd-udevd || ! -x $dir/udevadm ]]; then
		start=$SECONDS
		rm -rf "$dir.tmp"
		# Its OUTDIR must be absolute (it builds in a directory of its own).
		"$EL_UDEV_SRC/build" "$ver" "$dir.tmp" > "$dir.log" 2>&1 ||
			fail "building RHEL's udev $ver failed: $(cat "$dir.log")"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
		echo "# built RHEL's udev $ver in $((SECONDS - start)) s: $(tail -n 1 "$dir.log")" >&3
	fi
	if [[ ! -f $dir/40-redhat.rules ]]; then
		rules=$(mktemp -d "$BATS_FILE_TMPDIR/rules.XXXXXX")
		tar -xzf "$tgz" -C "$rules" --strip-components=2 --wildcards '*/rules/*.rules'
		mkdir -p "$dir/rules.d"
		mv "$rules/40-redhat.rules" "$dir/40-redhat.rules.tmp"
		cp "$rules"/*.rules "$dir/rules.d/"
		mv "$dir/40-redhat.rules.tmp" "$dir/40-redhat.rules"
	fi
	EL_INITRD=$HPO_VM_BUILD/initramfs-el-$ver.cpio
	"$HPO_VM_LIB/mkinitramfs.sh" --udev "$dir" --udev-rules "$dir/rules.d" \
		"$EL_INITRD.base" "$(vm_deb)" || fail "mkinitramfs.sh --udev $dir failed"
	HPO_VM_INITRD=$EL_INITRD.base vm_initrd_tools "$EL_INITRD" systemd-detect-virt ||
		fail "adding systemd-detect-virt to the initramfs failed"
	rm -f "$EL_INITRD.base"
}

# The guest's side of a step, /run/hpo-el (el_boot installs it): few
# round trips, each costs about a second on a loaded host.
#   begin              the syslog's line count (the step's MARK) and the
#                      number of hot-added CPUs; udevd at debug level (its
#                      "ATTR 'FILE' writing 'VALUE' RULES:LINE" lines); the
#                      helper's execs counted from now on
#   dimm MARK ADDR SIZE BOUND | cpu MARK NCPUS BOUND
#                      wait until the DIMM's blocks (the new CPU) are online
#                      and each has its line after MARK; udevd back at info.
#                      "@fail WHY" for what did not come within BOUND s,
#                      "@execs N", "@block NAME STATE ZONE" (dimm), "@cpu
#                      NAME", then the lines after MARK: "@log LINE" of
#                      hotplug-online, "@bad LINE" at warning priority or
#                      worse of any program, "@write LINE" udevd's ATTR
#                      writes to these blocks' state (the CPU's online)
#   bad MARK           "@bad LINE" as above
EL_GUEST_SCRIPT=$(cat << 'EOS'
#!/bin/sh
# Lines at warning priority or worse, of any program (busybox syslogd
# writes "DATE hpo-guest FACILITY.PRIORITY PROGRAM[PID]: ...").
bad_lines() {
	tail -n +$(($1 + 1)) /var/log/messages |
		grep -E ' [a-z0-9]+\.(emerg|alert|crit|err|warn|warning) ' | sed 's/^/@bad /'
}
case $1 in
begin)
	echo "$(wc -l < /var/log/messages) $(hpo-vm new-cpus | wc -l)"
	udevadm control -l debug
	hpo-vm execs start
	;;
dimm | cpu)
	kind=$1 mark=$2 bound=$5
	if [ "$kind" = dimm ]; then
		hpo-vm wait "$bound" "hpo-vm all online $3 $4" > /dev/null ||
			echo "@fail not every block online within $bound s"
	else
		hpo-vm wait "$bound" "hpo-vm new-cpus-are $(($3 + 1)) 1" > /dev/null ||
			echo "@fail the new CPU not online within $bound s"
	fi
	udevadm settle --timeout=30
	udevadm control -l info
	echo "@execs $(hpo-vm execs count)"
	hpo-vm execs stop
	if [ "$kind" = dimm ]; then
		names=$(hpo-vm dimm-blocks "$3" "$4" | tr '\n' ' ')
		attr=state
	else
		names=$(hpo-vm new-cpus | tail -n 1 | cut -d ' ' -f 1)
		attr=online
		echo "@cpu $names"
	fi
	# shellcheck disable=SC2086 # names: one word each
	hpo-vm wait "$bound" "hpo-vm logged online $mark $names" > /dev/null ||
		echo "@fail not every one of $names had its line within $bound s"
	# A second line would come at once.
	sleep 0.5
	[ "$kind" = dimm ] && hpo-vm blocks "$3" "$4" | sed 's/^/@block /'
	hpo-vm log "$mark" | sed 's/^/@log /'
	bad_lines "$mark"
	pattern=$(echo $names | sed 's/ /|/g')
	tail -n +$((mark + 1)) /var/log/messages |
		grep -E "ATTR '[^']*/($pattern)/$attr' writing" | sed 's/^/@write /'
	;;
bad) bad_lines "$2" ;;
*) exit 2 ;;
esac
EOS
)

# el_boot VERSION (setup_file): a guest with RHEL's udev VERSION and the
# package installed (its log service started, as systemd starts it in
# sysinit); /run/hpo-el in it.
el_boot() {
	el_udev_prepare "$1"
	HPO_VM_INITRD=$EL_INITRD guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug'
	vm_sh "echo $(base64 -w 0 <<< "$EL_GUEST_SCRIPT") | base64 -d > /run/hpo-el && chmod +x /run/hpo-el"
}

# el_check_boot VERSION: udevd and udevadm are that release's, the rules are
# its own and the package's (not yet 40-redhat.rules), the log service
# runs, and nothing was logged at warning priority or worse: udevd parsed
# every rule without a word.
el_check_boot() {
	local ver=$1
	run -0 vm_sh 'udevadm --version; /usr/lib/systemd/systemd-udevd --version
		hpo-vm-unit status hotplug-online-log.service; /run/hpo-el bad 0; ls /usr/lib/udev/rules.d'
	assert_equal "${lines[0]}" "${ver%%-*}"
	assert_equal "${lines[1]}" "${ver%%-*}"
	assert_line --index 2 --regexp '^active [0-9]+$'
	refute_line --partial '@bad '
	assert_line 39-hotplug-online.rules
	refute_line 40-redhat.rules
	echo "# RHEL udev $ver: rules $(tail -n +4 <<< "$output" | tr '\n' ' ')" >&3
}

# el_configure LINE...: append the lines to /etc/hotplug-online.conf and run
# setup as the .path unit would; MEMHP: the kernel's policy afterwards.
el_configure() {
	local l script=''
	for l in "$@"; do script+="echo '$l' >> /etc/hotplug-online.conf; "; done
	run -0 vm_sh "${script}hotplug-online setup > /dev/null && hpo-vm memhp"
	MEMHP=$(grep auto_online_blocks <<< "$output" | tr '\n' ' ')
}

# el_step_check EXECS NAMES...: what /run/hpo-el said ($output): nothing
# failed, EXECS helper execs, one "online" line for each of NAMES, no line
# at warning priority or worse.  WRITES: udevd's "ATTR ... writing" lines.
el_step_check() {
	local execs=$1 report=$output
	shift
	refute_line --partial '@fail '
	refute_line --partial '@bad '
	WRITES=$(sed -n 's/^@write //p' <<< "$report")
	EXECS=$(sed -n 's/^@execs //p' <<< "$report")
	output=$(sed -n 's/^@log //p' <<< "$report")
	assert_once online "$@"
	output=$report
	[[ $EXECS == "$execs" ]] || fail "expected $execs helper execs, got $EXECS" "$report"
}

# el_hot_add ZONE EXECS LABEL: hot-add a 512 MiB DIMM with udevd at debug
# level: its 4 blocks come online in ZONE, one "online (128 MiB, node 0,
# zone ZONE)" line each, EXECS helper execs, no line at warning priority or
# worse.  STATE_WRITES: udevd's ATTR writes to these blocks' state (219 and
# 239 do not say when the kernel refuses one, so their debug line is what
# shows it).
el_hot_add() {
	local zone=$1 execs=$2 label=$3 mark b
	read -r mark _ < <(vm_sh '/run/hpo-el begin')
	add_dimm_quiet 512M
	run -0 vm_sh "/run/hpo-el dimm $mark $DIMM_ADDR $DIMM_SIZE $BOUND"
	mapfile -t BLOCKS < <(sed -n 's/^@block \([^ ]*\) .*/\1/p' <<< "$output")
	[[ ${#BLOCKS[@]} == 4 ]] || fail "expected 4 blocks" "$output"
	for b in "${BLOCKS[@]}"; do
		assert_line "@block $b online $zone"
		assert_line --regexp "^@log .*${LOG_HELPER}${b}: online \(128 MiB, node 0, zone $zone\)$"
	done
	el_step_check "$execs" "${BLOCKS[@]}"
	STATE_WRITES=$WRITES
	echo "# $EL_LABEL, $label: ${MEMHP}-> ${#BLOCKS[@]} blocks $zone," \
		"$EXECS helper execs, $(grep -c writing <<< "$STATE_WRITES") state writes" >&3
}

# add_dimm_quiet SIZE: hot-add a DIMM; DIMM_ID, DIMM_ADDR, DIMM_SIZE.
add_dimm_quiet() {
	local line
	line=$(vm_add_memory "$1") || fail "hot-adding a $1 DIMM failed"
	read -r DIMM_ID DIMM_ADDR DIMM_SIZE <<< "$line"
}

# el_cpu_add: hot-add a vCPU; it comes online (the rule's helper, one exec),
# one "cpuN: online" line, no line at warning priority or worse.
# CPU_WRITES: udevd's ATTR writes to its online file.
el_cpu_add() {
	local mark n cpu
	read -r mark n < <(vm_sh '/run/hpo-el begin')
	# shellcheck disable=SC2119 # no options
	vm_add_cpu > /dev/null
	run -0 vm_sh "/run/hpo-el cpu $mark $n - $BOUND"
	cpu=$(sed -n 's/^@cpu //p' <<< "$output")
	[[ -n $cpu ]] || fail "no new CPU" "$output"
	assert_line --regexp "^@log .*${LOG_HELPER}${cpu}: online$"
	el_step_check 1 "$cpu"
	CPU_WRITES=$WRITES
	echo "# $EL_LABEL: $cpu online, $EXECS helper execs," \
		"$(grep -c writing <<< "$CPU_WRITES") writes to its online file" >&3
}

# el_install_redhat_rules: the release's own 40-redhat.rules in
# /usr/lib/udev/rules.d (again: the same file), rules reloaded; udevd
# parses it without a word.
el_install_redhat_rules() {
	# A reload takes effect at udevd's next event: a change event of cpu0,
	# which every rule here ignores.
	run -0 vm_sh "mark=\$(wc -l < /var/log/messages)
		echo $(base64 -w 0 "$EL_DIR/40-redhat.rules") | base64 -d > /usr/lib/udev/rules.d/40-redhat.rules &&
		udevadm control -R && udevadm trigger --action=change /sys/devices/system/cpu/cpu0 &&
		udevadm settle --timeout=30 && md5sum < /usr/lib/udev/rules.d/40-redhat.rules &&
		/run/hpo-el bad \$mark"
	assert_output "$(md5sum < "$EL_DIR/40-redhat.rules")"
}

# The steps, in this order in one guest (EL_LABEL names the udev and
# whether 40-redhat.rules is there).  Each sets what it needs (bats
# --filter runs a few), but the first step's "defaults" is the shipped
# configuration file.

el_alone_defaults() {
	el_configure
	assert_line 'auto_online_blocks online'
	el_hot_add Normal 0 'defaults'
	assert_equal "$STATE_WRITES" ''
	el_cpu_add
}

el_alone_movable() {
	el_configure 'memory = online_movable'
	assert_line 'auto_online_blocks online_movable'
	el_hot_add Movable 0 'memory = online_movable'
	assert_equal "$STATE_WRITES" ''
}

el_alone_no_kernel() {
	el_configure 'memory = online_movable' 'kernel_auto_online = no'
	assert_line 'auto_online_blocks offline'
	el_hot_add Movable 4 'online_movable, kernel_auto_online = no'
	assert_equal "$STATE_WRITES" ''
}

# Our helper onlines each block Movable at 39-; RHEL's rule at 40- reads
# a fresh "online" and writes nothing.
el_redhat_no_kernel() {
	EL_LABEL+=' + 40-redhat.rules'
	el_install_redhat_rules
	el_configure 'memory = online_movable' 'kernel_auto_online = no'
	assert_line 'auto_online_blocks offline'
	el_hot_add Movable 4 'online_movable, kernel_auto_online = no'
	assert_equal "$STATE_WRITES" ''
}

# The kernel onlines inside add_memory(), so RHEL's rule finds the block
# online (no write seen while these tests were written).  The kernel sends
# the blocks' add events before it onlines them, holding the device
# hotplug lock: a udevd that read "offline" first would have RHEL's write
# wait for the lock and fail (EINVAL, silent in 219 and 239), with or
# without our package; so here the count is shown, not checked.  RHEL's
# CPU rule writes online=1 again after our helper onlined the CPU (udev
# cached our rule's ATTR{online}=="0" read): the kernel takes it as a
# no-op; shown too.
el_redhat_defaults() {
	EL_LABEL+=' + 40-redhat.rules'
	el_install_redhat_rules
	el_configure 'memory = online' 'kernel_auto_online = yes'
	assert_line 'auto_online_blocks online'
	el_hot_add Normal 0 'memory = online, kernel_auto_online = yes (the defaults)'
	el_cpu_add
}

# Negative control: a rule before ours that reads ATTR{state} at the add
# (offline: the kernel was told not to online) has udev cache it; RHEL's
# rule then sees "offline" after our helper onlined the block Movable and
# writes "online" again, once per block (the kernel refuses with EINVAL;
# 219 and 239 do not say so): the check finds what it looks for.
el_negative_read_state() {
	local b n
	EL_LABEL+=' + 40-redhat.rules'
	el_install_redhat_rules
	local rule='SUBSYSTEM=="memory", ACTION=="add", ATTR{state}=="offline", ENV{HPO_TEST_SAW}="offline"'
	vm_sh "mkdir -p /etc/udev/rules.d && echo $(base64 -w 0 <<< "$rule") | base64 -d \
		> /etc/udev/rules.d/38-hpo-test-read-state.rules && udevadm control -R"
	el_configure 'memory = online_movable' 'kernel_auto_online = no'
	assert_line 'auto_online_blocks offline'
	el_hot_add Movable 4 'negative control: a 38- rule reads ATTR{state}'
	for b in "${BLOCKS[@]}"; do
		n=$(grep -cE "ATTR '[^']*/$b/state' writing 'online' [^ ]*40-redhat.rules:" <<< "$STATE_WRITES")
		assert_equal "$n" 1
	done
	# The whole boot, between the steps too (setup's runs, the reloads):
	# nothing at warning priority or worse.
	run -0 vm_sh '/run/hpo-el bad 0'
	assert_output ''
}

# el_const_line refused|parsed: a rule line with CONST{arch} (0.1's rule
# had one) in /etc/udev/rules.d, rules reloaded: 219-67.12 drops it with
# "unknown key" and "invalid rule" at error priority (what
# el_check_boot and the steps look for), 219-78 and 239 parse it.  The file
# is removed again.
el_const_line() {
	local f=/etc/udev/rules.d/38-hpo-test-const.rules
	local rule='CONST{arch}=="s390*|ppc64*", TEST!="/run/hotplug-online/arch-memory", GOTO="hpo_test_end"
LABEL="hpo_test_end"'
	run -0 vm_sh "mark=\$(wc -l < /var/log/messages); mkdir -p /etc/udev/rules.d
		echo $(base64 -w 0 <<< "$rule") | base64 -d > $f
		udevadm control -R && udevadm trigger --action=change /sys/devices/system/cpu/cpu0 &&
			udevadm settle --timeout=30 && /run/hpo-el bad \$mark
		rm $f && udevadm control -R"
	if [[ $1 == refused ]]; then
		assert_line --regexp "^@bad .* daemon\.err systemd-udevd\[[0-9]+\]: unknown key 'CONST\{arch\}' in $f:1$"
		assert_line --regexp "^@bad .* daemon\.err systemd-udevd\[[0-9]+\]: invalid rule '$f:1'$"
		assert_equal "${#lines[@]}" 2
	else
		assert_output ''
	fi
}
