# shellcheck shell=bash
# tests/vm/systemd/lib.bash: the systemd guest of tests/vm/16x-*.bats, after
# `load common` (lib.sh's vmctl, bats-assert).  A Debian 12 root with systemd
# as PID 1 (mkimage.sh), booted from its own kernel and initramfs, -smp 2;
# vmctl's agent on ttyS1 runs the tests' scripts, QMP hot-adds.
#
#   sd_prepare             root image (cached), the packages: SD_NEW_DEB (the
#                          package under test, HPO_VM_DEB or dist/), SD_OLD_DEB
#                          (ea86314's: vm_old_deb)
#   sd_boot IMAGE [ARGS]   boot IMAGE (a raw root: the cached base.img or a
#                          golden.sh image; SD_APPEND: more of the kernel's
#                          command line) through a qcow2 overlay, with a
#                          second disk holding both packages, sd-vm and hpo-vm
#                          (in /root/hpo/); returns once systemd says the
#                          boot is over (running or degraded)
#   sd_install DEB [OPTS]  apt install ./DEB in the guest (OPTS: apt's)
#   sd_hot_add             hot-add a 512 MiB DIMM and a vCPU, wait until all
#                          online; sets BLOCKS (block names) and CPU (cpuN)
#   sd_check [--old] [NAMES...]   one "NAME: online" line each in the journal
#                          (waits for the first, then 2 s for a doubled one);
#                          no failed unit; the units active (their states go
#                          to the test log); the logger runs once, from the
#                          installed binary; no error of hotplug-online, no
#                          message said twice by one process;
#                          /run/hotplug-online holds at most kernel-saved
#                          (--old: ea86314's package is installed, whose
#                          marks are there, and whose setup unit says its
#                          lines twice: printed, not checked)
# shellcheck disable=SC2154 # output, status, lines: set by bats's run
SD_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Seconds for a systemd boot under TCG on 2 loaded cores.
SD_BOOT_TIMEOUT=${HPO_VM_SD_BOOT_TIMEOUT:-300}

sd_prepare() {
	SD_ROOT=$("$SD_LIB/mkimage.sh") || return 1
	SD_NEW_DEB=$(vm_deb) || return 1
	SD_OLD_DEB=$(vm_old_deb) || return 1
	SD_NEW_DEB=$(realpath "$SD_NEW_DEB") SD_OLD_DEB=$(realpath "$SD_OLD_DEB")
	export SD_ROOT SD_NEW_DEB SD_OLD_DEB
	echo "# root $SD_ROOT ($(cat "$SD_ROOT/ok")), new $(basename "$SD_NEW_DEB"), old $(basename "$SD_OLD_DEB")" >&3
}

# The guest's path of a package on the transfer disk.
sd_guest_deb() { echo "/root/hpo/deb/$(basename "$1")"; }

sd_boot() {
	local image=${1:?usage: sd_boot IMAGE [vmctl boot args]} x t0
	shift
	export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm
	mkdir -p "$HPO_VM_DIR"
	qemu-img create -q -f qcow2 -F raw -b "$(realpath "$image")" "$HPO_VM_DIR/root.qcow2" || return 1
	x=$BATS_FILE_TMPDIR/xfer
	rm -rf "$x" && mkdir -p "$x/deb" || return 1
	cp "$SD_NEW_DEB" "$SD_OLD_DEB" "$x/deb/" &&
		install -m 0755 "$SD_LIB/sd-vm" "$SD_LIB/../guest/hpo-vm" "$x/" &&
		tar -cf "$HPO_VM_DIR/xfer.tar" -C "$x" . || return 1
	t0=$SECONDS
	"$HPO_VM_CTL" boot --kernel "$SD_ROOT/$(cat "$SD_ROOT/boot")" --initrd "$SD_ROOT/initrd.img" \
		--append "root=/dev/vda rw fsck.mode=skip ${SD_APPEND-}" --accel "${HPO_VM_ACCEL:-tcg}" \
		--smp 2 --maxcpus 6 --mem 768M --timeout "$SD_BOOT_TIMEOUT" \
		--qemu-arg=-drive --qemu-arg="file=$HPO_VM_DIR/root.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		--qemu-arg=-drive --qemu-arg="file=$HPO_VM_DIR/xfer.tar,if=virtio,format=raw,readonly=on" \
		"$@" 2>&1 | sed 's/^/# /' >&3
	[[ ${PIPESTATUS[0]} == 0 ]] || return 1
	# shellcheck disable=SC2016 # the guest expands it
	run vm_sh --timeout "$SD_BOOT_TIMEOUT" 'state=$(systemctl is-system-running --wait)
		echo "$state after $(systemd-analyze | head -n 1)"
		mkdir -p /root/hpo && tar -xf /dev/vdb -C /root/hpo &&
		install -m 0755 /root/hpo/sd-vm /root/hpo/hpo-vm /usr/local/bin/'
	echo "# systemd: $output; $((SECONDS - t0)) s in all" >&3
	[[ $status == 0 ]]
}

sd_stop() { "$HPO_VM_CTL" -d "$BATS_FILE_TMPDIR/vm" stop; }

