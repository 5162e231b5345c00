// SPDX-License-Identifier: GPL-2.0
/*
 * VM instances seen through the netlink API, spoken to directly with
 * libnl-genl-3: a VM made through /dev/ssihv with two ranges and pages
 * touched through its mapping must show up in GET_VM, GET_PAGE (doit and
 * dump), GET_STATS; REVOKE_PAGE and DESTROY_VM must have the effects they
 * report; VM_CREATED and VM_DESTROYED events must arrive.
 */
#include "harness.h"
#include "ssihv_util.h"
#include "vm_nl_util.h"

/*
 * The test memory map: range A, 16 pages at 0 on any NUMA node; a gap;
 * range B, 16 pages at 1 MiB on NUMA node 0.
 */
#define A_GPA	0ULL
#define B_GPA	0x100000ULL
#define NPAGES	16ULL
#define A_SIZE	(NPAGES * VM_PAGE)
#define B_SIZE	(NPAGES * VM_PAGE)

struct test_vm {
	uint64_t id;
	int fd;
	uint8_t *a, *b;
};

static void make_vm(struct test_vm *vm, unsigned int salt)
{
	/* Given out of order: the kernel sorts the map. */
	struct ssihv_mem_range r[2] = {
		vm_range(B_GPA, B_SIZE, 0, 0),
		vm_range(A_GPA, A_SIZE, 0, SSIHV_NUMA_ANY),
	};

	ensure_module();
	vm->id = vm_test_id(salt);
	vm->fd = vm_create(vm->id, r, 2);
	vm->a = vm_map(vm->fd, A_GPA, A_SIZE);
	vm->b = vm_map(vm->fd, B_GPA, B_SIZE);
}

/* Touch A pages 0, 1, 2 (write) and B page 0 (read): 4 frames. */
#define TOUCHED 4

static void touch_some(struct test_vm *vm)
{
	ASSERT_TRUE(vm_touch(vm->a, true));
	ASSERT_TRUE(vm_touch(vm->a + VM_PAGE, true));
	ASSERT_TRUE(vm_touch(vm->a + 2 * VM_PAGE, true));
	ASSERT_TRUE(vm_touch(vm->b, false));
}

static uint64_t max_vm_memory(struct genl_conn *conn)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_GET_INFO);
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	uint64_t bytes;

	ASSERT_EQ(genl_transact(conn, msg, &result), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(result.reply), 0, attrs,
				SSIHV_A_MAX, NULL), 0);
	bytes = attr_u64(attrs, SSIHV_A_INFO_MAX_VM_MEMORY);
	genl_result_free(&result);
	return bytes;
}

TEST(get_vm_reports_the_instance)
{
	struct genl_conn conn;
	struct test_vm vm;
	struct vm_info info;

	make_vm(&vm, 1);
	touch_some(&vm);
	ssihv_conn_open(&conn);
	ASSERT_EQ(vm_get(&conn, vm.id, &info), 0);

	EXPECT_EQ(info.id, vm.id);
	EXPECT_EQ(info.resident, TOUCHED);
	/* One attached fd and two mappings. */
	EXPECT_EQ(info.users, 3);
	EXPECT_EQ(info.creator_pid, getpid());
	EXPECT_FALSE(info.dead);
	/* mem_limit 0 at attach: the module's max-vm-memory. */
	EXPECT_EQ(info.mem_limit, max_vm_memory(&conn));
	ASSERT_EQ(info.nr_ranges, 2);
	/* Sorted by address, whatever order the attach gave. */
	EXPECT_EQ(info.ranges[0].gpa, A_GPA);
	EXPECT_EQ(info.ranges[0].size, A_SIZE);
	EXPECT_EQ(info.ranges[0].home_node, 0);
	EXPECT_EQ(info.ranges[0].numa_node, SSIHV_NUMA_ANY);
	EXPECT_EQ(info.ranges[1].gpa, B_GPA);
	EXPECT_EQ(info.ranges[1].size, B_SIZE);
	EXPECT_EQ(info.ranges[1].home_node, 0);
	EXPECT_EQ(info.ranges[1].numa_node, 0);

	/* A third mapping counts as one more user. */
	vm_map(vm.fd, B_GPA, VM_PAGE);
	ASSERT_EQ(vm_get(&conn, vm.id, &info), 0);
	EXPECT_EQ(info.users, 4);
	genl_conn_close(&conn);
}

