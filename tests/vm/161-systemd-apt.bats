#!/usr/bin/env bats
# A real systemd (issue 18): the package installed with apt on the running
# Debian 12 (systemd as PID 1), then a hot-add: every block and the CPU
# online, one journal line each, no failed unit, one logger (the installed
# binary), no stale state.  The guest boots with cgroup v1
# (systemd.unified_cgroup_hierarchy=0, as EL 7 and 8 run), so the same
# hot-add also shows what comes after it (issue 19) with real parts: two
# containers of Debian's runc, one with the CPUs runc copied from the root
# and one pinned to cpu1, and the tmpfs mounts as systemd and the initramfs
# make them (/dev/shm, /run, and /tmp from systemd's tmp.mount), and a
# hook that records its environment.  Negative control: both steps off,
# another hot-add changes neither (the hook's second run says they are
# done).  See systemd/README.md.
load common
# shellcheck source-path=SCRIPTDIR source=systemd/lib.bash
source "$BATS_TEST_DIRNAME/systemd/lib.bash"

setup_file() {
	sd_prepare
	SD_APPEND=systemd.unified_cgroup_hierarchy=0 sd_boot "$SD_ROOT/base.img"
}
teardown_file() { sd_stop; }
teardown() { sd_teardown; }

@test "before the package: the kernel leaves hot-added memory offline (auto_online_blocks)" {
	run -0 vm_sh 'cat /sys/devices/system/memory/auto_online_blocks; dpkg-query -W hotplug-online 2>&1 || true'
	assert_line -n 0 offline
	assert_line -n 1 --partial 'no packages found matching hotplug-online'
}

@test "apt install ./hotplug-online.deb on the running system: units started, nothing failed" {
	sd_install "$SD_NEW_DEB"
	sd_check
	assert_line --partial "pkg $(dpkg-deb -f "$SD_NEW_DEB" Version) install ok installed"
}

@test "cgroup v1: runc containers, one with the CPUs copied from the root, one pinned to cpu1" {
	run -0 vm_sh --timeout 120 'sd-vm ctr-up docker-like && sd-vm ctr-up pinned 1 &&
		sd-vm ctr-cpus docker-like && sd-vm ctr-cpus pinned && sd-vm hook && sd-vm tmp-mount &&
		sd-vm tmpfs'
	printf '#   %s\n' "${lines[@]}" >&3
	grep -E '^(memtotal|/)' <<< "$output" > "$BATS_FILE_TMPDIR/tmpfs-before"
	# runc copied the root's 0-1 into /hpo and /hpo/docker-like.
	assert_line -n 0 'cgroup 0-1'
	assert_line -n 1 'inside 0-1'
	assert_line -n 2 'cgroup 1'
	assert_line -n 3 'inside 1'
	[[ $(grep -c '^/' "$BATS_FILE_TMPDIR/tmpfs-before") == 3 ]] || fail "expected /dev/shm, /run and /tmp as tmpfs"
}

@test "after apt install: a 512 MiB DIMM and a vCPU online, one journal line each" {
	sd_hot_add
	echo "${BLOCKS[0]#memory}-${BLOCKS[3]#memory} ${CPU#cpu}" > "$BATS_FILE_TMPDIR/burst"
	sd_check "${BLOCKS[@]}" "$CPU"
}

@test "after the hot-add: a hook ran once, its environment the burst: blocks, CPU, bytes" {
	run -0 vm_sh "sd-vm wait-journal 30 '^hook 50-mark: exit 0\$' && cat /run/sd-vm.hook"
	assert_output "$(< "$BATS_FILE_TMPDIR/burst") $((512 << 20))"
}

