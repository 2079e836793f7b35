#!/usr/bin/env bats
# The test rules that behave like the distributions' hotplug rules
# (guest/distro-rules/, hpo.rules=NAME), on Debian 12's 6.1 without the
# package: each file parses with the real udevadm (no diagnostic for it in
# `udevadm test`), and a hot-added 1 GiB DIMM and a vCPU come online through
# it alone.  The zone is the rule's choice: udevd's CONST{virt} is "qemu"
# here, so the Red Hat rules write "online" (a kernel zone on 6.1), as SUSE's
# does.  Negative control: the same guest without hpo.rules leaves the DIMM
# offline (070-negative-control shows the same for the whole image).
load common

teardown_file() { guest_stop; }

# distro_rule NAME FILE [GLOB]: boot with the rule, check it parses,
# hot-add; with GLOB, EXECS is the number of execs of programs matching it
# during the DIMM's hot-add.
distro_rule() {
	local name=$1 file=/usr/lib/udev/rules.d/$2 glob=${3-}
	guest_stop 2> /dev/null || true
	guest_boot --append "hpo.rules=$name hpo.coldplug=hotplug"
	run -0 vm_sh "test -f $file && ! test -e /usr/sbin/hotplug-online"
	# `udevadm test` loads every rule file and reports what it cannot parse
	# as "FILE:LINE ..." (memory0 is online: the rule changes nothing).
	run -0 vm_sh "udevadm test --action=add /devices/system/memory/memory0 2>&1"
	assert_line "Reading rules file: $file"
	refute_line --regexp "^$file:"
	run -0 vm_sh "udevadm test --action=add /devices/system/cpu/cpu0 2>&1"
	refute_line --regexp "^$file:"

	before=$(vm_sh 'hpo-vm memtotal')
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
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 1 1'"
	echo "# $name: CPU online after $output ms" >&3
	# Nothing failed, and nothing of ours ran.
	run -0 vm_sh 'grep -E "Process .* failed|daemon\.(err|crit).*rules\.d/[0-9]+-(redhat|hotplug)" /var/log/messages || true; hpo-vm log'
	assert_output ''
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

@test "negative control: without hpo.rules (and without the package) the DIMM stays offline" {
	guest_stop 2> /dev/null || true
	guest_boot --append 'hpo.coldplug=hotplug'
	run -0 vm_sh 'ls /usr/lib/udev/rules.d | grep -E "^(40-redhat|80-hotplug)" || true'
	assert_output ''
	add_dimm 1G
	vm_sh 'udevadm settle --timeout=30'
	run -1 vm_sh "hpo-vm wait 3 'hpo-vm all online $DIMM_ADDR $DIMM_SIZE'"
	run -0 vm_sh "hpo-vm all offline $DIMM_ADDR $DIMM_SIZE"
	# The parse check sees a rule file it cannot read.
	f=/etc/udev/rules.d/40-broken.rules
	run -0 vm_sh "mkdir -p /etc/udev/rules.d && echo 'SUBSYSTEM==\"memory\", ATTR{state}==\"offline\" GOTO=\"nowhere\"' > $f && udevadm test --action=add /devices/system/memory/memory0 2>&1; rm $f"
	assert_line --regexp "^$f:1"
}
