#!/bin/bash
# kernel.sh [SUITE]: print the path of Debian's current amd64 kernel, fetching
# it first if the cache does not have it yet.  The kernel is the one that
# linux-image-amd64 depends on (apt-get download, no install), kept in
# ${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/kernel/ ($HPO_VM_CACHE/kernel
# if set, /var/cache/hotplug-online-vm/kernel without a home) as
# DIR/boot/vmlinuz-VER and DIR/boot/config-VER, plus DIR/boot/vmlinux: the
# same kernel decompressed.  qemu boots that ELF through its PVH entry point,
# which saves the ~6 s that decompressing vmlinuz takes under TCG.  A kernel
# without the PVH note (CONFIG_PVH) is booted as the bzImage instead: the
# path printed is then DIR/boot/vmlinuz-VER.
# Without apt lists or a network, the newest kernel already cached is used.
#
# Two package layouts:
#   Debian <= 13   linux-image-VER-amd64 holds /boot/vmlinuz-VER, /boot/config-VER
#                  and the modules under /lib/modules/VER/
#   Debian 14/sid  linux-image-VER-amd64 is empty and depends on
#                  linux-binary-VER (/usr/lib/modules/VER/vmlinuz),
#                  linux-base-VER (/usr/lib/modules/VER/config) and
#                  linux-modules-VER (the modules: fetched for --modules only)
# The harness needs no module: check-config below fails when an option it
# relies on (ACPI memory and CPU hotplug, the 8250 UART, devtmpfs, ...) is
# not built in.
#
# kernel.sh SUITE (bullseye, trixie, sid, ...): the kernel of that Debian
# release instead, cached under .../kernel/SUITE/.  apt gets its own sources
# list (the host's Debian mirror, "SUITE main"), lists and cache directories
# there, so the host's apt configuration is neither used nor touched; the
# lists are refreshed once a day.
#
# kernel.sh [SUITE] --modules NAME[,NAME...]: print instead the path of an
# uncompressed cpio archive, made once and cached beside the kernel, with
# those modules of the kernel and the ones they depend on (the "depends="
# of their .modinfo), decompressed, under /usr/lib/modules/VER/kernel/, and
# /usr/lib/modules/VER/hpo-vm/NAME.load: the .ko files to insmod for NAME,
# dependencies first.  Append it to the initramfs (lib.sh: vm_initrd_modules)
# and boot with hpo.modules=NAME,...: guest/init loads them before udevd.
# The modules come from linux-image-VER (Debian <= 13) or linux-modules-VER.
# A module built into the kernel (modules.builtin) needs no file: it is left
# out, and its .load file is empty.
set -euo pipefail
suite='' modules=''
while [ $# -gt 0 ]; do
	case $1 in
	--modules) modules=${2:?kernel.sh: --modules needs a list}; shift 2 ;;
	--modules=*) modules=${1#--modules=}; shift ;;
	*) suite=$1; shift ;;
	esac
done
case $suite in
*[!a-z]*) echo "kernel.sh: bad suite name '$suite'" >&2; exit 2 ;;
esac
case $modules in
*[!a-z0-9_,-]*) echo "kernel.sh: bad module list '$modules'" >&2; exit 2 ;;
esac

if [ -n "${HPO_VM_CACHE-}" ]; then
	cache=$HPO_VM_CACHE/kernel
