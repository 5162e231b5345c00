#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host test of ssi-vmm's boot path with a stand-in kernel (hello64.S): the
# payload must find long mode, boot_params and the command line as the
# 64-bit boot protocol promises, say so over COM1, and reset through the
# i8042, which must end ssi-vmm with status 0.  Also checks that bad
# inputs are refused with one line and a non-zero status.
#
# Usage: user/tests/payload/run.sh SSI_VMM
set -u

vmm=$1
dir=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

if [ ! -w /dev/kvm ]; then
	echo "vmm-payload: SKIP: no usable /dev/kvm"
	exit 0
fi
"$dir/build.sh" "$tmp/hello.bz" || exit 1

timeout 20 "$vmm" --kernel "$tmp/hello.bz" --cmdline "hello world" \
	--memory 64M </dev/null >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
if ! grep -qx "payload: long mode, boot_params and cmdline OK" "$tmp/out"; then
	echo "vmm-payload: FAIL: the payload did not report success"
	fail=1
fi
if [ $rc -ne 0 ]; then
	echo "vmm-payload: FAIL: ssi-vmm exited with $rc after an i8042 reset"
	fail=1
fi

# A guest KVM cannot run: one register dump, status 1.
timeout 20 "$vmm" --kernel "$tmp/hello.bz" --cmdline crash --memory 64M \
	</dev/null >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "^ssi-vmm: vCPU 0: rip=" "$tmp/out"; then
	echo "vmm-payload: ok: guest crash: status 1, $(grep -c . "$tmp/out") lines: $(head -1 "$tmp/out")"
else
	echo "vmm-payload: FAIL: guest crash: status $rc: $(cat "$tmp/out")"
	fail=1
fi

# The same boot from a memfd (shared) guest RAM.
timeout 20 "$vmm" --kernel "$tmp/hello.bz" --cmdline "hello world" \
	--memory 64M --memory-backend memfd </dev/null >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "boot_params and cmdline OK" "$tmp/out"; then
	echo "vmm-payload: ok: memfd backend boots"
else
	echo "vmm-payload: FAIL: memfd backend: status $rc: $(cat "$tmp/out")"
	fail=1
fi

# refuse NAME EXPECTED-TEXT ARGS...: one line on stderr, non-zero status.
refuse() {
	name=$1 text=$2
	shift 2
	timeout 20 "$vmm" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ $rc -eq 0 ] || [ "$lines" -ne 1 ] ||
	   ! grep -q -- "$text" "$tmp/err"; then
		echo "vmm-payload: FAIL: $name: status $rc, stderr:"
		cat "$tmp/err"
		fail=1
	else
		echo "vmm-payload: ok: $name: $(cat "$tmp/err")"
	fi
}

head -c 100000 /dev/zero >"$tmp/zeros"
refuse "missing kernel" "cannot open kernel" --kernel "$tmp/none"
refuse "not a bzImage" "not a bzImage" --kernel "$tmp/zeros"
refuse "memory too small" "too small" --kernel "$tmp/hello.bz" \
	--memory 16M
head -c 70000000 /dev/zero >"$tmp/bigrd"
refuse "initrd too big" "does not fit" --kernel "$tmp/hello.bz" \
	--memory 64M --initrd "$tmp/bigrd"
refuse "bad memory size" "--memory" --kernel "$tmp/hello.bz" \
	--memory 12Q

head -c 1000 /dev/zero >"$tmp/odd.img"
refuse "missing disk" "cannot open disk" --kernel "$tmp/hello.bz" \
	--memory 64M --disk "$tmp/none.img"
refuse "disk size" "multiple of 512" --kernel "$tmp/hello.bz" \
	--memory 64M --disk "$tmp/odd.img"

# Topology errors: one line each, naming the file and the problem.
cat >"$tmp/two.ini" <<INI
[topology]
nodes = 2
cpus_per_node = 1
memory_per_node = 64M
INI
refuse "topology vs --cpus" "topology mismatch" --kernel "$tmp/hello.bz" \
	--topology "$tmp/two.ini" --cpus 3
refuse "topology vs --memory" "topology mismatch" --kernel "$tmp/hello.bz" \
	--topology "$tmp/two.ini" --memory 64M
printf '[node0]\nhost_node = 999\n' >>"$tmp/two.ini"
refuse "missing host node" "host node 999" --kernel "$tmp/hello.bz" \
	--topology "$tmp/two.ini"
