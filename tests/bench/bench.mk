# make bench: time to usable memory in a real guest, the helper's cost per
# event and per block, auto-movable's per block for one device of up to
# 8192 blocks (tests/bench/, results in tests/bench/RESULTS.md).
# Not part of `make check`: it takes ~50 min on 2 cores (TCG guests).
# Needs root (unshare -m, bind mounts) and ../shared/ beside the clone.
bench: all deb vm-deps $(B)/hotplug-online-test
	.ci/ensure-packages .ci/packages/bench.txt
	$(MAKE) CC=gcc B=$(B)/bench/glibc $(B)/bench/glibc/hotplug-online
	@mkdir -p $(B)/bench
	gcc -O2 -Wall -Wextra -o $(B)/bench/gen-tree tests/bench/gen-tree.c
	tests/bench/bench.sh

# The auto-movable part alone (section 5 of RESULTS.md): no root, no guest,
# ~25 min on 2 cores; raw numbers into tests/bench/raw/automovable*.
bench-automovable: $(B)/hotplug-online-test
	tests/bench/automovable-bench.sh tests/bench/raw
	python3 tests/bench/report.py tests/bench/raw > tests/bench/RESULTS.md

.PHONY: bench bench-automovable
