#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two VMs on the vmtest Ethernet segment reach each other.
set -e
cd "$(dirname "$0")/../.."
exec tests/vm/lib/net-mesh 2
