# SPDX-License-Identifier: GPL-2.0
#
# Sourced inside a test VM (busybox sh): bring up Soft-RoCE on eth0, load
# ssihv.ko as node $SSIHV_NODE and helpers the 60-rdma-* tests share.

tap_n=0
tap_fail=0
ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n node$SSIHV_NODE: $*"
}
not_ok() {
	tap_n=$((tap_n + 1))
	tap_fail=1
	echo "not ok $tap_n node$SSIHV_NODE: $*"
}
check() {	# check DESCRIPTION COMMAND...
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
must() {	# like check, but a failure ends the test (nothing else can pass)
	desc=$1
	shift
	if "$@"; then ok "$desc"; return 0; fi
	not_ok "$desc"
	dmesg | tail -n 30
	exit 1
}

# Soft-RoCE: rdma_rxe needs the crc32 transform but does not load it.
# (The debug kernel has all of them built in.)
rxe_up() {
	modprobe crc32_generic 2>/dev/null
	modprobe crc32_pclmul 2>/dev/null
	modprobe rdma_rxe 2>/dev/null
	rdma link add rxe0 type rxe netdev eth0 || return 1
	for m in rdma_cm ib_uverbs rdma_ucm; do
		modprobe $m 2>/dev/null
	done
	return 0
}

ssihv_up() {
	modprobe ssihv node_id="$SSIHV_NODE" "$@"
}

# json FIELD: the value of "FIELD" in the JSON on stdin (numbers, strings).
json() {
	sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" | head -n 1
}

node_field() {	# node_field ID FIELD
	ssihvctl -j node show "$1" | json "$2"
}

# wait_state ID STATE SECONDS: poll until node ID is in STATE.
wait_state() {
	i=0
	while [ "$(node_field "$1" state)" != "$2" ]; do
		i=$((i + 1))
		[ $i -le $(($3 * 5)) ] || return 1
		sleep 0.2
	done
}

# wait_not_up ID SECONDS: poll until node ID is down or reconnecting.
wait_not_up() {
	i=0
	while [ "$(node_field "$1" state)" = up ]; do
		i=$((i + 1))
		[ $i -le $(($2 * 5)) ] || return 1
		sleep 0.2
	done
}

# wait_ge ID FIELD VALUE SECONDS: poll until the counter reaches VALUE.
wait_ge() {
	i=0
	while [ "$(node_field "$1" "$2")" -lt "$3" ] 2>/dev/null ||
	      [ -z "$(node_field "$1" "$2")" ]; do
		i=$((i + 1))
		[ $i -le $(($4 * 5)) ] || return 1
		sleep 0.2
	done
}

peer_addr() {
	echo "10.99.0.$(($1 + 1))"
}

# Die now, like a host losing power: no module unload, no rdma_cm
# disconnect.  The verdict and kernel log go to the control port first,
# as /init would have sent them.
die_hard() {
	sync
	{
		echo "VMTEST-DMESG-BEGIN"
		dmesg
		echo "VMTEST-DMESG-END"
		echo "VMTEST-RC=$tap_fail"
	} >/dev/ttyS1
	sleep 0.5
	echo b >/proc/sysrq-trigger
}
