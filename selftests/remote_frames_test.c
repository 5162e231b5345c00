// SPDX-License-Identifier: GPL-2.0
/*
 * Guest frames homed on another node, fetched over RDMA (issue 7, the
 * exclusive-migration subset): run on two nodes at once by
 * tests/vm/65-remote-frames.sh, which brings up Soft-RoCE, loads the
 * module as node 0 and node 1, joins them and sets REMOTE_FRAMES=1.
 * Without that (e.g. in run-all on one VM) every test skips.
 *
 * Both nodes attach the same VM id with the same map: range A homed on
 * node 0, range B homed on node 1, range C homed on node 2 (which does
 * not exist).  The two processes meet at barriers over TCP (node 0
 * listens on 10.99.0.1); each test uses its own VM id and port.  Both
 * nodes run the tests in the same order; node 1 runs peer_dies apart
 * (the script kills node 1 while it holds frames).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <setjmp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "harness.h"
#include "hammer.h"
#include "vm_nl_util.h"

#define A_GPA		0ULL
#define A_PAGES		64ULL
#define B_GPA		(1ULL << 20)
#define B_PAGES		256ULL
#define C_GPA		(2ULL << 20)
#define C_PAGES		16ULL
#define PEER_PORT	7650
#define NODE0_ADDR	"10.99.0.1"

#define VM_MIGRATE	0x6500000001ULL
#define VM_HAMMER	0x6500000002ULL
#define VM_BAD		0x6500000003ULL
#define VM_MISSING	0x6500000004ULL
#define VM_DIES		0x6500000005ULL
#define VM_SHARED	0x6500000006ULL
#define VM_PLACE	0x6500000007ULL
#define VM_RETURN	0x6500000008ULL
#define VM_UNKNOWN	0x65000000ffULL

struct node_vm {
	int fd;
	uint8_t *a, *b;
	uint64_t id;
};

static int my_node(void)
{
	const char *on = getenv("REMOTE_FRAMES");
	const char *node = getenv("SSIHV_NODE");

	if (!on || strcmp(on, "1") || !node)
		SKIP("two-node test: run by tests/vm/65-remote-frames.sh");
	return atoi(node);
}

static void node_vm_attach(struct node_vm *vm, uint64_t id)
{
	struct ssihv_mem_range r[3] = {
		vm_range(A_GPA, A_PAGES * VM_PAGE, 0, SSIHV_NUMA_ANY),
		vm_range(B_GPA, B_PAGES * VM_PAGE, 1, SSIHV_NUMA_ANY),
		vm_range(C_GPA, C_PAGES * VM_PAGE, 2, SSIHV_NUMA_ANY),
	};

	ensure_module();
	vm->id = id;
	vm->fd = vm_create(id, r, 3);
	vm->a = vm_map(vm->fd, A_GPA, A_PAGES * VM_PAGE);
	vm->b = vm_map(vm->fd, B_GPA, B_PAGES * VM_PAGE);
}

static void node_vm_detach(struct node_vm *vm)
{
	munmap(vm->a, A_PAGES * VM_PAGE);
	munmap(vm->b, B_PAGES * VM_PAGE);
	close(vm->fd);
}

/* ---- barriers with the other node's test process (TCP) ------------- */

static int peer_open(int node, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};
	int one = 1, fd, lfd, i;

	if (node == 0) {
		lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ASSERT_GE(lfd, 0);
		ASSERT_EQ(setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
				     sizeof(one)), 0);
		sin.sin_addr.s_addr = htonl(INADDR_ANY);
		ASSERT_EQ(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
		ASSERT_EQ(listen(lfd, 1), 0);
		fd = accept(lfd, NULL, NULL);
		ASSERT_GE(fd, 0);
		close(lfd);
	} else {
		ASSERT_EQ(inet_pton(AF_INET, NODE0_ADDR, &sin.sin_addr), 1);
		for (i = 0; ; i++) {
			fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			ASSERT_GE(fd, 0);
			if (!connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
				break;
			close(fd);
			if (i > 600)
				FAIL("cannot reach node 0 on port %d", port);
			harness_sleep_ms(100);
		}
	}
	ASSERT_EQ(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
			     sizeof(one)), 0);
	return fd;
}

static void peer_send(int fd, uint64_t v)
{
	ASSERT_EQ(write(fd, &v, sizeof(v)), (ssize_t)sizeof(v));
}

static uint64_t peer_recv(int fd)
{
	uint64_t v;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(v)) {
		n = read(fd, (char *)&v + got, sizeof(v) - got);
		if (n <= 0)
			FAIL("the other node's test went away");
		got += n;
	}
	return v;
}

/* Both sides reach step @step (the numbers must agree). */
static void peer_sync(int fd, uint64_t step)
{
	peer_send(fd, step);
	ASSERT_EQ(peer_recv(fd), step);
}

/* ---- page contents ------------------------------------------------- */

static void fill(uint8_t *page, uint64_t key)
{
	uint64_t *w = (uint64_t *)page;
	unsigned int i;

	for (i = 0; i < VM_PAGE / 8; i++)
		w[i] = ssihv_mix64(key * 512 + i);
}

/* Index of the first wrong word, or -1. */
static int check(const uint8_t *page, uint64_t key)
{
	const uint64_t *w = (const uint64_t *)page;
	unsigned int i;

	for (i = 0; i < VM_PAGE / 8; i++)
		if (w[i] != ssihv_mix64(key * 512 + i))
			return (int)i;
	return -1;
}

static uint64_t key_of(unsigned int node, unsigned int round, uint64_t i)
{
	return ((uint64_t)round << 40) | ((uint64_t)node << 32) | i;
}

/* ---- netlink: the counters this test reads ------------------------- */

struct frame_stats {
	uint64_t served, recalled, remote, refused, invalidations, dropped;
	uint64_t migrations;
};

