// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/ssihv ioctl and mmap ABI with bad and borderline input:
 * SSIHV_IOC_ATTACH argument checking, mmap() rules (MAP_SHARED only,
 * page-aligned offset = guest-physical address, inside one range),
 * instances that die under their users (DESTROY_VM, close while a
 * thread faults), module unload with live mappings, and the per-instance
 * memory limit (SIGBUS, refused counter, "limit hit" event).
 *
 * Errnos are those kmod/vm.c, kmod/chardev.c and kmod/mmap.c return.
 */
#include <pthread.h>
#include <setjmp.h>
#include <sys/syscall.h>

#include "harness.h"
#include "ssihv_util.h"
#include "kvm_ssihv_nl.h"

#define SZ_1M		0x100000ULL

/* ---- touching memory that may SIGBUS or SIGSEGV --------------------- */

static __thread sigjmp_buf touch_env;
static __thread int touch_armed;	/* shared with the signal handler */

/* Relaxed atomics: the compiler must emit each access, exactly once. */
#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

static void touch_arm(int armed)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	STORE(&touch_armed, armed);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

static void touch_signal(int sig)
{
	if (LOAD(&touch_armed)) {
		STORE(&touch_armed, 0);
		siglongjmp(touch_env, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void touch_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = touch_signal };

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGBUS, &sa, NULL), 0);
	ASSERT_EQ(sigaction(SIGSEGV, &sa, NULL), 0);
}

/* Store value at p; returns 0, or the signal the store raised. */
static int try_store(__u64 *p, __u64 value)
{
	int sig = sigsetjmp(touch_env, 1);

	if (sig)
		return sig;
	touch_arm(1);
	STORE(p, value);
	touch_arm(0);
	return 0;
}

/* Load *p into *value; returns 0, or the signal the load raised. */
static int try_load(__u64 *p, __u64 *value)
{
	int sig = sigsetjmp(touch_env, 1);

	if (sig)
		return sig;
	touch_arm(1);
	*value = LOAD(p);
	touch_arm(0);
	return 0;
}

/* ---- ATTACH ----------------------------------------------------------- */

/* Attach a new fd with the given request fields; returns 0 or -errno. */
static int attach_raw(struct ssihv_attach *req)
{
	int fd = ssihv_open();
	int ret = ioctl(fd, SSIHV_IOC_ATTACH, req) ? -errno : 0;

	close(fd);
	return ret;
}

static int attach_one(__u64 gpa, __u64 size, unsigned int flags)
{
	struct ssihv_mem_range r = mem_range(gpa, size);
	struct ssihv_attach req = {
		.vm_id = test_vm_id(0xa0),
		.ranges = (uintptr_t)&r,
		.nr_ranges = 1,
		.flags = flags,
	};

	return attach_raw(&req);
}

TEST(attach_rejects_bad_range_counts)
{
	struct ssihv_mem_range r[SSIHV_MAX_RANGES + 1];
	struct ssihv_attach req = {
		.vm_id = test_vm_id(1),
		.ranges = (uintptr_t)r,
		.flags = SSIHV_ATTACH_CREATE,
	};
	unsigned int i;

	ensure_module();
	for (i = 0; i <= SSIHV_MAX_RANGES; i++)
		r[i] = mem_range(i * SZ_1M, PAGE_SZ);
	req.nr_ranges = 0;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	req.nr_ranges = SSIHV_MAX_RANGES + 1;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	req.nr_ranges = 0xffffffff;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	/* The maximum itself is fine (and the instance goes with its fd). */
	req.nr_ranges = SSIHV_MAX_RANGES;
	ASSERT_EQ(attach_raw(&req), 0);
}

