# shellcheck shell=bash
# Shared by the auto-movable scenarios (tests/vm/08x-*.bats): one hot-add
# sequence, the same machine, three deciders of the zone.
#
#   kernel   Debian 12's kernel with memory_hotplug.online_policy=auto-movable
#            on its command line and the package on "memory = online": the
#            kernel decides (the oracle)
#   user     the same kernel on its default policy (contig-zones), the
#            package on "memory = auto-movable" and its test build
#            (build/hotplug-online-test) as /usr/sbin/hotplug-online, made to
#            decide in userspace by HOTPLUG_ONLINE_TEST_USERSPACE_POLICY=1,
#            which a udev rule puts into the environment of RUN programs
#   user510  Debian 11's 5.10 kernel (no online_policy parameter) and the
#            shipped binary on "memory = auto-movable": it decides in
#            userspace because it has to
#
# A file sets AM_MACHINE (vmctl boot arguments) and AM_SEQ ("SIZE" or
# "SIZE:NODE" per DIMM, in order), calls am_setup_file from setup_file, then
# am_run MODE per guest; am_compare prints and checks the tables.

AM_RUNS=$BATS_FILE_TMPDIR/am
# One guest per file at a time, in the same place for every test.
export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

# The test build in an initramfs of its own (the shared image plus one file),
# and the bullseye kernel if the archive serves it.
am_setup_file() {
	local plus=$BATS_FILE_TMPDIR/plus/usr/local/share/hotplug-online-vm
	local t=$HPO_VM_TOP/build/hotplug-online-test
	mkdir -p "$plus" "$AM_RUNS"
	if [[ ! -x $t ]]; then
		echo "no '$t': run 'make build/hotplug-online-test'" >&2
		return 1
	fi
	cp "$t" "$plus/hotplug-online-test"
	vm_initrd_plus "$BATS_FILE_TMPDIR/initramfs-test.cpio" "$BATS_FILE_TMPDIR/plus" || return 1
	if AM_K510=$(vm_kernel_of bullseye 2> "$AM_RUNS/k510.err"); then
		echo "# 5.10 kernel: $AM_K510" >&3
	else
		AM_K510=
	fi
	export AM_K510
}

# The reason the 5.10 runs cannot happen, for skip.
am_k510_missing() {
	[[ -z $AM_K510 ]] || return 1
	echo "Debian 11's kernel could not be fetched (tests/vm/kernel.sh bullseye: $(tr '\n' ' ' < "$AM_RUNS/k510.err"))"
}

# am_run MODE: boot the guest for MODE, hot-add AM_SEQ, record what happened
# in $AM_RUNS/MODE.{pages,dimms,zones,log}.  The guest keeps running.
am_run() {
	local mode=$1 out=$AM_RUNS/$1 kernel=$HPO_VM_KERNEL initrd=$HPO_VM_INITRD
	local append="hpo.pkg=installed hpo.coldplug=hotplug" item size node line id addr bytes
	case $mode in
	kernel) append+=" memory_hotplug.online_policy=auto-movable" ;;
	user) initrd=$BATS_FILE_TMPDIR/initramfs-test.cpio ;;
	user510) kernel=$AM_K510 ;;
	*) fail "am_run: bad mode '$mode'" ;;
	esac
	guest_stop 2> /dev/null || true
	HPO_VM_KERNEL=$kernel HPO_VM_INITRD=$initrd guest_boot --append "$append" "${AM_MACHINE[@]}"
	run -0 vm_sh 'uname -r; cat /sys/module/memory_hotplug/parameters/online_policy 2> /dev/null || echo none'
	echo "# $mode: kernel ${lines[0]}, online_policy ${lines[1]}" >&3
	case $mode in
	kernel)
		assert_line -n 1 auto-movable
		vm_sh 'echo "memory = online" >> /etc/hotplug-online.conf'
		;;
	user)
		assert_line -n 1 contig-zones
		# udevd hands a device's properties to RUN programs as their
		# environment: the switch reaches the helper and nothing else.
		run -0 vm_sh 'set -e
			cp /usr/local/share/hotplug-online-vm/hotplug-online-test /usr/sbin/hotplug-online
			chmod 0755 /usr/sbin/hotplug-online
			grep -q "IMPORT{program}=\"/usr/sbin/hotplug-online udev\"" /usr/lib/udev/rules.d/39-hotplug-online.rules
			mkdir -p /etc/udev/rules.d
			echo "SUBSYSTEM==\"memory\", ACTION==\"add\", ENV{HOTPLUG_ONLINE_TEST_USERSPACE_POLICY}=\"1\"" \
				> /etc/udev/rules.d/38-hpo-test-userspace-policy.rules
			udevadm control --reload
			printf "memory = auto-movable\nkernel_auto_online = no\n" >> /etc/hotplug-online.conf
			hotplug-online setup'
		;;
	user510)
		assert_line -n 1 none
		# setup at boot had the kernel online (memory = online); now it
		# finds no online_policy and leaves auto-movable to the udev rule.
		run -0 vm_sh 'echo "memory = auto-movable" >> /etc/hotplug-online.conf
			hotplug-online setup && cat /sys/devices/system/memory/auto_online_blocks'
		assert_line offline
		;;
	esac
	vm_sh 'hpo-vm zone-pages' > "$out.pages"
	: > "$out.dimms"
	: > "$out.ids"
	for item in "${AM_SEQ[@]}"; do
		size=${item%%:*} node=
		[[ $item == *:* ]] && node=${item#*:}
		line=$(vm_add_memory "$size" ${node:+--node "$node"}) || fail "hot-adding $item failed"
		read -r id addr bytes <<< "$line"
		run -0 vm_sh "hpo-vm wait $BOUND 'hpo-vm all online $addr $bytes'"
		echo "# $mode: $id ($size${node:+ on node $node}) online after $output ms" >&3
		vm_sh "hpo-vm dimm-blocks $addr $bytes" | sed "s/\$/ $id $size/" >> "$out.dimms"
		echo "$id $addr $bytes" >> "$out.ids"
	done
	vm_sh 'hpo-vm new-zones' > "$out.zones"
	# The lines come from the burst's logger, which udevadm settle waits for.
	vm_sh 'udevadm settle --timeout=60; hpo-vm log' > "$out.log"
	am_check_log "$mode"
	assert_no_failure_logged
}

