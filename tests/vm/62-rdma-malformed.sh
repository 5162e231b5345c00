#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hostile peer: VM 0 runs selftests' rdma_badpeer (userspace verbs, no
# module) posing as node 0 against the module in VM 1.  Every malformed
# message it sends must be rejected and counted in the node's bad-message
# counter, the module must keep answering and serving intact pages, and a
# message larger than a receive buffer must only cost the connection.
# Any oops or WARN fails the run (tools/vmtest).
set -e
cd "$(dirname "$0")/../.."
exec tools/vmtest -n 2 -t 240 -m 768 --bin /usr/bin/rdma \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	if [ "$SSIHV_NODE" = 0 ]; then
		must "soft-RoCE rxe0 on eth0" rxe_up
		/ssihv/selftests/rdma_badpeer $(peer_addr 1) 18600 0 1 \
			| tee /tmp/bad
		grep -q "^not ok" /tmp/bad && exit 1
		grep -q "^ok 8 " /tmp/bad || exit 1
		# The count node 1 checks (26) is fixed in rdma_badpeer.
		grep -q "^# bad messages sent: 26$" /tmp/bad || exit 1
		sleep 2
		exit 0
	fi
	echo "1..9"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads as node 1" ssihv_up
	must "node add 0" ssihvctl node add 0 $(peer_addr 0)
	check "the bad peer connects and sends its HELLO" wait_state 0 up 90
	# rdma_badpeer sends 26 malformed messages, then one larger than a
	# receive buffer (a failed receive, counted as well).
	check "26 malformed messages counted, then the oversized one" \
		wait_ge 0 rx_bad 27 60
	check "the oversized message dropped the link" wait_not_up 0 20
	ssihvctl node show 0
	check "exactly 27 bad messages" [ "$(node_field 0 rx_bad)" = 27 ]
	check "the corrupted push was refused and counted" \
		[ "$(node_field 0 errors)" -ge 1 ]
	dmesg | grep ssihv | tail -n 40
	check "ssihv unloads" rmmod ssihv
	exit $tap_fail
'
