// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/parse.c: size parsing and human-size formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* Sentinel that tells "left unchanged" apart from any parsed value. */
#define UNTOUCHED 0xdeadbeefULL

static void expect_size(const char *text, uint64_t want)
{
	uint64_t bytes = UNTOUCHED;

	assert_int_equal(parse_size(text, &bytes), PARSE_OK);
	assert_true(bytes == want);
}

static void expect_error(const char *text, enum parse_status want)
{
	uint64_t bytes = UNTOUCHED;

	assert_int_equal(parse_size(text, &bytes), want);
	assert_true(bytes == UNTOUCHED);
}

static void test_plain_numbers(void **state)
{
	expect_size("0", 0);
	expect_size("1", 1);
	expect_size("4096", 4096);
	expect_size("007", 7);
	expect_size("18446744073709551615", UINT64_MAX);
}

static void test_hex_numbers(void **state)
{
	expect_size("0x1000", 0x1000);
	expect_size("0X1000", 0x1000);
	expect_size("0xdeadBEEF", 0xdeadbeefULL);
	expect_size("0xffffffffffffffff", UINT64_MAX);
	expect_size("0x0", 0);
	/* Hex digits are taken greedily: E is a digit here, not exa. */
	expect_size("0x1E", 0x1e);
	expect_size("0x1M", 0x100000);
}

static void test_suffixes(void **state)
{
	expect_size("64K", 64ULL << 10);
	expect_size("64k", 64ULL << 10);
	expect_size("1M", 1ULL << 20);
	expect_size("2G", 2ULL << 30);
	expect_size("2g", 2ULL << 30);
	expect_size("1T", 1ULL << 40);
	expect_size("3P", 3ULL << 50);
	expect_size("15E", 15ULL << 60);
	expect_size("0G", 0);
}

static void test_empty(void **state)
{
	expect_error("", PARSE_EMPTY);
	expect_error(NULL, PARSE_EMPTY);
}

static void test_negative(void **state)
{
	expect_error("-1", PARSE_NEGATIVE);
	expect_error("-0x10", PARSE_NEGATIVE);
	expect_error("-", PARSE_NEGATIVE);
}

static void test_junk(void **state)
{
	expect_error("abc", PARSE_NOT_A_NUMBER);
	expect_error("K", PARSE_NOT_A_NUMBER);
	expect_error("0x", PARSE_NOT_A_NUMBER);
	expect_error("0xg", PARSE_NOT_A_NUMBER);
	expect_error(" 1", PARSE_NOT_A_NUMBER);
	expect_error("+1", PARSE_NOT_A_NUMBER);
	expect_error("1 ", PARSE_BAD_SUFFIX);
	expect_error("1.5G", PARSE_BAD_SUFFIX);
	expect_error("1KB", PARSE_BAD_SUFFIX);
	expect_error("1GG", PARSE_BAD_SUFFIX);
	expect_error("10X", PARSE_BAD_SUFFIX);
	expect_error("12abc", PARSE_BAD_SUFFIX);
}

static void test_overflow(void **state)
{
	expect_error("18446744073709551616", PARSE_OVERFLOW);
	expect_error("99999999999999999999999", PARSE_OVERFLOW);
	expect_error("0x10000000000000000", PARSE_OVERFLOW);
	expect_error("16E", PARSE_OVERFLOW);
	expect_error("16777216T", PARSE_OVERFLOW);
	expect_error("18446744073709551615K", PARSE_OVERFLOW);
	/* The largest value a suffix still allows. */
	expect_size("16777215T", 16777215ULL << 40);
}

static void test_status_strings(void **state)
{
	enum parse_status status;

	for (status = PARSE_OK; status <= PARSE_OVERFLOW; status++) {
		assert_non_null(parse_status_str(status));
		assert_string_not_equal(parse_status_str(status),
					"unknown parse error");
	}
}

static void expect_format(uint64_t bytes, const char *want)
{
	char buf[FORMAT_SIZE_LEN];

	assert_ptr_equal(format_size(bytes, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void test_format_size(void **state)
{
	expect_format(0, "0 B");
	expect_format(1, "1 B");
	expect_format(1023, "1023 B");
	expect_format(1024, "1 KiB");
	expect_format(1536, "1.5 KiB");
	expect_format(4096, "4 KiB");
	expect_format(1ULL << 20, "1 MiB");
	expect_format(1ULL << 30, "1 GiB");
	/* Truncated, never rounded up to the next unit. */
	expect_format((1ULL << 30) - 1, "1023.9 MiB");
	expect_format(3ULL << 39, "1.5 TiB");
	expect_format(1ULL << 52, "4 PiB");
	expect_format(UINT64_MAX, "15.9 EiB");
}

static void test_plain_u64(void **state)
{
	uint64_t value = UNTOUCHED;

	assert_int_equal(parse_u64("42", &value), PARSE_OK);
	assert_true(value == 42);
	assert_int_equal(parse_u64("0x2a", &value), PARSE_OK);
	assert_true(value == 42);
	assert_int_equal(parse_u64("18446744073709551615", &value), PARSE_OK);
	assert_true(value == UINT64_MAX);
	value = UNTOUCHED;
	/* Ids take no unit suffix, sign, blank or junk. */
	assert_int_equal(parse_u64("1K", &value), PARSE_BAD_SUFFIX);
	assert_int_equal(parse_u64("42x", &value), PARSE_BAD_SUFFIX);
	assert_int_equal(parse_u64(" 42", &value), PARSE_NOT_A_NUMBER);
	assert_int_equal(parse_u64("-1", &value), PARSE_NEGATIVE);
	assert_int_equal(parse_u64("", &value), PARSE_EMPTY);
	assert_int_equal(parse_u64("0x", &value), PARSE_NOT_A_NUMBER);
	assert_int_equal(parse_u64("18446744073709551616", &value),
			 PARSE_OVERFLOW);
	assert_true(value == UNTOUCHED);
}

static void test_format_round_trip(void **state)
{
	static const char *const sizes[] = { "4K", "64M", "2G", "1T", "7P" };
	char buf[FORMAT_SIZE_LEN];
	uint64_t bytes;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_int_equal(parse_size(sizes[i], &bytes), PARSE_OK);
		format_size(bytes, buf, sizeof(buf));
		/* "64M" formats as "64 MiB": same number, same unit letter. */
		assert_int_equal(buf[0], sizes[i][0]);
	}
}

static void test_format_small_buffer(void **state)
{
	char buf[4];

	/* Truncates safely instead of overflowing the buffer. */
	format_size(1ULL << 30, buf, sizeof(buf));
	assert_string_equal(buf, "1 G");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_numbers),
		cmocka_unit_test(test_hex_numbers),
		cmocka_unit_test(test_suffixes),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_negative),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_status_strings),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_plain_u64),
		cmocka_unit_test(test_format_small_buffer),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
