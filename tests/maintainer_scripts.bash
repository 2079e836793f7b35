# The maintainer scripts' cases, run against a real udevd and udevadm by
# tests/230-maintainer-scripts.bats (the host's systemd 252) and
# tests/235-maintainer-scripts-udev247.bats (Debian 11's 247). Each runs the
# scripts as dpkg and rpm would (same arguments, dpkg's environment) in
# udev_world (packaging_helper.bash), then looks at what changed: the uevent
# files udevadm trigger wrote, the kernel setting `hotplug-online setup`
# wrote and `restore` put back, and the reloads udevd logged.
#
# The caller sets S (the scripts' directory as the world sees it: deb/postinst,
# prerm, postrm; rpm/post, preun, postun, posttrans), WORLD_PATH, UDEV_ROOT.

# From setup_file, as need_packages and need_root (packaging_helper.bash),
# which it runs first: udev_world needs mount, PID and network namespaces.
need_world() {
	need_packages || return 1
	need_root || return 1
	if ! unshare --mount --pid --fork --net true 2>/dev/null; then
		export PKG_SKIP="no mount, PID and network namespaces here"
		return 1
	fi
}

# deb NAME ARGS...: a command line running a deb maintainer script as dpkg does.
deb() {
	local name=$1
	shift
	printf 'DPKG_MAINTSCRIPT_PACKAGE=hotplug-online DPKG_MAINTSCRIPT_NAME=%s sh %s/deb/%s' \
		"$name" "$S" "$name"
	printf " '%s'" "$@"
}
# rpm NAME [ARG]: the same for a scriptlet; rpm passes the count of instances.
rpm_() {
	printf 'sh %s/rpm/%s %s' "$S" "$1" "${2:-}"
}

new_world() {
	WORLD=$BATS_TEST_TMPDIR/world
	mkdir -p "$WORLD"
	fake_sysfs "$WORLD/sys"
}

# The output of the last run without what deb-systemd-helper (debhelper's
# part of the postinst) says on stderr when it enables the units, on every
# Debian system: the world's /etc/systemd starts empty each time.
said() {
	printf '%s\n' "${lines[@]}" | grep -v \
		-e '^Created symlink /etc/systemd/system/sysinit\.target\.wants/hotplug-online-setup\.service \(→\|->\) /[a-z/]*/hotplug-online-setup\.service\.$' \
		-e '^Created symlink /etc/systemd/system/paths\.target\.wants/hotplug-online-setup\.path \(→\|->\) /[a-z/]*/hotplug-online-setup\.path\.$' \
		-e '^Created symlink /etc/systemd/system/sysinit\.target\.wants/hotplug-online-log\.service \(→\|->\) /[a-z/]*/hotplug-online-log\.service\.$' ||
		true
}

# udevd's log line for each reload request it received
reloads() {
	grep -c 'Received udev control message (RELOAD' "$WORLD/run/udevd.log" || true
}

REPLAYED_MEMORY="cpu0: 
cpu1: 
memory0: add
memory1: add
memory32: add
memory33: add"
REPLAYED_NOTHING="cpu0: 
cpu1: 
memory0: 
memory1: 
memory32: 
memory33: "

kernel_setting() {
	cat "$WORLD/sys/devices/system/memory/auto_online_blocks"
}

# setup ran: auto_online_blocks as the shipped configuration wants it, and the
# value it replaced recorded
set_up() {
	assert_equal "$(kernel_setting)" online
	[ -s "$WORLD/run/hotplug-online/kernel-saved" ] || fail "no kernel-saved record"
}
# An upgrade from 0.1: its state in /run before; only setup's record after.
seed_world_0_1_state() {
	mkdir -p "$WORLD/run"
	seed_0_1_state "$WORLD/run/hotplug-online"
}
only_record_left() {
	assert_equal "$(ls -A "$WORLD/run/hotplug-online")" kernel-saved
}
# nothing changed, or restore put it back
kernel_as_found() {
	assert_equal "$(kernel_setting)" offline
	[ ! -e "$WORLD/run/hotplug-online/kernel-saved" ] || fail "kernel-saved left behind"
}

case_deb_first_install() {
	new_world
	run udev_world "$(deb postinst configure '')"
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(world_uevents)" "$REPLAYED_MEMORY"
	assert_equal "$(reloads)" 1
	set_up
}

case_deb_upgrade() {
	new_world
	seed_world_0_1_state
	run udev_world "$(deb postinst configure 0.1.0-1)"
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(world_uevents)" "$REPLAYED_NOTHING"
	assert_equal "$(reloads)" 1
	set_up
	only_record_left
}

case_deb_remove() {
	new_world
	run udev_world "$(deb postinst configure '') && $(deb prerm remove) && $(deb postrm remove)"
	assert_success
	assert_equal "$(said)" ""
	kernel_as_found
	# postinst, prerm (its udevd test), postrm (the rule is gone)
	assert_equal "$(reloads)" 3
}

case_deb_upgrade_and_purge_leave_udev_alone() {
	new_world
	run udev_world "$(deb prerm upgrade "$VERSION-2") && $(deb postrm upgrade "$VERSION-2") &&
		$(deb postrm purge)"
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(reloads)" 0
	assert_equal "$(world_uevents)" "$REPLAYED_NOTHING"
	kernel_as_found
}

case_rpm_install() {
	new_world
	run udev_world "$(rpm_ post 1) && $(rpm_ posttrans)"
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(world_uevents)" "$REPLAYED_MEMORY"
	assert_equal "$(reloads)" 2
	set_up
}

case_rpm_upgrade() {
	new_world
	seed_world_0_1_state
	# new %post, old %preun and %postun, new %posttrans
	run udev_world "$(rpm_ post 2) && $(rpm_ preun 1) && $(rpm_ postun 1) && $(rpm_ posttrans)"
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(world_uevents)" "$REPLAYED_NOTHING"
	assert_equal "$(reloads)" 2
	set_up
	only_record_left
}

case_rpm_erase() {
	new_world
	run udev_world "$(rpm_ post 1) && $(rpm_ preun 0) && $(rpm_ postun 0)"
	assert_success
	assert_equal "$(said)" ""
	kernel_as_found
	assert_equal "$(reloads)" 3
}

# A container or an image build: udevadm is there, no udevd answers.
case_no_udevd() {
	new_world
	UDEVD=none run udev_world "$(deb postinst configure '') && $(deb prerm remove) &&
		$(deb postrm remove) && $(rpm_ post 1) && $(rpm_ preun 0) && $(rpm_ postun 0) &&
		$(rpm_ posttrans)"
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(world_uevents)" "$REPLAYED_NOTHING"
	kernel_as_found
}

# udevd listens but answers nothing: a script waits --timeout=5 for the
# reply, then does nothing more, and succeeds. (The next connect fails at once:
# the first one still fills the backlog of the stopped udevd.)
case_udevd_hung() {
	local t0 t
	new_world
	t0=$(date +%s)
	UDEVD=stopped run udev_world "$(deb postinst configure '') && $(rpm_ post 1)"
	t=$(($(date +%s) - t0))
	assert_success
	assert_equal "$(said)" ""
	assert_equal "$(world_uevents)" "$REPLAYED_NOTHING"
	kernel_as_found
	[ "$t" -ge 5 ] && [ "$t" -lt 20 ] || fail "took ${t}s, not 5 to 10 s"
}
