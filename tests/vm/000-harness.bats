#!/usr/bin/env bats
# The harness itself: the guest agent's channel must carry status, stdout and
# stderr exactly, survive big requests and replies, and recover from a
# request the host gave up on.  Without udevd: only the channel is tested.
load common

setup_file() { guest_boot --append hpo.udev=0; }
teardown_file() { guest_stop; }

@test "agent: exit status, stdout and stderr come back apart" {
	run -3 --separate-stderr vm_sh 'echo out; echo err >&2; exit 3'
	assert_output out
	# shellcheck disable=SC2154 # set by run --separate-stderr
	[[ $stderr == err ]] || fail "stderr was '$stderr'"
}

# The serial line carries ~70 KB/s out and ~8 KB/s in under TCG: enough for
# test output, and these sizes stay below a few seconds.
@test "agent: 64 KiB of binary output arrives intact" {
	sum=$(vm_sh 'head -c 65536 /dev/urandom > /tmp/blob; sha256sum < /tmp/blob' | cut -d' ' -f1)
	got=$(vm_sh 'cat /tmp/blob' | sha256sum | cut -d' ' -f1)
	assert_equal "$got" "$sum"
}

@test "agent: a 16 KiB request (past the tty's 4 KiB buffer) runs whole" {
	script="x='$(head -c 16384 /dev/zero | tr '\0' a)'; echo \${#x}"
	run -0 vm_sh "$script"
	assert_output 16384
}

@test "agent: after a timed-out request, the next one gets its own answer" {
	run -1 vm_sh --timeout 1 'sleep 3; echo late'
	assert_output --partial 'did not finish'
	run -0 vm_sh 'echo fresh'
	assert_output fresh
}

@test "QMP: the guest starts with 512 MiB, no DIMM, 1 of 4 CPUs" {
	run -0 vm_qmp query-memory-devices
	assert_output '[]'
	run -0 vm_qmp query-hotpluggable-cpus
	assert_equal "$(grep -c '"type"' <<< "$output")" 4
	assert_equal "$(grep -c '"qom-path"' <<< "$output")" 1
	run -0 vm_sh 'hpo-vm cpus'
	assert_output 'cpu0 1'
}
