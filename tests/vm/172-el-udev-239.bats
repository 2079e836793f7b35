#!/usr/bin/env bats
# Issue 18, "RHEL's own udev": the package under RHEL 8's systemd-udevd and
# udevadm (239, built from source by ../shared/el-udev/build into
# build/el-udev/239 once), in place of Debian's in the guest, with that
# release's own rules.
# No `udevadm control --ping`; `-l` sets the log level.
# One guest on 6.1 takes the matrix in turn (el-udev.bash): defaults,
# memory = online_movable, kernel_auto_online = no; then beside the
# release's 40-redhat.rules; a negative control and a CONST{arch} line
# last.  Every block in its zone with one line of the log service, no line
# at warning priority or worse (udevd's rule parsing included), no ATTR
# write to the state of a block our helper onlined.
EL_VER=239
load el-udev

setup_file() { el_boot $EL_VER; }

@test "RHEL 8's udev 239: boots with the package, every rule parses without a word" {
	el_check_boot $EL_VER
}

@test "239 alone, defaults: the kernel onlines a DIMM in Normal; a CPU comes online" {
	el_alone_defaults
}

@test "239 alone, memory = online_movable: the kernel onlines it in Movable" {
	el_alone_movable
}

@test "239 alone, kernel_auto_online = no: the rule's helper onlines it in Movable" {
	el_alone_no_kernel
}

@test "239 + 40-redhat.rules, kernel_auto_online = no: Movable by our helper, RHEL's rule writes nothing" {
	el_redhat_no_kernel
}

@test "239 + 40-redhat.rules, defaults: Normal by the kernel; a CPU by our helper" {
	el_redhat_defaults
}

@test "239 negative control: a rule that reads ATTR{state} before ours makes RHEL's rule write online to each block" {
	el_negative_read_state
}

@test "239: a CONST{arch} line (0.1's rule) parses" {
	el_const_line parsed
}
