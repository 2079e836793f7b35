#!/bin/bash
# kernel.sh: print the path of Debian's current amd64 kernel, fetching it
# first if the cache does not have it yet.  The kernel is the one that
# linux-image-amd64 depends on (apt-get download, no install); only
# /boot/vmlinuz-* and /boot/config-* are kept, in
# ${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/kernel/ ($HPO_VM_CACHE/kernel
# if set, /var/cache/hotplug-online-vm/kernel without a home),
# plus boot/vmlinux: the same kernel decompressed.  qemu boots that ELF
# through its PVH entry point, which saves the ~6 s that decompressing
# vmlinuz takes under TCG.
# Without apt lists or a network, the newest kernel already cached is used.
set -euo pipefail

if [ -n "${HPO_VM_CACHE-}" ]; then
	cache=$HPO_VM_CACHE/kernel
elif [ -n "${XDG_CACHE_HOME-}${HOME-}" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/kernel
else
	cache=/var/cache/hotplug-online-vm/kernel
fi

newest_cached() {
	local k
	k=$(find "$cache" -path '*/boot/vmlinux' -type f 2> /dev/null | sort -V | tail -n 1)
	[ -n "$k" ] && echo "$k"
}

pkg=$(apt-cache depends linux-image-amd64 2> /dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1) || true
if [ -z "$pkg" ]; then
	if newest_cached; then exit 0; fi
	echo "kernel.sh: apt-cache does not know linux-image-amd64: run 'apt-get update' first" >&2
	exit 1
fi
ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
dir=$cache/${pkg}_$ver
if [ ! -f "$dir/ok" ]; then
	echo "kernel.sh: fetching $pkg $ver into $cache" >&2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hpo-kernel.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# apt drops privileges to _apt for the download when it can write there.
	chmod 0755 "$tmp"
	chown _apt "$tmp" 2> /dev/null || true
	if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" > /dev/null); then
		if newest_cached; then exit 0; fi
		echo "kernel.sh: 'apt-get download $pkg' failed" >&2
		exit 1
	fi
	mkdir -p "$dir.new"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$dir.new" --wildcards './boot/vmlinuz-*' './boot/config-*'
	# The bzImage carries the kernel as one xz stream (CONFIG_KERNEL_XZ).
	z=$(find "$dir.new/boot" -name 'vmlinuz-*')
	off=$(grep -abo $'\xfd7zXZ\x00' "$z" | head -n 1 | cut -d: -f1)
	tail -c +"$((off + 1))" "$z" | xz -dc > "$dir.new/boot/vmlinux" 2> /dev/null || true
	if ! readelf -n "$dir.new/boot/vmlinux" 2> /dev/null | grep -q '^ *Xen'; then
		echo "kernel.sh: could not extract a PVH-bootable vmlinux from '$z'" >&2
		exit 1
	fi
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	touch "$dir/ok"
fi
echo "$dir/boot/vmlinux"
