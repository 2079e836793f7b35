# The VM suite: Debian's kernel under qemu with udevd and the package
# installed from dist/*.deb (see tests/vm/lib.sh).
#   make check-vm   the bats scenarios tests/vm/NNN-*.bats (TCG, no KVM needed)
#   make demo       boot a guest, hot-add 1 GiB and a CPU, with and without
#                   the package, side by side
# Both install what they miss when run as root (apt-get), else name it.
# HPO_VM_ACCEL=tcg|kvm skips the KVM probe; HPO_VM_DEB picks another .deb.
VM_DEB = $(firstword $(wildcard $(DISTDIR)/hotplug-online_$(VERSION)-$(or $(PKG_RELEASE),1)_amd64.deb) \
	$(wildcard $(DISTDIR)/hotplug-online_*_amd64.deb))

vm-deps:
	@bash -c '. tests/vm/lib.sh && vm_deps install'

# One guest per core at a time when GNU parallel is there (bats --jobs runs
# the files side by side; the tests of one file share a guest, in order).
VM_JOBS ?= $(shell command -v parallel >/dev/null 2>&1 && nproc || echo 1)

# old-packages: ea86314's package, the other side of the upgrade and
# downgrade tests and daxctl's negative control, as check-packaging uses it
# (tests/vm/lib.sh, vm_old_deb, finds it in build/old-ea86314).
# The systemd guest's files first: they are the longest (a debootstrap'd
# root, apt runs), and started last they left one job running alone.
VM_FILES = $(sort $(wildcard tests/vm/16*.bats)) \
	$(filter-out tests/vm/16%,$(sort $(wildcard tests/vm/*.bats)))

check-vm: deb old-packages vm-deps
	HPO_VM_DEB=$(VM_DEB) bats --timing $(if $(filter true,$(CI)),--tap) \
		$(if $(filter-out 1,$(VM_JOBS)),--jobs $(VM_JOBS)) $(VM_FILES)

demo: deb vm-deps
	@HPO_VM_DEB=$(VM_DEB) tests/vm/demo.sh

.PHONY: check-vm demo vm-deps

# The systemd guest's scenarios alone (tests/vm/16x-*.bats: Debian 12 with
# systemd as PID 1, tests/vm/systemd/README.md), as check-vm runs them too.
check-vm-systemd: deb old-packages vm-deps
	HPO_VM_DEB=$(VM_DEB) bats --timing $(if $(filter true,$(CI)),--tap) tests/vm/16*-systemd-*.bats

.PHONY: check-vm-systemd
