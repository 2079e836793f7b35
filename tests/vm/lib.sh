# shellcheck shell=bash
# tests/vm/lib.sh: the VM harness as shell functions, for the bats scenarios,
# `make demo`, and later the benchmark and soak scripts.  Source it, then:
#
#   vm_prepare [DEB]         kernel (cached), initramfs with DEB, accelerator;
#                            sets HPO_VM_KERNEL, HPO_VM_INITRD, HPO_VM_ACCEL
#   vm_boot DIR [ARGS...]    boot a guest whose state lives in DIR and make it
#                            the current one (HPO_VM_DIR); ARGS go to
#                            `vmctl boot` (--append 'hpo.pkg=installed',
#                            --mem 2G, --maxmem 64G, --maxcpus 8,
#                            --online-capable for CPU hot-add on 6.12+, ...)
#   vm_sh SCRIPT             run SCRIPT in the guest, its output and status
#   vm_add_memory SIZE       hot-add a DIMM, prints "ID ADDR SIZE"
#   vm_add_cpu               hot-add a vCPU, prints its device ID
#   vm_del ID                hot-remove a device, waits until qemu drops it
#   vm_qmp CMD [JSON]        any QMP command
#   vm_stop                  power the current guest off
#   vm_initrd_plus OUT DIR   OUT: the initramfs with the files of DIR added
#                            (a second cpio archive appended; the kernel
#                            unpacks both), for a guest that needs more
#   vm_kernel_of SUITE       path of Debian SUITE's kernel (e.g. bullseye),
#                            fetched into the cache first (kernel.sh SUITE)
#   vm_initrd_modules OUT SUITE MODULES
#                            OUT: the initramfs plus the kernel modules
#                            MODULES (a,b,...) of SUITE's kernel ('' for the
#                            default one) and their dependencies; boot it
#                            with --append hpo.modules=MODULES
#   vm_initrd_tools OUT PROGRAM...
#                            OUT: the initramfs plus the host's PROGRAMs
#                            (names in PATH or paths) and every library ldd
#                            lists for them, at their merged-/usr paths (e.g.
#                            ndctl and daxctl from Debian's packages)
#   vm_old_deb               path of the package built from the 0.1 release
#                            (commit ea86314): $HPO_VM_OLD_DEB, else the one
#                            in build/old-ea86314/, else built there first
#                            (make old-packages, as check-packaging does)
#
# In the guest, `hpo-vm` answers questions (blocks, cpus, memtotal, wait,
# log: see guest/hpo-vm), `hpo-vm-pkg install` installs the package, and the
# syslog is /var/log/messages.
#
# Environment: HPO_VM_DEB (the .deb; default: newest in dist/),
# HPO_VM_ACCEL (auto|kvm|tcg, default auto: KVM only if a probe guest boots
# under it), HPO_VM_BUILD (default build/vm), HPO_VM_CACHE (kernel cache).

HPO_VM_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HPO_VM_TOP=$(cd "$HPO_VM_LIB/../.." && pwd)
: "${HPO_VM_BUILD:=$HPO_VM_TOP/build/vm}"
HPO_VM_CTL=$HPO_VM_LIB/vmctl
# vmctl boot --online-capable keeps qemu's upgraded ACPI tables there.
: "${HPO_VM_ACPI_CACHE:=$HPO_VM_BUILD/acpi}"
export HPO_VM_ACPI_CACHE

