#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm's virtio-blk: a nested stock-kernel guest mounts an ext4 image,
# reads what the host put in it, writes files, powers off; the image is
# then checked with debugfs and e2fsck inside the test bed
# (user/tests/vm-disk-inner.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
. tests/vm/lib/vmm-test.sh

for p in mkfs.ext4 debugfs e2fsck; do
	command -v $p >/dev/null ||
		{ echo "52-vmm-disk: $p missing (e2fsprogs)" >&2; exit 1; }
done

mkdir "$VMM_TMP/fs"
echo "hello from the host, $(date -u +%s)" >"$VMM_TMP/fs/hello.txt"
cp "$VMM_TMP/fs/hello.txt" "$VMM_TMP/hello.txt"
mkfs.ext4 -q -F -d "$VMM_TMP/fs" "$VMM_TMP/disk.img" 32M

vmm_test 52-vmm-disk user/tests/vm-disk-inner.sh -t 1200 -m 2048 \
	--env "MEMORY_BACKEND=${MEMORY_BACKEND:-anon}" \
	--bin "$(command -v debugfs)" --bin "$(command -v e2fsck)" \
	--file "$VMM_TMP/disk.img=/guest/disk.img" \
	--file "$VMM_TMP/hello.txt=/guest/hello.txt"
