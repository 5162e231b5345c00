// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the bzImage setup-header checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <asm/bootparam.h>

#include "bzimage.h"

#define IMAGE_SIZE	(64 * 1024)
#define HDR(img)	((struct setup_header *)((img) + 0x1f1))

static uint8_t image[IMAGE_SIZE];

/* A minimal image that looks like a 64-bit capable 2.15 bzImage. */
static int setup_image(void **state)
{
	struct setup_header *h = HDR(image);

	memset(image, 0, sizeof(image));
	h->setup_sects = 3;
	h->boot_flag = 0xaa55;
	image[0x201] = 0x66;
	h->header = 0x53726448;
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->xloadflags = XLF_KERNEL_64;
	h->cmdline_size = 2047;
	h->pref_address = 0x1000000;
	h->init_size = 0x800000;
	return 0;
}

static void test_good_image(void **state)
{
	struct bzimage_info info;
	const char *why = NULL;

	assert_int_equal(bzimage_parse(image, IMAGE_SIZE, 0x1000000, &info,
				       &why), 0);
	assert_int_equal(info.kernel_offset, 4 * 512);
	assert_int_equal(info.kernel_size, IMAGE_SIZE - 4 * 512);
	assert_int_equal(info.load_addr, 0x1000000);
	assert_int_equal(info.init_size, 0x800000);
	assert_int_equal(info.setup_header_end, 0x268);
	assert_int_equal(info.cmdline_size, 2047);
}

static void expect_reject(const char *fragment)
{
	struct bzimage_info info;
	const char *why = NULL;

	assert_int_equal(bzimage_parse(image, IMAGE_SIZE, 0x1000000, &info,
				       &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, fragment));
}

static void test_no_magic(void **state)
{
	HDR(image)->header = 0x464c457f;
	expect_reject("HdrS");
}

static void test_old_protocol(void **state)
{
	HDR(image)->version = 0x020b;
	expect_reject("2.12");
}

static void test_no_64bit_entry(void **state)
{
	HDR(image)->xloadflags = 0;
	expect_reject("64-bit");
}

static void test_truncated(void **state)
{
	struct bzimage_info info;
	const char *why = NULL;

	assert_int_equal(bzimage_parse(image, 0x100, 0x1000000, &info, &why),
			 -1);
	assert_int_equal(bzimage_parse(image, 4 * 512, 0x1000000, &info,
				       &why), -1);
}

static void test_zero_setup_sects_means_four(void **state)
{
	struct bzimage_info info;
	const char *why = NULL;

	HDR(image)->setup_sects = 0;
	assert_int_equal(bzimage_parse(image, IMAGE_SIZE, 0x1000000, &info,
				       &why), 0);
	assert_int_equal(info.kernel_offset, 5 * 512);
}

static void test_relocatable_without_pref_address(void **state)
{
	struct bzimage_info info;
	const char *why = NULL;

	HDR(image)->pref_address = 0;
	assert_int_equal(bzimage_parse(image, IMAGE_SIZE, 0x1100000, &info,
				       &why), 0);
	assert_int_equal(info.load_addr, 0x1200000);
	HDR(image)->relocatable_kernel = 0;
	expect_reject("relocatable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good_image, setup_image),
		cmocka_unit_test_setup(test_no_magic, setup_image),
		cmocka_unit_test_setup(test_old_protocol, setup_image),
		cmocka_unit_test_setup(test_no_64bit_entry, setup_image),
		cmocka_unit_test_setup(test_truncated, setup_image),
		cmocka_unit_test_setup(test_zero_setup_sects_means_four,
				       setup_image),
		cmocka_unit_test_setup(test_relocatable_without_pref_address,
				       setup_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
