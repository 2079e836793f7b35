#!/usr/bin/env bats
# The test rules that behave like the distributions' hotplug rules
# (guest/distro-rules/; the 12x matrix boots them with hpo.rules=NAME), on
# Debian 12's 6.1 without the package, in one guest, one after the other
# (copied into /usr/lib/udev/rules.d under the original name, udevd
# reloaded, removed again afterwards): each file parses with the real
# udevadm (no diagnostic for it in `udevadm test`), and a hot-added 1 GiB
# DIMM and a vCPU come online through it alone.  The zone is the rule's
# choice: udevd's CONST{virt} is "qemu" here, so the Red Hat rules write
# "online" (a kernel zone on 6.1), as SUSE's does.  Negative control,
# first: without a rule the DIMM stays offline, and the parse check
# reports a broken rule file.
load common

setup_file() { guest_boot --append hpo.coldplug=hotplug --smp 1 --maxcpus 8; }
teardown_file() { guest_stop; }

export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

# distro_rule NAME FILE [GLOB]: install the rule, check it parses, hot-add,
# remove the rule; with GLOB, EXECS is the number of execs of programs
# matching it during the DIMM's hot-add.
distro_rule() {
	local name=$1 file=/usr/lib/udev/rules.d/$2 glob=${3-} ncpus
	run -0 vm_sh "cp /usr/local/share/hotplug-online-vm/distro-rules/$name/*.rules /usr/lib/udev/rules.d/ &&
		udevadm control --reload && test -f $file && ! test -e /usr/sbin/hotplug-online"
	# `udevadm test` loads every rule file and reports what it cannot parse
	# as "FILE:LINE ..." (memory0 is online: the rule changes nothing).
	run -0 vm_sh "udevadm test --action=add /devices/system/memory/memory0 2>&1"
	assert_line "Reading rules file: $file"
	refute_line --regexp "^$file:"
	run -0 vm_sh "udevadm test --action=add /devices/system/cpu/cpu0 2>&1"
	refute_line --regexp "^$file:"

	before=$(vm_sh 'hpo-vm memtotal')
	ncpus=$(($(vm_sh 'hpo-vm new-cpus | wc -l') + 1))
	[[ -z $glob ]] || vm_sh "hpo-vm execs start '$glob'"
	add_dimm 1G
	wait_blocks online
	if [[ -n $glob ]]; then
		vm_sh 'udevadm settle --timeout=30'
		EXECS=$(vm_sh 'hpo-vm execs count; hpo-vm execs stop')
	fi
	run -0 vm_sh "hpo-vm blocks $DIMM_ADDR $DIMM_SIZE"
	for b in "${BLOCKS[@]}"; do
		assert_line "$b online Normal"
	done
	after=$(vm_sh 'hpo-vm memtotal')
	assert_equal "$((after - before))" "$((1024 * 1024))"
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are $ncpus 1'"
	echo "# $name: CPU online after $output ms" >&3
	# Nothing failed, and nothing of ours ran.
	run -0 vm_sh 'grep -E "Process .* failed|daemon\.(err|crit).*rules\.d/[0-9]+-(redhat|hotplug)" /var/log/messages || true; hpo-vm log'
	assert_output ''
	run -0 vm_sh "rm /usr/lib/udev/rules.d/${file##*/} && udevadm control --reload"
}

@test "negative control: without a rule (and without the package) a DIMM stays offline; a broken rule file is reported" {
	run -0 vm_sh 'ls /usr/lib/udev/rules.d | grep -E "^(40-redhat|80-hotplug)" || true'
	assert_output ''
	add_dimm 1G
	vm_sh 'udevadm settle --timeout=30'
	run -1 vm_sh "hpo-vm wait 3 'hpo-vm all online $DIMM_ADDR $DIMM_SIZE'"
	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE"
	f=/etc/udev/rules.d/40-broken.rules
	run -0 vm_sh "mkdir -p /etc/udev/rules.d && echo 'SUBSYSTEM==\"memory\", ATTR{state}==\"offline\" GOTO=\"nowhere\"' > $f && udevadm test --action=add /devices/system/memory/memory0 2>&1; rm $f"
	assert_line --regexp "^$f:1"
}

@test "rhel8: 40-redhat.rules onlines a 1 GiB DIMM and a CPU" {
	distro_rule rhel8 40-redhat.rules
}

@test "rhel9: 40-redhat.rules onlines a 1 GiB DIMM and a CPU" {
	distro_rule rhel9 40-redhat.rules
}

@test "rhel10: 40-redhat-hotplug.rules onlines a 1 GiB DIMM and a CPU" {
	distro_rule rhel10 40-redhat-hotplug.rules
}

@test "suse: 80-hotplug-cpu-mem.rules onlines a 1 GiB DIMM and a CPU, its tmpfs remount runs" {
	# udevd runs the RUN program as /bin/sh (the guest's own shell
	# scripts run busybox as /proc/self/exe): once per block, and it did
	# not fail (udevd would log it; checked in distro_rule).
	distro_rule suse 80-hotplug-cpu-mem.rules /bin/sh
	assert_equal "$EXECS" "${#BLOCKS[@]}"
}