static void frame_stats_reply(struct nlattr **attrs, void *arg)
{
	struct frame_stats *s = arg;

	s->served = attr_u64(attrs, SSIHV_A_STATS_FRAMES_SERVED);
	s->recalled = attr_u64(attrs, SSIHV_A_STATS_FRAMES_RECALLED);
	s->remote = attr_u64(attrs, SSIHV_A_STATS_FAULTS_REMOTE);
	s->refused = attr_u64(attrs, SSIHV_A_STATS_FAULTS_REFUSED);
	s->invalidations = attr_u64(attrs, SSIHV_A_STATS_INVALIDATIONS);
	s->dropped = attr_u64(attrs, SSIHV_A_STATS_COPIES_DROPPED);
	s->migrations = attr_u64(attrs, SSIHV_A_STATS_MIGRATIONS);
}

static void frame_stats(uint64_t id, struct frame_stats *s)
{
	struct genl_conn conn;
	struct nl_call call;

	ssihv_conn_open(&conn);
	ASSERT_EQ(nl_call(&conn, vm_request(&conn, SSIHV_CMD_GET_STATS,
					    false, &id),
			  frame_stats_reply, s, &call), 0);
	genl_conn_close(&conn);
	harness_log("vm %#llx: remote faults %llu, refused %llu, frames served %llu, recalled %llu, invalidations %llu, copies dropped %llu",
		    (unsigned long long)id, (unsigned long long)s->remote,
		    (unsigned long long)s->refused,
		    (unsigned long long)s->served,
		    (unsigned long long)s->recalled,
		    (unsigned long long)s->invalidations,
		    (unsigned long long)s->dropped);
}

static void refused_reply(struct nlattr **attrs, void *arg)
{
	*(uint64_t *)arg = attr_u64(attrs, SSIHV_A_NODE_FRAMES_REFUSED);
}

/* Frame requests of node @id this node refused. */
static uint64_t node_refused(uint32_t id)
{
	struct genl_conn conn;
	struct nl_call call;
	struct nl_msg *msg;
	uint64_t n = 0;

	ssihv_conn_open(&conn);
	msg = vm_request(&conn, SSIHV_CMD_GET_NODE, false, NULL);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, id), 0);
	ASSERT_EQ(nl_call(&conn, msg, refused_reply, &n, &call), 0);
	genl_conn_close(&conn);
	return n;
}

static void xfer_reply(struct nlattr **attrs, void *arg)
{
	*(int32_t *)arg = (int32_t)attr_u32(attrs, SSIHV_A_XFER_ERRNO);
}

/*
 * NODE_XFER_TEST(FRAME_REQ) to @node: the request's netlink errno, and
 * the peer's answer in *answer.
 */
static int frame_req(uint32_t node, uint64_t id, uint64_t gpa,
		     int32_t *answer)
{
	struct genl_conn conn;
	struct nl_call call;
	struct nl_msg *msg;
	int ret;

	*answer = 0;
	ssihv_conn_open(&conn);
	msg = vm_request(&conn, SSIHV_CMD_NODE_XFER_TEST, false, &id);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, node), 0);
	ASSERT_EQ(nla_put_u8(msg, SSIHV_A_XFER_OP, SSIHV_XFER_FRAME_REQ), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_XFER_COUNT, 1), 0);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA, gpa), 0);
	ret = nl_call(&conn, msg, xfer_reply, answer, &call);
	genl_conn_close(&conn);
	return ret;
}

/* ---- the tests ----------------------------------------------------- */

/*
 * Node 1 writes B (its own frames); node 0 reads every page of B (each
 * fetched from node 1) and overwrites it; node 1 reads B again and sees
 * node 0's data (every frame recalled from node 0).  The directory and
 * the counters on both sides agree.
 */
/* This node's directory entry for @gpa: @state, @owner, home as mapped. */
static void expect_page(uint64_t id, uint64_t gpa, uint8_t state,
			uint32_t owner)
{
	struct genl_conn conn;
	struct page_info pi;

	ssihv_conn_open(&conn);
	ASSERT_EQ(page_get(&conn, id, gpa, &pi), 0);
	genl_conn_close(&conn);
	harness_log("gpa %#llx: state %u owner %u home %u",
		    (unsigned long long)gpa, pi.state, pi.owner, pi.home);
	EXPECT_EQ(pi.state, state);
	EXPECT_EQ(pi.owner, owner);
	EXPECT_EQ(pi.home, gpa >= B_GPA ? 1 : 0);
}

/* This node's placement policy (SET_CONFIG); the home's decides. */
static void set_placement(uint32_t policy, uint32_t heat, uint32_t rate)
{
	struct genl_result result;
	struct genl_conn conn;
	struct nl_msg *msg;

	ssihv_conn_open(&conn);
	msg = genl_new_request(&conn, SSIHV_CMD_SET_CONFIG);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_CONFIG_PLACEMENT, policy), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_CONFIG_PLACEMENT_HEAT, heat), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_CONFIG_PLACEMENT_RATE, rate), 0);
	ASSERT_EQ(genl_transact(&conn, msg, &result), 0);
	genl_result_free(&result);
	genl_conn_close(&conn);
}

static void set_placement_default(void)
{
	set_placement(SSIHV_PLACEMENT_HEAT, SSIHV_PLACEMENT_HEAT_DEFAULT,
		      SSIHV_PLACEMENT_RATE_DEFAULT);
}

