#!/usr/bin/env bats
# Scenario 2: two vCPUs hot-added, package installed: both come online and
# each is logged once.
load common

setup_file() { guest_boot --append hpo.pkg=installed --smp 1 --maxcpus 4; }
teardown_file() { guest_stop; }

@test "two hot-added CPUs come online, one syslog line each" {
	vm_add_cpu
	vm_add_cpu
	run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm new-cpus-are 2 1'"
	echo "# 2 CPUs online after $output ms" >&3

	run -0 vm_sh 'hpo-vm new-cpus'
	assert_equal "${#lines[@]}" 2
	mapfile -t cpus < <(cut -d' ' -f1 <<< "$output")
	run -0 vm_sh 'grep -c ^processor /proc/cpuinfo'
	assert_output 3
	assert_logged_once "${cpus[@]}"
	for c in "${cpus[@]}"; do
		assert_line --regexp "${LOG_HELPER}${c}: online \(by hotplug-online\)$"
	done
	assert_no_failure_logged
}
