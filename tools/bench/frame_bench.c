// SPDX-License-Identifier: GPL-2.0
/*
 * ssihv_frame_bench: guest frames homed on another node, in the two-VM
 * test bed (tools/bench/frames runs it, with ib_read_lat between the same
 * two VMs in the same run as the peer).
 *
 *   ssihv_frame_bench hold VMID PAGES       (node 1) attach VMID to
 *       VMID + 2, each with range A (PAGES pages at 0, homed on node 0)
 *       and range B (PAGES pages at 1 GiB, homed on node 1), write a
 *       word into every page of B of VMID, and wait to be killed: node 1
 *       is the home of B, as "ssi-vmm --memory-only" would be.
 *   ssihv_frame_bench run VMID PAGES PASSES  (node 0) prints RESULT lines:
 *
 *   data    remote fault service time: the first read of each page of B
 *           of VMID (written by node 1, so its data comes over), timed
 *           around the access (us: median, p99, p99.9), and the module's
 *           fault histogram of that VM, where every fault is one of these
 *           (median and p99 estimated from its log2 buckets).
 *   zero    the same on VMID + 1, whose frames nobody touched: the home
 *           answers without data (the faulting node's new page is zeroed
 *           already).
 *   remote  a locality-friendly workload on VMID + 2: PASSES passes over
 *           A and B, reading then writing one word of every page.  Node
 *           0 is the only user, so once its first pass has taken the
 *           frames of B (placement "migrate" on node 1: a read miss takes
 *           the only copy) every access is local.  Prints the first
 *           pass's ms, the other passes' ms, remote faults in the first
 *           pass and in the others, and the page accesses of the others.
 *   local   the same workload on VMID + 3, both ranges homed here: the
 *           all-local peer (first pass ms, other passes ms).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_harness.h"
#include "../../selftests/vm_nl_util.h"

#define B_GPA		(1ULL << 30)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int attach(uint64_t id, uint64_t pages, uint32_t b_home)
{
	struct ssihv_mem_range r[2] = {
		vm_range(0, pages * VM_PAGE, 0, SSIHV_NUMA_ANY),
		vm_range(B_GPA, pages * VM_PAGE, b_home, SSIHV_NUMA_ANY),
	};

	return vm_create(id, r, 2);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *sorted, uint64_t n, double q)
{
	uint64_t i = (uint64_t)(q * (double)n);

	return (double)sorted[i < n ? i : n - 1] / 1000.0;
}

/* Quantile @q of the module's histogram, in us, linear in its bucket. */
static double hist_quantile_us(const struct vm_stats *s, double q)
{
	double target = q * (double)hist_total(s), cum = 0, lo, hi;
	unsigned int i;

	for (i = 0; i < SSIHV_HIST_BUCKETS; i++) {
		if (!s->hist[i])
			continue;
		if (cum + (double)s->hist[i] >= target) {
			lo = i ? (double)(1ULL << i) : 0;
			hi = 2.0 * (double)(1ULL << i);
			return (lo + (target - cum) / (double)s->hist[i] *
				(hi - lo)) / 1000.0;
		}
		cum += (double)s->hist[i];
	}
	return 0;
}

