#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the tiny initramfs that ssi-vmm's VM tests boot as the nested
# guest: static busybox and an /init that reports over the serial console
# (lines start with "GUEST: ") and then ends the VM as asked.
#
# Usage: make-guest-initramfs.sh OUT.cpio [poweroff|reboot]
set -eu

out=$1
ending=${2:-poweroff}
busybox=$(command -v busybox)
if ldd "$busybox" >/dev/null 2>&1; then
	echo "make-guest-initramfs: $busybox is not static" >&2
	exit 1
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# The kernel opens /dev/console for init before anything is mounted.
mknod "$root/dev/console" c 5 1

cat >"$root/init" <<INIT
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "GUEST: init running"
echo "GUEST: kernel \$(uname -r)"
echo "GUEST: cpus online \$(cat /sys/devices/system/cpu/online)"
echo "GUEST: memtotal \$(awk '/MemTotal/ { print \$2 }' /proc/meminfo) kB"
echo "GUEST: cmdline \$(cat /proc/cmdline)"
echo "GUEST: ending with $ending"
$ending -f
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out"
