#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two VMs with Soft-RoCE join as nodes 0 and 1 over the module's RDMA
# transport: both come up, ping, then each moves 10,000 pages from the
# other (one-sided RDMA READ, 8 kernel threads) and 10,000 to it (RDMA
# WRITE + PUSH), both VMs at once, every page's checksum checked on
# arrival; a few hundred request/reply fetches; the counters add up.
# Then both reconnect over IPv6 (node 1 re-adds node 0 with its IPv6
# address, which drops the IPv4 link), and node 0 removes its RDMA
# device under a live connection.  NODE_UP / NODE_DOWN events are
# checked on the way.
set -e
cd "$(dirname "$0")/../.."
exec tools/vmtest -n 2 -t 480 -m 768 \
	--bin /usr/bin/rdma \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	peer=$((1 - SSIHV_NODE))
	echo "1..$((SSIHV_NODE == 0 ? 24 : 23))"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads as node $SSIHV_NODE" ssihv_up
	/ssihv/selftests/rdma_events 400 >/tmp/ev &
	until grep -q listening /tmp/ev; do sleep 0.1; done
	ssihvctl monitor >/tmp/mon &
	sleep 0.5
	must "node add $peer" ssihvctl node add $peer $(peer_addr $peer)
	must "node $peer comes up" wait_state $peer up 60
	check "node ping $peer" ssihvctl node ping $peer
	ssihvctl node list
	if ssihvctl -j node xfer $peer fetch 10000 threads 8 >/tmp/fetch; then
		ok "10000 pages fetched (RDMA READ), checksums ok: $(cat /tmp/fetch)"
	else
		not_ok "fetch: $(cat /tmp/fetch)"
	fi
	if ssihvctl -j node xfer $peer push 10000 threads 8 >/tmp/push; then
		ok "10000 pages pushed, peer verified: $(cat /tmp/push)"
	else
		not_ok "push: $(cat /tmp/push)"
	fi
	if ssihvctl -j node xfer $peer fetch-write 500 threads 4 >/tmp/fw; then
		ok "500 pages fetched (request + RDMA WRITE): $(cat /tmp/fw)"
	else
		not_ok "fetch-write: $(cat /tmp/fw)"
	fi
	# Stay up until the peer has pushed and fetched its share from us.
	check "peer pushed 10000 + 500 requests to us" wait_ge $peer ops_in 10500 120
	check "bytes in >= 20000 pages" wait_ge $peer bytes_in $((20000 * 4096)) 5
	check "bytes out >= 10500 pages" wait_ge $peer bytes_out $((10500 * 4096)) 5
	check "no bad messages" [ "$(node_field $peer rx_bad)" = 0 ]
	check "node still up" [ "$(node_field $peer state)" = up ]
	ssihvctl node show $peer
	check "NODE_UP event" grep -q "^node-up $peer" /tmp/ev
	check "ssihvctl monitor prints it" grep -q "node-up node $peer" /tmp/mon

	# Barrier: 7 more pushes each way say "my checks are done".
	ssihvctl node xfer $peer push 7 >/dev/null
	check "barrier" wait_ge $peer ops_in 10507 60
	echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad
	ip -6 addr add fd00:99::$((SSIHV_NODE + 1))/64 dev eth0
	if [ "$SSIHV_NODE" = 1 ]; then
		sleep 1
		ssihvctl node del 0
		must "node 0 re-added with its IPv6 address" \
			ssihvctl node add 0 fd00:99::1
		check "node 0 comes up over IPv6" wait_state 0 up 60
		check "NODE_DOWN event for the IPv4 link" \
			grep -q "^node-down 0" /tmp/ev
		check "node 0 finished (3 pushes)" wait_ge 0 ops_in 3 120
		check "node 0 disappears with its device" wait_not_up 0 30
		check "a second NODE_DOWN event" \
			[ "$(grep -c "^node-down 0" /tmp/ev)" -ge 2 ]
	else
		check "node 1 dropped the IPv4 link" wait_not_up 1 30
		check "NODE_DOWN event" grep -q "^node-down 1" /tmp/ev
		ssihvctl node del 1
		must "node 1 re-added with its IPv6 address" \
			ssihvctl node add 1 fd00:99::2
		check "node 1 comes up over IPv6" wait_state 1 up 60
		ssihvctl node show 1
		check "200 pages over IPv6" \
			ssihvctl node xfer 1 fetch 200 threads 4 batch 4
		ssihvctl node xfer 1 push 3 >/dev/null
		sleep 1
		# The ib_client removes every connection on the device.
		rdma link delete rxe0
		check "device removal takes node 1 down" wait_not_up 1 10
		check "NODE_DOWN event after the removal" \
			[ "$(grep -c "^node-down 1" /tmp/ev)" -ge 2 ]
	fi
	dmesg | grep ssihv | tail -n 20
	check "ssihv unloads" rmmod ssihv
	exit $tap_fail
'
