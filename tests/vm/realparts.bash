# shellcheck shell=bash disable=SC2154 # bats's run sets output and lines
# Shared by the 15x scenarios, issue 18's "tests on real parts": the
# kernel's own switches and failures, and Debian's own daxctl, not a seam.
load common

# wait_logged NAMES...: until each of NAMES (memory blocks, CPUs) has an
# `online` line of hotplug-online in syslog (the log service writes at idle
# priority, after udevd is done; `udevadm settle` does not wait for it),
# BOUND s at most, polled in the guest; then a second more, in which a
# doubled line would come, and assert_logged_once.
wait_logged() {
	vm_sh - << EOF > /dev/null || true
cat > /run/hpo-vm-logged << 'X'
for n in $*; do grep -qE "hotplug-online(\[[0-9]+\])?: \$n: online \(" /var/log/messages || exit 1; done
X
hpo-vm wait $BOUND 'sh /run/hpo-vm-logged'
EOF
	vm_sh 'sleep 1'
	assert_logged_once "$@"
}

# assert_each_logged WHAT NAMES...: wait_logged NAMES, their lines of the
# log to the report, and for each of NAMES a line "NAME: WHAT" of
# hotplug-online (WHAT: an extended regular expression).
assert_each_logged() {
	local what=$1 n re
	shift
	wait_logged "$@"
	re=$*
	grep -E " (${re// /|}): " <<< "$output" | sed 's/^/# log: /' >&3 || true
	for n; do
		assert_line --regexp "${LOG_HELPER}${n}: $what"
	done
}

# --- 150, 151: memhp_default_state=offline (bug 1) ---------------------------
# The kernel was told on its command line to leave hot-added memory offline
# and the configuration has no `memory =` line: neither setup nor the rule's
# helper nor the log service onlines it.  Negative control: the same boot
# without the parameter onlines every block.

# memhp_boot SUITE [KERNEL-ARGS]: boot SUITE's kernel ('' for Debian 12's)
# with the package installed with its defaults and its log service running
# (as systemd starts it), plus KERNEL-ARGS; skip the file if SUITE's kernel
# cannot be had.
memhp_boot() {
	suite_kernel "$1"
	shift
	guest_boot --append "hpo.pkg=installed hpo.coldplug=hotplug hpo.logd=1 $*"
}

# Settled, and a while longer than the log service waits before it repairs
# a block (1 s without memory events), so that "still offline" means it.
memhp_quiet() { vm_sh 'udevadm settle --timeout=30; sleep 3'; }

memhp_assert_setup_offline() {
	run -0 vm_sh 'cat /proc/cmdline'
	assert_output --partial 'memhp_default_state=offline'
	run -0 vm_sh 'cat /run/hpo-vm-unit/hotplug-online-setup.service.log'
	assert_line --regexp 'hotplug-online setup -> 0$'
	run -0 vm_sh 'hpo-vm memhp'
	assert_line 'auto_online_blocks offline'
	run -0 vm_sh 'grep -c "^memory = " /etc/hotplug-online.conf || true'
	assert_output 0
}

# A 512 MiB DIMM: its 4 blocks stay offline; the helper says why (naming
# the parameter), at most once per block; no transition line; no failure.
memhp_assert_dimm_offline() {
	add_dimm 512M
	memhp_quiet
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	echo "# $DIMM_ID: $(tr '\n' ' ' <<< "$output")" >&3
	assert_equal "${#lines[@]}" 4
	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE && echo all-offline"
	assert_output all-offline
	run -0 vm_sh 'hpo-vm log'
	grep -E "memory[0-9]+: " <<< "$output" | sed 's/^/# log: /' >&3 || true
	local b n said=0
	for b in "${BLOCKS[@]}"; do
		refute_line --regexp "${LOG_HELPER}${b}: online \("
		n=$(grep -cE "${LOG_HELPER}${b}: left offline \('memhp_default_state=offline' on the kernel command line\)" <<< "$output" || true)
		((n <= 1)) || fail "$b: 'left offline' said $n times" "$output"
		said=$((said + n))
	done
	((said >= 1)) || fail "no line says the blocks were left offline for memhp_default_state=offline" "$output"
	assert_no_failure_logged
}

# The replay that postinst and a coldplug make: the blocks stay offline and
# nothing more is logged for them.
memhp_assert_replay_offline() {
	local before
	# The DIMM of the test before (a test's variables do not reach the next).
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 4
	before=$(vm_sh 'hpo-vm log | wc -l')
	vm_sh 'udevadm trigger --action=add --subsystem-match=memory'
	memhp_quiet
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 4
	refute_output --partial ' online '
	run -0 vm_sh "hpo-vm log | tail -n +$((before + 1))"
	assert_output ''
	assert_no_failure_logged
}