printf '[topology]\nnodes = 2\nbogus = 1\n' >"$tmp/bad.ini"
refuse "bad topology key" "bad.ini:3:" --kernel "$tmp/hello.bz" \
	--topology "$tmp/bad.ini"

# affinity PID THREAD: the Cpus_allowed_list of one of PID's threads.
affinity() {
	for t in /proc/$1/task/*; do
		if [ "$(cat "$t/comm")" = "$2" ]; then
			sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status"
		fi
	done
}

# Pinning: a halted two-vCPU VM, inspected while it runs.
usable=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
for mode in pin no-pin; do
	extra=
	[ $mode = no-pin ] && extra=--no-pin
	rm -f "$tmp/out"
	"$vmm" --kernel "$tmp/hello.bz" --cmdline wait --cpus 2 $extra \
		</dev/null >"$tmp/out" 2>&1 &
	pid=$!
	i=0
	while ! grep -qs "payload:" "$tmp/out" && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	a0=$(affinity $pid vcpu0)
	a1=$(affinity $pid vcpu1)
	kill $pid
	wait $pid 2>/dev/null
	if [ $mode = pin ]; then
		case "$a0$a1" in
		*[-,]*|"") ok=0 ;;
		*) ok=1 ;;
		esac
		# Two usable CPUs or more: the vCPUs must not share one.
		case "$usable" in
		*[-,]*) [ "$a0" = "$a1" ] && ok=0 ;;
		esac
	else
		ok=0
		[ "$a0" = "$usable" ] && [ "$a1" = "$usable" ] && ok=1
	fi
	if [ $ok = 1 ]; then
		echo "vmm-payload: ok: $mode: vcpu0 on $a0, vcpu1 on $a1 (usable $usable)"
	else
		echo "vmm-payload: FAIL: $mode: vcpu0 on '$a0', vcpu1 on '$a1' (usable $usable)"
		fail=1
	fi
done

# The terminal: on a pty (script(1)) stdin must be raw while the VM runs,
# and cooked again after ssi-vmm ends, whether by Ctrl-A x (status 0) or
# by SIGTERM (killed by the signal, after restoring the tty).
# tty_run ENDING: ENDING is "ctrl-a-x" or "sigterm".
tty_run() {
	rm -f "$tmp/tty.out" "$tmp/during" "$tmp/after" "$tmp/rc"
	(
		i=0
		while ! grep -qs "payload:" "$tmp/tty.out" && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		for p in $(pgrep -x ssi-vmm); do
			t=$(readlink "/proc/$p/fd/0")
			case "$t" in
			/dev/pts/*)
				stty -F "$t" -a >"$tmp/during"
				[ "$1" = sigterm ] && kill -TERM "$p"
				;;
			esac
		done
		[ "$1" = ctrl-a-x ] && printf '\001x'
		sleep 1
	) | script -qfec "sh -c '\"$vmm\" --kernel \"$tmp/hello.bz\" --cmdline wait; echo \$? >\"$tmp/rc\"; stty -a >\"$tmp/after\"'" \
		/dev/null >"$tmp/tty.out" 2>&1
	if grep -qE '(^| )-icanon( |$)' "$tmp/during" 2>/dev/null &&
	   grep -qE '(^| )-echo( |$)' "$tmp/during"; then
		echo "vmm-payload: ok: $1: tty raw (-icanon -echo) while the VM runs"
	else
		echo "vmm-payload: FAIL: $1: tty not raw while the VM runs"
		fail=1
	fi
	if [ "$(cat "$tmp/rc" 2>/dev/null)" = "$2" ]; then
		echo "vmm-payload: ok: $1: ssi-vmm ended with status $2"
	else
		echo "vmm-payload: FAIL: $1: status '$(cat "$tmp/rc" 2>/dev/null)', want $2"
		fail=1
	fi
	if grep -qE '(^| )icanon( |$)' "$tmp/after" 2>/dev/null &&
	   grep -qE '(^| )echo( |$)' "$tmp/after"; then
		echo "vmm-payload: ok: $1: tty cooked again (icanon echo) after exit"
	else
		echo "vmm-payload: FAIL: $1: tty not restored after exit"
		fail=1
	fi
}
if command -v script >/dev/null && command -v pgrep >/dev/null; then
	tty_run ctrl-a-x 0
	tty_run sigterm 143
else
	echo "vmm-payload: SKIP: tty test needs script(1) and pgrep"
fi

[ $fail -eq 0 ] && echo "vmm-payload: PASS"
exit $fail
