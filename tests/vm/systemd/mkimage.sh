#!/bin/bash
# mkimage.sh: build (once) the root of the systemd guest and print the
# directory that holds it.  The guest is Debian 12 with systemd as PID 1:
# debootstrap --variant=minbase bookworm plus the packages in packages.txt
# (systemd-sysv, udev, linux-image-amd64, initramfs-tools), booted by qemu
# from that root's own kernel and initramfs (tests/vm/systemd/README.md).
#
# The directory, ${XDG_CACHE_HOME:-~/.cache}/hotplug-online/systemd/KEY
# ($HPO_VM_CACHE/systemd/KEY if set), KEY a hash of packages.txt, this script
# and the guest files it copies in (guest/*, ../guest/agent), holds:
#   tree/        the root as a directory (root-owned: run as root)
#   base.img     the same as a sparse raw ext4 image (mkfs.ext4 -d), 2 GiB
#   vmlinuz      the root's /boot/vmlinuz-VER; vmlinux: the same decompressed
#                (qemu boots it through its PVH entry: no 6 s of xz under TCG)
#   initrd.img   the root's /boot/initrd.img-VER (initramfs-tools, MODULES=list:
#                virtio_pci, virtio_blk, ext4 and what they need)
#   boot         the file to boot (vmlinux, or vmlinuz without a PVH note)
#   ok           written last; a directory without it is rebuilt
#   packages     dpkg -l of the root, for the record
# mkimage.sh --key prints KEY only.
#
# debootstrap fetches from the host's Debian mirror (the first URI ending in
# /debian in its apt sources).  The guest side, in the image:
#   hpo-vm-agent.service   ../guest/agent on ttyS1 (vmctl sh talks to it)
#   hpo-vm-lifetime.service powers off after hpo.lifetime= seconds
#   /etc/machine-id fixed (no first boot), apt's timers and other periodic
#   jobs masked (nothing runs behind a test's back).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
files=("$here/packages.txt" "$here/mkimage.sh" "$here/guest/"* "$here/../guest/agent")
key=$(cat "${files[@]}" | sha256sum | cut -c1-16)
if [ "${1-}" = --key ]; then
	echo "$key"
	exit 0
fi

if [ -n "${HPO_VM_CACHE-}" ]; then
	cache=$HPO_VM_CACHE/systemd
elif [ -n "${XDG_CACHE_HOME-}${HOME-}" ]; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hotplug-online/systemd
else
	cache=/var/cache/hotplug-online-vm/systemd
fi
dir=$cache/$key
if [ -f "$dir/ok" ]; then
	echo "$dir"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "mkimage.sh: debootstrap and chroot need root" >&2; exit 1; }
for t in debootstrap mkfs.ext4 chroot; do
	command -v "$t" > /dev/null || { echo "mkimage.sh: $t is missing (.ci/packages/vm.txt)" >&2; exit 1; }
done

mkdir -p "$cache"
# One build at a time (bats --jobs may start two files that both need it).
exec 9> "$cache/.lock"
flock 9
if [ -f "$dir/ok" ]; then
	echo "$dir"
	exit 0
fi
start=$(date +%s)
new=$dir.new
tree=$new/tree
mounted=()
cleanup() {
	local m
	for m in "${mounted[@]}"; do umount -l "$m" 2> /dev/null || true; done
	rm -rf "$new"
}
trap cleanup EXIT
rm -rf "$new"
mkdir -p "$tree"

mirror=$(sed -n -e 's,^URIs: *\([a-z]*://[^ ]*/debian\)/*$,\1,p' \
	-e 's,^deb  *\(\[[^]]*\] *\)\{0,1\}\([a-z]*://[^ ]*/debian\)/* .*,\2,p' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources 2> /dev/null | head -n 1) || true
