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
# The longest files first, so that no job runs alone at the end: the
# systemd guest's (a debootstrap'd root, apt runs) and RHEL's udevd (each
# builds its udevd once, about 100 s on a fresh machine).  160 builds the
# root while 170 and 171 build udevd: 161, which waits for the root, comes
# after them, so that no job waits on another's build.
VM_FIRST = tests/vm/160-systemd-golden.bats tests/vm/170-el-udev-219-67.bats \
	tests/vm/171-el-udev-219-78.bats tests/vm/161-systemd-apt.bats tests/vm/172-el-udev-239.bats
VM_FILES = $(VM_FIRST) $(filter-out $(VM_FIRST),$(sort $(wildcard tests/vm/*.bats)))

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