TEST(get_vm_dump_lists_the_instance)
{
	struct vm_lookup lookup = { 0 };
	struct genl_conn conn;
	struct nl_call call;
	struct test_vm vm;

	make_vm(&vm, 2);
	touch_some(&vm);
	ssihv_conn_open(&conn);
	lookup.want_id = vm.id;
	ASSERT_EQ(nl_call(&conn, vm_request(&conn, SSIHV_CMD_GET_VM, true,
					    NULL),
			  vm_lookup_reply, &lookup, &call), 0);
	harness_log("dump: %u instances", lookup.messages);
	EXPECT_GE(lookup.messages, 1);
	ASSERT_EQ(lookup.matches, 1);
	EXPECT_EQ(lookup.info.resident, TOUCHED);
	EXPECT_EQ(lookup.info.nr_ranges, 2);
	genl_conn_close(&conn);
}

TEST(get_page_touched_and_untouched)
{
	struct genl_conn conn;
	struct page_info page;
	struct test_vm vm;

	make_vm(&vm, 3);
	touch_some(&vm);
	ssihv_conn_open(&conn);

	/* A touched frame, named by an address inside it. */
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA + VM_PAGE + 123, &page), 0);
	EXPECT_EQ(page.gpa, A_GPA + VM_PAGE);
	EXPECT_EQ(page.state, SSIHV_PAGE_EXCLUSIVE);
	EXPECT_EQ(page.home, 0);
	EXPECT_EQ(page.owner, 0);
	EXPECT_EQ(page.faults, 1);
	EXPECT_GE(page.heat, 1);
	EXPECT_TRUE(page.has_numa_node);
	EXPECT_GE(page.numa_node, 0);

	/* Range B is bound to NUMA node 0; read faults count as well. */
	ASSERT_EQ(page_get(&conn, vm.id, B_GPA, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_EXCLUSIVE);
	EXPECT_EQ(page.faults, 1);
	EXPECT_GE(page.heat, 1);
	EXPECT_TRUE(page.has_numa_node);
	EXPECT_EQ(page.numa_node, 0);

	/* Untouched frames: no copy, no history, no NUMA node. */
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA + 5 * VM_PAGE, &page), 0);
	EXPECT_EQ(page.gpa, A_GPA + 5 * VM_PAGE);
	EXPECT_EQ(page.state, SSIHV_PAGE_INVALID);
	EXPECT_EQ(page.home, 0);
	EXPECT_EQ(page.owner, 0);
	EXPECT_EQ(page.faults, 0);
	EXPECT_EQ(page.heat, 0);
	EXPECT_EQ(page.last_fault_ms, 0);
	EXPECT_FALSE(page.has_numa_node);
	ASSERT_EQ(page_get(&conn, vm.id, B_GPA + B_SIZE - 1, &page), 0);
	EXPECT_EQ(page.gpa, B_GPA + B_SIZE - VM_PAGE);
	EXPECT_EQ(page.state, SSIHV_PAGE_INVALID);
	EXPECT_FALSE(page.has_numa_node);
	genl_conn_close(&conn);
}