# Every block of the sequence: exactly one "online" line, naming the zone
# the block is in, and for the userspace modes the userspace rule's numbers.
am_check_log() {
	local mode=$1 out=$AM_RUNS/$1 name state zone node fw lines
	[[ -s $out.zones ]] || fail "$mode: no hot-added blocks"
	while read -r name state zone node fw; do
		[[ $state == online ]] || fail "$mode: $name is $state"
		lines=$(grep -E "${LOG_HELPER}${name}: online \(" "$out.log") ||
			fail "$mode: no 'online' line for $name" "$(cat "$out.log")"
		[[ $(wc -l <<< "$lines") == 1 ]] || fail "$mode: $name logged more than once" "$lines"
		[[ $lines == *"(128 MiB, node $node, zone $zone; "* ]] ||
			fail "$mode: $name is in $zone on node $node, the log says otherwise" "$lines"
		if [[ $mode == kernel ]]; then
			[[ $lines == *"; by hotplug-online as online)" ]] ||
				fail "$mode: $name was not onlined with a plain 'online'" "$lines"
		else
			[[ $lines == *"; by hotplug-online as online_movable, auto-movable: "* ||
				$lines == *"; by hotplug-online as online_kernel, auto-movable: "* ]] ||
				fail "$mode: $name was not decided in userspace" "$lines"
		fi
	done < "$out.zones"
	if grep -q "zone chosen by the kernel's auto-movable policy" "$out.log"; then
		fail "$mode: the kernel decided" "$(cat "$out.log")"
	fi
	# Within or exceeds: the numbers behind the first decision of each DIMM.
	if [[ $mode != kernel ]]; then
		grep -oE 'memory[0-9]+: online \(.*; by hotplug-online as [a-z_]+, auto-movable: [0-9]+\+[0-9]+ MiB movable.*\)$' \
			"$out.log" | sed 's/^/# /' >&3 || true
	fi
}

# am_compare A B: the zones of A and B block for block; the table goes to
# the test output; fails if a block differs in zone or node.
am_compare() {
	local a=$AM_RUNS/$1 b=$AM_RUNS/$2 name dimm size state zone node fw bzone bnode mark diff=0
	local -A dimm_of zone_b node_b
	[[ -s $a.zones && -s $b.zones ]] || fail "no record of run '$1' or '$2'"
	while read -r name dimm size; do dimm_of[$name]="$dimm($size)"; done < "$a.dimms"
	while read -r name state zone node fw; do
		zone_b[$name]=$zone node_b[$name]=$node
	done < "$b.zones"
	{
		echo "boot pages present (node kernel movable): $1: $(paste -sd, "$a.pages"); $2: $(paste -sd, "$b.pages")"
		printf '%-10s %-12s %-8s %-5s %-13s %-13s %s\n' block dimm size node "$1" "$2" ""
		while read -r name state zone node fw; do
			bzone=${zone_b[$name]-absent} bnode=${node_b[$name]-?}
			mark=
			if [[ $bzone != "$zone" || $bnode != "$node" ]]; then
				mark="<-- differs" diff=1
			fi
			[[ $bnode == "$node" ]] || node="$node/$bnode"
			printf '%-10s %-12s %-8s %-5s %-13s %-13s %s\n' "$name" "${dimm_of[$name]-?}" \
				128MiB "$node" "$zone" "$bzone" "$mark"
		done < "$a.zones"
	} | tee "$AM_RUNS/$1-vs-$2.table" | sed 's/^/# /' >&3
	[[ $(wc -l < "$a.zones") == $(wc -l < "$b.zones") ]] || diff=1
	((diff == 0)) || fail "zones differ: $1 vs $2" "$(cat "$AM_RUNS/$1-vs-$2.table")"
}

# Every DIMM is one unit: all its blocks (same firmware_node) in one zone.
am_check_units() {
	local out=$AM_RUNS/$1 name state zone node fw
	local -A zone_of
	while read -r name state zone node fw; do
		[[ $fw != - ]] || fail "$1: $name has no firmware_node"
		[[ -z ${zone_of[$fw]-} || ${zone_of[$fw]} == "$zone" ]] ||
			fail "$1: $fw has blocks in ${zone_of[$fw]} and in $zone"
		zone_of[$fw]=$zone
	done < "$out.zones"
}
