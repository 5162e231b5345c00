/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP 13 test harness for the SSI-HV selftests.
 *
 *	#include "harness.h"
 *
 *	TEST(page_size_matches)
 *	{
 *		if (geteuid())
 *			SKIP("needs root");
 *		ASSERT_EQ(get_page_size(), 4096);
 *	}
 *
 * The harness supplies main().  Each test runs in its own forked child (a
 * crash or a hang fails that test only) in its own process group, killed
 * with everything it started once its timeout (TEST_TIMEOUT(name, secs),
 * default HARNESS_TIMEOUT seconds) expires.  Output:
 *
 *	TAP version 13
 *	1..3
 *	ok 1 first
 *	# genl_test.c:42: ASSERT_EQ(err, -EINVAL) failed: err = -34, -EINVAL = -22
 *	not ok 2 second
 *	ok 3 third # SKIP needs root
 *	# 1 passed, 1 failed, 1 skipped
 *
 * The exit status is 1 if any test failed and 0 otherwise.  "-l" lists
 * the tests; "-t NAME" (repeatable) runs only the named ones.
 *
 * ASSERT_*() end the test at the first failure; EXPECT_*() record the
 * failure and carry on.  Comparisons take integers (not pointers): both
 * sides are compared as intmax_t when either is signed and as uintmax_t
 * otherwise, so "ASSERT_EQ(u32_value, 4096)" does what it says.  Tests
 * print diagnostics with harness_log(), which prefixes "# " as TAP wants.
 */
#ifndef _SSIHV_SELFTEST_HARNESS_H
#define _SSIHV_SELFTEST_HARNESS_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))
#endif

#define HARNESS_TIMEOUT		30	/* seconds per test by default */
#define HARNESS_REASON_LEN	256

/* Exit statuses of a test child. */
#define HARNESS_EXIT_PASS	0
#define HARNESS_EXIT_FAIL	1
#define HARNESS_EXIT_SKIP	4	/* kselftest's KSFT_SKIP */

struct harness_test {
	const char *name;
	void (*fn)(void);
	unsigned int timeout;
	struct harness_test *next;
};

static struct harness_test *harness_tests;

/* Memory shared with the test children: how a child says why it skips. */
static struct harness_shared {
	char skip_reason[HARNESS_REASON_LEN];
} *harness_shared;

/* Set in a test child when an EXPECT_*() fails; decides its exit status. */
static bool harness_expect_failed;

/* Keep registration order, so TAP numbers follow the source file. */
static inline void harness_register(struct harness_test *test)
{
	struct harness_test **tail = &harness_tests;

	while (*tail)
		tail = &(*tail)->next;
	*tail = test;
}

