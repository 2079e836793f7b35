#!/usr/bin/env bats
# The log service (hotplug-online-log.service: `hotplug-online log`, one
# process reading the kernel's uevents), on Debian 12's 6.1 with the
# package installed:
#   a 32 GiB DIMM (256 blocks, onlined by the kernel in one burst) gives
#   exactly 256 "online" lines, one per block, each with size, node and
#   zone, and no line about lost events;
#   idle, it does not wake up (voluntary context switches over 10 s) and
#   stays small (VmRSS);
#   without it (stopped) memory still comes online, and no transition is
#   logged: what hotplug-online(8) says of a machine without the service.
load common

# 2 GiB of boot memory holds the 512 MiB memmap of 32 GiB (as tests/bench).
setup_file() { guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug' --mem 2G --maxmem 40G; }
teardown_file() { guest_stop; }

export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

# The DIMM's backend with reserve=false (MAP_NORESERVE): the host's
# heuristic overcommit refuses one 32 GiB mapping on a 24 GiB machine, and
# the guest never touches most of it.  vmctl add-memory has no such option.
add_big_dimm() {
	vm_qmp object-add "{\"qom-type\": \"memory-backend-ram\", \"id\": \"mem-big0\", \"size\": $(($1 << 30)), \"reserve\": false}" > /dev/null
	vm_qmp device_add '{"driver": "pc-dimm", "id": "big0", "memdev": "mem-big0"}' > /dev/null
	# shellcheck disable=SC2034 # DIMM_ID: as add_dimm sets it
	read -r DIMM_ID DIMM_ADDR DIMM_SIZE < <(vm_qmp query-memory-devices | python3 -c 'import json, sys
for d in json.load(sys.stdin):
    if d["data"].get("id") == "big0": print("big0", d["data"]["addr"], d["data"]["size"])')
	[[ -n $DIMM_SIZE ]] || fail "the 32 GiB DIMM is not in query-memory-devices"
	mapfile -t BLOCKS < <(vm_sh "hpo-vm dimm-blocks $DIMM_ADDR $DIMM_SIZE")
}

@test "32 GiB hot-add: 256 blocks online, exactly 256 online lines, one per block, with size, node and zone" {
	run -0 vm_sh "hpo-vm-unit status $LOGD"
	log_mark
	add_big_dimm 32
	assert_equal "${#BLOCKS[@]}" 256
	# A cheap poll (one cat, twice a second): `hpo-vm all` forks per block,
	# 256 blocks would slow the onlining it waits for.
	# shellcheck disable=SC2016 # expanded in the guest
	run -0 vm_sh --timeout 200 'want=$(($(wc -l < /run/hpo-vm-boot-blocks) + 256))
		hpo-vm wait 180 "sleep 0.5; [ \$(cat /sys/devices/system/memory/memory*/state | grep -c ^online) -ge $want ]"'
	echo "# $DIMM_ID: 256 blocks online after $output ms" >&3
	run -0 vm_sh "hpo-vm all online $DIMM_ADDR $DIMM_SIZE"
	BOUND=60 assert_logged_once "${BLOCKS[@]}"
	# 256 memory lines since the mark, one per block (above), each with
	# size, node and zone (one grep: assert_line per block is slow).
	assert_equal "$(grep -cE "${LOG_HELPER}memory[0-9]+: " <<< "$output")" 256
	assert_equal "$(grep -cE "${LOG_HELPER}memory[0-9]+: online \(128 MiB, node 0, zone Normal\)$" <<< "$output")" 256
	refute_output --partial 'events were lost'
	assert_no_failure_logged
}

@test "idle: no wakeup of the log service in 10 s; its RSS" {
	run -0 vm_sh "hpo-vm-unit status $LOGD"
	pid=${output#active }
	# Past its repair window (1 s after the last memory event).
	# shellcheck disable=SC2016 # expanded in the guest
	run -0 vm_sh "sleep 2; s=/proc/$pid/status
		grep -E '^(VmRSS|voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' \$s; sleep 10
		grep -E '^(voluntary_ctxt_switches|nonvoluntary_ctxt_switches):' \$s"
	printf '# %s\n' "${lines[@]}" >&3
	v0=$(awk '/^voluntary/ { print $2; exit }' <<< "$output")
	v1=$(awk '/^voluntary/ { v = $2 } END { print v }' <<< "$output")
	rss=$(awk '/^VmRSS/ { print $2 }' <<< "$output")
	echo "# log service: $((v1 - v0)) wakeups in 10 s idle, VmRSS $rss kB" >&3
	assert_equal "$((v1 - v0))" 0
	((rss < 2048)) || fail "VmRSS $rss kB"
}

@test "without the log service: memory still comes online, no transition is logged" {
	run -0 vm_sh "hpo-vm-unit stop $LOGD; pidof hotplug-online || echo none"
	assert_output none
	log_mark
	add_dimm 512M
	wait_blocks online
	run -0 vm_sh "udevadm settle --timeout=30; sleep 2; hpo-vm log $LOG_MARK"
	assert_output ''
	run -0 vm_sh "hpo-vm-unit start $LOGD"
}
