#!/usr/bin/env bats
# What the packages ask of systemd exists in systemd 219 (EL 7), the oldest
# they support: every udevadm subcommand and option in both packages'
# maintainer scripts, every systemctl verb and option in the RPM's scriptlets,
# every directive in the units, each looked up in tests/systemd-219.txt (the
# list, with its source). And the units pass this host's systemd-analyze
# verify (252), with the boot transaction they join.

load packaging_helper

setup_file() {
	need_packages || return 0
	local d=$BATS_FILE_TMPDIR
	extract_scripts "$d/scripts"
	dpkg-deb -x "$DEB" "$d/deb"
}

setup() {
	skip_if_unmet
	LIST=$TOP/tests/systemd-219.txt
}

# "TOOL SUBCOMMAND-OR-OPTION" for each use of TOOL in FILES: udevadm's
# subcommand and then each option as "SUB --opt" ("--opt=" when it takes a
# value); systemctl's verb and each option. Comments and echo'd text aside.
uses() {
	local tool=$1
	shift
	sed -e 's/#.*//' "$@" | grep -o "\\b$tool\\( [^;|&>)]*\\)\\?" |
		awk -v tool="$tool" '{
			cmd = ""
			for (i = 2; i <= NF; i++) {
				w = $i
				if (w ~ /^--/) { sub(/=.*/, "=", w); opt[w] = 1 }
				else if (cmd == "" && w ~ /^[a-z-]+$/) cmd = w
			}
			if (tool == "udevadm") for (o in opt) print tool, cmd, o
			else { print tool, cmd; for (o in opt) print tool, o }
			delete opt
		}' | sort -u
}

# the list's names, "TOOL NAME..." as uses() prints them
listed() {
	awk -v tool="$1" '$1 == tool {
		if (tool == "udevadm") print $1, $2, $3; else print $1, $2 }' "$LIST"
}

@test "the list names its source" {
	run -0 grep -c 'a88abde72169ddc2df77df3fa5bed30725022253' "$LIST"
	run -0 grep -E '^(udevadm|systemctl|unit) ' "$LIST"
	[ "${#lines[@]}" -ge 10 ]
}

@test "udevadm: every subcommand and option the scripts use is in systemd 219" {
	local s=$BATS_FILE_TMPDIR/scripts u
	run -0 uses udevadm "$s"/deb/postinst "$s"/deb/prerm "$s"/deb/postrm "$s"/rpm/*
	[ "${#lines[@]}" -ge 4 ] || fail "found too few uses: $output"
	for u in "${lines[@]}"; do
		listed udevadm | grep -qxF "$u" || fail "not in systemd 219 (tests/systemd-219.txt): $u"
	done
	# and no --ping (systemd 241), outside comments
	run -0 sed 's/#.*//' "$s"/deb/postinst "$s"/deb/prerm "$s"/deb/postrm "$s"/rpm/*
	refute_output --partial -- --ping
}

@test "udevadm control: --timeout= comes before the command it bounds (219, 239)" {
	local s=$BATS_FILE_TMPDIR/scripts
	run -0 sh -c 'sed "s/#.*//" "$@" | grep "udevadm control"' sh \
		"$s"/deb/postinst "$s"/deb/prerm "$s"/deb/postrm "$s"/rpm/*
	[ "${#lines[@]}" -ge 7 ]
	for line in "${lines[@]}"; do
		[[ $line =~ udevadm\ control\ --timeout=[0-9]+\ --reload ]] ||
			fail "--timeout= not first: $line"
	done
}

@test "systemctl: every verb and option the RPM's scriptlets use is in systemd 219" {
	local s=$BATS_FILE_TMPDIR/scripts u
	run -0 uses systemctl "$s"/rpm/*
	[ "${#lines[@]}" -ge 6 ] || fail "found too few uses: $output"
	for u in "${lines[@]}"; do
		listed systemctl | grep -qxF "$u" || fail "not in systemd 219 (tests/systemd-219.txt): $u"
	done
}

@test "units: every directive is in systemd 219" {
	local f key n=0
	for f in "$BATS_FILE_TMPDIR"/deb/lib/systemd/system/hotplug-online-* \
		"$BATS_FILE_TMPDIR"/deb/usr/lib/systemd/system/hotplug-online-*; do
		[ -f "$f" ] || continue
		# shellcheck disable=SC2016 # an awk program
		while read -r key; do
			awk '$1 == "unit" { print $2 }' "$LIST" | grep -qxF "$key" ||
				fail "$(basename "$f"): $key not in systemd 219 (tests/systemd-219.txt)"
			n=$((n + 1))
		done < <(awk '/^\[/ { s = substr($0, 2, length($0) - 2) }
			/^[A-Za-z]+=/ { sub(/=.*/, ""); print s "." $0 }' "$f")
	done
	[ "$n" -ge 20 ] || fail "read only $n directives"
}