TEST_TIMEOUT(migrate_pattern, 240)
{
	int node = my_node();
	struct frame_stats st;
	struct node_vm vm;
	uint64_t i;
	int fd, bad;

	/* Reads share: placement off. */
	set_placement(SSIHV_PLACEMENT_OFF, 1, 1);
	node_vm_attach(&vm, VM_MIGRATE);
	fd = peer_open(node, PEER_PORT + 1);
	if (node == 1)
		for (i = 0; i < B_PAGES; i++)
			fill(vm.b + i * VM_PAGE, key_of(1, 1, i));
	peer_sync(fd, 1);
	if (node == 0) {
		uint64_t t0 = now_ms();

		for (i = 0; i < B_PAGES; i++) {
			bad = check(vm.b + i * VM_PAGE, key_of(1, 1, i));
			if (bad >= 0)
				FAIL("B page %llu word %d: not node 1's data",
				     (unsigned long long)i, bad);
		}
		harness_log("node 0 read %llu pages of B from node 1 in %llu ms",
			    (unsigned long long)B_PAGES,
			    (unsigned long long)(now_ms() - t0));
		for (i = 0; i < B_PAGES; i++)
			fill(vm.b + i * VM_PAGE, key_of(0, 2, i));
		for (i = 0; i < A_PAGES; i++)
			fill(vm.a + i * VM_PAGE, key_of(0, 3, i));
		frame_stats(vm.id, &st);
		EXPECT_GE(st.remote, B_PAGES);
		EXPECT_EQ(st.refused, 0);
	}
	peer_sync(fd, 2);
	if (node == 1) {
		for (i = 0; i < B_PAGES; i++) {
			bad = check(vm.b + i * VM_PAGE, key_of(0, 2, i));
			if (bad >= 0)
				FAIL("B page %llu word %d: not node 0's data",
				     (unsigned long long)i, bad);
		}
		frame_stats(vm.id, &st);
		/*
		 * Node 0 read all of B (shared copies) and wrote it (the
		 * only copies); reading it back recalled it, node 0 keeping
		 * shared copies.
		 */
		EXPECT_GE(st.served, 2 * B_PAGES);
		EXPECT_GE(st.remote, B_PAGES);
		EXPECT_GE(st.recalled, B_PAGES);
		EXPECT_EQ(st.refused, 0);
		expect_page(vm.id, B_GPA, SSIHV_PAGE_SHARED, 1);
	}
	peer_sync(fd, 3);
	if (node == 0) {
		frame_stats(vm.id, &st);
		EXPECT_GE(st.served, B_PAGES);
		/* node 1's read back left us a shared copy */
		expect_page(vm.id, B_GPA + 5 * VM_PAGE, SSIHV_PAGE_SHARED, 1);
		expect_page(vm.id, A_GPA + 5 * VM_PAGE, SSIHV_PAGE_EXCLUSIVE,
			    0);
		for (i = 0; i < A_PAGES; i++)
			EXPECT_EQ(check(vm.a + i * VM_PAGE, key_of(0, 3, i)),
				  -1);
	}
	peer_sync(fd, 4);
	node_vm_detach(&vm);
	close(fd);
	set_placement_default();
}

/*
 * Read sharing and invalidation (MSI) on 16 frames of B, homed on node
 * 1: node 1 writes them; node 0 reads them (a shared copy each) and
 * reads them again without asking anyone; node 1, which kept its own
 * copies, re-reads them without asking anyone; node 1 writes again,
 * which invalidates node 0's copies first; node 0 reads the new data,
 * then writes (upgrades of its shared copies); node 1 reads that back.
 */
#define SHARED_FIRST	32ULL
#define SHARED_PAGES	16ULL
#define PLACE_FIRST	64ULL	/* placement: 3 x SHARED_PAGES frames */

static void check_all(uint8_t *b, unsigned int writer, unsigned int round)
{
	uint64_t i;
	int bad;

	for (i = 0; i < SHARED_PAGES; i++) {
		bad = check(b + i * VM_PAGE, key_of(writer, round, i));
		if (bad >= 0)
			FAIL("B page %llu word %d: not node %u's round %u",
			     (unsigned long long)(SHARED_FIRST + i), bad,
			     writer, round);
	}
}

static void fill_all(uint8_t *b, unsigned int writer, unsigned int round)
{
	uint64_t i;

	for (i = 0; i < SHARED_PAGES; i++)
		fill(b + i * VM_PAGE, key_of(writer, round, i));
}

TEST_TIMEOUT(shared_copies, 240)
{
	const uint64_t gpa = B_GPA + (SHARED_FIRST + 3) * VM_PAGE;
	int node = my_node();
	struct frame_stats st0, st;
	struct node_vm vm;
	uint8_t *b;
	int fd;

	set_placement(SSIHV_PLACEMENT_OFF, 1, 1);
	node_vm_attach(&vm, VM_SHARED);
	fd = peer_open(node, PEER_PORT + 6);
	b = vm.b + SHARED_FIRST * VM_PAGE;
	if (node == 1)
		fill_all(b, 1, 6);
	peer_sync(fd, 1);
	if (node == 0) {
		frame_stats(vm.id, &st0);
		check_all(b, 1, 6);
		frame_stats(vm.id, &st);
		EXPECT_EQ(st.remote - st0.remote, SHARED_PAGES);
		expect_page(vm.id, gpa, SSIHV_PAGE_SHARED, 1);
		check_all(b, 1, 6);
		frame_stats(vm.id, &st0);
		EXPECT_EQ(st0.remote, st.remote);
	}
	peer_sync(fd, 2);
	if (node == 1) {
		frame_stats(vm.id, &st0);
		expect_page(vm.id, gpa, SSIHV_PAGE_SHARED, 1);
		check_all(b, 1, 6);
		frame_stats(vm.id, &st);
		EXPECT_EQ(st.remote, st0.remote);
		EXPECT_EQ(st.recalled, st0.recalled);
		fill_all(b, 1, 7);
		frame_stats(vm.id, &st);
		EXPECT_EQ(st.invalidations - st0.invalidations, SHARED_PAGES);
		expect_page(vm.id, gpa, SSIHV_PAGE_EXCLUSIVE, 1);
	}
	peer_sync(fd, 3);
	if (node == 0) {
		frame_stats(vm.id, &st0);
		EXPECT_EQ(st0.dropped, SHARED_PAGES);
		expect_page(vm.id, gpa, SSIHV_PAGE_INVALID, 1);
		check_all(b, 1, 7);
		fill_all(b, 0, 8);
		frame_stats(vm.id, &st);
		EXPECT_EQ(st.remote - st0.remote, 2 * SHARED_PAGES);
		EXPECT_EQ(st.refused, 0);
		expect_page(vm.id, gpa, SSIHV_PAGE_EXCLUSIVE, 0);
	}
	peer_sync(fd, 4);
	if (node == 1) {
		expect_page(vm.id, gpa, SSIHV_PAGE_INVALID, 0);
		check_all(b, 0, 8);
		expect_page(vm.id, gpa, SSIHV_PAGE_SHARED, 1);
		frame_stats(vm.id, &st);
		EXPECT_EQ(st.refused, 0);
	}
	peer_sync(fd, 5);
	if (node == 0)
		expect_page(vm.id, gpa, SSIHV_PAGE_SHARED, 1);
	peer_sync(fd, 6);
	node_vm_detach(&vm);
	close(fd);
	set_placement_default();
}

