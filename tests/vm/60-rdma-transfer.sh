#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two VMs with Soft-RoCE join as nodes 0 and 1 over the module's RDMA
# transport: both come up, ping, then each moves 10,000 pages from the
# other (one-sided RDMA READ, 8 kernel threads) and 10,000 to it (RDMA
# WRITE + PUSH), both VMs at once, every page's checksum checked on
# arrival; a few hundred request/reply fetches; the counters add up.
set -e
cd "$(dirname "$0")/../.."
exec tools/vmtest -n 2 -t 420 -m 768 \
	--bin /usr/bin/rdma \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	peer=$((1 - SSIHV_NODE))
	echo "1..13"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads as node $SSIHV_NODE" ssihv_up
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
	sleep 3
	exit $tap_fail
'
