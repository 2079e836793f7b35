#!/usr/bin/env bats
# The .deb through install, upgrade, remove and purge in a scratch dpkg root.
# Maintainer scripts run chrooted there, with no udevadm and no udevd: the
# case of a chroot, an image build or a container. Then the same root passes
# for the running system (make_live_root, live: a systemd and a udevd that
# keep a record, a fake sysfs) for upgrades and downgrades between this
# version and the 0.1 release. The tests run in order and share the root.
# tests/230 runs the same scripts where a real udevd runs, and in a chroot
# that has a real udevadm and the live udevd's socket.

load packaging_helper

setup() {
	skip_if_unmet
}

setup_file() {
	lifecycle_root || return 0
	mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates"
	touch "$R/var/lib/dpkg/status"
	list_root "$R" > "$BATS_FILE_TMPDIR/before"
}

# dpkg on the scratch root, logging there; debug 2 traces maintainer scripts.
# stdin is closed so a conffile prompt fails instead of hanging. With
# LIVE=live, on the running system.
D() {
	${LIVE:-} dpkg --root="$R" --log="$R/var/log/dpkg.log" --debug=2 "$@" </dev/null
}

# Lines of the last `run D` that are neither dpkg's debug trace nor its usual
# chatter: anything a maintainer script said, and dpkg's warnings. No package
# owns /usr in this root, so dpkg's notice that it left /usr is expected; a
# downgrade is warned of, and --force-confold says it kept the conffile. The
# stub systemd's "stub: " lines are unit_calls'.
# debhelper's part of the postinst calls deb-systemd-helper, from Debian's
# Essential init-system-helpers, which this busybox root lacks.
noise() {
	printf '%s\n' "${lines[@]}" | grep -v -e '^D0' \
		-e '^/var/lib/dpkg/info/hotplug-online\.postinst: line [0-9]*: deb-systemd-helper: not found$' \
		-e "^dpkg: warning: while removing hotplug-online, directory '[^']*' not empty so not removed\$" \
		-e '^(Reading database' -e '^Selecting previously' -e '^Preparing to unpack' \
		-e '^Unpacking hotplug-online' -e '^Setting up hotplug-online' \
		-e '^Removing hotplug-online' -e '^Purging configuration files for hotplug-online' \
		-e '^stub: ' -e '^dpkg: warning: downgrading hotplug-online from ' \
		-e "^Configuration file '/etc/hotplug-online.conf' (actually '[^']*')\$" \
		-e '^ ==> Modified (by you or by a script) since installation\.$' \
		-e '^ ==> Package distributor has shipped an updated version\.$' \
		-e '^ ==> Using current old file as you requested\.$' || true
}

