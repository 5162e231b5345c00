# SPDX-License-Identifier: GPL-2.0
#
# ssi-vmm, the userspace KVM VMM, and its host unit tests.

VMM_SRCS := $(wildcard user/*.c)
VMM_HDRS := $(wildcard user/*.h)
VMM_LIBS := $(ACPI_LIBS) \
	$(shell pkg-config --libs numa 2>/dev/null || echo -lnuma) -lpthread

USER_BINS += $(B)/ssi-vmm

$(B)/ssi-vmm: $(VMM_SRCS) $(VMM_HDRS) lib/parse.c lib/parse.h $(ACPI_LIB) \
		acpi/ssi_acpi.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iacpi -o $@ $(VMM_SRCS) lib/parse.c $(VMM_LIBS)

# Unit tests of the pure parts: each links its test and the one source
# file it tests.
VMM_TESTS := $(B)/tests/vmm_e820 $(B)/tests/vmm_bzimage $(B)/tests/vmm_options \
	$(B)/tests/vmm_virtio_blk $(B)/tests/vmm_serial
HOSTTEST_BINS += $(VMM_TESTS)

$(B)/tests/vmm_e820: user/tests/test_e820.c user/e820.c user/e820.h \
		user/layout.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iuser -o $@ user/tests/test_e820.c user/e820.c \
		$(CMOCKA_LIBS)

$(B)/tests/vmm_bzimage: user/tests/test_bzimage.c user/bzimage.c \
		user/bzimage.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iuser -o $@ user/tests/test_bzimage.c \
		user/bzimage.c $(CMOCKA_LIBS)

$(B)/tests/vmm_options: user/tests/test_options.c user/options.c \
		user/options.h user/vmm.h lib/parse.c lib/parse.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iuser -o $@ user/tests/test_options.c \
		user/options.c lib/parse.c $(CMOCKA_LIBS)

# virtio-blk, the virtio-pci transport and virtqueues; the test stands in
# for guest RAM and the PCI bus.
VMM_VIRTIO_SRCS := user/virtio_blk.c user/virtio_pci.c user/virtqueue.c
$(B)/tests/vmm_virtio_blk: user/tests/test_virtio_blk.c $(VMM_VIRTIO_SRCS) \
		user/virtio.h user/pci.h user/vmm.h user/devices.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iuser -o $@ user/tests/test_virtio_blk.c \
		$(VMM_VIRTIO_SRCS) $(CMOCKA_LIBS) -lpthread

$(B)/tests/vmm_serial: user/tests/test_serial.c user/serial.c user/ioport.c \
		user/serial.h user/ioport.h user/vmm.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Iuser -o $@ user/tests/test_serial.c \
		user/serial.c user/ioport.c $(CMOCKA_LIBS) -lpthread

# Boot path on the host's own KVM with a stand-in kernel (no Linux needed).
HOST_CHECKS += check-vmm-payload
.PHONY: check-vmm-payload
check-vmm-payload: $(B)/ssi-vmm
	user/tests/payload/run.sh $(B)/ssi-vmm

# Boot time against qemu microvm, nested in one test-bed VM (not part of
# make check: it takes minutes and its numbers are only comparable within
# one run).
.PHONY: bench-vmm
bench-vmm: $(B)/ssi-vmm
	user/bench/boot-vs-qemu.sh 5

# The whole path on one machine: a two-node test-bed VM boots the stock
# kernel nested under ssi-vmm with guest RAM from /dev/ssihv and shows
# what the guest sees and the module's statistics (tools/demo).
.PHONY: demo
demo: all
	tools/demo
