// SPDX-License-Identifier: GPL-2.0
/*
 * ssihv_fault_bench: what a page fault through /dev/ssihv costs, against
 * anonymous memory measured in the same run on the same machine.
 *
 * Peers.  /dev/ssihv is a shared mapping whose pages come from a
 * ->fault handler, are zeroed on first touch and stay valid after they
 * are unmapped.  Its fair peer is MAP_SHARED|MAP_ANONYMOUS (shmem): also
 * a shared mapping served by a ->fault handler that allocates a zeroed
 * page on first touch and keeps it in its page cache when the PTE goes,
 * so the ratio ssihv/shared measures our handler and directory against
 * the kernel's own equivalent.  MAP_PRIVATE|MAP_ANONYMOUS is the kernel's
 * cheapest path (no file, no page cache: do_anonymous_page()) and is
 * shown as the lower bound.  Both anonymous regions get MADV_NOHUGEPAGE:
 * the device serves 4 KiB pages, and the quantity compared is the cost of
 * one 4 KiB fault, not how many faults a huge page saves.
 *
 * Re-fault.  For /dev/ssihv it is a fault after REVOKE_PAGE (the page is
 * unmapped everywhere, its local copy stays: a "map" fault).  The honest
 * anonymous equivalent is MADV_DONTNEED on the *shared* anonymous mapping:
 * it zaps the PTEs (and KVM's mappings through the MMU notifier) while
 * shmem keeps the pages, so the next access maps an existing page, just
 * like after a revoke.  MADV_DONTNEED on private anonymous memory frees
 * the pages, so touching them again is a first touch, not a re-fault:
 * there is no private-anonymous re-fault, and the table says n/a.
 *
 * Each measurement touches one byte per 4 KiB page of a 64 SZ_1M region
 * (16384 faults), in this process ("host") and from a KVM guest through
 * a memslot backed by the region ("kvm"; the guest of kvm_util.h stores
 * or loads one qword per page).  Backends alternate inside every
 * repetition, and the medians of all repetitions are reported, in ns per
 * page, with ratios.  The /dev/ssihv fault counters are checked after
 * every pass, so a pass that did not fault as intended is an error.
 */
#include <errno.h>
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

#include "bench_harness.h"
#include "../../selftests/ssihv_util.h"
#include "../../selftests/kvm_ssihv_nl.h"
#include "../../selftests/kvm_util.h"

#define REGION_SIZE	0x4000000ULL
#define REGION_PAGES	(REGION_SIZE / PAGE_SZ)
#define MAX_REPS	31

enum backend { B_SSIHV, B_SHARED, B_PRIVATE, NR_BACKENDS };

static const char *const backend_names[NR_BACKENDS] = {
	"ssihv", "anon-shared", "anon-private",
};

enum measure {
	M_HOST_FIRST_WRITE,
	M_HOST_REFAULT_READ,
	M_HOST_REFAULT_WRITE,
	M_HOST_REFAULT_READ_1,
	M_KVM_FIRST_WRITE,
	M_KVM_REFAULT_READ,
	M_KVM_REFAULT_READ_1,
	NR_MEASURES,
};

static const char *const measure_names[NR_MEASURES] = {
	"host first touch (write)",
	"host re-fault (read)",
	"host re-fault (write)",
	"host re-fault (read) [1]",
	"kvm first touch (write)",
	"kvm re-fault (read)",
	"kvm re-fault (read) [1]",
};

static double samples[NR_MEASURES][NR_BACKENDS][MAX_REPS];
static unsigned int nr_samples[NR_MEASURES][NR_BACKENDS];
/* ssihv's own fault service times (GET_STATS histogram) per measure. */
static __u64 kernel_hist[NR_MEASURES][SSIHV_HIST_BUCKETS];

static struct genl_conn conn;
static unsigned int vm_serial;

struct region {
	enum backend backend;
	__u8 *mem;
	__u64 vm_id;
	int fd;
};

