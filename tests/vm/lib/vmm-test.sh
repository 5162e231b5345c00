# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Sourced by the ssi-vmm VM tests (tests/vm/5x-vmm-*.sh), from the top of
# the tree.  vmm_test NAME INNER [VMTEST-OPTION...] boots one test-bed VM
# holding Debian's stock kernel as /guest/vmlinuz, the guest initramfs
# (user/tests/make-guest-initramfs.sh) as /guest/initrd.cpio, the in-VM
# helpers (user/tests/guest-lib.sh) and INNER as /guest/test.sh, and runs
# that.  $VMM_TMP is a scratch directory removed on exit, for extra files.

KVER=${KVER:-$(tools/kdir-release "$(tools/find-kdir)")}
KERNEL=/boot/vmlinuz-$KVER
VMM_TMP=$(mktemp -d)
trap 'rm -rf "$VMM_TMP"' EXIT

# Two NUMA nodes in the test-bed VM, one CPU and 1 GiB each.  One socket
# per node: with both CPUs in one socket the test-bed kernel WARNs that an
# LLC sibling sits on another node (topology_sane).
TWO_NODE_QEMU_ARGS="-smp 2,sockets=2,cores=1,threads=1"
TWO_NODE_QEMU_ARGS+=" -object memory-backend-ram,id=m0,size=1G"
TWO_NODE_QEMU_ARGS+=" -object memory-backend-ram,id=m1,size=1G"
TWO_NODE_QEMU_ARGS+=" -numa node,nodeid=0,cpus=0,memdev=m0"
TWO_NODE_QEMU_ARGS+=" -numa node,nodeid=1,cpus=1,memdev=m1"

vmm_test() {
	local name=$1 inner=$2

	shift 2
	[ -r "$KERNEL" ] || { echo "$name: no $KERNEL" >&2; exit 1; }
	[ -x build/ssi-vmm ] ||
		{ echo "$name: build/ssi-vmm missing (run make)" >&2; exit 1; }
	user/tests/make-guest-initramfs.sh "$VMM_TMP/guest.cpio" "$KVER"
	tools/vmtest --smp 2 "$@" \
		--file "$KERNEL=/guest/vmlinuz" \
		--file "user/tests/guest-lib.sh=/guest/guest-lib.sh" \
		--file "$VMM_TMP/guest.cpio=/guest/initrd.cpio" \
		--file "$inner=/guest/test.sh" \
		-- /guest/test.sh
}
