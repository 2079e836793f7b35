# Common setup for the packaging tests (tests/2*.bats). `make check-packaging`
# builds the packages, this tree's and the 0.1 release's (make old-packages),
# and points these variables at them.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
VERSION=$(cat "$TOP/VERSION")
DEB_ARCH=$(dpkg --print-architecture)
RPM_ARCH=$(rpm --eval %_arch)
DEB=${HOTPLUG_ONLINE_DIST:-}/hotplug-online_${VERSION}-1_${DEB_ARCH}.deb
RPM=${HOTPLUG_ONLINE_DIST:-}/hotplug-online-${VERSION}-1.${RPM_ARCH}.rpm
# The 0.1 release's packages, whatever their version and release.
OLD_DEB=$(echo "${HOTPLUG_ONLINE_OLD_DIST:-}"/hotplug-online_*_"${DEB_ARCH}".deb)
OLD_RPM=$(echo "${HOTPLUG_ONLINE_OLD_DIST:-}"/hotplug-online-*."${RPM_ARCH}".rpm)
FIXTURES=/work/shared/fixtures/sysfs-snapshots.tar.gz

# From setup_file: these tests need built packages, and most need root for
# chroots. bats 1.8 cannot skip from setup_file, so note why here, return
# non-zero so setup_file stops there, and let each test's setup skip.
need_packages() {
	if [ -z "${HOTPLUG_ONLINE_DIST:-}" ]; then
		export PKG_SKIP="packages not built: run 'make check-packaging'"
		return 1
	fi
	[ -f "$DEB" ] && [ -f "$RPM" ] && [ -f "$OLD_DEB" ] && [ -f "$OLD_RPM" ] || {
		echo "missing packages in $HOTPLUG_ONLINE_DIST or ${HOTPLUG_ONLINE_OLD_DIST:-(HOTPLUG_ONLINE_OLD_DIST unset)}" >&2
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

# From the lifecycle tests' setup_file (210, 220): their tests run in order
# and share one scratch root, R (make_root). Returns non-zero where need_*
# do: the tests cannot run.
lifecycle_root() {
	# in order, one root (bats --jobs runs other files' tests side by side)
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
	need_packages || return 1
	need_root || return 1
	export R=$BATS_FILE_TMPDIR/root
	make_root "$R"
}

# A root with nothing but a static busybox for sh, stat and the like, and
# /dev/null: enough for maintainer scripts, no udevadm, no udevd, no /proc.
make_root() {
	local root=$1
	mkdir -p "$root"/bin "$root"/dev "$root"/etc "$root"/tmp "$root"/usr/bin "$root"/usr/sbin \
		"$root"/var/log
	mknod -m 666 "$root/dev/null" c 1 3
	cp /bin/busybox "$root"/bin/busybox
	local applet
	for applet in sh stat rm cat mkdir rmdir ls; do
		ln -s busybox "$root/bin/$applet"
	done
	# as on a real system, /etc and /usr/sbin hold other packages' files
	echo scratch > "$root/etc/hostname"
	ln -s ../../bin/busybox "$root/usr/sbin/chroot"
}

# What a root needs on top of make_root to pass for the running system, for
# the upgrade and downgrade tests (run the package manager with `live`):
#   /proc                a mount point for live's proc
#   /run/systemd/system  systemd runs
#   /sys                 fake_sysfs: `hotplug-online setup` and `restore`
#                        change its auto_online_blocks
#   udevadm              a udevd that answers: `control` succeeds
#   systemctl, deb-systemd-invoke, deb-systemd-helper
#                        a systemd that keeps a unit's state in
#                        /run/stub-systemd/UNIT: the --version of the helper
#                        on disk when it was (re)started, "hotplug-online
#                        0.2.0"; start of a running unit changes nothing,
#                        restart replaces it, try-restart only a running one,
#                        and a unit whose file is gone does not start.
# Every call goes to /var/log/stub-calls; the start, stop, restart and
# try-restart of a unit to stderr too, as "stub: COMMAND".
make_live_root() {
	local root=$1 tool
	mkdir -p "$root/proc" "$root/run/systemd/system" "$root/usr/bin"
	ln -sf busybox "$root/bin/sleep"
	fake_sysfs "$root/sys"
	cat > "$root/usr/bin/stub" <<-'EOF'
		#!/bin/sh
		tool=${0##*/}
		echo "$tool $*" >> /var/log/stub-calls
		case $tool in udevadm | deb-systemd-helper) exit 0 ;; esac
		while [ "${1#-}" != "$1" ]; do shift; done
		verb=$1
		shift
		case $verb in start | stop | restart | try-restart) echo "stub: $tool $verb $*" >&2 ;; esac
		mkdir -p /run/stub-systemd
		installed() { [ -f "/lib/systemd/system/$1" ] || [ -f "/usr/lib/systemd/system/$1" ]; }
		run() { installed "$1" && /usr/sbin/hotplug-online --version > "/run/stub-systemd/$1"; }
		rc=0
		for unit; do
			s=/run/stub-systemd/$unit
			case $verb in
			is-enabled) installed "$unit" || rc=1 ;;
			is-active) [ -f "$s" ] || rc=3 ;;
			stop) rm -f "$s" ;;
			start) [ -f "$s" ] || run "$unit" || rc=5 ;;
			restart) rm -f "$s"; run "$unit" || rc=5 ;;
			try-restart) [ ! -f "$s" ] || { rm -f "$s"; run "$unit"; } || rc=5 ;;
			esac
		done
		exit $rc
	EOF
	chmod 0755 "$root/usr/bin/stub"
	for tool in udevadm systemctl deb-systemd-invoke deb-systemd-helper; do
		ln -s stub "$root/usr/bin/$tool"
	done
}

