// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the page directory entry encoding and heat logic
 * (kmod/proto/pde.h), the same header the module compiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/ssihv.h>
#include "../../kmod/proto/pde.h"

static void test_size_is_compact(void **state)
{
	/* The target: at most 16 bytes per 4 KiB frame. */
	assert_int_equal(sizeof(struct ssihv_pde), 16);
}

static void test_init_is_invalid_and_homed(void **state)
{
	struct ssihv_pde pde;

	pde_init(&pde, 7);
	assert_int_equal(pde_state(&pde), SSIHV_PAGE_INVALID);
	assert_int_equal(pde_home(&pde), 7);
	assert_int_equal(pde_owner(&pde), 7);
	assert_int_equal(pde_pfn(&pde), 0);
	assert_int_equal(pde.heat, 0);
	assert_int_equal(pde.faults, 0);
}

static void test_fields_do_not_overlap(void **state)
{
	static const unsigned int states[] = {
		SSIHV_PAGE_INVALID, SSIHV_PAGE_EXCLUSIVE, SSIHV_PAGE_SHARED,
	};
	static const u64 pfns[] = { 0, 1, 0x123456789ULL, PDE_MAX_PFN };
	static const unsigned int nodes[] = { 0, 1, 128, PDE_MAX_NODE };
	struct ssihv_pde pde;

	for (size_t s = 0; s < 3; s++)
		for (size_t p = 0; p < 4; p++)
			for (size_t o = 0; o < 4; o++)
				for (size_t h = 0; h < 4; h++) {
					pde_init(&pde, nodes[h]);
					pde_set(&pde, pfns[p], states[s],
						nodes[o]);
					assert_int_equal(pde_pfn(&pde), pfns[p]);
					assert_int_equal(pde_state(&pde),
							 states[s]);
					assert_int_equal(pde_owner(&pde),
							 nodes[o]);
					assert_int_equal(pde_home(&pde),
							 nodes[h]);
				}
}

static void test_set_state_keeps_the_rest(void **state)
{
	struct ssihv_pde pde;

	pde_init(&pde, 3);
	pde_set(&pde, 0xabcdefULL, SSIHV_PAGE_EXCLUSIVE, 5);
	pde_set_state(&pde, SSIHV_PAGE_SHARED);
	assert_int_equal(pde_state(&pde), SSIHV_PAGE_SHARED);
	assert_int_equal(pde_pfn(&pde), 0xabcdefULL);
	assert_int_equal(pde_owner(&pde), 5);
	assert_int_equal(pde_home(&pde), 3);
	pde_set_state(&pde, SSIHV_PAGE_EXCLUSIVE);
	assert_int_equal(pde_state(&pde), SSIHV_PAGE_EXCLUSIVE);
	assert_int_equal(pde_pfn(&pde), 0xabcdefULL);
}

static void test_touch_counts_and_heats(void **state)
{
	struct ssihv_pde pde;

	pde_init(&pde, 0);
	pde_touch(&pde, 100);
	assert_int_equal(pde.faults, 1);
	assert_int_equal(pde.heat, PDE_HEAT_PER_FAULT);
	assert_int_equal(pde.last_fault_ms, 100);
	pde_touch(&pde, 200);
	assert_int_equal(pde.faults, 2);
	assert_int_equal(pde.heat, 2 * PDE_HEAT_PER_FAULT);
	assert_int_equal(pde.last_fault_ms, 200);
}

static void test_heat_decays_by_half_life(void **state)
{
	struct ssihv_pde pde;

	pde_init(&pde, 0);
	for (int i = 0; i < 8; i++)
		pde_touch(&pde, 0);
	assert_int_equal(pde_heat_at(&pde, 0), 8 * PDE_HEAT_PER_FAULT);
	assert_int_equal(pde_heat_at(&pde, PDE_HEAT_HALF_LIFE_MS - 1),
			 8 * PDE_HEAT_PER_FAULT);
	assert_int_equal(pde_heat_at(&pde, PDE_HEAT_HALF_LIFE_MS),
			 4 * PDE_HEAT_PER_FAULT);
	assert_int_equal(pde_heat_at(&pde, 3 * PDE_HEAT_HALF_LIFE_MS),
			 PDE_HEAT_PER_FAULT);
	assert_int_equal(pde_heat_at(&pde, 60 * PDE_HEAT_HALF_LIFE_MS), 0);
	/* A clock reading before the last fault does not underflow. */
	pde.last_fault_ms = 5000;
	assert_int_equal(pde_heat_at(&pde, 10), 8 * PDE_HEAT_PER_FAULT);
}

static void test_counters_saturate(void **state)
{
	struct ssihv_pde pde;

	pde_init(&pde, 0);
	for (int i = 0; i < 70000; i++)
		pde_touch(&pde, 0);
	assert_int_equal(pde.faults, 0xffff);
	assert_int_equal(pde.heat, 0xffff);
	/* The time never goes backwards. */
	pde_touch(&pde, 50);
	pde_touch(&pde, 20);
	assert_int_equal(pde.last_fault_ms, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_is_compact),
		cmocka_unit_test(test_init_is_invalid_and_homed),
		cmocka_unit_test(test_fields_do_not_overlap),
		cmocka_unit_test(test_set_state_keeps_the_rest),
		cmocka_unit_test(test_touch_counts_and_heats),
		cmocka_unit_test(test_heat_decays_by_half_life),
		cmocka_unit_test(test_counters_saturate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
