#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every selftest (selftests/*_test and *_test.sh, see selftests/run-all)
# in one test-bed VM against the module built from this tree.  The bed
# fails the run on a failing selftest and on any kernel splat.
set -u
cd "$(dirname "$0")/../.." || exit 1
exec tools/vmtest -t 600 -- /ssihv/selftests/run-all
