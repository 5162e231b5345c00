#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest frames homed on another node, shared and moved over RDMA with
# the MSI protocol (issue 7).  Two VMs with Soft-RoCE join as nodes 0
# and 1 and run selftests/remote_frames_test against each other: the
# same VM id attached on both with range A homed on node 0 and range B
# on node 1; B written on node 1, read and overwritten on node 0, read
# back on node 1; read sharing, invalidation and upgrade with their
# states and counters; node 1's instance closing while it owns frames
# of A (they go back to node 0); the placement policies (migrate, heat, the rate
# limit); two threads per node hammering 8 frames for 60 s
# with lost-write and stale-read checks; requests the peer must refuse;
# node 1's VM instance going away; then node 1 dies (sysrq reboot) while
# it holds frames of A and B: node 0's accesses to what it took end in
# SIGBUS, FRAMES_LOST events name those runs, and the rest keeps
# working.  VMTEST_OPTS adds tools/vmtest options (e.g.
# VMTEST_OPTS="-k debug" for the KASAN + lockdep kernel).
set -e
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
exec tools/vmtest -n 2 -t 600 -m 768 ${VMTEST_OPTS:-} --bin /usr/bin/rdma \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	peer=$((1 - SSIHV_NODE))
	t=/ssihv/selftests/remote_frames_test
	export REMOTE_FRAMES=1 HAMMER_SECONDS=60
	echo "1..$((SSIHV_NODE == 0 ? 8 : 7))"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads as node $SSIHV_NODE" ssihv_up
	must "node add $peer" ssihvctl node add $peer $(peer_addr $peer)
	must "node $peer comes up" wait_state $peer up 60
	if [ "$SSIHV_NODE" = 1 ]; then
		$t -t migrate_pattern -t shared_copies -t detach_gives_back \
			-t placement \
			-t hammer -t bad_requests -t vm_missing >/tmp/rf 2>&1
		rc=$?
		cat /tmp/rf
		check "remote_frames_test on node 1 (status $rc)" [ $rc = 0 ]
		check "no bad messages" [ "$(node_field 0 rx_bad)" = 0 ]
		rm -f /tmp/peer_dies.ready
		$t -t peer_dies >/tmp/rf2 2>&1 &
		i=0
		while [ ! -e /tmp/peer_dies.ready ] && [ $i -lt 600 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		check "holding frames of B for peer_dies" \
			[ -e /tmp/peer_dies.ready ]
		sleep 1
		echo "# node1: dying now"
		die_hard
		sleep 10
		exit 1
	fi
	start=$(date +%s)
	$t >/tmp/rf 2>&1
	rc=$?
	cat /tmp/rf
	check "remote_frames_test on node 0 (status $rc, $(($(date +%s) - start)) s)" \
		[ $rc = 0 ]
	check "all eight tests ran" [ "$(grep -c "^ok" /tmp/rf)" = 8 ]
	check "node 1 marked down" wait_not_up 1 30
	ssihvctl node show 1
	ssihvctl -j node show 1
	check "ssihv unloads" rmmod ssihv
	dmesg | grep ssihv | tail -n 20
	exit $tap_fail
'
