#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm boots Debian's stock kernel as a nested guest inside the test
# bed: SMP, serial console in and out, ACPI power-off, reboot handling and
# Ctrl-A x, each judged by the guest's console lines and ssi-vmm's exit
# status (user/tests/vm-boot-inner.sh does the checking inside the VM).
set -euo pipefail

cd "$(dirname "$0")/../.."
KVER=${KVER:-$(tools/kdir-release "$(tools/find-kdir)")}
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "50-vmm-boot: no $KERNEL" >&2; exit 1; }
[ -x build/ssi-vmm ] || { echo "50-vmm-boot: build/ssi-vmm missing (run make)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
user/tests/make-guest-initramfs.sh "$tmp/guest.cpio"

tools/vmtest -t 1200 -m 2048 --smp 2 \
	--file "$KERNEL=/guest/vmlinuz" \
	--file "user/tests/guest-splat.sh=/guest/guest-splat.sh" \
	--file "$tmp/guest.cpio=/guest/initrd.cpio" \
	--file "user/tests/vm-boot-inner.sh=/guest/test.sh" \
	-- /guest/test.sh
