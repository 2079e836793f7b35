#!/usr/bin/env bats
# Issue 18, bug 2, in the order of an ordinary Debian 12 boot: the NVDIMM's
# drivers (nfit, libnvdimm, dax_pmem, ...) are not in Debian's initramfs
# (initramfs-tools' MODULES=most copies drivers/block, not drivers/nvdimm
# nor drivers/acpi/nfit; the same for drivers/cxl), so udev's coldplug loads
# them, after hotplug-online-setup.service has run (it is ordered before
# systemd-udev-trigger).  Here they are loaded once the guest is up.  With
# the package installed with its defaults, `daxctl reconfigure-device
# --mode=system-ram` must still work, its blocks in Movable, one line each.
# (153 loads the drivers before setup, as an initramfs that has them does.)
load realparts

setup_file() { NVDIMM_LATE=1 nvdimm_guest; }
teardown_file() { guest_stop; }

@test "daxctl, drivers loaded after setup: reconfigure-device --mode=system-ram succeeds; Movable, one line each" {
	run -0 vm_sh 'ls /sys/bus/nd/devices 2> /dev/null; hpo-vm memhp | head -n 1'
	echo "# before the drivers: $(tr '\n' ' ' <<< "$output")" >&3
	nvdimm_load_late
	run -0 vm_sh 'hpo-vm memhp | head -n 1'
	echo "# after the drivers: $output" >&3
	devdax_namespace
	daxctl_system_ram
}
