#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test-bed VM (tools/vmtest): boots Debian's stock kernel
# as a nested guest with ssi-vmm in several ways and checks what the guest
# printed on its serial console and how ssi-vmm ended.
#
# Expects /guest/vmlinuz and /guest/initrd.cpio (make-guest-initramfs.sh).
#
# Every inner kernel gets "noxsave": under the TCG test bed, nested SVM does
# not report the guest's XSETBV to KVM, so KVM's CPUID 0xD size stays that
# of x87+SSE and the guest kernel WARNs "XSAVE consistency problem" (qemu
# as the nested VMM shows the same).  It is not an ssi-vmm problem.

NAME=vmm-test
. /guest/guest-lib.sh

KERNEL=/guest/vmlinuz
INITRD=/guest/initrd.cpio
BASE_CMDLINE="console=ttyS0 panic=-1 noxsave"
WAIT=400

# vmm_start OUT ARGS...: ssi-vmm in the background, stdin from a FIFO that
# we keep open on fd 3 (so it never sees EOF), output to OUT.
vmm_start() {
	out=$1
	shift
	rm -f /tmp/vmm.in
	mkfifo /tmp/vmm.in
	ssi-vmm --kernel "$KERNEL" --initrd "$INITRD" "$@" \
		</tmp/vmm.in >"$out" 2>&1 &
	vmm_pid=$!
	exec 3>/tmp/vmm.in
}

# vmm_finish: waits for ssi-vmm (or kills it after WAIT s); sets vmm_rc.
vmm_finish() {
	n=0
	while kill -0 "$vmm_pid" 2>/dev/null; do
		n=$((n + 1))
		if [ $n -gt $((WAIT * 5)) ]; then
			bad "ssi-vmm still running after ${WAIT}s; killing it"
			kill -9 "$vmm_pid"
			break
		fi
		sleep 0.2
	done
	wait "$vmm_pid"
	vmm_rc=$?
	exec 3>&-
}

show() {
	check_splat "$1" || bad "the guest kernel reported a problem"
	say "---- guest console ($1) ----"
	tr -d '\r' <"$1" | grep -E '^GUEST:|ssi-vmm|reboot:|Kernel panic' |
		sed 's/^/  | /'
}

# 1. Two vCPUs, console input, ACPI S5 power-off ends ssi-vmm with 0.
say "boot 1: 2 vCPUs, serial input, ACPI power-off"
vmm_start /tmp/boot1.out --cpus 2 --memory 512M \
	--cmdline "$BASE_CMDLINE guest_echo=1"
if wait_for /tmp/boot1.out "GUEST: ready for input"; then
	printf 'hello-from-host\n' >&3
fi
vmm_finish
show /tmp/boot1.out
expect /tmp/boot1.out "GUEST: init running"
expect /tmp/boot1.out "GUEST: cpus online 0-1"
expect /tmp/boot1.out "GUEST: received 'hello-from-host'"
expect /tmp/boot1.out "GUEST: ending with poweroff"
[ $vmm_rc -eq 0 ] && say "ok: ssi-vmm exit status 0 after power-off" ||
	bad "ssi-vmm exit status $vmm_rc after power-off (want 0)"

# 2. Guest reboot through the FADT reset register (0xcf9) with the default
# --on-reboot exit: ssi-vmm ends with 0.
say "boot 2: 1 vCPU, reboot via ACPI reset register, --on-reboot exit"
vmm_start /tmp/boot2.out --cpus 1 --memory 256M \
	--cmdline "$BASE_CMDLINE reboot=a guest_end=reboot"
vmm_finish
show /tmp/boot2.out
expect /tmp/boot2.out "GUEST: cpus online 0"
expect /tmp/boot2.out "GUEST: ending with reboot"
[ $vmm_rc -eq 0 ] && say "ok: ssi-vmm exit status 0 after reboot" ||
	bad "ssi-vmm exit status $vmm_rc after reboot (want 0)"

# 3. --on-reboot reboot with the i8042 reset: the guest must come up
# again; then Ctrl-A x quits with status 0.
say "boot 3: i8042 reset with --on-reboot reboot, then Ctrl-A x"
vmm_start /tmp/boot3.out --cpus 1 --memory 256M --on-reboot reboot \
	--cmdline "$BASE_CMDLINE reboot=k guest_end=reboot guest_echo=1"
if wait_for /tmp/boot3.out "GUEST: ready for input"; then
	printf 'first\n' >&3
	if wait_for /tmp/boot3.out "GUEST: ready for input" 2; then
		printf '\001x' >&3
	fi
fi
vmm_finish
show /tmp/boot3.out
n=$(tr -d '\r' </tmp/boot3.out | grep -cx "GUEST: init running")
[ "$n" -eq 2 ] && say "ok: the guest booted twice" ||
	bad "the guest booted $n times (want 2)"
[ $vmm_rc -eq 0 ] && say "ok: ssi-vmm exit status 0 after Ctrl-A x" ||
	bad "ssi-vmm exit status $vmm_rc after Ctrl-A x (want 0)"

[ $fail -eq 0 ] && say "PASS" || say "FAIL"
exit $fail
