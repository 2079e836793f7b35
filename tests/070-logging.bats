#!/usr/bin/env bats
# Where the lines go: syslog (daemon facility) on /dev/log, a datagram
# socket (rsyslog, journald, busybox) or a stream socket (syslog-ng), then
# /dev/kmsg when nothing listens there (initramfs, early boot); and the
# terminal: info and notice on stdout (online, setup), warnings and errors
# on stderr.  /dev/log and /dev/kmsg are the test's (ns-run).

load test_helper/common

udev_add() { # udev_add DEVPATH EXPECTED-STATUS
	ACTION=add DEVPATH=$1 run -"$2" --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
}

# stale_socket TYPE: a socket file at the fake /dev/log that nobody listens
# on any more (bound, then its owner exited): connect() is refused.
stale_socket() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if sys.argv[1] == "dgram" else socket.SOCK_STREAM)
s.bind(sys.argv[2])' "$1" "$DEVLOG"
	[[ -S $DEVLOG ]] || fail "no stale socket"
}

@test "log: priority is daemon|level: info 30, notice 29, err 27; nothing to kmsg while syslog listens" {
	start_devlog
	mksysfs going_offline=1
	udev_add /devices/system/memory/memory1 0
	udev_add /devices/system/memory/memory99 0
	HOTPLUG_ONLINE_TEST_FAULTS='cpu3=EPERM' udev_add /devices/system/cpu/cpu3 1
	assert_equal "$(logged)" '<30>hotplug-online[PID]: memory1: going offline, left alone
<29>hotplug-online[PID]: memory99: removed before it could be onlined
<27>hotplug-online[PID]: cpu3: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(cat "$KMSG")" ''
	# The syslog line carries the PID of the process that logged it.
	[[ $(devlog_lines) =~ ^\<30\>hotplug-online\[[1-9][0-9]*\]:\  ]] || fail "no PID: $(devlog_lines)"
}

@test "log: a datagram socket gets one message per datagram: no NUL, no newline" {
	start_devlog
	mksysfs offline=2 cpus=3 offline_cpus=1
	echo 'cpu = off' >"$CFG"
	run -1 ho --sysfs "$SYS" --config "$CFG" online memory99 cpu2 memory98
	assert_equal "$(logged)" '<27>hotplug-online[PID]: memory99: cannot open: no such device
<30>hotplug-online[PID]: cpu2: left offline (cpu = off)
<27>hotplug-online[PID]: memory98: cannot open: no such device'
	assert_equal "$(tr -cd '\0\n' <"$DEVLOG_OUT" | wc -c)" 0
	assert_equal "$(cat "$KMSG")" ''
}

@test "log: a stream socket (syslog-ng) gets every message of a process, each ending in a NUL" {
	start_devlog stream
	mksysfs offline=2 cpus=3 offline_cpus=1
	echo 'cpu = off' >"$CFG"
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM' run -64 ho --sysfs "$SYS" --config "$CFG" online
	devlog_stream
	assert_equal "$stream" '<27>hotplug-online[PID]: memory5: cannot online as online: Operation not permitted (are you root?)
<30>hotplug-online[PID]: cpu2: left offline (cpu = off)'
	# Exactly these bytes: "<27>hotplug-online[PID]: ...\0", twice.
	assert_equal "$(tr -cd '\0' <"$DEVLOG_OUT" | wc -c)" 2
	assert_equal "$(head -c 4 "$DEVLOG_OUT")" '<27>'
	assert_equal "$(cat "$KMSG")" ''
}

@test "log: no /dev/log socket: the line goes to kmsg instead, one line each" {
	mksysfs
	[[ ! -e $DEVLOG ]]
	udev_add /devices/system/memory/memory99 0
	HOTPLUG_ONLINE_TEST_FAULTS='memory4=EPERM' udev_add /devices/system/memory/memory4 1
	run -0 cat "$KMSG"
	assert_line --index 0 --regexp '^<29>hotplug-online\[[1-9][0-9]*\]: memory99: removed before it could be onlined$'
	assert_line --index 1 --regexp '^<27>hotplug-online\[[1-9][0-9]*\]: memory4: cannot online as online: Operation not permitted \(are you root\?\)$'
	assert_equal "${#lines[@]}" 2
}