# What make_live_root added, gone.
unmake_live_root() {
	local root=$1
	rm -rf "${root:?}/proc" "$root/run" "$root/sys" "$root/bin/sleep" "$root/var/log/stub-calls"
	rm -f "$root"/usr/bin/{stub,udevadm,systemctl,deb-systemd-invoke,deb-systemd-helper}
}

# live CMD...: run CMD (dpkg --root="$R", rpm --root "$R") so that what it
# runs chrooted in $R is on the running system as the maintainer scripts
# test it (/ is PID 1's root): PID 1 of new PID and mount namespaces is a
# sleep chrooted in $R, and $R/proc is their proc.
live() {
	local ns pid1= i rc=0 want
	want=$(stat -c %d:%i "$R")
	unshare --pid --mount --kill-child chroot "$R" /bin/sleep 600 </dev/null >/dev/null 2>&1 &
	ns=$!
	for i in $(seq 100); do
		pid1=$(cat "/proc/$ns/task/$ns/children" 2>/dev/null) || true
		pid1=${pid1% }
		if [ -n "$pid1" ] && [ "$(stat -Lc %d:%i "/proc/$pid1/root" 2>/dev/null)" = "$want" ]; then
			break
		fi
		pid1=
		sleep 0.02
	done
	if [ -z "$pid1" ]; then
		echo "live: no PID 1 in $R" >&2
		rc=1
	else
		# shellcheck disable=SC2016 # expanded by the shell in the namespaces
		nsenter -t "$pid1" --pid --mount -- sh -c 'mount -t proc proc "$0/proc" && exec "$@"' \
			"$R" "$@" || rc=$?
	fi
	# unshare ignores SIGTERM while it waits; PID 1 goes, and unshare with it
	if [ -n "$pid1" ]; then kill -KILL "$pid1"; else kill -KILL "$ns"; fi
	wait "$ns" 2>/dev/null || true
	return $rc
}

# The log service as the stub systemd has it: the version it runs, or
# "stopped".
log_service() {
	cat "$R/run/stub-systemd/hotplug-online-log.service" 2>/dev/null || echo stopped
}

# DIR (a /run/hotplug-online) as a 0.1 system has it a while after a
# hot-add: every kind of file 0.1.0 (ea86314) makes there, setup's record
# aside.
seed_0_1_state() {
	local d=$1
	mkdir -p "$d/onlined" "$d/offlined" "$d/waiting" "$d/burst" "$d/devices"
	echo "4711 rule" > "$d/onlined/memory32"
	echo 4712 > "$d/offlined/memory33"
	echo memory32 > "$d/waiting/1234"
	: > "$d/burst/alive"
	: > "$d/burst/alive2"
	ln -s /proc/4711/fd/3 "$d/logger"
	: > "$d/logger.lock"
	echo "movable 1" > "$d/devices/PNP0C80:01"
	echo "skip_s390x_ppc64 = no" > "$d/arch-memory"
	echo "Node 0, zone Normal" > "$d/boot-zoneinfo"
}

# Every path under a root with its type and mode, for before/after listings;
# not /tmp and /var/tmp (rpm -vv keeps its scriptlets there), nor the package
# managers' databases and logs (checked apart).
list_root() {
	(cd "$1" && find . \( -path ./tmp -o -path ./var/tmp -o -path ./var/lib/dpkg -o -path ./var/lib/rpm \
		-o -path ./var/log \) -prune -o -printf '%p %M\n' | LC_ALL=C sort)
}

