# Common setup for the packaging tests (tests/2*.bats). `make check-packaging`
# builds the packages and points these variables at them.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
VERSION=$(cat "$TOP/VERSION")
DEB_ARCH=$(dpkg --print-architecture)
RPM_ARCH=$(rpm --eval %_arch)
DEB=${HOTPLUG_ONLINE_DIST:-}/hotplug-online_${VERSION}-1_${DEB_ARCH}.deb
RPM=${HOTPLUG_ONLINE_DIST:-}/hotplug-online-${VERSION}-1.${RPM_ARCH}.rpm
DEB2=${HOTPLUG_ONLINE_UPGRADE_DIST:-}/hotplug-online_${VERSION}-2_${DEB_ARCH}.deb
RPM2=${HOTPLUG_ONLINE_UPGRADE_DIST:-}/hotplug-online-${VERSION}-2.${RPM_ARCH}.rpm
FIXTURES=/work/shared/fixtures/sysfs-snapshots.tar.gz

# From setup_file: these tests need built packages, and most need root for
# chroots. bats 1.8 cannot skip from setup_file, so note why here, return
# non-zero so setup_file stops there, and let each test's setup skip.
need_packages() {
	if [ -z "${HOTPLUG_ONLINE_DIST:-}" ]; then
		export PKG_SKIP="packages not built: run 'make check-packaging'"
		return 1
	fi
	[ -f "$DEB" ] && [ -f "$RPM" ] && [ -f "$DEB2" ] && [ -f "$RPM2" ] || {
		echo "missing packages in $HOTPLUG_ONLINE_DIST or $HOTPLUG_ONLINE_UPGRADE_DIST" >&2
		exit 1
	}
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		export PKG_SKIP="needs root (chroot for maintainer scripts)"
		return 1
	fi
}

# From setup: skip for the reason need_* gave.
skip_if_unmet() {
	if [ -n "${PKG_SKIP:-}" ]; then
		skip "$PKG_SKIP"
	fi
}

# A root with nothing but a static busybox for sh, stat and the like: enough
# for maintainer scripts, no udevadm, no udevd, no /proc.
make_root() {
	local root=$1
	mkdir -p "$root"/bin "$root"/etc "$root"/tmp "$root"/usr/bin "$root"/usr/sbin \
		"$root"/var/log
	cp /bin/busybox "$root"/bin/busybox
	local applet
	for applet in sh stat rm cat mkdir rmdir ls; do
		ln -s busybox "$root/bin/$applet"
	done
	# as on a real system, /etc and /usr/sbin hold other packages' files
	echo scratch > "$root/etc/hostname"
	ln -s ../../bin/busybox "$root/usr/sbin/chroot"
}

# Every path under a root with its type and mode, for before/after listings;
# not /tmp and /var/tmp (rpm -vv keeps its scriptlets there), nor the package
# managers' databases and logs (checked apart).
list_root() {
	(cd "$1" && find . \( -path ./tmp -o -path ./var/tmp -o -path ./var/lib/dpkg -o -path ./var/lib/rpm \
		-o -path ./var/log \) -prune -o -printf '%p %M\n' | LC_ALL=C sort)
}

# A copy of the real sysfs snapshot from a hot-add with nothing onlining it.
sysfs_fixture() {
	local dir=$1
	mkdir -p "$dir"
	tar -xzf "$FIXTURES" -C "$dir"
	echo "$dir/qemu-debian12-6.1-hotadd"
}