/* What the home writes into page @i of B, and the reader checks. */
static uint64_t page_word(uint64_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

static void bench_fault(struct genl_conn *conn, const char *name, uint64_t id,
			uint64_t pages, bool data)
{
	uint64_t *lat = calloc(pages, sizeof(*lat));
	int fd = attach(id, pages, 1);
	uint8_t *b = vm_map(fd, B_GPA, pages * VM_PAGE);
	struct vm_stats st;
	uint64_t w;
	uint64_t i, t0;

	ASSERT_TRUE(lat);
	for (i = 0; i < pages; i++) {
		t0 = now_ns();
		w = __atomic_load_n((uint64_t *)(b + i * VM_PAGE),
				    __ATOMIC_RELAXED);
		lat[i] = now_ns() - t0;
		if (w != (data ? page_word(i) : 0))
			FAIL("%s: page %llu holds %#llx", name,
			     (unsigned long long)i, (unsigned long long)w);
	}
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(stats_get(conn, id, &st), 0);
	ASSERT_EQ(st.remote, pages);
	ASSERT_EQ(hist_total(&st), pages);
	qsort(lat, pages, sizeof(*lat), cmp_u64);
	printf("RESULT %s %.1f %.1f %.1f %.1f %.1f\n", name, pct(lat, pages, 0.5),
	       pct(lat, pages, 0.99), pct(lat, pages, 0.999),
	       hist_quantile_us(&st, 0.5), hist_quantile_us(&st, 0.99));
	munmap(b, pages * VM_PAGE);
	close(fd);
	free(lat);
}

/* One pass: read then write one word of every page of both ranges. */
static void pass(uint8_t *a, uint8_t *b, uint64_t pages, uint64_t round)
{
	uint64_t i;

	for (i = 0; i < pages; i++) {
		uint64_t *wa = (uint64_t *)(a + i * VM_PAGE);
		uint64_t *wb = (uint64_t *)(b + i * VM_PAGE);
		uint64_t want = round ? round - 1 + i : 0;

		/* Atomics: every access really reaches the page. */
		if (__atomic_load_n(wa, __ATOMIC_RELAXED) != want ||
		    __atomic_load_n(wb, __ATOMIC_RELAXED) != want)
			FAIL("page %llu: lost a write", (unsigned long long)i);
		__atomic_store_n(wa, round + i, __ATOMIC_RELAXED);
		__atomic_store_n(wb, round + i, __ATOMIC_RELAXED);
	}
}

static void bench_workload(struct genl_conn *conn, const char *name,
			   uint64_t id, uint64_t pages, uint32_t b_home,
			   uint64_t passes)
{
	int fd = attach(id, pages, b_home);
	uint8_t *a = vm_map(fd, 0, pages * VM_PAGE);
	uint8_t *b = vm_map(fd, B_GPA, pages * VM_PAGE);
	struct vm_stats warm, end;
	uint64_t t0, t1, t2, r;

	t0 = now_ns();
	pass(a, b, pages, 0);
	t1 = now_ns();
	memset(&warm, 0, sizeof(warm));
	ASSERT_EQ(stats_get(conn, id, &warm), 0);
	for (r = 1; r < passes; r++)
		pass(a, b, pages, r);
	t2 = now_ns();
	memset(&end, 0, sizeof(end));
	ASSERT_EQ(stats_get(conn, id, &end), 0);
	printf("RESULT %s %.1f %.1f %llu %llu %llu\n", name,
	       (double)(t1 - t0) / 1e6, (double)(t2 - t1) / 1e6,
	       (unsigned long long)warm.remote,
	       (unsigned long long)(end.remote - warm.remote),
	       (unsigned long long)((passes - 1) * pages * 2 * 2));
	munmap(a, pages * VM_PAGE);
	munmap(b, pages * VM_PAGE);
	close(fd);
}

static uint64_t arg_u64(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (!*s || *end)
		FAIL("not a number: '%s'", s);
	return v;
}

int main(int argc, char **argv)
{
	struct genl_conn conn;
	uint64_t id, pages, i;
	int fd[3];
	uint8_t *b;

	if (argc < 4 || (strcmp(argv[1], "hold") && strcmp(argv[1], "run")) ||
	    (!strcmp(argv[1], "run") && argc != 5)) {
		fprintf(stderr, "usage: ssihv_frame_bench hold VMID PAGES\n"
				"       ssihv_frame_bench run VMID PAGES PASSES\n");
		return 2;
	}
	id = arg_u64(argv[2]);
	pages = arg_u64(argv[3]);
	if (!pages || pages > (B_GPA / VM_PAGE))
		FAIL("PAGES must be 1-%llu", B_GPA / VM_PAGE);
	if (!strcmp(argv[1], "hold")) {
		for (i = 0; i < 3; i++)
			fd[i] = attach(id + i, pages, 1);
		b = vm_map(fd[0], B_GPA, pages * VM_PAGE);
		for (i = 0; i < pages; i++)
			__atomic_store_n((uint64_t *)(b + i * VM_PAGE),
					 page_word(i), __ATOMIC_RELAXED);
		printf("holding VMs %#llx-%#llx\n", (unsigned long long)id,
		       (unsigned long long)id + 2);
		fflush(stdout);
		for (;;)
			pause();
		return 0;
	}
	ssihv_conn_open(&conn);
	bench_fault(&conn, "data", id, pages, true);
	bench_fault(&conn, "zero", id + 1, pages, false);
	bench_workload(&conn, "remote", id + 2, pages, 1, arg_u64(argv[4]));
	bench_workload(&conn, "local", id + 3, pages, 0, arg_u64(argv[4]));
	genl_conn_close(&conn);
	return 0;
}