TEST(attach_rejects_unaligned_and_empty_ranges)
{
	ensure_module();
	ASSERT_EQ(attach_one(0x800, SZ_1M, SSIHV_ATTACH_CREATE), -EINVAL);
	ASSERT_EQ(attach_one(0, SZ_1M + 1, SSIHV_ATTACH_CREATE), -EINVAL);
	ASSERT_EQ(attach_one(0, SZ_1M - 8, SSIHV_ATTACH_CREATE), -EINVAL);
	ASSERT_EQ(attach_one(0, 0, SSIHV_ATTACH_CREATE), -EINVAL);
	/* An end past 2^64 must not wrap around. */
	ASSERT_EQ(attach_one(~0ULL << 12, 2 * PAGE_SZ, SSIHV_ATTACH_CREATE),
		  -EINVAL);
	ASSERT_EQ(attach_one(PAGE_SZ, ~0ULL << 12, SSIHV_ATTACH_CREATE),
		  -EINVAL);
	/* Control: the same call with a sane range works. */
	ASSERT_EQ(attach_one(PAGE_SZ, SZ_1M, SSIHV_ATTACH_CREATE), 0);
}

TEST(attach_rejects_overlapping_ranges)
{
	struct ssihv_mem_range r[3];
	struct ssihv_attach req = {
		.vm_id = test_vm_id(2),
		.ranges = (uintptr_t)r,
		.flags = SSIHV_ATTACH_CREATE,
	};

	ensure_module();
	r[0] = mem_range(0, 8 * SZ_1M);
	r[1] = mem_range(4 * SZ_1M, 8 * SZ_1M);
	req.nr_ranges = 2;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	/* Overlap hidden by the order: the module sorts before checking. */
	r[0] = mem_range(32 * SZ_1M, SZ_1M);
	r[1] = mem_range(0, SZ_1M);
	r[2] = mem_range(32 * SZ_1M - PAGE_SZ, 2 * PAGE_SZ);
	req.nr_ranges = 3;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	/* The same range twice. */
	r[2] = r[1];
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	/* Control: touching but disjoint, out of order, is fine. */
	r[2] = mem_range(SZ_1M, 31 * SZ_1M);
	ASSERT_EQ(attach_raw(&req), 0);
}

TEST(attach_rejects_reserved_and_unknown_flags)
{
	struct ssihv_mem_range r = mem_range(0, SZ_1M);
	struct ssihv_attach req;
	unsigned int bit;

	ensure_module();
	req = (struct ssihv_attach){ .vm_id = test_vm_id(3),
		.ranges = (uintptr_t)&r, .nr_ranges = 1,
		.flags = SSIHV_ATTACH_CREATE };
	r.flags = 1;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	r.flags = 0;
	r.reserved = 0x80000000;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	r.reserved = 0;

	for (bit = 0; bit < 32; bit++) {
		if ((1U << bit) & SSIHV_ATTACH_FLAGS)
			continue;
		req.flags = SSIHV_ATTACH_CREATE | (1U << bit);
		ASSERT_EQ(attach_raw(&req), -EINVAL);
	}
	req.flags = SSIHV_ATTACH_CREATE;
	req.reserved[0] = 1;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	req.reserved[0] = 0;
	req.reserved[1] = 1ULL << 63;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	req.reserved[1] = 0;
	/* EXCL means nothing without CREATE. */
	req.flags = SSIHV_ATTACH_EXCL;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	/* Bad home or NUMA node. */
	req.flags = SSIHV_ATTACH_CREATE;
	r.home_node = SSIHV_MAX_NODES;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	r.home_node = 0;
	r.numa_node = 100000;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	r.numa_node = -2;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	r.numa_node = SSIHV_NUMA_ANY;
	/* Memory limits: page aligned, not above the module's maximum. */
	req.mem_limit = PAGE_SZ + 1;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	req.mem_limit = ~0ULL << 12;
	ASSERT_EQ(attach_raw(&req), -EINVAL);
	req.mem_limit = 0;
	ASSERT_EQ(attach_raw(&req), 0);
}

