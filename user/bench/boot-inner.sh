#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test-bed VM: boots the same kernel, initramfs and command
# line N times with ssi-vmm and N times with qemu's microvm machine,
# interleaved so that both see the same background load, and prints each
# run's wall time from start to the guest's first init line and to the
# VMM's exit (the guest powers off at once), then the medians.
# Usage: boot-inner.sh N

n=${1:-5}
CMDLINE="console=ttyS0 panic=-1 noxsave"
KERNEL=/guest/vmlinuz
INITRD=/guest/initrd.cpio

now_cs() {
	cut -d' ' -f1 /proc/uptime | tr -d .
}

# run NAME CMD...: one boot; prints "NAME init_ms exit_ms status".
run() {
	name=$1
	shift
	rm -f /tmp/bench.out
	start=$(now_cs)
	"$@" </dev/null >/tmp/bench.out 2>&1 &
	pid=$!
	init=
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$init" ] && grep -q "GUEST: init running" /tmp/bench.out; then
			init=$(now_cs)
		fi
		sleep 0.02
	done
	wait $pid
	rc=$?
	end=$(now_cs)
	[ -n "$init" ] || init=$end
	echo "$name $(((init - start) * 10)) $(((end - start) * 10)) $rc"
}

for i in $(seq "$n"); do
	run ssi-vmm ssi-vmm --kernel $KERNEL --initrd $INITRD --cpus 1 \
		--memory 256M --cmdline "$CMDLINE"
	run qemu-microvm qemu-system-x86_64 -L /usr/share/qemu -M microvm \
		-accel kvm -cpu host -m 256 -smp 1 -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot \
		-kernel $KERNEL -initrd $INITRD -append "$CMDLINE"
done | tee /tmp/bench.txt

median() {
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
fail=0
for name in ssi-vmm qemu-microvm; do
	bad=$(awk -v n=$name '$1 == n && $4 != 0' /tmp/bench.txt | wc -l)
	[ "$bad" -eq 0 ] || { echo "bench: $name failed $bad run(s)"; fail=1; }
	printf 'bench: %-13s median to init %5d ms, to exit %5d ms (%d runs)\n' \
		$name \
		"$(awk -v n=$name '$1 == n { print $2 }' /tmp/bench.txt | median)" \
		"$(awk -v n=$name '$1 == n { print $3 }' /tmp/bench.txt | median)" \
		"$n"
done
exit $fail
