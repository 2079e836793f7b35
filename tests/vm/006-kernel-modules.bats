#!/usr/bin/env bats
# Kernel modules in the guest: `kernel.sh --modules` takes them (and what
# they depend on) from Debian's kernel package, vm_initrd_modules appends
# them to the initramfs, and hpo.modules= loads them before udevd.  Shown
# with virtio-mem, which Debian builds as a module (virtio_pci too, on 6.1):
# a virtio-mem-pci device grows to its requested size and, the package
# installed, its blocks come online.  Negative control: the same guest
# without hpo.modules leaves the device undriven, its size 0.
load common

# A virtio-mem device of up to 1 GiB, nothing plugged at boot.
# shellcheck disable=SC2054 # commas inside qemu arguments
VMEM=(--maxmem 8G --qemu-arg=-object --qemu-arg=memory-backend-ram,id=vmem0,size=1G
	--qemu-arg=-device --qemu-arg=virtio-mem-pci,id=vm0,memdev=vmem0,requested-size=0)

setup_file() {
	vm_initrd_modules "$BATS_FILE_TMPDIR/initramfs-vmem.cpio" '' virtio_pci,virtio_mem
}
teardown_file() { guest_stop; }

request() { vm_qmp qom-set "{\"path\": \"vm0\", \"property\": \"requested-size\", \"value\": $1}"; }
plugged() { vm_qmp qom-get '{"path": "vm0", "property": "size"}'; }

@test "without hpo.modules: nothing drives the virtio-mem device" {
	HPO_VM_INITRD=$BATS_FILE_TMPDIR/initramfs-vmem.cpio guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug' "${VMEM[@]}"
	run -0 vm_sh 'test -d /sys/module/virtio_mem || echo none'
	assert_output none
	request $((256 << 20))
	sleep 3
	run -0 plugged
	assert_output 0
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_output ''
}

@test "hpo.modules=virtio_pci,virtio_mem: the device plugs 256 MiB, its 2 blocks come online" {
	guest_stop
	HPO_VM_INITRD=$BATS_FILE_TMPDIR/initramfs-vmem.cpio guest_boot \
		--append 'hpo.pkg=installed hpo.coldplug=hotplug hpo.modules=virtio_pci,virtio_mem' "${VMEM[@]}"
	run -0 vm_sh 'cat /proc/modules | cut -d" " -f1 | sort'
	assert_line virtio_mem
	assert_line virtio_pci
	request $((256 << 20))
	run -0 vm_sh "hpo-vm wait $BOUND '[ \$(hpo-vm new-blocks | grep -c \" online \") = 2 ]'"
	echo "# virtio-mem: 2 blocks online after $output ms" >&3
	run -0 plugged
	assert_output $((256 << 20))
	run -0 vm_sh 'hpo-vm new-blocks'
	assert_equal "${#lines[@]}" 2
	assert_no_failure_logged
}