elif [ -n "${XDG_CACHE_HOME-}${HOME-}" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/kernel
else
	cache=/var/cache/hotplug-online-vm/kernel
fi

apt=()
if [ -n "$suite" ]; then
	cache=$cache/$suite
	a=$cache/apt
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/sources.list.d"
	# The host's Debian mirror: the first URI or deb line ending in /debian.
	mirror=$(sed -n -e 's,^URIs: *\([a-z]*://[^ ]*/debian\)/*$,\1,p' \
		-e 's,^deb  *\(\[[^]]*\] *\)\{0,1\}\([a-z]*://[^ ]*/debian\)/* .*,\2,p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1) || true
	echo "deb ${mirror:-http://deb.debian.org/debian} $suite main" > "$a/sources.list"
	apt=(-o "Dir::Etc::sourcelist=$a/sources.list" -o "Dir::Etc::sourceparts=$a/sources.list.d"
		-o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache")
	if [ -z "$(find "$a/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2> /dev/null)" ]; then
		echo "kernel.sh: apt-get update for $suite ($(cut -d' ' -f2 "$a/sources.list"))" >&2
		apt-get "${apt[@]}" update -qq > /dev/null 2>&1 ||
			echo "kernel.sh: apt-get update for $suite failed" >&2
	fi
fi

# A cached kernel is a directory with a file "ok" naming, relative to it, the
# file to boot (empty in caches made before the bzImage fallback: boot/vmlinux).
bootable() {
	local f
	f=$(cat "$1/ok")
	echo "$1/${f:-boot/vmlinux}"
}

# The newest cached kernel (or, with --modules, its modules' archive, if
# made before): for a machine without apt lists or network.
newest_cached() {
	local ok
	ok=$(find "$cache" -mindepth 2 -maxdepth 2 -name ok -type f 2> /dev/null | sort -V | tail -n 1)
	[ -n "$ok" ] || return 1
	if [ -z "$modules" ]; then
		bootable "${ok%/ok}"
	else
		ls "${ok%/ok}/modules-$(module_set).cpio" 2> /dev/null
	fi
}

# The archive's name for the --modules list: sorted, '-' as '_'.
module_set() { echo "$modules" | tr ',-' '\n_' | sed '/^$/d' | sort -u | paste -sd+; }

# Options the guest relies on, built in (=y): the initramfs carries no module.
# ACPI memory and CPU hotplug and the memory block devices, the console and
# the agent's UART, devtmpfs, tmpfs, the initramfs, syslog's unix socket.
check_config() {
	local cfg=$1 opt missing=()
	for opt in ACPI_HOTPLUG_MEMORY ACPI_HOTPLUG_CPU HOTPLUG_CPU MEMORY_HOTPLUG \
		MEMORY_HOTREMOVE SERIAL_8250 SERIAL_8250_CONSOLE DEVTMPFS TMPFS \
		BLK_DEV_INITRD UNIX; do
		grep -qx "CONFIG_$opt=y" "$cfg" || missing+=("$opt")
	done
	if ((${#missing[@]})); then
		echo "kernel.sh: $(basename "$cfg") lacks (as built-in) ${missing[*]}" >&2
		return 1
	fi
}

# The kernel inside a bzImage: the setup header says where the payload
# starts (after (setup_sects + 1) * 512 bytes of real-mode code, at
# payload_offset) and how long it is; its last 4 bytes are the decompressed
# size.  The magic says which compressor made it.
extract_vmlinux() {
	local z=$1 out=$2 sects off len start magic
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$z" | tr -d ' ')
	off=$(od -An -tu4 -j $((0x248)) -N4 "$z" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$z" | tr -d ' ')
	[ "$sects" = 0 ] && sects=4
	start=$(((sects + 1) * 512 + off))
	magic=$(tail -c +"$((start + 1))" "$z" | od -An -tx1 -N6 | tr -d ' ')
	case $magic in
	fd377a585a00) set -- xz -dc ;;
	28b52ffd*) set -- zstd -dcq ;;
	1f8b*) set -- gzip -dc ;;
	*) echo "kernel.sh: unknown compression of '$z' (payload starts $magic)" >&2; return 1 ;;
	esac
	command -v "$1" > /dev/null || { echo "kernel.sh: '$1' is needed to decompress '$z'" >&2; return 1; }
	tail -c +"$((start + 1))" "$z" | head -c "$((len - 4))" | "$@" > "$out"
}

pkg=$(apt-cache "${apt[@]}" depends linux-image-amd64 2> /dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -n 1) || true
if [ -z "$pkg" ]; then
	if newest_cached; then exit 0; fi
	if [ -n "$suite" ]; then
		echo "kernel.sh: no $suite lists (apt-get update from $(cut -d' ' -f2 "$a/sources.list") failed?) and no $suite kernel cached" >&2
	else
		echo "kernel.sh: apt-cache does not know linux-image-amd64: run 'apt-get update' first" >&2
	fi
	exit 1
fi
ver=$(apt-cache "${apt[@]}" policy "$pkg" | sed -n 's/^ *Candidate: //p')
dir=$cache/${pkg}_$ver
if [ ! -f "$dir/ok" ]; then
	echo "kernel.sh: fetching $pkg $ver into $cache" >&2
	# The split layout: the image package only depends on its parts.
	kver=${pkg#linux-image-}
	pkgs=("$pkg=$ver")
	# Read whole, then matched: `apt-cache | grep -q` under pipefail fails
	# when grep stops reading before apt-cache is done writing (SIGPIPE).
	deps=$(apt-cache "${apt[@]}" depends "$pkg=$ver" 2> /dev/null) || true
	if grep -q "Depends: linux-binary-$kver\$" <<< "$deps"; then
		pkgs=("linux-binary-$kver=$ver" "linux-base-$kver=$ver")
	fi
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hpo-kernel.XXXXXX")
	trap 'rm -rf "$tmp" "$dir.new"' EXIT
	# apt drops privileges to _apt for the download when it can write there.
	chmod 0755 "$tmp"
	chown _apt "$tmp" 2> /dev/null || true
	if ! (cd "$tmp" && apt-get "${apt[@]}" download -q "${pkgs[@]}" > /dev/null); then
		if newest_cached; then exit 0; fi
		echo "kernel.sh: 'apt-get download ${pkgs[*]}' failed" >&2
		exit 1
	fi
	rm -rf "$dir.new"
	mkdir -p "$dir.new/boot" "$tmp/x"
	for deb in "$tmp"/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" --wildcards --no-wildcards-match-slash \
			--exclude '*/kernel/*' './boot/*' './usr/lib/modules/*/*' 2> /dev/null || true
	done
	if [ -d "$tmp/x/boot" ]; then
		find "$tmp/x/boot" -maxdepth 1 \( -name 'vmlinuz-*' -o -name 'config-*' \) -exec cp {} "$dir.new/boot/" \;
	fi
	for m in "$tmp"/x/usr/lib/modules/*/; do
		[ -d "$m" ] || continue
		v=$(basename "$m")
		[ ! -f "$m/vmlinuz" ] || cp "$m/vmlinuz" "$dir.new/boot/vmlinuz-$v"
		[ ! -f "$m/config" ] || cp "$m/config" "$dir.new/boot/config-$v"
	done
	z=$(find "$dir.new/boot" -name 'vmlinuz-*' | head -n 1)
	cfg=$(find "$dir.new/boot" -name 'config-*' | head -n 1)
	if [ -z "$z" ] || [ -z "$cfg" ]; then
		echo "kernel.sh: no vmlinuz or config in ${pkgs[*]}" >&2
		exit 1
	fi
	check_config "$cfg"
	extract_vmlinux "$z" "$dir.new/boot/vmlinux" || true
	# XEN_ELFNOTE_PHYS32_ENTRY (0x12): the PVH entry point qemu jumps to.
	if grep -q '^ *Xen .*(0x00000012)' <<< "$(readelf -n "$dir.new/boot/vmlinux" 2> /dev/null)"; then
		boot=boot/vmlinux
	else
		echo "kernel.sh: no PVH-bootable vmlinux in '$z': booting the bzImage (slower under TCG)" >&2
		rm -f "$dir.new/boot/vmlinux"
		boot=boot/${z##*/}
	fi
	echo "$boot" > "$dir.new/ok"
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	trap - EXIT
	rm -rf "$tmp"
fi
[ -n "$modules" ] || { bootable "$dir"; exit 0; }

# The modules' archive: one per set of names.
names=$(module_set | tr + '\n')
mcpio=$dir/modules-$(module_set).cpio
if [ ! -f "$mcpio" ]; then
	kver=${pkg#linux-image-}
	mpkg=$pkg
	get=("$pkg=$ver")
	deps=$(apt-cache "${apt[@]}" depends "$pkg=$ver" 2> /dev/null) || true
	if grep -q "Depends: linux-modules-$kver\$" <<< "$deps"; then
		# modules.builtin is in linux-base.
		mpkg=linux-modules-$kver
		get=("$mpkg=$ver" "linux-base-$kver=$ver")
	fi
	echo "kernel.sh: fetching $mpkg $ver for its modules ($(echo "$names" | paste -sd' '))" >&2
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/hpo-kmods.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	chmod 0755 "$tmp"
	chown _apt "$tmp" 2> /dev/null || true
	if ! (cd "$tmp" && apt-get "${apt[@]}" download -q "${get[@]}" > /dev/null); then
		echo "kernel.sh: 'apt-get download ${get[*]}' failed" >&2
		exit 1
	fi
	mkdir -p "$tmp/x" "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp/x" --wildcards \
			'./lib/modules/*' './usr/lib/modules/*' 2> /dev/null || true
	done
	mdir=$(find "$tmp/x" -mindepth 3 -maxdepth 4 -type d -path '*/lib/modules/*' -name "$kver*" | head -n 1)
	[ -n "$mdir" ] || { echo "kernel.sh: no modules in $mpkg" >&2; exit 1; }
	mver=${mdir##*/}
	out=$tmp/root/usr/lib/modules/$mver
	mkdir -p "$out/hpo-vm"
	# The file of module NAME ('-' and '_' are the same), decompressed into
	# $out; print its path relative to $out, nothing if it is built in.
	module_file() {
		local f rel pat
		pat=${1//[-_]/[-_]}
		f=$(find "$mdir/kernel" -name "$pat.ko" -o -name "$pat.ko.xz" -o -name "$pat.ko.zst" \
			-o -name "$pat.ko.gz" | head -n 1)
		if [ -z "$f" ]; then
			if grep -q "/$pat\.ko\$" "$mdir/modules.builtin" 2> /dev/null; then
				return 0
			fi
			echo "kernel.sh: no module '$1' in $mpkg" >&2
			return 1
		fi
		rel=${f#"$mdir"/}
		rel=${rel%.xz}
		rel=${rel%.zst}
		rel=${rel%.gz}
		if [ ! -f "$out/$rel" ]; then
			mkdir -p "$(dirname "$out/$rel")"
			case $f in
			*.xz) xz -dc "$f" ;;
			*.zst) zstd -dcq "$f" ;;
			*.gz) gzip -dc "$f" ;;
			*) cat "$f" ;;
			esac > "$out/$rel"
		fi
		echo "$rel"
	}
	# NAME's .ko files, dependencies first, each once.
	load_order() {
		local rel dep
		case " $seen " in *" $1 "*) return 0 ;; esac
		seen="$seen $1"
		rel=$(module_file "$1") || return 1
		[ -n "$rel" ] || return 0
		for dep in $(tr '\0' '\n' < "$out/$rel" | sed -n 's/^depends=//p' | head -n 1 | tr ',' ' '); do
			load_order "$dep" || return 1
		done
		echo "$rel"
	}
	for n in $names; do
		seen=''
		load_order "$n" > "$out/hpo-vm/$n.load"
	done
	(cd "$tmp/root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --quiet --null -o -H newc --owner 0:0) > "$mcpio.tmp"
	mv "$mcpio.tmp" "$mcpio"
fi
echo "$mcpio"
