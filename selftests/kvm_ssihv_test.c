// SPDX-License-Identifier: GPL-2.0
/*
 * KVM guests running on /dev/ssihv memory.
 *
 * Each test attaches a fresh /dev/ssihv fd to a new VM instance with one
 * 64 SZ_1M range at guest-physical 0, maps it MAP_SHARED at offset 0 and
 * hands that mapping to KVM as memslot 0.  The guest's code, GDT and page
 * tables live in a separate 2 SZ_1M anonymous memslot at 64 SZ_1M (see
 * kvm_util.h), so instruction fetches and page walks never touch the
 * memory under test: every fault the module counts is a data access the
 * guest was told to make, and the expected counter values are exact.
 *
 * The guest (a 64-bit long-mode blob, kvm_util.h) stores "address ^ seed"
 * into qwords of a span and/or verifies them, and reports on an I/O port.
 * The host then checks the data through its own mapping (the same VMA
 * KVM resolved, so already-mapped pages cost no fault) and the module's
 * counters through GET_STATS, GET_VM and GET_PAGE.
 */
#include <pthread.h>

#include "harness.h"
#include "ssihv_util.h"
#include "kvm_ssihv_nl.h"
#include "kvm_util.h"

#define MEM_SIZE	0x4000000ULL
#define MEM_PAGES	(MEM_SIZE / PAGE_SZ)
#define SZ_1M		0x100000ULL

/* One guest on one /dev/ssihv instance. */
struct fixture {
	struct genl_conn conn;
	struct kvm_vm kvm;
	__u64 vm_id;
	__u64 *mem;
	int fd;
};

static void fixture_setup_limit(struct fixture *f, unsigned int salt,
				__u64 mem_limit)
{
	struct ssihv_stats st;

	if (!kvm_available())
		SKIP("/dev/kvm is not usable: %s", strerror(errno));
	ensure_module();
	ssihv_conn_open(&f->conn);
	f->vm_id = test_vm_id(salt);
	f->fd = ssihv_create_mapped(f->vm_id, MEM_SIZE, mem_limit,
				    (void **)&f->mem);

	/* A new instance starts with every counter at zero. */
	ASSERT_EQ(ssihv_get_stats(&f->conn, f->vm_id, &st), 0);
	ASSERT_EQ(st.faults[ST_FIRST] + st.faults[ST_MAP] +
		  st.faults[ST_UPGRADE] + st.faults[ST_REMOTE] +
		  st.faults[ST_REFUSED], 0);
	ASSERT_EQ(st.resident, 0);

	kvm_pattern_vm_create(&f->kvm, f->mem, MEM_SIZE);
}

static void fixture_setup(struct fixture *f, unsigned int salt)
{
	fixture_setup_limit(f, salt, 0);
}

/* Tear down and prove the instance went with its last user. */
static void fixture_teardown(struct fixture *f)
{
	struct ssihv_vm_info info;

	kvm_vm_destroy(&f->kvm);
	ASSERT_EQ(munmap(f->mem, MEM_SIZE), 0);
	ASSERT_EQ(close(f->fd), 0);
	ASSERT_EQ(ssihv_get_vm(&f->conn, f->vm_id, &info), -ENOENT);
	genl_conn_close(&f->conn);
}

/* Run the pattern guest; fail the test with its report on a mismatch. */
static void run_guest(struct fixture *f, __u64 flags, __u64 seed,
		      __u64 start, __u64 end, __u64 stride)
{
	struct kvm_regs regs;
	__u32 status;

	status = kvm_pattern_run(&f->kvm, flags, seed, start, end, stride,
				 &regs);
	if (status)
		FAIL("guest found 0x%llx at gpa 0x%llx, expected 0x%llx",
		     (unsigned long long)regs.r10,
		     (unsigned long long)regs.rbx,
		     (unsigned long long)(regs.rbx ^ seed));
}

/* Check the first qword of every page of [start, end) (stride guests). */
static void host_verify_stride(struct fixture *f, __u64 seed, __u64 start,
			       __u64 end)
{
	__u64 gpa;

	for (gpa = start; gpa < end; gpa += PAGE_SZ)
		ASSERT_EQ(f->mem[gpa / 8], gpa ^ seed);
}