/*
 * Node 1's instance goes away while it owns frames homed on node 0 and
 * holds shared copies of others: closing it gives the owned frames back
 * (node 0 then has them, with node 1's data, without a remote fault),
 * and node 0 writes the formerly shared ones although node 1 can no
 * longer answer their INVs.
 */
#define RETURN_OWNED	16
#define RETURN_SHARED	4

TEST_TIMEOUT(detach_gives_back, 240)
{
	int node = my_node();
	struct frame_stats st0, st;
	struct node_vm vm;
	uint64_t i;
	int fd;

	set_placement(SSIHV_PLACEMENT_OFF, 1, 1);
	node_vm_attach(&vm, VM_RETURN);
	fd = peer_open(node, PEER_PORT + 8);
	if (node == 0)
		for (i = RETURN_OWNED; i < RETURN_OWNED + RETURN_SHARED; i++)
			fill(vm.a + i * VM_PAGE, key_of(0, 9, i));
	peer_sync(fd, 1);
	if (node == 1) {
		for (i = 0; i < RETURN_OWNED; i++)
			fill(vm.a + i * VM_PAGE, key_of(1, 9, i));
		for (i = RETURN_OWNED; i < RETURN_OWNED + RETURN_SHARED; i++)
			EXPECT_EQ(check(vm.a + i * VM_PAGE, key_of(0, 9, i)),
				  -1);
		expect_page(vm.id, A_GPA, SSIHV_PAGE_EXCLUSIVE, 1);
		expect_page(vm.id, A_GPA + RETURN_OWNED * VM_PAGE,
			    SSIHV_PAGE_SHARED, 0);
	}
	peer_sync(fd, 2);
	if (node == 1) {
		/* Node 0 counts first, then it goes. */
		peer_sync(fd, 3);
		node_vm_detach(&vm);
		peer_sync(fd, 4);
		peer_sync(fd, 5);
		close(fd);
		set_placement_default();
		return;
	}
	expect_page(vm.id, A_GPA, SSIHV_PAGE_INVALID, 1);
	frame_stats(vm.id, &st0);
	peer_sync(fd, 3);
	peer_sync(fd, 4);
	/* Given back: ours again, before anybody touches them. */
	for (i = 0; i < RETURN_OWNED; i++)
		expect_page(vm.id, A_GPA + i * VM_PAGE, SSIHV_PAGE_EXCLUSIVE,
			    0);
	frame_stats(vm.id, &st);
	EXPECT_EQ(st.recalled - st0.recalled, RETURN_OWNED);
	for (i = 0; i < RETURN_OWNED; i++)
		EXPECT_EQ(check(vm.a + i * VM_PAGE, key_of(1, 9, i)), -1);
	/* Node 1's shared copies went with it: the writes go on. */
	for (i = RETURN_OWNED; i < RETURN_OWNED + RETURN_SHARED; i++)
		fill(vm.a + i * VM_PAGE, key_of(0, 10, i));
	for (i = RETURN_OWNED; i < RETURN_OWNED + RETURN_SHARED; i++)
		EXPECT_EQ(check(vm.a + i * VM_PAGE, key_of(0, 10, i)), -1);
	expect_page(vm.id, A_GPA + RETURN_OWNED * VM_PAGE,
		    SSIHV_PAGE_EXCLUSIVE, 0);
	frame_stats(vm.id, &st0);
	EXPECT_EQ(st0.remote, st.remote);
	EXPECT_EQ(st0.refused, 0);
	peer_sync(fd, 5);
	node_vm_detach(&vm);
	close(fd);
	set_placement_default();
}

/* How many of @n frames from @gpa are in @state here. */
static unsigned int count_state(uint64_t id, uint64_t gpa, unsigned int n,
				uint8_t state)
{
	struct genl_conn conn;
	struct page_info pi;
	unsigned int i, count = 0;

	ssihv_conn_open(&conn);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(page_get(&conn, id, gpa + i * VM_PAGE, &pi), 0);
		count += pi.state == state;
	}
	genl_conn_close(&conn);
	return count;
}

static uint64_t migrations(uint64_t id)
{
	struct frame_stats st;

	frame_stats(id, &st);
	return st.migrations;
}

/*
 * Placement, decided by the home (node 1 for B): with "migrate" a read
 * miss takes the only copy, so node 0's writes after its reads stay
 * local; with "heat" a frame the home saw accessed within the last few
 * seconds (heat 16 per access, halved every second, threshold 1) is
 * shared; a rate of 4 a second lets only some of 16 read misses migrate
 * and shares the rest.
 */
