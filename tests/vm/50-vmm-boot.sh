#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm boots Debian's stock kernel as a nested guest inside the test
# bed: SMP, serial console in and out, ACPI power-off, reboot handling and
# Ctrl-A x, each judged by the guest's console lines and ssi-vmm's exit
# status (user/tests/vm-boot-inner.sh does the checking inside the VM).
set -euo pipefail

cd "$(dirname "$0")/../.."
. tests/vm/lib/vmm-test.sh

vmm_test 50-vmm-boot user/tests/vm-boot-inner.sh -t 1200 -m 2048
