#!/usr/bin/env bats
# The .rpm through install, upgrade and erase with `rpm --root` and a scratch
# database. Scriptlets run chrooted there, with no udevadm and no udevd; rpm
# -vv traces them with sh -x. Then the same root passes for the running
# system (make_live_root, live: a systemd and a udevd that keep a record, a
# fake sysfs) for upgrades and downgrades between this version and the 0.1
# release. The tests run in order and share the root. tests/230 runs the
# same scriptlets where a real udevd runs.

load packaging_helper

setup() {
	skip_if_unmet
}

setup_file() {
	lifecycle_root || return 0
	# on a real system the filesystem and udev packages own these
	mkdir -p "$R"/usr/lib/udev/rules.d "$R"/usr/lib/systemd/system \
		"$R"/usr/lib/systemd/system-preset "$R"/usr/share/doc "$R"/usr/share/licenses \
		"$R"/usr/share/man/man8 "$R"/var/tmp
	rpm --root "$R" --dbpath /var/lib/rpm --initdb
	list_root "$R" > "$BATS_FILE_TMPDIR/before"
}

# rpm on the scratch root. Debian's rpm asks for --force-debian to install at
# all; --nodeps (-i, -U, -e) as nothing there provides /bin/sh. With
# LIVE=live, on the running system.
Rp() {
	local debian=
	rpm --help 2>/dev/null | grep -q -- --force-debian && debian=--force-debian
	${LIVE:-} rpm --root "$R" --dbpath /var/lib/rpm $debian "$@" </dev/null
}

# Lines of the last `run Rp -vv` other than rpm's debug trace and usual
# chatter: anything a scriptlet said, and rpm's warnings and errors. An
# upgrade or downgrade that keeps the edited config says where the shipped
# one went.
noise() {
	printf '%s\n' "${lines[@]}" | grep -v -e '^D: ' -e '^+ ' -e '^Verifying packages' \
		-e '^Preparing packages' -e '^hotplug-online-' -e '^Header SHA[0-9]* digest: OK' \
		-e '^Cleaning up / removing' \
		-e '^warning: /etc/hotplug-online\.conf created as /etc/hotplug-online\.conf\.rpmnew$' || true
}

# Each start, stop, restart, try-restart of the log service and the .path
# unit in the last
# `run Rp -vv`, after the scriptlet that asked (sh -x's trace):
# "%preun(0.2.0-1): systemctl stop UNIT...".
unit_calls() {
	# shellcheck disable=SC2016 # an awk program
	printf '%s\n' "${lines[@]}" | awk '
		/^D: %[a-z]+\(hotplug-online-.*\): scriptlet start$/ {
			s = $2; sub(/hotplug-online-/, "", s); sub(/\.[^.]*\):$/, ")", s); script = s; next }
		/^\+ systemctl (start|stop|restart|try-restart) .*hotplug-online-(log\.service|setup\.path)/ {
			sub(/^\+ /, ""); print script ": " $0 }'
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
	assert_installed_helper_runs
}

# A reinstall is an upgrade to rpm: new %post 2, old %preun 1 and %postun 1.
@test "upgrade keeps a locally edited %config(noreplace), and the edit is live" {
	echo "memory = off" >> "$R/etc/hotplug-online.conf"
	run -0 Rp -Uvv --reinstall --nodeps "$RPM"
	ran_quietly %post "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %preun "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %postun "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %posttrans "hotplug-online-$VERSION-1.$RPM_ARCH"
	assert_line "+ '[' 2 -eq 1 ]"
	assert_line "+ '[' 1 -eq 0 ]"
	assert_equal "$(noise)" ""
	run -0 Rp -q hotplug-online
	assert_output "hotplug-online-$VERSION-1.$RPM_ARCH"
	[ ! -e "$R/etc/hotplug-online.conf.rpmnew" ]
	assert_memory_off_live
}

@test "erase: %preun and %postun ran, the edited config is saved as .rpmsave, nothing else left" {
	run -0 Rp -evv --nodeps hotplug-online
	ran_quietly %preun "hotplug-online-$VERSION-1.$RPM_ARCH"
	ran_quietly %postun "hotplug-online-$VERSION-1.$RPM_ARCH"
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
	assert_root_as_before --show
}

