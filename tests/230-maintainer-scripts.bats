#!/usr/bin/env bats
# The maintainer scripts of both packages where udevd does run, which no
# chroot can show: each script runs as root in private mount and PID
# namespaces (so it is not "chrooted" and /proc/1 is itself), with a tmpfs on
# /run holding a fake udev control socket, and a stub udevadm first in PATH
# that records its arguments. The host's udev is never touched.

load packaging_helper

setup_file() {
	need_packages || return 0
	need_root || return 0
	if ! unshare --mount --pid --fork --mount-proc true 2>/dev/null; then
		export PKG_SKIP="no mount and PID namespaces here"
		return 0
	fi
	local d=$BATS_FILE_TMPDIR
	mkdir -p "$d/deb" "$d/rpm"
	dpkg-deb -e "$DEB" "$d/deb"
	rpm -qp --qf '%{POSTIN}' "$RPM" > "$d/rpm/post"
	rpm -qp --qf '%{POSTUN}' "$RPM" > "$d/rpm/postun"
}

setup() {
	skip_if_unmet
	STUB=$BATS_TEST_TMPDIR/stub
	CALLS=$BATS_TEST_TMPDIR/calls
	mkdir -p "$STUB"
	touch "$CALLS"
	# --ping answers with $PING_RC: 0 for a live udevd, 1 for a hung one
	cat > "$STUB/udevadm" <<-EOF
		#!/bin/sh
		echo "\$*" >> "$CALLS"
		case "\$*" in *--ping*) exit \${PING_RC:-0} ;; esac
	EOF
	chmod 755 "$STUB/udevadm"
}

# script [args]: run it where udevd "runs" ($SOCKET=no: where it does not).
in_udev_world() {
	# shellcheck disable=SC2016 # the script expands in the namespace
	SOCKET=${SOCKET:-yes} STUB=$STUB unshare --mount --pid --fork --mount-proc sh -c '
		mount -t tmpfs tmpfs /run && mkdir /run/udev || exit 99
		if [ "$SOCKET" = yes ]; then
			python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"/run/udev/control\")" ||
				exit 99
		fi
		PATH=$STUB:$PATH exec sh "$@"' sh "$@"
}

RELOAD_AND_REPLAY="control --ping --timeout=5
control --reload
trigger --action=add --subsystem-match=memory --subsystem-match=cpu"
RELOAD="control --ping --timeout=5
control --reload"

@test "deb postinst configure: reload the rules, replay add for memory and cpu" {
	run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postinst" configure ""
	assert_output ""
	assert_equal "$(cat "$CALLS")" "$RELOAD_AND_REPLAY"
}

@test "deb postinst configure on upgrade: the same" {
	run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postinst" configure "$VERSION-1"
	assert_output ""
	assert_equal "$(cat "$CALLS")" "$RELOAD_AND_REPLAY"
}

@test "deb postrm: reload on remove; nothing on upgrade or purge" {
	run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postrm" remove
	assert_output ""
	assert_equal "$(cat "$CALLS")" "$RELOAD"
	: > "$CALLS"
	run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postrm" upgrade "$VERSION-2"
	run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postrm" purge
	assert_equal "$(cat "$CALLS")" ""
}

@test "rpm %post on install and upgrade: reload the rules, replay add" {
	run -0 in_udev_world "$BATS_FILE_TMPDIR/rpm/post" 1
	assert_output ""
	assert_equal "$(cat "$CALLS")" "$RELOAD_AND_REPLAY"
	: > "$CALLS"
	run -0 in_udev_world "$BATS_FILE_TMPDIR/rpm/post" 2
	assert_equal "$(cat "$CALLS")" "$RELOAD_AND_REPLAY"
}

@test "rpm %postun: reload on erase, nothing on upgrade" {
	run -0 in_udev_world "$BATS_FILE_TMPDIR/rpm/postun" 0
	assert_output ""
	assert_equal "$(cat "$CALLS")" "$RELOAD"
	: > "$CALLS"
	run -0 in_udev_world "$BATS_FILE_TMPDIR/rpm/postun" 1
	assert_equal "$(cat "$CALLS")" ""
}

@test "no control socket (container, image build): udevadm is never called" {
	SOCKET=no run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postinst" configure ""
	SOCKET=no run -0 in_udev_world "$BATS_FILE_TMPDIR/rpm/post" 1
	assert_output ""
	assert_equal "$(cat "$CALLS")" ""
}

@test "udevd does not answer the ping: nothing more, and still success" {
	PING_RC=1 run -0 in_udev_world "$BATS_FILE_TMPDIR/deb/postinst" configure ""
	PING_RC=1 run -0 in_udev_world "$BATS_FILE_TMPDIR/rpm/post" 1
	assert_output ""
	assert_equal "$(cat "$CALLS")" "control --ping --timeout=5
control --ping --timeout=5"
}