# assert_root_as_before [--show]: every path under $R (list_root) is as
# setup_file listed it in $BATS_FILE_TMPDIR/before; --show prints both
# listings side by side first.
assert_root_as_before() {
	list_root "$R" > "$BATS_FILE_TMPDIR/after"
	if [ "${1:-}" = --show ]; then
		paste -d '\t' "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after" |
			sed 's/^/# before | after: /' >&3
	fi
	run diff -u "$BATS_FILE_TMPDIR/before" "$BATS_FILE_TMPDIR/after"
	assert_success
}

# A copy of the real sysfs snapshot from a hot-add with nothing onlining it.
sysfs_fixture() {
	local dir=$1
	mkdir -p "$dir"
	tar -xzf "$FIXTURES" -C "$dir" qemu-debian12-6.1-hotadd
	echo "$dir/qemu-debian12-6.1-hotadd"
}

# assert_installed_helper_runs: the helper installed in $R says its version,
# its `status` on a real sysfs snapshot (sysfs_fixture) sees the hot-added
# blocks offline, and its `online` on another onlines every one of them (the
# shipped config file is the default policy: everything comes online).
# SYSFS: that second snapshot.
assert_installed_helper_runs() {
	run -0 chroot "$R" /usr/sbin/hotplug-online --version
	assert_output "hotplug-online $VERSION"
	SYSFS=$(sysfs_fixture "$R/tmp/sysfs-status")
	run -0 chroot "$R" /usr/sbin/hotplug-online status --sysfs "${SYSFS#"$R"}"
	assert_output --regexp 'offline.*32-39'
	SYSFS=$(sysfs_fixture "$R/tmp/sysfs-online")
	run -0 chroot "$R" /usr/sbin/hotplug-online online --sysfs "${SYSFS#"$R"}"
	assert_equal "$(grep -h "" "$SYSFS"/devices/system/memory/memory3[2-9]/state | sort -u)" online
}

# assert_memory_off_live: the config file in $R ends with the "memory = off"
# a test appended, and the installed helper obeys it: its `online` on a real
# sysfs snapshot leaves the hot-added blocks offline.
assert_memory_off_live() {
	run -0 tail -n 1 "$R/etc/hotplug-online.conf"
	assert_output "memory = off"
	local sysfs
	sysfs=$(sysfs_fixture "$R/tmp/sysfs-edited")
	run -0 chroot "$R" /usr/sbin/hotplug-online online --sysfs "${sysfs#"$R"}"
	assert_equal "$(grep -h "" "$sysfs"/devices/system/memory/memory3[2-9]/state | sort -u)" offline
}

# The lifecycle tests' edit of the config file on the running system, kept
# across upgrades and downgrades (edit_kept: still its last line).
EDIT="# edited here"
edit_kept() {
	run -0 tail -n 1 "$R/etc/hotplug-online.conf"
	assert_output "$EDIT"
}

# What setup leaves in $R: the kernel's auto-online on, the value it
# replaced recorded, in the format both versions read ("knob=value" lines);
# and nothing else in /run/hotplug-online.
set_up_only() {
	assert_equal "$(cat "$R/sys/devices/system/memory/auto_online_blocks")" online
	assert_equal "$(ls -A "$R/run/hotplug-online")" kernel-saved
	assert_equal "$(cat "$R/run/hotplug-online/kernel-saved")" auto_online_blocks=offline
}

# A sysfs tree as `udevadm trigger` and `hotplug-online setup` see one: memory
# blocks 0, 1 (online) and 32, 33 (offline, hot-added), cpu0 and cpu1, each
# with its uevent file and subsystem link, /sys/bus/*/devices links, and the
# kernel's auto_online_blocks at offline, and an empty /sys/class (247 needs one).
fake_sysfs() {
	local s=$1 n state
	mkdir -p "$s/bus/memory/devices" "$s/bus/cpu/devices" "$s/class"
	for n in 0 1 32 33; do
		state=online
		[ "$n" -lt 32 ] || state=offline
		mkdir -p "$s/devices/system/memory/memory$n"
		: > "$s/devices/system/memory/memory$n/uevent"
		echo "$state" > "$s/devices/system/memory/memory$n/state"
		ln -s ../../../../bus/memory "$s/devices/system/memory/memory$n/subsystem"
		ln -s "../../../devices/system/memory/memory$n" "$s/bus/memory/devices/memory$n"
	done
	echo 8000000 > "$s/devices/system/memory/block_size_bytes"
	echo offline > "$s/devices/system/memory/auto_online_blocks"
	for n in 0 1; do
		mkdir -p "$s/devices/system/cpu/cpu$n"
		: > "$s/devices/system/cpu/cpu$n/uevent"
		echo 1 > "$s/devices/system/cpu/cpu$n/online"
		ln -s ../../../../bus/cpu "$s/devices/system/cpu/cpu$n/subsystem"
		ln -s "../../../devices/system/cpu/cpu$n" "$s/bus/cpu/devices/cpu$n"
	done
}