TEST(get_page_dump_is_one_message_per_frame_in_order)
{
	struct page_list *list = calloc(1, sizeof(*list));
	struct genl_conn conn;
	struct test_vm vm;
	unsigned int i;

	ASSERT_TRUE(list);
	make_vm(&vm, 4);
	touch_some(&vm);
	ssihv_conn_open(&conn);

	/* All of range A. */
	ASSERT_EQ(page_dump(&conn, vm.id, A_GPA, A_GPA + A_SIZE - 1, list), 0);
	ASSERT_EQ(list->count, NPAGES);
	for (i = 0; i < NPAGES; i++) {
		EXPECT_EQ(list->pages[i].gpa, A_GPA + i * VM_PAGE);
		EXPECT_EQ(list->pages[i].state, i < 3 ? SSIHV_PAGE_EXCLUSIVE :
			  SSIHV_PAGE_INVALID);
		EXPECT_EQ(list->pages[i].has_numa_node, i < 3);
	}

	/* The last two frames of A, the gap skipped, three frames of B. */
	ASSERT_EQ(page_dump(&conn, vm.id, A_GPA + 14 * VM_PAGE + 7,
			    B_GPA + 2 * VM_PAGE + 1, list), 0);
	ASSERT_EQ(list->count, 5);
	EXPECT_EQ(list->pages[0].gpa, A_GPA + 14 * VM_PAGE);
	EXPECT_EQ(list->pages[1].gpa, A_GPA + 15 * VM_PAGE);
	EXPECT_EQ(list->pages[2].gpa, B_GPA);
	EXPECT_EQ(list->pages[2].state, SSIHV_PAGE_EXCLUSIVE);
	EXPECT_EQ(list->pages[3].gpa, B_GPA + VM_PAGE);
	EXPECT_EQ(list->pages[4].gpa, B_GPA + 2 * VM_PAGE);

	/* A span starting in the gap yields B's frames only. */
	ASSERT_EQ(page_dump(&conn, vm.id, A_GPA + A_SIZE, B_GPA, list), 0);
	ASSERT_EQ(list->count, 1);
	EXPECT_EQ(list->pages[0].gpa, B_GPA);

	/* The whole map, from 0 to the last byte of B. */
	ASSERT_EQ(page_dump(&conn, vm.id, 0, B_GPA + B_SIZE - 1, list), 0);
	ASSERT_EQ(list->count, 2 * NPAGES);
	for (i = 1; i < list->count; i++)
		EXPECT_TRUE(list->pages[i].gpa > list->pages[i - 1].gpa);
	free(list);
	genl_conn_close(&conn);
}

/* Dumps longer than one message batch resume at the right frame. */
TEST(get_page_dump_spans_many_batches)
{
	struct ssihv_mem_range r[2] = {
		vm_range(0, 4ULL << 20, 0, SSIHV_NUMA_ANY),
		vm_range(8ULL << 20, 4ULL << 20, 0, SSIHV_NUMA_ANY),
	};
	struct page_list *list = calloc(1, sizeof(*list));
	struct genl_conn conn;
	uint64_t id, want;
	unsigned int i;
	uint8_t *p;
	int fd;

	ASSERT_TRUE(list);
	ensure_module();
	id = vm_test_id(12);
	fd = vm_create(id, r, 2);
	/* Every 100th frame of the second range has a copy. */
	p = vm_map(fd, 8ULL << 20, 4ULL << 20);
	for (i = 0; i < 1024; i += 100)
		ASSERT_TRUE(vm_touch(p + i * VM_PAGE, true));
	ssihv_conn_open(&conn);
	ASSERT_EQ(page_dump(&conn, id, 0, (12ULL << 20) - 1, list), 0);
	ASSERT_EQ(list->count, 2048);
	for (i = 0; i < list->count; i++) {
		want = i < 1024 ? i * VM_PAGE :
		       (8ULL << 20) + (i - 1024) * VM_PAGE;
		if (list->pages[i].gpa != want)
			FAIL("message %u: gpa %#llx, want %#llx", i,
			     (unsigned long long)list->pages[i].gpa,
			     (unsigned long long)want);
		EXPECT_EQ(list->pages[i].state,
			  i >= 1024 && (i - 1024) % 100 == 0 ?
			  SSIHV_PAGE_EXCLUSIVE : SSIHV_PAGE_INVALID);
	}
	free(list);
	genl_conn_close(&conn);
}

