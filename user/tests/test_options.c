// SPDX-License-Identifier: GPL-2.0
/* Unit tests of ssi-vmm's command-line parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"

#define ARGV(...) ((char *[]){ "ssi-vmm", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "ssi-vmm", __VA_ARGS__ }) / \
			 sizeof(char *)))
#define PARSE(cfg, err, ...) \
	options_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), cfg, err)

static char errbuf[512];

static FILE *err_stream(void)
{
	memset(errbuf, 0, sizeof(errbuf));
	return fmemopen(errbuf, sizeof(errbuf), "w");
}

static void test_full_command_line(void **state)
{
	struct vmm_config cfg;
	FILE *err = err_stream();

	assert_int_equal(PARSE(&cfg, err, "--kernel", "bz", "--initrd", "rd",
			       "--cmdline", "console=ttyS0", "--cpus", "4",
			       "--memory", "2G", "--memory-backend", "memfd",
			       "--on-reboot", "reboot", "--no-pin"),
			 OPTIONS_OK);
	fclose(err);
	assert_string_equal(cfg.kernel_path, "bz");
	assert_string_equal(cfg.initrd_path, "rd");
	assert_string_equal(cfg.cmdline, "console=ttyS0");
	assert_int_equal(cfg.nr_cpus, 4);
	assert_int_equal(cfg.ram_size, 2ULL << 30);
	assert_int_equal(cfg.mem_backend, MEM_BACKEND_MEMFD);
	assert_int_equal(cfg.on_reboot, ON_REBOOT_RESTART);
	assert_true(cfg.no_pin);
}

static void test_defaults(void **state)
{
	struct vmm_config cfg;
	FILE *err = err_stream();

	assert_int_equal(PARSE(&cfg, err, "-k", "bz"), OPTIONS_OK);
	fclose(err);
	assert_int_equal(cfg.nr_cpus, 1);
	assert_int_equal(cfg.ram_size, 256ULL << 20);
	assert_int_equal(cfg.mem_backend, MEM_BACKEND_ANON);
	assert_int_equal(cfg.on_reboot, ON_REBOOT_EXIT);
	assert_null(cfg.initrd_path);
}

static void expect_error(int result, FILE *err, const char *fragment)
{
	fclose(err);
	assert_int_equal(result, OPTIONS_ERROR);
	assert_non_null(strstr(errbuf, fragment));
	/* One line, ending in a newline. */
	assert_ptr_equal(strchr(errbuf, '\n'), errbuf + strlen(errbuf) - 1);
}

static void test_errors(void **state)
{
	struct vmm_config cfg;
	FILE *err;

	err = err_stream();
	expect_error(PARSE(&cfg, err, "--cpus", "2"), err, "--kernel");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--cpus", "0"), err,
		     "--cpus");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--cpus", "3x"), err,
		     "--cpus");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--memory", "lots"), err,
		     "--memory");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--memory-backend", "nvme"),
		     err, "--memory-backend");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--bogus"), err, "--bogus");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k"), err, "needs an argument");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "stray"), err, "stray");
}

static void test_memory_sizes(void **state)
{
	struct vmm_config cfg;
	FILE *err = err_stream();

	assert_int_equal(PARSE(&cfg, err, "-k", "bz", "--memory", "512M"),
			 OPTIONS_OK);
	assert_int_equal(cfg.ram_size, 512ULL << 20);
	assert_int_equal(PARSE(&cfg, err, "-k", "bz", "--memory", "0x40000000"),
			 OPTIONS_OK);
	assert_int_equal(cfg.ram_size, 1ULL << 30);
	fclose(err);
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--memory", "2T"), err,
		     "up to 1T");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--memory", "1000"), err,
		     "page-aligned");
}

static void test_vm_id(void **state)
{
	struct vmm_config cfg;
	FILE *err = err_stream();

	assert_int_equal(PARSE(&cfg, err, "-k", "bz", "--memory-backend",
			       "ssihv", "--vm-id", "0x5510"), OPTIONS_OK);
	assert_int_equal(cfg.mem_backend, MEM_BACKEND_SSIHV);
	assert_true(cfg.vm_id_given);
	assert_int_equal(cfg.vm_id, 0x5510);
	assert_int_equal(PARSE(&cfg, err, "-k", "bz", "--vm-id",
			       "18446744073709551615"), OPTIONS_OK);
	assert_int_equal(cfg.vm_id, UINT64_MAX);
	assert_int_equal(PARSE(&cfg, err, "-k", "bz"), OPTIONS_OK);
	assert_false(cfg.vm_id_given);
	fclose(err);
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--vm-id", "vm1"), err,
		     "--vm-id");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "-k", "bz", "--vm-id", "-1"), err,
		     "--vm-id");
}

static void test_memory_only(void **state)
{
	struct vmm_config cfg;
	FILE *err = err_stream();

	assert_int_equal(PARSE(&cfg, err, "--memory-only", "--memory-backend",
			       "ssihv", "--vm-id", "7", "--topology", "t.ini"),
			 OPTIONS_OK);
	assert_true(cfg.memory_only);
	assert_null(cfg.kernel_path);
	fclose(err);
	err = err_stream();
	expect_error(PARSE(&cfg, err, "--memory-only", "--vm-id", "7"), err,
		     "--memory-backend ssihv");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "--memory-only", "--memory-backend",
			   "ssihv"), err, "--vm-id");
	err = err_stream();
	expect_error(PARSE(&cfg, err, "--memory-only", "--memory-backend",
			   "ssihv", "--vm-id", "7", "-k", "bz"), err,
		     "no --kernel");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_command_line),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_memory_sizes),
		cmocka_unit_test(test_vm_id),
		cmocka_unit_test(test_memory_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
