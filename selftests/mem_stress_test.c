// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrent faults on one /dev/ssihv mapping while pages are revoked.
 *
 * Eight threads read and write a 32 SZ_1M mapping for $SSIHV_STRESS_SECONDS
 * (default 30).  The first half of it is shared: every thread owns one
 * 512-byte slot of every page, so threads fault the same pages at the
 * same time.  The second half is split into eight chunks of whole pages,
 * one per thread.  Each thread remembers a generation number for every
 * slot it owns and fills it with a hash of (thread, page, generation,
 * word), so a lost write, a stale page, a page that was not zeroed or a
 * page that moved is caught on the next read; every 61st page is never
 * touched and must stay without a copy.  Meanwhile two threads
 * revoke random spans through netlink, one unmapping and one leaving the
 * pages SHARED (so writes take the upgrade path).
 *
 * At the end every slot is verified from one thread, the counters must
 * agree with what the threads did (first-touch faults = distinct pages
 * touched = resident pages = pages the directory holds; revoked = what
 * the revoke replies said), and once the mapping and fd are gone the
 * instance must be gone too.
 */
#include <pthread.h>

#include "harness.h"
#include "ssihv_util.h"
#include "kvm_ssihv_nl.h"

#define MEM_SIZE	0x2000000ULL
#define NR_PAGES	(MEM_SIZE / PAGE_SZ)
#define SHARED_PAGES	(NR_PAGES / 2)
#define NR_WORKERS	8
#define SLOT_WORDS	(PAGE_SZ / 8 / NR_WORKERS)
#define CHUNK_PAGES	((NR_PAGES - SHARED_PAGES) / NR_WORKERS)
#define PAGE_WORDS	(PAGE_SZ / 8)
#define MAX_SECONDS	500
/* Every 61st page is left alone: it must stay invalid (never faulted). */
#define UNTOUCHED_EVERY	61

struct worker {
	pthread_t thread;
	unsigned int id;
	__u64 rng;
	__u32 *gen;		/* per page: generation of my slot */
	__u8 *touched;	/* per page: I accessed it */
	__u64 reads, writes;
	char error[200];
};

struct revoker {
	pthread_t thread;
	bool shared;
	__u64 rng;
	__u64 calls, revoked;
	int error;
};

/* stop is shared between threads: LOAD()/STORE() it. */
static struct {
	__u64 *mem;
	__u64 vm_id;
	bool stop;
} stress;

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

