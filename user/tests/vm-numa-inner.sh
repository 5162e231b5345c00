#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a two-node test-bed VM (tools/vmtest with qemu -numa): boots
# the stock kernel nested with a two-node --topology and checks that the
# guest sees the nodes, CPUs, memory, SLIT distances and HMAT values of the
# file, and that ssi-vmm pinned each vCPU and bound each node's memory to
# the host node the file names.  Once with memfd memory, once with
# hugetlb.  Then a topology whose nodes interleave vCPU ids must not make
# the guest kernel complain.  "noxsave": see vm-boot-inner.sh.

NAME=vmm-numa
. /guest/guest-lib.sh

KERNEL=/guest/vmlinuz
INITRD=/guest/initrd.cpio
WAIT=400

# affinity PID THREAD: the host CPUs one of PID's threads may run on.
affinity() {
	for t in /proc/$1/task/*; do
		[ "$(cat "$t/comm")" = "$2" ] &&
			sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status"
	done
}

cat >/tmp/two-nodes.ini <<INI
[topology]
nodes = 2
cpus_per_node = 1
memory_per_node = 256M
remote_distance = 25
local_latency = 120
remote_latency = 4000
local_bandwidth = 15000
remote_bandwidth = 3000

[node0]
host_node = 0

[node1]
host_node = 1
INI

say "host: $(cat /sys/devices/system/node/online) online nodes"
for node in 0 1; do
	echo 128 >/sys/devices/system/node/node$node/hugepages/hugepages-2048kB/nr_hugepages
done

for backend in ${BACKENDS:-memfd hugetlb}; do
	out=/tmp/numa-$backend.out
	say "boot with --memory-backend $backend"
	rm -f /tmp/vmm.in
	mkfifo /tmp/vmm.in
	ssi-vmm --kernel "$KERNEL" --initrd "$INITRD" \
		--topology /tmp/two-nodes.ini --memory-backend $backend \
		--cmdline "console=ttyS0 panic=-1 noxsave guest_numa=1 guest_echo=1" \
		</tmp/vmm.in >"$out" 2>&1 &
	pid=$!
	exec 3>/tmp/vmm.in
	if wait_for "$out" "GUEST: ready for input"; then
		a0=$(affinity $pid vcpu0)
		a1=$(affinity $pid vcpu1)
		[ "$a0" = 0 ] && [ "$a1" = 1 ] &&
			say "ok: vcpu0 on host CPU $a0, vcpu1 on host CPU $a1" ||
			bad "vcpu0 on '$a0', vcpu1 on '$a1' (want 0 and 1)"
		# Guest RAM is one mapping; each node's half is bound apart.
		grep -E 'bind:[01]' /proc/$pid/numa_maps | sed 's/^/  numa_maps: /'
		for node in 0 1; do
			grep -q "bind:$node .*N$node=" /proc/$pid/numa_maps &&
				say "ok: memory bound to host node $node and on it" ||
				bad "no mapping bound to and resident on host node $node"
		done
		printf 'go\n' >&3
	fi
	i=0
	while kill -0 $pid 2>/dev/null && [ $i -lt $((WAIT * 5)) ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -9 $pid 2>/dev/null
	wait $pid
	rc=$?
	exec 3>&-
	tr -d '\r' <"$out" | grep -E '^GUEST:|ssi-vmm' | sed 's/^/  | /'
	check_splat "$out" || bad "the guest kernel reported a problem"
	expect "$out" "GUEST: cpus online 0-1"
	expect "$out" "GUEST: node0 cpus 0 distance 10 25"
	expect "$out" "GUEST: node1 cpus 1 distance 25 10"
	expect "$out" "GUEST: node0 access0 read_latency 120 write_latency 120 read_bandwidth 15000 write_bandwidth 15000"
	expect "$out" "GUEST: node1 access0 read_latency 120 write_latency 120 read_bandwidth 15000 write_bandwidth 15000"
	for node in 0 1; do
		kb=$(tr -d '\r' <"$out" | sed -n "s/^GUEST: node$node memtotal \([0-9]*\) kB$/\1/p")
		# The kernel keeps some of each node for itself.
		[ -n "$kb" ] && [ "$kb" -gt 150000 ] && [ "$kb" -le 262144 ] &&
			say "ok: node$node has $kb kB of 256 MiB" ||
			bad "node$node memtotal '$kb' kB, want most of 262144"
	done
	[ $rc -eq 0 ] && say "ok: ssi-vmm exit status 0" ||
		bad "ssi-vmm exit status $rc (want 0)"
done

# Interleaved vCPUs (node0 has 0 and 2): the guest must not find cache
# or package siblings on another node (CPUID: one package per vCPU).
say "boot with interleaved vCPUs: node0 = 0,2, node1 = 1,3"
cat >/tmp/interleaved.ini <<INI
[topology]
nodes = 2
memory_per_node = 192M

[node0]
cpus = 0,2

[node1]
cpus = 1,3
INI
timeout 900 ssi-vmm --kernel "$KERNEL" --initrd "$INITRD" \
	--topology /tmp/interleaved.ini \
	--cmdline "console=ttyS0 panic=-1 noxsave guest_numa=1" \
	</dev/null >/tmp/interleaved.out 2>&1
rc=$?
tr -d '\r' </tmp/interleaved.out | grep -E '^GUEST:|ssi-vmm|logical packages' |
	sed 's/^/  | /'
check_splat /tmp/interleaved.out || bad "the guest kernel reported a problem"
expect /tmp/interleaved.out "GUEST: cpus online 0-3"
expect /tmp/interleaved.out "GUEST: node0 cpus 0,2 distance 10 20"
expect /tmp/interleaved.out "GUEST: node1 cpus 1,3 distance 20 10"
[ $rc -eq 0 ] && say "ok: ssi-vmm exit status 0" ||
	bad "ssi-vmm exit status $rc (want 0)"

[ $fail -eq 0 ] && say "PASS" || say "FAIL"
exit $fail
