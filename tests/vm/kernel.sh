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
#
# kernel.sh SUITE (e.g. bullseye): the kernel of that Debian release instead,
# cached under .../kernel/SUITE/.  apt gets its own sources list (the host's
# Debian mirror, "SUITE main"), lists and cache directories there, so the
# host's apt configuration is neither used nor touched; the lists are
# refreshed once a day.
set -euo pipefail
suite=${1-}
case $suite in
*[!a-z]*) echo "kernel.sh: bad suite name '$suite'" >&2; exit 2 ;;
esac

if [ -n "${HPO_VM_CACHE-}" ]; then
	cache=$HPO_VM_CACHE/kernel
elif [ -n "${XDG_CACHE_HOME-}${HOME-}" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/kernel
else
	cache=/var/cache/hotplug-online-vm/kernel
fi

apt=()
if [ -n "$suite" ]; then
	cache=$cache/$suite
	a=$cache/apt
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/sources.list.d"
	# The host's Debian mirror: the first URI or deb line ending in /debian.
	mirror=$(sed -n -e 's,^URIs: *\([a-z]*://[^ ]*/debian\)/*$,\1,p' \
		-e 's,^deb  *\(\[[^]]*\] *\)\{0,1\}\([a-z]*://[^ ]*/debian\)/* .*,\2,p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1) || true
	echo "deb ${mirror:-http://deb.debian.org/debian} $suite main" > "$a/sources.list"
	apt=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=$a/sources.list.d"
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache")
	if [ -z "$(find "$a/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2> /dev/null)" ]; then
		echo "kernel.sh: apt-get update for $suite ($(cut -d' ' -f2 "$a/sources.list"))" >&2
		apt-get "${apt[@]}" update -qq > /dev/null 2>&1 ||
			echo "kernel.sh: apt-get update for $suite failed" >&2
	fi
fi

newest_cached() {
	local k
	k=$(find "$cache" -mindepth 3 -maxdepth 3 -path '*/boot/vmlinux' -type f 2> /dev/null |
		sort -V | tail -n 1)
	[ -n "$k" ] && echo "$k"
}

pkg=$(apt-cache "${apt[@]}" depends linux-image-amd64 2> /dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1) || true
if [ -z "$pkg" ]; then
	if newest_cached; then exit 0; fi
	if [ -n "$suite" ]; then
		echo "kernel.sh: no $suite lists (apt-get update from $(cut -d' ' -f2 "$a/sources.list") failed?) and no $suite kernel cached" >&2
	else
		echo "kernel.sh: apt-cache does not know linux-image-amd64: run 'apt-get update' first" >&2
	fi
	exit 1
fi
ver=$(apt-cache "${apt[@]}" policy "$pkg" | sed -n 's/^ *Candidate: //p')
dir=$cache/${pkg}_$ver
if [ ! -f "$dir/ok" ]; then
	echo "kernel.sh: fetching $pkg $ver into $cache" >&2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hpo-kernel.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# apt drops privileges to _apt for the download when it can write there.
	chmod 0755 "$tmp"
	chown _apt "$tmp" 2> /dev/null || true
	if ! (cd "$tmp" && apt-get "${apt[@]}" download -q "$pkg=$ver" > /dev/null); then
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