/* Check qwords of [start, end) through the host mapping. */
static void host_verify(struct fixture *f, __u64 seed, __u64 start,
			__u64 end)
{
	__u64 gpa;

	for (gpa = start; gpa < end; gpa += 8) {
		__u64 got = f->mem[gpa / 8];

		if (got != (gpa ^ seed))
			FAIL("host read 0x%llx at gpa 0x%llx, expected 0x%llx",
			     (unsigned long long)got, (unsigned long long)gpa,
			     (unsigned long long)(gpa ^ seed));
	}
}

static __u64 fault_sum(const struct ssihv_stats *st)
{
	return st->faults[ST_FIRST] + st->faults[ST_MAP] +
	       st->faults[ST_UPGRADE] + st->faults[ST_REFUSED];
}

static void stats(struct fixture *f, const char *what, struct ssihv_stats *st)
{
	ASSERT_EQ(ssihv_get_stats(&f->conn, f->vm_id, st), 0);
	ssihv_log_stats(what, st);
	/*
	 * Every fault the handlers serve or refuse is timed once (a remote
	 * fault is refused for now and timed as such).
	 */
	ASSERT_EQ(st->hist_total, fault_sum(st));
}

static void revoke_span(struct fixture *f, __u64 gpa, __u64 size,
			bool shared, __u64 expect_revoked)
{
	__u64 revoked;

	ASSERT_EQ(ssihv_revoke(&f->conn, f->vm_id, gpa, gpa + size - PAGE_SZ,
			       shared, &revoked), 0);
	ASSERT_EQ(revoked, expect_revoked);
}

/*
 * The guest fills all 64 SZ_1M and reads it back: exactly one first-touch
 * fault per page, every page resident, and the host sees the data.
 */
TEST_TIMEOUT(guest_fills_memory_one_fault_per_page, 600)
{
	const __u64 seed = 0x9e3779b97f4a7c15ULL;
	struct ssihv_stats st, after;
	struct ssihv_vm_info info;
	struct fixture f;

	fixture_setup(&f, 1);
	run_guest(&f, KVM_PATTERN_WRITE | KVM_PATTERN_VERIFY, seed, 0,
		  MEM_SIZE, 8);

	stats(&f, "after the guest's fill", &st);
	ASSERT_EQ(st.faults[ST_FIRST], MEM_PAGES);
	ASSERT_EQ(st.faults[ST_MAP], 0);
	ASSERT_EQ(st.faults[ST_UPGRADE], 0);
	ASSERT_EQ(st.faults[ST_REMOTE], 0);
	ASSERT_EQ(st.faults[ST_REFUSED], 0);
	ASSERT_EQ(st.revoked, 0);
	ASSERT_EQ(st.resident, MEM_PAGES);
	ASSERT_GE(st.nr_nodes, 1);
	ASSERT_EQ(ssihv_get_vm(&f.conn, f.vm_id, &info), 0);
	ASSERT_EQ(info.resident, MEM_PAGES);
	ASSERT_FALSE(info.dead);

	/* KVM faulted the pages into this process: reading costs nothing. */
	host_verify(&f, seed, 0, MEM_SIZE);
	stats(&f, "after the host's check", &after);
	ASSERT_EQ(fault_sum(&after), fault_sum(&st));

	/* And the guest sees what the host writes through its mapping. */
	f.mem[(5 * SZ_1M) / 8] = 0x1234;
	ASSERT_EQ(kvm_pattern_run(&f.kvm, KVM_PATTERN_VERIFY, seed, 0,
				  MEM_SIZE, 8, NULL), 1);
	f.mem[(5 * SZ_1M) / 8] = (5 * SZ_1M) ^ seed;
	run_guest(&f, KVM_PATTERN_VERIFY, seed, 0, MEM_SIZE, 8);

	fixture_teardown(&f);
}

/*
 * Revoked pages (unmapped from every mapping, KVM's included through its
 * MMU notifier) fault again on the guest's next access, as map faults:
 * exactly one per revoked page the guest touches, none for the others,
 * and the data survives.
 */
