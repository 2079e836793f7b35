#!/bin/bash
# bullseye-udev.sh: print the path of a root holding Debian 11's udev (systemd
# 247: udevadm, systemd-udevd), the libraries they load and
# init-system-helpers (deb-systemd-helper, with perl-base), fetching it first
# if the cache does not have it. The packages are only downloaded and
# extracted (apt-get download, dpkg-deb -x: ~10 MB, seconds), not installed.
# Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/bullseye-udev/VERSION/.
# apt gets its own sources list (the host's Debian mirror, "bullseye main"),
# lists and status, so the host's apt configuration is neither used nor
# touched; the lists are refreshed once a day. Exit 1, saying why, when
# neither the archive nor the cache has it.
set -euo pipefail
cache=${XDG_CACHE_HOME:-${HOME:-/var/cache}/.cache}/hotplug-online/bullseye-udev
a=$cache/apt
mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/sources.list.d"
: >> "$a/status"
mirror=$(sed -n -e 's,^URIs: *\([a-z]*://[^ ]*/debian\)/*$,\1,p' \
	-e 's,^deb  *\(\[[^]]*\] *\)\{0,1\}\([a-z]*://[^ ]*/debian\)/* .*,\2,p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1) || true
echo "deb ${mirror:-http://deb.debian.org/debian} bullseye main" > "$a/sources.list"
apt=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=$a/sources.list.d"
	-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o "Dir::State::status=$a/status"
	-o APT::Sandbox::User=root)
if [ -z "$(find "$a/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2> /dev/null)" ]; then
	apt-get "${apt[@]}" update -qq > /dev/null 2>&1 || echo "bullseye-udev.sh: apt-get update failed" >&2
fi
ver=$(apt-cache "${apt[@]}" policy udev 2> /dev/null | sed -n 's/^ *Candidate: //p') || true
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	root=$(find "$cache" -mindepth 2 -maxdepth 2 -name root -type d 2> /dev/null | sort -V | tail -n 1)
	if [ -n "$root" ] && [ -f "$root/../ok" ]; then echo "$root"; exit 0; fi
	echo "bullseye-udev.sh: bullseye's udev is neither in the archive's lists nor cached" >&2
	exit 1
fi
dir=$cache/$ver
if [ ! -f "$dir/ok" ]; then
	rm -rf "$dir" && mkdir -p "$dir/debs"
	(cd "$dir/debs" && apt-get "${apt[@]}" download -q udev libudev1 libacl1 libblkid1 \
		libc6 libcap2 libkmod2 libselinux1 libpcre2-8-0 liblzma5 libzstd1 libssl1.1 \
		libcrypt1 libgcc-s1 perl-base init-system-helpers > /dev/null) ||
		{ echo "bullseye-udev.sh: download failed" >&2; exit 1; }
	for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/root"; done
	rm -rf "$dir/debs"
	chroot "$dir/root" /bin/udevadm --version > /dev/null
	touch "$dir/ok"
fi
echo "$dir/root"
