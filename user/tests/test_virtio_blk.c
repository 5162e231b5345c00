// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of virtio-blk over the virtio-pci transport and the split
 * virtqueue code, driven like a guest driver would through BAR 0, with
 * guest RAM a plain buffer and the disk a temporary file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>

#include "devices.h"
#include "virtio.h"
#include "vmm.h"

#define RAM_SIZE	(1 << 20)
#define DISK_SECTORS	64
#define QSIZE		8
#define DESC_GPA	0x1000
#define AVAIL_GPA	0x2000
#define USED_GPA	0x3000
#define HDR_GPA		0x4000
#define DATA_GPA	0x5000
#define STATUS_GPA	0x8000

/* Stand-ins for the rest of ssi-vmm. */
static struct vmm vmm;
static struct pci_device *registered;

void *gpa_to_hva(struct vmm *v, uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa || gpa + len > v->ram_size)
		return NULL;
	return (char *)v->ram + gpa;
}

int pci_register(struct pci_device *dev)
{
	registered = dev;
	return 0;
}

/* mkstemp() fills in the X's. */
static char disk_path[64];
static uint8_t *ram;

static void bar_write(unsigned int off, uint32_t val, unsigned int size)
{
	registered->bar_fn[0](registered->opaque, off, (uint8_t *)&val, size,
			      true);
}

static uint32_t bar_read(unsigned int off, unsigned int size)
{
	uint32_t val = 0;

	registered->bar_fn[0](registered->opaque, off, (uint8_t *)&val, size,
			      false);
	return val;
}

static struct vring_desc *desc(unsigned int i)
{
	return (struct vring_desc *)(ram + DESC_GPA) + i;
}

static struct vring_avail *avail(void)
{
	return (struct vring_avail *)(ram + AVAIL_GPA);
}

static struct vring_used *used(void)
{
	return (struct vring_used *)(ram + USED_GPA);
}

