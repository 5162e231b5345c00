# SPDX-License-Identifier: GPL-2.0
# Sourced by the in-VM test scripts: the nested guest's console goes to a
# file, not to the test bed's console, so tools/vmtest cannot see a splat
# in it; check_splat does the same check on that file.
# shellcheck shell=sh

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
