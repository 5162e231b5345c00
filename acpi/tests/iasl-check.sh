#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every table ssi-acpi writes must disassemble with iasl -d with no
# warning or error, and the disassembly must say what the topology says
# (iasl_compare.py).  Runs over acpi/tests/topo/*.ini plus generated
# 64- and 256-node files, then corrupts tables on purpose to prove that
# the comparison notices.
#
# usage: acpi/tests/iasl-check.sh [path/to/ssi-acpi]
set -u
cd "$(dirname "$0")/../.." || exit 1
ssi_acpi=${1:-build/ssi-acpi}
here=acpi/tests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
n=0

command -v iasl >/dev/null || { echo "iasl-check: iasl not installed"; exit 1; }

# N nodes of C vCPUs and S of memory; distances grow with |i - j|.
gen() {
	local nodes=$1 cpus=$2 size=$3 i j d
	printf '[topology]\nnodes = %d\ncpus_per_node = %d\n' "$nodes" "$cpus"
	printf 'memory_per_node = %s\n' "$size"
	# beyond 16 bits: a larger HMAT base unit, rounded the safe way
	printf 'remote_latency = 70001\nlocal_bandwidth = 100001\n'
	printf '[distance]\n'
	for ((i = 0; i < nodes; i++)); do
		printf '%d =' "$i"
		for ((j = 0; j < nodes; j++)); do
			d=$((i > j ? i - j : j - i))
			((j && j % 32 == 0)) && printf '\n '
			printf ' %d' $((d ? 20 + d % 200 : 10))
		done
		printf '\n'
	done
}
gen 64 4 64M >"$work/gen-64-nodes.ini"
gen 256 1 16M >"$work/gen-256-nodes.ini"

build() {	# topology dir -> tables, layout and parsed topology in dir
	rm -rf "$2" && mkdir -p "$2" &&
	"$ssi_acpi" --topology "$1" --out "$2/tables" --layout \
		>"$2/layout.txt" &&
	"$ssi_acpi" --topology "$1" --dump --machine >"$2/topology.txt"
}

for topo in "$here"/topo/*.ini "$work"/gen-*.ini; do
	n=$((n + 1))
	name=$(basename "$topo" .ini)
	if build "$topo" "$work/$name" &&
	   "$here/iasl_compare.py" "$work/$name/topology.txt" \
		"$work/$name/layout.txt" "$work/$name/tables"; then
		echo "ok $n - $name: iasl -d clean, fields match"
	else
		echo "not ok $n - $name"
		failed=$((failed + 1))
	fi
done

# The comparison must be able to fail: change one SLIT distance (with the
# checksum fixed so only the value is wrong), then break a checksum.
corrupt() {	# file offset newbyte fixsum
	python3 - "$@" <<'PY'
import sys
path, off, val, fix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
b = bytearray(open(path, "rb").read())
b[off] = val
if fix == "1":
    b[9] = 0
    b[9] = (-sum(b)) & 0xff
open(path, "wb").write(b)
PY
}
name=qemu-2node
for mode in value checksum; do
	n=$((n + 1))
	build "$here/topo/$name.ini" "$work/bad" || exit 1
	corrupt "$work/bad/tables/slit.dat" 45 33 \
		"$([ $mode = value ] && echo 1 || echo 0)"
	if "$here/iasl_compare.py" "$work/bad/topology.txt" \
		"$work/bad/layout.txt" "$work/bad/tables" >"$work/bad.log"; then
		echo "not ok $n - a corrupted SLIT ($mode) went unnoticed"
		failed=$((failed + 1))
	else
		echo "ok $n - a corrupted SLIT ($mode) is caught:" \
			"$(head -n 1 "$work/bad.log")"
	fi
done

# The command itself: help, usage errors, and a topology error with its
# line reaching the user with a failing status.
cli() {	# description expected-status grep-pattern command...
	local what=$1 want=$2 pattern=$3 rc
	shift 3
	n=$((n + 1))
	"$@" >"$work/cli.out" 2>&1
	rc=$?
	if [ $rc -eq "$want" ] && grep -q -- "$pattern" "$work/cli.out"; then
		echo "ok $n - ssi-acpi $what"
	else
		echo "not ok $n - ssi-acpi $what (status $rc, want $want)"
		cat "$work/cli.out"
		failed=$((failed + 1))
	fi
}
printf '[node0]\ncpus = 0-1\n[node1]\ncpus = 1\n' >"$work/bad.ini"
cli "--help" 0 "--topology FILE" "$ssi_acpi" --help
cli "without --topology" 2 "usage:" "$ssi_acpi" --dump
cli "on a bad file" 1 "bad.ini:4: vCPU 1 is in node0 (line 2)" \
	"$ssi_acpi" --topology "$work/bad.ini" --out "$work/none"
cli "on a missing file" 1 "No such file" \
	"$ssi_acpi" --topology "$work/missing.ini" --dump

echo "iasl-check: $((n - failed))/$n passed"
[ $failed -eq 0 ]
