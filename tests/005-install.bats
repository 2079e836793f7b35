#!/usr/bin/env bats
# make install and make uninstall into a scratch DESTDIR: what lands where,
# and that a reinstall never overwrites the administrator's configuration.

load test_helper/common

# Each test runs make install: one at a time, not two makes in build/ at once.
setup_file() { export BATS_NO_PARALLELIZE_WITHIN_FILE=true; }

TOP=$BATS_TEST_DIRNAME/..
SHIPPED=$TOP/helper/hotplug-online.conf

setup() {
	common_setup
	DEST=$BATS_TEST_TMPDIR/root
	CONF=$DEST/etc/hotplug-online.conf
}

# The Makefile with none of the calling make's flags (check-unit runs us).
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory "$@"; }

@test "install: an empty DESTDIR gets the helper, rules, man page and the shipped configuration" {
	run -0 --separate-stderr mk install DESTDIR="$DEST"
	assert_line "install -D -m 0644 helper/hotplug-online.conf $CONF"
	run -0 cmp "$SHIPPED" "$CONF"
	assert_equal "$(stat -c %a "$CONF")" 644
	[[ -x $DEST/usr/sbin/hotplug-online && -f $DEST/usr/share/man/man8/hotplug-online.8 ]]
	[[ -n $(find "$DEST" -path '*/udev/rules.d/39-hotplug-online.rules') ]]
	[[ ! -e $CONF.new ]]
}

@test "install twice: an edited configuration survives, the shipped one goes beside it as .new" {
	mk install DESTDIR="$DEST" >/dev/null
	echo 'memory = online_movable' >>"$CONF"
	cp "$CONF" "$BATS_TEST_TMPDIR/edited"
	run -0 --separate-stderr mk install DESTDIR="$DEST"
	assert_equal "$stderr" "$CONF: differs from the shipped file, kept; the shipped one is $CONF.new"
	run -0 cmp "$BATS_TEST_TMPDIR/edited" "$CONF"
	run -0 cmp "$SHIPPED" "$CONF.new"
	# A third install refreshes the .new and still keeps the edit.
	echo stale >"$CONF.new"
	run -0 --separate-stderr mk install DESTDIR="$DEST"
	run -0 cmp "$BATS_TEST_TMPDIR/edited" "$CONF"
	run -0 cmp "$SHIPPED" "$CONF.new"
	# Negative control: what install used to do, a plain install -D of the
	# shipped file, loses the edit, and the comparison above sees it.
	install -D -m 0644 "$SHIPPED" "$CONF"
	run -1 cmp -s "$BATS_TEST_TMPDIR/edited" "$CONF"
}

@test "install twice without an edit: the configuration is left alone, no .new" {
	mk install DESTDIR="$DEST" >/dev/null
	touch -d @86400 "$CONF"   # a reinstall must not even rewrite it
	run -0 --separate-stderr mk install DESTDIR="$DEST"
	assert_line "$CONF: as shipped, left alone"
	assert_equal "$stderr" ''
	assert_equal "$(stat -c %Y "$CONF")" 86400
	[[ ! -e $CONF.new ]]
}

@test "install: a configuration that is a symlink, even a dangling one, is not replaced" {
	mkdir -p "$DEST/etc"
	ln -s /nonexistent/hotplug-online.conf "$CONF"
	run -0 --separate-stderr mk install DESTDIR="$DEST"
	assert_equal "$(readlink "$CONF")" /nonexistent/hotplug-online.conf
	run -0 cmp "$SHIPPED" "$CONF.new"
}

@test "uninstall: removes the helper, rules, man page and .new, keeps the configuration" {
	mk install DESTDIR="$DEST" >/dev/null
	echo '# local' >>"$CONF"
	mk install DESTDIR="$DEST" >/dev/null 2>&1
	[[ -f $CONF.new ]]
	run -0 mk uninstall DESTDIR="$DEST"
	assert_equal "$(cd "$DEST" && find . -type f)" ./etc/hotplug-online.conf
	assert_equal "$(tail -n 1 "$CONF")" '# local'
}

# udev_pc DIR UDEVDIR VERSION: a udev.pc as Debian's systemd ships it.
udev_pc() {
	mkdir -p "$1"
	# shellcheck disable=SC2016   # ${udev_dir} is pkg-config's, not ours
	printf 'udev_dir=%s\nudevdir=${udev_dir}\n\nName: udev\nDescription: udev\nVersion: %s\n' \
		"$2" "$3" >"$1/udev.pc"
}
rules_dir() {
	PKG_CONFIG_LIBDIR=$1 PKG_CONFIG_PATH='' mk -s -n install DESTDIR=/D "${@:2}" |
		sed -n 's|.* /D\(/[^ ]*\)/39-hotplug-online.rules$|\1|p'
}

@test "install: the rules directory is udev.pc's, as on Debian 12 and 13; without one /usr/lib/udev" {
	# bookworm's udev 252 (udev.pc in udev) and trixie's systemd-dev 257.
	udev_pc "$BATS_TEST_TMPDIR/pc12" /lib/udev 252
	udev_pc "$BATS_TEST_TMPDIR/pc13" /usr/lib/udev 257
	mkdir "$BATS_TEST_TMPDIR/none"
	assert_equal "$(rules_dir "$BATS_TEST_TMPDIR/pc12")" /lib/udev/rules.d
	assert_equal "$(rules_dir "$BATS_TEST_TMPDIR/pc13")" /usr/lib/udev/rules.d
	assert_equal "$(rules_dir "$BATS_TEST_TMPDIR/none")" /usr/lib/udev/rules.d
	# The variable wins over udev.pc (the spec passes %{_udevrulesdir}).
	assert_equal "$(rules_dir "$BATS_TEST_TMPDIR/pc12" UDEVRULESDIR=/x/rules.d)" /x/rules.d
}
