#!/usr/bin/env bats
# Kernel modules in the guest: `kernel.sh --modules` takes them (and what
# they depend on) from Debian's kernel package, vm_initrd_modules appends
# them to the initramfs, and `hpo-vm modules` (what hpo.modules= runs at
# boot) loads them.  Shown with virtio-mem, which Debian builds as a module
# (virtio_pci too, on 6.1), in one guest: first the negative control,
# nothing drives the device and its size stays 0; then, the modules
# loaded, it plugs the requested 256 MiB and, the package installed, its
# blocks come online, one line each.
load common

# A virtio-mem device of up to 1 GiB, nothing plugged at boot.
# shellcheck disable=SC2054 # commas inside qemu arguments
VMEM=(--maxmem 8G --qemu-arg=-object --qemu-arg=memory-backend-ram,id=vmem0,size=1G
	--qemu-arg=-device --qemu-arg=virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0)

setup_file() {
	vm_initrd_modules "$BATS_FILE_TMPDIR/initramfs-vmem.cpio" '' virtio_pci,virtio_mem
	HPO_VM_INITRD=$BATS_FILE_TMPDIR/initramfs-vmem.cpio guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug' "${VMEM[@]}"
}
teardown_file() { guest_stop; }

export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

request() { vm_qmp qom-set "{\"path\": \"vm0\", \"property\": \"requested-size\", \"value\": $1}"; }
plugged() { vm_qmp qom-get '{"path": "vm0", "property": "size"}'; }

@test "modules not loaded: nothing drives the virtio-mem device" {
	run -0 vm_sh 'test -d /sys/module/virtio_mem || echo none'
	assert_output none
	request $((256 << 20))
	sleep 3
	run -0 plugged
	assert_output 0
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_output ''
}

@test "hpo-vm modules virtio_pci,virtio_mem: the device plugs 256 MiB, its 2 blocks come online, one line each" {
	run -0 vm_sh 'hpo-vm modules virtio_pci,virtio_mem && cut -d" " -f1 /proc/modules | sort'
	assert_line virtio_mem
	assert_line virtio_pci
	run -0 vm_sh "hpo-vm wait $BOUND '[ \$(hpo-vm new-blocks | grep -c \" online \") = 2 ]'"
	echo "# virtio-mem: 2 blocks online after $output ms" >&3
	run -0 plugged
	assert_output $((256 << 20))
	mapfile -t blocks < <(vm_sh 'hpo-vm new-blocks | cut -d" " -f1')
	assert_equal "${#blocks[@]}" 2
	assert_logged_once "${blocks[@]}"
	for b in "${blocks[@]}"; do
		assert_line --regexp "${LOG_HELPER}${b}: online \(128 MiB, node 0, zone Normal\)$"
	done
	assert_no_failure_logged
}