# Negative control, in a guest booted without the parameter: the DIMM's
# blocks come online, each with its line.
memhp_assert_dimm_online() {
	run -0 vm_sh 'cat /proc/cmdline'
	refute_output --partial 'memhp_default_state'
	add_dimm 512M
	wait_blocks online
	wait_logged "${BLOCKS[@]}"
	assert_no_failure_logged
}

# log_service: the PIDs of running `hotplug-online log` processes, one a line.
log_service() {
	# (A process gone meanwhile: its cmdline cannot be opened, said on stderr.)
	# shellcheck disable=SC2016 # expands in the guest
	vm_sh 'for p in /proc/[0-9]*; do
		set -- $(tr "\0" " " < $p/cmdline)
		case ${1-}:${2-} in */hotplug-online:log) echo ${p#/proc/} ;; esac
	done 2> /dev/null'
}

# --- 152: a failed auto-online, repaired by the log service (bug 6) ---------
# memory-notifier-error-inject (Debian builds it as a module) makes the
# kernel's onlining fail: MEM_GOING_ONLINE returns the error written to its
# debugfs file (tools/testing/selftests/memory-hotplug/mem-on-off-test.sh).
INJECT=/sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error

# inject ERRNO: from now on every onlining fails with -ERRNO (0: none).
inject() {
	run -0 vm_sh "grep -q ' /sys/kernel/debug ' /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug
		echo $1 > $INJECT && cat $INJECT"
	assert_output "$1"
}