@test "units: systemd-analyze verify, alone and in the boot transaction with the enable links" {
	local r=$BATS_TEST_TMPDIR/root dir
	cp -a "$BATS_FILE_TMPDIR/deb" "$r"
	mkdir -p "$r/usr/lib/systemd"
	cp -a /usr/lib/systemd/system "$r/usr/lib/systemd/"
	dir=$(pkg-config --variable=systemdsystemunitdir systemd)
	# the links deb-systemd-helper and systemctl preset make, from [Install]
	mkdir -p "$r/etc/systemd/system/sysinit.target.wants" "$r/etc/systemd/system/paths.target.wants"
	ln -s "$dir/hotplug-online-setup.service" "$r/etc/systemd/system/sysinit.target.wants/"
	ln -s "$dir/hotplug-online-setup.path" "$r/etc/systemd/system/paths.target.wants/"
	ln -s "$dir/hotplug-online-log.service" "$r/etc/systemd/system/sysinit.target.wants/"
	# the units: directives, ExecStart's binary, the man page they name
	MANPATH=$r/usr/share/man run systemd-analyze verify --root="$r" \
		hotplug-online-setup.service hotplug-online-setup.path hotplug-online-log.service
	assert_success
	assert_output ""
	# the boot: no ordering cycle (verify only warns when it breaks one)
	run systemd-analyze verify --man=no --root="$r" default.target \
		hotplug-online-setup.service hotplug-online-setup.path hotplug-online-log.service
	assert_success
	assert_output ""
	# negative control: the path unit with its default dependencies
	sed -i '/^DefaultDependencies=no/d' "$r$dir/hotplug-online-setup.path"
	run systemd-analyze verify --man=no --root="$r" default.target hotplug-online-setup.path
	assert_output --partial 'ordering cycle'
}

@test "units: the service runs before udev's coldplug and sysinit.target, the path watches the config, the log service logs" {
	local dir
	dir=$BATS_FILE_TMPDIR/deb$(pkg-config --variable=systemdsystemunitdir systemd)
	run -0 grep -x 'Before=systemd-udev-trigger.service sysinit.target' "$dir/hotplug-online-setup.service"
	run -0 grep -x 'ExecStart=/usr/sbin/hotplug-online setup' "$dir/hotplug-online-setup.service"
	run grep -x 'RemainAfterExit=.*' "$dir/hotplug-online-setup.service"
	assert_failure
	run -0 grep -x 'PathChanged=/etc/hotplug-online.conf' "$dir/hotplug-online-setup.path"
	# the log service: the helper's `log`, at idle priority, enabled for
	# sysinit.target
	run -0 grep -x 'ExecStart=/usr/sbin/hotplug-online log' "$dir/hotplug-online-log.service"
	run -0 grep -x 'CPUSchedulingPolicy=idle' "$dir/hotplug-online-log.service"
	run -0 grep -x 'WantedBy=sysinit.target' "$dir/hotplug-online-log.service"
}