@test "log: /dev/log that is not a socket, or a stale datagram or stream socket: kmsg" {
	mksysfs
	: >"$DEVLOG"
	udev_add /devices/system/memory/memory99 0
	assert_output ''
	[[ $(cat "$KMSG") =~ ^\<29\>hotplug-online\[[0-9]+\]:\ memory99:\ removed\ before\ it\ could\ be\ onlined$ ]] ||
		fail "kmsg: $(cat "$KMSG")"
	for type in dgram stream; do
		rm -f "$DEVLOG"
		stale_socket "$type"
		: >"$KMSG"
		udev_add /devices/system/cpu/cpu9 0
		[[ $(cat "$KMSG") =~ ^\<29\>hotplug-online\[[0-9]+\]:\ cpu9:\ removed\ before\ it\ could\ be\ onlined$ ]] ||
			fail "$type: kmsg: $(cat "$KMSG")"
	done
}

@test "log: neither /dev/log nor kmsg: the device is still onlined, exit 0; an error still reaches stderr" {
	mksysfs
	rm -f "$KMSG"
	udev_add /devices/system/memory/memory4 0
	assert_equal "$(mem_state 4)" online
	HOTPLUG_ONLINE_TEST_FAULTS='memory5=EPERM' udev_add /devices/system/memory/memory5 1
	assert_equal "$stderr" 'hotplug-online: memory5: cannot online as online: Operation not permitted (are you root?)'
	[[ ! -e $KMSG ]] || fail "kmsg was created"
}

@test "log: online prints on stdout and sends to syslog what is not plain success; errors on stderr" {
	start_devlog
	mksysfs offline=1 cpus=4 offline_cpus=2 going_offline=1
	HOTPLUG_ONLINE_TEST_FAULTS='cpu2=EPERM' run -64 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online
	assert_output $'memory1: going offline, left alone\nmemory4: onlined as online (128 MiB, node 1, zone Normal)\ncpu3: onlined'
	assert_equal "$stderr" 'hotplug-online: cpu2: cannot online: Operation not permitted (are you root?)'
	assert_equal "$(logged)" '<30>hotplug-online[PID]: memory1: going offline, left alone
<27>hotplug-online[PID]: cpu2: cannot online: Operation not permitted (are you root?)'
}

@test "log: udev and a dry run print nothing on stdout; a dry run logs nothing" {
	start_devlog
	mksysfs going_offline=1
	udev_add /devices/system/memory/memory1 0
	assert_output ''
	run -0 --separate-stderr ho --sysfs "$SYS" --config "$CFG" online --dry-run memory1 memory4
	assert_output $'memory1: going offline, left alone\nmemory4: would online as online'
	assert_equal "$(logged)" '<30>hotplug-online[PID]: memory1: going offline, left alone'
}

@test "log: refused udev input is logged at err, escaped and cut to a bounded length" {
	start_devlog
	mksysfs
	long="/devices/system/memory/memory4/$(printf 'A%.0s' {1..400})"$'\n'
	ACTION=add DEVPATH=$long run -2 --separate-stderr ho --sysfs "$SYS" --config "$CFG" udev
	assert_stderr_contains "invalid DEVPATH '/devices/system/memory/memory4/AAAA"
	assert_stderr_contains "...': expected /devices/system/memory/memory<N> or /devices/system/cpu/cpu<N>"
	((${#stderr} < 200)) || fail "stderr not bounded: ${#stderr} bytes"
	run -0 logged
	assert_output --regexp "^<27>hotplug-online\\[PID\\]: invalid DEVPATH '/devices/system/memory/memory4/A+\\.\\.\\.': expected"
	((${#output} < 200)) || fail "syslog line not bounded: ${#output} bytes"
	ACTION=$'add\033[2J' DEVPATH=/devices/system/memory/memory4 run -2 --separate-stderr \
		ho --sysfs "$SYS" --config "$CFG" udev
	assert_equal "$stderr" "hotplug-online: invalid ACTION 'add\\x1b[2J'"
}
