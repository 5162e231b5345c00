#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test-bed VM: boots the same kernel, initramfs and command
# line N times with ssi-vmm and N times with qemu's microvm machine,
# interleaved so that both see the same background load, and prints each
# run's wall time from start to the guest's first init line and to the
# VMM's exit (the guest powers off at once), and the VMM's peak resident
# memory excluding guest RAM, then the medians and the ratios.
#
# Guest RAM is a memfd for both VMMs, so it shows up as RssShmem and the
# VMM's own memory is RssAnon + RssFile, sampled every 20 ms while it
# runs (the peak of that sum).  The test bed's root is a tmpfs, so both
# VMMs' program and library pages count as shmem too: the figure is each
# VMM's private memory (heap, stacks, buffers).
# Usage: boot-inner.sh N

n=${1:-5}
CMDLINE="console=ttyS0 panic=-1 noxsave"
KERNEL=/guest/vmlinuz
INITRD=/guest/initrd.cpio

now_cs() {
	cut -d' ' -f1 /proc/uptime | tr -d .
}

# The VMM's own resident memory in kB: anonymous + file-backed pages.
own_rss_kb() {
	awk '/^RssAnon:|^RssFile:/ { kb += $2 } END { print kb + 0 }' \
		/proc/$1/status 2>/dev/null
}

# run NAME CMD...: one boot; prints "NAME init_ms exit_ms status rss_kb".
run() {
	name=$1
	shift
	rm -f /tmp/bench.out
	start=$(now_cs)
	"$@" </dev/null >/tmp/bench.out 2>&1 &
	pid=$!
	init=
	peak=0
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$init" ] && grep -q "GUEST: init running" /tmp/bench.out; then
			init=$(now_cs)
		fi
		rss=$(own_rss_kb $pid)
		[ "${rss:-0}" -gt "$peak" ] && peak=$rss
		sleep 0.02
	done
	wait $pid
	rc=$?
	end=$(now_cs)
	[ -n "$init" ] || init=$end
	echo "$name $(((init - start) * 10)) $(((end - start) * 10)) $rc $peak"
}

for i in $(seq "$n"); do
	run ssi-vmm ssi-vmm --kernel $KERNEL --initrd $INITRD --cpus 1 \
		--memory 256M --memory-backend memfd --cmdline "$CMDLINE"
	run qemu-microvm qemu-system-x86_64 -L /usr/share/qemu \
		-M microvm,memory-backend=ram \
		-object memory-backend-memfd,id=ram,size=256M \
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
	printf 'bench: %-13s median to init %5d ms, to exit %5d ms, VMM peak RSS w/o guest RAM %6d kB (%d runs)\n' \
		$name \
		"$(awk -v n=$name '$1 == n { print $2 }' /tmp/bench.txt | median)" \
		"$(awk -v n=$name '$1 == n { print $3 }' /tmp/bench.txt | median)" \
		"$(awk -v n=$name '$1 == n { print $5 }' /tmp/bench.txt | median)" \
		"$n"
done
col() {
	awk -v n=$1 -v c=$2 '$1 == n { print $c }' /tmp/bench.txt | median
}
awk -v ti="$(col ssi-vmm 2)" -v qi="$(col qemu-microvm 2)" \
    -v tr="$(col ssi-vmm 5)" -v qr="$(col qemu-microvm 5)" 'BEGIN {
	printf "bench: ratio ssi-vmm/qemu-microvm: boot to init %.2fx (goal <= 1.0x), VMM RSS %.2fx (goal <= 0.2x)\n",
		qi ? ti / qi : 0, qr ? tr / qr : 0
}'
exit $fail