# vm_deps check|install: say which tools are missing and which Debian
# package has each; "install", as root, apt-get installs them instead.
vm_deps() {
	local missing=() pkgs=() pair cmd pkg
	for pair in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static \
		cpio:cpio /lib/systemd/systemd-udevd:udev python3:python3 \
		xz:xz-utils zstd:zstd dpkg-deb:dpkg readelf:binutils bats:bats \
		/usr/lib/bats/bats-assert/load.bash:bats-assert \
		/usr/lib/bats/bats-support/load.bash:bats-support \
		/usr/share/base-passwd/group.master:base-passwd \
		/usr/share/seabios/bios-256k.bin:seabios \
		/usr/share/qemu/pvh.bin:qemu-system-data \
		ndctl:ndctl daxctl:daxctl; do
		cmd=${pair%%:*} pkg=${pair#*:}
		if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue; else
			command -v "$cmd" > /dev/null && continue; fi
		# busybox from busybox-static only: the initramfs needs the static one.
		missing+=("$cmd") pkgs+=("$pkg")
	done
	if ! [[ -x /bin/busybox ]] || ldd /bin/busybox > /dev/null 2>&1; then
		missing+=("static /bin/busybox") pkgs+=(busybox-static)
	fi
	((${#pkgs[@]})) || return 0
	if [[ ${1-} == install && $(id -u) == 0 ]]; then
		echo "vm: installing ${pkgs[*]}" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"${pkgs[@]}" > /dev/null || return 1
		return 0
	fi
	echo "vm: missing ${missing[*]}; as root: apt-get install --no-install-recommends ${pkgs[*]}" >&2
	return 1
}

# The project's .deb: $HPO_VM_DEB, else the newest in dist/.
vm_deb() {
	if [[ -n ${HPO_VM_DEB-} ]]; then
		[[ -f $HPO_VM_DEB ]] || { echo "vm: no package '$HPO_VM_DEB'" >&2; return 1; }
		echo "$HPO_VM_DEB"
		return
	fi
	local deb
	deb=$(find "$HPO_VM_TOP/dist" -maxdepth 1 -name 'hotplug-online_*_amd64.deb' \
		-printf '%T@ %p\n' 2> /dev/null | sort -n | tail -n 1 | cut -d' ' -f2-)
	[[ -n $deb ]] || { echo "vm: no dist/hotplug-online_*_amd64.deb: run 'make deb'" >&2; return 1; }
	echo "$deb"
}

vm_prepare() {
	local deb=${1-}
	[[ -n $deb ]] || deb=$(vm_deb) || return 1
	HPO_VM_KERNEL=$("$HPO_VM_LIB/kernel.sh") || return 1
	HPO_VM_INITRD=$HPO_VM_BUILD/initramfs.cpio
	"$HPO_VM_LIB/mkinitramfs.sh" "$HPO_VM_INITRD" "$deb" || return 1
	export HPO_VM_KERNEL HPO_VM_INITRD
	vm_accel > /dev/null
}

# The accelerator: HPO_VM_ACCEL if set to kvm or tcg; else KVM when a probe
# guest boots under it within 10 s (nested KVM may hang instead), cached in
# $HPO_VM_BUILD/accel for the run.
vm_accel() {
	local cache=$HPO_VM_BUILD/accel
	if [[ ${HPO_VM_ACCEL:-auto} == auto ]]; then
		if [[ -s $cache ]]; then
			HPO_VM_ACCEL=$(< "$cache")
		elif "$HPO_VM_CTL" probe-kvm --kernel "$HPO_VM_KERNEL" --initrd "$HPO_VM_INITRD"; then
			HPO_VM_ACCEL=kvm
		else
			HPO_VM_ACCEL=tcg
		fi
		mkdir -p "$HPO_VM_BUILD" && echo "$HPO_VM_ACCEL" > "$cache"
	fi
	export HPO_VM_ACCEL
	echo "$HPO_VM_ACCEL"
}

vm_boot() {
	local dir=${1:?usage: vm_boot DIR [vmctl boot args]}
	shift
	[[ -n ${HPO_VM_KERNEL-} && -n ${HPO_VM_INITRD-} ]] || vm_prepare "" || return 1
	export HPO_VM_DIR=$dir
	"$HPO_VM_CTL" boot --kernel "$HPO_VM_KERNEL" --initrd "$HPO_VM_INITRD" \
		--accel "${HPO_VM_ACCEL:-tcg}" "$@"
}

vm_initrd_plus() {
	local out=${1:?usage: vm_initrd_plus OUT DIR} dir=${2:?usage: vm_initrd_plus OUT DIR}
	[[ -n ${HPO_VM_INITRD-} ]] || vm_prepare "" || return 1
	{
		cat "$HPO_VM_INITRD" &&
			(cd "$dir" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
				cpio --quiet --null -o -H newc --owner 0:0)
	} > "$out.tmp" && mv "$out.tmp" "$out"
}

vm_initrd_modules() {
	local out=${1:?usage: vm_initrd_modules OUT SUITE MODULES} suite=${2-} mods=${3:?usage: vm_initrd_modules OUT SUITE MODULES} cpio
	[[ -n ${HPO_VM_INITRD-} ]] || vm_prepare "" || return 1
	cpio=$("$HPO_VM_LIB/kernel.sh" ${suite:+"$suite"} --modules "$mods") || return 1
	cat "$HPO_VM_INITRD" "$cpio" > "$out.tmp" && mv "$out.tmp" "$out"
}

vm_kernel_of() { "$HPO_VM_LIB/kernel.sh" "${1:?usage: vm_kernel_of SUITE}"; }

vm_sh() { "$HPO_VM_CTL" sh "$@"; }
vm_add_memory() { "$HPO_VM_CTL" add-memory "$@"; }
vm_add_cpu() { "$HPO_VM_CTL" add-cpu "$@"; }
vm_del() { "$HPO_VM_CTL" del "$@"; }
vm_qmp() { "$HPO_VM_CTL" qmp "$@"; }
vm_stop() { [[ -z ${HPO_VM_DIR-} ]] || "$HPO_VM_CTL" stop; }

vm_initrd_tools() {
	local out=${1:?usage: vm_initrd_tools OUT PROGRAM...} dir prog path lib dest
	shift
	[[ -n ${HPO_VM_INITRD-} ]] || vm_prepare "" || return 1
	dir=$(mktemp -d "${TMPDIR:-/tmp}/hpo-tools.XXXXXX") || return 1
	for prog in "$@"; do
		path=$(command -v "$prog") || { echo "vm: no '$prog' on this host" >&2; rm -rf "$dir"; return 1; }
		for lib in "$path" $(ldd "$path" 2> /dev/null | grep -o '/[^ ]*'); do
			# As mkinitramfs.sh places them: /bin, /lib, ... under /usr.
			case $lib in /bin/* | /sbin/* | /lib/* | /lib64/*) dest=/usr$lib ;; *) dest=$lib ;; esac
			[[ -e $dir$dest ]] || install -D -m 0755 "$lib" "$dir$dest" || { rm -rf "$dir"; return 1; }
		done
	done
	vm_initrd_plus "$out" "$dir"
	local rc=$?
	rm -rf "$dir"
	return $rc
}

# The 0.1 release for negative controls and the systemd guest's upgrade and
# downgrade: 0.2.0's fixes are checked against it.  $HPO_VM_OLD_DEB, else
# the one `make old-packages` builds (check-vm makes it first).
HPO_VM_OLD_REF=ea86314
vm_old_deb() {
	local deb=${HPO_VM_OLD_DEB-} debs
	if [[ -z $deb ]]; then
		debs=("$HPO_VM_TOP/build/old-$HPO_VM_OLD_REF"/hotplug-online_*_amd64.deb)
		if [[ ! -f ${debs[-1]} ]]; then
			echo "vm: building $HPO_VM_OLD_REF's packages (make old-packages)" >&2
			mkdir -p "$HPO_VM_TOP/build"
			# Not the calling make's flags.
			env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$HPO_VM_TOP" old-packages \
				> "$HPO_VM_TOP/build/old-packages.log" 2>&1 ||
				{ echo "vm: make old-packages failed: build/old-packages.log" >&2; return 1; }
			debs=("$HPO_VM_TOP/build/old-$HPO_VM_OLD_REF"/hotplug-online_*_amd64.deb)
		fi
		deb=${debs[-1]}
	fi
	[[ -f $deb ]] || { echo "vm: no package '$deb'" >&2; return 1; }
	echo "$deb"
}
