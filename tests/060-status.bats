#!/usr/bin/env bats
# `hotplug-online status [--json]` against real snapshots and generated trees.

load test_helper/common

# status_json: run status --json, check it writes and logs nothing, and
# leave the parsed JSON in $json.
status_json() {
	local before
	: >"$KMSG"
	before=$(tree_sums) run_before=$(tree_sums "$NS/run")
	run -0 --separate-stderr ho --sysfs "$SYS" status --json
	assert_stderr_empty
	json=$output
	jq -e . >/dev/null <<<"$json" || fail "not JSON: $json"
	assert_equal "$(wc -l <<<"$json")" 1
	assert_equal "$(tree_sums)" "$before"
	assert_equal "$(logged)" ''
	assert_equal "$(tree_sums "$NS/run")" "$run_before"
}

jqc() { jq -c "$1" <<<"$json"; }

@test "status --json: real 6.1 snapshot (2 nodes, memory32-39 and cpu2-3 offline)" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	status_json
	assert_equal "$(jqc '[.schema, .version, .block_size_bytes]')" "[2,\"$(cat "$BATS_TEST_DIRNAME/../VERSION")\",134217728]"
	assert_equal "$(jqc '.memory | [.online_bytes, .offline_bytes, .online_blocks, .offline_blocks]')" \
		'[536870912,1073741824,4,8]'
	assert_equal "$(jqc .memory.offline)" '[32,33,34,35,36,37,38,39]'
	assert_equal "$(jqc .memory.nodes)" \
		'[{"node":0,"online_bytes":268435456,"offline_bytes":0,"kernel_bytes":268435456,"movable_bytes":0,"movable_percent":0,"zones":{"DMA32":134217728,"none":134217728}},{"node":1,"online_bytes":268435456,"offline_bytes":1073741824,"kernel_bytes":268435456,"movable_bytes":0,"movable_percent":0,"zones":{"DMA32":268435456}}]'
	assert_equal "$(jqc .cpus)" '{"online":[0,1],"offline":[2,3]}'
	assert_equal "$(jqc .kernel)" '{"auto_online_blocks":"offline","online_policy":null,"auto_movable_ratio":null,"auto_movable_numa_aware":null,"set_by_hotplug_online":{}}'
	# Schema 2: schema 1's keys, in their order, without the userspace
	# auto-movable figures (boot_snapshot, boot_kernel_bytes,
	# policy_movable_bytes, movable_percent_of_boot_kernel,
	# movable_percent_of_kernel_now).
	# (memmap_on_memory, max_hot_add_bytes and hot_add_refused are issue 19's.)
	assert_equal "$(jqc keys_unsorted)" '["schema","version","block_size_bytes","memory","kernel","memmap_on_memory","max_hot_add_bytes","hot_add_refused","cpus"]'
	assert_equal "$(jqc '[.memmap_on_memory, .max_hot_add_bytes, .hot_add_refused]')" '[null,137438953472,false]'
	assert_equal "$(jqc '.memory | keys_unsorted')" '["online_bytes","offline_bytes","online_blocks","offline_blocks","offline","nodes"]'
	assert_equal "$(jqc '.memory.nodes[0] | keys_unsorted')" '["node","online_bytes","offline_bytes","kernel_bytes","movable_bytes","movable_percent","zones"]'
}

@test "status: real 6.1 snapshot, text" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	run -0 --separate-stderr ho --sysfs "$SYS" status
	assert_stderr_empty
	assert_output 'Memory block size:  128 MiB
Memory online:      512 MiB (4 blocks)
Memory offline:     1 GiB (8 blocks)
  node 0: online 256 MiB, DMA32 128 MiB, none 128 MiB; offline 0 MiB
          kernel zones 256 MiB, Movable 0 MiB (0% of kernel zones now)
  node 1: online 256 MiB, DMA32 256 MiB; offline 1 GiB
          kernel zones 256 MiB, Movable 0 MiB (0% of kernel zones now)
Offline blocks:     32-39
Kernel auto-online: offline
  online_policy:    not in this kernel (5.15+): memory = auto-movable onlines in a kernel zone
