#!/usr/bin/env bats
# The harness on newer kernels: Debian 13's 6.12 and unstable's newest
# (kernel.sh trixie, kernel.sh sid), package installed.  Each boots, and a
# 1 GiB DIMM and a vCPU hot-added come online.  Both kernels are built with
# CONFIG_MHP_DEFAULT_ONLINE_TYPE_ONLINE_AUTO: the kernel onlines the DIMM
# itself; the helper logs one line per block and onlines the CPU.  A CPU hot-add needs the guest's ACPI tables at
# revision 6.3 (vmctl boot --online-capable, see tests/vm/README.md); the
# negative control shows 6.12 refusing the CPU with qemu's own tables.
load common

setup_file() {
	K612=$(vm_kernel_of trixie 2> "$BATS_FILE_TMPDIR/trixie.err") || K612=
	KSID=$(vm_kernel_of sid 2> "$BATS_FILE_TMPDIR/sid.err") || KSID=
	export K612 KSID
}
teardown_file() { guest_stop; }

# need_kernel SUITE: KERNEL is its path; skip, saying why, if it is missing.
need_kernel() {
	case $1 in trixie) KERNEL=$K612 ;; sid) KERNEL=$KSID ;; esac
	[[ -n $KERNEL ]] || skip "no $1 kernel (tests/vm/kernel.sh $1: $(tr '\n' ' ' < "$BATS_FILE_TMPDIR/$1.err"))"
}

boot_kernel() {
	local k=$1
	shift
	guest_stop 2> /dev/null || true
	HPO_VM_KERNEL=$k guest_boot "$@"
}

# smoke SUITE VERSION-PREFIX: boot, DIMM, CPU.
smoke() {
	need_kernel "$1"
	boot_kernel "$KERNEL" --append 'hpo.pkg=installed hpo.coldplug=hotplug' --online-capable
	run -0 vm_sh 'uname -r; hpo-vm memhp; dmesg | grep "CPU topo: Allowing"'
	[[ ${lines[0]} == "$2"* ]] || fail "$1: kernel ${lines[0]}, expected $2*"
	echo "# $1: kernel ${lines[0]}, $(grep auto_online_blocks <<< "$output")" >&3
	assert_line --partial 'Allowing 1 present CPUs plus 3 hotplug CPUs'

	before=$(vm_sh 'hpo-vm memtotal')
	add_dimm 1G
	assert_equal "${#BLOCKS[@]}" 8
	wait_blocks online
	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$((after - before))" "$((1024 * 1024))"

	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	echo "# $1: CPU online after $output ms" >&3
	run -0 vm_sh 'hpo-vm new-cpus'
	cpu=${output%% *}
	# One line of the helper for each block and for the CPU, whatever its
	# wording (the kernel onlined the blocks, the helper the CPU).
	run -0 vm_sh 'hpo-vm log'
	for name in "${BLOCKS[@]}" "$cpu"; do
		n=$(grep -cE "${LOG_HELPER}${name}: " <<< "$output" || true)
		[[ $n == 1 ]] || fail "$1: expected one line for $name, found $n" "$output"
	done
	assert_no_failure_logged
}

@test "6.12 (Debian 13): boots with the package; a 1 GiB DIMM and a CPU come online" {
	smoke trixie 6.12.
}

@test "unstable's kernel: boots with the package; a 1 GiB DIMM and a CPU come online" {
	smoke sid ''
}

@test "6.12, negative control: with qemu's own ACPI tables a hot-added CPU is refused" {
	need_kernel trixie
	boot_kernel "$KERNEL" --append 'hpo.pkg=installed hpo.coldplug=hotplug'
	run -0 vm_sh 'dmesg | grep "CPU topo: Allowing"'
	assert_output --partial 'Allowing 1 present CPUs plus 0 hotplug CPUs'
	vm_add_cpu
	run -1 vm_sh "hpo-vm wait 5 'hpo-vm new-cpus-are 1 1'"
	run -0 vm_sh 'hpo-vm new-cpus; dmesg | grep -i lapic'
	assert_output --partial 'Unable to map lapic to logical cpu number'
	refute_output --regexp '^cpu[0-9]'
}