TEST(get_stats_counts_first_touches)
{
	struct genl_conn conn;
	struct vm_stats stats;
	struct test_vm vm;
	uint64_t node_sum = 0;
	unsigned int i;

	make_vm(&vm, 5);
	ssihv_conn_open(&conn);
	ASSERT_EQ(stats_get(&conn, vm.id, &stats), 0);
	EXPECT_EQ(stats.id, vm.id);
	EXPECT_EQ(stats.first, 0);
	EXPECT_EQ(hist_total(&stats), 0);
	EXPECT_EQ(stats.resident, 0);

	touch_some(&vm);
	/* Touching again maps nothing new: the PTEs are there. */
	ASSERT_TRUE(vm_touch(vm.a, false));
	ASSERT_TRUE(vm_touch(vm.b, false));
	ASSERT_EQ(stats_get(&conn, vm.id, &stats), 0);
	EXPECT_EQ(stats.first, TOUCHED);
	EXPECT_EQ(stats.map, 0);
	EXPECT_EQ(stats.upgrade, 0);
	EXPECT_EQ(stats.remote, 0);
	EXPECT_EQ(stats.refused, 0);
	EXPECT_EQ(stats.revoked, 0);
	EXPECT_EQ(stats.resident, TOUCHED);
	/* Every fault served lands in exactly one bucket. */
	EXPECT_EQ(hist_total(&stats),
		  stats.first + stats.map + stats.upgrade + stats.refused);
	EXPECT_GE(stats.nr_nodes, 1);
	for (i = 0; i < ARRAY_SIZE(stats.node_pages); i++)
		node_sum += stats.node_pages[i];
	EXPECT_EQ(node_sum, TOUCHED);
	/* Range B's page is on node 0. */
	EXPECT_GE(stats.node_pages[0], 1);
	genl_conn_close(&conn);
}

TEST(revoke_reports_count_and_refault_maps)
{
	struct genl_conn conn;
	struct vm_stats stats;
	struct page_info page;
	struct test_vm vm;
	uint64_t count;

	make_vm(&vm, 6);
	touch_some(&vm);
	ssihv_conn_open(&conn);

	/* Frames 0..7 of A: three of them have a copy. */
	ASSERT_EQ(page_revoke(&conn, vm.id, A_GPA, A_GPA + 8 * VM_PAGE - 1,
			      false, &count), 0);
	EXPECT_EQ(count, 3);
	/* Revoking keeps the copy: the state and residency stay. */
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_EXCLUSIVE);
	ASSERT_EQ(stats_get(&conn, vm.id, &stats), 0);
	EXPECT_EQ(stats.revoked, 3);
	EXPECT_EQ(stats.resident, TOUCHED);

	/* Touching them again is a MAP fault each, with the data kept. */
	EXPECT_EQ(vm_peek(vm.a), 0x5a);
	EXPECT_EQ(vm_peek(vm.a + VM_PAGE), 0x5a);
	ASSERT_TRUE(vm_touch(vm.a + 2 * VM_PAGE, true));
	ASSERT_EQ(stats_get(&conn, vm.id, &stats), 0);
	EXPECT_EQ(stats.first, TOUCHED);
	EXPECT_EQ(stats.map, 3);
	EXPECT_EQ(hist_total(&stats),
		  stats.first + stats.map + stats.upgrade + stats.refused);
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA, &page), 0);
	EXPECT_EQ(page.faults, 2);

	/* One frame by itself (no GPA_LAST); untouched ones count 0. */
	ASSERT_EQ(page_revoke(&conn, vm.id, B_GPA, B_GPA, false, &count), 0);
	EXPECT_EQ(count, 1);
	ASSERT_EQ(page_revoke(&conn, vm.id, B_GPA + VM_PAGE, B_GPA + VM_PAGE,
			      false, &count), 0);
	EXPECT_EQ(count, 0);
	genl_conn_close(&conn);
}

