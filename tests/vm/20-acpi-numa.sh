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

# Turn "ssi-acpi --dump --machine" into shell variables for the guest: per
# node the cpulist in the kernel's "0-3,8" form, boot memory in bytes, the
# SLIT row, the access0 initiator and the HMAT values for (initiator, node).
expectations() {
	awk -F= '
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
	END {
		nodes = kv["nodes"]
		print "NODES=" nodes
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
}

run_one() {
	local topo=$1 out tables vcpus

	out=build/tests/acpi-numa/$(basename "$topo" .ini)
	rm -rf "$out" && mkdir -p "$out" || return 1
	build/ssi-acpi --topology "$topo" --out "$out/tables" &&
	build/ssi-acpi --topology "$topo" --dump --machine \
		>"$out/topology.txt" &&
	expectations "$out/topology.txt" >"$out/expect.sh" || return 1
	echo "acpi-numa: $topo, expecting:"
	sed 's/^/  /' "$out/expect.sh"

	# The QEMU command of Documentation/acpi.rst, through the test bed.
	tables="-acpitable file=$out/tables/srat.dat"
	tables+=" -acpitable file=$out/tables/slit.dat"
	tables+=" -acpitable file=$out/tables/hmat.dat"
	vcpus=$(awk -F= '$1 ~ /vcpus$/ && $2 != "" { n += split($2, a, ",") }
		END { print n }' "$out/topology.txt")
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
