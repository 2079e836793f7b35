#!/usr/bin/env bats
# Issue 18, "RHEL's own udev": the package under RHEL 7.0-7.7's systemd-udevd and
# udevadm (219-67.12, built from source by ../shared/el-udev/build into
# build/el-udev/219-67.12 once), in place of Debian's in the guest, with that
# release's own rules.
# 219-67.12 has no CONST{} key (219-72 added it): a rule line that used it
# would be dropped with "unknown key" and "invalid rule" (0.1's rule was).
# Its 40-redhat.rules runs /bin/uname -p and /bin/systemd-detect-virt.
# One guest on 6.1 takes the matrix in turn (el-udev.bash): defaults,
# memory = online_movable, kernel_auto_online = no; then beside the
# release's 40-redhat.rules; a negative control and a CONST{arch} line
# last.  Every block in its zone with one line of the log service, no line
# at warning priority or worse (udevd's rule parsing included), no ATTR
# write to the state of a block our helper onlined.
EL_VER=219-67.12
load el-udev

setup_file() { el_boot $EL_VER; }

@test "RHEL 7.0-7.7's udev 219-67.12: boots with the package, every rule parses without a word" {
	el_check_boot $EL_VER
}

@test "219-67.12 alone, defaults: the kernel onlines a DIMM in Normal; a CPU comes online" {
	el_alone_defaults
}

@test "219-67.12 alone, memory = online_movable: the kernel onlines it in Movable" {
	el_alone_movable
}

@test "219-67.12 alone, kernel_auto_online = no: the rule's helper onlines it in Movable" {
	el_alone_no_kernel
}

@test "219-67.12 + 40-redhat.rules, kernel_auto_online = no: Movable by our helper, RHEL's rule writes nothing" {
	el_redhat_no_kernel
}

@test "219-67.12 + 40-redhat.rules, defaults: Normal by the kernel; a CPU by our helper" {
	el_redhat_defaults
}

@test "219-67.12 negative control: a rule that reads ATTR{state} before ours makes RHEL's rule write online to each block" {
	el_negative_read_state
}

@test "219-67.12 negative control: a CONST{arch} line (0.1's rule) is dropped with \"unknown key\" and \"invalid rule\" at error priority" {
	el_const_line refused
}
