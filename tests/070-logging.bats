#!/usr/bin/env bats
# Where the lines go: syslog (daemon facility), /dev/kmsg when nothing
# listens on /dev/log, stdout/stderr.

load test_helper/common

udev_add() { # udev_add DEVPATH EXPECTED-STATUS
	ACTION=add DEVPATH=$1 run -"$2" --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
}

@test "log: priority is daemon|level: info 30, notice 29, err 27" {
	start_devlog
	mksysfs going_offline=1
	udev_add /devices/system/memory/memory4 0
	udev_add /devices/system/memory/memory1 0
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' udev_add /devices/system/cpu/cpu3 1
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: onlined as online (128 MiB, node 1, zone Normal)
<29>hotplug-online[PID]: memory1: going offline, left alone
<27>hotplug-online[PID]: cpu3: cannot online: Operation not permitted (are you root?)'
	# Nothing went to kmsg while syslog listened.
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "log: no /dev/log socket: the line goes to kmsg instead" {
	mksysfs
	[[ ! -e $HOTPLUG_ONLINE_TEST_DEVLOG ]]
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(mem_state 4)" online
	run -0 cat "$HOTPLUG_ONLINE_TEST_KMSG"
	assert_output --regexp '^<30>hotplug-online\[[1-9][0-9]*\]: memory4: onlined as online \(128 MiB, node 1, zone Normal\)$'
	assert_equal "$(wc -l <"$HOTPLUG_ONLINE_TEST_KMSG")" 1
}

@test "log: kmsg fallback keeps every line of a sweep, in order" {
	start_kmsg
	mksysfs offline=2 cpus=3 offline_cpus=1
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -64 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(kmsg)" '<30>hotplug-online[PID]: memory4: onlined as online (128 MiB, node 1, zone Normal)
<30>hotplug-online[PID]: memory5: onlined as online (128 MiB, node 1, zone Normal)
<27>hotplug-online[PID]: cpu2: cannot online: Operation not permitted (are you root?)'
}

@test "log: /dev/log that is not a socket, or a stale socket: kmsg" {
	mksysfs
	: >"$HOTPLUG_ONLINE_TEST_DEVLOG"
	udev_add /devices/system/cpu/cpu3 0
	assert_output ''
	[[ $(cat "$HOTPLUG_ONLINE_TEST_KMSG") =~ ^\<30\>hotplug-online\[[0-9]+\]:\ cpu3:\ onlined$ ]] ||
		fail "kmsg: $(cat "$HOTPLUG_ONLINE_TEST_KMSG")"
	# A socket nobody listens on any more.
	rm -f "$HOTPLUG_ONLINE_TEST_DEVLOG"
	start_devlog
	kill "$DEVLOG_PID"
	wait "$DEVLOG_PID" || true
	DEVLOG_PID=
	: >"$HOTPLUG_ONLINE_TEST_KMSG"
	udev_add /devices/system/cpu/cpu2 0
	[[ $(cat "$HOTPLUG_ONLINE_TEST_KMSG") =~ ^\<30\>hotplug-online\[[0-9]+\]:\ cpu2:\ onlined$ ]] ||
		fail "kmsg: $(cat "$HOTPLUG_ONLINE_TEST_KMSG")"
}

@test "log: neither /dev/log nor kmsg: the device is still onlined, exit 0" {
	mksysfs
	rm -f "$HOTPLUG_ONLINE_TEST_KMSG"
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(mem_state 4)" online
	[[ ! -e $HOTPLUG_ONLINE_TEST_KMSG ]] || fail "kmsg was created"
}

@test "log: online prints its lines on stdout and sends them to syslog; errors on stderr" {
	start_devlog
	mksysfs offline=1 cpus=4 offline_cpus=2
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -64 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output $'memory4: onlined as online (128 MiB, node 1, zone Normal)\ncpu3: onlined'
	assert_equal "$stderr" 'hotplug-online: cpu2: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: onlined as online (128 MiB, node 1, zone Normal)
<27>hotplug-online[PID]: cpu2: cannot online: Operation not permitted (are you root?)
<30>hotplug-online[PID]: cpu3: onlined'
}

@test "log: refused udev input is logged at err, escaped and cut to a bounded length" {
	start_devlog
	mksysfs
	long="/devices/system/memory/memory4/$(printf 'A%.0s' {1..400})"$'\n'
	ACTION=add DEVPATH=$long run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "invalid DEVPATH '/devices/system/memory/memory4/AAAA"
	assert_stderr_contains "...': expected /devices/system/memory/memory<N> or /devices/system/cpu/cpu<N>"
	((${#stderr} < 200)) || fail "stderr not bounded: ${#stderr} bytes"
	run -0 devlog
	assert_output --regexp "^<27>hotplug-online\\[PID\\]: invalid DEVPATH '/devices/system/memory/memory4/A+\\.\\.\\.': expected"
	((${#output} < 200)) || fail "syslog line not bounded: ${#output} bytes"
}
