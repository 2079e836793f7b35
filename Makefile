# hotplug-online: see README.md.  `make`, `make check`, `make install`.
VERSION      := $(shell cat VERSION)
PREFIX       ?= /usr
SBINDIR      ?= $(PREFIX)/sbin
MANDIR       ?= $(PREFIX)/share/man
SYSCONFDIR   ?= /etc
UDEVDIR      ?= $(shell pkg-config --variable=udevdir udev 2>/dev/null || echo /usr/lib/udev)
UDEVRULESDIR ?= $(if $(UDEVDIR),$(UDEVDIR),/usr/lib/udev)/rules.d
# /lib/systemd/system on Debian 12 (its systemd.pc), /usr/lib/... elsewhere.
SYSTEMDDIR     := $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
SYSTEMDUNITDIR ?= $(if $(SYSTEMDDIR),$(SYSTEMDDIR),/usr/lib/systemd/system)
DESTDIR      ?=

# musl keeps the static helper small (~60 KB); glibc -static works too, only bigger.
CC := $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
# Flags older compilers (EL 7's gcc 4.8) lack are probed, not assumed.
cc-option = $(shell $(CC) -Werror $(1) -c -x c /dev/null -o /dev/null 2>/dev/null && echo $(1))
WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN += -Werror
endif
override CFLAGS := -std=c11 -D_GNU_SOURCE -Os $(WARN) -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fstack-protector-strong \
	$(call cc-option,-fstack-clash-protection) $(call cc-option,-fcf-protection) \
	-DVERSION='"$(VERSION)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' $(CPPFLAGS) $(CFLAGS)
override LDFLAGS := -static -Wl,-z,relro,-z,now -Wl,--gc-sections -Wl,--build-id $(LDFLAGS)

SRC := $(wildcard helper/*.c)
HDR := $(wildcard helper/*.h)
B   := build

UNITS := hotplug-online-setup.service hotplug-online-setup.path hotplug-online-log.service

all: $(B)/hotplug-online $(B)/39-hotplug-online.rules $(addprefix $(B)/,$(UNITS))

$(B)/hotplug-online: $(SRC) $(HDR) VERSION
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SRC)
	@if readelf -l $@ | grep -q INTERP || readelf -d $@ | grep -q NEEDED; then \
		echo "$@: not statically linked" >&2; rm -f $@; exit 1; fi

# Test build: the same source linked with the test seams
# (tests/test_helper/seams.c: errno injector, uname, a test's uevents).
SEAMS := tests/test_helper/seams.c -Wl,--wrap=openat,--wrap=uname,--wrap=recvmsg
$(B)/hotplug-online-test: $(SRC) $(HDR) VERSION tests/test_helper/seams.c
	@mkdir -p $(B)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SRC) $(SEAMS)

# The unit tests' own tools: the log service's tests multicast kernel
# uevents with uevent-send; ns-run runs the helper in a mount namespace
# where /proc/cmdline, /dev/log, /dev/kmsg and /run are the test's.
$(B)/uevent-send $(B)/ns-run: $(B)/%: tests/test_helper/%.c
	@mkdir -p $(B)
	gcc -std=c11 -D_GNU_SOURCE -O2 $(WARN) -o $@ $<

$(B)/39-hotplug-online.rules: rules.d/39-hotplug-online.rules.in
	@mkdir -p $(B)
	sed 's|@SBINDIR@|$(SBINDIR)|g' $< > $@

$(B)/hotplug-online-setup.%: helper/hotplug-online-setup.%.in
	@mkdir -p $(B)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

$(B)/hotplug-online-log.service: helper/hotplug-online-log.service.in
	@mkdir -p $(B)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@

# Once installed, the configuration file is the administrator's: install
# writes it only where there is none.  Beside an edited one it puts the
# shipped file as hotplug-online.conf.new (rpm's .rpmnew) and says so.  A
# package build's fresh DESTDIR always gets the file.
CONF := $(DESTDIR)$(SYSCONFDIR)/hotplug-online.conf

install: all
	install -D -m 0755 $(B)/hotplug-online $(DESTDIR)$(SBINDIR)/hotplug-online
	install -D -m 0644 $(B)/39-hotplug-online.rules $(DESTDIR)$(UDEVRULESDIR)/39-hotplug-online.rules
	install -D -m 0644 helper/hotplug-online.8 $(DESTDIR)$(MANDIR)/man8/hotplug-online.8
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/hotplug-online/hooks.d
	@set -e; if [ ! -e '$(CONF)' ] && [ ! -L '$(CONF)' ]; then \
		echo "install -D -m 0644 helper/hotplug-online.conf $(CONF)"; \
		install -D -m 0644 helper/hotplug-online.conf '$(CONF)'; \
	elif cmp -s helper/hotplug-online.conf '$(CONF)'; then \
		echo "$(CONF): as shipped, left alone"; \
	else \
		echo "install -m 0644 helper/hotplug-online.conf $(CONF).new"; \
		install -m 0644 helper/hotplug-online.conf '$(CONF).new'; \
		echo "$(CONF): differs from the shipped file, kept; the shipped one is $(CONF).new" >&2; \
	fi
	install -D -m 0644 $(B)/hotplug-online-setup.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/hotplug-online-setup.service
	install -D -m 0644 $(B)/hotplug-online-setup.path \
		$(DESTDIR)$(SYSTEMDUNITDIR)/hotplug-online-setup.path
	install -D -m 0644 $(B)/hotplug-online-log.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/hotplug-online-log.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/hotplug-online \
		$(DESTDIR)$(UDEVRULESDIR)/39-hotplug-online.rules \
		$(DESTDIR)$(MANDIR)/man8/hotplug-online.8 '$(CONF).new' \
		$(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(UNITS))
	-rmdir $(DESTDIR)$(SYSCONFDIR)/hotplug-online/hooks.d $(DESTDIR)$(SYSCONFDIR)/hotplug-online

# Every test.  Installs the Debian packages the tests need (as root) or
# says which are missing.
check: deps check-unit lint fuzz-check check-asan check-valgrind check-packaging check-vm

deps:
	.ci/ensure-packages .ci/packages/*.txt

# Building packages (make deb, hence make demo) needs their tools: each is
# installed (as root) or named.  The VM tools come with vm-deps.  The lists
# are Debian's; on an RPM host rpmbuild checks the spec's BuildRequires.
pkg-tarball: | pkg-deps
pkg-deps:
ifneq ($(wildcard /etc/debian_version),)
	@.ci/ensure-packages .ci/packages/base.txt .ci/packages/packaging.txt
else
	@echo "pkg-deps: not Debian; make rpm needs git, make, rpm-build and the spec's BuildRequires (README, Packaging)"
endif

check-unit: all $(B)/hotplug-online-test $(B)/uevent-send $(B)/ns-run
	bats --tap $(UNIT_JOBS) tests/0*.bats tests/1*.bats tests/3*.bats

# No build output or ignored file tracked by git (part of lint, so of check).
check-tree:
	.ci/check-tree

clean:
	rm -rf $(B) dist

# Packaging (make rpm, make deb, check-packaging), the VM suite (make demo,
# check-vm, make soak), fuzzing, sanitizers and analysers (fuzz-check,
# check-asan, check-valgrind, lint) and the benchmarks (make bench, not part
# of check) live beside their files.
include packaging/packaging.mk
include tests/vm/vm.mk
include tests/vm/soak.mk
include tests/fuzz/fuzz.mk
include tests/bench/bench.mk

.PHONY: all install uninstall check deps pkg-deps check-unit check-tree clean