# arm_clear N: in the guest, in the background, from now on: once N more
# memory blocks than now are there, a second more; then note "NAME STATE"
# of them (the kernel's auto-online failed: offline), clear the error, and
# note the milliseconds until all of them read online (CLEAR_WAIT s at
# most, default BOUND; "timeout" if not).  In the guest and with shell
# builtins only, so that the error is cleared about a second after the
# hot-add however slow the host's requests and a loaded TCG guest are.
# Hot-add the devices after it.
arm_clear() {
	vm_sh - << EOF
rm -f /run/hpo-vm-blocks /run/hpo-vm-result /run/hpo-vm-result.tmp
cat > /run/hpo-vm-clear << 'X'
n=\$1 bound=\$2 m=/sys/devices/system/memory
before=" \$(cd \$m && echo memory*) "
set -- \$m/memory*
want=\$((\$# + n))
i=0
while set -- \$m/memory* && [ \$# -lt \$want ]; do
	i=\$((i + 1))
	[ \$i -lt \$((bound * 20)) ] || { echo "fewer than \$n new blocks within \$bound s" > /run/hpo-vm-result.tmp; break; }
	sleep 0.05
done
if [ ! -e /run/hpo-vm-result.tmp ]; then
	sleep 1
	for d in \$m/memory*; do
		case \$before in *" \${d##*/} "*) continue ;; esac
		read -r s < \$d/state
		echo "\${d##*/} \$s"
	done > /run/hpo-vm-blocks
fi
echo 0 > $INJECT
X
cat > /run/hpo-vm-allon << 'X'
for b in \$(cut -d" " -f1 /run/hpo-vm-blocks); do [ "\$(cat /sys/devices/system/memory/\$b/state)" = online ] || exit 1; done
X
(
	sh /run/hpo-vm-clear $1 $BOUND
	if [ ! -e /run/hpo-vm-result.tmp ]; then
		hpo-vm wait ${CLEAR_WAIT:-$BOUND} 'sh /run/hpo-vm-allon' > /run/hpo-vm-result.tmp 2> /dev/null ||
			echo timeout > /run/hpo-vm-result.tmp
	fi
	mv /run/hpo-vm-result.tmp /run/hpo-vm-result
) < /dev/null > /dev/null 2>&1 &
EOF
}

# collect_clear: wait for arm_clear's notes; STATES: the blocks' lines
# before the clear, ONLINE_MS: the milliseconds to all online or "timeout".
collect_clear() {
	run -0 vm_sh --timeout $((BOUND * 3 + 30)) "hpo-vm wait $((BOUND * 3)) 'test -e /run/hpo-vm-result' > /dev/null
		cat /run/hpo-vm-blocks 2> /dev/null; cat /run/hpo-vm-result"
	# shellcheck disable=SC2034 # read by the scenario
	STATES=("${lines[@]:0:${#lines[@]}-1}")
	ONLINE_MS=${lines[-1]}
	[[ $ONLINE_MS == timeout || $ONLINE_MS =~ ^[0-9]+$ ]] || fail "$ONLINE_MS" "$output"
}

# --- 153: daxctl with an emulated NVDIMM (bug 2) ------------------------------
# The NVDIMM's drivers (Debian builds them as modules) and Debian's own ndctl
# and daxctl (the host's, with their libraries).
NVDIMM_MODS=nfit,nd_pmem,dax_pmem,device_dax,kmem

# nvdimm_initrd OUT [DEB]: the initramfs (with DEB instead of the suite's
# package, if given) plus ndctl, daxctl and the NVDIMM's modules.
nvdimm_initrd() {
	local out=$1 deb=${2-} base=$HPO_VM_INITRD
	if [[ -n $deb ]]; then
		"$HPO_VM_LIB/mkinitramfs.sh" "$out.pkg" "$deb" || return 1
		base=$out.pkg
	fi
	HPO_VM_INITRD=$base vm_initrd_tools "$out.tools" ndctl daxctl &&
		HPO_VM_INITRD=$out.tools vm_initrd_modules "$out" '' "$NVDIMM_MODS" &&
		rm -f "$out.tools" "$out.pkg"
}

# nvdimm_boot INITRD [KERNEL-ARGS]: a guest with a 1 GiB NVDIMM (a fresh
# sparse file: no labels, no namespace) and its modules loaded before setup
# and udevd (NVDIMM_LATE=1: not loaded; nvdimm_load_late loads them).
nvdimm_boot() {
	local initrd=$1 img=$BATS_FILE_TMPDIR/nvdimm.img mods=hpo.modules=$NVDIMM_MODS
	shift
	[[ ${NVDIMM_LATE-} != 1 ]] || mods=''
	rm -f "$img" && truncate -s 1G "$img" || return 1
	HPO_VM_INITRD=$initrd guest_boot --append "hpo.pkg=installed hpo.coldplug=hotplug $mods $*" \
		--qemu-arg=-machine --qemu-arg=nvdimm=on \
		--qemu-arg=-object --qemu-arg="memory-backend-file,id=nvm0,share=on,mem-path=$img,size=1G" \
		--qemu-arg=-device --qemu-arg=nvdimm,id=nv0,memdev=nvm0,label-size=128K
}

# nvdimm_guest: skip the file on a host without ndctl or daxctl; else boot
# the NVDIMM's guest (nvdimm_initrd, nvdimm_boot; NVDIMM_LATE as there) with
# the package installed and its log service running.
nvdimm_guest() {
	local t
	for t in ndctl daxctl; do
		command -v "$t" > /dev/null || skip "no $t on this host (apt-get install ndctl daxctl)"
	done
	nvdimm_initrd "$BATS_FILE_TMPDIR/initramfs-nvdimm.cpio"
	nvdimm_boot "$BATS_FILE_TMPDIR/initramfs-nvdimm.cpio" hpo.logd=1
}

# nvdimm_load_late: load the NVDIMM's modules now (insmod, dependencies
# first, from the archive hpo.modules= would have used), as udev's coldplug
# loads them on a machine whose initramfs does not have them.
nvdimm_load_late() {
	# shellcheck disable=SC2016 # expands in the guest
	run -0 vm_sh 'k=/usr/lib/modules/$(uname -r)
		for m in '"${NVDIMM_MODS//,/ }"'; do
			while read -r ko; do
				n=$(basename "$ko" .ko | tr - _)
				[ -d "/sys/module/$n" ] || insmod "$k/$ko" || exit 1
			done < "$k/hpo-vm/$m.load"
		done
		udevadm settle --timeout=30; ls /sys/bus/nd/devices'
	assert_line region0
}

# devdax_namespace: labels on the NVDIMM, then a devdax namespace: dax0.0.
devdax_namespace() {
	run -0 vm_sh --timeout 120 'ndctl disable-region all && ndctl init-labels all &&
		ndctl enable-region all && ndctl create-namespace --mode=devdax --align=2M'
	assert_output --partial '"mode":"devdax"'
	run -0 vm_sh 'daxctl list -D'
	assert_output --partial '"chardev":"dax0.0"'
	assert_output --partial '"mode":"devdax"'
}

# daxctl_system_ram: `daxctl reconfigure-device --mode=system-ram dax0.0`,
# in its default (movable) mode, succeeds; the blocks it adds are online in
# Movable, each with one `online` line, and nothing failed.
daxctl_system_ram() {
	run -0 vm_sh --timeout 120 'daxctl reconfigure-device --mode=system-ram dax0.0 2>&1'
	printf '# daxctl: %s\n' "${lines[@]}" >&3
	assert_output --partial 'reconfigured 1 device'
	assert_output --partial '"movable":true'
	run -0 vm_sh 'udevadm settle --timeout=30; hpo-vm driver-blocks'
	echo "# $(tr '\n' ' ' <<< "$output")" >&3
	((${#lines[@]} >= 4)) || fail "expected the dax device's blocks" "$output"
	local l names=()
	for l in "${lines[@]}"; do
		[[ $l =~ ^memory[0-9]+\ online\ Movable$ ]] || fail "not online in Movable: $l" "$output"
		names+=("${l%% *}")
	done
	run -0 vm_sh 'daxctl list -D'
	assert_output --partial '"mode":"system-ram"'
	assert_each_logged 'online \(128 MiB, node 0, zone Movable' "${names[@]}"
	assert_no_failure_logged
}
