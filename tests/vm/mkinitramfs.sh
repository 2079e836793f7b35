#!/bin/bash
# mkinitramfs.sh OUT.cpio [DEB]: build the test guest's initramfs.
# A merged-/usr tree as on Debian 12 with busybox (init, sh, syslogd), the
# host's systemd-udevd and udevadm from Debian's udev package with their
# rules and the libraries ldd finds, the guest scripts from guest/, and DEB
# (the project's package) unpacked with dpkg-deb under
# /usr/local/share/hotplug-online-vm/deb, where hpo-vm-pkg installs it.
# The same image serves runs with and without the package.
#
# mkinitramfs.sh --udev DIR [--udev-rules RULESDIR] OUT.cpio [DEB]: the same
# image with another udev: DIR's systemd-udevd and udevadm (e.g. RHEL's, from
# ../shared/el-udev/build) in place of the host's, at the same paths, with
# the libraries ldd finds for them; RULESDIR's *.rules in place of the host
# package's rules in /usr/lib/udev/rules.d (rules that udevd can parse: 219
# does not know the keys of Debian 12's 252 rules).  The package's own rule
# comes with DEB as always.
set -euo pipefail

usage='usage: mkinitramfs.sh [--udev DIR [--udev-rules RULESDIR]] OUT.cpio [DEB]'
udev_dir='' udev_rules=''
while [ $# -gt 0 ]; do
	case $1 in
	--udev) udev_dir=${2:?$usage} && shift 2 ;;
	--udev-rules) udev_rules=${2:?$usage} && shift 2 ;;
	-*) echo "$usage" >&2 && exit 2 ;;
	*) break ;;
	esac
done
for f in ${udev_dir:+"$udev_dir/systemd-udevd" "$udev_dir/udevadm"} ${udev_rules:+"$udev_rules"}; do
	[ -e "$f" ] || { echo "mkinitramfs.sh: no $f" >&2 && exit 2; }
done
out=${1:?$usage}
deb=${2-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d "${TMPDIR:-/tmp}/hpo-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

# Where a path of the host lives in a merged-/usr tree.
canon() {
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# Copy a file (dereferenced) under its own name, and for an ELF file every
# library that ldd resolves for it.
copy() {
	local src=$1 lib
	install -D -m "$(stat -L -c %a "$src")" "$src" "$root$(canon "$src")"
	if head -c 4 "$src" | grep -q ELF && ldd "$src" > /dev/null 2>&1; then
		for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
			[ -e "$root$(canon "$lib")" ] || install -D -m 0755 "$lib" "$root$(canon "$lib")"
		done
	fi
}

# Copy a file (dereferenced) to DEST, with the libraries ldd resolves for it.
copy_as() {
	local src=$1 dest=$2 lib
	install -D -m 0755 "$src" "$root$(canon "$dest")"
	for lib in $(ldd "$src" | grep -o '/[^ ]*'); do
		[ -e "$root$(canon "$lib")" ] || install -D -m 0755 "$lib" "$root$(canon "$lib")"
	done
}

for d in bin sbin lib lib64; do
	mkdir -p "$root/usr/$d"
	ln -s "usr/$d" "$root/$d"
done
mkdir -p "$root"/{dev,proc,sys,run,tmp,root,etc,var/log,usr/local/sbin,usr/local/bin}
chmod 1777 "$root/tmp"

copy /bin/busybox
for applet in $(/bin/busybox --list-full); do
	dest=$root$(canon "/$applet")
	[ -e "$dest" ] || { mkdir -p "$(dirname "$dest")" && ln -s /usr/bin/busybox "$dest"; }
done
ln -s usr/bin/busybox "$root/init"

for f in $(dpkg -L udev); do
	case $f in
	/lib/systemd/systemd-udevd | /bin/udevadm | /etc/udev/udev.conf | /lib/udev/*) [ -f "$f" ] && copy "$f" ;;
	esac
done
# Another udev (--udev, --udev-rules): where Debian's udev package has them.
if [ -n "$udev_dir" ]; then
	copy_as "$udev_dir/systemd-udevd" /lib/systemd/systemd-udevd
	copy_as "$udev_dir/udevadm" /bin/udevadm
fi
if [ -n "$udev_rules" ]; then
	rm -f "$root"/usr/lib/udev/rules.d/*.rules
	install -D -m 0644 -t "$root/usr/lib/udev/rules.d" "$udev_rules"/*.rules
fi
# udevd resolves the users and groups named in rules when it loads them.
cp /usr/share/base-passwd/passwd.master "$root/etc/passwd"
cp /usr/share/base-passwd/group.master "$root/etc/group"
# --udev-rules: the groups those rules name that base-passwd lacks (RHEL's
# "input"), as the distribution's packages create them: system groups.
if [ -n "$udev_rules" ]; then
	gid=999
	sed -n 's/.*GROUP="\([a-z_][a-z0-9_-]*\)".*/\1/p' "$udev_rules"/*.rules | sort -u |
		while read -r g; do
			grep -q "^$g:" "$root/etc/group" && continue
			echo "$g:x:$gid:" >> "$root/etc/group"
			gid=$((gid - 1))
		done
fi

install -m 0644 "$here/guest/inittab" "$root/etc/inittab"
install -m 0755 "$here/guest/init" "$root/usr/local/sbin/hpo-vm-init"
install -m 0755 "$here/guest/agent" "$root/usr/local/sbin/hpo-vm-agent"
install -m 0755 "$here/guest/pkg" "$root/usr/local/sbin/hpo-vm-pkg"
install -m 0755 "$here/guest/unit" "$root/usr/local/sbin/hpo-vm-unit"
install -m 0755 "$here/guest/hpo-vm" "$root/usr/local/bin/hpo-vm"
# Test rules that behave like the distributions' hotplug rules (hpo.rules=).
mkdir -p "$root/usr/local/share/hotplug-online-vm"
cp -r "$here/guest/distro-rules" "$root/usr/local/share/hotplug-online-vm/"

if [ -n "$deb" ]; then
	pkgdir=$root/usr/local/share/hotplug-online-vm/deb
	mkdir -p "$pkgdir/root" "$pkgdir/control"
	dpkg-deb -x "$deb" "$pkgdir/root"
	dpkg-deb -e "$deb" "$pkgdir/control"
	# Move /bin, /lib, ... of the package under /usr so that unpacking it
	# keeps the guest's merged-/usr symlinks, as dpkg does on Debian 12.
	for d in bin sbin lib lib64; do
		if [ -d "$pkgdir/root/$d" ] && [ ! -L "$pkgdir/root/$d" ]; then
			mkdir -p "$pkgdir/root/usr/$d"
			cp -a "$pkgdir/root/$d/." "$pkgdir/root/usr/$d/"
			rm -rf "${pkgdir:?}/root/$d"
		fi
	done
fi

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --quiet --null -o -H newc --owner 0:0 > "$out.tmp")
mv "$out.tmp" "$out"
