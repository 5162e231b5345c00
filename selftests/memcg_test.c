// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory is charged to the memory cgroup of the process that created
 * the VM instance, whichever process faults it in, and uncharged when the
 * instance dies.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "ssihv_util.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG_TEST		CG_ROOT "/ssihv-memcg-test"
#define VM_BYTES	(32ULL << 20)
#define VM_ID		0x6d656d6367ULL	/* "memcg" */

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static unsigned long long read_u64_file(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	ASSERT_GE(fd, 0);
	ASSERT_GE(read(fd, buf, sizeof(buf) - 1), 1);
	close(fd);
	return strtoull(buf, NULL, 10);
}

static bool has_memory_controller(void)
{
	char buf[512] = "";
	int fd = open(CG_ROOT "/cgroup.controllers", O_RDONLY);

	if (fd < 0)
		return false;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strstr(buf, "memory");
}

/* A cgroup v2 child with the memory controller, or SKIP. */
static void make_test_cgroup(void)
{
	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			SKIP("cannot mount cgroup2 on " CG_ROOT);
	}
	if (!has_memory_controller())
		SKIP("no memory cgroup controller (CONFIG_MEMCG) in this kernel");
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	rmdir(CG_TEST);
	ASSERT_EQ(mkdir(CG_TEST, 0755), 0);
}

static int attach(__u32 flags)
{
	struct ssihv_mem_range range = {
		.gpa = 0, .size = VM_BYTES, .numa_node = SSIHV_NUMA_ANY,
	};
	struct ssihv_attach req = {
		.vm_id = VM_ID, .ranges = (uintptr_t)&range, .nr_ranges = 1,
		.flags = flags,
	};
	int fd = open("/dev/ssihv", O_RDWR);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(ioctl(fd, SSIHV_IOC_ATTACH, &req), 0);
	return fd;
}

TEST(pages_are_charged_to_the_creators_cgroup)
{
	int to_child[2], to_parent[2];
	unsigned long long before, touched, after;
	char c = 0, pid[32];
	char *mem;
	pid_t child;
	int fd;

	ensure_module();
	make_test_cgroup();
	ASSERT_EQ(pipe(to_child), 0);
	ASSERT_EQ(pipe(to_parent), 0);

	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		/* The creator: joins the test cgroup, creates, waits. */
		snprintf(pid, sizeof(pid), "%d", getpid());
		write_file(CG_TEST "/cgroup.procs", pid);
		fd = attach(SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL);
		if (write(to_parent[1], &c, 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(1);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(read(to_parent[0], &c, 1), 1);

	/* This process stays in the root cgroup and does the faulting. */
	before = read_u64_file(CG_TEST "/memory.current");
	fd = attach(0);
	mem = mmap(NULL, VM_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	for (size_t off = 0; off < VM_BYTES; off += 4096)
		mem[off] = 1;
	touched = read_u64_file(CG_TEST "/memory.current");
	harness_log("creator's memory.current: %llu before, %llu after",
		    before, touched);
	EXPECT_GE(touched - before, VM_BYTES);

	/* Last user gone: the instance and its pages are freed. */
	munmap(mem, VM_BYTES);
	close(fd);
	ASSERT_EQ(write(to_child[1], &c, 1), 1);
	ASSERT_EQ(waitpid(child, NULL, 0), child);
	for (int i = 0; i < 50; i++) {
		after = read_u64_file(CG_TEST "/memory.current");
		if (after < before + VM_BYTES / 8)
			break;
		harness_sleep_ms(100);
	}
	harness_log("memory.current after the instance died: %llu", after);
	EXPECT_LE(after, before + VM_BYTES / 8);
	rmdir(CG_TEST);
}
