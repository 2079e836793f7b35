# In-tree packaging (Azure/azure-vm-utils style): make rpm, make deb,
# make check-packaging. Packages land in $(DISTDIR) as
# hotplug-online_<version>-<release>_<arch>.deb and
# hotplug-online-<version>-<release>.<arch>.rpm.
#
# GIT_REF   what to package: empty (default) snapshots the working tree, tracked
#           and untracked files but not ignored ones, without touching the
#           index; set it to a tag or commit for a release build, of this
#           version or an older one: the packaging, VERSION and sources are
#           all that commit's, built in $(B)/pkg-<GIT_REF>.
# PKG_RELEASE  Debian revision / RPM release (default 1).
PKG_NAME    := hotplug-online
PKG_RELEASE ?= 1
DISTDIR     ?= dist
GIT_REF     ?=
PKG_VERSION := $(if $(GIT_REF),$(shell git show '$(GIT_REF):VERSION'),$(VERSION))
PKG_BUILD   := $(B)/pkg$(if $(GIT_REF),-$(GIT_REF))
PKG_TARBALL := $(PKG_BUILD)/$(PKG_NAME)-$(PKG_VERSION).tar.gz
# Debian has rpm but no RPM database of build dependencies, and its rpm
# macros need the additions in packaging/rpm/debian-host.macros.
RPMBUILD_FLAGS ?= $(if $(wildcard /etc/debian_version),--nodeps \
	--load $(CURDIR)/packaging/rpm/debian-host.macros)
# rpmlint wants a Packager; the spec must not carry one (Fedora guidelines).
PACKAGER    ?= $(shell sed -n 's/^Maintainer: *//p' packaging/deb/control)
# Keep our make's flags and command-line variables out of the package builds.
PKG_ENV     := env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES

pkg-tarball:
	@mkdir -p $(PKG_BUILD)
	@set -e; ref='$(GIT_REF)'; \
	if [ -z "$$ref" ]; then \
		idx=$(abspath $(PKG_BUILD))/snapshot.index; rm -f $$idx; \
		GIT_INDEX_FILE=$$idx git add -A; \
		ref=$$(GIT_INDEX_FILE=$$idx git write-tree); rm -f $$idx; \
	fi; \
	git archive --format=tar.gz --prefix=$(PKG_NAME)-$(PKG_VERSION)/ \
		-o $(PKG_TARBALL) $$ref; \
	echo "$(PKG_TARBALL): from $${GIT_REF:-working tree $$ref}"

rpm: pkg-tarball
	rm -rf $(PKG_BUILD)/rpm
	mkdir -p $(PKG_BUILD)/rpm/SOURCES $(PKG_BUILD)/rpm/SPECS $(DISTDIR)
	cp $(PKG_TARBALL) $(PKG_BUILD)/rpm/SOURCES/
	tar -xzOf $(PKG_TARBALL) $(PKG_NAME)-$(PKG_VERSION)/packaging/rpm/$(PKG_NAME).spec \
		| sed 's/^Release:\( *\)1%/Release:\1$(PKG_RELEASE)%/' \
		> $(PKG_BUILD)/rpm/SPECS/$(PKG_NAME).spec
	$(PKG_ENV) rpmbuild -bb $(RPMBUILD_FLAGS) -D "_topdir $(abspath $(PKG_BUILD)/rpm)" \
		-D "packager $(PACKAGER)" \
		$(PKG_BUILD)/rpm/SPECS/$(PKG_NAME).spec
	cp $(PKG_BUILD)/rpm/RPMS/*/$(PKG_NAME)-$(PKG_VERSION)-$(PKG_RELEASE)*.rpm $(DISTDIR)/

deb: pkg-tarball
	rm -rf $(PKG_BUILD)/deb
	mkdir -p $(PKG_BUILD)/deb $(DISTDIR)
	tar -xzf $(PKG_TARBALL) -C $(PKG_BUILD)/deb
	cp -a $(PKG_BUILD)/deb/$(PKG_NAME)-$(PKG_VERSION)/packaging/deb \
		$(PKG_BUILD)/deb/$(PKG_NAME)-$(PKG_VERSION)/debian
	@set -e; if [ '$(PKG_RELEASE)' != 1 ]; then \
		cl=$(PKG_BUILD)/deb/$(PKG_NAME)-$(PKG_VERSION)/debian/changelog; \
		{ printf '%s\n\n  * %s\n\n%s  %s\n\n' \
			'$(PKG_NAME) ($(PKG_VERSION)-$(PKG_RELEASE)) unstable; urgency=medium' \
			'Rebuild.' "$$(sed -n 's/^\( -- .*>\)  .*/\1/p;T;q' $$cl)" \
			"$$(date -R)"; cat $$cl; } > $$cl.new; mv $$cl.new $$cl; fi
	cd $(PKG_BUILD)/deb/$(PKG_NAME)-$(PKG_VERSION) && $(PKG_ENV) dpkg-buildpackage -us -uc -b
	cp $(PKG_BUILD)/deb/$(PKG_NAME)_$(PKG_VERSION)-$(PKG_RELEASE)_*.deb $(DISTDIR)/

# The 0.1 release (the last 0.1.0 commit on main), which the upgrade and
# downgrade tests install beside this version. A commit does not change, so
# its packages are built once into $(OLD_DIST) (make clean drops them).
OLD_REF  := ea86314
OLD_DIST := $(B)/old-$(OLD_REF)

old-packages: $(OLD_DIST)/built
$(OLD_DIST)/built:
	$(MAKE) rpm deb GIT_REF=$(OLD_REF) DISTDIR=$(OLD_DIST)
	touch $@

# Both packages of this tree and the 0.1 release's, side by side (their
# build trees are apart, and a package build mostly waits on its tools)
# unless make runs jobs already; then tests/2*.bats, the files side by side
# where GNU parallel is. A file's tests run in order: the lifecycle tests
# share a root, and 230's and 235's udevd waits (a 5 s timeout) stretched
# beside each other on a loaded machine. Upgrades within this version are
# reinstalls: dpkg and rpm run the same scripts as for a newer release of it,
# without a second build.
PKG_JOBS    = $(if $(filter -j%,$(MAKEFLAGS)),,-j3 -Otarget)
BATS_JOBS   = $(if $(shell command -v parallel 2>/dev/null),--jobs 4 --no-parallelize-within-files)

check-packaging:
	$(MAKE) $(PKG_JOBS) rpm deb old-packages
	HOTPLUG_ONLINE_DIST=$(abspath $(DISTDIR)) HOTPLUG_ONLINE_OLD_DIST=$(abspath $(OLD_DIST)) \
		bats --tap $(BATS_JOBS) tests/2*.bats

.PHONY: pkg-tarball rpm deb old-packages check-packaging