# Each start, stop, restart of the log service and the .path unit in the last
# `run D`, after the script that asked: "prerm upgrade 0.1.0-1:
# deb-systemd-invoke stop UNIT".
unit_calls() {
	# shellcheck disable=SC2016 # an awk program
	printf '%s\n' "${lines[@]}" | awk '
		/^D0*2: fork\/exec .*\/(hotplug-online\.)?(pre|post)(inst|rm) \(/ {
			s = $0; sub(/.*\//, "", s); sub(/^hotplug-online\./, "", s); sub(/ \( */, " ", s)
			sub(/ *\)$/, "", s); script = s; next }
		/^stub: .*hotplug-online-(log\.service|setup\.path)/ { sub(/^stub: /, ""); print script ": " $0 }'
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
	assert_installed_helper_runs
	assert_equal "$(grep -h "" "$SYSFS"/devices/system/cpu/cpu[23]/online | sort -u)" 1
}

# A reinstall is an upgrade to dpkg: the same scripts, the same arguments.
@test "upgrade keeps a locally edited conffile, and the edit is live" {
	echo "memory = off" >> "$R/etc/hotplug-online.conf"
	run -0 D -i "$DEB"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.prerm \\( upgrade $VERSION-1 \\)"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postrm \\( upgrade $VERSION-1 \\)"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postinst \\( configure $VERSION-1 \\)"
	assert_equal "$(noise)" ""
	run -0 status
	assert_output "install ok installed $VERSION-1"
	assert_memory_off_live
}

@test "remove: files gone, conffile kept, prerm and postrm ran" {
	run -0 D -r hotplug-online
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.prerm \\( remove +\\)$"
	assert_line --regexp "^D0+2: fork/exec .*/hotplug-online.postrm \\( remove +\\)$"
	assert_equal "$(noise)" ""
	run -0 status
	assert_output "deinstall ok config-files $VERSION-1"
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
	assert_root_as_before --show
	run -0 ls "$R/var/lib/dpkg/info"
	refute_output --partial hotplug-online
	# and the log shows every step
	run -0 grep -E ' (install|upgrade|remove|purge) hotplug-online' "$R/var/log/dpkg.log"
	assert_equal "${#lines[@]}" 4
}

# From here on the same root passes for the running system. Upgrades and
# downgrades between this version and the 0.1 release (OLD_DEB, ea86314);
# dpkg keeps the edited conffile, as under apt -o Dpkg::Options::=--force-confold.
# (EDIT, edit_kept, set_up_only: packaging_helper.bash.)
OLD_VERSION=$(dpkg-deb -f "$OLD_DEB" Version 2>/dev/null) || true

@test "running system: first install starts the log service, then setup and the replay run" {
	make_live_root "$R"
	LIVE=live run -0 D -i "$DEB"
	assert_equal "$(noise)" ""
	assert_equal "$(unit_calls)" "postinst configure: deb-systemd-invoke start hotplug-online-setup.path
postinst configure: deb-systemd-invoke start hotplug-online-log.service"
	assert_equal "$(log_service)" "hotplug-online $VERSION"
	set_up_only
	# the log service first, so that it logs what the replay onlines
	run -0 grep -x -e 'deb-systemd-invoke start hotplug-online-log.service' \
		-e 'udevadm trigger --action=add --subsystem-match=memory' "$R/var/log/stub-calls"
	assert_equal "${lines[*]}" "deb-systemd-invoke start hotplug-online-log.service udevadm trigger --action=add --subsystem-match=memory"
}

@test "downgrade to 0.1: 0.2's prerm stops the log service, 0.1's postinst restarts its own" {
	echo "$EDIT" >> "$R/etc/hotplug-online.conf"
	# 0.1's state from a hot-add: 0.1's scripts leave it (the control for
	# the upgrade below, where 0.2's postinst removes it)
	seed_0_1_state "$R/run/hotplug-online"
	: > "$R/var/log/stub-calls"
	LIVE=live run -0 D -i --force-confold "$OLD_DEB"
	assert_equal "$(noise)" ""
	assert_equal "$(unit_calls)" "prerm upgrade $OLD_VERSION: deb-systemd-invoke stop hotplug-online-log.service
postinst configure $VERSION-1: deb-systemd-invoke restart hotplug-online-setup.path
postinst configure $VERSION-1: deb-systemd-invoke restart hotplug-online-log.service"
	assert_equal "$(log_service)" "hotplug-online ${OLD_VERSION%-*}"
	run -0 status
	assert_output "install ok installed $OLD_VERSION"
	edit_kept
	# 0.1's setup took 0.2's record as its own; no update replays add
	assert_equal "$(cat "$R/run/hotplug-online/kernel-saved")" auto_online_blocks=offline
	assert_equal "$(cat "$R/sys/devices/system/memory/auto_online_blocks")" online
	run grep '^udevadm trigger' "$R/var/log/stub-calls"
	assert_failure
	run -0 ls -A "$R/run/hotplug-online"
	assert_line onlined
	assert_line logger
}

@test "upgrade from 0.1: 0.2's postinst restarts the log service and removes 0.1's state" {
	: > "$R/var/log/stub-calls"
	LIVE=live run -0 D -i --force-confold "$DEB"
	assert_equal "$(noise)" ""
	# 0.1's prerm stops it only on removal
	# The .path unit stopped while dpkg replaces the conffile (preinst),
	# started again once it is in place (postinst).
	assert_equal "$(unit_calls)" "preinst upgrade $OLD_VERSION $VERSION-1: deb-systemd-invoke stop hotplug-online-setup.path
postinst configure $OLD_VERSION: deb-systemd-invoke start hotplug-online-setup.path
postinst configure $OLD_VERSION: deb-systemd-invoke restart hotplug-online-log.service"
	assert_equal "$(log_service)" "hotplug-online $VERSION"
	edit_kept
	set_up_only
	run grep '^udevadm trigger' "$R/var/log/stub-calls"
	assert_failure
}

@test "downgrade to 0.1 again: nothing of 0.2's left but the record; 0.1's removal restores from it" {
	LIVE=live run -0 D -i --force-confold "$OLD_DEB"
	assert_equal "$(noise)" ""
	assert_equal "$(log_service)" "hotplug-online ${OLD_VERSION%-*}"
	set_up_only
	: > "$R/var/log/stub-calls"
	LIVE=live run -0 D -r hotplug-online
	assert_equal "$(noise)" ""
	assert_equal "$(unit_calls)" "prerm remove: deb-systemd-invoke stop hotplug-online-log.service
prerm remove: deb-systemd-invoke stop hotplug-online-setup.path"
	assert_equal "$(log_service)" stopped
	# restore put the kernel's value back and dropped the record
	assert_equal "$(cat "$R/sys/devices/system/memory/auto_online_blocks")" offline
	assert_equal "$(ls -A "$R/run/hotplug-online")" ""
	edit_kept
	run -0 D -P hotplug-online
	unmake_live_root "$R"
	assert_root_as_before
}
