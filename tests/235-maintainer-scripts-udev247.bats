#!/usr/bin/env bats
# The cases of tests/230 against Debian 11's udev (systemd 247): its real
# udevadm and systemd-udevd, in a root of bullseye's packages
# (tests/bullseye-udev.sh: downloaded and cached, a few seconds) that is PID 1's
# root in private namespaces, so no chroot. deb-systemd-helper is bullseye's
# too; systemctl is absent, as on a system without systemd.

load packaging_helper
load maintainer_scripts

setup_file() {
	need_world || return 0
	local cached r=$BATS_FILE_TMPDIR/root a
	if ! cached=$("$TOP/tests/bullseye-udev.sh" 2> "$BATS_FILE_TMPDIR/fetch.err"); then
		PKG_SKIP="no bullseye udev: $(tr '\n' ' ' < "$BATS_FILE_TMPDIR/fetch.err")"
		export PKG_SKIP
		return 0
	fi
	cp -a "$cached" "$r"
	mkdir -p "$r"/run "$r"/sys "$r"/proc "$r"/dev "$r"/tmp "$r"/etc/systemd/system \
		"$r"/var/lib/systemd "$r"/usr/sbin "$r"/scripts
	cp /bin/busybox "$r/bin/busybox"
	for a in sh stat sleep kill cat ls mkdir rm; do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	dpkg-deb -x "$DEB" "$BATS_FILE_TMPDIR/deb"
	cp "$BATS_FILE_TMPDIR/deb/usr/sbin/hotplug-online" "$r/usr/sbin/"
	cp "$BATS_FILE_TMPDIR"/deb/lib/systemd/system/hotplug-online-* "$r/lib/systemd/system/"
	extract_scripts "$r/scripts"
	export UDEV_ROOT=$r S=/scripts WORLD_PATH=/usr/sbin
}

setup() {
	skip_if_unmet
}

@test "udevadm and udevd there are systemd 247's" {
	run -0 chroot "$UDEV_ROOT" /bin/udevadm --version
	assert_output 247
	run -0 chroot "$UDEV_ROOT" /lib/systemd/systemd-udevd --version
	assert_output --regexp '^247\.'
}

@test "247: deb first install: setup, rules reloaded, add replayed for memory only" {
	case_deb_first_install
}

@test "247: deb upgrade: setup, rules reloaded, nothing replayed" {
	case_deb_upgrade
}

@test "247: deb remove: restored, rules reloaded" {
	case_deb_remove
}

@test "247: deb upgrade and purge leave udev and the kernel alone" {
	case_deb_upgrade_and_purge_leave_udev_alone
}

@test "247: rpm install: setup, rules reloaded, add replayed for memory only" {
	case_rpm_install
}

@test "247: rpm upgrade: setup, nothing replayed" {
	case_rpm_upgrade
}

@test "247: rpm erase: restored, rules reloaded" {
	case_rpm_erase
}

@test "247: no udevd: every script a silent no-op, exit 0" {
	case_no_udevd
}

@test "247: udevd answers nothing: 5 s, then nothing more, exit 0" {
	case_udevd_hung
}

# The rule reads auto_online_blocks as ATTR{../auto_online_blocks}, an
# attribute of the block's parent directory: 247's udevadm test of the
# packaged rule, on this machine's sysfs, with the block taken for offline
# (its "online already" test never matches) and the helper's IMPORT
# replaced by an echo.  Matched against this kernel's own value the
# helper is imported; against another value (the kernel onlines it) not.
@test "247: the rule reads auto_online_blocks through the block's ../ (udevadm test)" {
	local aob=/sys/devices/system/memory/auto_online_blocks block
	[[ -r $aob ]] || skip "no $aob on this machine"
	block=$(grep -lx 1 /sys/devices/system/memory/memory*/online 2>/dev/null | head -n 1) || true
	[[ -n $block ]] || skip "no online memory block on this machine"
	block=${block%/online}
	[[ -e $UDEV_ROOT/bin/echo ]] || ln -s busybox "$UDEV_ROOT/bin/echo"
	sed -e 's/^ATTR{online}=="1", GOTO=/ATTR{online}=="taken-for-offline", GOTO=/' \
		-e 's|IMPORT{program}="[^"]*"|IMPORT{program}="/bin/echo HPO_IMPORTED=1"|' \
		"$BATS_FILE_TMPDIR/deb$(pkg-config --variable=udevdir udev)/rules.d/39-hotplug-online.rules" \
		> "$BATS_TEST_TMPDIR/taken.rules"
	# each substitution changed the rule
	run -0 grep -c -e 'taken-for-offline' -e 'HPO_IMPORTED' "$BATS_TEST_TMPDIR/taken.rules"
	[ "$output" -ge 2 ] || fail "the rule's lines changed: update the substitutions"
	for value in "$(cat "$aob")" no-such-value; do
		sed "s|ATTR{../auto_online_blocks}==\"offline\"|ATTR{../auto_online_blocks}==\"$value\"|" \
			"$BATS_TEST_TMPDIR/taken.rules" > "$BATS_TEST_TMPDIR/$value.rules"
		grep -q "ATTR{../auto_online_blocks}==\"$value\"" "$BATS_TEST_TMPDIR/$value.rules"
		# shellcheck disable=SC2016 # the script expands in the namespace's sh
		run -0 unshare -m sh -c '
			mount --bind /sys "$1/sys" && mount --bind /dev "$1/dev" && mount -t tmpfs tmpfs "$1/run" &&
			mkdir -p "$1/run/udev/rules.d" && cp "$2" "$1/run/udev/rules.d/39-hotplug-online.rules" &&
			exec chroot "$1" /bin/udevadm test --action=add "$3" 2>&1' sh \
			"$UDEV_ROOT" "$BATS_TEST_TMPDIR/$value.rules" "${block#/sys}"
		assert_output --partial 'Reading rules file: /run/udev/rules.d/39-hotplug-online.rules'
		if [[ $value == no-such-value ]]; then
			refute_output --partial 'HPO_IMPORTED=1'
		else
			assert_line 'HPO_IMPORTED=1'
		fi
	done
}
