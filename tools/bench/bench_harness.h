/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmarks use the helpers of selftests/, which report
 * through these; in a benchmark any failure is fatal.  Include before
 * those headers.
 */
#ifndef _SSIHV_BENCH_HARNESS_H
#define _SSIHV_BENCH_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* The selftest helpers report through these; here any failure is fatal. */
static void harness_log(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define FAIL(fmt, ...)							\
	do {								\
		fprintf(stderr, "bench: %s:%d: " fmt "\n", __FILE__,	\
			__LINE__, ##__VA_ARGS__);			\
		exit(1);						\
	} while (0)
#define SKIP(...)	FAIL(__VA_ARGS__)
#define BENCH_CHECK(cond, text)						\
	do {								\
		if (!(cond))						\
			FAIL("check failed: %s", text);			\
	} while (0)
#define ASSERT_TRUE(c)		BENCH_CHECK((c), #c)
#define ASSERT_FALSE(c)		BENCH_CHECK(!(c), #c)
#define ASSERT_EQ(a, b)		BENCH_CHECK((a) == (b), #a " == " #b)
#define ASSERT_NE(a, b)		BENCH_CHECK((a) != (b), #a " != " #b)
#define ASSERT_GE(a, b)		BENCH_CHECK((a) >= (b), #a " >= " #b)
#define ASSERT_LE(a, b)		BENCH_CHECK((a) <= (b), #a " <= " #b)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))
#endif

#endif /* _SSIHV_BENCH_HARNESS_H */