TEST(attach_faults_on_bad_pointers)
{
	struct ssihv_mem_range r = mem_range(0, SZ_1M);
	struct ssihv_attach req = {
		.vm_id = test_vm_id(4),
		.nr_ranges = 1,
		.flags = SSIHV_ATTACH_CREATE,
	};
	struct ssihv_mem_range *last;
	char *pages, *unmapped;
	int fd;

	ensure_module();
	/* A readable page followed by an inaccessible one. */
	pages = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(pages != MAP_FAILED);
	unmapped = pages + PAGE_SZ;
	ASSERT_EQ(mprotect(unmapped, PAGE_SZ, PROT_NONE), 0);
	last = (struct ssihv_mem_range *)unmapped - 1;
	*last = r;

	req.ranges = 0;
	ASSERT_EQ(attach_raw(&req), -EFAULT);
	req.ranges = (uintptr_t)unmapped;
	ASSERT_EQ(attach_raw(&req), -EFAULT);
	req.ranges = ~0ULL - 7;
	ASSERT_EQ(attach_raw(&req), -EFAULT);
	/* A range array that runs off the end of readable memory. */
	req.ranges = (uintptr_t)last;
	req.nr_ranges = 2;
	ASSERT_EQ(attach_raw(&req), -EFAULT);
	/* Control: its last element alone is fine. */
	req.nr_ranges = 1;
	ASSERT_EQ(attach_raw(&req), 0);

	fd = ssihv_open();
	errno = 0;
	ASSERT_EQ(ioctl(fd, SSIHV_IOC_ATTACH, NULL), -1);
	ASSERT_EQ(errno, EFAULT);
	ASSERT_EQ(ioctl(fd, SSIHV_IOC_ATTACH, unmapped), -1);
	ASSERT_EQ(errno, EFAULT);
	/* An unknown ioctl. */
	ASSERT_EQ(ioctl(fd, _IO(SSIHV_IOC_MAGIC, 0x7f), 0), -1);
	ASSERT_EQ(errno, ENOTTY);
	close(fd);
	munmap(pages, 2 * PAGE_SZ);
}

TEST(attach_once_per_fd)
{
	struct ssihv_mem_range r = mem_range(0, SZ_1M);
	__u64 id = test_vm_id(5);
	int fd = (ensure_module(), ssihv_open());

	ASSERT_EQ(ssihv_attach(fd, id, &r, 1, SSIHV_ATTACH_CREATE, 0), 0);
	ASSERT_EQ(ssihv_attach(fd, id, &r, 1, SSIHV_ATTACH_CREATE, 0),
		  -EBUSY);
	ASSERT_EQ(ssihv_attach(fd, id, &r, 1, 0, 0), -EBUSY);
	ASSERT_EQ(ssihv_attach(fd, id + 1, &r, 1, SSIHV_ATTACH_CREATE, 0),
		  -EBUSY);
	close(fd);
}

