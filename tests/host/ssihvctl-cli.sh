#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ssihvctl on the build host, where ssihv.ko is usually not loaded: usage
# errors exit 2 with one line, help and version exit 0, and every command
# that needs the kernel says in one line that the module is not loaded
# and exits 1.  The last part skips when the module is loaded here.
# Usage: tests/host/ssihvctl-cli.sh [PATH-TO-SSIHVCTL]

. "$(dirname "$0")/../../selftests/tap.sh"

SSIHVCTL=${1:-build/ssihvctl}
NOT_LOADED='ssihvctl: the ssihv kernel module is not loaded (no netlink family "ssihv"); load it with '"'modprobe ssihv'"
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# expect STATUS STDERR-PATTERN ARGS...: run ssihvctl ARGS, check its exit
# status, that stderr is one line matching the pattern (or empty for "").
expect() {
	want_status=$1
	want_err=$2
	shift 2
	out=$("$SSIHVCTL" "$@" 2>"$err")
	status=$?
	tap_diag "ssihvctl $*: exit $status: $(cat "$err")"
	[ "$status" -eq "$want_status" ] || return 1
	if [ -z "$want_err" ]; then
		[ ! -s "$err" ] || return 1
	else
		[ "$(wc -l <"$err")" -eq 1 ] || return 1
		case "$(cat "$err")" in
		$want_err) ;;
		*) return 1 ;;
		esac
		# Errors print nothing on stdout.
		[ -z "$out" ] || return 1
	fi
	return 0
}

# Each case: NAME|ARGS (ARGS are split by the shell, so '' is an empty
# argument).  Read in the current shell so that the TAP counters add up.
USAGE_CASES="no object|
unknown object|bogus
unknown option|-x info
unknown long option|--bogus info
option after the object|info -j
unknown command|info frob
extra argument|info show extra
config set without a setting|config set
unknown setting|config set max-vm-pages 1
setting without a value|config set max-vm-memory
setting twice|config set max-vm-memory 1G max-vm-memory 2G
empty size|config set max-vm-memory ''
negative size|config set max-vm-memory -1
fractional size|config set max-vm-memory 1.5G
unknown unit|config set max-vm-memory 1X
overflowing size|config set max-vm-memory 16E
unknown placement|config set placement bogus
placement heat zero|config set placement-heat 0
placement heat too big|config set placement-heat 65536
placement rate not a number|config set placement-rate fast
placement rate too big|config set placement-rate 1000001
vm unknown command|vm frob
vm show without an id|vm show
vm show with two ids|vm show 1 2
vm show with a bad id|vm show 0xzz
vm id with a suffix|vm show 4K
negative vm id|vm destroy -1
vm list with an argument|vm list 1
page without a command|page
page show without a GPA|page show 1
page show with a bad GPA|page show 1 0xzz
page show with a reversed range|page show 1 0x2000-0x1000
page show with an empty range|page show 1 0x1000+0
page show with an extra argument|page show 1 0 shared
page revoke with a bad flag|page revoke 1 0 exclusive
page range past 64 bits|page show 1 0xffffffffffffffff+2
stats with two ids|stats 1 2
stats with an unknown option|stats --bogus
stats prometheus and json|-j stats --prometheus
monitor with an argument|monitor 1"

KERNEL_CASES="info
info show
-j info
-p info
config
-j config show
config set max-vm-memory 1G
vm
vm list
-j vm show 0x2a
vm destroy 42
page show 42 0x1000
page show 42 0-1M
page revoke 42 0x1000 shared
stats
stats 42 --prometheus
monitor"

count() {
	printf '%s\n' "$1" | wc -l
}

tap_plan $(($(count "$USAGE_CASES") + $(count "$KERNEL_CASES") + 8))

tap_check "--help exits 0" expect 0 "" --help
tap_check "help exits 0" expect 0 "" help
tap_check "info help exits 0" expect 0 "" info help
tap_check "--version exits 0" expect 0 "" --version
tap_check "vm help exits 0" expect 0 "" vm help
tap_check "page help exits 0" expect 0 "" page help
tap_check "stats help exits 0" expect 0 "" stats help
tap_check "monitor help exits 0" expect 0 "" monitor help

while IFS='|' read -r name args; do
	eval "set -- $args"
	tap_check "usage error, $name: exit 2" \
		expect 2 "ssihvctl: *; try 'ssihvctl --help'" "$@"
done <<END
$USAGE_CASES
END

# Whether the family exists here decides what the kernel commands do.
if "$SSIHVCTL" info >/dev/null 2>&1; then
	loaded=yes
else
	loaded=no
fi
while read -r args; do
	if [ $loaded = yes ]; then
		tap_skip "module absent: ssihvctl $args" \
			"the ssihv module is loaded on this host"
		continue
	fi
	# shellcheck disable=SC2086 # split the arguments on purpose
	tap_check "module absent: ssihvctl $args: one line, exit 1" \
		expect 1 "$NOT_LOADED" $args
done <<END
$KERNEL_CASES
END

tap_done
