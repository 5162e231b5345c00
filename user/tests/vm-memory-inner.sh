#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test-bed VM: a nested guest with RAM on both sides of
# the 3G-4G hole runs the memory checker over memory that must include
# pages above 4G (the second memslot); then the checker passes on each of
# the other backends (memfd, hugetlb: 256 MiB; ssihv: 512 MiB with pages
# above 4G, i.e. in its second range), so a guest that writes and
# verifies a checksum over its RAM passes on every backend; then the
# refusals that need the test bed: no huge pages and a missing /dev/kvm.
# "noxsave": see vm-boot-inner.sh.

NAME=vmm-memory
. /guest/guest-lib.sh

# 3G below the hole + 256M from 4G.  Linux hands user pages out of
# ZONE_NORMAL (above 4G here) first, so 512 MiB must reach it.
timeout 900 ssi-vmm --kernel /guest/vmlinuz --initrd /guest/initrd.cpio \
	--cpus 2 --memory 3328M \
	--cmdline "console=ttyS0 panic=-1 noxsave guest_memcheck=512" \
	</dev/null >/tmp/mem.out 2>&1
rc=$?
tr -d '\r' </tmp/mem.out | grep -E '^GUEST:|BIOS-e820|ssi-vmm' | sed 's/^/  | /'
check_splat /tmp/mem.out || bad "the guest kernel reported a problem"
[ $rc -eq 0 ] && say "ok: ssi-vmm exit status 0" ||
	bad "ssi-vmm exit status $rc (want 0)"
expect_text /tmp/mem.out "BIOS-e820: [mem 0x0000000000100000-0x00000000bfffffff] usable"
expect_text /tmp/mem.out "BIOS-e820: [mem 0x0000000100000000-0x000000010fffffff] usable"
high=$(tr -d '\r' </tmp/mem.out |
       sed -n 's/^GUEST: memcheck ok 512 MiB, \([0-9]*\) MiB of it above 4G.*/\1/p')
[ -n "$high" ] && [ "$high" -gt 0 ] &&
	say "ok: memcheck passed over 512 MiB, $high MiB of it above 4G" ||
	bad "memcheck did not pass with memory above 4G (got '$high')"

# refuse NAME TEXT ARGS...: one line, non-zero exit.
refuse() {
	name=$1 text=$2
	shift 2
	ssi-vmm "$@" </dev/null >/tmp/err 2>&1
	rc=$?
	if [ $rc -ne 0 ] && [ "$(wc -l </tmp/err)" -eq 1 ] &&
	   grep -qF -- "$text" /tmp/err; then
		say "ok: $name: $(cat /tmp/err)"
	else
		bad "$name: status $rc, output: $(cat /tmp/err)"
	fi
}

# The same checker on the other backends: over 256 MiB of a 384 MiB guest,
# and for ssihv over 512 MiB of the layout above, so that its second range
# (mmap offset 4G) is exercised too.
echo 192 >/proc/sys/vm/nr_hugepages
modprobe ssihv || bad "modprobe ssihv failed"
for run in ${RUNS:-memfd:384M:256 hugetlb:384M:256 ssihv:3328M:512}; do
	backend=${run%%:*}
	mem=${run#*:}
	mib=${mem#*:}
	mem=${mem%:*}
	out=/tmp/mem-$backend.out
	timeout 900 ssi-vmm --kernel /guest/vmlinuz \
		--initrd /guest/initrd.cpio --memory-backend $backend \
		--cpus 2 --memory $mem \
		--cmdline "console=ttyS0 panic=-1 noxsave guest_memcheck=$mib" \
		</dev/null >"$out" 2>&1
	rc=$?
	tr -d '\r' <"$out" | grep -E '^GUEST: memcheck|ssi-vmm' |
		sed "s/^/  $backend | /"
	check_splat "$out" || bad "$backend: the guest kernel reported a problem"
	[ $rc -eq 0 ] && say "ok: $backend: ssi-vmm exit status 0" ||
		bad "$backend: ssi-vmm exit status $rc (want 0)"
	tr -d '\r' <"$out" | grep -q "^GUEST: memcheck ok $mib MiB" &&
		say "ok: $backend: memcheck passed over $mib MiB of $mem" ||
		bad "$backend: no 'GUEST: memcheck ok $mib MiB'"
done
high=$(tr -d '\r' </tmp/mem-ssihv.out |
       sed -n 's/^GUEST: memcheck ok 512 MiB, \([0-9]*\) MiB of it above 4G.*/\1/p')
[ -n "$high" ] && [ "$high" -gt 0 ] &&
	say "ok: ssihv: $high MiB of the checked memory above 4G" ||
	bad "ssihv: no checked memory above 4G (got '$high')"
echo 0 >/proc/sys/vm/nr_hugepages

refuse "hugetlb without huge pages" "not enough huge pages" \
	--kernel /guest/vmlinuz --memory-backend hugetlb --memory 64M
rmmod kvm_amd
refuse "no /dev/kvm" "/dev/kvm" --kernel /guest/vmlinuz
modprobe kvm_amd nested=1

[ $fail -eq 0 ] && say "PASS" || say "FAIL"
exit $fail