TEST(attach_existing_and_missing_instances)
{
	struct ssihv_mem_range r[2] = { mem_range(0, SZ_1M),
					mem_range(4 * SZ_1M, SZ_1M) };
	struct ssihv_mem_range other[2];
	__u64 id = test_vm_id(6);
	struct ssihv_vm_info info;
	struct genl_conn conn;
	int fd1, fd2, fd3;

	ensure_module();
	ssihv_conn_open(&conn);
	fd1 = ssihv_open();
	fd2 = ssihv_open();
	fd3 = ssihv_open();

	ASSERT_EQ(ssihv_attach(fd1, id, r, 2, 0, 0), -ENOENT);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), -ENOENT);
	ASSERT_EQ(ssihv_attach(fd1, id, r, 2,
			       SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL,
			       16 * PAGE_SZ), 0);
	ASSERT_EQ(ssihv_attach(fd2, id, r, 2,
			       SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL, 0),
		  -EEXIST);

	/* A different memory map or limit is refused. */
	other[0] = r[0];
	other[1] = r[1];
	other[1].size += PAGE_SZ;
	ASSERT_EQ(ssihv_attach(fd2, id, other, 2, 0, 0), -EINVAL);
	other[1] = r[1];
	other[1].gpa += PAGE_SZ;
	ASSERT_EQ(ssihv_attach(fd2, id, other, 2, 0, 0), -EINVAL);
	other[1] = r[1];
	other[1].home_node = 1;
	ASSERT_EQ(ssihv_attach(fd2, id, other, 2, 0, 0), -EINVAL);
	ASSERT_EQ(ssihv_attach(fd2, id, r, 1, 0, 0), -EINVAL);
	ASSERT_EQ(ssihv_attach(fd2, id, r, 2, 0, 32 * PAGE_SZ), -EINVAL);
	/* A failed attach leaves the fd free to attach. */
	ASSERT_EQ(ssihv_attach(fd2, id, r, 2, 0, 0), 0);
	/* Same map in another order, with CREATE, and the same limit. */
	other[0] = r[1];
	other[1] = r[0];
	ASSERT_EQ(ssihv_attach(fd3, id, other, 2, SSIHV_ATTACH_CREATE,
			       16 * PAGE_SZ), 0);

	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_EQ(info.users, 3);
	ASSERT_EQ(info.mem_limit, 16 * PAGE_SZ);
	close(fd1);
	close(fd2);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_EQ(info.users, 1);
	close(fd3);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), -ENOENT);
	genl_conn_close(&conn);
}

/* ---- mmap --------------------------------------------------------------- */

/*
 * A read-only fd may join an instance and map it read-only (the core
 * clears VM_SHARED for it), but may not create one.
 */
TEST(read_only_fd_joins_but_cannot_create)
{
	struct ssihv_mem_range r = mem_range(0, SZ_1M);
	struct ssihv_attach req = {
		.vm_id = test_vm_id(0xb0),
		.ranges = (uintptr_t)&r,
		.nr_ranges = 1,
	};
	__u64 *p, *q;
	int rw, ro;

	ensure_module();
	ro = open("/dev/ssihv", O_RDONLY);
	ASSERT_GE(ro, 0);
	req.flags = SSIHV_ATTACH_CREATE;
	ASSERT_EQ(ioctl(ro, SSIHV_IOC_ATTACH, &req), -1);
	ASSERT_EQ(errno, EBADF);

	rw = ssihv_open();
	ASSERT_EQ(ioctl(rw, SSIHV_IOC_ATTACH, &req), 0);
	p = mmap(NULL, SZ_1M, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	p[7] = 0x5eed;

	req.flags = 0;
	ASSERT_EQ(ioctl(ro, SSIHV_IOC_ATTACH, &req), 0);
	ASSERT_TRUE(mmap(NULL, SZ_1M, PROT_READ | PROT_WRITE, MAP_SHARED,
			 ro, 0) == MAP_FAILED);
	ASSERT_EQ(errno, EACCES);
	q = mmap(NULL, SZ_1M, PROT_READ, MAP_SHARED, ro, 0);
	ASSERT_TRUE(q != MAP_FAILED);
	ASSERT_EQ(q[7], 0x5eed);
	munmap(q, SZ_1M);
	munmap(p, SZ_1M);
	close(ro);
	close(rw);
}

static int map_errno(int fd, __u64 length, __u64 offset, int flags)
{
	void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, flags, fd,
		       offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, length);
	return 0;
}