TEST_TIMEOUT(placement, 240)
{
	const uint64_t gpa = B_GPA + (PLACE_FIRST + 5) * VM_PAGE;
	int node = my_node();
	struct frame_stats st0, st;
	struct node_vm vm;
	unsigned int moved;
	uint64_t i, m;
	uint8_t *b;
	int fd;

	set_placement(SSIHV_PLACEMENT_MIGRATE, 1, SSIHV_PLACEMENT_RATE_MAX);
	node_vm_attach(&vm, VM_PLACE);
	fd = peer_open(node, PEER_PORT + 7);
	b = vm.b + PLACE_FIRST * VM_PAGE;
	if (node == 1)
		fill_all(b, 1, 9);
	peer_sync(fd, 1);
	if (node == 0) {
		frame_stats(vm.id, &st0);
		check_all(b, 1, 9);
		expect_page(vm.id, gpa, SSIHV_PAGE_EXCLUSIVE, 0);
		fill_all(b, 0, 10);
		frame_stats(vm.id, &st);
		EXPECT_EQ(st.remote - st0.remote, SHARED_PAGES);
	}
	peer_sync(fd, 2);
	if (node == 1) {
		EXPECT_EQ(migrations(vm.id), SHARED_PAGES);
		expect_page(vm.id, gpa, SSIHV_PAGE_INVALID, 0);
		/* hot: just written here */
		set_placement(SSIHV_PLACEMENT_HEAT, 1, SSIHV_PLACEMENT_RATE_MAX);
		fill_all(b + SHARED_PAGES * VM_PAGE, 1, 11);
	}
	peer_sync(fd, 3);
	if (node == 0) {
		check_all(b + SHARED_PAGES * VM_PAGE, 1, 11);
		EXPECT_EQ(count_state(vm.id, gpa + (SHARED_PAGES - 5) * VM_PAGE,
				      SHARED_PAGES, SSIHV_PAGE_SHARED),
			  SHARED_PAGES);
	}
	peer_sync(fd, 4);
	if (node == 1) {
		EXPECT_EQ(migrations(vm.id), SHARED_PAGES);
		set_placement(SSIHV_PLACEMENT_MIGRATE, 1, 4);
		/* the 16 migrations above may still fill this second */
		harness_sleep_ms(1100);
	}
	peer_sync(fd, 5);
	if (node == 0) {
		/* frames never touched: cold, but at most 4 a second move */
		for (i = 0; i < SHARED_PAGES; i++) {
			const uint8_t *p = b + (2 * SHARED_PAGES + i) * VM_PAGE;

			EXPECT_EQ(p[0] | p[VM_PAGE - 1], 0);
		}
		moved = count_state(vm.id,
				    gpa + (2 * SHARED_PAGES - 5) * VM_PAGE,
				    SHARED_PAGES, SSIHV_PAGE_EXCLUSIVE);
		EXPECT_EQ(count_state(vm.id,
				      gpa + (2 * SHARED_PAGES - 5) * VM_PAGE,
				      SHARED_PAGES, SSIHV_PAGE_SHARED),
			  SHARED_PAGES - moved);
		peer_send(fd, moved);
	}
	if (node == 1) {
		moved = peer_recv(fd);
		m = migrations(vm.id) - SHARED_PAGES;
		harness_log("rate 4/s: %u of %llu read misses migrated",
			    moved, SHARED_PAGES);
		EXPECT_EQ(m, moved);
		EXPECT_GE(moved, 1);
		EXPECT_LE(moved, SHARED_PAGES - 1);
	}
	peer_sync(fd, 6);
	node_vm_detach(&vm);
	close(fd);
	set_placement_default();
}

/*
 * Two threads on each node hammer 8 frames (4 homed on each node): each
 * thread owns one 64-bit slot per frame and writes increasing values;
 * it checks that its own slot still holds what it wrote last (no lost
 * write) and that every other slot never goes backwards (no stale read).
 * At the end each node checks the other's final values.
 */
#define HAMMER_FRAMES	8
#define HAMMER_MS	6000	/* both nodes at once; HAMMER_SECONDS */
#define HAMMER_SLOTS	4	/* node * 2 + thread */

/* frames 0-3 in A (node 0's), 4-7 in B (node 1's) */
static void hammer_setup(struct hammer *h, struct node_vm *vm, int node,
			 int thread)
{
	unsigned int f;

	for (f = 0; f < HAMMER_FRAMES; f++)
		h->frames[f] = (uint64_t *)(f < 4 ? vm->a + (10 + f) * VM_PAGE :
					    vm->b + (10 + f - 4) * VM_PAGE);
	h->nr_frames = HAMMER_FRAMES;
	h->nr_slots = HAMMER_SLOTS;
	h->slot = node * 2 + thread;
	h->ms = getenv("HAMMER_SECONDS") ?
		strtoull(getenv("HAMMER_SECONDS"), NULL, 10) * 1000 :
		HAMMER_MS;
}

