#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a test VM booted on our complete table set (acpi_rsdp= on the
# kernel command line, the tables loaded into guest RAM).  Checks that the
# kernel uses our tables byte for byte and that what only the MADT, FADT
# and DSDT can tell it took effect: processor devices, COM1, the SCI as a
# level interrupt, S5.  Power-off through S5 is checked by the test bed:
# the run only ends when the guest's poweroff reaches the VMM.
# /tables holds the files ssi-acpi wrote; /expect.sh the vCPU count.
. /expect.sh

errors=0
fail() {
	echo "acpi-full: FAIL: $*"
	errors=$((errors + 1))
}

# /sys/firmware/acpi/tables has every table the kernel installed.
for pair in APIC:apic.dat DSDT:dsdt.aml FACP:facp.dat FACS:facs.dat \
	SRAT:srat.dat SLIT:slit.dat HMAT:hmat.dat; do
	sig=${pair%%:*}
	file=${pair#*:}
	if [ ! -r "/sys/firmware/acpi/tables/$sig" ]; then
		fail "the kernel has no $sig table"
	elif ! cmp -s "/sys/firmware/acpi/tables/$sig" "/tables/$file"; then
		fail "the kernel's $sig differs from our $file"
	fi
done

ncpu=0
for d in /sys/bus/acpi/devices/ACPI0007:*; do
	[ -e "$d" ] || continue
	ncpu=$((ncpu + 1))
	case $(cat "$d/path") in
	\\_SB_.C[0-9A-F][0-9A-F][0-9A-F]) ;;
	*) fail "processor device path $(cat "$d/path")" ;;
	esac
done
[ "$ncpu" -eq "$VCPUS" ] ||
	fail "$ncpu ACPI0007 processor devices, expected $VCPUS"
[ "$(grep -c '^processor' /proc/cpuinfo)" -eq "$VCPUS" ] ||
	fail "/proc/cpuinfo shows $(grep -c '^processor' /proc/cpuinfo) CPUs"

[ -e /sys/bus/acpi/devices/PNP0501:00 ] || fail "no PNP0501 (COM1) device"
grep -q " $SCI_IRQ:.*fasteoi.*acpi" /proc/interrupts ||
	fail "SCI on IRQ $SCI_IRQ is not a level (fasteoi) interrupt:" \
		"$(grep " $SCI_IRQ:" /proc/interrupts)"
dmesg | grep -q 'ACPI: PM: (supports S0 S5)' ||
	fail "the kernel does not offer S5: $(dmesg | grep 'PM: (supports')"
# The DSDT's PCI0 (PNP0A03) is the only way an ACPI kernel finds bus 0.
if [ "$PCI" = 1 ]; then
	dmesg | grep -q 'PCI Root Bridge \[PCI0\] (domain 0000 \[bus 00-ff\])' ||
		fail "no PCI root bridge PCI0: $(dmesg | grep -i 'root bridge')"
	[ -e /sys/bus/pci/devices/0000:00:00.0 ] ||
		fail "PCI bus 0 was not scanned (no 0000:00:00.0)"
	node=$(cat /sys/bus/pci/devices/0000:00:00.0/numa_node)
	[ "$node" = "$BOOT_NODE" ] ||
		fail "PCI devices are on NUMA node '$node', not $BOOT_NODE"
	dmesg | grep -q "root bus resource \[mem $PCI_WINDOW window\]" ||
		fail "PCI0 window is not [mem $PCI_WINDOW]:" \
			"$(dmesg | grep 'root bus resource \[mem')"
fi
dmesg | grep -q 'ACPI: PM-Timer IO Port: '"$PM_TIMER" ||
	fail "PM timer is not at $PM_TIMER"

if [ $errors -ne 0 ]; then
	echo "acpi-full: $errors check(s) failed"
	exit 1
fi
echo "acpi-full: the kernel runs on our RSDP/XSDT/FADT/FACS/DSDT/MADT/SRAT/SLIT/HMAT"
