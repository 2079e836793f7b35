#!/usr/bin/env bats
# The spec as EL builds it (rpmbuild -D 'rhel N', glibc-static): without a
# static C library it says which repository to enable, when the spec is read
# and as the error that stops %build; with one it builds.

load packaging_helper

setup_file() {
	need_packages || return 0
}

setup() {
	skip_if_unmet
	TARBALL=$TOP/build/pkg/hotplug-online-$VERSION.tar.gz
	[ -f "$TARBALL" ] || fail "'$TARBALL' missing: make check-packaging builds it"
}

# rpmbuild_el N [rpmbuild args...]: %prep and %build of the spec as on EL N,
# from the tarball make rpm built, in a scratch _topdir.
rpmbuild_el() {
	local el=$1
	shift
	TOPDIR=$BATS_TEST_TMPDIR/rpm-el$el
	mkdir -p "$TOPDIR"
	run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL rpmbuild -bc --nodeps \
		--load "$TOP/packaging/rpm/debian-host.macros" \
		-D "_topdir $TOPDIR" -D "_sourcedir $(dirname "$TARBALL")" -D "rhel $el" "$@" \
		"$TOP/packaging/rpm/hotplug-online.spec"
}

# A real gcc asked for a libc.a that is not installed: the 32-bit one (a
# build for i686 needs glibc-static.i686 just so).
no_static_libc() {
	[ "$(gcc -m32 -print-file-name=libc.a)" = libc.a ] ||
		skip "this host has a 32-bit static libc: no missing library to ask for"
}

@test "EL 7, 8, 9 without glibc-static: warned when read, %build stops, each naming its repository" {
	no_static_libc
	local el repo
	for el in 7 8 9; do
		case $el in
		7) repo='(CentOS 7: base repository; RHEL 7: subscription-manager repos --enable rhel-7-server-optional-rpms)' ;;
		8) repo="from PowerTools (dnf config-manager --set-enabled powertools; RHEL 8: subscription-manager repos --enable codeready-builder-for-rhel-8-$RPM_ARCH-rpms)" ;;
		9) repo="from CRB (dnf config-manager --set-enabled crb; RHEL: subscription-manager repos --enable codeready-builder-for-rhel-9-$RPM_ARCH-rpms)" ;;
		esac
		rpmbuild_el "$el" -D 'optflags -O2 -m32'
		assert_failure
		assert_line "warning: hotplug-online: no static C library for this build; install glibc-static $repo"
		assert_line "hotplug-online: no static C library for this build; install glibc-static $repo"
		assert_output --partial 'error: Bad exit status from'
		# It stopped before compiling anything.
		refute_output --partial 'helper/main.c'
		[ -z "$(find "$TOPDIR/BUILD" -name hotplug-online -type f)" ]
	done
}

@test "EL 8 with the static libc (the control): no warning, %build links the helper with glibc" {
	rpmbuild_el 8
	assert_success
	refute_output --partial 'no static C library'
	assert_output --partial 'make -j'
	bin=$(find "$TOPDIR/BUILD" -path '*/build/hotplug-online' -type f)
	[ -n "$bin" ]
	run -0 readelf -lW "$bin"
	refute_output --partial INTERP
	# glibc, not musl: the EL default (bcond_with musl).
	run -0 strings -a "$bin"
	assert_output --partial 'glibc'
}
