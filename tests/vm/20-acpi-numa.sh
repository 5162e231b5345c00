#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the stock kernel under QEMU with NUMA nodes described ONLY by the
# SRAT, SLIT and HMAT that ssi-acpi builds (no -numa: QEMU then makes none
# of its own), and check in the guest that sysfs shows our nodes, CPUs,
# memory sizes, SLIT distances and HMAT access0 values.  Two topologies:
# two nodes, and three with a memory-only node (HMAT attaches it to the
# nearest node with vCPUs).
#
# Each vCPU is its own socket: with QEMU's default (vCPUs are cores of one
# socket sharing a cache) Linux warns that cache siblings sit on different
# nodes, which the test bed rightly counts as a splat.
set -u
cd "$(dirname "$0")/../.." || exit 1

topologies=${ACPI_NUMA_TOPOLOGIES:-"acpi/tests/topo/qemu-2node.ini
	acpi/tests/topo/qemu-3node-memonly.ini"}

run_one() {
	local topo=$1 out tables vcpus

	out=build/tests/acpi-numa/$(basename "$topo" .ini)
	rm -rf "$out" && mkdir -p "$out" || return 1
	build/ssi-acpi --topology "$topo" --out "$out/tables" &&
	build/ssi-acpi --topology "$topo" --dump --machine \
		>"$out/topology.txt" &&
	acpi/tests/numa-expect.sh "$out/topology.txt" >"$out/expect.sh" ||
		return 1
	echo "acpi-numa: $topo, expecting:"
	sed 's/^/  /' "$out/expect.sh"

	# The QEMU command of Documentation/acpi.rst, through the test bed.
	tables="-acpitable file=$out/tables/srat.dat"
	tables+=" -acpitable file=$out/tables/slit.dat"
	tables+=" -acpitable file=$out/tables/hmat.dat"
	vcpus=$(sed -n 's/^VCPUS=//p' "$out/expect.sh")
	tools/vmtest -t 180 -m 1024 --smp "$vcpus" \
		--qemu-args "-smp $vcpus,sockets=$vcpus,cores=1,threads=1 $tables" \
		--file "$out/expect.sh=/expect.sh" \
		--file "acpi/tests/numa-check.sh=/check.sh" \
		-- /bin/sh /check.sh
}

[ -x build/ssi-acpi ] || make -s build/ssi-acpi || exit 1
failed=0
for topo in $topologies; do
	run_one "$topo" || failed=$((failed + 1))
done
[ $failed -eq 0 ]
