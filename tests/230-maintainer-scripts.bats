#!/usr/bin/env bats
# Both packages' maintainer scripts against this host's real udevadm and
# systemd-udevd (systemd 252), in private namespaces (udev_world in
# packaging_helper.bash): the packaged helper, units and preset, a fake
# sysfs. The cases are in maintainer_scripts.bash; 235 runs them against
# Debian 11's udev 247, 240 checks what the scripts use against systemd 219.

load packaging_helper
load maintainer_scripts

setup_file() {
	need_world || return 0
	if [ ! -x /lib/systemd/systemd-udevd ] || ! command -v udevadm >/dev/null; then
		export PKG_SKIP="no systemd-udevd here (Debian package udev)"
		return 0
	fi
	local d=$BATS_FILE_TMPDIR
	export S=$d/scripts WORLD_PATH=$d/deb/usr/sbin WORLD_UNITS=$d/units WORLD_PRESETS=$d/presets
	extract_scripts "$S"
	dpkg-deb -x "$DEB" "$d/deb"
	mkdir -p "$d/rpm" && (cd "$d/rpm" && rpm2cpio "$RPM" | cpio -id --quiet)
	# the host's units and presets, and the package's
	cp -a /usr/lib/systemd/system "$WORLD_UNITS"
	cp -a /usr/lib/systemd/system-preset "$WORLD_PRESETS"
	cp "$d/rpm/usr/lib/systemd/system/"* "$WORLD_UNITS/"
	cp "$d/rpm/usr/lib/systemd/system-preset/"* "$WORLD_PRESETS/"
}

setup() {
	skip_if_unmet
}

@test "udevadm and udevd here are systemd 252's" {
	run -0 udevadm --version
	assert_output 252
}

@test "deb first install (postinst configure): setup, rules reloaded, add replayed for memory only" {
	case_deb_first_install
	# and deb-systemd-helper enabled the units
	assert_line --partial "Created symlink /etc/systemd/system/sysinit.target.wants/hotplug-online-setup.service "
	assert_line --partial "Created symlink /etc/systemd/system/paths.target.wants/hotplug-online-setup.path "
	assert_line --partial "Created symlink /etc/systemd/system/sysinit.target.wants/hotplug-online-log.service "
}

@test "deb upgrade (postinst configure OLDVERSION): setup, rules reloaded, nothing replayed" {
	case_deb_upgrade
}

@test "deb remove: prerm restores the kernel setting, postrm reloads the rules" {
	case_deb_remove
}

@test "deb upgrade and purge: prerm and postrm leave udev and the kernel alone" {
	case_deb_upgrade_and_purge_leave_udev_alone
}

@test "rpm install (%post 1, %posttrans): setup, rules reloaded, add replayed for memory only" {
	case_rpm_install
}

@test "rpm upgrade (%post 2, old %preun 1 and %postun 1, %posttrans): setup, nothing replayed" {
	case_rpm_upgrade
}

@test "rpm erase (%preun 0, %postun 0): restored, rules reloaded" {
	case_rpm_erase
}

@test "no udevd (container, image build): every script a silent no-op, exit 0" {
	case_no_udevd
}

@test "udevd answers nothing: 5 s, then nothing more, exit 0" {
	case_udevd_hung
}

@test "a chroot with the real udevadm and the live udevd's socket: nothing done" {
	new_world
	# the running system's /run, 0.1's state in it: not the chroot's to remove
	seed_world_0_1_state
	local r=$BATS_TEST_TMPDIR/chroot lib
	make_root "$r"
	mkdir -p "$r/run" "$r/sys" "$r/proc" "$r/dev" "$r/scripts"
	cp /bin/udevadm "$r/usr/bin/udevadm"
	for lib in $(ldd /bin/udevadm | grep -o '/[^ ]*'); do
		mkdir -p "$r$(dirname "$lib")" && cp "$lib" "$r$lib"
	done
	cp "$WORLD_PATH/hotplug-online" "$r/usr/sbin/"
	cp -a "$S/." "$r/scripts/"
	# the chroot sees the world's /run (udevd's socket), /sys, /proc and /dev:
	# only the root test can tell it is not the running system
	run udev_world "mount --bind /run $r/run && mount --bind /sys $r/sys &&
		mount -t proc proc $r/proc && mount --bind /dev $r/dev &&
		chroot $r sh -c 'S=/scripts; udevadm --version &&
			$(S=/scripts deb postinst configure '') && $(S=/scripts rpm_ post 1) &&
			$(S=/scripts rpm_ posttrans)'"
	assert_success
	assert_equal "$(world_uevents)" "$REPLAYED_NOTHING"
	assert_equal "$(reloads)" 0
	kernel_as_found
	run -0 ls -A "$WORLD/run/hotplug-online"
	assert_output "$(printf '%s\n' arch-memory boot-zoneinfo burst devices logger logger.lock offlined onlined waiting)"
}