mirror=${mirror:-http://deb.debian.org/debian}
include=$(sed 's/#.*//' "$here/packages.txt" | xargs | tr ' ' ,)
echo "mkimage.sh: debootstrap bookworm from $mirror (+ $include) into $dir" >&2
# The kernel's postinst hook builds no initramfs during debootstrap
# (INITRD=No): it is built once below, with the guest's module list.
if ! INITRD=No debootstrap --variant=minbase --include="$include" \
	bookworm "$tree" "$mirror" > "$new.log" 2>&1; then
	tail -n 30 "$new.log" >&2
	echo "mkimage.sh: debootstrap failed (whole log: $new.log)" >&2
	trap - EXIT
	exit 1
fi
echo "mkimage.sh: debootstrap done after $(($(date +%s) - start)) s" >&2

# In the chroot: the initramfs with only what this guest's root needs.
cat > "$tree/etc/initramfs-tools/conf.d/hpo-vm" << 'EOF'
# tests/vm/systemd: the guest's root is /dev/vda (virtio-blk, ext4).
MODULES=list
COMPRESS=zstd
EOF
printf '%s\n' virtio_pci virtio_blk ext4 >> "$tree/etc/initramfs-tools/modules"
for m in proc sys dev; do
	mount --bind "/$m" "$tree/$m"
	mounted=("$tree/$m" "${mounted[@]}")
done
kver=$(basename "$(find "$tree/lib/modules" -mindepth 1 -maxdepth 1 -type d | sort -V | tail -n 1)")
chroot "$tree" update-initramfs -c -k "$kver" > /dev/null 2>> "$new.log"
for m in "${mounted[@]}"; do umount "$m"; done
mounted=()

# The guest's own settings.
echo hpo-sd > "$tree/etc/hostname"
# A machine ID: no first boot (systemd-firstboot would ask on the console).
echo "$key$key" > "$tree/etc/machine-id"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$tree/etc/fstab"
install -m 0755 "$here/../guest/agent" "$tree/usr/local/sbin/hpo-vm-agent"
install -m 0755 "$here/guest/hpo-vm-lifetime" "$tree/usr/local/sbin/hpo-vm-lifetime"
for u in hpo-vm-agent.service hpo-vm-lifetime.service; do
	install -m 0644 "$here/guest/$u" "$tree/etc/systemd/system/$u"
done
chroot "$tree" systemctl enable hpo-vm-agent.service hpo-vm-lifetime.service > /dev/null 2>> "$new.log"
# Periodic jobs that would run apt, fstrim or e2scrub in the middle of a test.
chroot "$tree" systemctl mask apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer fstrim.timer > /dev/null 2>> "$new.log" || true
# No gettys on the VGA consoles the guest has not got (getty-static starts
# tty2-tty6 without logind); serial-getty@ttyS0 stays.
chroot "$tree" systemctl mask e2scrub_reap.service getty-static.service getty@tty1.service \
	> /dev/null 2>> "$new.log" || true
chroot "$tree" systemctl set-default multi-user.target > /dev/null 2>> "$new.log"
# The journal in /run: nothing to flush to disk at boot (3 s under TCG).
mkdir -p "$tree/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' > "$tree/etc/systemd/journald.conf.d/hpo-vm.conf"
# Drivers of the pc machine's devices that the guest does not use and whose
# probes cost seconds under TCG (floppy, PS/2 mouse, IDE, KVM).
{
	echo "# tests/vm/systemd: devices of qemu's pc machine the guest does not use."
	printf 'blacklist %s\n' floppy psmouse pcspkr ata_piix ata_generic kvm kvm_amd kvm_intel ccp
} > "$tree/etc/modprobe.d/hpo-vm.conf"
# Smaller (a third of the size: a golden image copies the tree): no docs, no
# translations, no downloaded packages, and of the kernel's modules only the
# subsystems of the guest's machine (no network, sound, graphics, USB...).
# Never the host's: "$tree" is .../KEY.new/tree here (checked).
case $tree in /?*/*.new/tree) ;; *) echo "mkimage.sh: odd tree '$tree'" >&2; exit 1 ;; esac
# No apt lists either: `apt install ./DEB` needs none (the package depends on
# nothing that is not installed), and apt reads 60 MB of them on every run,
# over a minute under TCG on loaded cores.
rm -rf "$tree"/usr/share/doc/* "$tree"/usr/share/man/* "$tree"/usr/share/locale/* \
	"$tree"/var/cache/apt/archives/*.deb "$tree"/var/cache/apt/*.bin "$tree"/var/lib/apt/lists/*
km=$tree/usr/lib/modules/$kver/kernel
find "$km" -mindepth 1 -maxdepth 1 ! -name arch ! -name block ! -name crypto ! -name fs \
	! -name lib ! -name mm ! -name drivers -exec rm -rf {} +
find "$km/drivers" -mindepth 1 -maxdepth 1 ! -name acpi ! -name base ! -name block \
	! -name char ! -name crypto ! -name firmware ! -name i2c ! -name input ! -name md \
	! -name virtio -exec rm -rf {} +
chroot "$tree" depmod -a "$kver"
# shellcheck disable=SC2016 # dpkg-query's fields
chroot "$tree" dpkg-query -W -f '${Package} ${Version}\n' > "$new/packages"

cp "$tree/boot/vmlinuz-$kver" "$new/vmlinuz"
cp "$tree/boot/initrd.img-$kver" "$new/initrd.img"
# The kernel inside the bzImage (the setup header says where the payload
# starts and how long it is; see ../kernel.sh).
sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$new/vmlinuz" | tr -d ' ')
off=$(od -An -tu4 -j $((0x248)) -N4 "$new/vmlinuz" | tr -d ' ')
len=$(od -An -tu4 -j $((0x24c)) -N4 "$new/vmlinuz" | tr -d ' ')
[ "$sects" = 0 ] && sects=4
pstart=$(((sects + 1) * 512 + off))
boot=vmlinuz
# (tail dies of SIGPIPE when head is done: the file, not the status, counts.)
tail -c +"$((pstart + 1))" "$new/vmlinuz" | head -c "$((len - 4))" | xz -dc > "$new/vmlinux" 2> /dev/null || true
if grep -q '^ *Xen .*(0x00000012)' <<< "$(readelf -n "$new/vmlinux" 2> /dev/null)"; then
	boot=vmlinux
else
	rm -f "$new/vmlinux"
fi
echo "$boot" > "$new/boot"

"$here/mkext4.sh" "$tree" "$new/base.img"
echo "$kver" > "$new/ok"
rm -rf "$dir"
mv "$new" "$dir"
mv "$new.log" "$dir/build.log"
trap - EXIT
# Older builds of this cache: only the current key is kept.
find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} + 2> /dev/null || true
echo "mkimage.sh: built in $(($(date +%s) - start)) s: $(du -sh "$dir/tree" | cut -f1) tree, kernel $kver" >&2
echo "$dir"
