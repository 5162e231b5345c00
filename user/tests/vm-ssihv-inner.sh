#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a two-node test-bed VM (tests/vm/54-vmm-ssihv.sh): boots the
# stock kernel nested with guest RAM from /dev/ssihv and a two-node
# --topology.  The guest must see both nodes and CPUs and pass the memory
# checker over 256 MiB; while it waits on its console, "ssihvctl -j stats"
# must show its pages resident (first-touch faults, pages on both host
# NUMA nodes) and a second ssi-vmm with the same --vm-id must be refused.
# After power-off the instance must be gone; a reboot (re-exec) attaches
# the same --vm-id again; without the module the backend is refused in
# one line.  "noxsave": see vm-boot-inner.sh.

NAME=vmm-ssihv
. /guest/guest-lib.sh

KERNEL=/guest/vmlinuz
INITRD=/guest/initrd.cpio
WAIT=600
VMID=0x5510

# json FIELD: the first value of "FIELD" in the JSON on stdin.
json() {
	sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n 1
}

# node_pages NODE: resident pages on host NUMA node NODE (stats JSON on
# stdin, one line per key as ssihvctl -j prints it).
node_pages() {
	tr -d ' \n' | sed -n "s/.*\"numa_node\":$1,\"pages\":\([0-9]*\).*/\1/p"
}

# refuse NAME TEXT ARGS...: one line, non-zero exit.
refuse() {
	name=$1 text=$2
	shift 2
	ssi-vmm "$@" </dev/null >/tmp/err 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l </tmp/err)" -eq 1 ] &&
	   grep -qF -- "$text" /tmp/err; then
		say "ok: $name: $(cat /tmp/err)"
	else
		bad "$name: status $rc, output: $(cat /tmp/err)"
	fi
}

cat >/tmp/two-nodes.ini <<INI
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

say "host: nodes $(cat /sys/devices/system/node/online)"
modprobe ssihv || bad "modprobe ssihv failed"

out=/tmp/ssihv.out
rm -f /tmp/vmm.in
mkfifo /tmp/vmm.in
ssi-vmm --kernel "$KERNEL" --initrd "$INITRD" \
	--topology /tmp/two-nodes.ini --memory-backend ssihv --vm-id $VMID \
	--cmdline "console=ttyS0 panic=-1 noxsave guest_numa=1 guest_memcheck=256 guest_echo=1" \
	</tmp/vmm.in >"$out" 2>&1 &
pid=$!
exec 3>/tmp/vmm.in
if wait_for "$out" "GUEST: ready for input" 1 $pid; then
	ssihvctl vm show $VMID | sed 's/^/  vm: /'
	ssihvctl -j stats $VMID >/tmp/stats.json
	ssihvctl stats $VMID | sed 's/^/  stats: /'
	first=$(json faults_first </tmp/stats.json)
	resident=$(json resident_pages </tmp/stats.json)
	p0=$(node_pages 0 </tmp/stats.json)
	p1=$(node_pages 1 </tmp/stats.json)
	[ -n "$first" ] && [ "$first" -gt 0 ] &&
		say "ok: faults_first $first" ||
		bad "faults_first '$first' (want > 0)"
	# The checker alone touched 256 MiB: 65536 pages.
	[ -n "$resident" ] && [ "$resident" -ge 65536 ] &&
		say "ok: resident_pages $resident" ||
		bad "resident_pages '$resident' (want >= 65536)"
	[ -n "$p0" ] && [ "$p0" -gt 0 ] && [ -n "$p1" ] && [ "$p1" -gt 0 ] &&
		say "ok: resident on host node 0: $p0 pages, node 1: $p1 pages" ||
		bad "resident per host node: node0 '$p0' node1 '$p1' (want both > 0)"
	refuse "same --vm-id twice" "EEXIST" --kernel "$KERNEL" \
		--memory-backend ssihv --vm-id $VMID --memory 64M
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
expect "$out" "GUEST: received 'go'"
tr -d '\r' <"$out" | grep -q '^GUEST: memcheck ok 256 MiB' &&
	say "ok: memcheck passed over 256 MiB" ||
	bad "no 'GUEST: memcheck ok 256 MiB' in $out"