TEST_TIMEOUT(hammer, 400)
{
	int node = my_node();
	uint64_t final[HAMMER_SLOTS];
	struct hammer h[2] = {};
	pthread_t t[2];
	struct frame_stats st;
	struct node_vm vm;
	uint64_t t0;
	unsigned int s;
	int fd, i;

	node_vm_attach(&vm, VM_HAMMER);
	fd = peer_open(node, PEER_PORT + 2);
	peer_sync(fd, 1);
	t0 = now_ms();
	for (i = 0; i < 2; i++) {
		hammer_setup(&h[i], &vm, node, i);
		ASSERT_EQ(pthread_create(&t[i], NULL, hammer_thread, &h[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pthread_join(t[i], NULL), 0);
		if (h[i].error[0])
			FAIL("thread %d: %s", i, h[i].error);
	}
	harness_log("node %d: 2 threads, %llu and %llu passes over %u frames in %llu ms",
		    node, (unsigned long long)h[0].iters,
		    (unsigned long long)h[1].iters, HAMMER_FRAMES,
		    (unsigned long long)(now_ms() - t0));
	frame_stats(vm.id, &st);
	/* Everybody is done: every slot holds its writer's last value. */
	peer_send(fd, h[0].iters);
	peer_send(fd, h[1].iters);
	final[node * 2] = h[0].iters;
	final[node * 2 + 1] = h[1].iters;
	final[(1 - node) * 2] = peer_recv(fd);
	final[(1 - node) * 2 + 1] = peer_recv(fd);
	for (s = 0; s < HAMMER_SLOTS; s++)
		EXPECT_EQ(hammer_check_final(&h[0], s, final[s]), -1);
	EXPECT_GE(st.remote, 10);
	EXPECT_GE(st.served, 10);
	EXPECT_EQ(st.refused, 0);
	peer_sync(fd, 3);
	node_vm_detach(&vm);
	close(fd);
}

/*
 * Node 0 sends node 1 frame requests it must refuse: an unknown VM, a
 * frame outside the map, a frame homed on neither (node 2's range C).
 * Node 1 counts them; node 0 gets the reasons back.  A request for a
 * frame that would really move is not even sent.
 */
TEST_TIMEOUT(bad_requests, 120)
{
	int node = my_node();
	struct node_vm vm;
	uint64_t before;
	int32_t answer;
	int fd;

	node_vm_attach(&vm, VM_BAD);
	fd = peer_open(node, PEER_PORT + 3);
	before = node == 1 ? node_refused(0) : 0;
	peer_sync(fd, 1);
	if (node == 0) {
		EXPECT_EQ(frame_req(1, VM_UNKNOWN, B_GPA, &answer), 0);
		EXPECT_EQ(answer, -ENOENT);
		EXPECT_EQ(frame_req(1, VM_BAD, 64ULL << 20, &answer), 0);
		EXPECT_EQ(answer, -ERANGE);
		EXPECT_EQ(frame_req(1, VM_BAD, C_GPA, &answer), 0);
		EXPECT_EQ(answer, -EREMOTE);
		/* real frames: B would move here, A is ours */
		EXPECT_EQ(frame_req(1, VM_BAD, B_GPA, &answer), -EINVAL);
		EXPECT_EQ(frame_req(1, VM_BAD, A_GPA, &answer), -EINVAL);
	}
	peer_sync(fd, 2);
	if (node == 1) {
		harness_log("node 1 refused %llu frame requests of node 0",
			    (unsigned long long)(node_refused(0) - before));
		EXPECT_EQ(node_refused(0) - before, 3);
	}
	peer_sync(fd, 3);
	node_vm_detach(&vm);
	close(fd);
}

/*
 * Node 1's VM instance goes away (its process closes it): node 0's
 * access to a frame of B it does not hold ends in SIGBUS at once, B
 * frames it holds and range A keep working.
 */
TEST_TIMEOUT(vm_missing, 120)
{
	int node = my_node();
	struct event_wait seen;
	struct genl_conn ev;
	struct frame_stats st;
	struct node_vm vm;
	uint64_t t0;
	int fd;

	node_vm_attach(&vm, VM_MISSING);
	fd = peer_open(node, PEER_PORT + 4);
	if (node == 1) {
		fill(vm.b, key_of(1, 4, 0));
		fill(vm.b + VM_PAGE, key_of(1, 4, 1));
	}
	peer_sync(fd, 1);
	if (node == 0)
		EXPECT_EQ(check(vm.b, key_of(1, 4, 0)), -1);
	peer_sync(fd, 2);
	if (node == 1) {
		node_vm_detach(&vm);
		peer_sync(fd, 3);
		peer_sync(fd, 4);
		close(fd);
		return;
	}
	peer_sync(fd, 3);
	events_open(&ev);
	t0 = now_ms();
	EXPECT_FALSE(vm_touch(vm.b + VM_PAGE, false));
	harness_log("SIGBUS after %llu ms", (unsigned long long)(now_ms() - t0));
	EXPECT_LE(now_ms() - t0, 15000);
	EXPECT_TRUE(event_wait_for(&ev, SSIHV_CMD_EVENT_FRAME_UNAVAILABLE,
				   vm.id, 5000, &seen));
	EXPECT_EQ(seen.gpa, B_GPA + VM_PAGE);
	genl_conn_close(&ev);
	EXPECT_FALSE(vm_touch(vm.b + 2 * VM_PAGE, true));
	EXPECT_EQ(check(vm.b, key_of(1, 4, 0)), -1);
	EXPECT_TRUE(vm_touch(vm.a, true));
	EXPECT_TRUE(vm_touch(vm.a + VM_PAGE, false));
	frame_stats(vm.id, &st);
	EXPECT_GE(st.refused, 2);
	peer_sync(fd, 4);
	node_vm_detach(&vm);
	close(fd);
}

static void state_reply(struct nlattr **attrs, void *arg)
{
	ASSERT_TRUE(attrs[SSIHV_A_NODE_STATE]);
	*(uint8_t *)arg = nla_get_u8(attrs[SSIHV_A_NODE_STATE]);
}

static uint8_t node_state(uint32_t id)
{
	struct genl_conn conn;
	struct nl_call call;
	struct nl_msg *msg;
	uint8_t state = 0;

	ssihv_conn_open(&conn);
	msg = vm_request(&conn, SSIHV_CMD_GET_NODE, false, NULL);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, id), 0);
	ASSERT_EQ(nl_call(&conn, msg, state_reply, &state, &call), 0);
	genl_conn_close(&conn);
	return state;
}

