#!/bin/bash
# shellcheck disable=SC2012,SC2013,SC2015  # ls of our own file names; words of /proc/cmdline; && || with true tests
# old-deb.sh [REF]: print the path of the package built from commit REF
# (default $HPO_VM_OLD_REF, else ea86314: the last 0.1 release), the other
# side of the upgrade and downgrade tests.  Built once with `make deb
# GIT_REF=REF` (VERSION as that commit has it) into
# $HPO_VM_BUILD/systemd/deb-REF/ and kept there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
ref=${1:-${HPO_VM_OLD_REF:-ea86314}}
case $ref in *[!A-Za-z0-9._-]*) echo "old-deb.sh: bad ref '$ref'" >&2; exit 2 ;; esac
: "${HPO_VM_BUILD:=$top/build/vm}"
out=$HPO_VM_BUILD/systemd/deb-$ref
deb=$(ls "$out"/hotplug-online_*_amd64.deb 2> /dev/null | head -n 1) || true
if [ -n "$deb" ]; then
	echo "$deb"
	exit 0
fi
mkdir -p "$HPO_VM_BUILD/systemd"
exec 9> "$HPO_VM_BUILD/systemd/.deb-$ref.lock"
flock 9
deb=$(ls "$out"/hotplug-online_*_amd64.deb 2> /dev/null | head -n 1) || true
if [ -z "$deb" ]; then
	version=$(git -C "$top" show "$ref:VERSION")
	rm -rf "$out.new" "$out.build"
	# The outer make's flags (-j, -s, variables) stay out of this build.
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -C "$top" deb GIT_REF="$ref" VERSION="$version" DISTDIR="$out.new" \
		PKG_BUILD="$out.build" > "$out.log" 2>&1; then
		tail -n 20 "$out.log" >&2
		echo "old-deb.sh: make deb GIT_REF=$ref failed (log: $out.log)" >&2
		exit 1
	fi
	rm -rf "$out.build" "$out"
	mv "$out.new" "$out"
	deb=$(ls "$out"/hotplug-online_*_amd64.deb | head -n 1)
fi
echo "$deb"