TEST_TIMEOUT(revoke_refaults_exactly_revoked_pages, 600)
{
	const __u64 seed = 0x0123456789abcdefULL;
	struct ssihv_stats before, st;
	struct fixture f;
	__u64 revoked;

	fixture_setup(&f, 2);
	run_guest(&f, KVM_PATTERN_WRITE | KVM_PATTERN_VERIFY, seed, 0,
		  MEM_SIZE, 8);
	stats(&f, "filled", &before);
	ASSERT_EQ(before.faults[ST_FIRST], MEM_PAGES);

	/* 16 SZ_1M as one span, plus three single pages. */
	revoke_span(&f, 8 * SZ_1M, 16 * SZ_1M, false, (16 * SZ_1M) / PAGE_SZ);
	revoke_span(&f, 100 * PAGE_SZ, PAGE_SZ, false, 1);
	revoke_span(&f, 30 * SZ_1M + 7 * PAGE_SZ, PAGE_SZ, false, 1);
	revoke_span(&f, MEM_SIZE - PAGE_SZ, PAGE_SZ, false, 1);
	revoked = (16 * SZ_1M) / PAGE_SZ + 3;

	stats(&f, "revoked", &st);
	ASSERT_EQ(st.revoked - before.revoked, revoked);
	ASSERT_EQ(fault_sum(&st), fault_sum(&before));
	/* Revoking unmaps; the local copies stay resident. */
	ASSERT_EQ(st.resident, MEM_PAGES);

	/* Verify-only pass over everything: reads of every page. */
	run_guest(&f, KVM_PATTERN_VERIFY, seed, 0, MEM_SIZE, 8);
	stats(&f, "guest re-read everything", &st);
	ASSERT_EQ(st.faults[ST_MAP] - before.faults[ST_MAP], revoked);
	ASSERT_EQ(st.faults[ST_FIRST], MEM_PAGES);
	ASSERT_EQ(st.faults[ST_UPGRADE], 0);
	ASSERT_EQ(st.faults[ST_REFUSED], 0);
	ASSERT_EQ(st.resident, MEM_PAGES);

	/*
	 * Revoke 4 SZ_1M (1024 pages) and let the guest read back only its
	 * first half: 512 more map faults, not 1024.
	 */
	before = st;
	revoke_span(&f, 0, 4 * SZ_1M, false, (4 * SZ_1M) / PAGE_SZ);
	run_guest(&f, KVM_PATTERN_VERIFY, seed, 0, 2 * SZ_1M, 8);
	stats(&f, "guest re-read half of a revoked span", &st);
	ASSERT_EQ(st.faults[ST_MAP] - before.faults[ST_MAP],
		  (2 * SZ_1M) / PAGE_SZ);
	ASSERT_EQ(st.faults[ST_FIRST], MEM_PAGES);

	/* The host's reads of the other half fault them in for itself. */
	host_verify(&f, seed, 0, MEM_SIZE);
	before = st;
	stats(&f, "host read everything", &st);
	ASSERT_EQ(st.faults[ST_MAP] - before.faults[ST_MAP],
		  (2 * SZ_1M) / PAGE_SZ);

	fixture_teardown(&f);
}

/*
 * A page revoked SHARED stays valid but read-only: the guest's write goes
 * through page_mkwrite, which upgrades it back to EXCLUSIVE and counts
 * one upgrade per page.
 */
