#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test bed must fail a run whose kernel log has a splat even when the
# command itself succeeds, and must fail a run whose command fails.  Load
# a module that hits WARN_ON(1) and check that tools/vmtest exits non-zero
# naming the WARNING; then check the plain failing-command case.
set -u
cd "$(dirname "$0")/../.."
kdir=${KDIR:-$(tools/find-kdir)}
out=build/tests/kmod-splat
rm -rf "$out" && mkdir -p "$out" && cp tests/kmod/splat/* "$out/"
make -s -C "$kdir" M="$PWD/$out" modules >/dev/null 2>&1 ||
	{ echo "not ok: cannot build the splat module"; exit 1; }

echo "1..2"
log=build/tests/splat-detector.log
tools/vmtest -t 120 -m 512 --smp 1 --extra-module "$out/splat.ko" \
	-- sh -c 'modprobe splat kind=warn; exit 0' >"$log" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q 'vmtest: node0: kernel splat' "$log" &&
   grep -q 'vmtest:.*WARNING:' "$log"; then
	echo "ok 1 WARN_ON(1) in the guest fails the run (status $rc)"
	f1=0
else
	echo "not ok 1 WARN_ON(1) in the guest fails the run (status $rc)"
	tail -n 30 "$log"
	f1=1
fi

tools/vmtest -t 120 -m 512 --smp 1 -- sh -c 'exit 7' >"$log" 2>&1
rc=$?
if [ $rc -eq 7 ] && grep -q 'command failed with status 7' "$log"; then
	echo "ok 2 a failing command fails the run with its status"
	f2=0
else
	echo "not ok 2 a failing command fails the run with its status ($rc)"
	tail -n 30 "$log"
	f2=1
fi
[ $((f1 + f2)) -eq 0 ]
