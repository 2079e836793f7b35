#!/usr/bin/env bats
# A real systemd (issue 18): a Debian 12 image with the package built from
# ea86314 installed before its first boot (systemd/golden.sh), running it
# since boot; a hot-add; then apt upgrades it to the package under test and
# another hot-add.  Each time: every block and the CPU online, one journal
# line each, no failed unit, one logger (the installed binary); after the
# upgrade no state in /run/hotplug-online but kernel-saved.
load common
# shellcheck source-path=SCRIPTDIR source=systemd/lib.bash
source "$BATS_TEST_DIRNAME/systemd/lib.bash"

setup_file() {
	sd_prepare
	local image
	image=$("$SD_LIB/golden.sh" "$SD_OLD_DEB")
	sd_boot "$image"
}
teardown_file() { sd_stop; }
teardown() { sd_teardown; }

@test "ea86314's package since boot: a DIMM and a vCPU online, one journal line each" {
	sd_hot_add
	sd_check --old "${BLOCKS[@]}" "$CPU"
	assert_line --partial "pkg $(dpkg-deb -f "$SD_OLD_DEB" Version) install ok installed"
}

@test "apt upgrade to the package under test: units restarted, nothing failed, no stale state" {
	sd_install "$SD_NEW_DEB"
	sd_check
	assert_line --partial "pkg $(dpkg-deb -f "$SD_NEW_DEB" Version) install ok installed"
}

@test "after the upgrade: a DIMM and a vCPU online, one journal line each" {
	sd_hot_add
	sd_check "${BLOCKS[@]}" "$CPU"
}
