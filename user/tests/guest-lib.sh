# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Sourced by the in-VM ssi-vmm test scripts (user/tests/vm-*-inner.sh)
# as /guest/guest-lib.sh.  Set NAME (the prefix of every report line) and
# WAIT (how many seconds wait_for waits) first.  $fail is 1 once any
# check failed.

fail=0

say() {
	echo "$NAME: $*"
}

bad() {
	say "FAIL: $*"
	fail=1
}

# expect FILE LINE: the guest printed exactly LINE (CRs stripped).
expect() {
	if tr -d '\r' <"$1" | grep -qxF -- "$2"; then
		say "ok: saw '$2'"
	else
		bad "no line '$2' in $1"
	fi
}

# expect_text FILE TEXT: TEXT appears somewhere in FILE.
expect_text() {
	if tr -d '\r' <"$1" | grep -qF -- "$2"; then
		say "ok: saw '$2'"
	else
		bad "no '$2' in $1"
	fi
}

# wait_for FILE TEXT [COUNT [PID]]: until TEXT appears COUNT (default 1)
# times in FILE; gives up after WAIT seconds, or at once when process PID
# has ended.
wait_for() {
	n=0
	while [ "$(tr -d '\r' <"$1" | grep -cF -- "$2")" -lt "${3:-1}" ]; do
		n=$((n + 1))
		if [ $n -gt $((WAIT * 5)) ] ||
		   { [ -n "${4:-}" ] && ! kill -0 "$4" 2>/dev/null; }; then
			bad "gave up waiting for '$2' in $1"
			return 1
		fi
		sleep 0.2
	done
}

# The nested guest's console goes to a file, not to the test bed's
# console, so tools/vmtest cannot see a splat in it; check_splat does the
# same check on that file.
GUEST_SPLAT_RE='Oops|BUG:|kernel BUG|WARNING:|general protection|KASAN|'
GUEST_SPLAT_RE="${GUEST_SPLAT_RE}possible recursive locking|circular locking|"
GUEST_SPLAT_RE="${GUEST_SPLAT_RE}inconsistent lock|Call Trace:|Kernel panic|"
GUEST_SPLAT_RE="${GUEST_SPLAT_RE}sleeping function called from invalid context"

# check_splat FILE: prints the first report with the lines around it (what
# the guest was doing, the trace) and returns 1.
check_splat() {
	if tr -d '\r' <"$1" | grep -E -B 4 -A 24 "$GUEST_SPLAT_RE" \
		>/tmp/splat.txt; then
		echo "guest kernel splat in $1:"
		head -n 40 /tmp/splat.txt | sed 's/^/  ! /'
		return 1
	fi
	return 0
}
