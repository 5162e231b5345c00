# SPDX-License-Identifier: GPL-2.0
#
# TAP 13 output for shell selftests, sourced by *_test.sh (busybox sh is
# enough).  Same output as harness.h:
#
#	. "$(dirname "$0")/tap.sh"
#	tap_plan 2
#	tap_check "true works" true
#	tap_skip "needs RDMA" "no rdma_rxe"
#	tap_done
#
# tap_done prints "# N passed, N failed, N skipped" and exits 1 if any
# test failed or the number run differs from the plan.

tap_planned=0
tap_number=0
tap_passed=0
tap_failed=0
tap_skipped=0

tap_plan() {
	tap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

# tap_diag MESSAGE...: a diagnostic line, ignored by TAP consumers.
tap_diag() {
	echo "# $*"
}

tap_ok() {
	tap_number=$((tap_number + 1))
	tap_passed=$((tap_passed + 1))
	echo "ok $tap_number $1"
}

tap_not_ok() {
	tap_number=$((tap_number + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_number $1"
}

# tap_skip NAME REASON
tap_skip() {
	tap_number=$((tap_number + 1))
	tap_skipped=$((tap_skipped + 1))
	echo "ok $tap_number $1 # SKIP $2"
}

# tap_result NAME STATUS: ok if STATUS is 0.
tap_result() {
	if [ "$2" -eq 0 ]; then
		tap_ok "$1"
	else
		tap_not_ok "$1"
	fi
}

# tap_check NAME COMMAND [ARGS...]: run COMMAND, ok if it succeeds.  Its
# output is shown as diagnostics so that it cannot break the TAP stream.
tap_check() {
	tap_name=$1
	shift
	tap_output=$("$@" 2>&1)
	tap_status=$?
	[ -z "$tap_output" ] ||
		printf '%s\n' "$tap_output" | sed 's/^\([^#]\)/# \1/; s/^$/#/'
	tap_result "$tap_name" $tap_status
}

tap_done() {
	if [ "$tap_number" -ne "$tap_planned" ]; then
		tap_diag "planned $tap_planned tests but ran $tap_number"
		tap_failed=$((tap_failed + 1))
	fi
	echo "# $tap_passed passed, $tap_failed failed, $tap_skipped skipped"
	[ "$tap_failed" -eq 0 ]
	exit
}