#define TEST_TIMEOUT(test_name, seconds)				\
	static void harness_fn_##test_name(void);			\
	static struct harness_test harness_test_##test_name = {	\
		.name = #test_name,					\
		.fn = harness_fn_##test_name,				\
		.timeout = (seconds),					\
	};								\
	static void __attribute__((constructor))			\
	harness_register_##test_name(void)				\
	{								\
		harness_register(&harness_test_##test_name);		\
	}								\
	static void harness_fn_##test_name(void)

#define TEST(test_name) TEST_TIMEOUT(test_name, HARNESS_TIMEOUT)

/* Print a diagnostic; every line of it gets TAP's "# " prefix. */
static inline void __attribute__((format(printf, 1, 2)))
harness_log(const char *fmt, ...)
{
	char text[4096];
	const char *line, *end;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	for (line = text; ; line = end + 1) {
		end = strchrnul(line, '\n');
		/* A trailing newline does not start another line. */
		if (end == line && !*end && line != text)
			break;
		printf("# %.*s\n", (int)(end - line), line);
		if (!*end)
			break;
	}
	fflush(stdout);
}

/* End the current test (in its child) with an exit status. */
static inline void __attribute__((noreturn)) harness_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

#define SKIP(...)							\
	do {								\
		snprintf(harness_shared->skip_reason,			\
			 HARNESS_REASON_LEN, __VA_ARGS__);		\
		harness_exit(HARNESS_EXIT_SKIP);			\
	} while (0)

/* Fail the test now, with a printf-style message. */
#define FAIL(fmt, ...)							\
	do {								\
		harness_log("%s:%d: " fmt, __FILE__, __LINE__,		\
			    ##__VA_ARGS__);				\
		harness_exit(HARNESS_EXIT_FAIL);			\
	} while (0)

/* Log one failed comparison, each value printed with its signedness. */
static inline void harness_report_cmp(const char *file, int line,
				      const char *macro,
				      const char *expr_a, const char *expr_b,
				      uintmax_t a, bool a_signed,
				      uintmax_t b, bool b_signed)
{
	char text_a[32], text_b[32];

	if (a_signed)
		snprintf(text_a, sizeof(text_a), "%jd", (intmax_t)a);
	else
		snprintf(text_a, sizeof(text_a), "%ju", a);
	if (b_signed)
		snprintf(text_b, sizeof(text_b), "%jd", (intmax_t)b);
	else
		snprintf(text_b, sizeof(text_b), "%ju", b);
	harness_log("%s:%d: %s(%s, %s) failed: %s = %s, %s = %s", file, line,
		    macro, expr_a, expr_b, expr_a, text_a, expr_b, text_b);
}

#define HARNESS_IS_SIGNED(x) ((__typeof__(x))-1 < (__typeof__(x))1)

/*
 * fatal: ASSERT (end the test) or EXPECT (record and continue).  a and b
 * are evaluated once each; op is one comparison in uintmax_t for both
 * signed and unsigned operands: flipping the sign bit maps the signed
 * order onto the unsigned one.
 */
#define HARNESS_CMP(macro, fatal, a, op, b, text_a, text_b)				\
	do {								\
		__typeof__(a) __harness_a = (a);			\
		__typeof__(b) __harness_b = (b);			\
		bool __harness_signed = HARNESS_IS_SIGNED(__harness_a) || \
					HARNESS_IS_SIGNED(__harness_b); \
		uintmax_t __harness_flip = __harness_signed ?		\
			(uintmax_t)INTMAX_MIN : 0;			\
		bool __harness_ok =					\
			((uintmax_t)__harness_a ^ __harness_flip) op	\
			((uintmax_t)__harness_b ^ __harness_flip);	\
		if (!__harness_ok) {					\
			harness_report_cmp(__FILE__, __LINE__, macro,	\
				text_a, text_b, (uintmax_t)__harness_a,		\
				HARNESS_IS_SIGNED(__harness_a),		\
				(uintmax_t)__harness_b,			\
				HARNESS_IS_SIGNED(__harness_b));	\
			if (fatal)					\
				harness_exit(HARNESS_EXIT_FAIL);	\
			harness_expect_failed = true;			\
		}							\
	} while (0)

#define HARNESS_BOOL(macro, fatal, cond, want, text)				\
	do {								\
		if ((bool)(cond) != (want)) {				\
			harness_log("%s:%d: %s(%s) failed", __FILE__,	\
				    __LINE__, macro, text);		\
			if (fatal)					\
				harness_exit(HARNESS_EXIT_FAIL);	\
			harness_expect_failed = true;			\
		}							\
	} while (0)

#define ASSERT_EQ(a, b)	HARNESS_CMP("ASSERT_EQ", true, a, ==, b, #a, #b)
#define ASSERT_NE(a, b)	HARNESS_CMP("ASSERT_NE", true, a, !=, b, #a, #b)
#define ASSERT_GE(a, b)	HARNESS_CMP("ASSERT_GE", true, a, >=, b, #a, #b)
#define ASSERT_LE(a, b)	HARNESS_CMP("ASSERT_LE", true, a, <=, b, #a, #b)
#define ASSERT_TRUE(c)	HARNESS_BOOL("ASSERT_TRUE", true, c, true, #c)
#define ASSERT_FALSE(c)	HARNESS_BOOL("ASSERT_FALSE", true, c, false, #c)

#define EXPECT_EQ(a, b)	HARNESS_CMP("EXPECT_EQ", false, a, ==, b, #a, #b)
#define EXPECT_NE(a, b)	HARNESS_CMP("EXPECT_NE", false, a, !=, b, #a, #b)
#define EXPECT_GE(a, b)	HARNESS_CMP("EXPECT_GE", false, a, >=, b, #a, #b)
#define EXPECT_LE(a, b)	HARNESS_CMP("EXPECT_LE", false, a, <=, b, #a, #b)
#define EXPECT_TRUE(c)	HARNESS_BOOL("EXPECT_TRUE", false, c, true, #c)
#define EXPECT_FALSE(c)	HARNESS_BOOL("EXPECT_FALSE", false, c, false, #c)

static inline void harness_sleep_ms(unsigned int ms)
{
	struct timespec ts = {
		.tv_sec = ms / 1000,
		.tv_nsec = (long)(ms % 1000) * 1000000,
	};

	nanosleep(&ts, NULL);
}

enum harness_result { HARNESS_PASS, HARNESS_FAIL, HARNESS_SKIP };

/*
 * Run one test in a child and wait for it, at most test->timeout
 * seconds.  Polling waitpid() keeps this free of signal handlers, which
 * the tests themselves may want.
 */
static enum harness_result harness_run_one(struct harness_test *test,
					   const char **why)
{
	unsigned int waited_ms = 0;
	pid_t child, done;
	int status;

	*why = NULL;
	harness_shared->skip_reason[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child < 0) {
		harness_log("fork: %s", strerror(errno));
		return HARNESS_FAIL;
	}
	if (child == 0) {
		/* Own group: a timeout kills whatever the test spawned. */
		setpgid(0, 0);
		test->fn();
		harness_exit(harness_expect_failed ? HARNESS_EXIT_FAIL :
			     HARNESS_EXIT_PASS);
	}
	setpgid(child, child);

	for (;;) {
		done = waitpid(child, &status, WNOHANG);
		if (done == child)
			break;
		if (done < 0 && errno != EINTR) {
			harness_log("waitpid: %s", strerror(errno));
			return HARNESS_FAIL;
		}
		if (waited_ms >= test->timeout * 1000) {
			harness_log("%s: timed out after %u s", test->name,
				    test->timeout);
			kill(-child, SIGKILL);
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
			return HARNESS_FAIL;
		}
		harness_sleep_ms(10);
		waited_ms += 10;
	}
	/* Kill anything the test left running in its process group. */
	kill(-child, SIGKILL);

	if (WIFSIGNALED(status)) {
		harness_log("%s: killed by signal %d (%s)", test->name,
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
		return HARNESS_FAIL;
	}
	switch (WEXITSTATUS(status)) {
	case HARNESS_EXIT_PASS:
		return HARNESS_PASS;
	case HARNESS_EXIT_SKIP:
		*why = harness_shared->skip_reason;
		return HARNESS_SKIP;
	case HARNESS_EXIT_FAIL:
		return HARNESS_FAIL;
	}
	harness_log("%s: exited with unexpected status %d", test->name,
		    WEXITSTATUS(status));
	return HARNESS_FAIL;
}

static bool harness_selected(const char *name, int argc, char **argv)
{
	bool any_filter = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") || i + 1 >= argc)
			continue;
		any_filter = true;
		if (!strcmp(argv[++i], name))
			return true;
	}
	return !any_filter;
}

static int harness_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-l] [-t TEST]...\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0, skipped = 0, number = 0;
	unsigned int selected = 0;
	struct harness_test *test;
	const char *why;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-l")) {
			for (test = harness_tests; test; test = test->next)
				printf("%s\n", test->name);
			return 0;
		}
		if (strcmp(argv[i], "-t") || i + 1 >= argc)
			return harness_usage(argv[0]);
		i++;
	}

	harness_shared = mmap(NULL, sizeof(*harness_shared),
			      PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (harness_shared == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	/* Line-buffered so that TAP lines and test output interleave. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (test = harness_tests; test; test = test->next)
		selected += harness_selected(test->name, argc, argv);
	printf("TAP version 13\n1..%u\n", selected);

	for (test = harness_tests; test; test = test->next) {
		if (!harness_selected(test->name, argc, argv))
			continue;
		number++;
		switch (harness_run_one(test, &why)) {
		case HARNESS_PASS:
			printf("ok %u %s\n", number, test->name);
			passed++;
			break;
		case HARNESS_SKIP:
			printf("ok %u %s # SKIP %s\n", number, test->name,
			       why);
			skipped++;
			break;
		case HARNESS_FAIL:
			printf("not ok %u %s\n", number, test->name);
			failed++;
			break;
		}
	}
	printf("# %u passed, %u failed, %u skipped\n", passed, failed,
	       skipped);
	return failed ? 1 : 0;
}

#endif /* _SSIHV_SELFTEST_HARNESS_H */
