#!/usr/bin/env bats
# The .rpm through install, upgrade and erase with `rpm --root` and a scratch
# database. Scriptlets run chrooted there, with no udevadm and no udevd; rpm
# -vv traces them with sh -x. The tests run in order and share the root.
# tests/230 runs the same scriptlets where a real udevd runs.

load packaging_helper

setup() {
	skip_if_unmet
}

setup_file() {
	need_packages || return 0
	need_root || return 0
	export R=$BATS_FILE_TMPDIR/root
	make_root "$R"
	# on a real system the filesystem and udev packages own these
	mkdir -p "$R"/usr/lib/udev/rules.d "$R"/usr/lib/systemd/system \
		"$R"/usr/lib/systemd/system-preset "$R"/usr/share/doc "$R"/usr/share/licenses \
		"$R"/usr/share/man/man8 "$R"/var/tmp
	rpm --root "$R" --dbpath /var/lib/rpm --initdb
	list_root "$R" > "$BATS_FILE_TMPDIR/before"
}

# rpm on the scratch root. Debian's rpm asks for --force-debian to install at
# all; --nodeps (-i, -U, -e) as nothing there provides /bin/sh.
Rp() {
	local debian=
	rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
	rpm --root "$R" --dbpath /var/lib/rpm $debian "$@" </dev/null
}

# Lines of the last `run Rp -vv` other than rpm's debug trace and usual
# chatter: anything a scriptlet said, and rpm's warnings and errors.
noise() {
	printf '%s\n' "${lines[@]}" | grep -v -e '^D: ' -e '^+ ' -e '^Verifying packages' \
		-e '^Preparing packages' -e '^hotplug-online-' -e '^Header SHA[0-9]* digest: OK' \
		-e '^Cleaning up / removing' || true
}

# Scriptlet $1 of package $2 ran, found no running system (the root test
# fails: no /proc here), touched neither udev nor the kernel, and exited 0.
ran_quietly() {
	assert_line "D: $1($2): scriptlet start"
	assert_line --regexp "^D: $1\\($2\\): waitpid\\([0-9]+\\) rc [0-9]+ status 0\$"
	assert_line "+ udev_live"
	refute_line --regexp '^\+ udevadm'
	refute_line --regexp '^\+ hotplug-online '
}

@test "install: files in place, %post ran quietly without udev" {
	run -0 Rp -ivv --nodeps "$RPM"
	ran_quietly %post "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %posttrans "hotplug-online-$VERSION-1.$RPM_ARCH"
	assert_equal "$(noise)" ""
	run -0 Rp -q hotplug-online
	assert_output "hotplug-online-$VERSION-1.$RPM_ARCH"
	[ -x "$R/usr/sbin/hotplug-online" ]
	[ -f "$R/usr/lib/udev/rules.d/39-hotplug-online.rules" ]
	[ -f "$R/usr/lib/systemd/system/hotplug-online-setup.service" ]
	[ -f "$R/usr/lib/systemd/system-preset/50-hotplug-online.preset" ]
	[ -f "$R/etc/hotplug-online.conf" ]
	# files as packaged: digests, modes, owners
	run -0 Rp -V --nodeps hotplug-online
}

@test "the installed helper runs: --version, status and online on a real sysfs snapshot" {
	run -0 chroot "$R" /usr/sbin/hotplug-online --version
	assert_output "hotplug-online $VERSION"
	local sysfs
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-status")
	run -0 chroot "$R" /usr/sbin/hotplug-online status --sysfs "${sysfs#"$R"}"
	assert_output --regexp 'offline.*32-39'
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-online")
	run -0 chroot "$R" /usr/sbin/hotplug-online online --sysfs "${sysfs#"$R"}"
	assert_equal "$(grep -h "" "$sysfs"/devices/system/memory/memory3[2-9]/state | sort -u)" online
}

@test "upgrade keeps a locally edited %config(noreplace), and the edit is live" {
	echo "memory = off" >> "$R/etc/hotplug-online.conf"
	run -0 Rp -Uvv --nodeps "$RPM2"
	ran_quietly %post "hotplug-online-$VERSION-2.$RPM_ARCH"
	ran_quietly %preun "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %postun "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %posttrans "hotplug-online-$VERSION-2.$RPM_ARCH"
	assert_equal "$(noise)" ""
	run -0 Rp -q hotplug-online
	assert_output "hotplug-online-$VERSION-2.$RPM_ARCH"
	run -0 tail -n 1 "$R/etc/hotplug-online.conf"
	assert_output "memory = off"
	[ ! -e "$R/etc/hotplug-online.conf.rpmnew" ]
	local sysfs
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-edited")
	run -0 chroot "$R" /usr/sbin/hotplug-online online --sysfs "${sysfs#"$R"}"
	assert_equal "$(grep -h "" "$sysfs"/devices/system/memory/memory3[2-9]/state | sort -u)" offline
}

@test "erase: %preun and %postun ran, the edited config is saved as .rpmsave, nothing else left" {
	run -0 Rp -evv --nodeps hotplug-online
	ran_quietly %preun "hotplug-online-$VERSION-2.$RPM_ARCH"
	ran_quietly %postun "hotplug-online-$VERSION-2.$RPM_ARCH"
	# rpm's equivalent of dpkg's "remove": edits survive as .rpmsave
	assert_equal "$(noise)" "warning: /etc/hotplug-online.conf saved as /etc/hotplug-online.conf.rpmsave"
	run -1 Rp -q hotplug-online
	rm -rf "$R"/tmp/sysfs-*
	list_root "$R" > "$BATS_FILE_TMPDIR/after"
	run -0 comm -3 "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	assert_output "	./etc/hotplug-online.conf.rpmsave -rw-r--r--"
	# and the admin's "purge"
	rm "$R/etc/hotplug-online.conf.rpmsave"
}

@test "install and erase without edits leave the root as before" {
	run -0 Rp -i --nodeps "$RPM"
	run -0 Rp -e --nodeps hotplug-online
	assert_output ""
	list_root "$R" > "$BATS_FILE_TMPDIR/after"
	paste -d '\t' "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after" |
		sed 's/^/# before | after: /' >&3
	run diff -u "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	assert_success
}
