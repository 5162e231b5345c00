# SPDX-License-Identifier: GPL-2.0
#
# SSI-HV top-level build.
#
#   make           build ssihv.ko and every userspace program
#   make deps      install every Debian package the project needs
#   make check     build everything, run host unit tests, then VM tests
#   make bench     benchmarks (ratios against a peer measured in the run)
#
# KDIR selects the kernel build tree (default: tools/find-kdir).

# The first target would otherwise come from a component's fragment.
.DEFAULT_GOAL := all

KDIR ?= $(shell tools/find-kdir)
KVER ?= $(shell tools/kdir-release $(KDIR))
B := build

DEB_PACKAGES := \
	build-essential pkg-config kmod git \
	linux-headers-amd64 linux-image-amd64 linux-source-6.1 dkms sparse \
	libnuma-dev libnl-3-dev libnl-genl-3-dev libinih-dev libjson-c-dev \
	libcmocka-dev acpica-tools spin \
	qemu-system-x86 busybox-static cpio rdma-core ibverbs-utils perftest \
	iproute2 procps e2fsprogs openssl librdmacm-dev libibverbs-dev python3 \
	bc bison flex libssl-dev libelf-dev dwarves rsync

CC ?= cc
USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror \
	-Wno-unused-parameter -D_GNU_SOURCE -Iinclude/uapi -Ilib $(CFLAGS)
NL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 json-c 2>/dev/null)
NL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 json-c 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRCS := lib/parse.c
SSIHVCTL_SRCS := $(wildcard tools/ssihvctl/*.c)
UDPSWITCH_SRCS := tools/vmtest-switch.c
SELFTEST_SRCS := $(wildcard selftests/*_test.c)
SELFTEST_BINS := $(patsubst selftests/%.c,$(B)/selftests/%,$(SELFTEST_SRCS))
HOSTTEST_SRCS := $(wildcard tests/host/test_*.c)
HOSTTEST_BINS := $(patsubst tests/host/%.c,$(B)/tests/%,$(HOSTTEST_SRCS))

USER_BINS := $(B)/ssihvctl $(B)/vmtest-switch
HOST_CHECKS :=

# Each component adds its programs to USER_BINS and its cmocka tests to
# HOSTTEST_BINS (with the rules that build them) in its own fragment.
include $(sort $(wildcard */*.mk))

.PHONY: dkms-install dkms-remove
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)

# Install the module on this host through DKMS (rebuilt for new kernels).
dkms-install:
	rm -rf /usr/src/ssihv-$(DKMS_VERSION)
	mkdir -p /usr/src/ssihv-$(DKMS_VERSION)
	cp -r Kbuild dkms.conf kmod include /usr/src/ssihv-$(DKMS_VERSION)/
	find /usr/src/ssihv-$(DKMS_VERSION) \( -name '*.o' -o -name '.*.cmd' \
		-o -name '*.mod*' \) -delete
	dkms add -m ssihv -v $(DKMS_VERSION)
	dkms build -m ssihv -v $(DKMS_VERSION) -k $(KVER)
	dkms install -m ssihv -v $(DKMS_VERSION) -k $(KVER)

dkms-remove:
	dkms remove -m ssihv -v $(DKMS_VERSION) --all
	rm -rf /usr/src/ssihv-$(DKMS_VERSION)

.PHONY: all module user selftests hosttests deps check check-host \
	check-module check-dkms check-vm bench checkpatch clean

all: module user selftests

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: $(USER_BINS)

selftests: $(SELFTEST_BINS)

hosttests: $(HOSTTEST_BINS)

