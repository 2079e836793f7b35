#!/usr/bin/env bats
# Issue 18, bug 2, with Debian's own ndctl and daxctl (76.1) and an NVDIMM
# emulated by qemu (-machine nvdimm=on, -device nvdimm) on Debian 12's 6.1:
# a devdax namespace, then `daxctl reconfigure-device --mode=system-ram`
# in its default (movable) mode.  With the package installed with its
# defaults and its log service running, setup sees the dax-capable memory
# and leaves auto_online_blocks at offline (daxctl aborts when it starts
# with "online"); daxctl's command succeeds, its blocks land in Movable and
# each is logged once.  Negative control: ea86314's package (vm_old_deb)
# set auto_online_blocks to online, and the same command aborts ("kernel
# policy will auto-online memory, aborting").
load realparts

setup_file() { nvdimm_guest; }
teardown_file() { guest_stop; }

@test "daxctl: setup leaves auto_online_blocks at offline on a machine with an NVDIMM, and says why" {
	run -0 vm_sh 'ls /sys/bus/nd/devices'
	assert_line region0
	run -0 vm_sh 'hpo-vm memhp'
	assert_line 'auto_online_blocks offline'
	run -0 vm_sh 'cat /run/hpo-vm-unit/hotplug-online-setup.service.out; cat /run/hpo-vm-unit/hotplug-online-setup.service.log'
	printf '# setup: %s\n' "${lines[@]}" >&3
	assert_line --regexp 'hotplug-online setup -> 0$'
	# The reason names daxctl.
	assert_output --partial daxctl
	run -0 log_service
	assert_equal "${#lines[@]}" 1
}

@test "daxctl: reconfigure-device --mode=system-ram succeeds; its blocks online in Movable, one line each" {
	devdax_namespace
	daxctl_system_ram
}

@test "daxctl, negative control: with ea86314's package the same command aborts: auto_online_blocks online" {
	guest_stop
	local old
	old=$(vm_old_deb) || fail "no ea86314 package"
	nvdimm_initrd "$BATS_FILE_TMPDIR/initramfs-nvdimm-old.cpio" "$old"
	nvdimm_boot "$BATS_FILE_TMPDIR/initramfs-nvdimm-old.cpio" hpo.logd=1
	run -0 vm_sh 'hpo-vm memhp'
	assert_line 'auto_online_blocks online'
	devdax_namespace
	# shellcheck disable=SC2016 # expands in the guest
	run -1 vm_sh --timeout 120 'daxctl reconfigure-device --mode=system-ram dax0.0 2>&1; exit $(($? != 0))'
	printf '# daxctl: %s\n' "${lines[@]}" >&3
	assert_output --partial 'kernel policy will auto-online memory, aborting'
	run -0 vm_sh 'hpo-vm driver-blocks'
	assert_output ''
}
