#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the stock kernel on our COMPLETE table set, as ssi-vmm will: the
# tables from ssi-acpi --image are loaded into guest RAM with QEMU's
# generic loader and acpi_rsdp= points the kernel at our RSDP, so QEMU's
# own RSDP/XSDT/FADT/DSDT/MADT are never read.  numa-check.sh then checks
# the NUMA view, full-check.sh the rest, and the run only ends if the
# guest's S5 power-off through our FADT/DSDT works.
#
# Needs "tools/vmtest --append" (extra kernel command line); VMTEST
# overrides the test bed.
set -u
cd "$(dirname "$0")/../.." || exit 1
vmtest=${VMTEST:-tools/vmtest}
topo=acpi/tests/topo/qemu-2node.ini
out=build/tests/acpi-full
# Inside node1's RAM (QEMU -m 1024); nokaslr keeps the kernel off it.
addr=0x20000000

if ! "$vmtest" --help | grep -q -- '--append'; then
	echo "acpi-full: SKIP: $vmtest has no --append option yet"
	exit 0
fi

[ -x build/ssi-acpi ] || make -s build/ssi-acpi || exit 1
rm -rf "$out" && mkdir -p "$out" || exit 1
build/ssi-acpi --topology "$topo" --rsdp-addr $addr \
	--tables-addr $((addr + 64)) --out "$out/tables" \
	--image "$out/acpi.img" &&
build/ssi-acpi --topology "$topo" --dump --machine >"$out/topology.txt" ||
	exit 1

acpi/tests/numa-expect.sh "$out/topology.txt" >"$out/expect.sh" || exit 1

files=()
for f in "$out"/tables/*; do
	files+=(--file "$f=/tables/$(basename "$f")")
done
vcpus=$(sed -n 's/^VCPUS=//p' "$out/expect.sh")
"$vmtest" -t 120 -m 1024 --smp "$vcpus" \
	--qemu-args "-smp $vcpus,sockets=$vcpus,cores=1,threads=1
		-device loader,file=$out/acpi.img,addr=$addr,force-raw=on" \
	--append "nokaslr acpi_rsdp=$addr" \
	--file "$out/expect.sh=/expect.sh" \
	--file "acpi/tests/numa-check.sh=/numa-check.sh" \
	--file "acpi/tests/full-check.sh=/full-check.sh" \
	"${files[@]}" \
	-- /bin/sh -c '/bin/sh /numa-check.sh && /bin/sh /full-check.sh'