@test "after the hot-add: the copied container gets cpu2, the pinned one not; one cpusets line" {
	run -0 vm_sh --timeout 60 "sd-vm wait-journal 30 '^cpusets: ' && sd-vm ctr-cpus docker-like &&
		sd-vm ctr-cpus pinned && sd-vm journal | grep -E '^cpusets: '"
	printf '#   %s\n' "${lines[@]}" >&3
	assert_line -n 0 'cgroup 0-2'
	assert_line -n 1 'inside 0-2'
	assert_line -n 2 'cgroup 1'
	assert_line -n 3 'inside 1'
	assert_line -n 4 --regexp "^cpusets: 2 of /sys/fs/cgroup/cpuset get CPUs '2'\$"
	[[ ${#lines[@]} == 5 ]]
}

# The share a size of `pages` was of `total` pages, as mm/shmem.c rounds
# size=N% (its default, no size=, is half: the helper remounts that with
# size=50%); "" for an absolute size.
share() {
	local pages=$1 total=$2 p
	((pages == total / 2)) && { echo 50; return; }
	for ((p = 1; p <= 100; p++)); do
		((pages == (p * total + 99) / 100)) && { echo "$p"; return; }
	done
}

@test "after the hot-add: /dev/shm, /run and /tmp keep their share of RAM; one tmpfs line" {
	local before after m kb inodes total0 total1 pct want
	run -0 vm_sh --timeout 60 "sd-vm wait-journal 30 '^tmpfs: ' && sd-vm tmpfs && sd-vm journal | grep -E '^tmpfs: '"
	after=$output
	before=$(cat "$BATS_FILE_TMPDIR/tmpfs-before")
	echo "# before: $(xargs <<< "$before")" >&3
	echo "# after:  $(grep -v '^tmpfs:' <<< "$after" | xargs)" >&3
	echo "# $(grep '^tmpfs:' <<< "$after")" >&3
	[[ $(grep -c '^tmpfs: ' <<< "$after") == 1 ]] || fail "expected one tmpfs line"
	total0=$(($(sed -n 's/^memtotal //p' <<< "$before") / 4))
	total1=$(($(sed -n 's/^memtotal //p' <<< "$after") / 4))
	((total1 > total0 + 100000)) || fail "MemTotal did not grow by the DIMM: $total0 -> $total1 pages"
	while read -r m kb inodes; do
		pct=$(share $((kb / 4)) "$total0")
		[[ -n $pct ]] || fail "$m: $kb kB is no share of $total0 pages"
		want=$(((pct * total1 + 99) / 100))
		read -r _ kb1 inodes1 <<< "$(grep "^$m " <<< "$after")"
		[[ $((kb1 / 4)) == "$want" ]] || fail "$m: $((kb1 / 4)) pages after, expected $want ($pct of $total1)"
		# nr_inodes: the kernel's default (half the pages) follows; one set stays.
		if ((inodes == total0 / 2)); then want=$((total1 / 2)); else want=$inodes; fi
		[[ $inodes1 == "$want" ]] || fail "$m: nr_inodes $inodes -> $inodes1, expected $want"
	done <<< "$(grep '^/' <<< "$before")"
}

@test "negative control: with cpusets = off and tmpfs = off, another DIMM and vCPU change neither" {
	local before
	run -0 vm_sh 'printf "cpusets = off\ntmpfs = off\n" >> /etc/hotplug-online.conf && sd-vm tmpfs'
	before=$(grep '^/' <<< "$output")
	sd_hot_add
	sd_check "${BLOCKS[@]}" "$CPU"
	# The hooks run after the cpusets and tmpfs steps: their second run
	# says that the steps are done.
	run -0 vm_sh --timeout 60 "sd-vm wait-journal 30 '^hook 50-mark: exit 0\$' 2 &&
		sd-vm ctr-cpus docker-like; cat /sys/fs/cgroup/cpuset/cpuset.cpus
		sd-vm tmpfs; sd-vm journal | grep -cE '^(cpusets|tmpfs): '"
	printf '#   %s\n' "${lines[@]}" >&3
	assert_line -n 0 'cgroup 0-2'
	assert_line -n 1 'inside 0-2'
	assert_line -n 2 '0-3'
	[[ $(grep '^/' <<< "$output") == "$before" ]] || fail "a tmpfs changed with tmpfs = off"
	[[ ${lines[-1]} == 2 ]] || fail "expected the one cpusets and one tmpfs line of the first hot-add only"
}
