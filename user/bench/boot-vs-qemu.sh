#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot-time comparison of ssi-vmm with qemu's microvm machine, both nested
# in one test-bed VM (TCG outside, so absolute numbers are slow and noisy;
# compare the two within one run only).  The guest is Debian's stock
# kernel with the test initramfs, powering off from its init.
# Usage: user/bench/boot-vs-qemu.sh [RUNS]
set -euo pipefail

cd "$(dirname "$0")/../.."
runs=${1:-5}
KVER=${KVER:-$(tools/kdir-release "$(tools/find-kdir)")}
KERNEL=/boot/vmlinuz-$KVER
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
user/tests/make-guest-initramfs.sh "$tmp/guest.cpio"

files=()
for f in bios-microvm.bin qboot.rom; do
	[ -e /usr/share/qemu/$f ] &&
		files+=(--file "/usr/share/qemu/$f=/usr/share/qemu/$f")
done
tools/vmtest -t 1800 -m 2048 --smp 2 \
	--bin "$(command -v qemu-system-x86_64)" "${files[@]}" \
	--file "$KERNEL=/guest/vmlinuz" \
	--file "$tmp/guest.cpio=/guest/initrd.cpio" \
	--file "user/bench/boot-inner.sh=/guest/bench.sh" \
	-- /guest/bench.sh "$runs"
