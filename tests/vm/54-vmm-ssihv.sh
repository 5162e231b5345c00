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
. tests/vm/lib/vmm-test.sh

vmm_test 54-vmm-ssihv user/tests/vm-ssihv-inner.sh -t 1200 -m 2048 \
	--qemu-args "$TWO_NODE_QEMU_ARGS"
