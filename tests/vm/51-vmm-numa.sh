#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm with --topology in a two-node test-bed VM: the nested guest sees
# the file's NUMA nodes, distances and HMAT values; vCPU threads are pinned
# and guest memory is bound per node (memfd and hugetlb backends).  The
# checks run inside the VM (user/tests/vm-numa-inner.sh).
set -euo pipefail

cd "$(dirname "$0")/../.."
. tests/vm/lib/vmm-test.sh

vmm_test 51-vmm-numa user/tests/vm-numa-inner.sh -t 1200 -m 2048 \
	--qemu-args "$TWO_NODE_QEMU_ARGS"
