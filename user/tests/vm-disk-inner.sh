#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test-bed VM: the nested guest mounts an ext4 image that
# ssi-vmm serves as virtio-blk (virtio-pci), reads a file the host put
# there, writes two files and powers off; then the image is checked from
# outside with debugfs.  A second, read-only disk must be readable,
# refuse writes and stay unchanged.  The guest finds PCI bus 0 through the
# DSDT's PCI0 host bridge like any ACPI guest (no pci= option); the device
# uses only MSI-X, so no _PRT is needed.  MEMORY_BACKEND (default anon)
# picks the guest RAM backend the device does its DMA into (ssihv loads
# the module first).  "noxsave": see vm-boot-inner.sh.

NAME=vmm-disk
. /guest/guest-lib.sh

backend=${MEMORY_BACKEND:-anon}
[ "$backend" = ssihv ] && { modprobe ssihv || bad "modprobe ssihv failed"; }
say "guest memory backend: $backend"
cp /guest/disk.img /tmp/disk.img
cp /guest/disk.img /tmp/disk-ro.img
ro_md5=$(md5sum </tmp/disk-ro.img)
timeout 900 ssi-vmm --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--cpus 2 --memory 512M --memory-backend "$backend" \
	--disk /tmp/disk.img --disk /tmp/disk-ro.img,ro \
	--cmdline "console=ttyS0 panic=-1 noxsave guest_disk=1" \
	</dev/null >/tmp/disk.out 2>&1
rc=$?
tr -d '\r' </tmp/disk.out | grep -E '^GUEST:|ssi-vmm|virtio|vda|EXT4|Power down' |
	sed 's/^/  | /'
check_splat /tmp/disk.out || bad "the guest kernel reported a problem"
[ $rc -eq 0 ] && say "ok: ssi-vmm exit status 0" ||
	bad "ssi-vmm exit status $rc (want 0)"
sectors=$(($(stat -c %s /tmp/disk.img) / 512))
expect /tmp/disk.out "GUEST: vda $sectors sectors"
expect /tmp/disk.out "GUEST: disk says: $(cat /guest/hello.txt)"
expect /tmp/disk.out "GUEST: disk unmounted"
expect /tmp/disk.out "GUEST: vdb ro 1"
expect /tmp/disk.out "GUEST: vdb says: $(cat /guest/hello.txt)"
expect /tmp/disk.out "GUEST: vdb write refused"
[ "$(md5sum </tmp/disk-ro.img)" = "$ro_md5" ] &&
	say "ok: the read-only image is unchanged" ||
	bad "the read-only image changed"

# What the guest wrote must be in the image.
got=$(debugfs -R "cat /from-guest.txt" /tmp/disk.img 2>/dev/null)
[ "$got" = "written by the guest on $(uname -r)" ] &&
	say "ok: from-guest.txt in the image: '$got'" ||
	bad "from-guest.txt in the image is '$got'"
want=$(tr -d '\r' </tmp/disk.out | sed -n 's/^GUEST: random.bin md5 //p')
debugfs -R "dump /random.bin /tmp/random.bin" /tmp/disk.img 2>/dev/null
have=$(md5sum /tmp/random.bin 2>/dev/null | cut -d' ' -f1)
[ -n "$want" ] && [ "$want" = "$have" ] &&
	say "ok: random.bin (4 MiB) matches the guest's md5 $have" ||
	bad "random.bin md5 '$have' in the image, guest said '$want'"
e2fsck -fn /tmp/disk.img >/tmp/fsck.out 2>&1 &&
	say "ok: e2fsck -fn finds the file system clean" ||
	{ bad "e2fsck -fn:"; cat /tmp/fsck.out; }

if [ $fail -ne 0 ]; then
	say "full console of the nested guest:"
	tr -d '\r' </tmp/disk.out | sed 's/^/  # /'
fi
[ $fail -eq 0 ] && say "PASS" || say "FAIL"
exit $fail