$(B)/ssihvctl: $(SSIHVCTL_SRCS) $(LIB_SRCS) $(wildcard tools/ssihvctl/*.h) \
		lib/parse.h include/uapi/linux/ssihv.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@ $(SSIHVCTL_SRCS) $(LIB_SRCS) \
		$(NL_LIBS)

$(B)/vmtest-switch: $(UDPSWITCH_SRCS)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $(UDPSWITCH_SRCS)

$(B)/selftests/%: selftests/%.c $(wildcard selftests/*.h) include/uapi/linux/ssihv.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@ $< $(NL_LIBS)

# tools/bench/<name>_bench.c: the in-VM halves of the benchmarks.
$(B)/bench/ssihv_%_bench: tools/bench/%_bench.c tools/bench/bench_harness.h \
		include/uapi/linux/ssihv.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) $(NL_CFLAGS) -o $@ $< $(NL_LIBS)

$(B)/tests/%: tests/host/%.c $(LIB_SRCS) lib/parse.h $(wildcard kmod/proto/*.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $< $(LIB_SRCS) $(CMOCKA_LIBS)

# The KASAN/lockdep/kmemleak test kernel for "tools/vmtest --kernel debug",
# built once from linux-source-6.1 and cached in ~/.cache/ssihv.
.PHONY: debug-kernel
debug-kernel:
	tools/debug-kernel/build

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends $(DEB_PACKAGES)

# The module must build with no warning at W=1 and be sparse-clean (C=2
# checks every file).  Kbuild prints both as "warning:", so fail on that.
check-module:
	@mkdir -p $(B)
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules >$(B)/module-build.log 2>&1; \
		rc=$$?; cat $(B)/module-build.log; exit $$rc
	@if grep -E 'warning:|error:' $(B)/module-build.log; then \
		echo "check-module: FAIL: the module build is not clean" >&2; \
		exit 1; \
	fi

# Components add extra host-side check targets (no VM) to HOST_CHECKS.
check-host: hosttests
	tools/run-host-tests $(HOSTTEST_BINS)
	$(if $(strip $(HOST_CHECKS)),$(MAKE) $(HOST_CHECKS))

check-dkms: module user
	tools/dkms-test $(KVER)

check-vm: all
	tools/vm-tests

check:
	@mkdir -p $(B)
	$(MAKE) check-module
	$(MAKE) checkpatch
	$(MAKE) all
	$(MAKE) check-host
	$(MAKE) check-dkms
	$(MAKE) check-vm
	@echo "make check: all passed"

bench: all
	tools/bench/run
	tools/bench/rdma
	tools/bench/frames
	$(MAKE) bench-vmm

# Kernel coding style for the project's C files, module and userspace
# alike.  Every check for the module (with its plain-C kmod/proto/ part;
# types.h defines u8..u64 from <stdint.h> for host builds, so it is the
# one file that must use those), its tests, tools/*.c and the uapi header.
CHECKPATCH_FILES := $(wildcard kmod/*.c kmod/*.h tools/*.c tests/kmod/*/*.c) \
	$(filter-out kmod/proto/types.h,$(wildcard kmod/proto/*.c kmod/proto/*.h)) \
	include/uapi/linux/ssihv.h

# Userspace C is checked too, without the checks that only make sense in
# the kernel:
#   PREFER_KERNEL_TYPES: no u32/u64 outside the kernel, only <stdint.h>
#   BIT_MACRO: no BIT() outside the kernel
#   PREFER_DEFINED_ATTRIBUTE_MACRO: no __printf()/__packed outside the kernel
#   CAMELCASE: libc, libnl and json-c names are CamelCase (PRIu64, ...)
#   NEW_TYPEDEFS: cmocka and libnl APIs use typedefs
#   SPLIT_STRING, LONG_LINE_STRING: user-visible strings stay on one line
CHECKPATCH_USER_FILES := $(wildcard acpi/*.c acpi/*.h acpi/tests/*.c \
	lib/*.c lib/*.h tools/ssihvctl/*.c tools/ssihvctl/*.h \
	tests/host/*.c selftests/*.c selftests/*.h \
	user/*.c user/*.h user/tests/*.c user/tests/guest/*.c \
	tools/bench/*.c tools/bench/*.h model/*.h)
CHECKPATCH_USER_IGNORE := PREFER_KERNEL_TYPES BIT_MACRO \
	PREFER_DEFINED_ATTRIBUTE_MACRO CAMELCASE NEW_TYPEDEFS \
	SPLIT_STRING LONG_LINE_STRING

checkpatch:
	@tools/checkpatch $(CHECKPATCH_FILES) || \
		{ echo "checkpatch: FAIL: fix the reports above" >&2; exit 1; }
	@tools/checkpatch $(addprefix --ignore ,$(CHECKPATCH_USER_IGNORE)) \
		$(CHECKPATCH_USER_FILES) || \
		{ echo "checkpatch: FAIL: fix the reports above" >&2; exit 1; }
	@echo "checkpatch: $(words $(CHECKPATCH_FILES) $(CHECKPATCH_USER_FILES)) files clean"

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(B)
