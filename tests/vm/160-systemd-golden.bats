#!/usr/bin/env bats
# A real systemd (issue 18), the golden-image flow: Debian 12's root with the
# package installed by dpkg in a chroot before the first boot
# (systemd/golden.sh), booted with systemd as PID 1 from its own kernel and
# initramfs.  The units start at boot and nothing fails; a 512 MiB DIMM and
# a vCPU come online, with one journal line each.  Then apt downgrades it to
# the package built from ea86314 (make old-packages) and upgrades it back,
# each followed by a hot-add: one line each, no failed unit, one logger, and
# after the upgrade no state in /run/hotplug-online but kernel-saved.  See
# systemd/README.md.
load common
# shellcheck source-path=SCRIPTDIR source=systemd/lib.bash
source "$BATS_TEST_DIRNAME/systemd/lib.bash"

setup_file() {
	sd_prepare
	local image
	image=$("$SD_LIB/golden.sh" "$SD_NEW_DEB")
	sd_boot "$image"
}
teardown_file() { sd_stop; }
teardown() { sd_teardown; }

@test "golden image: the package's units ran at boot, no failed unit, no stale state" {
	sd_check
	assert_line --partial "pkg $(dpkg-deb -f "$SD_NEW_DEB" Version) install ok installed"
}

@test "golden image: a 512 MiB DIMM and a vCPU come online, one journal line each" {
	sd_hot_add
	sd_check "${BLOCKS[@]}" "$CPU"
}

@test "apt downgrade to ea86314's package: a DIMM and a vCPU online, one line each, no failed unit" {
	sd_install "$SD_OLD_DEB" --allow-downgrades
	sd_hot_add
	sd_check --old "${BLOCKS[@]}" "$CPU"
	assert_line --partial "pkg $(dpkg-deb -f "$SD_OLD_DEB" Version) install ok installed"
}

@test "apt upgrade back to the package under test: units restarted, nothing failed, no stale state" {
	sd_install "$SD_NEW_DEB"
	sd_check
	assert_line --partial "pkg $(dpkg-deb -f "$SD_NEW_DEB" Version) install ok installed"
}

@test "after the upgrade: a DIMM and a vCPU online, one journal line each" {
	sd_hot_add
	sd_check "${BLOCKS[@]}" "$CPU"
}

@test "after the upgrade: a change to the configuration file runs setup again (the .path unit)" {
	run -0 vm_sh --timeout 60 "echo 'memory = online_movable' >> /etc/hotplug-online.conf &&
		sd-vm wait-journal 30 '^auto_online_blocks: online_movable \\(was online\\)'"
}
