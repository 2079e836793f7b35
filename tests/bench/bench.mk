# make bench: time to usable memory in a real guest ((c) against the
# kernel's own auto-online, under qemu -icount and in real time), the log
# service's lines, memory and idle wakeups, the helper's cost per event and
# per block (tests/bench/, results in tests/bench/RESULTS.md).
# Not part of `make check`: it takes about an hour on 2 cores (TCG guests).
# Needs root (unshare -m, bind mounts) and ../shared/ beside the clone.
bench: all deb vm-deps $(B)/hotplug-online-test $(B)/uevent-send
	.ci/ensure-packages .ci/packages/bench.txt
	$(MAKE) CC=gcc B=$(B)/bench/glibc $(B)/bench/glibc/hotplug-online
	@mkdir -p $(B)/bench
	gcc -O2 -Wall -Wextra -o $(B)/bench/gen-tree tests/bench/gen-tree.c
	tests/bench/bench.sh

.PHONY: bench
