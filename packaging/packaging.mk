# In-tree packaging (Azure/azure-vm-utils style): make rpm, make deb,
# make check-packaging. Packages land in $(DISTDIR) as
# hotplug-online_<version>-<release>_<arch>.deb and
# hotplug-online-<version>-<release>.<arch>.rpm.
#
# GIT_REF   what to package: empty (default) snapshots the working tree, tracked
#           and untracked files but not ignored ones, without touching the
#           index; set it to a tag or commit for a release build.
# PKG_RELEASE  Debian revision / RPM release (check-packaging builds a 2 to
#           test upgrades).
PKG_NAME    := hotplug-online
PKG_RELEASE ?= 1
DISTDIR     ?= dist
GIT_REF     ?=
PKG_BUILD   := $(B)/pkg
PKG_TARBALL := $(PKG_BUILD)/$(PKG_NAME)-$(VERSION).tar.gz
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
	git archive --format=tar.gz --prefix=$(PKG_NAME)-$(VERSION)/ \
		-o $(PKG_TARBALL) $$ref; \
	echo "$(PKG_TARBALL): from $${GIT_REF:-working tree $$ref}"

rpm: pkg-tarball
	rm -rf $(PKG_BUILD)/rpm
	mkdir -p $(PKG_BUILD)/rpm/SOURCES $(PKG_BUILD)/rpm/SPECS $(DISTDIR)
	cp $(PKG_TARBALL) $(PKG_BUILD)/rpm/SOURCES/
	tar -xzOf $(PKG_TARBALL) $(PKG_NAME)-$(VERSION)/packaging/rpm/$(PKG_NAME).spec \
		| sed 's/^Release:\( *\)1%/Release:\1$(PKG_RELEASE)%/' \
		> $(PKG_BUILD)/rpm/SPECS/$(PKG_NAME).spec
	$(PKG_ENV) rpmbuild -bb $(RPMBUILD_FLAGS) -D "_topdir $(abspath $(PKG_BUILD)/rpm)" \
		-D "packager $(PACKAGER)" \
		$(PKG_BUILD)/rpm/SPECS/$(PKG_NAME).spec
	cp $(PKG_BUILD)/rpm/RPMS/*/$(PKG_NAME)-$(VERSION)-$(PKG_RELEASE)*.rpm $(DISTDIR)/

deb: pkg-tarball
	rm -rf $(PKG_BUILD)/deb
	mkdir -p $(PKG_BUILD)/deb $(DISTDIR)
	tar -xzf $(PKG_TARBALL) -C $(PKG_BUILD)/deb
	cp -a $(PKG_BUILD)/deb/$(PKG_NAME)-$(VERSION)/packaging/deb \
		$(PKG_BUILD)/deb/$(PKG_NAME)-$(VERSION)/debian
	@set -e; if [ '$(PKG_RELEASE)' != 1 ]; then \
		cl=$(PKG_BUILD)/deb/$(PKG_NAME)-$(VERSION)/debian/changelog; \
		{ printf '%s\n\n  * %s\n\n%s  %s\n\n' \
			'$(PKG_NAME) ($(VERSION)-$(PKG_RELEASE)) unstable; urgency=medium' \
			'Rebuild.' "$$(sed -n 's/^\( -- .*>\)  .*/\1/p;T;q' $$cl)" \
			"$$(date -R)"; cat $$cl; } > $$cl.new; mv $$cl.new $$cl; fi
	cd $(PKG_BUILD)/deb/$(PKG_NAME)-$(VERSION) && $(PKG_ENV) dpkg-buildpackage -us -uc -b
	cp $(PKG_BUILD)/deb/$(PKG_NAME)_$(VERSION)-$(PKG_RELEASE)_*.deb $(DISTDIR)/

# Builds both packages twice (release 1 into $(DISTDIR), release 2 for the
# upgrade tests), then runs tests/2*.bats against them.
check-packaging:
	$(MAKE) rpm deb
	$(MAKE) rpm deb PKG_RELEASE=2 DISTDIR=$(PKG_BUILD)/upgrade
	HOTPLUG_ONLINE_DIST=$(abspath $(DISTDIR)) \
	HOTPLUG_ONLINE_UPGRADE_DIST=$(abspath $(PKG_BUILD)/upgrade) \
		bats --tap tests/2*.bats

.PHONY: pkg-tarball rpm deb check-packaging