static bool page_is_zero(const uint8_t *p)
{
	unsigned int i;

	for (i = 0; i < VM_PAGE; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * The events peer_dies waits for: the first FRAME_UNAVAILABLE and every
 * FRAMES_LOST of its VM.
 */
struct dies_events {
	uint64_t vm_id;
	bool unavailable;
	uint64_t unavailable_gpa;
	unsigned int nr_lost;
	struct {
		uint64_t gpa, last;
		uint32_t node;
	} lost[8];
};

static int dies_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct dies_events *e = arg;
	unsigned int n = e->nr_lost;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX, NULL) ||
	    !attrs[SSIHV_A_VM_ID] || attr_u64(attrs, SSIHV_A_VM_ID) != e->vm_id)
		return NL_SKIP;
	if (ghdr->cmd == SSIHV_CMD_EVENT_FRAME_UNAVAILABLE &&
	    !e->unavailable) {
		e->unavailable = true;
		e->unavailable_gpa = attr_u64(attrs, SSIHV_A_PAGE_GPA);
	} else if (ghdr->cmd == SSIHV_CMD_EVENT_FRAMES_LOST &&
		   n < ARRAY_SIZE(e->lost)) {
		e->lost[n].gpa = attr_u64(attrs, SSIHV_A_PAGE_GPA);
		e->lost[n].last = attr_u64(attrs, SSIHV_A_PAGE_GPA_LAST);
		e->lost[n].node = attrs[SSIHV_A_NODE_ID] ?
				  nla_get_u32(attrs[SSIHV_A_NODE_ID]) : ~0U;
		e->nr_lost++;
		harness_log("frames lost: %#llx-%#llx with node %u",
			    (unsigned long long)e->lost[n].gpa,
			    (unsigned long long)e->lost[n].last,
			    e->lost[n].node);
	}
	return NL_OK;
}

/* Take events for up to @ms, until FRAME_UNAVAILABLE and @runs runs came. */
static void dies_events_wait(struct genl_conn *conn, struct dies_events *e,
			     unsigned int runs, unsigned int ms)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(conn->sock),
			      .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	unsigned int waited = 0;

	ASSERT_TRUE(cb);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, dies_event, e);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, event_any_seq, NULL);
	while ((!e->unavailable || e->nr_lost < runs) && waited < ms) {
		if (poll(&pfd, 1, 50) > 0)
			nl_recvmsgs(conn->sock, cb);
		waited += 50;
	}
	nl_cb_put(cb);
}

/*
 * Node 1 writes frames 0-3 of B and frames 20-21 of A (homed on node 0),
 * turns placement off (reads of B get shared copies; node 0 does the
 * same for A), reads A 22 and A 23 and dies
 * (tests/vm/65 reboots it with sysrq once /tmp/peer_dies.ready exists).
 * Node 0 first takes the only copy of B 0 (read, then write); then it reads one frame
 * of B after another: each read either brings node 1's data (or a zeroed
 * frame for one never touched) as a shared copy or, once node 1 is gone,
 * ends in SIGBUS; none takes longer than the transport's bounds, and
 * FRAME_UNAVAILABLE names the frame.  FRAMES_LOST names what node 1 took
 * with it: A 20-21 and B from frame 1, the shared copies among them
 * (node 1 may only be cut off, and writing them behind the partition).
 * Once node 1 is marked down, every frame of B but B 0 fails at once,
 * B 0 keeps node 0's data, A 20 is SIGBUS and the rest of A keeps
 * working: A 22, of which node 1 read a shared copy, takes a write once
 * the fence has passed.  A process killed while its write of A 23 waits
 * in the fence leaves at once, and A 23 stays shared until a write after
 * the fence.
 */
