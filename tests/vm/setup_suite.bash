# Once per `bats tests/vm/`: check the tools, fetch the kernel, build the
# initramfs from the .deb, pick the accelerator.  The exported HPO_VM_*
# variables reach every scenario.
setup_suite() {
	# shellcheck source-path=SCRIPTDIR source=lib.sh
	source "$BATS_TEST_DIRNAME/lib.sh"
	vm_deps check || return 1
	vm_prepare "" || return 1
	echo "# kernel $HPO_VM_KERNEL, package $(vm_deb), accelerator $HPO_VM_ACCEL" >&3
}