TEST(revoke_shared_then_write_upgrades)
{
	struct genl_conn conn;
	struct vm_stats before, after;
	struct page_info page;
	struct test_vm vm;
	uint64_t count;

	make_vm(&vm, 7);
	touch_some(&vm);
	ssihv_conn_open(&conn);

	ASSERT_EQ(page_revoke(&conn, vm.id, A_GPA + VM_PAGE, A_GPA + VM_PAGE,
			      true, &count), 0);
	EXPECT_EQ(count, 1);
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA + VM_PAGE, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_SHARED);
	ASSERT_EQ(stats_get(&conn, vm.id, &before), 0);

	/* A read maps the shared copy read-only: a MAP fault. */
	EXPECT_EQ(vm_peek(vm.a + VM_PAGE), 0x5a);
	ASSERT_EQ(stats_get(&conn, vm.id, &after), 0);
	EXPECT_EQ(after.map, before.map + 1);
	EXPECT_EQ(after.upgrade, before.upgrade);
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA + VM_PAGE, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_SHARED);

	/* The write upgrades it back to exclusive. */
	ASSERT_TRUE(vm_touch(vm.a + VM_PAGE, true));
	ASSERT_EQ(stats_get(&conn, vm.id, &after), 0);
	EXPECT_EQ(after.upgrade, before.upgrade + 1);
	EXPECT_EQ(after.map, before.map + 1);
	EXPECT_EQ(hist_total(&after),
		  after.first + after.map + after.upgrade + after.refused);
	ASSERT_EQ(page_get(&conn, vm.id, A_GPA + VM_PAGE, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_EXCLUSIVE);
	EXPECT_EQ(page.faults, 3);
	genl_conn_close(&conn);
}

TEST(destroy_kills_the_mapping_and_close_frees_it)
{
	struct genl_conn conn, events;
	struct vm_stats stats;
	struct vm_info info;
	struct test_vm vm;

	ensure_module();
	events_open(&events);
	make_vm(&vm, 8);
	EXPECT_TRUE(event_wait(&events, SSIHV_CMD_EVENT_VM_CREATED, vm.id,
			       5000));
	touch_some(&vm);
	ssihv_conn_open(&conn);

	ASSERT_EQ(vm_destroy(&conn, vm.id), 0);
	ASSERT_EQ(vm_get(&conn, vm.id, &info), 0);
	EXPECT_TRUE(info.dead);
	/* Its memory is gone at once, though users remain. */
	EXPECT_EQ(info.resident, 0);
	EXPECT_EQ(info.users, 3);

	/* Touched or not, every access now gets SIGBUS. */
	EXPECT_FALSE(vm_touch(vm.a, false));
	EXPECT_FALSE(vm_touch(vm.a + 9 * VM_PAGE, true));
	ASSERT_EQ(stats_get(&conn, vm.id, &stats), 0);
	EXPECT_EQ(stats.refused, 2);
	EXPECT_EQ(stats.resident, 0);

	/* No VM_DESTROYED while users remain. */
	EXPECT_FALSE(event_wait(&events, SSIHV_CMD_EVENT_VM_DESTROYED, vm.id,
				200));
	/* The mappings hold the file, so closing the fd changes nothing. */
	ASSERT_EQ(close(vm.fd), 0);
	ASSERT_EQ(vm_get(&conn, vm.id, &info), 0);
	EXPECT_EQ(info.users, 3);
	EXPECT_TRUE(info.dead);
	ASSERT_EQ(munmap((void *)vm.a, A_SIZE), 0);
	ASSERT_EQ(munmap((void *)vm.b, B_SIZE), 0);
	/* The last user is gone: the instance is freed. */
	EXPECT_EQ(vm_get(&conn, vm.id, &info), -ENOENT);
	EXPECT_TRUE(event_wait(&events, SSIHV_CMD_EVENT_VM_DESTROYED, vm.id,
			       5000));
	genl_conn_close(&conn);
	genl_conn_close(&events);
}