static __u64 next_rand(__u64 *state)
{
	__u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* The value word k of (worker, page) holds at generation gen. */
static __u64 word_value(unsigned int worker, __u64 page, __u32 gen, __u64 k)
{
	__u64 z;

	if (!gen)
		return 0;	/* never written: a zeroed page */
	z = ((__u64)worker << 56) ^ (page << 28) ^ ((__u64)gen << 10) ^ k;
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Where worker w's words of page lie, and how many. */
static __u64 *slot_of(unsigned int w, __u64 page, __u64 *words)
{
	__u64 *base = stress.mem + page * PAGE_WORDS;

	if (page < SHARED_PAGES) {
		*words = SLOT_WORDS;
		return base + w * SLOT_WORDS;
	}
	*words = PAGE_WORDS;
	return base;
}

static bool check_slot(unsigned int w, __u64 page, __u32 gen,
		       char *error, size_t len)
{
	__u64 words, k, want, got;
	__u64 *slot = slot_of(w, page, &words);

	for (k = 0; k < words; k++) {
		got = LOAD(&slot[k]);
		want = word_value(w, page, gen, k);
		if (got != want) {
			snprintf(error, len,
				 "page %llu word %llu of worker %u: 0x%llx, expected 0x%llx (generation %u)",
				 (unsigned long long)page,
				 (unsigned long long)k, w,
				 (unsigned long long)got,
				 (unsigned long long)want, gen);
			return false;
		}
	}
	return true;
}

static void *worker_thread(void *arg)
{
	struct worker *me = arg;
	__u64 page, words, k;
	__u64 *slot;

	while (!LOAD(&stress.stop)) {
		__u64 r = next_rand(&me->rng);

		/* Three in four operations on the shared half. */
		if (r & 3)
			page = (r >> 8) % SHARED_PAGES;
		else
			page = SHARED_PAGES + me->id * CHUNK_PAGES +
			       (r >> 8) % CHUNK_PAGES;
		if (!(page % UNTOUCHED_EVERY))
			continue;
		me->touched[page] = 1;
		if (r & 4) {
			if (!check_slot(me->id, page, me->gen[page], me->error,
					sizeof(me->error)))
				return NULL;
			me->reads++;
			continue;
		}
		slot = slot_of(me->id, page, &words);
		me->gen[page]++;
		if (!me->gen[page])
			me->gen[page] = 1;
		for (k = 0; k < words; k++)
			STORE(&slot[k], word_value(me->id, page,
						   me->gen[page], k));
		me->writes++;
	}
	return NULL;
}

static void *revoker_thread(void *arg)
{
	struct revoker *me = arg;
	struct genl_conn conn;
	__u64 n;

	/* A failing ASSERT_*() in here ends (and fails) the whole test. */
	if (ssihv_conn_try(&conn)) {
		me->error = -ENOENT;
		return NULL;
	}
	while (!LOAD(&stress.stop)) {
		__u64 r = next_rand(&me->rng);
		__u64 first = (r >> 16) % NR_PAGES;
		__u64 count = 1 + (r & 63);
		int ret;

		if (first + count > NR_PAGES)
			count = NR_PAGES - first;
		ret = ssihv_revoke(&conn, stress.vm_id, first * PAGE_SZ,
				   (first + count - 1) * PAGE_SZ, me->shared,
				   &n);
		if (ret) {
			me->error = ret;
			break;
		}
		me->calls++;
		me->revoked += n;
		harness_sleep_ms(1 + (r >> 8) % 3);
	}
	genl_conn_close(&conn);
	return NULL;
}

static unsigned int stress_seconds(void)
{
	const char *env = getenv("SSIHV_STRESS_SECONDS");
	unsigned long s;
	char *end;

	if (!env || !*env)
		return 30;
	s = strtoul(env, &end, 10);
	if (*end || !s || s > MAX_SECONDS)
		FAIL("SSIHV_STRESS_SECONDS=%s: want 1..%u", env, MAX_SECONDS);
	return s;
}

TEST_TIMEOUT(concurrent_faults_and_revokes, MAX_SECONDS + 90)
{
	static struct worker workers[NR_WORKERS];
	static struct revoker revokers[2];
	static struct ssihv_page_info pages[NR_PAGES];
	__u64 distinct = 0, revoked = 0, reads = 0, writes = 0;
	__u64 page, states[3] = { 0 };
	unsigned int seconds, i, w;
	struct ssihv_vm_info info;
	struct ssihv_stats st;
	struct genl_conn conn;
	char error[200];
	void *map;
	int fd, n;

	seconds = stress_seconds();
	ensure_module();
	ssihv_conn_open(&conn);
	stress.vm_id = test_vm_id(0x57);
	fd = ssihv_create_mapped(stress.vm_id, MEM_SIZE, 0, &map);
	stress.mem = map;

	for (i = 0; i < NR_WORKERS; i++) {
		workers[i].id = i;
		workers[i].rng = 0x1234567ULL * (i + 1) + getpid();
		workers[i].gen = calloc(NR_PAGES, sizeof(*workers[i].gen));
		workers[i].touched = calloc(NR_PAGES, 1);
		ASSERT_TRUE(workers[i].gen && workers[i].touched);
		ASSERT_EQ(pthread_create(&workers[i].thread, NULL,
					 worker_thread, &workers[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		revokers[i].shared = i;
		revokers[i].rng = 0xfeedULL * (i + 7) + getpid();
		ASSERT_EQ(pthread_create(&revokers[i].thread, NULL,
					 revoker_thread, &revokers[i]), 0);
	}
	harness_log("%u workers and 2 revokers for %u s", NR_WORKERS,
		    seconds);
	for (i = 0; i < seconds * 10 && !LOAD(&stress.stop); i++) {
		harness_sleep_ms(100);
		for (w = 0; w < NR_WORKERS; w++)
			if (LOAD(&workers[w].error[0]))
				STORE(&stress.stop, true);
	}
	STORE(&stress.stop, true);
	for (i = 0; i < NR_WORKERS; i++)
		ASSERT_EQ(pthread_join(workers[i].thread, NULL), 0);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_join(revokers[i].thread, NULL), 0);

	for (i = 0; i < NR_WORKERS; i++) {
		if (workers[i].error[0])
			FAIL("worker %u: %s", i, workers[i].error);
		reads += workers[i].reads;
		writes += workers[i].writes;
	}
	for (i = 0; i < 2; i++) {
		if (revokers[i].error)
			FAIL("revoker %u: REVOKE_PAGE failed: %s", i,
			     strerror(-revokers[i].error));
		harness_log("revoker %u (%s): %llu calls, %llu pages", i,
			    revokers[i].shared ? "shared" : "unmap",
			    (unsigned long long)revokers[i].calls,
			    (unsigned long long)revokers[i].revoked);
		ASSERT_GE(revokers[i].calls, 1);
		revoked += revokers[i].revoked;
	}
	harness_log("%llu reads, %llu writes", (unsigned long long)reads,
		    (unsigned long long)writes);
	ASSERT_GE(reads, 1);
	ASSERT_GE(writes, 1);

	/*
	 * Counters before the final check (which reads every page and so
	 * adds first-touch faults for pages nobody touched).
	 */
	for (page = 0; page < NR_PAGES; page++) {
		for (w = 0; w < NR_WORKERS; w++) {
			if (workers[w].touched[page]) {
				distinct++;
				break;
			}
		}
	}
	ASSERT_EQ(ssihv_get_stats(&conn, stress.vm_id, &st), 0);
	ssihv_log_stats("after the run", &st);
	ASSERT_EQ(distinct, NR_PAGES - (NR_PAGES + UNTOUCHED_EVERY - 1) /
		  UNTOUCHED_EVERY);
	ASSERT_EQ(st.faults[ST_FIRST], distinct);
	ASSERT_EQ(st.resident, distinct);
	ASSERT_EQ(st.revoked, revoked);
	ASSERT_EQ(st.faults[ST_REFUSED], 0);
	ASSERT_EQ(st.faults[ST_REMOTE], 0);
	ASSERT_LE(st.faults[ST_UPGRADE], revokers[1].revoked);
	ASSERT_EQ(st.hist_total, st.faults[ST_FIRST] + st.faults[ST_MAP] +
		  st.faults[ST_UPGRADE] + st.faults[ST_REFUSED]);
	ASSERT_EQ(ssihv_get_vm(&conn, stress.vm_id, &info), 0);
	ASSERT_EQ(info.resident, distinct);

	n = ssihv_get_pages(&conn, stress.vm_id, 0, MEM_SIZE - PAGE_SZ,
			    pages, NR_PAGES);
	ASSERT_EQ(n, NR_PAGES);
	for (page = 0; page < NR_PAGES; page++) {
		ASSERT_EQ(pages[page].gpa, page * PAGE_SZ);
		ASSERT_LE(pages[page].state, SSIHV_PAGE_SHARED);
		states[pages[page].state]++;
		for (w = 0; w < NR_WORKERS; w++)
			if (workers[w].touched[page])
				break;
		/* Touched pages have a local copy, the others none. */
		ASSERT_EQ(pages[page].state != SSIHV_PAGE_INVALID,
			  w < NR_WORKERS);
	}
	harness_log("directory: %llu invalid, %llu exclusive, %llu shared",
		    (unsigned long long)states[0],
		    (unsigned long long)states[1],
		    (unsigned long long)states[2]);

	/* Every slot of every page, as its owner last left it. */
	for (page = 0; page < NR_PAGES; page++) {
		for (w = 0; w < NR_WORKERS; w++) {
			if (page >= SHARED_PAGES &&
			    (page - SHARED_PAGES) / CHUNK_PAGES != w)
				continue;
			if (!check_slot(w, page, workers[w].gen[page], error,
					sizeof(error)))
				FAIL("final check: %s", error);
		}
	}

	ASSERT_EQ(munmap(map, MEM_SIZE), 0);
	ASSERT_EQ(ssihv_get_vm(&conn, stress.vm_id, &info), 0);
	ASSERT_EQ(info.users, 1);
	ASSERT_EQ(close(fd), 0);
	ASSERT_EQ(ssihv_get_vm(&conn, stress.vm_id, &info), -ENOENT);
	genl_conn_close(&conn);
	for (i = 0; i < NR_WORKERS; i++) {
		free(workers[i].gen);
		free(workers[i].touched);
	}
}
