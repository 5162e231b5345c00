#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM (busybox sh).  /expect.sh, written on the host
# from "ssi-acpi --dump --machine", holds what our SRAT/SLIT/HMAT say; this
# script checks that the kernel's NUMA view in sysfs is exactly that.
. /expect.sh

errors=0
fail() {
	echo "acpi-numa: FAIL: $*"
	errors=$((errors + 1))
}

sysnode=/sys/devices/system/node
# block_size_bytes is hex without the 0x.
block=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))

n=0
while [ $n -lt "$NODES" ]; do
	d=$sysnode/node$n
	if [ ! -d "$d" ]; then
		fail "node$n: $d does not exist"
		n=$((n + 1))
		continue
	fi

	eval exp=\$CPULIST_$n
	got=$(cat "$d/cpulist")
	[ "$got" = "$exp" ] || fail "node$n: cpulist is '$got', expected '$exp'"

	eval exp=\$DISTANCE_$n
	got=$(cat "$d/distance")
	[ "$got" = "$exp" ] ||
		fail "node$n: distance is '$got', expected '$exp' (our SLIT)"

	# Memory blocks are whole; MemTotal loses what the kernel reserved.
	eval exp=\$MEMORY_$n
	nblocks=$(ls -d "$d"/memory[0-9]* 2>/dev/null | wc -l)
	got=$((nblocks * block))
	if [ $((exp % block)) -eq 0 ] && [ "$got" -ne "$exp" ]; then
		fail "node$n: $nblocks memory blocks = $got bytes, expected $exp"
	fi
	kb=$(awk '/MemTotal/ { print $4 }' "$d/meminfo")
	if [ $((kb * 1024)) -gt "$exp" ] ||
	   [ $((kb * 1024)) -lt $((exp / 4 * 3)) ]; then
		fail "node$n: MemTotal ${kb} kB is not within 75-100% of $exp bytes"
	fi

	for attr in read_latency write_latency read_bandwidth write_bandwidth
	do
		eval exp=\$${attr}_$n
		f=$d/access0/initiators/$attr
		if [ ! -r "$f" ]; then
			fail "node$n: $f missing (HMAT not applied)"
			continue
		fi
		got=$(cat "$f")
		[ "$got" = "$exp" ] ||
			fail "node$n: $attr is '$got', expected '$exp' (our HMAT)"
	done
	eval exp=\$INITIATOR_$n
	[ -e "$d/access0/initiators/node$exp" ] ||
		fail "node$n: access0 initiator node$exp not linked"

	echo "acpi-numa: node$n cpus=$(cat "$d/cpulist")" \
		"distance='$(cat "$d/distance")' blocks=$nblocks" \
		"MemTotal=${kb}kB" \
		"rl=$(cat "$d/access0/initiators/read_latency" 2>/dev/null)" \
		"wl=$(cat "$d/access0/initiators/write_latency" 2>/dev/null)" \
		"rb=$(cat "$d/access0/initiators/read_bandwidth" 2>/dev/null)" \
		"wb=$(cat "$d/access0/initiators/write_bandwidth" 2>/dev/null)"
	n=$((n + 1))
done
[ -d "$sysnode/node$NODES" ] && fail "node$NODES exists, expected $NODES nodes"

if [ $errors -ne 0 ]; then
	echo "acpi-numa: $errors check(s) failed"
	exit 1
fi
echo "acpi-numa: all checks passed for $NODES nodes"