TEST(close_without_destroy_frees_and_notifies)
{
	struct genl_conn conn, events;
	struct vm_info info;
	struct test_vm vm;

	ensure_module();
	events_open(&events);
	make_vm(&vm, 9);
	EXPECT_TRUE(event_wait(&events, SSIHV_CMD_EVENT_VM_CREATED, vm.id,
			       5000));
	touch_some(&vm);
	ASSERT_EQ(munmap((void *)vm.a, A_SIZE), 0);
	ASSERT_EQ(munmap((void *)vm.b, B_SIZE), 0);
	ASSERT_EQ(close(vm.fd), 0);
	ssihv_conn_open(&conn);
	EXPECT_EQ(vm_get(&conn, vm.id, &info), -ENOENT);
	EXPECT_TRUE(event_wait(&events, SSIHV_CMD_EVENT_VM_DESTROYED, vm.id,
			       5000));
	genl_conn_close(&conn);
	genl_conn_close(&events);
}

/* Frames homed on another node are remote: refused until fetched. */
TEST(remote_frames_are_refused_and_counted)
{
	struct ssihv_mem_range r = vm_range(0, A_SIZE, 1, SSIHV_NUMA_ANY);
	struct genl_conn conn;
	struct vm_stats stats;
	struct page_info page;
	uint8_t *p;
	uint64_t id;
	int fd;

	ensure_module();
	if (system("grep -qx 0 /sys/module/ssihv/parameters/node_id"))
		SKIP("this host is not node 0");
	id = vm_test_id(10);
	fd = vm_create(id, &r, 1);
	p = vm_map(fd, 0, A_SIZE);
	EXPECT_FALSE(vm_touch(p, false));
	ssihv_conn_open(&conn);
	ASSERT_EQ(stats_get(&conn, id, &stats), 0);
	EXPECT_EQ(stats.remote, 1);
	/* A remote fault is also a refused one, and served once. */
	EXPECT_EQ(stats.refused, 1);
	EXPECT_EQ(stats.first, 0);
	EXPECT_EQ(hist_total(&stats), 1);
	ASSERT_EQ(page_get(&conn, id, 0, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_INVALID);
	EXPECT_EQ(page.home, 1);
	EXPECT_EQ(page.owner, 1);
	genl_conn_close(&conn);
}

/* A first touch over the VM's limit: SIGBUS, refused, LIMIT_HIT event. */
TEST(limit_refuses_and_notifies)
{
	struct ssihv_mem_range r = vm_range(0, A_SIZE, 0, SSIHV_NUMA_ANY);
	struct genl_conn conn, events;
	struct event_wait event;
	struct vm_stats stats;
	struct vm_info info;
	struct page_info page;
	uint8_t *p;
	uint64_t id;
	int fd;

	ensure_module();
	events_open(&events);
	id = vm_test_id(11);
	fd = vm_create_limit(id, &r, 1, 2 * VM_PAGE);
	p = vm_map(fd, 0, A_SIZE);
	ssihv_conn_open(&conn);
	ASSERT_EQ(vm_get(&conn, id, &info), 0);
	EXPECT_EQ(info.mem_limit, 2 * VM_PAGE);

	ASSERT_TRUE(vm_touch(p, true));
	ASSERT_TRUE(vm_touch(p + VM_PAGE, true));
	EXPECT_FALSE(vm_touch(p + 5 * VM_PAGE + 8, true));
	EXPECT_TRUE(event_wait_for(&events, SSIHV_CMD_EVENT_LIMIT_HIT, id,
				   5000, &event));
	EXPECT_EQ(event.gpa, 5 * VM_PAGE);
	EXPECT_EQ(event.mem_limit, 2 * VM_PAGE);

	ASSERT_EQ(stats_get(&conn, id, &stats), 0);
	EXPECT_EQ(stats.first, 2);
	EXPECT_EQ(stats.refused, 1);
	EXPECT_EQ(stats.remote, 0);
	EXPECT_EQ(stats.resident, 2);
	EXPECT_EQ(hist_total(&stats), 3);
	ASSERT_EQ(page_get(&conn, id, 5 * VM_PAGE, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_INVALID);

	/* Pages already resident stay usable. */
	EXPECT_TRUE(vm_touch(p, false));
	genl_conn_close(&conn);
	genl_conn_close(&events);
}