memmap_on_memory:   not in this kernel
Largest hot-add:    about 128 GiB now (its memmap, 64 bytes a page, from memory available now)
CPUs online:        0-1
CPUs offline:       2-3'
}

@test "status --json: real 6.18 snapshot (24 GiB, all online)" {
	unpack_snapshot guest-6.18-24g
	status_json
	blocks=$(find "$MEM" -maxdepth 1 -name 'memory[0-9]*' -type d | wc -l)
	assert_equal "$(jqc '.memory | [.online_blocks, .offline_blocks, .offline_bytes, .offline]')" "[$blocks,0,0,[]]"
	assert_equal "$(jqc .memory.online_bytes)" $((24 << 30))
	assert_equal "$(jqc '.memory.nodes | length')" 1
	# Every zone the kernel named, counted per block.
	for z in DMA32 Normal none; do
		n=$(grep -lx -- "$z.*" "$MEM"/memory*/valid_zones | wc -l)
		assert_equal "$(jqc ".memory.nodes[0].zones.$z // 0")" $((n * 134217728))
	done
	assert_equal "$(jqc '[.memory.nodes[0].zones[]] | add')" $((24 << 30))
	assert_equal "$(jqc .cpus)" '{"online":[0,1],"offline":[]}'
}

@test "status: real 6.18 snapshot, text" {
	unpack_snapshot guest-6.18-24g
	run -0 ho --sysfs "$SYS" status
	assert_line 'Memory online:      24 GiB (192 blocks)'
	assert_line 'Memory offline:     0 MiB (0 blocks)'
	assert_line '  node 0: online 24 GiB, DMA32 2944 MiB, Normal 21 GiB, none 128 MiB; offline 0 MiB'
	assert_line 'Offline blocks:     none'
	assert_line 'CPUs offline:       none'
}