grep -q "^ssi-vmm: guest memory from /dev/ssihv, VM id $((VMID)) " "$out" &&
	say "ok: ssi-vmm printed VM id $((VMID))" ||
	bad "ssi-vmm did not print VM id $((VMID))"
[ $rc -eq 0 ] && say "ok: ssi-vmm exit status 0" ||
	bad "ssi-vmm exit status $rc (want 0)"

# The last user is gone: so is the instance.
if ssihvctl vm show $VMID >/tmp/gone 2>&1; then
	bad "VM $VMID still listed after ssi-vmm exited: $(cat /tmp/gone)"
else
	say "ok: VM $VMID gone after exit"
fi

# A guest reboot re-executes ssi-vmm: the new process must get the same
# --vm-id again (CREATE|EXCL), so the old instance must be gone by then.
say "reboot with --on-reboot reboot and the same --vm-id"
out=/tmp/reboot.out
: >"$out"
rm -f /tmp/vmm.in
mkfifo /tmp/vmm.in
ssi-vmm --kernel "$KERNEL" --initrd "$INITRD" --memory 256M \
	--memory-backend ssihv --vm-id $VMID --on-reboot reboot \
	--cmdline "console=ttyS0 panic=-1 noxsave quiet guest_echo=1 guest_end=reboot" \
	</tmp/vmm.in >>"$out" 2>&1 &
pid=$!
exec 3>/tmp/vmm.in
# ready N: wait for the guest's Nth "ready for input" (boot N waits).
ready() {
	n=0
	while [ "$(tr -d '\r' <"$out" | grep -c '^GUEST: ready for input')" -lt "$1" ]; do
		n=$((n + 1))
		if [ $n -gt $((WAIT * 5)) ] || ! kill -0 $pid 2>/dev/null; then
			bad "no 'ready for input' from boot $1"
			return 1
		fi
		sleep 0.2
	done
}
vms=
if ready 1; then
	printf 'reboot\n' >&3
	ready 2 && vms=$(ssihvctl -j vm list | tr -d ' \n' |
			 grep -o '"id":[0-9]*' | tr '\n' ' ')
fi
printf '\001x' >&3
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.2
	i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid
rc=$?
exec 3>&-
tr -d '\r' <"$out" | grep -E '^GUEST: (init|received|ending)|ssi-vmm' |
	sed 's/^/  | /'
boots=$(grep -c "^ssi-vmm: guest memory from /dev/ssihv, VM id $((VMID)) " "$out")
[ "$boots" -ge 2 ] && say "ok: VM id $((VMID)) attached again after the reboot" ||
	bad "VM id $((VMID)) attached $boots times (want 2 or more)"
[ "$vms" = "\"id\":$((VMID)) " ] && say "ok: one instance while it runs: $vms" ||
	bad "instances while it runs: '$vms' (want only $((VMID)))"
[ $rc -eq 0 ] && say "ok: ssi-vmm exit status 0 after Ctrl-A x" ||
	bad "ssi-vmm exit status $rc after Ctrl-A x (want 0)"
ssihvctl vm show $VMID >/dev/null 2>&1 &&
	bad "VM $VMID still listed after Ctrl-A x" ||
	say "ok: VM $VMID gone after Ctrl-A x"

rmmod ssihv || bad "rmmod ssihv failed"
refuse "ssihv backend without the module" \
	"/dev/ssihv not found; load the module with 'modprobe ssihv'" \
	--kernel "$KERNEL" --memory-backend ssihv

[ $fail -eq 0 ] && say "PASS" || say "FAIL"
exit $fail
