#!/usr/bin/env bats
# The built .deb and .rpm: contents, metadata, lint, versions.

load packaging_helper

setup() {
	skip_if_unmet
}

setup_file() {
	need_packages || return 0
}

# "mode path" of every file and link (not directory) in each package, with
# the udev rules and systemd unit directories shown as UDEV/ and UNITS/, minus
# what only one format has; Debian gzips documents over 4 KB (policy 12.3),
# RPM does not. Only the RPM has a preset file: RHEL's presets disable what
# they do not name, while Debian enables units at install (deb-systemd-helper)
# and ignores presets.
deb_files() {
	dpkg-deb --fsys-tarfile "$DEB" | tar -tvf - | awk '$1 !~ /^d/ {
		p = $6; sub(/^\./, "", p); print $1, p }'
}
rpm_files() {
	rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" | awk '$1 !~ /^d/'
}
common() {
	sed -e "s|$1|UDEV|" -e "s|$2/|UNITS/|" \
	    -e '\|/usr/share/doc/hotplug-online/copyright$|d' \
	    -e '\|/usr/share/doc/hotplug-online/changelog.Debian.gz$|d' \
	    -e '\|/usr/share/lintian/overrides/hotplug-online$|d' \
	    -e '\|/usr/share/licenses/hotplug-online/LICENSE$|d' \
	    -e '\|/usr/lib/systemd/system-preset/50-hotplug-online.preset$|d' \
	    -e '\|/usr/lib/.build-id/|d' \
	    -e 's|^\(.* /usr/share/doc/.*\)\.gz$|\1|' | LC_ALL=C sort
}
DEB_UNITS=$(pkg-config --variable=systemdsystemunitdir systemd)

@test "the deb and the rpm ship the same files with the same modes" {
	local deb_udev rpm_udev
	deb_udev=$(pkg-config --variable=udevdir udev)/rules.d
	rpm_udev=/usr/lib/udev/rules.d
	run diff -u <(deb_files | common "$deb_udev" "$DEB_UNITS") \
		<(rpm_files | common "$rpm_udev" /usr/lib/systemd/system)
	assert_success
	assert_equal "$(deb_files | common "$deb_udev" "$DEB_UNITS")" "-rw-r--r-- /etc/hotplug-online.conf
-rw-r--r-- /usr/share/doc/hotplug-online/README.md
-rw-r--r-- /usr/share/man/man8/hotplug-online.8.gz
-rw-r--r-- UDEV/39-hotplug-online.rules
-rw-r--r-- UNITS/hotplug-online-log.service
-rw-r--r-- UNITS/hotplug-online-setup.path
-rw-r--r-- UNITS/hotplug-online-setup.service
-rwxr-xr-x /usr/sbin/hotplug-online"
}

@test "the deb and the rpm own the same directories in /etc" {
	run -0 diff -u <(dpkg-deb -c "$DEB" | awk '$1 ~ /^d/ && $6 ~ /^\.\/etc\/./ {
			p = $6; sub(/^\./, "", p); sub(/\/$/, "", p); print p }' | LC_ALL=C sort) \
		<(rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$RPM" |
			awk '$1 ~ /^d/ && $2 ~ /^\/etc\// { print $2 }' | LC_ALL=C sort)
}

@test "each format puts the rules and units where its udev and systemd read them, and its own docs" {
	run -0 deb_files
	assert_line "-rw-r--r-- $(pkg-config --variable=udevdir udev)/rules.d/39-hotplug-online.rules"
	assert_line "-rw-r--r-- $DEB_UNITS/hotplug-online-setup.service"
	assert_line "-rw-r--r-- /usr/share/doc/hotplug-online/copyright"
	run -0 rpm_files
	assert_line "-rw-r--r-- /usr/lib/udev/rules.d/39-hotplug-online.rules"
	assert_line "-rw-r--r-- /usr/lib/systemd/system/hotplug-online-setup.service"
	assert_line "-rw-r--r-- /usr/lib/systemd/system-preset/50-hotplug-online.preset"
	# %license, %doc, %config(noreplace): l, d, cn
	run -0 rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM"
	assert_line "l /usr/share/licenses/hotplug-online/LICENSE"
	assert_line "d /usr/share/doc/hotplug-online/README.md"
	assert_line "cn /etc/hotplug-online.conf"
	assert_line "d /usr/share/man/man8/hotplug-online.8.gz"
}

@test "the config file is a conffile in both formats" {
	run -0 dpkg-deb -I "$DEB" conffiles
	assert_output "/etc/hotplug-online.conf"
	run -0 rpm -qp --configfiles "$RPM"
	assert_output "/etc/hotplug-online.conf"
}