@test "status --json: generated trees, numbers checked against the parameters" {
	# online offline offline_start nodes block_size(hex) cpus offline_cpus
	while read -r on off start nodes bs cpus offcpus; do
		rm -rf "$SYS"
		mksysfs online="$on" offline="$off" offline_start="$start" nodes="$nodes" \
			block_size="$bs" cpus="$cpus" offline_cpus="$offcpus"
		status_json
		b=$((16#$bs))
		case="on=$on off=$off start=$start nodes=$nodes bs=$bs cpus=$cpus offcpus=$offcpus"
		[[ $(jqc '[.block_size_bytes, .memory.online_bytes, .memory.offline_bytes, .memory.online_blocks, .memory.offline_blocks]') == \
			"[$b,$((on * b)),$((off * b)),$on,$off]" ]] || fail "$case: $json"
		want=$(seq -s, "$start" $((start + off - 1)))
		[[ $(jqc .memory.offline) == "[$want]" ]] || fail "$case: offline list: $json"
		[[ $(jqc '[.memory.nodes[].online_bytes] | add') == $((on * b)) ]] || fail "$case: per-node online"
		[[ $(jqc '[.memory.nodes[].offline_bytes] | add') == $((off * b)) ]] || fail "$case: per-node offline"
		[[ $(jqc '[.memory.nodes[].zones[]] | add') == $((on * b)) ]] || fail "$case: zones"
		[[ $(jqc '.memory.nodes[0].zones.DMA32') == "$b" ]] || fail "$case: DMA32"
		[[ $(jqc "[.memory.nodes[] | select(.node == $((nodes - 1)))][0].offline_bytes") == $((off * b)) ]] ||
			fail "$case: offline node"
		[[ $(jqc '.cpus.online | length') == $((cpus - offcpus)) ]] || fail "$case: cpus online"
		want=
		if ((offcpus)); then want=$(seq -s, $((cpus - offcpus)) $((cpus - 1))); fi
		[[ $(jqc .cpus.offline) == "[$want]" ]] || fail "$case: cpus offline: $json"
	done <<-'EOF'
		4 4 4 2 8000000 4 2
		1 0 1 1 8000000 1 0
		10 6 100 3 10000000 8 3
		16 12 1000 4 80000000 64 60
		3 2 999999990 1 8000000 2 1
	EOF
}

@test "status: text ranges and sizes for a generated tree" {
	mksysfs online=6 offline=3 offline_start=40 nodes=3 block_size=10000000 cpus=12 offline_cpus=9
	run -0 ho --sysfs "$SYS" status
	assert_output 'Memory block size:  256 MiB
Memory online:      1536 MiB (6 blocks)
Memory offline:     768 MiB (3 blocks)
  node 0: online 512 MiB, DMA32 256 MiB, Normal 256 MiB; offline 0 MiB
          kernel zones 512 MiB, Movable 0 MiB (0% of kernel zones now)
  node 1: online 512 MiB, Normal 512 MiB; offline 0 MiB
          kernel zones 512 MiB, Movable 0 MiB (0% of kernel zones now)
  node 2: online 512 MiB, Normal 512 MiB; offline 768 MiB
          kernel zones 512 MiB, Movable 0 MiB (0% of kernel zones now)
Offline blocks:     40-42
Kernel auto-online: not available (no auto_online_blocks)
memmap_on_memory:   not in this kernel
Largest hot-add:    about 128 GiB now (its memmap, 64 bytes a page, from memory available now)
CPUs online:        0-2
CPUs offline:       3-11'
}

@test "status --json: going-offline counts as online; Movable and unknown zones" {
	mksysfs online=4 offline=1 nodes=1 going_offline=2
	echo Movable >"$MEM/memory3/valid_zones"
	echo Weird >"$MEM/memory1/valid_zones"
	status_json
	assert_equal "$(jqc '.memory | [.online_blocks, .offline_blocks]')" '[4,1]'
	assert_equal "$(jqc .memory.nodes[0].zones)" '{"DMA32":134217728,"Normal":134217728,"Movable":134217728,"other":134217728}'
	# Movable against the rest: 1 block to 3, 33 percent, as auto_movable_ratio counts.
	assert_equal "$(jqc '.memory.nodes[0] | [.kernel_bytes, .movable_bytes, .movable_percent]')" \
		'[402653184,134217728,33]'
}

@test "status: reflects what online did" {
	unpack_snapshot qemu-debian12-6.1-hotadd
	run -0 ho --sysfs "$SYS" --config "$CFG" online memory33 cpu2
	status_json
	assert_equal "$(jqc .memory.offline)" '[32,34,35,36,37,38,39]'
	assert_equal "$(jqc .cpus.offline)" '[3]'
}

@test "status: a tree without memory hotplug reports CPUs only" {
	mksysfs memory=no
	status_json
	assert_equal "$(jqc '.memory | [.online_blocks, .offline_blocks, .nodes]')" '[0,0,[]]'
	assert_equal "$(jqc .cpus)" '{"online":[0,1],"offline":[2,3]}'
}

@test "status: --json is for status only, --dry-run is for online only" {
	mksysfs
	run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --json
	assert_stderr_contains "--json works only with 'status', not 'online'"
	run -2 --separate-stderr ho --sysfs "$SYS" status --dry-run
	assert_stderr_contains "--dry-run works only with 'online' and 'setup', not 'status'"
	run -2 --separate-stderr ho --sysfs "$SYS" status memory4
	assert_stderr_contains "unexpected argument 'memory4'"
}

@test "status: a directory that is not a sysfs tree is exit 2, named, as for online" {
	mkdir -p "$BATS_TEST_TMPDIR/empty"
	for json in "" --json; do
		run -2 --separate-stderr ho --sysfs "$BATS_TEST_TMPDIR/empty" status $json
		assert_equal "$stderr" "hotplug-online: '$BATS_TEST_TMPDIR/empty' is not a sysfs tree: no devices/system/memory or devices/system/cpu"
		assert_equal "$output" ''
	done
	assert_equal "$(logged)" ''   # status logs nothing, not even this
	# Negative control: with only a CPU directory it is a tree, and status reports it.
	mkdir -p "$BATS_TEST_TMPDIR/empty/devices/system/cpu/cpu0"
	run -0 --separate-stderr ho --sysfs "$BATS_TEST_TMPDIR/empty" status
	assert_line 'CPUs online:        0'
}

@test "status --json: the kernel's knobs, typed: strings, a number, a boolean; null where absent" {
	mksysfs
	status_json
	assert_equal "$(jqc .kernel)" '{"auto_online_blocks":null,"online_policy":null,"auto_movable_ratio":null,"auto_movable_numa_aware":null,"set_by_hotplug_online":{}}'
	rm -rf "$SYS"
	mksysfs aob=online_movable policy=contig-zones ratio=150 numa=N
	status_json
	assert_equal "$(jqc .kernel)" '{"auto_online_blocks":"online_movable","online_policy":"contig-zones","auto_movable_ratio":150,"auto_movable_numa_aware":false,"set_by_hotplug_online":{}}'
	echo Y >"$SYS/module/memory_hotplug/parameters/auto_movable_numa_aware"
	status_json
	assert_equal "$(jqc .kernel.auto_movable_numa_aware)" true
	run -0 ho --sysfs "$SYS" status
	assert_output --partial 'Offline blocks:     4-7
Kernel auto-online: online_movable
  online_policy:    contig-zones
  auto_movable_ratio: 150
  auto_movable_numa_aware: Y
memmap_on_memory:   not in this kernel
Largest hot-add:    about 128 GiB now (its memmap, 64 bytes a page, from memory available now)
CPUs online:        0-1'
}

@test "status: what setup changed, and what it was (text and JSON); gone after restore" {
	mksysfs aob=offline policy=contig-zones
	echo 'memory = auto-movable' >"$CFG"
	run -0 ho --sysfs "$SYS" --config "$CFG" setup
	status_json
	assert_equal "$(jqc .kernel)" '{"auto_online_blocks":"online","online_policy":"auto-movable","auto_movable_ratio":301,"auto_movable_numa_aware":true,"set_by_hotplug_online":{"auto_online_blocks":{"was":"offline"},"online_policy":{"was":"contig-zones"}}}'
	run -0 --separate-stderr ho --sysfs "$SYS" status
	assert_stderr_empty
	assert_line 'Kernel auto-online: online (set by hotplug-online setup, was offline)'
	assert_line '  online_policy:    auto-movable (set by hotplug-online setup, was contig-zones)'
	assert_line '  auto_movable_ratio: 301'
	run -0 ho --sysfs "$SYS" restore
	status_json
	assert_equal "$(jqc .kernel)" '{"auto_online_blocks":"offline","online_policy":"contig-zones","auto_movable_ratio":301,"auto_movable_numa_aware":true,"set_by_hotplug_online":{}}'
}

@test "status: junk in a knob or in the record shows as absent; status never fails on them" {
	mksysfs aob=online policy=contig-zones
	echo 'sometimes' >"$SYS/module/memory_hotplug/parameters/online_policy"
	status_json
	assert_equal "$(jqc '.kernel | [.auto_online_blocks, .online_policy, .auto_movable_ratio, .auto_movable_numa_aware]')" '[null,null,null,null]'
	run -0 --separate-stderr ho --sysfs "$SYS" status
	assert_line 'Kernel auto-online: not available (no auto_online_blocks)'
	assert_stderr_empty
	echo contig-zones >"$SYS/module/memory_hotplug/parameters/online_policy"
	mkdir -p "$RUNDIR"
	printf 'auto_online_blocks="offline"\n' >"$RUNDIR/kernel-saved"
	status_json
	assert_equal "$(jqc .kernel.auto_online_blocks)" '"online"'
	assert_equal "$(jqc .kernel.set_by_hotplug_online)" '{}'
	# Control: a good record shows.
	printf 'auto_online_blocks=offline\n' >"$RUNDIR/kernel-saved"
	status_json
	assert_equal "$(jqc .kernel.set_by_hotplug_online)" '{"auto_online_blocks":{"was":"offline"}}'
}

