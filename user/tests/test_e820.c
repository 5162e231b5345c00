// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the e820 map builder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "e820.h"
#include "layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static uint64_t ram_total(const struct boot_e820_entry *t, int n)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < n; i++)
		if (t[i].type == E820_TYPE_RAM)
			sum += t[i].size;
	return sum;
}

static void test_small_guest(void **state)
{
	struct boot_e820_entry t[8];
	int n = e820_build(512 * MiB, t, 8);

	assert_int_equal(n, 3);
	assert_int_equal(t[0].addr, 0);
	assert_int_equal(t[0].size, EBDA_GPA);
	assert_int_equal(t[0].type, E820_TYPE_RAM);
	assert_int_equal(t[1].addr, EBDA_GPA);
	assert_int_equal(t[1].addr + t[1].size, 1 * MiB);
	assert_int_equal(t[1].type, E820_TYPE_RESERVED);
	assert_int_equal(t[2].addr, 1 * MiB);
	assert_int_equal(t[2].addr + t[2].size, 512 * MiB);
	/* Only the ISA hole is missing from the guest's RAM. */
	assert_int_equal(ram_total(t, n), 512 * MiB - (1 * MiB - EBDA_GPA));
}

static void test_guest_above_4g(void **state)
{
	struct boot_e820_entry t[8];
	int n = e820_build(6 * GiB, t, 8);

	assert_int_equal(n, 4);
	assert_int_equal(t[2].addr + t[2].size, MMIO_HOLE_GPA);
	assert_int_equal(t[3].addr, HIGH_RAM_GPA);
	assert_int_equal(t[3].size, 6 * GiB - MMIO_HOLE_GPA);
	assert_int_equal(t[3].type, E820_TYPE_RAM);
}

static void test_exactly_3g_has_no_high_range(void **state)
{
	struct boot_e820_entry t[8];

	assert_int_equal(e820_build(MMIO_HOLE_GPA, t, 8), 3);
}

static void test_rejects_tiny_and_short_table(void **state)
{
	struct boot_e820_entry t[8];

	assert_int_equal(e820_build(1 * MiB, t, 8), -1);
	assert_int_equal(e820_build(6 * GiB, t, 3), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_guest),
		cmocka_unit_test(test_guest_above_4g),
		cmocka_unit_test(test_exactly_3g_has_no_high_range),
		cmocka_unit_test(test_rejects_tiny_and_short_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