TEST_TIMEOUT(guest_write_upgrades_shared_pages, 600)
{
	const __u64 seed1 = 0x1111222233334444ULL;
	const __u64 seed2 = 0xaaaabbbbccccddddULL;
	const __u64 span = 16 * SZ_1M, size = SZ_1M;
	const __u64 pages = size / PAGE_SZ;
	struct ssihv_stats before, st;
	struct fixture f;
	__u64 gpa, map_delta;

	fixture_setup(&f, 3);
	run_guest(&f, KVM_PATTERN_WRITE, seed1, 0, MEM_SIZE, 8);
	stats(&f, "filled", &before);
	ASSERT_EQ(before.faults[ST_FIRST], MEM_PAGES);

	revoke_span(&f, span, size, true, pages);
	for (gpa = span; gpa < span + size; gpa += 64 * PAGE_SZ)
		ASSERT_EQ(ssihv_page_state(&f.conn, f.vm_id, gpa),
			  SSIHV_PAGE_SHARED);
	ASSERT_EQ(ssihv_page_state(&f.conn, f.vm_id, span + size - PAGE_SZ),
		  SSIHV_PAGE_SHARED);
	ASSERT_EQ(ssihv_page_state(&f.conn, f.vm_id, span - PAGE_SZ),
		  SSIHV_PAGE_EXCLUSIVE);
	ASSERT_EQ(ssihv_page_state(&f.conn, f.vm_id, span + size),
		  SSIHV_PAGE_EXCLUSIVE);

	/* The guest rewrites the shared span with another seed. */
	run_guest(&f, KVM_PATTERN_WRITE, seed2, span, span + size, 8);
	stats(&f, "guest wrote the shared pages", &st);
	ASSERT_EQ(st.faults[ST_UPGRADE] - before.faults[ST_UPGRADE], pages);
	ASSERT_EQ(st.faults[ST_FIRST], MEM_PAGES);
	ASSERT_EQ(st.faults[ST_REFUSED], 0);
	/*
	 * A shared revoke that unmaps makes the write re-map the page first
	 * (one map fault each); one that write-protects in place does not.
	 */
	map_delta = st.faults[ST_MAP] - before.faults[ST_MAP];
	if (map_delta != 0 && map_delta != pages)
		FAIL("%llu map faults for %llu upgraded pages",
		     (unsigned long long)map_delta,
		     (unsigned long long)pages);
	for (gpa = span; gpa < span + size; gpa += PAGE_SZ)
		ASSERT_EQ(ssihv_page_state(&f.conn, f.vm_id, gpa),
			  SSIHV_PAGE_EXCLUSIVE);

	/* Writing again costs nothing: the pages are exclusive now. */
	before = st;
	run_guest(&f, KVM_PATTERN_WRITE, seed2, span, span + size, 8);
	stats(&f, "guest wrote them again", &st);
	ASSERT_EQ(fault_sum(&st), fault_sum(&before));

	run_guest(&f, KVM_PATTERN_VERIFY, seed1, 0, span, 8);
	run_guest(&f, KVM_PATTERN_VERIFY, seed2, span, span + size, 8);
	run_guest(&f, KVM_PATTERN_VERIFY, seed1, span + size, MEM_SIZE, 8);
	host_verify(&f, seed1, 0, span);
	host_verify(&f, seed2, span, span + size);
	host_verify(&f, seed1, span + size, MEM_SIZE);

	fixture_teardown(&f);
}

/*
 * Past the instance's memory limit the fault handler refuses the page:
 * KVM cannot map it and KVM_RUN fails with EFAULT instead of running the
 * guest on a page that does not exist; the "limit hit" event names it.
 * The pages below the limit stay usable.
 */
TEST_TIMEOUT(guest_stops_at_the_memory_limit, 600)
{
	const __u64 limit = 1024;	/* pages: 4 MiB */
	struct genl_conn events;
	struct ssihv_stats st;
	struct ssihv_event ev;
	struct fixture f;
	__u32 report;

	ssihv_events_open(&events);
	fixture_setup_limit(&f, 4, limit * PAGE_SZ);
	/* One store per page over 8 MiB: the limit is half way. */
	ASSERT_EQ(kvm_pattern_try_run(&f.kvm, KVM_PATTERN_WRITE, 0, 0,
				      2 * limit * PAGE_SZ, PAGE_SZ, &report),
		  -EFAULT);
	stats(&f, "guest ran into the limit", &st);
	ASSERT_EQ(st.faults[ST_FIRST], limit);
	ASSERT_EQ(st.resident, limit);
	ASSERT_GE(st.faults[ST_REFUSED], 1);
	ASSERT_TRUE(ssihv_event_wait(&events, SSIHV_CMD_EVENT_LIMIT_HIT,
				     f.vm_id, 2000, &ev));
	ASSERT_EQ(ev.gpa, limit * PAGE_SZ);
	ASSERT_EQ(ev.mem_limit, limit * PAGE_SZ);

	run_guest(&f, KVM_PATTERN_VERIFY, 0, 0, limit * PAGE_SZ, PAGE_SZ);
	host_verify_stride(&f, 0, 0, limit * PAGE_SZ);
	genl_conn_close(&events);
	fixture_teardown(&f);
}

/*
 * DESTROY_VM under a running guest: its memory is gone at once, so the
 * guest's next access fails KVM_RUN with EFAULT (the handler refuses
 * every fault), and no page stays resident.
 */
