#!/usr/bin/env bats
# The .deb through install, upgrade, remove and purge in a scratch dpkg root.
# Maintainer scripts run chrooted there, with no udevadm and no udevd: the
# case of a chroot, an image build or a container. The tests run in order and
# share the root. tests/230 runs the same scripts where a real udevd runs, and
# in a chroot that has a real udevadm and the live udevd's socket.

load packaging_helper

setup() {
	skip_if_unmet
}

setup_file() {
	need_packages || return 0
	need_root || return 0
	export R=$BATS_FILE_TMPDIR/root
	make_root "$R"
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
	touch "$R/var/lib/dpkg/status"
	list_root "$R" > "$BATS_FILE_TMPDIR/before"
}

# dpkg on the scratch root, logging there; debug 2 traces maintainer scripts.
# stdin is closed so a conffile prompt fails instead of hanging.
D() {
	dpkg --root="$R" --log="$R/var/log/dpkg.log" --debug=2 "$@" </dev/null
}

# Lines of the last `run D` that are neither dpkg's debug trace nor its usual
# chatter: anything a maintainer script said, and dpkg's warnings. No package
# owns /usr in this root, so dpkg's notice that it left /usr is expected.
# debhelper's part of the postinst calls deb-systemd-helper, from Debian's
# Essential init-system-helpers, which this busybox root lacks.
noise() {
	printf '%s\n' "${lines[@]}" | grep -v -e '^D0' \
		-e '^/var/lib/dpkg/info/hotplug-online\.postinst: line [0-9]*: deb-systemd-helper: not found$' \
		-e "^dpkg: warning: while removing hotplug-online, directory '[^']*' not empty so not removed\$" \
		-e '^(Reading database' -e '^Selecting previously' -e '^Preparing to unpack' \
		-e '^Unpacking hotplug-online' -e '^Setting up hotplug-online' \
		-e '^Removing hotplug-online' -e '^Purging configuration files for hotplug-online' || true
}

status() {
	dpkg-query --admindir="$R/var/lib/dpkg" -f '${Status} ${Version}' -W hotplug-online
}

@test "install: files in place, postinst ran quietly without udev" {
	[ ! -e "$R/usr/bin/udevadm" ] && [ ! -e "$R/bin/udevadm" ]
	run -0 D -i "$DEB"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postinst \\( configure +\\)$"
	assert_line "Setting up hotplug-online ($VERSION-1) ..."
	# quiet: dpkg's own lines and its debug trace, nothing from the script
	assert_equal "$(noise)" ""
	run -0 status
	assert_output "install ok installed $VERSION-1"
	[ -x "$R/usr/sbin/hotplug-online" ]
	[ -f "$R$(pkg-config --variable=udevdir udev)/rules.d/39-hotplug-online.rules" ]
	[ -f "$R/etc/hotplug-online.conf" ]
	[ -f "$R$(pkg-config --variable=systemdsystemunitdir systemd)/hotplug-online-setup.service" ]
}

@test "the installed helper runs: --version, status and online on a real sysfs snapshot" {
	run -0 chroot "$R" /usr/sbin/hotplug-online --version
	assert_output "hotplug-online $VERSION"
	local sysfs
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-status")
	run -0 chroot "$R" /usr/sbin/hotplug-online status --sysfs "${sysfs#"$R"}"
	assert_output --regexp 'offline.*32-39'
	# the shipped config file is the default policy: everything comes online
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-online")
	run -0 chroot "$R" /usr/sbin/hotplug-online online --sysfs "${sysfs#"$R"}"
	assert_equal "$(grep -h "" "$sysfs"/devices/system/memory/memory3[2-9]/state | sort -u)" online
	assert_equal "$(grep -h "" "$sysfs"/devices/system/cpu/cpu[23]/online | sort -u)" 1
}

@test "upgrade keeps a locally edited conffile, and the edit is live" {
	echo "memory = off" >> "$R/etc/hotplug-online.conf"
	run -0 D -i "$DEB2"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postrm \\( upgrade $VERSION-2 \\)"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postinst \\( configure $VERSION-1 \\)"
	assert_equal "$(noise)" ""
	run -0 status
	assert_output "install ok installed $VERSION-2"
	run -0 tail -n 1 "$R/etc/hotplug-online.conf"
	assert_output "memory = off"
	local sysfs
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-edited")
	run -0 chroot "$R" /usr/sbin/hotplug-online online --sysfs "${sysfs#"$R"}"
	assert_equal "$(grep -h "" "$sysfs"/devices/system/memory/memory3[2-9]/state | sort -u)" offline
}

@test "remove: files gone, conffile kept, prerm and postrm ran" {
	run -0 D -r hotplug-online
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.prerm \\( remove +\\)$"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postrm \\( remove +\\)$"
	assert_equal "$(noise)" ""
	run -0 status
	assert_output "deinstall ok config-files $VERSION-2"
	[ ! -e "$R/usr/sbin/hotplug-online" ]
	[ -f "$R/etc/hotplug-online.conf" ]
}

@test "purge: the conffile goes and the root is as before" {
	run -0 D -P hotplug-online
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postrm \\( purge +\\)$"
	assert_equal "$(noise)" ""
	run status
	refute_output --partial installed
	rm -rf "$R"/tmp/sysfs-*
	list_root "$R" > "$BATS_FILE_TMPDIR/after"
	paste -d '\t' "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after" |
		sed 's/^/# before | after: /' >&3
	run diff -u "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	assert_success
	run -0 ls "$R/var/lib/dpkg/info"
	refute_output --partial hotplug-online
	# and the log shows every step
	run -0 grep -E ' (install|upgrade|remove|purge) hotplug-online' "$R/var/log/dpkg.log"
	assert_equal "${#lines[@]}" 4
}