TEST(mmap_rules)
{
	struct ssihv_mem_range r[3] = { mem_range(0, 4 * SZ_1M),
					mem_range(4 * SZ_1M, 4 * SZ_1M),
					mem_range(16 * SZ_1M, SZ_1M) };
	int fd;

	ensure_module();
	fd = ssihv_open();
	/* Before attaching there is nothing to map. */
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 0, MAP_SHARED), -EINVAL);
	ASSERT_EQ(ssihv_attach(fd, test_vm_id(7), r, 3, SSIHV_ATTACH_CREATE,
			       0), 0);

	ASSERT_EQ(map_errno(fd, PAGE_SZ, 0, MAP_PRIVATE), -EINVAL);
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 0, MAP_SHARED_VALIDATE), 0);
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 0x800, MAP_SHARED), -EINVAL);
	/* Outside every range: the gap, past the end, far away. */
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 8 * SZ_1M, MAP_SHARED), -EINVAL);
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 12 * SZ_1M, MAP_SHARED), -EINVAL);
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 17 * SZ_1M, MAP_SHARED), -EINVAL);
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 1ULL << 46, MAP_SHARED), -EINVAL);
	/* Running off the end of a range. */
	ASSERT_EQ(map_errno(fd, 2 * SZ_1M, 16 * SZ_1M - PAGE_SZ, MAP_SHARED),
		  -EINVAL);
	ASSERT_EQ(map_errno(fd, 2 * PAGE_SZ, 17 * SZ_1M - PAGE_SZ, MAP_SHARED),
		  -EINVAL);
	/* Two adjacent ranges are still two mappings. */
	ASSERT_EQ(map_errno(fd, 8 * SZ_1M, 0, MAP_SHARED), -EINVAL);
	ASSERT_EQ(map_errno(fd, 2 * PAGE_SZ, 4 * SZ_1M - PAGE_SZ, MAP_SHARED),
		  -EINVAL);
	/* Controls: every range whole, and a piece in the middle. */
	ASSERT_EQ(map_errno(fd, 4 * SZ_1M, 0, MAP_SHARED), 0);
	ASSERT_EQ(map_errno(fd, 4 * SZ_1M, 4 * SZ_1M, MAP_SHARED), 0);
	ASSERT_EQ(map_errno(fd, SZ_1M, 16 * SZ_1M, MAP_SHARED), 0);
	ASSERT_EQ(map_errno(fd, PAGE_SZ, 16 * SZ_1M + 5 * PAGE_SZ, MAP_SHARED),
		  0);
	close(fd);
}

/* A mapping cannot grow past its range with mremap(). */
TEST(mremap_cannot_grow_a_mapping)
{
	__u64 *p, *q;
	void *map;
	int fd;

	ensure_module();
	fd = ssihv_create_mapped(test_vm_id(8), 4 * SZ_1M, 0, &map);
	p = map;
	ASSERT_EQ(munmap((char *)map + 2 * SZ_1M, 2 * SZ_1M), 0);
	p[0] = 42;
	q = mremap(p, 2 * SZ_1M, 4 * SZ_1M, 0);
	ASSERT_TRUE(q == MAP_FAILED);
	q = mremap(p, 2 * SZ_1M, 4 * SZ_1M, MREMAP_MAYMOVE);
	ASSERT_TRUE(q == MAP_FAILED);
	ASSERT_EQ(p[0], 42);
	munmap(p, 2 * SZ_1M);
	close(fd);
}

/*
 * DESTROY_VM takes the memory away at once: existing mappings SIGBUS,
 * new mmap()s and attaches fail, and the dead shell goes with its last
 * user.
 */