/*
 * Fault-around: a read fault on a mapping with ->map_pages (shmem has it,
 * /dev/ssihv does not) also maps the neighbouring pages already in the
 * page cache, 64 KiB by default, so one fault serves 16 reads.  The
 * "[1]" row sets debugfs's fault_around_bytes to one page to compare
 * single faults; the plain rows keep the default every user gets.
 */
#define FAULT_AROUND_PATH	"/sys/kernel/debug/fault_around_bytes"

static unsigned long fault_around_default;

static bool fault_around_set(unsigned long bytes)
{
	FILE *f = fopen(FAULT_AROUND_PATH, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%lu\n", bytes) > 0;
	return !fclose(f) && ok;
}

static void fault_around_init(void)
{
	FILE *f;

	if (access(FAULT_AROUND_PATH, F_OK) &&
	    system("mount -t debugfs none /sys/kernel/debug 2>/dev/null"))
		return;
	f = fopen(FAULT_AROUND_PATH, "r");
	if (!f)
		return;
	if (fscanf(f, "%lu", &fault_around_default) != 1)
		fault_around_default = 0;
	fclose(f);
	if (fault_around_default)
		fprintf(stderr, "# fault_around_bytes: %lu\n",
			fault_around_default);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void region_create(struct region *r, enum backend b)
{
	void *map;

	memset(r, 0, sizeof(*r));
	r->backend = b;
	r->fd = -1;
	switch (b) {
	case B_SSIHV:
		r->vm_id = test_vm_id(++vm_serial);
		r->fd = ssihv_create_mapped(r->vm_id, REGION_SIZE, 0, &map);
		break;
	case B_SHARED:
	case B_PRIVATE:
		map = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE,
			   MAP_ANONYMOUS |
			   (b == B_SHARED ? MAP_SHARED : MAP_PRIVATE), -1, 0);
		if (map == MAP_FAILED)
			FAIL("mmap: %s", strerror(errno));
		if (madvise(map, REGION_SIZE, MADV_NOHUGEPAGE))
			FAIL("MADV_NOHUGEPAGE: %s", strerror(errno));
		break;
	default:
		FAIL("bad backend %d", b);
	}
	r->mem = map;
}

static void region_destroy(struct region *r)
{
	munmap(r->mem, REGION_SIZE);
	if (r->fd >= 0)
		close(r->fd);
}

/* Unmap every page but keep its contents; false if there is no such. */
static bool region_unmap_keep(struct region *r)
{
	__u64 revoked;

	switch (r->backend) {
	case B_SSIHV:
		ASSERT_EQ(ssihv_revoke(&conn, r->vm_id, 0,
				       REGION_SIZE - PAGE_SZ, false, &revoked),
			  0);
		ASSERT_EQ(revoked, REGION_PAGES);
		return true;
	case B_SHARED:
		if (madvise(r->mem, REGION_SIZE, MADV_DONTNEED))
			FAIL("MADV_DONTNEED: %s", strerror(errno));
		return true;
	default:
		return false;
	}
}

/*
 * ssihv: the fault counters must have moved by exactly what we meant;
 * the histogram's growth is filed under measure m.
 */
static void check_faults(struct region *r, struct ssihv_stats *last,
			 __u64 first, __u64 map, enum measure m)
{
	struct ssihv_stats st;
	unsigned int i;

	if (r->backend != B_SSIHV)
		return;
	ASSERT_EQ(ssihv_get_stats(&conn, r->vm_id, &st), 0);
	if (st.faults[ST_FIRST] - last->faults[ST_FIRST] != first ||
	    st.faults[ST_MAP] - last->faults[ST_MAP] != map)
		FAIL("ssihv faults moved by first %llu map %llu, expected %llu and %llu",
		     (unsigned long long)(st.faults[ST_FIRST] -
					  last->faults[ST_FIRST]),
		     (unsigned long long)(st.faults[ST_MAP] -
					  last->faults[ST_MAP]),
		     (unsigned long long)first, (unsigned long long)map);
	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		kernel_hist[m][i] += st.hist[i] - last->hist[i];
	*last = st;
}

static double touch_pages(__u8 *mem, bool write)
{
	__u64 start, i, sum = 0;

	start = now_ns();
	for (i = 0; i < REGION_PAGES; i++) {
		__u8 *p = mem + i * PAGE_SZ;

		if (write)
			__atomic_store_n(p, (__u8)i, __ATOMIC_RELAXED);
		else
			sum += __atomic_load_n(p, __ATOMIC_RELAXED);
	}
	/* Keep the loads. */
	__asm__ __volatile__("" : : "r"(sum));
	return (double)(now_ns() - start) / REGION_PAGES;
}

static void record(enum measure m, enum backend b, double ns)
{
	samples[m][b][nr_samples[m][b]++] = ns;
}

static void host_round(enum backend b)
{
	struct ssihv_stats last = { 0 };
	struct region r;

	region_create(&r, b);
	record(M_HOST_FIRST_WRITE, b, touch_pages(r.mem, true));
	check_faults(&r, &last, REGION_PAGES, 0, M_HOST_FIRST_WRITE);
	if (region_unmap_keep(&r)) {
		record(M_HOST_REFAULT_READ, b, touch_pages(r.mem, false));
		check_faults(&r, &last, 0, REGION_PAGES, M_HOST_REFAULT_READ);
		ASSERT_TRUE(region_unmap_keep(&r));
		record(M_HOST_REFAULT_WRITE, b, touch_pages(r.mem, true));
		check_faults(&r, &last, 0, REGION_PAGES,
			     M_HOST_REFAULT_WRITE);
		if (fault_around_default && fault_around_set(PAGE_SZ)) {
			ASSERT_TRUE(region_unmap_keep(&r));
			record(M_HOST_REFAULT_READ_1, b,
			       touch_pages(r.mem, false));
			check_faults(&r, &last, 0, REGION_PAGES,
				     M_HOST_REFAULT_READ_1);
			fault_around_set(fault_around_default);
		}
	}
	region_destroy(&r);
}

static double kvm_pass(struct kvm_vm *vm, __u64 flags)
{
	__u64 start = now_ns();

	if (kvm_pattern_run(vm, flags, 0, 0, REGION_SIZE, PAGE_SZ, NULL))
		FAIL("the guest read back wrong data");
	return (double)(now_ns() - start) / REGION_PAGES;
}

static void kvm_round(enum backend b)
{
	struct ssihv_stats last = { 0 };
	struct kvm_vm vm;
	struct region r;

	region_create(&r, b);
	kvm_pattern_vm_create(&vm, r.mem, REGION_SIZE);
	record(M_KVM_FIRST_WRITE, b, kvm_pass(&vm, KVM_PATTERN_WRITE));
	check_faults(&r, &last, REGION_PAGES, 0, M_KVM_FIRST_WRITE);
	if (region_unmap_keep(&r)) {
		record(M_KVM_REFAULT_READ, b,
		       kvm_pass(&vm, KVM_PATTERN_VERIFY));
		check_faults(&r, &last, 0, REGION_PAGES, M_KVM_REFAULT_READ);
		if (fault_around_default && fault_around_set(PAGE_SZ)) {
			ASSERT_TRUE(region_unmap_keep(&r));
			record(M_KVM_REFAULT_READ_1, b,
			       kvm_pass(&vm, KVM_PATTERN_VERIFY));
			check_faults(&r, &last, 0, REGION_PAGES,
				     M_KVM_REFAULT_READ_1);
			fault_around_set(fault_around_default);
		}
	}
	kvm_vm_destroy(&vm);
	region_destroy(&r);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(enum measure m, enum backend b)
{
	unsigned int n = nr_samples[m][b];
	double *s = samples[m][b];

	if (!n)
		return 0;
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The bucket holding the median fault: [2^i, 2^(i+1)) ns. */
static int hist_median_bucket(const __u64 *hist)
{
	__u64 total = 0, seen = 0;
	int i;

	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		total += hist[i];
	for (i = 0; i < SSIHV_HIST_BUCKETS && total; i++) {
		seen += hist[i];
		if (seen * 2 >= total)
			return i;
	}
	return -1;
}

/* What one clock read costs here (the module times every fault). */
static double clock_read_ns(void)
{
	const unsigned int n = 20000;
	struct timespec ts;
	__u64 start;
	unsigned int i;

	start = now_ns();
	for (i = 0; i < n; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(now_ns() - start) / n;
}

static void print_cell(double v)
{
	if (v > 0)
		printf(" %12.0f", v);
	else
		printf(" %12s", "n/a");
}

static void print_ratio(double a, double b)
{
	if (a > 0 && b > 0)
		printf(" %13.2fx", a / b);
	else
		printf(" %14s", "n/a");
}

int main(int argc, char **argv)
{
	unsigned int reps = 7, i, m;
	bool kvm = kvm_available();
	char clocksource[64] = "?";
	enum backend b;
	double clock_ns;
	FILE *f;

	if (argc > 1)
		reps = atoi(argv[1]);
	if (reps < 1 || reps > MAX_REPS)
		FAIL("repetitions: 1..%d", MAX_REPS);
	ensure_module();
	ssihv_conn_open(&conn);
	fault_around_init();
	f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  "r");
	if (f) {
		if (fscanf(f, "%63s", clocksource) != 1)
			strcpy(clocksource, "?");
		fclose(f);
	}
	clock_ns = clock_read_ns();

	fprintf(stderr, "# %u repetitions, KVM %s\n", reps,
		kvm ? "available" : "not available");
	for (i = 0; i < reps; i++) {
		for (b = 0; b < NR_BACKENDS; b++)
			host_round((b + i) % NR_BACKENDS);
		for (b = 0; kvm && b < NR_BACKENDS; b++)
			kvm_round((b + i) % NR_BACKENDS);
		fprintf(stderr, "# repetition %u done\n", i + 1);
	}

	printf("bench: page faults on %llu MiB (%llu pages), median of %u runs\n",
	       (unsigned long long)(REGION_SIZE >> 20),
	       (unsigned long long)REGION_PAGES, reps);
	printf("bench: %-26s %12s %12s %12s %14s %14s  %s\n", "what",
	       backend_names[B_SSIHV], backend_names[B_SHARED],
	       backend_names[B_PRIVATE], "ssihv/shared", "ssihv/private",
	       "ssihv handler [2]");
	for (m = 0; m < NR_MEASURES; m++) {
		double v[NR_BACKENDS];
		int bucket;

		for (b = 0; b < NR_BACKENDS; b++)
			v[b] = median(m, b);
		printf("bench: %-26s", measure_names[m]);
		for (b = 0; b < NR_BACKENDS; b++)
			print_cell(v[b]);
		print_ratio(v[B_SSIHV], v[B_SHARED]);
		print_ratio(v[B_SSIHV], v[B_PRIVATE]);
		bucket = hist_median_bucket(kernel_hist[m]);
		if (bucket >= 0)
			printf("  %llu-%llu", 1ULL << bucket,
			       (2ULL << bucket) - 1);
		printf("\n");
	}
	printf("bench: ns per 4 KiB page; goal: ssihv/anon-shared <= 1.30x\n");
	printf("bench: anon-private is the kernel's cheapest path, shown for reference\n");
	printf("bench: [1] fault_around_bytes = 4096 (default %lu): one fault per page\n",
	       fault_around_default);
	printf("bench: [2] median in-kernel service time of ssihv's faults (ns, log2 bucket)\n");
	printf("bench: clocksource %s: one clock_gettime() costs %.0f ns here\n",
	       clocksource, clock_ns);
	genl_conn_close(&conn);
	return 0;
}
