#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm guest memory: a nested guest with RAM below and above the 32-bit
# hole passes the memory checker (user/tests/guest/memcheck.c) on pages
# above 4G; the checker passes on every other backend too (memfd and
# hugetlb over 256 MiB, ssihv over 512 MiB with pages above 4G); and the
# refusals that need the test bed (no huge pages, no /dev/kvm) are one
# clear line each (user/tests/vm-memory-inner.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
KVER=${KVER:-$(tools/kdir-release "$(tools/find-kdir)")}
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "53-vmm-memory: no $KERNEL" >&2; exit 1; }
[ -x build/ssi-vmm ] || { echo "53-vmm-memory: build/ssi-vmm missing (run make)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
user/tests/make-guest-initramfs.sh "$tmp/guest.cpio"

tools/vmtest -t 2400 -m 3072 --smp 2 \
	--file "$KERNEL=/guest/vmlinuz" \
	--file "user/tests/guest-splat.sh=/guest/guest-splat.sh" \
	--file "$tmp/guest.cpio=/guest/initrd.cpio" \
	--file "user/tests/vm-memory-inner.sh=/guest/test.sh" \
	-- /guest/test.sh
