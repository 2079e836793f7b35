#!/bin/bash
# golden.sh DEB: print the path of a "golden image": the systemd guest's root
# (mkimage.sh) with DEB installed by dpkg in a chroot, as an image build
# would do it before the first boot, as a raw ext4 image.  Made once per
# root and package (key: the root's key and DEB's control files), kept in
# $HPO_VM_BUILD/systemd/ (default build/vm/systemd/).  dpkg's output, with the
# maintainer scripts', is in IMAGE.log.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
deb=${1:?usage: golden.sh DEB}
[ -f "$deb" ] || { echo "golden.sh: no package '$deb'" >&2; exit 1; }
root=$("$here/mkimage.sh")
: "${HPO_VM_BUILD:=$here/../../../build/vm}"
out=$HPO_VM_BUILD/systemd
mkdir -p "$out"
# The package's key: its control files (md5sums covers every file's content;
# the maintainer scripts), not its bytes, which change with each build's
# timestamps.
pkey=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO | sha256sum | cut -c1-16)
img=$out/golden-$(cat "$root/ok")-$(basename "$root")-$pkey.img
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
exec 9> "$out/.golden.lock"
flock 9
if [ -f "$img" ]; then
	echo "$img"
	exit 0
fi
tmp=$(mktemp -d "$out/golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -a "$root/tree" "$tmp/tree"
cp "$deb" "$tmp/tree/tmp/hotplug-online.deb"
# No /proc, /sys or /run of the host in the chroot: what an image builder's
# chroot has (the maintainer scripts must cope without a running system).
if ! chroot "$tmp/tree" dpkg -i /tmp/hotplug-online.deb > "$img.log" 2>&1; then
	cat "$img.log" >&2
	echo "golden.sh: dpkg -i $(basename "$deb") in the chroot failed" >&2
	exit 1
fi
rm -f "$tmp/tree/tmp/hotplug-online.deb"
"$here/mkext4.sh" "$tmp/tree" "$tmp/root.img"
mv "$tmp/root.img" "$img"
# Older golden images of this package name: keep the last few only.
find "$out" -maxdepth 1 -name 'golden-*.img' -mmin +1440 -delete 2> /dev/null || true
echo "$img"