# What the guest looked like when a test failed.
sd_teardown() {
	[[ -n ${BATS_TEST_COMPLETED-} ]] && return 0
	vm_sh 'echo "--- journal of hotplug-online ---"
		journalctl -b -o short-monotonic --no-pager SYSLOG_IDENTIFIER=hotplug-online
		echo "--- units ---"; sd-vm units; systemctl --failed --no-pager
		echo "--- journal (warnings but the kernel'"'"'s, tail) ---"
		journalctl -b -p warning --no-pager | grep -v " kernel: " | tail -n 30' || true
	echo "--- console (tail) ---"
	"$HPO_VM_CTL" console | tail -n 10 || true
	cat "$HPO_VM_DIR/qemu.log" 2> /dev/null || true
}

sd_install() {
	run vm_sh --timeout 300 "sd-vm install $(sd_guest_deb "$1") ${2-}"
	grep -E '^(Unpacking|Setting up|Preparing|E:|W:|dpkg|installed)' <<< "$output" | sed 's/^/#   /' >&3
	assert_success
}

sd_hot_add() {
	local line addr size
	# One QMP session, the two device_adds back to back: one burst for the
	# log service (two vmctl runs can be more than its 1 s apart).
	line=$("$BATS_TEST_DIRNAME/afterburst/hotadd" "$HPO_VM_DIR" --memory 512M --cpu) ||
		fail "hot-adding a 512 MiB DIMM and a vCPU failed"
	read -r _ addr size <<< "${line%%$'\n'*}"
	[[ -n $size ]] || fail "hot-adding a 512 MiB DIMM and a vCPU failed"
	run vm_sh --timeout $((2 * BOUND + 30)) "sd-vm hot-added $BOUND $addr $size"
	[[ $status == 0 ]] || fail "not all online: $output"
	read -ra BLOCKS <<< "$(sed -n 's/^blocks //p' <<< "$output")"
	CPU=$(sed -n 's/^cpu //p' <<< "$output")
	echo "# ${BLOCKS[*]}: online after $(sed -n 's/^blocks-ms //p' <<< "$output") ms;" \
		"$CPU after $(sed -n 's/^cpu-ms //p' <<< "$output") ms more" >&3
	[[ ${#BLOCKS[@]} == 4 ]] || fail "a 512 MiB DIMM should have 4 blocks: ${BLOCKS[*]}"
}

# sd_check [--old] NAMES...: one guest call (sd-vm check), then the asserts.
sd_check() {
	local old='' problems=() l name n
	if [[ ${1-} == --old ]]; then old=1; shift; fi
	run -0 vm_sh --timeout $((BOUND + 90)) "sd-vm check $BOUND $*"
	local report=$output
	grep -E '^(unit|pkg|auto_online_blocks) ' <<< "$report" | sed 's/^unit //; s/^/#   /' >&3
	grep '^wait ' <<< "$report" | sed 's/^wait /# /' >&3 || true
	while read -r l name n; do
		[[ $l == line && $n != 1 ]] && problems+=("$name: $n 'online' lines")
	done <<< "$report"
	l=$(sed -n 's/^failed //p' <<< "$report")
	[[ -z $l ]] || problems+=("failed units: $l")
	grep -q '^unit hotplug-online-log.service loaded active running ' <<< "$report" ||
		problems+=("the log service is not running: $(grep log.service <<< "$report")")
	grep -q '^unit hotplug-online-setup.path loaded active waiting ' <<< "$report" ||
		problems+=("the path unit is not waiting: $(grep setup.path <<< "$report")")
	grep -qE '^unit hotplug-online-setup.service loaded (inactive dead|active exited) .* success$' <<< "$report" ||
		problems+=("the setup unit: $(grep setup.service <<< "$report")")
	l=$(sed -n 's/^logger //p' <<< "$report")
	[[ $l =~ ^[0-9]+\ /usr/sbin/hotplug-online$ ]] ||
		problems+=("expected one 'hotplug-online log' from /usr/sbin/hotplug-online: ${l:-none}")
	l=$(sed -n 's/^state //p' <<< "$report" | xargs)
	if [[ -n $old ]]; then
		# ea86314's package keeps its own marks there: said, not checked.
		echo "# /run/hotplug-online: ${l:-empty}" >&3
	else
		[[ -z $l || $l == /run/hotplug-online/kernel-saved ]] ||
			problems+=("stale state in /run/hotplug-online: $l")
	fi
	l=$(sed -n 's/^err //p' <<< "$report")
	[[ -z $l ]] || problems+=("errors of hotplug-online: $l")
	l=$(sed -n 's/^dup //p' <<< "$report")
	if [[ -n $old ]]; then
		# ea86314's setup unit says its lines on stdout and to syslog.
		[[ -z $l ]] || echo "# said twice by one process (ea86314's package): $l" >&3
	else
		[[ -z $l ]] || problems+=("said twice by one process: $l")
	fi
	((${#problems[@]} == 0)) || fail "$(printf '%s\n' "${problems[@]}")"
}
