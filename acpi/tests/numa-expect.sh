#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# numa-expect.sh TOPOLOGY.txt: turn "ssi-acpi --dump --machine" into the
# shell variables the in-guest checks (numa-check.sh, full-check.sh)
# source: per node the cpulist in the kernel's "0-3,8" form, boot memory in
# bytes, the SLIT row, the access0 initiator and the HMAT values for
# (initiator, node); and the vCPU count, SCI and PM timer port.
exec awk -F= '
function hex(s,   v, i) {
	v = 0
	s = tolower(substr(s, 3))
	for (i = 1; i <= length(s); i++)
		v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function compress(list,   n, a, i, j, s) {
	n = split(list, a, ",")
	s = ""
	for (i = 1; i <= n; i = j + 1) {
		for (j = i; j < n && a[j + 1] == a[j] + 1; j++)
			;
		s = s (s == "" ? "" : ",") a[i] (j > i ? "-" a[j] : "")
	}
	return s
}
{ kv[$1] = $2 }
$1 ~ /vcpus$/ && $2 != "" { vcpus += split($2, tmp, ",") }
END {
	nodes = kv["nodes"]
	print "NODES=" nodes
	print "VCPUS=" vcpus
	print "SCI_IRQ=" kv["acpi.sci_irq"]
	printf "PM_TIMER=0x%x\n", hex(kv["acpi.pm_base"]) + 8
	print "PCI=" kv["acpi.pci"]
	for (n = 0; n < kv["nodes"]; n++)
		if (("," kv["node" n ".vcpus"] ",") ~ /,0,/)
			print "BOOT_NODE=" n
	base = hex(kv["acpi.pci_mmio_base"])
	printf "PCI_WINDOW=0x%08x-0x%08x\n", base,
	       base + hex(kv["acpi.pci_mmio_size"]) - 1
	split("read_latency write_latency read_bandwidth write_bandwidth",
	      attrs, " ")
	for (n = 0; n < nodes; n++) {
		print "CPULIST_" n "=\"" compress(kv["node" n ".vcpus"]) "\""
		mem = 0
		nr = split(kv["node" n ".memory"], r, ",")
		for (i = 1; i <= nr; i++) {
			split(r[i], f, ":")
			if (f[3] == 0)
				mem += hex(f[2])
		}
		printf "MEMORY_%d=%.0f\n", n, mem
		print "DISTANCE_" n "=\"" kv["distance." n] "\""
		ini = kv["node" n ".initiator"]
		print "INITIATOR_" n "=" ini
		for (a = 1; a <= 4; a++) {
			split(kv[attrs[a] "." ini], row, " ")
			print attrs[a] "_" n "=" row[n + 1]
		}
	}
}' "$1"