/* Probe like Linux: reset, features, one queue, DRIVER_OK. */
static void driver_probe(void)
{
	memset(ram + AVAIL_GPA, 0, 0x1000);
	memset(ram + USED_GPA, 0, 0x1000);
	bar_write(0x14, 0, 1);
	bar_write(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
	bar_write(0x00, 1, 4);
	assert_true(bar_read(0x04, 4) & 1);	/* VERSION_1 offered */
	bar_write(0x08, 1, 4);
	bar_write(0x0c, 1, 4);
	bar_write(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		  VIRTIO_CONFIG_S_FEATURES_OK, 1);
	assert_true(bar_read(0x14, 1) & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_int_equal(bar_read(0x12, 2), 1);	/* one queue */
	bar_write(0x16, 0, 2);
	bar_write(0x18, QSIZE, 2);
	bar_write(0x20, DESC_GPA, 4);
	bar_write(0x24, 0, 4);
	bar_write(0x28, AVAIL_GPA, 4);
	bar_write(0x2c, 0, 4);
	bar_write(0x30, USED_GPA, 4);
	bar_write(0x34, 0, 4);
	bar_write(0x1c, 1, 2);
	assert_int_equal(bar_read(0x1c, 2), 1);
	bar_write(0x14, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		  VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK, 1);
}

static int setup(void **state)
{
	uint8_t sector[512];
	int fd, i;

	strcpy(disk_path, "/tmp/vmm-blk-test-XXXXXX");
	fd = mkstemp(disk_path);
	for (i = 0; i < DISK_SECTORS; i++) {
		memset(sector, i, sizeof(sector));
		assert_int_equal(write(fd, sector, sizeof(sector)), 512);
	}
	close(fd);
	ram = calloc(1, RAM_SIZE);
	vmm.ram = ram;
	vmm.ram_size = RAM_SIZE;
	vmm.vm_fd = -1;
	assert_int_equal(virtio_blk_init(&vmm, disk_path), 0);
	assert_non_null(registered);
	driver_probe();
	return 0;
}

static int teardown(void **state)
{
	unlink(disk_path);
	free(ram);
	return 0;
}

static void set_desc(unsigned int i, uint64_t gpa, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	desc(i)->addr = gpa;
	desc(i)->len = len;
	desc(i)->flags = flags;
	desc(i)->next = next;
}

/* Queue chain head i and kick; returns the status byte. */
static uint8_t submit(unsigned int head)
{
	avail()->ring[avail()->idx % QSIZE] = head;
	avail()->idx++;
	ram[STATUS_GPA] = 0xee;
	bar_write(0x3000, 0, 2);
	return ram[STATUS_GPA];
}

static void request(uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr hdr = { .type = type, .sector = sector };

	memcpy(ram + HDR_GPA, &hdr, sizeof(hdr));
}

static void test_capacity(void **state)
{
	uint32_t lo = bar_read(0x2000, 4), hi = bar_read(0x2004, 4);

	assert_int_equal(((uint64_t)hi << 32) | lo, DISK_SECTORS);
}

static void test_read(void **state)
{
	uint16_t before = used()->idx;
	unsigned int i;

	request(VIRTIO_BLK_T_IN, 5);
	set_desc(0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, DATA_GPA, 1024, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(submit(0), VIRTIO_BLK_S_OK);
	assert_int_equal(used()->idx, (uint16_t)(before + 1));
	assert_int_equal(used()->ring[before % QSIZE].id, 0);
	assert_int_equal(used()->ring[before % QSIZE].len, 1025);
	for (i = 0; i < 1024; i++)
		assert_int_equal(ram[DATA_GPA + i], i < 512 ? 5 : 6);
}

static void test_write_in_two_pieces(void **state)
{
	uint8_t back[1024];
	int fd;

	request(VIRTIO_BLK_T_OUT, 10);
	memset(ram + DATA_GPA, 0xab, 512);
	memset(ram + DATA_GPA + 0x1000, 0xcd, 512);
	set_desc(3, HDR_GPA, 16, VRING_DESC_F_NEXT, 4);
	set_desc(4, DATA_GPA, 512, VRING_DESC_F_NEXT, 5);
	set_desc(5, DATA_GPA + 0x1000, 512, VRING_DESC_F_NEXT, 6);
	set_desc(6, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(submit(3), VIRTIO_BLK_S_OK);
	fd = open(disk_path, O_RDONLY);
	assert_int_equal(pread(fd, back, sizeof(back), 10 * 512), 1024);
	close(fd);
	assert_int_equal(back[0], 0xab);
	assert_int_equal(back[511], 0xab);
	assert_int_equal(back[512], 0xcd);
	assert_int_equal(back[1023], 0xcd);
}

static void test_beyond_the_end_fails(void **state)
{
	request(VIRTIO_BLK_T_IN, DISK_SECTORS - 1);
	set_desc(0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, DATA_GPA, 1024, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(submit(0), VIRTIO_BLK_S_IOERR);
}

static void test_get_id_and_unknown(void **state)
{
	request(VIRTIO_BLK_T_GET_ID, 0);
	set_desc(0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, DATA_GPA, 20, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(submit(0), VIRTIO_BLK_S_OK);
	assert_memory_equal(ram + DATA_GPA, "ssi-vmm-disk", 12);
	request(0x1234, 0);
	assert_int_equal(submit(0), VIRTIO_BLK_S_UNSUPP);
}

static void test_flush(void **state)
{
	request(VIRTIO_BLK_T_FLUSH, 0);
	set_desc(0, HDR_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	assert_int_equal(submit(0), VIRTIO_BLK_S_OK);
}

/* Runs last: a broken queue needs a device reset. */
static void test_descriptor_loop_breaks_device(void **state)
{
	uint16_t before = used()->idx;

	request(VIRTIO_BLK_T_IN, 0);
	set_desc(0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, DATA_GPA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 0);
	submit(0);
	assert_int_equal(used()->idx, before);
	assert_true(bar_read(0x14, 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Further kicks are ignored until the driver resets. */
	set_desc(1, DATA_GPA, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	submit(0);
	assert_int_equal(used()->idx, before);
	bar_write(0x14, 0, 1);
	assert_int_equal(bar_read(0x14, 1), 0);
}

static void test_buffer_outside_ram_breaks_device(void **state)
{
	driver_probe();
	assert_false(bar_read(0x14, 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
	request(VIRTIO_BLK_T_IN, 0);
	set_desc(0, HDR_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(1, RAM_SIZE - 256, 512,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	set_desc(2, STATUS_GPA, 1, VRING_DESC_F_WRITE, 0);
	submit(0);
	assert_true(bar_read(0x14, 1) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_write_in_two_pieces),
		cmocka_unit_test(test_beyond_the_end_fails),
		cmocka_unit_test(test_get_id_and_unknown),
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_descriptor_loop_breaks_device),
		cmocka_unit_test(test_buffer_outside_ram_breaks_device),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
