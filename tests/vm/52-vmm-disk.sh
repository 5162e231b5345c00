#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm's virtio-blk: a nested stock-kernel guest mounts an ext4 image,
# reads what the host put in it, writes files, powers off; the image is
# then checked with debugfs and e2fsck inside the test bed
# (user/tests/vm-disk-inner.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
KVER=${KVER:-$(tools/kdir-release "$(tools/find-kdir)")}
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "52-vmm-disk: no $KERNEL" >&2; exit 1; }
[ -x build/ssi-vmm ] || { echo "52-vmm-disk: build/ssi-vmm missing (run make)" >&2; exit 1; }
for p in mkfs.ext4 debugfs e2fsck; do
	command -v $p >/dev/null || { echo "52-vmm-disk: $p missing (e2fsprogs)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
user/tests/make-guest-initramfs.sh "$tmp/guest.cpio" "$KVER"
mkdir "$tmp/fs"
echo "hello from the host, $(date -u +%s)" >"$tmp/fs/hello.txt"
cp "$tmp/fs/hello.txt" "$tmp/hello.txt"
mkfs.ext4 -q -F -d "$tmp/fs" "$tmp/disk.img" 32M

tools/vmtest -t 1200 -m 2048 --smp 2 \
	--env "MEMORY_BACKEND=${MEMORY_BACKEND:-anon}" \
	--bin "$(command -v debugfs)" --bin "$(command -v e2fsck)" \
	--file "$KERNEL=/guest/vmlinuz" \
	--file "user/tests/guest-splat.sh=/guest/guest-splat.sh" \
	--file "$tmp/guest.cpio=/guest/initrd.cpio" \
	--file "$tmp/disk.img=/guest/disk.img" \
	--file "$tmp/hello.txt=/guest/hello.txt" \
	--file "user/tests/vm-disk-inner.sh=/guest/test.sh" \
	-- /guest/test.sh