# From here on the same root passes for the running system. Upgrades and
# downgrades (rpm -U --oldpackage) between the 0.1 release (OLD_RPM, ea86314)
# and this version.
# (EDIT, edit_kept, set_up_only: packaging_helper.bash.)
OLD_VERSION=$(rpm -qp --qf '%{VERSION}-%{RELEASE}' "$OLD_RPM" 2>/dev/null) || true

@test "running system: 0.1 installed, its state from a hot-add" {
	make_live_root "$R"
	LIVE=live run -0 Rp -ivv --nodeps "$OLD_RPM"
	assert_equal "$(noise)" ""
	assert_equal "$(unit_calls)" "%post($OLD_VERSION): systemctl start hotplug-online-setup.path
%post($OLD_VERSION): systemctl start hotplug-online-log.service"
	assert_equal "$(log_service)" "hotplug-online ${OLD_VERSION%-*}"
	set_up_only
	echo "$EDIT" >> "$R/etc/hotplug-online.conf"
	seed_0_1_state "$R/run/hotplug-online"
}

@test "upgrade from 0.1: 0.1's %postun restarts the log service, 0.2's %posttrans removes 0.1's state" {
	: > "$R/var/log/stub-calls"
	LIVE=live run -0 Rp -Uvv --nodeps "$RPM"
	assert_equal "$(noise)" ""
	# The .path unit stopped while rpm replaces the config file (%pre),
	# started again once it is in place (%post).
	assert_equal "$(unit_calls)" "%prein($VERSION-1): systemctl stop hotplug-online-setup.path
%post($VERSION-1): systemctl start hotplug-online-setup.path
%postun($OLD_VERSION): systemctl try-restart hotplug-online-setup.path hotplug-online-log.service"
	assert_equal "$(log_service)" "hotplug-online $VERSION"
	edit_kept
	set_up_only
	run grep '^udevadm trigger' "$R/var/log/stub-calls"
	assert_failure
}

@test "downgrade to 0.1: 0.2's %preun stops the log service, its %postun starts 0.1's; nothing of 0.2's left but the record" {
	# 0.1's state again (0.1's scriptlets leave it: the control for the
	# upgrade above)
	seed_0_1_state "$R/run/hotplug-online"
	: > "$R/var/log/stub-calls"
	LIVE=live run -0 Rp -Uvv --oldpackage --nodeps "$OLD_RPM"
	assert_equal "$(noise)" ""
	assert_equal "$(unit_calls)" "%preun($VERSION-1): systemctl stop hotplug-online-log.service
%postun($VERSION-1): systemctl try-restart hotplug-online-setup.path
%postun($VERSION-1): systemctl start hotplug-online-log.service"
	assert_equal "$(log_service)" "hotplug-online ${OLD_VERSION%-*}"
	run -0 Rp -q hotplug-online
	assert_output "hotplug-online-$OLD_VERSION.$RPM_ARCH"
	edit_kept
	run -0 ls -A "$R/run/hotplug-online"
	assert_line kernel-saved
	assert_line onlined
	rm -r "$R/run/hotplug-online/onlined"
}

@test "upgrade again, and 0.2's erase restores from 0.1's record" {
	LIVE=live run -0 Rp -Uvv --nodeps "$RPM"
	assert_equal "$(noise)" ""
	assert_equal "$(log_service)" "hotplug-online $VERSION"
	set_up_only
	: > "$R/var/log/stub-calls"
	LIVE=live run -0 Rp -evv --nodeps hotplug-online
	assert_equal "$(noise)" "warning: /etc/hotplug-online.conf saved as /etc/hotplug-online.conf.rpmsave"
	assert_equal "$(unit_calls)" "%preun($VERSION-1): systemctl stop hotplug-online-setup.path hotplug-online-log.service"
	assert_equal "$(log_service)" stopped
	assert_equal "$(cat "$R/sys/devices/system/memory/auto_online_blocks")" offline
	assert_equal "$(ls -A "$R/run/hotplug-online")" ""
	rm "$R"/etc/hotplug-online.conf.rpm*
	unmake_live_root "$R"
	assert_root_as_before
}
