#!/usr/bin/env bats
# The guest's tools that later scenarios build on, each against its negative
# control, in one guest: the boot-time run of hotplug-online-setup.service's
# ExecStart= (hpo-vm-unit exec, before udevd; a test unit here) and the log
# service's (hpo-vm-unit start, in the background), hpo-vm memhp (the
# kernel's memory hotplug policy), hpo-vm execs (execs counted by the
# kernel's sched_process_exec tracepoint) and hpo-vm-pkg (dpkg's order of
# maintainer scripts for install, upgrade, remove, purge, with systemctl
# stand-ins).  hpo.setup=0 (runs nothing) is checked in 121-matrix-6.12.
load common

# A unit in /etc/systemd/system (an administrator's override) wins over
# what the package ships: the boot runs the test's commands instead of
# setup, so the 6.1 kernel keeps auto_online_blocks at "offline" and the
# rule's helper onlines hot-added memory.  `pidof` fails while no udevd
# runs (its status is logged, '-' ignores it).
setup_file() {
	local u=$BATS_FILE_TMPDIR/unit/etc/systemd/system
	mkdir -p "$u"
	cat > "$u/hotplug-online-setup.service" <<- 'EOF'
		[Unit]
		Description=test stand-in for hotplug-online's setup unit
		DefaultDependencies=no
		Before=systemd-udev-trigger.service

		[Service]
		Type=oneshot
		ExecStart=-/usr/bin/pidof systemd-udevd
		ExecStart=/bin/touch /run/hpo-test-setup-ran
		ExecStart=/bin/echo setup ran, \
		  continued
	EOF
	vm_initrd_plus "$BATS_FILE_TMPDIR/initramfs-unit.cpio" "$BATS_FILE_TMPDIR/unit"
	HPO_VM_INITRD=$BATS_FILE_TMPDIR/initramfs-unit.cpio guest_boot --append 'hpo.pkg=installed hpo.coldplug=hotplug'
}
teardown_file() { guest_stop; }

export HPO_VM_DIR=$BATS_FILE_TMPDIR/vm

@test "boot: the setup unit's ExecStart= commands ran before udevd, output in syslog" {
	run -0 vm_sh 'cat /run/hpo-vm-unit/hotplug-online-setup.service.log; test -e /run/hpo-test-setup-ran && echo ran'
	assert_line '/usr/bin/pidof systemd-udevd -> 1'
	assert_line '/bin/touch /run/hpo-test-setup-ran -> 0'
	assert_line 'ran'
	run -0 vm_sh 'grep "hotplug-online-setup: " /var/log/messages'
	assert_output --regexp 'daemon\.info hotplug-online-setup: setup ran, continued$'
	run -0 vm_sh 'pidof systemd-udevd'
}

@test "boot: the log service runs in the background; stop, status and start as systemctl" {
	run -0 vm_sh "hpo-vm-unit status $LOGD; pidof hotplug-online; cat /proc/\$(pidof hotplug-online)/cmdline | tr '\\0' ' '"
	[[ ${lines[0]} =~ ^active\ ([0-9]+)$ ]] || fail "not started at boot: $output"
	assert_equal "${lines[1]}" "${BASH_REMATCH[1]}"
	assert_equal "${lines[2]}" '/usr/sbin/hotplug-online log '
	run -3 vm_sh "hpo-vm-unit stop $LOGD; hpo-vm-unit status $LOGD"
	assert_output inactive
	run -1 vm_sh 'pidof hotplug-online'
	run -0 vm_sh "hpo-vm-unit start $LOGD && hpo-vm-unit status $LOGD"
	assert_output --regexp '^active [0-9]+$'
	run -0 vm_sh "tail -n 2 /run/hpo-vm-unit/$LOGD.log"
	assert_line --regexp '^stopped [0-9]+$'
	assert_line --regexp '^/usr/sbin/hotplug-online log -> started [0-9]+$'
}

@test "memhp: auto_online_blocks and the memory_hotplug parameters of 6.1" {
	run -0 vm_sh 'hpo-vm memhp'
	# No setup ran: the kernel's own default.
	assert_line 'auto_online_blocks offline'
	assert_line --regexp '^online_policy (contig-zones|auto-movable)$'
	assert_line --regexp '^auto_movable_ratio [0-9]+$'
	# The values follow the kernel: change two and read them back.
	# shellcheck disable=SC2016 # expanded in the guest
	run -0 vm_sh 'm=/sys/devices/system/memory/auto_online_blocks p=/sys/module/memory_hotplug/parameters/auto_movable_ratio
		a=$(cat $m) r=$(cat $p)
		echo online_movable > $m; echo 123 > $p; hpo-vm memhp
		echo $a > $m; echo $r > $p'
	assert_line 'auto_online_blocks online_movable'
	assert_line 'auto_movable_ratio 123'
	# A kernel without auto_online_blocks: "absent".
	run -0 vm_sh 'mount --bind /tmp /sys/devices/system/memory && hpo-vm memhp; umount /sys/devices/system/memory'
	assert_line 'auto_online_blocks absent'
}

