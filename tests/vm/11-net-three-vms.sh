#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three VMs reach each other through vmtest-switch (more than two VMs
# cannot use a plain point-to-point UDP pair).
set -e
cd "$(dirname "$0")/../.."
exec tests/vm/lib/net-mesh 3
