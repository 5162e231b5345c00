// SPDX-License-Identifier: GPL-2.0
/*
 * Three nodes, one VM, every frame coherent (issue 7): run on nodes 0, 1
 * and 2 at once by tests/vm/67-msi-three-nodes.sh, which brings up
 * Soft-RoCE, loads the module as each node, joins them, starts this
 * program on each with MSI3=1 and creates /tmp/msi3.go once all three
 * have attached (the program prints "attached" then).  Without MSI3=1
 * (e.g. in run-all on one VM) it skips.
 *
 * Ranges R0, R1, R2 are homed on nodes 0, 1 and 2.  Two threads per node
 * hammer 12 frames, 4 in each range (selftests/hammer.h: no lost write,
 * no stale read, words well formed), for MSI3_SECONDS (default 20).  The
 * nodes meet at barriers kept in the VM's own memory (a frame of R0 with
 * one word per node), and every node writes its threads' final values
 * into another frame of R0, so the last check, that every slot of every
 * frame holds its writer's last value on every node, also goes through
 * the coherence protocol.  The script creates /tmp/msi3.exit once every
 * node has printed "checked".
 */
#include <pthread.h>
#include <sys/ioctl.h>

#include "harness.h"
#include "hammer.h"
#include "vm_nl_util.h"

#define NODES		3
#define RANGE_PAGES	64ULL
#define VM_ID		0x6700000001ULL
#define CTL_FRAME	0	/* of R0: barrier words, one per node */
#define FINAL_FRAME	1	/* of R0: final values, one per slot */

static uint8_t *ranges[NODES];

static uint64_t range_gpa(unsigned int n)
{
	return (uint64_t)n << 20;
}

/* Every access to these goes through __atomic builtins. */
static uint64_t *word(unsigned int frame, unsigned int i)
{
	return (uint64_t *)(ranges[0] + frame * VM_PAGE) + i * 8;
}

/* Everybody reaches @gen (each node's own word, 64 bytes apart). */
static void node_barrier(unsigned int node, uint64_t gen)
{
	uint64_t t0 = now_ms();
	unsigned int n, done;

	__atomic_store_n(word(CTL_FRAME, node), gen, __ATOMIC_RELEASE);
	for (;;) {
		for (done = 0, n = 0; n < NODES; n++)
			done += __atomic_load_n(word(CTL_FRAME, n),
						__ATOMIC_ACQUIRE) >= gen;
		if (done == NODES)
			return;
		if (now_ms() - t0 > 180000)
			FAIL("meeting %llu: only %u of %u nodes came",
			     (unsigned long long)gen, done, NODES);
		harness_sleep_ms(20);
	}
}

TEST_TIMEOUT(three_nodes_hammer, 400)
{
	const char *on = getenv("MSI3"), *me = getenv("SSIHV_NODE");
	struct ssihv_mem_range r[NODES];
	struct hammer h[2] = {};
	struct genl_conn conn;
	struct vm_stats st;
	pthread_t t[2];
	unsigned int node, n, i, s, f;
	uint64_t ms = 20000, t0;
	int fd;

	if (!on || strcmp(on, "1") || !me)
		SKIP("three-node test: run by tests/vm/67-msi-three-nodes.sh");
	node = (unsigned int)atoi(me);
	ASSERT_LE(node, NODES - 1);
	if (getenv("MSI3_SECONDS"))
		ms = strtoull(getenv("MSI3_SECONDS"), NULL, 10) * 1000;

	ensure_module();
	for (n = 0; n < NODES; n++)
		r[n] = vm_range(range_gpa(n), RANGE_PAGES * VM_PAGE, n,
				SSIHV_NUMA_ANY);
	fd = vm_create(VM_ID, r, NODES);
	for (n = 0; n < NODES; n++)
		ranges[n] = vm_map(fd, range_gpa(n), RANGE_PAGES * VM_PAGE);
	printf("# attached\n");
	fflush(stdout);
	for (i = 0; access("/tmp/msi3.go", F_OK); i++) {
		ASSERT_LE(i, 1800);
		harness_sleep_ms(100);
	}

	node_barrier(node, 1);
	for (i = 0; i < 2; i++) {
		for (f = 0; f < 4 * NODES; f++)
			h[i].frames[f] = (uint64_t *)(ranges[f % NODES] +
						      (10 + f / NODES) * VM_PAGE);
		h[i].nr_frames = 4 * NODES;
		h[i].nr_slots = 2 * NODES;
		h[i].slot = node * 2 + i;
		h[i].ms = ms;
	}
	t0 = now_ms();
	for (i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&t[i], NULL, hammer_thread, &h[i]), 0);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(pthread_join(t[i], NULL), 0);
		if (h[i].error[0])
			FAIL("node %u thread %u: %s", node, i, h[i].error);
	}
	harness_log("node %u: 2 threads, %llu and %llu passes over %u frames in %llu ms",
		    node, (unsigned long long)h[0].iters,
		    (unsigned long long)h[1].iters, h[0].nr_frames,
		    (unsigned long long)(now_ms() - t0));
	for (i = 0; i < 2; i++)
		__atomic_store_n(word(FINAL_FRAME, node * 2 + i), h[i].iters,
				 __ATOMIC_RELEASE);

	/* Everybody is done: every slot holds its writer's last value. */
	node_barrier(node, 2);
	for (s = 0; s < 2 * NODES; s++) {
		uint64_t final = __atomic_load_n(word(FINAL_FRAME, s),
						 __ATOMIC_ACQUIRE);

		EXPECT_GE(final, 1);
		EXPECT_EQ(hammer_check_final(&h[0], s, final), -1);
	}
	ssihv_conn_open(&conn);
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(stats_get(&conn, VM_ID, &st), 0);
	genl_conn_close(&conn);
	harness_log("node %u: remote faults %llu, refused %llu", node,
		    (unsigned long long)st.remote,
		    (unsigned long long)st.refused);
	EXPECT_GE(st.remote, 10);
	EXPECT_EQ(st.refused, 0);
	/*
	 * Nobody detaches before all checked: node 0 leaving takes the
	 * frames of R0 with it, the barrier frame among them (the others
	 * give the only copies they hold back to the homes), so the last
	 * handshake is the script's (/tmp/msi3.exit).
	 */
	node_barrier(node, 3);
	printf("# checked\n");
	fflush(stdout);
	for (i = 0; access("/tmp/msi3.exit", F_OK); i++) {
		ASSERT_LE(i, 3000);
		harness_sleep_ms(100);
	}
	for (n = 0; n < NODES; n++)
		munmap(ranges[n], RANGE_PAGES * VM_PAGE);
	close(fd);
}
