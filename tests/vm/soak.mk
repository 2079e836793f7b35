# make soak: tests/vm/soak.sh in the real guest, SOAK_CYCLES (default 50)
# hot-add/online/hot-remove cycles of a 512 MiB movable DIMM in one boot,
# then SOAK_CYCLES / 5 vCPU add/remove cycles (one per boot: qemu 7.2's
# CPU-unplug bug, see tests/vm/README.md).  Per-cycle timings and a summary
# on stdout.  `make check-vm` runs 5 cycles (tests/vm/090-soak.bats).
# Include after tests/vm/vm.mk: it uses VM_DEB and the vm-deps target.
SOAK_CYCLES ?= 50

soak: deb vm-deps
	HPO_VM_DEB=$(VM_DEB) tests/vm/soak.sh $(SOAK_CYCLES)

.PHONY: soak
