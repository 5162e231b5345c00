#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three nodes, one VM, every frame coherent (issue 7): three VMs with
# Soft-RoCE join as nodes 0, 1 and 2, attach the same VM with one range
# homed on each, and run selftests/msi3_test on all three at once: two
# threads per node hammer 12 frames (4 homed on each node) for 30 s with
# lost-write, stale-read and well-formedness checks, meeting at barriers
# kept in the VM's own memory, and check every slot's final value on
# every node.  Then the module counters: remote faults everywhere, no
# refused request, no bad message on any link.  VMTEST_OPTS adds
# tools/vmtest options (e.g. VMTEST_OPTS="-k debug").
set -e
cd "$(dirname "$0")/../.."
# shellcheck disable=SC2086
exec tools/vmtest -n 3 -t 600 -m 768 ${VMTEST_OPTS:-} --bin /usr/bin/rdma \
	--file tests/vm/lib/rdma-node.sh=/ssihv/rdma-node.sh -- sh -c '
	. /ssihv/rdma-node.sh
	t=/ssihv/selftests/msi3_test
	echo "1..13"
	must "soft-RoCE rxe0 on eth0" rxe_up
	must "ssihv loads as node $SSIHV_NODE" ssihv_up
	for p in 0 1 2; do
		[ $p = $SSIHV_NODE ] && continue
		must "node add $p" ssihvctl node add $p $(peer_addr $p)
	done
	for p in 0 1 2; do
		[ $p = $SSIHV_NODE ] && continue
		must "node $p comes up" wait_state $p up 90
	done
	# Readiness flags between the VMs: a file served over HTTP.
	mkdir -p /www
	httpd -p 8080 -h /www
	wait_flag() {	# wait_flag NODE NAME SECONDS
		i=0
		until wget -q -O /dev/null \
			"http://$(peer_addr $1):8080/$2" 2>/dev/null; do
			i=$((i + 1))
			[ $i -le $(($3 * 2)) ] || return 1
			sleep 0.5
		done
	}
	# A flag raised on the way out: a node powers off only after its
	# last one, so a node that no longer answers pings is past it.
	wait_past() {	# wait_past NODE NAME SECONDS
		i=0
		until timeout 5 wget -q -O /dev/null \
			"http://$(peer_addr $1):8080/$2" 2>/dev/null; do
			ping -c 1 -W 1 $(peer_addr $1) >/dev/null 2>&1 ||
				return 0
			i=$((i + 1))
			[ $i -le $(($3 * 2)) ] || return 1
			sleep 0.5
		done
	}
	wait_line() {	# wait_line LINE SECONDS: msi3_test printed it
		i=0
		until grep -q "^# $1" /tmp/m3; do
			i=$((i + 1))
			[ $i -le $(($2 * 10)) ] && kill -0 $pid 2>/dev/null ||
				return 1
			sleep 0.1
		done
	}
	MSI3=1 MSI3_SECONDS=30 $t >/tmp/m3 2>&1 &
	pid=$!
	wait_line attached 30
	must "msi3_test attached the VM" grep -q "^# attached" /tmp/m3
	touch /www/attached
	for p in 0 1 2; do
		[ $p = $SSIHV_NODE ] && continue
		must "node $p attached" wait_flag $p attached 120
	done
	touch /tmp/msi3.go
	start=$(date +%s)
	# Detach only when all three checked (see msi3_test.c).
	wait_line checked 300
	touch /www/checked
	for p in 0 1 2; do
		[ $p = $SSIHV_NODE ] && continue
		wait_past $p checked 300 || break
	done
	touch /tmp/msi3.exit
	wait $pid
	rc=$?
	cat /tmp/m3
	check "msi3_test on node $SSIHV_NODE (status $rc, $(($(date +%s) - start)) s)" \
		[ $rc = 0 ]
	check "it ran, not skipped" grep -q "^ok 1 three_nodes_hammer$" /tmp/m3
	for p in 0 1 2; do
		[ $p = $SSIHV_NODE ] && continue
		check "no bad messages from node $p" \
			[ "$(node_field $p rx_bad)" = 0 ]
	done
	ssihvctl stats
	# Stay up until every node is done with the others.
	touch /www/done
	for p in 0 1 2; do
		[ $p = $SSIHV_NODE ] && continue
		wait_past $p done 300 || true
	done
	exit $tap_fail
'
