#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm --memory-backend ssihv in a two-node test-bed VM: the nested
# guest (two-node --topology) boots, sees both nodes, passes the memory
# checker over 256 MiB of RAM served by /dev/ssihv, and "ssihvctl -j stats"
# shows its pages resident on both host nodes while it runs.  The checks
# run inside the VM (user/tests/vm-ssihv-inner.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
KVER=${KVER:-$(tools/kdir-release "$(tools/find-kdir)")}
KERNEL=/boot/vmlinuz-$KVER
[ -r "$KERNEL" ] || { echo "54-vmm-ssihv: no $KERNEL" >&2; exit 1; }
[ -x build/ssi-vmm ] || { echo "54-vmm-ssihv: build/ssi-vmm missing (run make)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
user/tests/make-guest-initramfs.sh "$tmp/guest.cpio"

# One socket per node: with both CPUs in one socket the outer kernel WARNs
# that an LLC sibling sits on another node (topology_sane).
tools/vmtest -t 1200 -m 2048 --smp 2 \
	--qemu-args "-smp 2,sockets=2,cores=1,threads=1 -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1" \
	--file "$KERNEL=/guest/vmlinuz" \
	--file "user/tests/guest-splat.sh=/guest/guest-splat.sh" \
	--file "$tmp/guest.cpio=/guest/initrd.cpio" \
	--file "user/tests/vm-ssihv-inner.sh=/guest/test.sh" \
	-- /guest/test.sh