TEST_TIMEOUT(peer_dies, 200)
{
	int node = my_node();
	uint64_t t0, dt, worst = 0, t_lost;
	struct dies_events seen = { .vm_id = VM_DIES };
	struct frame_stats st;
	struct genl_conn ev;
	struct node_vm vm;
	unsigned int i;
	int fd, held, status;
	pid_t pid;

	node_vm_attach(&vm, VM_DIES);
	fd = peer_open(node, PEER_PORT + 5);
	if (node == 1) {
		for (i = 0; i < 4; i++)
			fill(vm.b + i * VM_PAGE, key_of(1, 5, i));
		fill(vm.a + 20 * VM_PAGE, key_of(1, 5, 20));
		fill(vm.a + 21 * VM_PAGE, key_of(1, 5, 21));
		set_placement(SSIHV_PLACEMENT_OFF, 1, 1);
		peer_sync(fd, 1);
		EXPECT_EQ(check(vm.a + 22 * VM_PAGE, key_of(0, 5, 22)), -1);
		EXPECT_EQ(check(vm.a + 23 * VM_PAGE, key_of(0, 5, 23)), -1);
		peer_sync(fd, 2);
		close(creat("/tmp/peer_dies.ready", 0644));
		for (;;)
			pause();
	}
	fill(vm.a, key_of(0, 5, 0));
	fill(vm.a + 22 * VM_PAGE, key_of(0, 5, 22));
	fill(vm.a + 23 * VM_PAGE, key_of(0, 5, 23));
	/* The home's policy answers node 1's reads of A: shared copies. */
	set_placement(SSIHV_PLACEMENT_OFF, 1, 1);
	events_open(&ev);
	peer_sync(fd, 1);
	peer_sync(fd, 2);
	expect_page(vm.id, A_GPA + 22 * VM_PAGE, SSIHV_PAGE_SHARED, 0);
	expect_page(vm.id, A_GPA + 23 * VM_PAGE, SSIHV_PAGE_SHARED, 0);
	EXPECT_EQ(check(vm.b, key_of(1, 5, 0)), -1);
	fill(vm.b, key_of(0, 5, 100));
	expect_page(vm.id, B_GPA, SSIHV_PAGE_EXCLUSIVE, 0);
	for (i = 1; i < B_PAGES; i++) {
		t0 = now_ms();
		if (!vm_touch(vm.b + i * VM_PAGE, false))
			break;
		dt = now_ms() - t0;
		worst = dt > worst ? dt : worst;
		if (i < 4)
			EXPECT_EQ(check(vm.b + i * VM_PAGE, key_of(1, 5, i)),
				  -1);
		else
			EXPECT_TRUE(page_is_zero(vm.b + i * VM_PAGE));
		harness_sleep_ms(200);
	}
	held = (int)i;
	dt = now_ms() - t0;
	harness_log("%d frames of B came over (slowest %llu ms), then SIGBUS after %llu ms",
		    held, (unsigned long long)worst, (unsigned long long)dt);
	ASSERT_TRUE(i < B_PAGES);
	EXPECT_LE(dt, 30000);
	EXPECT_LE(worst, 30000);
	dies_events_wait(&ev, &seen, 2, 40000);
	/* FRAMES_LOST is sent as node 1 is marked down. */
	t_lost = now_ms();
	EXPECT_TRUE(seen.unavailable);
	EXPECT_EQ(seen.unavailable_gpa, B_GPA + held * VM_PAGE);
	ASSERT_EQ(seen.nr_lost, 2);
	EXPECT_EQ(seen.lost[0].gpa, A_GPA + 20 * VM_PAGE);
	EXPECT_EQ(seen.lost[0].last, A_GPA + 21 * VM_PAGE);
	EXPECT_EQ(seen.lost[0].node, 1);
	EXPECT_EQ(seen.lost[1].gpa, B_GPA + VM_PAGE);
	EXPECT_EQ(seen.lost[1].last, B_GPA + (B_PAGES - 1) * VM_PAGE);
	EXPECT_EQ(seen.lost[1].node, 1);
	genl_conn_close(&ev);
	for (i = 0; node_state(1) == SSIHV_NODE_UP; i++) {
		ASSERT_LE(i, 300);
		harness_sleep_ms(100);
	}
	t0 = now_ms();
	EXPECT_FALSE(vm_touch(vm.b + (B_PAGES - 1) * VM_PAGE, true));
	harness_log("node 1 down: SIGBUS after %llu ms",
		    (unsigned long long)(now_ms() - t0));
	EXPECT_LE(now_ms() - t0, 1000);
	EXPECT_EQ(check(vm.b, key_of(0, 5, 100)), -1);
	/* The shared copies went, or this checks nothing. */
	EXPECT_GE(held, 2);
	frame_stats(vm.id, &st);
	EXPECT_EQ(st.dropped, (uint64_t)held - 1);
	for (i = 1; i < (unsigned int)held; i++)
		EXPECT_FALSE(vm_touch(vm.b + i * VM_PAGE, false));
	EXPECT_EQ(check(vm.a, key_of(0, 5, 0)), -1);
	/*
	 * A writer of A 23 waits in the fence (it is still there a second
	 * later) but leaves as soon as it is killed, without the write:
	 * A 23 stays shared, node 1 still named in its copy set.
	 */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		fill(vm.a + 23 * VM_PAGE, key_of(0, 5, 99));
		_exit(0);
	}
	harness_sleep_ms(1000);
	EXPECT_EQ(waitpid(pid, &status, WNOHANG), 0);
	t0 = now_ms();
	kill(pid, SIGKILL);
	EXPECT_EQ(waitpid(pid, &status, 0), pid);
	harness_log("a writer killed in the fence left after %llu ms",
		    (unsigned long long)(now_ms() - t0));
	EXPECT_LE(now_ms() - t0, 1000);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	expect_page(vm.id, A_GPA + 23 * VM_PAGE, SSIHV_PAGE_SHARED, 0);
	EXPECT_EQ(check(vm.a + 23 * VM_PAGE, key_of(0, 5, 23)), -1);
	/*
	 * Node 1's copy of A 22 cannot be taken back: the write waits out
	 * the fence (node 1 may be alive behind a partition until its own
	 * heartbeat drops the copy), then goes on: SSIHV_FENCE_MS (7 s)
	 * after node 1 was marked down, well after FRAMES_LOST came.
	 */
	t0 = now_ms();
	fill(vm.a + 22 * VM_PAGE, key_of(0, 5, 122));
	harness_log("A 22 written after %llu ms (node 1 held a copy), %llu ms after FRAMES_LOST",
		    (unsigned long long)(now_ms() - t0),
		    (unsigned long long)(now_ms() - t_lost));
	EXPECT_LE(now_ms() - t0, 10000);
	EXPECT_GE(now_ms() - t_lost, 5000);
	expect_page(vm.id, A_GPA + 22 * VM_PAGE, SSIHV_PAGE_EXCLUSIVE, 0);
	EXPECT_EQ(check(vm.a + 22 * VM_PAGE, key_of(0, 5, 122)), -1);
	/* The fence has passed: A 23 takes its write at once. */
	t0 = now_ms();
	fill(vm.a + 23 * VM_PAGE, key_of(0, 5, 123));
	EXPECT_LE(now_ms() - t0, 1000);
	expect_page(vm.id, A_GPA + 23 * VM_PAGE, SSIHV_PAGE_EXCLUSIVE, 0);
	EXPECT_EQ(check(vm.a + 23 * VM_PAGE, key_of(0, 5, 123)), -1);
	EXPECT_FALSE(vm_touch(vm.a + 20 * VM_PAGE, false));
	EXPECT_TRUE(vm_touch(vm.a + 7 * VM_PAGE, true));
	set_placement_default();
	node_vm_detach(&vm);
	close(fd);
}
