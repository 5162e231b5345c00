#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flapping peer: node 1 loads ssihv, joins, and unloads it again five
# times, at random-ish moments, while node 0 keeps 8 threads of fetches,
# pushes and request/reply fetches going against it.  Tear-down races with
# requests in flight on both sides (node 1 unloads while serving).  After
# the last reload the link must come back and move 500 pages without an
# error; no oops, WARN or hang anywhere, and both modules unload.
set -e
cd "$(dirname "$0")/../.."
exec tools/vmtest -n 2 -t 400 -m 768 --bin /usr/bin/rdma \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	must "soft-RoCE rxe0 on eth0" rxe_up
	if [ "$SSIHV_NODE" = 1 ]; then
		echo "1..10"
		for cycle in 1 2 3 4 5; do
			ssihv_up
			ssihvctl node add 0 $(peer_addr 0)
			wait_state 0 up 60 || { not_ok "cycle $cycle: up"; break; }
			sleep $((cycle % 3 + 1))
			check "cycle $cycle: unload while serving" rmmod ssihv
		done
		must "ssihv loads for good" ssihv_up
		must "node add 0" ssihvctl node add 0 $(peer_addr 0)
		check "node 0 up" wait_state 0 up 60
		# Node 0 deletes us when it is done.
		check "node 0 done" wait_not_up 0 300
		exit $tap_fail
	fi
	echo "1..9"
	must "ssihv loads" ssihv_up
	must "node add 1" ssihvctl node add 1 $(peer_addr 1)
	must "node 1 comes up" wait_state 1 up 60
	ok=0
	failed=0
	start=$(date +%s)
	while [ "$(node_field 1 connects)" -lt 6 ] ||
	      [ "$(node_field 1 state)" != up ]; do
		for op in fetch push fetch-write; do
			ssihvctl -j node xfer 1 $op 1500 threads 8 >/tmp/x
			ok=$((ok + $(json ok </tmp/x)))
			failed=$((failed + $(json failed </tmp/x)))
		done
		[ $(($(date +%s) - start)) -lt 240 ] || break
	done
	echo "# $ok pages moved, $failed failed during the flapping"
	ssihvctl node show 1
	check "six connections (five flaps)" \
		[ "$(node_field 1 connects)" -ge 6 ]
	check "pages moved while it flapped" [ $ok -gt 0 ]
	check "node 1 up at the end" wait_state 1 up 60
	if ssihvctl -j node xfer 1 fetch-write 500 threads 4 >/tmp/x; then
		ok "500 pages after the last reconnection: $(cat /tmp/x)"
	else
		not_ok "500 pages after the last reconnection: $(cat /tmp/x)"
	fi
	ssihvctl node del 1
	check "ssihv unloads" rmmod ssihv
	exit $tap_fail
'
