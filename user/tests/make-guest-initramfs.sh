#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the tiny initramfs that ssi-vmm's VM tests boot as the nested
# guest: static busybox and an /init that reports over the serial console
# (lines start with "GUEST: ") and then ends the VM as asked.  Only the
# host's busybox-static goes in; nothing binary is kept in the tree.
#
# Usage: make-guest-initramfs.sh OUT.cpio [KVER]
# With KVER, the virtio-pci, virtio-blk and ext4 modules of that kernel go
# in too, for guest_disk=1.
set -eu

out=$1
kver=${2:-}
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

# The memory checker, built static from source for this run.
cc -static -O2 -o "$root/bin/memcheck" "$(dirname "$0")/guest/memcheck.c"

# Modules in load order (each one's dependencies first).  ext4 wants the
# crc32c transform without declaring it, hence crc32c_generic.
: >"$root/modules.list"
if [ -n "$kver" ]; then
	for m in virtio_pci virtio_blk crc32c_generic ext4; do
		modprobe -S "$kver" --show-depends "$m"
	done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' |
	while read -r ko; do
		mkdir -p "$root$(dirname "$ko")"
		cp "$ko" "$root$ko"
		echo "$ko" >>"$root/modules.list"
	done
fi

# The kernel passes unknown key=value parameters to init as environment:
# guest_end=poweroff|reboot says how the guest ends (default poweroff),
# guest_echo=1 makes it read one line from the console and echo it back,
# guest_numa=1 reports the NUMA nodes, distances and HMAT values it sees,
# guest_memcheck=MIB runs the memory checker over MIB MiB (with
# guest_memsplit=MIB it also says how much of it lies at or above that
# guest-physical address),
# guest_disk=1 mounts the ext4 file system on /dev/vda, prints hello.txt
# from it and writes from-guest.txt; a /dev/vdb is read and must refuse
# writes.
cat >"$root/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "GUEST: init running"
echo "GUEST: kernel $(uname -r)"
echo "GUEST: cpus online $(cat /sys/devices/system/cpu/online)"
echo "GUEST: memtotal $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
echo "GUEST: cmdline $(cat /proc/cmdline)"
if [ "$guest_numa" = 1 ]; then
	for d in /sys/devices/system/node/node[0-9]*; do
		n=${d##*/}
		echo "GUEST: $n cpus $(cat $d/cpulist) distance $(cat $d/distance)"
		echo "GUEST: $n memtotal $(awk '/MemTotal/ { print $4 }' $d/meminfo) kB"
		a=$d/access0/initiators
		if [ -d $a ]; then
			echo "GUEST: $n access0 read_latency $(cat $a/read_latency) write_latency $(cat $a/write_latency) read_bandwidth $(cat $a/read_bandwidth) write_bandwidth $(cat $a/write_bandwidth)"
		fi
	done
fi
if [ -n "$guest_memcheck" ]; then
	memcheck "$guest_memcheck" $guest_memsplit
fi
if [ "$guest_disk" = 1 ]; then
	mount -t devtmpfs devtmpfs /dev
	for ko in $(cat /modules.list); do
		insmod "$ko" 2>/dev/null
	done
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo "GUEST: vda $(cat /sys/block/vda/size 2>/dev/null) sectors"
	mkdir -p /mnt
	if mount -t ext4 /dev/vda /mnt; then
		echo "GUEST: disk says: $(cat /mnt/hello.txt)"
		echo "written by the guest on $(uname -r)" >/mnt/from-guest.txt
		dd if=/dev/urandom of=/mnt/random.bin bs=64k count=64 2>/dev/null
		echo "GUEST: random.bin md5 $(md5sum /mnt/random.bin | cut -d' ' -f1)"
		umount /mnt && echo "GUEST: disk unmounted"
	else
		echo "GUEST: mount of /dev/vda failed"
	fi
	if [ -b /dev/vdb ]; then
		echo "GUEST: vdb ro $(cat /sys/block/vdb/ro)"
		if mount -t ext4 -o ro /dev/vdb /mnt; then
			echo "GUEST: vdb says: $(cat /mnt/hello.txt)"
			umount /mnt
		fi
		if dd if=/dev/zero of=/dev/vdb bs=512 count=1 2>/dev/null; then
			echo "GUEST: vdb write allowed"
		else
			echo "GUEST: vdb write refused"
		fi
	fi
fi
if [ "$guest_echo" = 1 ]; then
	echo "GUEST: ready for input"
	read -r line
	echo "GUEST: received '$line'"
fi
echo "GUEST: ending with ${guest_end:-poweroff}"
case "$guest_end" in
reboot) reboot -f ;;
*) poweroff -f ;;
esac
INIT
chmod 0755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out"
