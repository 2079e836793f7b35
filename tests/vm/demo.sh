#!/bin/bash
# demo.sh: what hotplug-online does, in one command (make demo).  Boots two
# guests of the same image side by side, one with the package installed and
# one without, hot-adds a 1 GiB DIMM and a CPU to each over QMP, shows memory
# and CPUs before and after, and prints the helper's syslog lines.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

vm_deps check
echo "Preparing: Debian kernel (cached), initramfs with $(basename "$(vm_deb)") ..."
vm_prepare ""

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hpo-demo.XXXXXX")
cleanup() {
	"$HPO_VM_CTL" -d "$tmp/with" stop 2> /dev/null || true
	"$HPO_VM_CTL" -d "$tmp/without" stop 2> /dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

with() { "$HPO_VM_CTL" -d "$tmp/with" "$@"; }
without() { "$HPO_VM_CTL" -d "$tmp/without" "$@"; }
boot() {
	"$HPO_VM_CTL" -d "$tmp/$1" boot --kernel "$HPO_VM_KERNEL" --initrd "$HPO_VM_INITRD" \
		--accel "$HPO_VM_ACCEL" "${@:2}" 2> "$tmp/$1.boot" || { cat "$tmp/$1.boot" >&2; return 1; }
}

echo "Booting two guests ($HPO_VM_ACCEL, 512 MiB, 1 of 4 CPUs): with and without the package ..."
start=$SECONDS
boot with --append hpo.pkg=installed &
pid_with=$!
boot without &
pid_without=$!
if ! wait "$pid_with" || ! wait "$pid_without"; then
	echo "demo: a guest did not boot" >&2
	exit 1
fi
echo "Both up after $((SECONDS - start)) s; kernel $(with sh 'uname -r')."

# One line per fact, for one guest: MemTotal, memory blocks, CPUs.
facts() {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	"$HPO_VM_CTL" -d "$tmp/$1" sh '
		echo "$(( $(hpo-vm memtotal) / 1024 )) MiB"
		b=$(hpo-vm new-blocks)
		if [ -z "$b" ]; then echo "none"; else
			echo "$(echo "$b" | grep -c " online ") of $(echo "$b" | wc -l) online"
		fi
		c=$(hpo-vm cpus)
		echo "$(echo "$c" | grep -c " 1$") of $(echo "$c" | wc -l) online"'
}

table() {
	local -a w o
	mapfile -t w < <(facts with)
	mapfile -t o < <(facts without)
	printf '  %-24s %-22s %s\n' "" "WITH hotplug-online" "WITHOUT" \
		"MemTotal" "${w[0]}" "${o[0]}" \
		"hot-added memory blocks" "${w[1]}" "${o[1]}" \
		"CPUs" "${w[2]}" "${o[2]}"
}

echo
echo "Before:"
table

echo
echo "Hot-adding a 1 GiB DIMM and one CPU to each guest (QMP object-add + device_add) ..."
read -r _ addr size < <(with add-memory 1G)
with add-cpu > /dev/null
without add-memory 1G > /dev/null
without add-cpu > /dev/null
ms=$(with sh "hpo-vm wait 30 'hpo-vm all online $addr $size && hpo-vm new-cpus-are 1 1'") ||
	echo "  (the guest with the package did not online everything within 30 s)"
without sh 'udevadm settle --timeout=30' || true
[[ -n $ms ]] && echo "With the package, all 8 blocks and the CPU were online $ms ms after the hot-add."
# The log service writes its lines a moment after the transitions.
with sh "hpo-vm wait 10 'hpo-vm logged online 0 \$(hpo-vm dimm-blocks $addr $size) \$(hpo-vm new-cpus | cut -d\" \" -f1)'" > /dev/null || true

echo
echo "After:"
table

echo
echo "Memory blocks of the new DIMM (name, state, zone):"
mapfile -t wb < <(with sh "hpo-vm blocks $addr $size")
mapfile -t ob < <(without sh "hpo-vm new-blocks")
printf '  %-32s %s\n' "WITH hotplug-online" "WITHOUT"
for i in "${!wb[@]}"; do
	printf '  %-32s %s\n' "${wb[i]}" "${ob[i]-}"
done

echo
echo "Syslog of the guest WITH the package (/var/log/messages, identifier hotplug-online: its log service's lines):"
with sh 'hpo-vm log' | sed 's/^/  /'
echo
echo "Syslog of the guest WITHOUT it:"
without sh 'hpo-vm log' | sed 's/^/  /' | grep . || echo "  (nothing: no hotplug-online, the blocks and the CPU stay offline)"
echo
echo "Done in $((SECONDS - start)) s.  The harness behind this: tests/vm/lib.sh; the scenarios: make check-vm."
