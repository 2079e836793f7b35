#!/usr/bin/env bats
# A real systemd (issue 18): the package installed with apt on the running
# Debian 12 (systemd as PID 1), then a hot-add: every block and the CPU
# online, one journal line each, no failed unit, one logger (the installed
# binary), no stale state.  See systemd/README.md.
load common
# shellcheck source-path=SCRIPTDIR source=systemd/lib.bash
source "$BATS_TEST_DIRNAME/systemd/lib.bash"

setup_file() {
	sd_prepare
	sd_boot "$SD_ROOT/base.img"
}
teardown_file() { sd_stop; }
teardown() { sd_teardown; }

@test "before the package: the kernel leaves hot-added memory offline (auto_online_blocks)" {
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks; dpkg-query -W hotplug-online 2>&1 || true'
	assert_line -n 0 offline
	assert_line -n 1 --partial 'no packages found matching hotplug-online'
}

@test "apt install ./hotplug-online.deb on the running system: units started, nothing failed" {
	sd_install "$SD_NEW_DEB"
	sd_check
	assert_line --partial "pkg $(dpkg-deb -f "$SD_NEW_DEB" Version) install ok installed"
}

@test "after apt install: a 512 MiB DIMM and a vCPU online, one journal line each" {
	sd_hot_add
	sd_check "${BLOCKS[@]}" "$CPU"
}