@test "the rule runs the packaged helper, by its installed path" {
	local dir=$BATS_TEST_TMPDIR rules helpers h
	dpkg-deb -x "$DEB" "$dir/deb"
	(cd "$dir" && mkdir rpm && cd rpm && rpm2cpio "$RPM" | cpio -id --quiet)
	for root in "$dir/deb" "$dir/rpm"; do
		rules=$(find "$root" -name 39-hotplug-online.rules)
		run -0 grep -oE '(RUN\+|IMPORT\{program\})="[^" ]*' "$rules"
		helpers=$(printf '%s\n' "${lines[@]}" | sed 's/^[^"]*"//' | sort -u)
		assert_equal "$helpers" /usr/sbin/hotplug-online
		for h in $helpers; do
			[ -x "$root$h" ]
		done
	done
}

@test "the helper is statically linked in both packages" {
	local dir=$BATS_TEST_TMPDIR
	dpkg-deb -x "$DEB" "$dir/deb"
	(cd "$dir" && mkdir rpm && cd rpm && rpm2cpio "$RPM" | cpio -id --quiet)
	for bin in "$dir/deb/usr/sbin/hotplug-online" "$dir/rpm/usr/sbin/hotplug-online"; do
		run -0 readelf -lW "$bin"
		refute_output --partial INTERP
		run -0 readelf -dW "$bin"
		refute_output --partial NEEDED
	done
	run -0 dpkg-deb -f "$DEB" Static-Built-Using Built-Using
	assert_line "Static-Built-Using: $(dpkg-query -Wf 'musl (= ${source:Version})' musl-dev)"
}

@test "the version agrees: VERSION, spec, debian/changelog, packages, --version, man page" {
	local dir=$BATS_TEST_TMPDIR
	run -0 sed -n 's/^Version: *//p' "$TOP/packaging/rpm/hotplug-online.spec"
	assert_output "$VERSION"
	# the newest %changelog entry is for this version-release
	run -0 sed -n '/^%changelog/{n;p;q}' "$TOP/packaging/rpm/hotplug-online.spec"
	assert_output --regexp " - $VERSION-1\$"
	run -0 dpkg-parsechangelog -l "$TOP/packaging/deb/changelog" -S Version
	assert_output "$VERSION-1"
	run -0 dpkg-deb -f "$DEB" Version
	assert_output "$VERSION-1"
	run -0 rpm -qp --qf '%{VERSION}-%{RELEASE}' "$RPM"
	assert_output "$VERSION-1"
	dpkg-deb -x "$DEB" "$dir/deb"
	(cd "$dir" && mkdir rpm && cd rpm && rpm2cpio "$RPM" | cpio -id --quiet)
	run -0 "$dir/deb/usr/sbin/hotplug-online" --version
	assert_output "hotplug-online $VERSION"
	run -0 "$dir/rpm/usr/sbin/hotplug-online" --version
	assert_output "hotplug-online $VERSION"
	# the man page's header names the same version
	run -0 sed -n 's/^\.TH .*"hotplug-online \([^"]*\)".*/\1/p' "$TOP/helper/hotplug-online.8"
	assert_output "$VERSION"
}

@test "lintian: no errors, no warnings, every override with its reason" {
	run -0 lintian --fail-on error,warning "$DEB"
	refute_output --regexp '^[EW]: '
	# each override line directly follows a comment block
	# shellcheck disable=SC2016 # an awk program
	run -0 awk '/^[^#]/ && prev !~ /^#/ { print "no reason: " $0 } { prev = $0 }' \
		"$TOP/packaging/deb/hotplug-online.lintian-overrides"
	assert_output ""
}

@test "rpmlint: no errors, every warning explained in the spec" {
	local spec=$TOP/packaging/rpm/hotplug-online.spec tag
	run rpmlint -c "$TOP/packaging/rpm/rpmlint.toml" \
		-r "$TOP/packaging/rpm/hotplug-online.rpmlintrc" "$RPM"
	assert_output --regexp ' 0 errors, [0-9]+ warnings'
	refute_output --partial ': E: '
	for tag in $(printf '%s\n' "${lines[@]}" | sed -n 's/^[^ ]*: W: \([^ ]*\).*/\1/p' | sort -u); do
		grep -q "^# - $tag: " "$spec" || fail "rpmlint warning '$tag' not explained in the spec"
	done
	# each filtered error has its reason just above it
	# shellcheck disable=SC2016 # an awk program
	run -0 awk '/^addFilter/ && prev !~ /^#/ { print "no reason: " $0 } { prev = $0 }' \
		"$TOP/packaging/rpm/hotplug-online.rpmlintrc"
	assert_output ""
}
