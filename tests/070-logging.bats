#!/usr/bin/env bats
# Where the lines go: syslog (daemon facility) on /dev/log, a datagram
# socket (rsyslog, journald, busybox) or a stream socket (syslog-ng), then
# /dev/kmsg when nothing listens there; stdout/stderr.

load test_helper/common

udev_add() { # udev_add DEVPATH EXPECTED-STATUS
	ACTION=add DEVPATH=$1 run -"$2" --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
}

# stale_socket TYPE: a socket file at the fake /dev/log that nobody listens
# on any more (bound, then its owner exited): connect() is refused.
stale_socket() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if sys.argv[1] == "dgram" else socket.SOCK_STREAM)
s.bind(sys.argv[2])' "$1" "$HOTPLUG_ONLINE_TEST_DEVLOG"
	[[ -S $HOTPLUG_ONLINE_TEST_DEVLOG ]] || fail "no stale socket"
}

@test "log: priority is daemon|level: info 30, notice 29, err 27" {
	start_devlog
	mksysfs going_offline=1
	hotadd /devices/system/memory/memory4
	udev_add /devices/system/memory/memory1 0
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' udev_add /devices/system/cpu/cpu3 1
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<29>hotplug-online[PID]: memory1: going offline, left alone
<27>hotplug-online[PID]: cpu3: cannot online: Operation not permitted (are you root?)'
	# Nothing went to kmsg while syslog listened.
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "log: a datagram socket gets one message per datagram: no NUL, no newline" {
	start_devlog
	mksysfs offline=2 cpus=3 offline_cpus=1
	run -0 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<30>hotplug-online[PID]: memory5: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<30>hotplug-online[PID]: cpu2: online (by hotplug-online)'
	assert_equal "$(tr -cd '\0\n' <"$DEVLOG_OUT" | wc -c)" 0
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "log: a stream socket (syslog-ng) gets every message of a process, each ending in a NUL" {
	start_devlog stream
	mksysfs offline=2 cpus=3 offline_cpus=1
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -64 ho --sysfs "$SYS" --config "$CFG" online
	devlog_stream
	assert_equal "$stream" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<30>hotplug-online[PID]: memory5: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<27>hotplug-online[PID]: cpu2: cannot online: Operation not permitted (are you root?)'
	# Exactly these bytes: "<30>hotplug-online[PID]: ...\0", three times.
	assert_equal "$(tr -cd '\0' <"$DEVLOG_OUT" | wc -c)" 3
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "log: a stream socket gets the udev online event's line, NUL-terminated" {
	start_devlog stream
	mksysfs
	uevent online /devices/system/memory/memory2
	devlog_stream
	assert_equal "$stream" '<30>hotplug-online[PID]: memory2: online (128 MiB, node 1, zone Normal; by another agent)'
	assert_equal "$(head -c 4 "$DEVLOG_OUT")" '<30>'
	assert_equal "$(cat "$HOTPLUG_ONLINE_TEST_KMSG")" ''
}

@test "log: no /dev/log socket: the line goes to kmsg instead" {
	mksysfs
	[[ ! -e $HOTPLUG_ONLINE_TEST_DEVLOG ]]
	hotadd /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	run -0 cat "$HOTPLUG_ONLINE_TEST_KMSG"
	assert_output --regexp '^<30>hotplug-online\[[1-9][0-9]*\]: memory4: online \(128 MiB, node 1, zone Normal; by hotplug-online as online\)$'
	assert_equal "$(wc -l <"$HOTPLUG_ONLINE_TEST_KMSG")" 1
}

@test "log: kmsg fallback keeps every line of a sweep, in order" {
	start_kmsg
	mksysfs offline=2 cpus=3 offline_cpus=1
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -64 ho --sysfs "$SYS" --config "$CFG" online
	assert_equal "$(kmsg)" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<30>hotplug-online[PID]: memory5: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<27>hotplug-online[PID]: cpu2: cannot online: Operation not permitted (are you root?)'
}

@test "log: /dev/log that is not a socket, or a stale datagram or stream socket: kmsg" {
	mksysfs
	: >"$HOTPLUG_ONLINE_TEST_DEVLOG"
	hotadd /devices/system/cpu/cpu3
	assert_output ''
	[[ $(cat "$HOTPLUG_ONLINE_TEST_KMSG") =~ ^\<30\>hotplug-online\[[0-9]+\]:\ cpu3:\ online\ \(by\ hotplug-online\)$ ]] ||
		fail "kmsg: $(cat "$HOTPLUG_ONLINE_TEST_KMSG")"
	for type in dgram stream; do
		rm -f "$HOTPLUG_ONLINE_TEST_DEVLOG"
		stale_socket "$type"
		: >"$HOTPLUG_ONLINE_TEST_KMSG"
		uevent offline /devices/system/cpu/cpu1
		[[ $(cat "$HOTPLUG_ONLINE_TEST_KMSG") =~ ^\<30\>hotplug-online\[[0-9]+\]:\ cpu1:\ offline$ ]] ||
			fail "$type: kmsg: $(cat "$HOTPLUG_ONLINE_TEST_KMSG")"
	done
}

@test "log: neither /dev/log nor kmsg: the device is still onlined, exit 0" {
	mksysfs
	rm -f "$HOTPLUG_ONLINE_TEST_KMSG"
	hotadd /devices/system/memory/memory4
	assert_equal "$(mem_state 4)" online
	[[ ! -e $HOTPLUG_ONLINE_TEST_KMSG ]] || fail "kmsg was created"
}

@test "log: online prints its lines on stdout and sends them to syslog; errors on stderr" {
	start_devlog
	mksysfs offline=1 cpus=4 offline_cpus=2
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -64 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output $'memory4: onlined as online (128 MiB, node 1, zone Normal)\ncpu3: onlined'
	assert_equal "$stderr" 'hotplug-online: cpu2: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(devlog)" '<30>hotplug-online[PID]: memory4: online (128 MiB, node 1, zone Normal; by hotplug-online as online)
<27>hotplug-online[PID]: cpu2: cannot online: Operation not permitted (are you root?)
<30>hotplug-online[PID]: cpu3: online (by hotplug-online)'
}

@test "log: the transition lines go to syslog only, never to stdout or stderr" {
	start_devlog
	mksysfs
	uevent online /devices/system/memory/memory1
	assert_equal "$output$stderr" ''
	uevent offline /devices/system/memory/memory1
	assert_equal "$output$stderr" ''
	assert_equal "$(devlog | wc -l)" 2
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
