# make bench: time to usable memory in a real guest, the helper's cost per
# event and per block (tests/bench/, results in tests/bench/RESULTS.md).
# Not part of `make check`: it takes ~35 min on 2 cores (TCG guests).
# Needs root (unshare -m, bind mounts) and ../shared/ beside the clone.
bench: all deb vm-deps
	.ci/ensure-packages .ci/packages/bench.txt
	$(MAKE) CC=gcc B=$(B)/bench/glibc $(B)/bench/glibc/hotplug-online
	@mkdir -p $(B)/bench
	gcc -O2 -Wall -Wextra -o $(B)/bench/gen-tree tests/bench/gen-tree.c
	tests/bench/bench.sh

.PHONY: bench
