#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One guest, memory on two hosts (issue 7): two test-bed VMs with
# Soft-RoCE join as cluster nodes 0 and 1.  Node 1 runs
# "ssi-vmm --memory-only" and so is home to the guest NUMA node whose
# memory the topology homes there ("home = 1"); node 0 boots the stock
# kernel nested under ssi-vmm with that topology and --memory-backend
# ssihv.  The guest's memory checker writes and verifies patterns over
# most of its RAM, a good part of it in node 1's range, so those frames
# come over RDMA; "ssihvctl stats" on node 0 counts the remote faults and
# on node 1 the frames it served and, once node 0's VMM has exited, the
# frames it took back from it.  "noxsave": see vm-boot-inner.sh.
set -euo pipefail

cd "$(dirname "$0")/../.."
. tests/vm/lib/vmm-test.sh
[ -r "$KERNEL" ] || { echo "66-vmm-two-hosts: no $KERNEL" >&2; exit 1; }
user/tests/make-guest-initramfs.sh "$VMM_TMP/guest.cpio" "$KVER"

exec tools/vmtest -n 2 -t 1500 -m 1536 --bin /usr/bin/rdma \
	--file "$KERNEL=/guest/vmlinuz" \
	--file "$VMM_TMP/guest.cpio=/guest/initrd.cpio" \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	peer=$((1 - SSIHV_NODE))
	vmid=0x66
	cat >/tmp/two-hosts.ini <<INI
[topology]
nodes = 2
cpus_per_node = 1
memory_per_node = 256M
remote_distance = 30

[node0]
home = 0

[node1]
home = 1
INI
	# Readiness flags between the two VMs: a file served over HTTP.
	mkdir -p /www
	httpd -p 8080 -h /www
	wait_flag() {	# wait_flag NODE NAME SECONDS
		i=0
		until wget -q -O /dev/null "http://$(peer_addr $1):8080/$2" \
			2>/dev/null; do
			i=$((i + 1))
			[ $i -le $(($3 * 2)) ] || return 1
			sleep 0.5
		done
	}
	stats() {
		ssihvctl -j stats $vmid 2>/dev/null | tr -d " \n"
	}
	stat_field() {
		sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -n 1
	}
	echo "1..$((SSIHV_NODE == 0 ? 11 : 9))"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads as node $SSIHV_NODE" ssihv_up
	must "node add $peer" ssihvctl node add $peer $(peer_addr $peer)
	must "node $peer comes up" wait_state $peer up 60
	if [ "$SSIHV_NODE" = 1 ]; then
		ssi-vmm --memory-only --memory-backend ssihv --vm-id $vmid \
			--topology /tmp/two-hosts.ini 2>/tmp/serve.err &
		pid=$!
		i=0
		until ssihvctl vm show $vmid >/dev/null 2>&1; do
			i=$((i + 1))
			[ $i -le 100 ] && kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		must "ssi-vmm --memory-only holds VM $vmid" \
			ssihvctl vm show $vmid
		touch /www/serving
		check "node 0 finished its guest" wait_flag 0 done 1200
		stats >/tmp/st1
		echo "# node 1 stats: $(cat /tmp/st1)"
		served=$(stat_field frames_served </tmp/st1)
		check "node 1 served $served frames (>= 16384)" \
			[ "${served:-0}" -ge 16384 ]
		back=$(stat_field frames_recalled </tmp/st1)
		check "node 0 gave $back frames back as its VMM exited (>= 16384)" \
			[ "${back:-0}" -ge 16384 ]
		kill -TERM $pid
		wait $pid
		rc=$?
		cat /tmp/serve.err
		check "ssi-vmm --memory-only exits 0 on SIGTERM" [ $rc = 0 ]
		exit $tap_fail
	fi
	must "node 1 holds the VM" wait_flag 1 serving 120
	start=$(date +%s)
	ssi-vmm --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
		--topology /tmp/two-hosts.ini --memory-backend ssihv \
		--vm-id $vmid \
		--cmdline "console=ttyS0 panic=-1 noxsave guest_numa=1 guest_memcheck=320 guest_memsplit=256" \
		</dev/null >/tmp/guest.out 2>&1 &
	pid=$!
	# The instance goes with ssi-vmm: keep the last sample taken.
	: >/tmp/st0.run
	while kill -0 $pid 2>/dev/null; do
		stats >/tmp/st0.new
		[ -s /tmp/st0.new ] && mv /tmp/st0.new /tmp/st0.run
		sleep 2
	done
	wait $pid
	rc=$?
	echo "# guest ran $(($(date +%s) - start)) s"
	tr -d "\r" </tmp/guest.out | grep -E "^GUEST:|ssi-vmm|BUG|WARNING|Call Trace" |
		sed "s/^/  | /"
	check "ssi-vmm exit status 0 ($rc)" [ $rc = 0 ]
	check "guest sees node1 with distance 30 10" \
		grep -q "^GUEST: node1 cpus 1 distance 30 10" /tmp/guest.out
	split=$(tr -d "\r" </tmp/guest.out |
		sed -n "s/^GUEST: memcheck ok 320 MiB.*, \([0-9]*\) MiB at or above 256 MiB.*/\1/p")
	check "memcheck passed over 320 MiB, ${split:-?} MiB of it homed on node 1" \
		[ "${split:-0}" -ge 32 ]
	echo "# node 0 stats, last sample while the guest ran: $(cat /tmp/st0.run)"
	remote=$(stat_field faults_remote </tmp/st0.run)
	check "node 0 counted remote faults ($remote, >= 16384)" \
		[ "${remote:-0}" -ge 16384 ]
	check "no guest kernel splat" \
		sh -c "! tr -d \"\\r\" </tmp/guest.out | grep -qE \"BUG:|WARNING:|Call Trace:|Oops\""
	touch /www/done
	check "node 1 stays up" wait_state 1 up 5
	sleep 3
	exit $tap_fail
'