@test "execs: one helper exec per block of a DIMM the kernel leaves offline, none without a hot-add" {
	run -0 vm_sh 'hpo-vm execs start && sleep 1 && hpo-vm execs count'
	assert_output 0
	add_dimm 256M
	wait_blocks online
	vm_sh 'udevadm settle --timeout=30'
	run -0 vm_sh 'hpo-vm execs list; hpo-vm execs stop'
	assert_equal "${#lines[@]}" "${#BLOCKS[@]}"
	for l in "${lines[@]}"; do
		[[ $l =~ ^[0-9]+\.[0-9]+\ [0-9]+\ /usr/sbin/hotplug-online$ ]] || fail "bad record '$l'"
	done
	# The log service logs them (the helper does not log a plain success).
	assert_logged_once "${BLOCKS[@]}"
	assert_no_failure_logged
	# Another pattern sees other programs: the tracepoint is not the helper's.
	run -0 vm_sh "hpo-vm execs start '*/true' && /bin/true && hpo-vm execs count && hpo-vm execs stop"
	assert_output 1
}

@test "hpo-vm-pkg: remove keeps the conffile, purge drops it, install and upgrade run postinst configure [OLDVERSION]; the log service follows" {
	run -0 vm_sh 'hpo-vm-pkg status'
	assert_output --regexp '^installed [0-9]'
	run -0 vm_sh "hpo-vm-pkg remove && hpo-vm-pkg status; ls /usr/sbin/hotplug-online /etc/hotplug-online.conf 2>&1; ls /usr/lib/udev/rules.d | grep -c hotplug-online || true; hpo-vm-unit status $LOGD || true"
	assert_line --regexp '^config-files '
	assert_line --partial '/usr/sbin/hotplug-online: No such file'
	assert_line /etc/hotplug-online.conf
	assert_line 0
	assert_line inactive
	run -0 vm_sh 'hpo-vm-pkg purge && hpo-vm-pkg status; ls /etc/hotplug-online.conf /var/lib/dpkg/info 2>&1; true'
	assert_line not-installed
	assert_line --partial '/etc/hotplug-online.conf: No such file'
	run -0 vm_sh "hpo-vm-pkg install && hpo-vm-unit status $LOGD"
	assert_output --regexp '^active [0-9]+$'
	first=${output#active }
	run -0 vm_sh "hpo-vm-pkg upgrade 0.0.1-1 && hpo-vm-pkg status && hpo-vm-unit status $LOGD && pidof hotplug-online"
	assert_line -n 0 --regexp '^installed [0-9]'
	assert_line -n 1 --regexp '^active [0-9]+$'
	# Restarted: one process, not the one before.
	refute_line "active $first"
	assert_equal "${lines[2]}" "${lines[1]#active }"
	# The scripts ran in dpkg's order, with dpkg's arguments (console log).
	run -0 bash -c "tr -d '\\r' < '$HPO_VM_DIR/console.log' | grep -aE '^(hpo-vm-pkg|systemctl \\(hpo-vm-pkg\\)): '"
	printf '# %s\n' "${lines[@]}" >&3
	assert_line --regexp '^hpo-vm-pkg: hotplug-online.postrm remove$'
	assert_line --regexp '^hpo-vm-pkg: hotplug-online.postrm purge$'
	assert_line --regexp '^hpo-vm-pkg: hotplug-online.postinst configure$'
	assert_line --regexp '^hpo-vm-pkg: hotplug-online.postrm upgrade [0-9]'
	assert_line 'hpo-vm-pkg: hotplug-online.postinst configure 0.0.1-1'
	# A script that fails makes the command fail with its status.
	run -0 vm_sh 'cp /var/lib/dpkg/info/hotplug-online.postinst /tmp/p
		printf "#!/bin/sh\nexit 7\n" > /usr/local/share/hotplug-online-vm/deb/control/postinst
		hpo-vm-pkg upgrade 0.1.0-1; echo "status $?"
		cp /tmp/p /usr/local/share/hotplug-online-vm/deb/control/postinst'
	assert_line 'status 7'
}