TEST_TIMEOUT(guest_access_after_destroy_fails, 600)
{
	struct ssihv_vm_info info;
	struct ssihv_stats st;
	struct fixture f;
	__u32 report;

	fixture_setup(&f, 5);
	run_guest(&f, KVM_PATTERN_WRITE | KVM_PATTERN_VERIFY, 7, 0,
		  8 * SZ_1M, PAGE_SZ);
	ASSERT_EQ(ssihv_destroy_vm(&f.conn, f.vm_id), 0);
	ASSERT_EQ(ssihv_get_vm(&f.conn, f.vm_id, &info), 0);
	ASSERT_TRUE(info.dead);
	ASSERT_EQ(info.resident, 0);

	/* Pages KVM had mapped and pages it never saw alike. */
	ASSERT_EQ(kvm_pattern_try_run(&f.kvm, KVM_PATTERN_VERIFY, 7, 0,
				      8 * SZ_1M, PAGE_SZ, &report), -EFAULT);
	ASSERT_EQ(kvm_pattern_try_run(&f.kvm, KVM_PATTERN_WRITE, 7,
				      32 * SZ_1M, 40 * SZ_1M, PAGE_SZ,
				      &report), -EFAULT);
	stats(&f, "guest after destroy", &st);
	ASSERT_EQ(st.resident, 0);
	ASSERT_EQ(st.faults[ST_FIRST], (8 * SZ_1M) / PAGE_SZ);
	ASSERT_GE(st.faults[ST_REFUSED], 2);
	fixture_teardown(&f);
}

struct kvm_revoker {
	__u64 vm_id;
	bool stop;		/* LOAD()/STORE() */
	__u64 calls, revoked, revoked_shared;
	int error;
};

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* Revoke random spans, alternately unmapped and SHARED, until stopped. */
static void *kvm_revoker_thread(void *arg)
{
	struct kvm_revoker *rv = arg;
	__u64 rng = 0x2545f4914f6cdd1dULL ^ getpid();
	struct genl_conn conn;
	__u64 n;

	if (ssihv_conn_try(&conn)) {
		rv->error = -ENOENT;
		return NULL;
	}
	while (!LOAD(&rv->stop)) {
		__u64 first, count;
		bool shared;
		int ret;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		first = (rng >> 20) % MEM_PAGES;
		count = 1 + (rng & 255);
		shared = rng & 256;
		if (first + count > MEM_PAGES)
			count = MEM_PAGES - first;
		ret = ssihv_revoke(&conn, rv->vm_id, first * PAGE_SZ,
				   (first + count - 1) * PAGE_SZ, shared, &n);
		if (ret) {
			rv->error = ret;
			break;
		}
		rv->calls++;
		rv->revoked += n;
		if (shared)
			rv->revoked_shared += n;
		harness_sleep_ms(2);
	}
	genl_conn_close(&conn);
	return NULL;
}

/*
 * The guest rewrites and re-reads all its memory with a new seed on
 * every pass while another thread keeps revoking random spans (KVM's MMU
 * notifier racing its own faults): the guest never reads a stale or lost
 * value, no page is faulted in twice as new, and the counters add up.
 */
TEST_TIMEOUT(guest_runs_while_pages_are_revoked, 600)
{
	const unsigned int seconds = 10;
	struct kvm_revoker rv = { 0 };
	struct ssihv_stats st;
	struct timespec t0, t;
	struct fixture f;
	unsigned int passes = 0;
	pthread_t thread;
	__u64 seed = 0;

	fixture_setup(&f, 6);
	rv.vm_id = f.vm_id;
	run_guest(&f, KVM_PATTERN_WRITE, seed, 0, MEM_SIZE, 8);
	ASSERT_EQ(pthread_create(&thread, NULL, kvm_revoker_thread, &rv), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		/* Old data first, then the next generation. */
		run_guest(&f, KVM_PATTERN_VERIFY, seed, 0, MEM_SIZE, 8);
		seed = 0x9e3779b97f4a7c15ULL * ++passes;
		run_guest(&f, KVM_PATTERN_WRITE | KVM_PATTERN_VERIFY, seed, 0,
			  MEM_SIZE, 8);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < seconds);
	STORE(&rv.stop, true);
	ASSERT_EQ(pthread_join(thread, NULL), 0);
	if (rv.error)
		FAIL("REVOKE_PAGE failed: %s", strerror(-rv.error));
	harness_log("%u guest passes, %llu revokes of %llu pages (%llu shared)",
		    passes, rv.calls, rv.revoked, rv.revoked_shared);
	ASSERT_GE(passes, 1);
	ASSERT_GE(rv.calls, 1);

	stats(&f, "after the race", &st);
	ASSERT_EQ(st.faults[ST_FIRST], MEM_PAGES);
	ASSERT_EQ(st.resident, MEM_PAGES);
	ASSERT_EQ(st.faults[ST_REFUSED], 0);
	ASSERT_EQ(st.revoked, rv.revoked);
	ASSERT_LE(st.faults[ST_UPGRADE], rv.revoked_shared);
	host_verify(&f, seed, 0, MEM_SIZE);
	fixture_teardown(&f);
}
