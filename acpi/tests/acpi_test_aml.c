// SPDX-License-Identifier: GPL-2.0
/*
 * acpi_test_aml.c - the AML encoder's byte encodings against the values
 * ACPI 6.3 chapter 20 defines (PkgLength boundaries, integer prefixes,
 * name strings, EISA ids, resource descriptors).
 */
#include "acpi_test_util.h"
#include "aml.h"
#include "table.h"

static void expect_bytes(const struct ssi_blob *b, const uint8_t *exp,
			 size_t n)
{
	assert_false(b->failed);
	assert_int_equal(b->len, n);
	assert_memory_equal(b->data, exp, n);
}

static void test_integers(void **state)
{
	static const uint8_t exp[] = {
		0x00, 0x01, 0x0a, 0x02, 0x0a, 0xff, 0x0b, 0x00, 0x01,
		0x0c, 0x00, 0x00, 0x01, 0x00,
		0x0e, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	};
	struct ssi_blob b = { 0 };

	aml_integer(&b, 0);
	aml_integer(&b, 1);
	aml_integer(&b, 2);
	aml_integer(&b, 0xff);
	aml_integer(&b, 0x100);
	aml_integer(&b, 0x10000);
	aml_integer(&b, 0x100000000ull);
	expect_bytes(&b, exp, sizeof(exp));
	ssi_blob_free(&b);
}

static void test_names(void **state)
{
	static const uint8_t exp[] = {
		'\\', '_', 'S', 'B', '_',
		'_', 'H', 'I', 'D',
		0x2e, '_', 'S', 'B', '_', 'C', '0', '0', '0',
		'\\', 0x2f, 3, '_', 'S', 'B', '_', 'A', '_', '_', '_',
		'B', 'C', '_', '_',
	};
	struct ssi_blob b = { 0 };

	aml_name_string(&b, "\\_SB");
	aml_name_string(&b, "_HID");
	aml_name_string(&b, "_SB_.C000");
	aml_name_string(&b, "\\_SB.A.BC");
	expect_bytes(&b, exp, sizeof(exp));
	ssi_blob_free(&b);
}

static void test_eisaid(void **state)
{
	/* EisaId("PNP0501") is 0x0105D041 stored little-endian. */
	static const uint8_t exp[] = { 0x0c, 0x41, 0xd0, 0x05, 0x01 };
	struct ssi_blob b = { 0 };

	aml_eisaid(&b, "PNP0501");
	expect_bytes(&b, exp, sizeof(exp));
	ssi_blob_free(&b);
}

/* Wrap a body of n bytes in a Scope and return the PkgLength bytes. */
static void scope_pkglength(size_t n, const uint8_t *exp, size_t explen)
{
	struct ssi_blob body = { 0 }, b = { 0 };

	blob_put_zeros(&body, n);
	aml_wrap_scope(&b, "", &body);
	assert_false(b.failed);
	assert_int_equal(b.data[0], 0x10);
	assert_memory_equal(b.data + 1, exp, explen);
	/* ScopeOp + PkgLength + NullName + body */
	assert_int_equal(b.len, 1 + explen + 1 + n);
	ssi_blob_free(&body);
	ssi_blob_free(&b);
}

static void test_pkglength(void **state)
{
	/* name (1 byte NullName) + body counts; PkgLength counts itself. */
	static const uint8_t one[] = { 0x3f };		/* 61 + 1 + 1 */
	static const uint8_t two_small[] = { 0x40 | 0x01, 0x04 };  /* 65 */
	static const uint8_t two_big[] = { 0x40 | 0x0f, 0xff };   /* 4095 */
	static const uint8_t three[] = { 0x80 | 0x01, 0x00, 0x01 }; /* 4097 */

	scope_pkglength(61, one, sizeof(one));
	/* 62 + NullName + 2 length bytes = 65 = 0x041 */
	scope_pkglength(62, two_small, sizeof(two_small));
	/* 4092 + 1 + 2 = 4095 = 0xfff, the largest 2-byte PkgLength */
	scope_pkglength(4092, two_big, sizeof(two_big));
	/* 4093 + 1 + 3 = 4097 = 0x1001 */
	scope_pkglength(4093, three, sizeof(three));
}

static void test_package_and_resources(void **state)
{
	static const uint8_t exp[] = {
		0x12, 0x06, 0x03, 0x0a, 0x05, 0x00, 0x00,
		0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0x00,
	};
	struct ssi_blob el = { 0 }, res = { 0 }, b = { 0 };

	aml_integer(&el, 5);
	aml_integer(&el, 0);
	aml_integer(&el, 0);
	aml_wrap_package(&b, 3, &el);
	aml_res_io(&res, 0x3f8, 8);
	aml_res_irq_noflags(&res, 4);
	aml_res_end(&res);
	aml_wrap_buffer(&b, &res);
	expect_bytes(&b, exp, sizeof(exp));
	ssi_blob_free(&el);
	ssi_blob_free(&res);
	ssi_blob_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_eisaid),
		cmocka_unit_test(test_pkglength),
		cmocka_unit_test(test_package_and_resources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