TEST(destroyed_instance_refuses_everything)
{
	struct ssihv_mem_range r = mem_range(0, SZ_1M);
	__u64 id = test_vm_id(9), value;
	struct ssihv_stats before, after;
	struct ssihv_vm_info info;
	struct genl_conn conn;
	__u64 *p;
	void *map;
	int fd, fd2;

	ensure_module();
	touch_catch_signals();
	ssihv_conn_open(&conn);
	fd = ssihv_create_mapped(id, SZ_1M, 0, &map);
	p = map;
	p[0] = 7;
	p[PAGE_SZ / 8] = 8;
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_EQ(info.resident, 2);
	ASSERT_EQ(ssihv_get_stats(&conn, id, &before), 0);

	ASSERT_EQ(ssihv_destroy_vm(&conn, id), 0);
	ASSERT_EQ(ssihv_destroy_vm(&conn, id), -ENODEV);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_TRUE(info.dead);
	ASSERT_EQ(info.resident, 0);

	ASSERT_EQ(try_load(p, &value), SIGBUS);
	ASSERT_EQ(try_store(p + PAGE_SZ / 8, 1), SIGBUS);
	ASSERT_EQ(try_store(p + 2 * PAGE_SZ / 8, 1), SIGBUS);
	ASSERT_EQ(ssihv_get_stats(&conn, id, &after), 0);
	ssihv_log_stats("after destroy", &after);
	ASSERT_EQ(after.faults[ST_REFUSED] - before.faults[ST_REFUSED], 3);
	ASSERT_EQ(after.resident, 0);

	ASSERT_EQ(map_errno(fd, PAGE_SZ, 0, MAP_SHARED), -ENODEV);
	fd2 = ssihv_open();
	ASSERT_EQ(ssihv_attach(fd2, id, &r, 1, 0, 0), -ENODEV);
	ASSERT_EQ(ssihv_attach(fd2, id, &r, 1, SSIHV_ATTACH_CREATE, 0),
		  -ENODEV);
	close(fd2);

	ASSERT_EQ(munmap(map, SZ_1M), 0);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	close(fd);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), -ENOENT);
	/* The id is free again. */
	fd = ssihv_create_mapped(id, SZ_1M, 0, &map);
	ASSERT_EQ(((__u64 *)map)[0], 0);
	munmap(map, SZ_1M);
	close(fd);
	genl_conn_close(&conn);
}

/* Fields shared between threads are accessed with LOAD()/STORE(). */
struct faulter {
	__u64 *mem;
	__u64 pages;
	__u64 stores;
	int sig;
};

/* Store to page after page until a signal ends it. */
static void *faulter_thread(void *arg)
{
	struct faulter *f = arg;
	__u64 i = 0;
	int sig;

	for (;;) {
		sig = try_store(f->mem + (i % f->pages) * (PAGE_SZ / 8), i);
		if (sig)
			break;
		STORE(&f->stores, LOAD(&f->stores) + 1);
		i++;
	}
	STORE(&f->sig, sig);
	return NULL;
}

/*
 * A thread keeps faulting while another closes the fd (the mapping keeps
 * the instance) and then unmaps it (the thread gets SIGSEGV): no splat,
 * and the instance goes with the mapping.
 */
TEST(fault_while_closing_and_unmapping)
{
	const __u64 size = 16 * SZ_1M;
	struct faulter f = { .pages = size / PAGE_SZ };
	__u64 id = test_vm_id(10);
	struct ssihv_vm_info info;
	struct genl_conn conn;
	__u64 stores;
	pthread_t thread;
	void *map;
	int fd;

	ensure_module();
	touch_catch_signals();
	ssihv_conn_open(&conn);
	fd = ssihv_create_mapped(id, size, 0, &map);
	f.mem = map;
	ASSERT_EQ(pthread_create(&thread, NULL, faulter_thread, &f), 0);
	harness_sleep_ms(100);
	ASSERT_EQ(close(fd), 0);
	stores = LOAD(&f.stores);
	harness_sleep_ms(100);
	ASSERT_GE(LOAD(&f.stores), stores + 1);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_GE(info.users, 1);
	ASSERT_EQ(munmap(map, size), 0);
	ASSERT_EQ(pthread_join(thread, NULL), 0);
	ASSERT_EQ(f.sig, SIGSEGV);
	harness_log("%llu stores before the unmap",
		    (unsigned long long)f.stores);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), -ENOENT);
	genl_conn_close(&conn);
}

