/* SPDX-License-Identifier: GPL-2.0 */
/*
 * acpi_test_util.h - helpers shared by the acpi cmocka tests: reading
 * little-endian fields back out of a table and checking the header.
 */
#ifndef ACPI_TEST_UTIL_H
#define ACPI_TEST_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ssi_acpi.h"

static inline uint64_t rd(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

#define rd8(b, off)	((uint8_t)rd((b)->data + (off), 1))
#define rd16(b, off)	((uint16_t)rd((b)->data + (off), 2))
#define rd32(b, off)	((uint32_t)rd((b)->data + (off), 4))
#define rd64(b, off)	rd((b)->data + (off), 8)

/* Standard header: signature, length = size, revision, checksum. */
static inline void check_header(const struct ssi_blob *b, const char *sig,
				uint8_t revision)
{
	assert_false(b->failed);
	assert_true(b->len >= 36);
	assert_memory_equal(b->data, sig, 4);
	assert_int_equal(rd32(b, 4), b->len);
	assert_int_equal(rd8(b, 8), revision);
	assert_int_equal(ssi_acpi_sum(b->data, b->len), 0);
	assert_memory_equal(b->data + 10, "SSIHV ", 6);
}

static inline struct ssi_topo *parse_ok(const char *text)
{
	char err[512] = "";
	struct ssi_topo *t = ssi_topo_parse_string(text, "test", err,
						   sizeof(err));

	if (!t)
		fail_msg("unexpected parse error: %s", err);
	return t;
}

/*
 * An INI text for N nodes of C vCPUs and M MiB each, with distances
 * 10 + 10 * |i - j| (a line) and latencies that depend on i and j, so that
 * a swapped row or column shows.  Long rows use continuation lines.
 */
static inline char *make_topology(unsigned int nodes, unsigned int cpus,
				  unsigned int mib)
{
	size_t cap = 64 + nodes * (64 + 5 * 20 * nodes);
	char *s = malloc(cap), *p = s;
	static const char *const mats[] = { "distance", "read_latency", "write_latency",
			       "read_bandwidth", "write_bandwidth" };
	unsigned int m, i, j;

	p += sprintf(p, "[topology]\nnodes = %u\ncpus_per_node = %u\n"
		     "memory_per_node = %uM\n", nodes, cpus, mib);
	for (m = 0; m < 5; m++) {
		p += sprintf(p, "[%s]\n", mats[m]);
		for (i = 0; i < nodes; i++) {
			p += sprintf(p, "%u =", i);
			for (j = 0; j < nodes; j++) {
				unsigned int d = i > j ? i - j : j - i;
				unsigned int v = m == 0 ? 10 + 10 * (d ? 1 : 0) + d :
						 100 * m + 7 * i + 3 * j + 1;

				if (j && j % 16 == 0)
					p += sprintf(p, "\n  ");
				p += sprintf(p, " %u", v);
			}
			p += sprintf(p, "\n");
		}
	}
	return s;
}

#endif /* ACPI_TEST_UTIL_H */
