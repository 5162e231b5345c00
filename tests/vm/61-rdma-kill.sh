#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two nodes connected over RDMA; node 0 moves pages from or to node 1 with
# 4 threads (requests in flight all the time) when node 1 dies without any
# goodbye (sysrq reboot).  Usage: 61-rdma-kill.sh [fetch|fetch-write|push]
# (default fetch: one-sided READs in flight; 63-* runs fetch-write, whose
# requests wait for replies).  Before that, node 1 loads the module
# before its RDMA device exists, and later unloads and reloads it under a
# live link: node 0 must see it go and reconnect by itself.  Node 0 must fail every pending operation with
# an error, mark node 1 down within a bounded time, keep trying to
# reconnect with backoff, and unload the module cleanly.  Any oops or
# WARN in node 0's log fails the run (tools/vmtest).
set -e
cd "$(dirname "$0")/../.."
op=${1:-fetch}
exec tools/vmtest -n 2 -t 300 -m 768 --bin /usr/bin/rdma \
	--env KILL_OP="$op" \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	peer=$((1 - SSIHV_NODE))
	if [ "$SSIHV_NODE" = 1 ]; then
		echo "1..8"
		# The module first, the device after: the listener and the
		# ib_client must pick up a device that appears later.
		must "ssihv loads before any RDMA device" ssihv_up
		must "soft-RoCE rxe0 on eth0" rxe_up
		must "node add 0" ssihvctl node add 0 $(peer_addr 0)
		must "node 0 comes up" wait_state 0 up 60
		# Go away and come back: node 0 must reconnect by itself.
		sleep 2
		must "ssihv unloads under a live link" rmmod ssihv
		sleep 2
		must "ssihv loads again" ssihv_up
		must "node add 0" ssihvctl node add 0 $(peer_addr 0)
		must "node 0 reconnects" wait_state 0 up 60
		# Node 0 starts fetching as soon as it sees us up.
		sleep 6
		echo "# node1: dying now, bytes out $(node_field 0 bytes_out)"
		die_hard
		sleep 10
		exit 1
	fi
	echo "1..17"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads" ssihv_up
	must "node add 1" ssihvctl node add 1 $(peer_addr 1)
	must "node 1 comes up" wait_state 1 up 60
	check "node 1 goes away (module unloaded)" wait_not_up 1 30
	check "node 1 is back: reconnected with backoff" wait_state 1 up 60
	check "two connections so far" [ "$(node_field 1 connects)" = 2 ]
	start=$(date +%s)
	ssihvctl -j node xfer 1 $KILL_OP 50000 threads 4 >/tmp/x 2>/tmp/x.err
	rc=$?
	took=$(($(date +%s) - start))
	cat /tmp/x /tmp/x.err
	check "the transfer reports failure (status $rc)" [ $rc -ne 0 ]
	okp=$(json ok </tmp/x)
	failed=$(json failed </tmp/x)
	check "pages moved before the death: $okp" [ "${okp:-0}" -gt 0 ]
	check "pages failed after it: $failed" [ "${failed:-0}" -gt 0 ]
	check "no checksum errors" [ "$(json bad_csum </tmp/x)" = 0 ]
	# Node 1 dies ~6 s after this started; the heartbeat limit is 5 s.
	check "transfer ended ${took}s after it started (< 40)" [ $took -lt 40 ]
	check "node 1 marked down" wait_not_up 1 15
	ssihvctl node show 1
	check "ping to the dead node fails" sh -c "! ssihvctl node ping 1"
	check "errors counted" [ "$(node_field 1 errors)" -gt 0 ]
	sleep 3
	check "reconnection retried with backoff" [ "$(node_field 1 retries)" -gt 0 ]
	dmesg | grep ssihv | tail -n 20
	check "ssihv unloads" rmmod ssihv
	exit $tap_fail
'