/* DESTROY_VM while two threads fault: both end with SIGBUS. */
TEST(destroy_while_faulting)
{
	const __u64 size = 16 * SZ_1M;
	struct faulter f[2] = {
		{ .pages = size / PAGE_SZ / 2 },
		{ .pages = size / PAGE_SZ / 2 },
	};
	__u64 id = test_vm_id(11);
	struct ssihv_vm_info info;
	struct genl_conn conn;
	pthread_t thread[2];
	void *map;
	int fd, i;

	ensure_module();
	touch_catch_signals();
	ssihv_conn_open(&conn);
	fd = ssihv_create_mapped(id, size, 0, &map);
	f[0].mem = map;
	f[1].mem = (__u64 *)map + size / 2 / 8;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&thread[i], NULL, faulter_thread,
					 &f[i]), 0);
	harness_sleep_ms(200);
	ASSERT_EQ(ssihv_destroy_vm(&conn, id), 0);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pthread_join(thread[i], NULL), 0);
		ASSERT_EQ(f[i].sig, SIGBUS);
	}
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_TRUE(info.dead);
	ASSERT_EQ(info.resident, 0);
	munmap(map, size);
	close(fd);
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), -ENOENT);
	genl_conn_close(&conn);
}

/* ---- module unload ------------------------------------------------------ */

static int unload_module(void)
{
	return syscall(SYS_delete_module, "ssihv", O_NONBLOCK) ? -errno : 0;
}

/* A mapping (even with its fd closed) pins the module. */
TEST(rmmod_refused_while_mapped)
{
	struct genl_conn conn;
	void *map;
	int fd, ret;

	ensure_module();
	fd = ssihv_create_mapped(test_vm_id(12), SZ_1M, 0, &map);
	((__u64 *)map)[0] = 1;

	ret = unload_module();
	ASSERT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY);
	close(fd);
	ret = unload_module();
	ASSERT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY);
	ASSERT_EQ(((__u64 *)map)[0], 1);

	ASSERT_EQ(munmap(map, SZ_1M), 0);
	ASSERT_EQ(unload_module(), 0);
	ASSERT_TRUE(access(SSIHV_DEV_PATH, F_OK) != 0);
	/* Leave it loaded for whoever runs next. */
	ensure_module();
	ssihv_conn_open(&conn);
	genl_conn_close(&conn);
}

/* ---- the per-instance memory limit -------------------------------------- */

TEST(mem_limit_sigbus_counter_and_event)
{
	const __u64 limit = 16;
	__u64 id = test_vm_id(13), i, value;
	struct genl_conn conn, events;
	struct ssihv_stats st;
	struct ssihv_vm_info info;
	struct ssihv_event ev;
	__u64 *p;
	void *map;
	int fd;

	ensure_module();
	touch_catch_signals();
	ssihv_conn_open(&conn);
	ssihv_events_open(&events);

	fd = ssihv_create_mapped(id, SZ_1M, limit * PAGE_SZ, &map);
	p = map;
	ASSERT_TRUE(ssihv_event_wait(&events, SSIHV_CMD_EVENT_VM_CREATED, id,
				     2000, &ev));
	ASSERT_EQ(ssihv_get_vm(&conn, id, &info), 0);
	ASSERT_EQ(info.mem_limit, limit * PAGE_SZ);

	for (i = 0; i < limit; i++)
		ASSERT_EQ(try_store(p + i * PAGE_SZ / 8, i + 1), 0);
	ASSERT_EQ(ssihv_get_stats(&conn, id, &st), 0);
	ASSERT_EQ(st.faults[ST_FIRST], limit);
	ASSERT_EQ(st.faults[ST_REFUSED], 0);

	/* Page limit + 1, read or written, is refused. */
	ASSERT_EQ(try_store(p + limit * PAGE_SZ / 8, 1), SIGBUS);
	ASSERT_EQ(try_load(p + (limit + 5) * PAGE_SZ / 8, &value), SIGBUS);
	ASSERT_EQ(ssihv_get_stats(&conn, id, &st), 0);
	ssihv_log_stats("over the limit", &st);
	ASSERT_EQ(st.faults[ST_FIRST], limit);
	ASSERT_EQ(st.faults[ST_REFUSED], 2);
	ASSERT_EQ(st.resident, limit);

	ASSERT_TRUE(ssihv_event_wait(&events, SSIHV_CMD_EVENT_LIMIT_HIT, id,
				     2000, &ev));
	ASSERT_EQ(ev.gpa, limit * PAGE_SZ);
	ASSERT_EQ(ev.mem_limit, limit * PAGE_SZ);

	/* Resident pages stay usable, also after a revoke. */
	ASSERT_EQ(ssihv_revoke(&conn, id, 0, SZ_1M - PAGE_SZ, false, &value), 0);
	ASSERT_EQ(value, limit);
	for (i = 0; i < limit; i++)
		ASSERT_EQ(p[i * PAGE_SZ / 8], i + 1);
	ASSERT_EQ(ssihv_get_stats(&conn, id, &st), 0);
	ASSERT_EQ(st.faults[ST_MAP], limit);
	ASSERT_EQ(st.faults[ST_REFUSED], 2);

	munmap(map, SZ_1M);
	close(fd);
	ASSERT_TRUE(ssihv_event_wait(&events, SSIHV_CMD_EVENT_VM_DESTROYED,
				     id, 2000, &ev));
	genl_conn_close(&events);
	genl_conn_close(&conn);
}

