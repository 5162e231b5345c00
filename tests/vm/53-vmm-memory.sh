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
. tests/vm/lib/vmm-test.sh

vmm_test 53-vmm-memory user/tests/vm-memory-inner.sh -t 2400 -m 3072
