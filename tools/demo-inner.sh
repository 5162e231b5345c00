#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo's part inside the two-node test-bed VM (tools/demo): load
# ssihv.ko, boot the stock kernel under ssi-vmm with a two-node topology
# and guest RAM from /dev/ssihv, show what the guest sees and, while it
# is still running, what the module says about its memory.

VMID=${DEMO_VM_ID:-42}
WAIT=900
out=/tmp/demo-guest.out
ok=1

step() {
	echo
	echo "=== $*"
}

fail() {
	echo "demo: FAILED: $*"
	ok=0
}

# guest KEY: the guest's console lines "GUEST: KEY...", prefix removed.
guest() {
	tr -d '\r' <"$out" | sed -n "s/^GUEST: $1/$1/p"
}

step "test-bed VM (the host): $(nproc) CPUs, NUMA nodes $(cat /sys/devices/system/node/online)"
modprobe ssihv || { fail "modprobe ssihv"; exit 1; }
ssihvctl info | sed 's/^/  /'

cat >/tmp/demo.ini <<INI
[topology]
nodes = 2
cpus_per_node = 1
memory_per_node = 256M
remote_distance = 25

[node0]
host_node = 0

[node1]
host_node = 1
INI
step "guest topology (--topology /tmp/demo.ini)"
sed 's/^/  /' /tmp/demo.ini

step "ssi-vmm --memory-backend ssihv --vm-id $VMID: booting the stock kernel nested (under TCG: a minute or so)"
rm -f /tmp/demo.in
mkfifo /tmp/demo.in
ssi-vmm --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--topology /tmp/demo.ini --memory-backend ssihv --vm-id "$VMID" \
	--cmdline "console=ttyS0 panic=-1 noxsave quiet guest_numa=1 guest_memcheck=128 guest_echo=1" \
	</tmp/demo.in >"$out" 2>&1 &
pid=$!
exec 3>/tmp/demo.in
n=0
while ! tr -d '\r' <"$out" | grep -q "^GUEST: ready for input"; do
	if ! kill -0 $pid 2>/dev/null || [ $n -gt $((WAIT * 2)) ]; then
		fail "the guest did not come up"
		sed 's/^/  | /' "$out" | tail -n 20
		exit 1
	fi
	sleep 0.5
	n=$((n + 1))
done
grep '^ssi-vmm' "$out" | sed 's/^/  /'

step "what the guest sees (/sys/devices/system/node inside the guest)"
echo "  kernel $(guest kernel | cut -d' ' -f2-), CPUs online $(guest 'cpus online' | cut -d' ' -f3)"
echo "  memory $(guest memtotal | cut -d' ' -f2-)"
for node in 0 1; do
	cpus=$(guest "node$node cpus" | sed 's/.* cpus \([^ ]*\) .*/\1/')
	dist=$(guest "node$node cpus" | sed 's/.* distance //')
	mem=$(guest "node$node memtotal" | sed 's/.* memtotal //')
	echo "  node$node: CPUs $cpus, memory $mem, distances $dist"
	[ -n "$cpus" ] && [ -n "$mem" ] || fail "the guest has no node$node"
done
guest memcheck | sed 's/^/  /'

step "ssihvctl vm show $VMID (in the test-bed VM, while the guest runs)"
ssihvctl vm show "$VMID" | sed 's/^/  /'
step "ssihvctl stats $VMID"
ssihvctl stats "$VMID" | sed 's/^/  /'
resident=$(ssihvctl -j stats "$VMID" |
	   sed -n 's/.*"resident_pages": *\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$resident" ] && [ "$resident" -gt 0 ] ||
	fail "no resident pages in ssihvctl stats"

step "telling the guest to power off"
printf 'go\n' >&3
n=0
while kill -0 $pid 2>/dev/null && [ $n -lt $((WAIT * 2)) ]; do
	sleep 0.5
	n=$((n + 1))
done
kill -9 $pid 2>/dev/null
wait $pid
rc=$?
exec 3>&-
guest ending | sed 's/^/  guest: /'
echo "  ssi-vmm exit status $rc"
[ $rc -eq 0 ] || fail "ssi-vmm exit status $rc"
if ssihvctl vm show "$VMID" >/dev/null 2>&1; then
	fail "VM $VMID still exists after ssi-vmm exited"
else
	echo "  VM $VMID is gone: its pages were freed with the last mapping"
fi

echo
if [ $ok -eq 1 ]; then
	echo "demo: OK"
	exit 0
fi
echo "demo: FAILED (guest console: $out)"
exit 1
