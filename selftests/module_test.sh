#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# ssihv.ko life cycle as root: repeated load/unload leaves nothing behind,
# load creates /dev/ssihv (misc device, major 10) and the netlink family,
# and ssihvctl reports an absent module in one line with exit status 1.
# Busybox only: the JSON itself is checked by ssihvctl_test.

. "$(dirname "$0")/tap.sh"

SSIHVCTL=${SSIHVCTL:-ssihvctl}
CYCLES=5
MISC_MAJOR=10
MODPROBE_SYSCTL=/proc/sys/kernel/modprobe

tap_plan $((2 * CYCLES + 5))

if [ "$(id -u)" -ne 0 ]; then
	for i in $(seq $((2 * CYCLES + 5))); do
		tap_skip "module test $i" "needs root"
	done
	tap_done
fi

# The family's module alias makes any ssihvctl request load the module
# again (the kernel runs modprobe for unknown families).  Turn that off so
# "unloaded" stays unloaded, and restore it however the script ends.
if [ -w $MODPROBE_SYSCTL ]; then
	saved_modprobe=$(cat $MODPROBE_SYSCTL)
	restore_modprobe() {
		echo "$saved_modprobe" >$MODPROBE_SYSCTL
	}
	trap restore_modprobe EXIT
	echo >$MODPROBE_SYSCTL
fi

is_loaded() {
	[ -d /sys/module/ssihv ]
}

# Wait up to two seconds for a path to appear (yes) or vanish (no).
wait_path() {
	for _ in $(seq 20); do
		if [ -e "$1" ]; then
			[ "$2" = yes ] && return 0
		else
			[ "$2" = no ] && return 0
		fi
		sleep 0.1
	done
	return 1
}

unload() {
	if is_loaded && ! rmmod ssihv; then
		tap_diag "rmmod ssihv failed"
		return 1
	fi
	if is_loaded; then
		tap_diag "/sys/module/ssihv still exists after rmmod"
		return 1
	fi
	if ! wait_path /dev/ssihv no; then
		tap_diag "/dev/ssihv still exists after rmmod"
		return 1
	fi
	if [ -e /sys/class/misc/ssihv ]; then
		tap_diag "/sys/class/misc/ssihv still exists after rmmod"
		return 1
	fi
	return 0
}

# /dev/ssihv must be the misc character device that sysfs describes.
check_device() {
	if ! wait_path /dev/ssihv yes || [ ! -c /dev/ssihv ]; then
		tap_diag "/dev/ssihv is missing or not a character device"
		return 1
	fi
	sysfs_dev=$(cat /sys/class/misc/ssihv/dev) || return 1
	major=${sysfs_dev%%:*}
	minor=${sysfs_dev#*:}
	if [ "$major" -ne $MISC_MAJOR ]; then
		tap_diag "major $major, expected the misc major $MISC_MAJOR"
		return 1
	fi
	node=$(stat -c '%t %T' /dev/ssihv) || return 1
	if [ "$(printf '%d:%d' "0x${node% *}" "0x${node#* }")" != \
	     "$major:$minor" ]; then
		tap_diag "/dev/ssihv is $node (hex), sysfs says $sysfs_dev"
		return 1
	fi
	return 0
}

load() {
	if ! modprobe ssihv; then
		tap_diag "modprobe ssihv failed"
		return 1
	fi
	check_device || return 1
	if ! "$SSIHVCTL" info >/dev/null; then
		tap_diag "ssihvctl info failed: the netlink family is missing"
		return 1
	fi
	return 0
}

i=1
while [ $i -le $CYCLES ]; do
	unload
	tap_result "cycle $i: rmmod removes /dev/ssihv and the module" $?
	load
	tap_result "cycle $i: modprobe creates /dev/ssihv and the family" $?
	i=$((i + 1))
done

# ssihvctl COMMAND... without the module: exit 1 and one line on stderr.
check_absent() {
	out=$("$SSIHVCTL" "$@" 2>/tmp/ssihvctl.err)
	status=$?
	err=$(cat /tmp/ssihvctl.err)
	tap_diag "ssihvctl $*: exit $status, stderr: $err"
	[ $status -eq 1 ] || return 1
	[ -z "$out" ] || return 1
	[ "$(wc -l </tmp/ssihvctl.err)" -eq 1 ] || return 1
	case "$err" in
	*"module is not loaded"*"modprobe ssihv"*) return 0 ;;
	esac
	return 1
}

unload
tap_check "ssihvctl info without the module: one line, exit 1" \
	check_absent info
tap_check "ssihvctl -j info without the module: one line, exit 1" \
	check_absent -j info
tap_check "ssihvctl config set without the module: one line, exit 1" \
	check_absent config set max-vm-memory 1G

# Loaded again, for this script and for the tests that follow it.
load
tap_check "ssihvctl info with the module exits 0" "$SSIHVCTL" info

check_json() {
	json=$("$SSIHVCTL" -j info) || return 1
	tap_diag "$json"
	case "$json" in
	"{"*'"page_size":4096'*"}") return 0 ;;
	esac
	return 1
}
tap_check "ssihvctl -j info reports page_size 4096" check_json

tap_done