# udev_world CMD: run the shell command line CMD as root in new mount, PID
# and network namespaces where a real systemd-udevd serves the control
# socket, with:
#   /sys  the fake tree $WORLD/sys (fake_sysfs); SYSTEMD_DEVICE_VERIFY_SYSFS=0
#         lets udevadm accept a tree that is no sysfs, as systemd's own tests do
#   /run  $WORLD/run, left for the test to look at; udevd logs (--debug) to
#         /run/udevd.log
#   /dev  a tmpfs with null, zero, random and urandom only: no /dev/log and no
#         /dev/kmsg, so the helper logs nothing into the host's logs
#   /etc/systemd, /var/lib/systemd  empty tmpfs: what systemctl preset and
#         deb-systemd-helper enable write lands there
#   /usr/lib/systemd/system{,-preset}  $WORLD_UNITS, $WORLD_PRESETS if set
#         (the host's and the packaged units and presets)
#   PATH  $WORLD_PATH first (the packaged helper); LC_ALL=C
# $UDEV_ROOT (default /): the root to run in (bullseye's udev), which is then
# PID 1's root too, so no chroot. $UDEVD: running (default), none (no daemon,
# as in a container or an image build) or stopped (SIGSTOPped: it answers
# nothing). The new network namespace keeps the host's kernel uevents away from
# this udevd; nothing here touches the host's /sys, /run or udevd.
udev_world() {
	mkdir -p "$WORLD/run"
	# shellcheck disable=SC2016 # expanded by the shells in the namespaces
	WORLD=$WORLD WORLD_PATH=${WORLD_PATH:-} WORLD_UNITS=${WORLD_UNITS:-} \
		WORLD_PRESETS=${WORLD_PRESETS:-} UDEV_ROOT=${UDEV_ROOT:-/} UDEVD=${UDEVD:-running} CMD=$1 \
		unshare --mount --pid --fork --net sh -c '
		set -e
		r=$UDEV_ROOT
		mount --bind "$WORLD/sys" "$r/sys"
		mount --bind "$WORLD/run" "$r/run"
		mount -t tmpfs tmpfs "$r/dev"
		for n in null zero random urandom; do
			: > "$r/dev/$n" && mount --bind "/dev/$n" "$r/dev/$n"
		done
		for d in etc/systemd var/lib/systemd; do
			if [ -d "$r/$d" ]; then mount -t tmpfs tmpfs "$r/$d"; fi
		done
		if [ -n "$WORLD_UNITS" ]; then
			mount --bind "$WORLD_UNITS" "$r/usr/lib/systemd/system"
			mount --bind "$WORLD_PRESETS" "$r/usr/lib/systemd/system-preset"
		fi
		mount -t proc proc "$r/proc"
		exec chroot "$r" /bin/sh -c "$0"' '
		export SYSTEMD_DEVICE_VERIFY_SYSFS=0 LC_ALL=C PATH="$WORLD_PATH:/usr/sbin:/usr/bin:/sbin:/bin"
		if [ "$UDEVD" != none ]; then
			/lib/systemd/systemd-udevd --debug > /run/udevd.log 2>&1 &
			udevd=$!
			i=0
			while [ ! -S /run/udev/control ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
			# the socket is bound before udevd listens (a ping is refused
			# then): ready when it answers (--ping is in 241 and later; only
			# this harness uses it)
			i=0
			until udevadm control --timeout=5 --ping 2>/dev/null; do
				i=$((i + 1))
				[ $i -lt 100 ] || { echo "udevd did not start" >&2; exit 99; }
				sleep 0.1
			done
			if [ "$UDEVD" = stopped ]; then kill -STOP "$udevd"; fi
		fi
		rc=0
		eval "$CMD" || rc=$?
		if [ -n "${udevd:-}" ]; then kill -CONT "$udevd"; kill "$udevd"; wait "$udevd" || :; fi
		exit $rc'
}

# The uevent files of the world's sysfs, "name: contents" each.
world_uevents() {
	local f
	for f in "$WORLD"/sys/devices/system/*/*/uevent; do
		printf '%s: %s\n' "$(basename "$(dirname "$f")")" "$(cat "$f")"
	done
}

# The maintainer scripts of both packages, as files in DIR: deb/postinst,
# preinst, prerm, postrm and rpm/pre, post, preun, postun, posttrans.
extract_scripts() {
	local dir=$1 tag
	mkdir -p "$dir/deb" "$dir/rpm"
	dpkg-deb -e "$DEB" "$dir/deb"
	for tag in PREIN:pre POSTIN:post PREUN:preun POSTUN:postun POSTTRANS:posttrans; do
		rpm -qp --qf "%{${tag%%:*}}\n" "$RPM" > "$dir/rpm/${tag#*:}"
	done
}