struct limit_racer {
	__u64 *mem;		/* this thread's pages */
	unsigned int pages;
	unsigned int stored;
	pthread_barrier_t *start;
};

static void *limit_racer_thread(void *arg)
{
	struct limit_racer *r = arg;
	unsigned int i;

	pthread_barrier_wait(r->start);
	for (i = 0; i < r->pages; i++)
		if (!try_store(r->mem + i * (PAGE_SZ / 8), i + 1))
			r->stored++;
	return NULL;
}

/*
 * The limit holds when many threads first-touch different pages at once:
 * never more resident pages than the limit, and every store that did not
 * SIGBUS is one resident page.  Repeated, as a race needs chances.
 */
TEST_TIMEOUT(mem_limit_holds_under_concurrent_faults, 120)
{
	const unsigned int threads = 8, per_thread = 64, limit = 64;
	const __u64 size = (__u64)threads * per_thread * PAGE_SZ;
	struct limit_racer racers[8];
	pthread_barrier_t start;
	struct ssihv_stats st;
	struct genl_conn conn;
	unsigned int round, i, stored;
	__u64 id;
	void *map;
	int fd;

	ensure_module();
	touch_catch_signals();
	ssihv_conn_open(&conn);
	for (round = 0; round < 20; round++) {
		id = test_vm_id(0x100 + round);
		fd = ssihv_create_mapped(id, size, limit * PAGE_SZ, &map);
		ASSERT_EQ(pthread_barrier_init(&start, NULL, threads), 0);
		for (i = 0; i < threads; i++) {
			racers[i] = (struct limit_racer){
				.mem = (__u64 *)map + i * per_thread *
				       (PAGE_SZ / 8),
				.pages = per_thread,
				.start = &start,
			};
		}
		{
			pthread_t tid[8];

			for (i = 0; i < threads; i++)
				ASSERT_EQ(pthread_create(&tid[i], NULL,
							 limit_racer_thread,
							 &racers[i]), 0);
			for (i = 0; i < threads; i++)
				ASSERT_EQ(pthread_join(tid[i], NULL), 0);
		}
		pthread_barrier_destroy(&start);
		stored = 0;
		for (i = 0; i < threads; i++)
			stored += racers[i].stored;
		ASSERT_EQ(ssihv_get_stats(&conn, id, &st), 0);
		if (st.resident > limit || stored != st.resident ||
		    st.faults[ST_FIRST] != st.resident ||
		    st.faults[ST_REFUSED] != threads * per_thread - stored) {
			ssihv_log_stats("limit race", &st);
			FAIL("round %u: limit %u pages, %u stores succeeded, %llu resident",
			     round, limit, stored, st.resident);
		}
		munmap(map, size);
		close(fd);
	}
	genl_conn_close(&conn);
}
