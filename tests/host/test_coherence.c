// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the coherence protocol (kmod/proto/coherence.c), the
 * same file the module will compile:
 *
 *  - every transition of the node machine, table driven, and every other
 *    (state, message, flags) combination rejected with the state unchanged;
 *  - the home machine's transitions and races, scenario by scenario;
 *  - an in-process simulator: 3 or 4 nodes, 2 to 4 frames, one message
 *    queue per directed link delivered in FIFO order (what an RC QP gives)
 *    or fully reordered, seeded random accesses and evictions, with
 *    single-writer, data-value and no-lost-write checks after every step,
 *    a bounded quiesce at the end (no deadlock, every request completed),
 *    and runs where one node dies.
 *
 * Environment: COH_SEED=n replays one seed (printed on failure),
 * COH_SEEDS=n sets seeds per configuration, COH_STEPS=n steps per seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../kmod/proto/coherence.c"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FRAME 7
#define NTYPES (COH_MSG_MAX + 2)	/* 0 and one past the last, too */

static struct coh_msg mk(unsigned int type, unsigned int flags,
			 unsigned int src, unsigned int dst, u64 value)
{
	struct coh_msg m = {
		.frame = FRAME, .value = value, .src = src, .dst = dst,
		.type = type, .flags = flags,
	};

	return m;
}

/* ------------------------------------------------------------------ */
/* Node machine                                                        */
/* ------------------------------------------------------------------ */

/* Node 1 of 3, home 0. */
static void node_in(struct coh_node *ns, unsigned int state, u64 value)
{
	assert_int_equal(coh_node_init(ns, FRAME, 1, 0, 3), COH_OK);
	ns->state = state;
	ns->value = value;
}

struct node_tr {
	u8 state, type, flags;
	int ret;
	u8 next;
	u8 out_type;		/* 0: no message */
	u8 out_flags;
};

/* Every accepted (state, message, flags) of the node machine. */
static const struct node_tr node_table[] = {
	{ COH_N_IS_D, COH_DATA, 0, COH_COMPLETE, COH_N_S, COH_DONE, 0 },
	{ COH_N_IM_D, COH_DATA, COH_F_EXCL, COH_COMPLETE, COH_N_M,
	  COH_DONE, 0 },
	{ COH_N_SM_D, COH_DATA, COH_F_EXCL, COH_COMPLETE, COH_N_M,
	  COH_DONE, 0 },
	{ COH_N_I, COH_INV, 0, COH_OK, COH_N_I, COH_INV_ACK, 0 },
	{ COH_N_S, COH_INV, 0, COH_OK, COH_N_I, COH_INV_ACK, 0 },
	{ COH_N_IS_D, COH_INV, 0, COH_OK, COH_N_IS_D, COH_INV_ACK, 0 },
	{ COH_N_IM_D, COH_INV, 0, COH_OK, COH_N_IM_D, COH_INV_ACK, 0 },
	{ COH_N_SM_D, COH_INV, 0, COH_OK, COH_N_IM_D, COH_INV_ACK, 0 },
	{ COH_N_M, COH_FWD, 0, COH_OK, COH_N_S, COH_WRITEBACK,
	  COH_F_DATA | COH_F_SHARED },
	{ COH_N_M, COH_FWD, COH_F_EXCL, COH_OK, COH_N_I, COH_WRITEBACK,
	  COH_F_DATA },
	{ COH_N_MI_A, COH_FWD, 0, COH_OK, COH_N_II_A, COH_WRITEBACK,
	  COH_F_DATA | COH_F_EVICTING },
	{ COH_N_MI_A, COH_FWD, COH_F_EXCL, COH_OK, COH_N_II_A, COH_WRITEBACK,
	  COH_F_DATA | COH_F_EVICTING },
	{ COH_N_I_F, COH_FWD, 0, COH_OK, COH_N_I, COH_WRITEBACK, 0 },
	{ COH_N_I_F, COH_FWD, COH_F_EXCL, COH_OK, COH_N_I, COH_WRITEBACK, 0 },
	{ COH_N_MI_A, COH_EVICT_ACK, 0, COH_OK, COH_N_I, 0, 0 },
	{ COH_N_MI_A, COH_EVICT_ACK, COH_F_FWD, COH_OK, COH_N_I_F, 0, 0 },
	{ COH_N_II_A, COH_EVICT_ACK, 0, COH_OK, COH_N_I, 0, 0 },
	{ COH_N_II_A, COH_EVICT_ACK, COH_F_FWD, COH_OK, COH_N_I, 0, 0 },
	{ COH_N_IS_D, COH_LOST, 0, COH_FAILED, COH_N_LOST, 0, 0 },
	{ COH_N_IM_D, COH_LOST, 0, COH_FAILED, COH_N_LOST, 0, 0 },
	{ COH_N_SM_D, COH_LOST, 0, COH_FAILED, COH_N_LOST, 0, 0 },
};

static const struct node_tr *node_lookup(unsigned int state,
					 unsigned int type,
					 unsigned int flags)
{
	for (size_t i = 0; i < ARRAY_SIZE(node_table); i++)
		if (node_table[i].state == state &&
		    node_table[i].type == type &&
		    node_table[i].flags == flags)
			return &node_table[i];
	return NULL;
}

/* The error a rejected message must get. */
static int expected_error(unsigned int t, unsigned int f, bool to_home)
{
	if (t < COH_READ_REQ || t >= COH_MSG_MAX || coh_to_home(t) != to_home)
		return COH_ERR_TYPE;
	if (f & ~coh_flags_allowed[t])
		return COH_ERR_FLAGS;
	return COH_ERR_STATE;
}

/* One (state, type, flags) against the table; returns true if accepted. */
static bool node_try(unsigned int s, unsigned int t, unsigned int f)
{
	struct coh_msg out[COH_MAX_OUT];
	struct coh_msg in = mk(t, f, 0, 1, 555);
	const struct node_tr *tr = node_lookup(s, t, f);
	unsigned int n = COH_MAX_OUT;
	struct coh_node ns, before;
	int ret;

	node_in(&ns, s, 100);
	before = ns;
	ret = coh_node_handle(&ns, &in, out, &n);
	if (!tr) {
		assert_int_equal(ret, expected_error(t, f, false));
		assert_memory_equal(&ns, &before, sizeof(ns));
		return false;
	}
	assert_int_equal(ret, tr->ret);
	assert_int_equal(ns.state, tr->next);
	assert_int_equal(ns.value, t == COH_DATA ? 555 : 100);
	if (!tr->out_type) {
		assert_int_equal(n, 0);
		return true;
	}
	assert_int_equal(n, 1);
	assert_int_equal(out[0].type, tr->out_type);
	assert_int_equal(out[0].flags, tr->out_flags);
	assert_int_equal(out[0].src, 1);
	assert_int_equal(out[0].dst, 0);
	assert_int_equal(out[0].frame, FRAME);
	if (tr->out_flags & COH_F_DATA)
		assert_int_equal(out[0].value, 100);
	return true;
}

/*
 * Every state x every type x every flags pattern: the table's
 * transitions happen exactly, everything else is rejected with the right
 * error and the state unchanged.
 */
static void test_node_every_transition(void **state)
{
	unsigned int hits = 0;

	for (unsigned int s = 0; s < COH_N_NSTATES; s++)
		for (unsigned int t = 0; t < NTYPES; t++)
			for (unsigned int f = 0; f < 0x40; f++)
				hits += node_try(s, t, f);
	assert_int_equal(hits, ARRAY_SIZE(node_table));
}

static void test_node_bad_fields(void **state)
{
	struct coh_msg out[COH_MAX_OUT];
	struct coh_node ns, before;
	struct coh_msg in;
	unsigned int n;

	node_in(&ns, COH_N_IS_D, 1);
	before = ns;
	/* From a node that is not the home, or out of range. */
	in = mk(COH_DATA, 0, 2, 1, 9);
	n = COH_MAX_OUT;
	assert_int_equal(coh_node_handle(&ns, &in, out, &n), COH_ERR_NODE);
	in.src = 3;
	assert_int_equal(coh_node_handle(&ns, &in, out, &n), COH_ERR_NODE);
	in.src = 0xffff;
	assert_int_equal(coh_node_handle(&ns, &in, out, &n), COH_ERR_NODE);
	/* To another node. */
	in = mk(COH_DATA, 0, 0, 2, 9);
	assert_int_equal(coh_node_handle(&ns, &in, out, &n), COH_ERR_NODE);
	/* Another frame. */
	in = mk(COH_DATA, 0, 0, 1, 9);
	in.frame = FRAME + 1;
	assert_int_equal(coh_node_handle(&ns, &in, out, &n), COH_ERR_FRAME);
	/* No room for the answer. */
	in = mk(COH_DATA, 0, 0, 1, 9);
	n = 0;
	assert_int_equal(coh_node_handle(&ns, &in, out, &n),
			 COH_ERR_NOSPACE);
	assert_memory_equal(&ns, &before, sizeof(ns));
	n = 1;
	assert_int_equal(coh_node_handle(&ns, &in, out, &n), COH_COMPLETE);
	assert_int_equal(ns.state, COH_N_S);

	/* Bad init parameters. */
	assert_int_equal(coh_node_init(&ns, 0, 0, 0, 0), COH_ERR_PARAM);
	assert_int_equal(coh_node_init(&ns, 0, 3, 0, 3), COH_ERR_PARAM);
	assert_int_equal(coh_node_init(&ns, 0, 0, 3, 3), COH_ERR_PARAM);
	assert_int_equal(coh_node_init(&ns, 0, 0, 0, COH_MAX_NODES + 1),
			 COH_ERR_PARAM);
	assert_int_equal(coh_node_init(&ns, 0, 63, 0, COH_MAX_NODES),
			 COH_OK);
}

struct access_tr {
	u8 state;
	bool write;
	int ret;
	u8 next;
	u8 out_type;
};

static const struct access_tr access_table[] = {
	{ COH_N_I, false, COH_MISS, COH_N_IS_D, COH_READ_REQ },
	{ COH_N_I, true, COH_MISS, COH_N_IM_D, COH_WRITE_REQ },
	{ COH_N_S, false, COH_HIT, COH_N_S, 0 },
	{ COH_N_S, true, COH_MISS, COH_N_SM_D, COH_WRITE_REQ },
	{ COH_N_M, false, COH_HIT, COH_N_M, 0 },
	{ COH_N_M, true, COH_HIT, COH_N_M, 0 },
	{ COH_N_IS_D, false, COH_BUSY, COH_N_IS_D, 0 },
	{ COH_N_IS_D, true, COH_BUSY, COH_N_IS_D, 0 },
	{ COH_N_IM_D, false, COH_BUSY, COH_N_IM_D, 0 },
	{ COH_N_IM_D, true, COH_BUSY, COH_N_IM_D, 0 },
	{ COH_N_SM_D, false, COH_HIT, COH_N_SM_D, 0 },
	{ COH_N_SM_D, true, COH_BUSY, COH_N_SM_D, 0 },
	{ COH_N_MI_A, false, COH_BUSY, COH_N_MI_A, 0 },
	{ COH_N_MI_A, true, COH_BUSY, COH_N_MI_A, 0 },
	{ COH_N_II_A, false, COH_BUSY, COH_N_II_A, 0 },
	{ COH_N_II_A, true, COH_BUSY, COH_N_II_A, 0 },
	{ COH_N_I_F, false, COH_BUSY, COH_N_I_F, 0 },
	{ COH_N_I_F, true, COH_BUSY, COH_N_I_F, 0 },
	{ COH_N_LOST, false, COH_ERR_LOST, COH_N_LOST, 0 },
	{ COH_N_LOST, true, COH_ERR_LOST, COH_N_LOST, 0 },
};

static void test_node_access(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(access_table); i++) {
		const struct access_tr *tr = &access_table[i];
		struct coh_msg out[COH_MAX_OUT];
		struct coh_node ns;
		unsigned int n = COH_MAX_OUT;
		u64 v = 42;

		node_in(&ns, tr->state, 100);
		assert_int_equal(coh_node_access(&ns, tr->write, &v, out, &n),
				 tr->ret);
		assert_int_equal(ns.state, tr->next);
		if (tr->ret == COH_HIT && tr->write) {
			assert_int_equal(ns.value, 42);
		} else {
			assert_int_equal(ns.value, 100);
			if (tr->ret == COH_HIT)
				assert_int_equal(v, 100);
		}
		if (tr->ret < 0)
			continue;
		assert_int_equal(n, tr->out_type ? 1 : 0);
		if (tr->out_type) {
			assert_int_equal(out[0].type, tr->out_type);
			assert_int_equal(out[0].flags, 0);
			assert_int_equal(out[0].src, 1);
			assert_int_equal(out[0].dst, 0);
			assert_int_equal(out[0].frame, FRAME);
		}
	}
	/* No room: refused before anything changes. */
	{
		struct coh_msg out[1];
		struct coh_node ns;
		unsigned int n = 0;
		u64 v = 0;

		node_in(&ns, COH_N_I, 0);
		assert_int_equal(coh_node_access(&ns, false, &v, out, &n),
				 COH_ERR_NOSPACE);
		assert_int_equal(ns.state, COH_N_I);
		assert_int_equal(coh_node_evict(&ns, out, &n),
				 COH_ERR_NOSPACE);
	}
}

static void test_node_evict_and_home_lost(void **state)
{
	static const struct {
		u8 state;
		int ret;
		u8 next;
		bool msg;
	} t[] = {
		{ COH_N_I, COH_OK, COH_N_I, false },
		{ COH_N_S, COH_OK, COH_N_I, false },
		{ COH_N_M, COH_OK, COH_N_MI_A, true },
		{ COH_N_IS_D, COH_BUSY, COH_N_IS_D, false },
		{ COH_N_IM_D, COH_BUSY, COH_N_IM_D, false },
		{ COH_N_SM_D, COH_BUSY, COH_N_SM_D, false },
		{ COH_N_MI_A, COH_BUSY, COH_N_MI_A, false },
		{ COH_N_II_A, COH_BUSY, COH_N_II_A, false },
		{ COH_N_I_F, COH_BUSY, COH_N_I_F, false },
		{ COH_N_LOST, COH_OK, COH_N_LOST, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct coh_msg out[COH_MAX_OUT];
		struct coh_node ns;
		unsigned int n = COH_MAX_OUT;

		node_in(&ns, t[i].state, 77);
		assert_int_equal(coh_node_evict(&ns, out, &n), t[i].ret);
		assert_int_equal(ns.state, t[i].next);
		if (t[i].ret == COH_OK)
			assert_int_equal(n, t[i].msg ? 1 : 0);
		if (t[i].msg) {
			assert_int_equal(out[0].type, COH_EVICT);
			assert_int_equal(out[0].value, 77);
			assert_int_equal(out[0].dst, 0);
		}
		/* Losing the home fails exactly the pending accesses. */
		node_in(&ns, t[i].state, 77);
		assert_int_equal(coh_node_home_lost(&ns),
				 (t[i].state == COH_N_IS_D ||
				  t[i].state == COH_N_IM_D ||
				  t[i].state == COH_N_SM_D) ?
				 COH_FAILED : COH_OK);
		assert_int_equal(ns.state, COH_N_LOST);
	}
}

/* ------------------------------------------------------------------ */
/* Home machine                                                        */
/* ------------------------------------------------------------------ */

/*
 * Every home state a scenario passes through is kept, and afterwards
 * every message (type x src x dst x flags) is thrown at a copy of each:
 * an error must leave the copy unchanged.
 */
#define MAX_SNAP 512
static struct coh_dir snaps[MAX_SNAP];
static unsigned int nsnaps;

static void snap(const struct coh_dir *d)
{
	if (nsnaps < MAX_SNAP)
		snaps[nsnaps++] = *d;
}

static struct coh_msg hout[COH_MAX_OUT];
static unsigned int hn;

/* Feed one message to the home, expect ret, keep the outputs in hout. */
static void home_do(struct coh_dir *d, struct coh_msg in, int ret)
{
	struct coh_dir before = *d;
	int got;

	snap(d);
	hn = COH_MAX_OUT;
	in.dst = d->home;
	got = coh_home_handle(d, &in, hout, &hn);
	if (got != ret)
		fail_msg("home: type %u from %u: got %d, expected %d",
			 in.type, in.src, got, ret);
	if (got < 0)
		assert_memory_equal(d, &before, sizeof(*d));
	snap(d);
}

static void expect_out(unsigned int i, unsigned int type, unsigned int flags,
		       unsigned int dst, u64 value)
{
	assert_true(i < hn);
	assert_int_equal(hout[i].type, type);
	assert_int_equal(hout[i].flags, flags);
	assert_int_equal(hout[i].dst, dst);
	assert_int_equal(hout[i].src, 0);
	assert_int_equal(hout[i].frame, FRAME);
	if (type == COH_DATA)
		assert_int_equal(hout[i].value, value);
}

static void dir_new(struct coh_dir *d, unsigned int nnodes)
{
	assert_int_equal(coh_dir_init(d, FRAME, 0, nnodes, 1000), COH_OK);
}

#define REQ(t, s)	mk(t, 0, s, 0, 0)
#define M0(t, f, s, v)	mk(t, f, s, 0, v)

static void test_home_read_write_from_i(void **state)
{
	struct coh_dir d;

	dir_new(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_DATA, 0, 1, 1000);
	assert_int_equal(d.state, COH_DIR_S);
	assert_int_equal(d.phase, COH_WAIT_DONE);
	assert_int_equal(d.copyset, 0x2);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	assert_int_equal(hn, 0);
	assert_int_equal(d.phase, COH_IDLE);

	/* A second reader joins the copy set. */
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	expect_out(0, COH_DATA, 0, 2, 1000);
	assert_int_equal(d.copyset, 0x6);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);

	dir_new(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 1000);
	assert_int_equal(d.state, COH_DIR_M);
	assert_int_equal(d.owner, 2);
	assert_int_equal(d.copyset, 0);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	assert_int_equal(d.phase, COH_IDLE);

	/* The home node itself goes through the same machine. */
	dir_new(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 0), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 0, 1000);
	home_do(&d, REQ(COH_DONE, 0), COH_OK);
	assert_int_equal(d.owner, 0);
}

static void test_home_write_invalidates_sharers(void **state)
{
	struct coh_dir d;

	dir_new(&d, 4);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 3), COH_OK);
	home_do(&d, REQ(COH_DONE, 3), COH_OK);
	assert_int_equal(d.copyset, 0xe);

	/* Upgrade by 1: INV to 2 and 3, grant after both acks. */
	home_do(&d, REQ(COH_WRITE_REQ, 1), COH_OK);
	assert_int_equal(hn, 2);
	expect_out(0, COH_INV, 0, 2, 0);
	expect_out(1, COH_INV, 0, 3, 0);
	assert_int_equal(d.phase, COH_WAIT_ACKS);
	/* Acks from nodes that owe none, and DONE, are rejected. */
	home_do(&d, REQ(COH_INV_ACK, 1), COH_ERR_STATE);
	home_do(&d, REQ(COH_INV_ACK, 0), COH_ERR_STATE);
	home_do(&d, REQ(COH_DONE, 1), COH_ERR_STATE);
	home_do(&d, REQ(COH_INV_ACK, 3), COH_OK);
	assert_int_equal(hn, 0);
	home_do(&d, REQ(COH_INV_ACK, 3), COH_ERR_STATE);
	home_do(&d, REQ(COH_INV_ACK, 2), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_DATA, COH_F_EXCL, 1, 1000);
	assert_int_equal(d.state, COH_DIR_M);
	assert_int_equal(d.owner, 1);
	assert_int_equal(d.copyset, 0);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);

	/* Sole sharer upgrading: no INV at all. */
	dir_new(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 1000);
}

/* Frame in M at node 1 with value 1000 at the home. */
static void dir_m1(struct coh_dir *d, unsigned int nnodes)
{
	dir_new(d, nnodes);
	home_do(d, REQ(COH_WRITE_REQ, 1), COH_OK);
	home_do(d, REQ(COH_DONE, 1), COH_OK);
}

static void test_home_forward(void **state)
{
	struct coh_dir d;

	/* Read miss on an M frame: owner downgrades to S and writes back. */
	dir_m1(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_FWD, 0, 1, 0);
	assert_int_equal(d.phase, COH_WAIT_WB);
	/* Not from the owner, not without data, not shared on EVICTING. */
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 2, 5), COH_ERR_STATE);
	home_do(&d, M0(COH_WRITEBACK, 0, 1, 5), COH_ERR_STATE);
	home_do(&d, M0(COH_WRITEBACK, COH_F_SHARED, 1, 5), COH_ERR_STATE);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_SHARED |
		       COH_F_EVICTING, 1, 5), COH_ERR_FLAGS);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_SHARED, 1, 5),
		COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_DATA, 0, 2, 5);
	assert_int_equal(d.value, 5);
	assert_int_equal(d.state, COH_DIR_S);
	assert_int_equal(d.copyset, 0x6);
	assert_int_equal(d.owner, COH_NO_NODE);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);

	/* Write miss on an M frame: owner invalidates and writes back. */
	dir_m1(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	expect_out(0, COH_FWD, COH_F_EXCL, 1, 0);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_SHARED, 1, 6),
		COH_ERR_FLAGS);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 1, 6), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 6);
	assert_int_equal(d.state, COH_DIR_M);
	assert_int_equal(d.owner, 2);
	assert_int_equal(d.copyset, 0);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);

	/* Its next request may overtake its WRITEBACK: it waits. */
	dir_m1(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	assert_int_equal(hn, 0);
	assert_int_equal(d.rdq, 0x2);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 1, 7), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 7);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	expect_out(0, COH_FWD, 0, 2, 0);

	/* The owner never asks for its own frame otherwise. */
	dir_m1(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_ERR_STATE);
	home_do(&d, REQ(COH_WRITE_REQ, 1), COH_ERR_STATE);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 1, 8), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_ERR_STATE);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_ERR_STATE);
}

static void test_home_evict(void **state)
{
	struct coh_dir d;

	/* Voluntary writeback of an idle M frame. */
	dir_m1(&d, 3);
	home_do(&d, M0(COH_EVICT, 0, 2, 9), COH_ERR_STATE);
	home_do(&d, M0(COH_EVICT, 0, 1, 9), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_EVICT_ACK, 0, 1, 0);
	assert_int_equal(d.state, COH_DIR_I);
	assert_int_equal(d.value, 9);
	assert_int_equal(d.owner, COH_NO_NODE);
	home_do(&d, M0(COH_EVICT, 0, 1, 9), COH_ERR_STATE);

	/* Evicted before its DONE arrived (reordered): still fine. */
	dir_new(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 1), COH_OK);
	home_do(&d, M0(COH_EVICT, 0, 1, 11), COH_OK);
	expect_out(0, COH_EVICT_ACK, 0, 1, 0);
	assert_int_equal(d.state, COH_DIR_I);
	assert_int_equal(d.phase, COH_WAIT_DONE);
	/* Its next request overtakes the DONE too: it waits for it. */
	home_do(&d, REQ(COH_WRITE_REQ, 1), COH_OK);
	assert_int_equal(hn, 0);
	assert_int_equal(d.wrq, 0x2);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 1, 11);
	assert_int_equal(d.value, 11);
}

/*
 * The owner wrote back (EVICT) while the home sent it a FWD.  In FIFO
 * order the home sees the EVICT first, acks it with F_FWD, and the owner,
 * still in MI_A when the FWD arrives, answers with its data; reordered,
 * the ack may come first (owner goes I_F) and the answer carries nothing.
 */
static void test_home_fwd_crosses_evict(void **state)
{
	struct coh_dir d;

	dir_m1(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	home_do(&d, M0(COH_EVICT, 0, 1, 21), COH_OK);
	expect_out(0, COH_EVICT_ACK, COH_F_FWD, 1, 0);
	assert_int_equal(d.wb_seen, 1);
	assert_int_equal(d.value, 21);
	home_do(&d, M0(COH_EVICT, 0, 1, 21), COH_ERR_STATE);
	/* Having evicted it cannot keep a copy, nor answer without F_EVICTING. */
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 1, 21), COH_ERR_STATE);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_SHARED, 1, 21),
		COH_ERR_STATE);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_EVICTING, 1, 21),
		COH_OK);
	expect_out(0, COH_DATA, 0, 2, 21);
	assert_int_equal(d.copyset, 0x4);
	assert_int_equal(d.stale_evict, 0);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);

	dir_m1(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	home_do(&d, M0(COH_EVICT, 0, 1, 22), COH_OK);
	home_do(&d, M0(COH_WRITEBACK, 0, 1, 0), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 22);
	assert_int_equal(d.owner, 2);
}

/* Reordered the other way: the FWD's answer overtakes the EVICT. */
static void test_home_stale_evict(void **state)
{
	struct coh_dir d;

	dir_m1(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_EVICTING, 1, 31),
		COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 31);
	assert_int_equal(d.stale_evict, 0x2);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	/* The late EVICT is acked and ignored: node 2 owns the frame. */
	home_do(&d, M0(COH_EVICT, 0, 1, 30), COH_OK);
	expect_out(0, COH_EVICT_ACK, 0, 1, 0);
	assert_int_equal(d.stale_evict, 0);
	assert_int_equal(d.owner, 2);
	assert_int_equal(d.value, 31);
	home_do(&d, M0(COH_EVICT, 0, 1, 30), COH_ERR_STATE);
}

/*
 * Two nodes write-miss at once: the first to arrive is served, the other
 * is queued (no NACK) and served from the first one's DONE.
 */
static void test_home_concurrent_writes_queue(void **state)
{
	struct coh_dir d;

	dir_new(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	assert_int_equal(hn, 0);
	assert_int_equal(d.wrq, 0x4);
	/* Duplicates and the requester asking again are protocol errors. */
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_ERR_STATE);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_ERR_STATE);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_ERR_STATE);
	home_do(&d, REQ(COH_DONE, 2), COH_ERR_STATE);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	assert_int_equal(hn, 1);
	expect_out(0, COH_FWD, COH_F_EXCL, 1, 0);
	assert_int_equal(d.req, 2);
	assert_int_equal(d.wrq, 0);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 1, 40), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 2, 40);
}

/* A request arriving while an invalidation round is in flight waits. */
static void test_home_request_during_inv(void **state)
{
	struct coh_dir d;

	dir_new(&d, 4);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	home_do(&d, REQ(COH_WRITE_REQ, 3), COH_OK);
	assert_int_equal(hn, 2);
	/* Node 1 dropped its copy silently and reads again: it waits. */
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	assert_int_equal(hn, 0);
	home_do(&d, REQ(COH_WRITE_REQ, 0), COH_OK);
	assert_int_equal(hn, 0);
	home_do(&d, REQ(COH_INV_ACK, 1), COH_OK);
	home_do(&d, REQ(COH_INV_ACK, 2), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 3, 1000);
	/* Round robin after 3: node 0, then node 1. */
	home_do(&d, REQ(COH_DONE, 3), COH_OK);
	expect_out(0, COH_FWD, COH_F_EXCL, 3, 0);
	assert_int_equal(d.req, 0);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA, 3, 50), COH_OK);
	expect_out(0, COH_DATA, COH_F_EXCL, 0, 50);
	home_do(&d, REQ(COH_DONE, 0), COH_OK);
	expect_out(0, COH_FWD, 0, 0, 0);
	assert_int_equal(d.req, 1);
}

static void test_home_bad_fields(void **state)
{
	struct coh_msg out[COH_MAX_OUT];
	struct coh_dir d, before;
	struct coh_msg in;
	unsigned int n;

	dir_new(&d, 3);
	before = d;
	n = COH_MAX_OUT;
	in = REQ(COH_READ_REQ, 3);
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_NODE);
	in = REQ(COH_READ_REQ, 1);
	in.dst = 1;
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_NODE);
	in = REQ(COH_READ_REQ, 1);
	in.frame = 8;
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_FRAME);
	in = mk(COH_READ_REQ, COH_F_EXCL, 1, 0, 0);
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_FLAGS);
	in = REQ(COH_DATA, 1);
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_TYPE);
	in = REQ(0, 1);
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_TYPE);
	in = REQ(COH_MSG_MAX, 1);
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_TYPE);
	in = REQ(0xff, 1);
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_TYPE);
	in = REQ(COH_READ_REQ, 1);
	n = COH_MAX_OUT - 1;
	assert_int_equal(coh_home_handle(&d, &in, out, &n), COH_ERR_NOSPACE);
	assert_memory_equal(&d, &before, sizeof(d));

	assert_int_equal(coh_dir_init(&d, 0, 0, 0, 0), COH_ERR_PARAM);
	assert_int_equal(coh_dir_init(&d, 0, 3, 3, 0), COH_ERR_PARAM);
	assert_int_equal(coh_dir_init(&d, 0, 0, COH_MAX_NODES + 1, 0),
			 COH_ERR_PARAM);
}

static void test_home_peer_lost(void **state)
{
	struct coh_msg out[COH_MAX_OUT];
	struct coh_dir d;
	unsigned int n;

	/* The idle owner dies: LOST, and every later request is refused. */
	dir_m1(&d, 3);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 0, out, &n), COH_ERR_PARAM);
	assert_int_equal(coh_home_peer_lost(&d, 3, out, &n), COH_ERR_PARAM);
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_FAILED);
	assert_int_equal(n, 0);
	assert_int_equal(d.state, COH_DIR_LOST);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_FAILED);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	expect_out(0, COH_LOST, 0, 2, 0);
	assert_int_equal(d.phase, COH_IDLE);
	home_do(&d, REQ(COH_WRITE_REQ, 0), COH_OK);
	expect_out(0, COH_LOST, 0, 0, 0);
	/* The dead node's messages are refused. */
	home_do(&d, REQ(COH_READ_REQ, 1), COH_ERR_NODE);

	/* The owner dies before answering a FWD: requester and queue fail. */
	dir_m1(&d, 4);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 3), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_FAILED);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].type, COH_LOST);
	assert_int_equal(out[0].dst, 2);
	assert_int_equal(out[1].type, COH_LOST);
	assert_int_equal(out[1].dst, 3);

	/* ... unless its EVICT already brought the data home. */
	dir_m1(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	home_do(&d, M0(COH_EVICT, 0, 1, 60), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].type, COH_DATA);
	assert_int_equal(out[0].flags, COH_F_EXCL);
	assert_int_equal(out[0].value, 60);

	/* A sharer dies during invalidation: counts as acked. */
	dir_new(&d, 4);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	home_do(&d, REQ(COH_DONE, 2), COH_OK);
	home_do(&d, REQ(COH_WRITE_REQ, 3), COH_OK);
	home_do(&d, REQ(COH_INV_ACK, 1), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 2, out, &n), COH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].type, COH_DATA);
	assert_int_equal(out[0].dst, 3);
	home_do(&d, REQ(COH_INV_ACK, 2), COH_ERR_NODE);

	/* The requester dies during invalidation: nobody gets the frame. */
	dir_new(&d, 4);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	home_do(&d, REQ(COH_WRITE_REQ, 3), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 3, out, &n), COH_OK);
	assert_int_equal(n, 0);
	home_do(&d, REQ(COH_INV_ACK, 1), COH_OK);
	/* ... and the queued reader is served next. */
	expect_out(0, COH_DATA, 0, 2, 1000);
	assert_int_equal(d.state, COH_DIR_S);
	assert_int_equal(d.copyset, 0x4);

	/* The requester dies before DONE of an M grant: the frame is lost. */
	dir_new(&d, 3);
	home_do(&d, REQ(COH_WRITE_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_FAILED);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].type, COH_LOST);
	assert_int_equal(out[0].dst, 2);

	/* ... of an S grant: it is forgotten, the next request goes on. */
	dir_new(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_WRITE_REQ, 2), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_OK);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].type, COH_DATA);
	assert_int_equal(out[0].flags, COH_F_EXCL);
	assert_int_equal(out[0].dst, 2);

	/* The requester dies waiting for a FWD's answer. */
	dir_m1(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 2), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 2, out, &n), COH_OK);
	assert_int_equal(n, 0);
	home_do(&d, M0(COH_WRITEBACK, COH_F_DATA | COH_F_SHARED, 1, 70),
		COH_OK);
	assert_int_equal(hn, 0);
	assert_int_equal(d.state, COH_DIR_S);
	assert_int_equal(d.copyset, 0x2);
	assert_int_equal(d.phase, COH_IDLE);
	assert_int_equal(d.value, 70);

	/* A sharer of an idle S frame dies: just forgotten. */
	dir_new(&d, 3);
	home_do(&d, REQ(COH_READ_REQ, 1), COH_OK);
	home_do(&d, REQ(COH_DONE, 1), COH_OK);
	n = COH_MAX_OUT;
	assert_int_equal(coh_home_peer_lost(&d, 1, out, &n), COH_OK);
	assert_int_equal(d.state, COH_DIR_I);
	assert_int_equal(d.copyset, 0);
}

/* One message at a copy of a home state; returns true if accepted. */
static bool home_try(const struct coh_dir *snap, unsigned int t,
		     unsigned int src, unsigned int f)
{
	struct coh_msg out[COH_MAX_OUT];
	struct coh_msg in = mk(t, f, src, 0, 3);
	struct coh_dir d = *snap;
	unsigned int n = COH_MAX_OUT;
	int ret;

	ret = coh_home_handle(&d, &in, out, &n);
	if (ret >= 0) {
		assert_true(n <= d.nnodes + 1U);
		return true;
	}
	assert_memory_equal(&d, snap, sizeof(d));
	if (expected_error(t, f, true) != COH_ERR_STATE)
		assert_int_equal(ret, expected_error(t, f, true));
	else if (src >= d.nnodes)
		assert_int_equal(ret, COH_ERR_NODE);
	return false;
}

/*
 * Every message any of the scenarios' home states could receive: errors
 * leave the state unchanged and name the right cause.
 */
static void test_home_rejects_leave_state(void **state)
{
	unsigned int checked = 0, accepted = 0;

	assert_true(nsnaps > 50);
	for (unsigned int i = 0; i < nsnaps; i++)
		for (unsigned int t = 0; t < NTYPES; t++)
			for (unsigned int src = 0; src <= snaps[i].nnodes; src++)
				for (unsigned int f = 0; f < 0x20; f++) {
					accepted += home_try(&snaps[i], t, src,
							     f);
					checked++;
				}
	print_message("home: %u states, %u inputs, %u accepted\n", nsnaps,
		      checked, accepted);
	assert_true(accepted > 0);
}

/* ------------------------------------------------------------------ */
/* Simulator                                                           */
/* ------------------------------------------------------------------ */

#define SIM_MAXN 4
#define SIM_MAXF 4
#define LINK_CAP 64

struct link {
	struct coh_msg m[LINK_CAP];
	unsigned int len;
};

struct sim {
	unsigned int nn, nf;
	bool reorder;
	unsigned long long seed, rng;
	unsigned long step;
	struct coh_dir dir[SIM_MAXF];
	struct coh_node node[SIM_MAXN][SIM_MAXF];
	struct link link[SIM_MAXN][SIM_MAXN];
	unsigned int inflight;
	u8 pend[SIM_MAXN][SIM_MAXF];	/* 0, 1: read, 2: write */
	u64 last[SIM_MAXF];		/* last committed write */
	u64 next_value;
	bool dead[SIM_MAXN];
	bool lost[SIM_MAXF];
	unsigned long reads, writes, hits, misses, msgs, failed, evicts;
};

/* Fail the test, naming the run so that COH_SEED=n replays it. */
static void __attribute__((format(printf, 2, 3)))
sim_fail(const struct sim *s, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fail_msg("sim %s nodes=%u frames=%u seed=%llu step=%lu: %s",
		 s->reorder ? "reorder" : "fifo", s->nn, s->nf, s->seed,
		 s->step, why);
}

static bool sim_trace;

static unsigned int rnd(struct sim *s, unsigned int n)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (unsigned int)((s->rng * 2685821657736338717ULL) >> 33) % n;
}

static unsigned int home_of(const struct sim *s, unsigned int f)
{
	return f % s->nn;
}

static void sim_init(struct sim *s, unsigned int nn, unsigned int nf,
		     bool reorder, unsigned long long seed)
{
	memset(s, 0, sizeof(*s));
	s->nn = nn;
	s->nf = nf;
	s->reorder = reorder;
	s->seed = seed;
	s->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	for (unsigned int f = 0; f < nf; f++) {
		s->last[f] = f;	/* initial contents */
		assert_int_equal(coh_dir_init(&s->dir[f], f, home_of(s, f),
					      nn, f), COH_OK);
		for (unsigned int n = 0; n < nn; n++)
			assert_int_equal(coh_node_init(&s->node[n][f], f, n,
						       home_of(s, f), nn),
					 COH_OK);
	}
	s->next_value = 1000;
}

static void sim_send(struct sim *s, const struct coh_msg *out, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct link *l = &s->link[out[i].src][out[i].dst];

		if (out[i].src >= s->nn || out[i].dst >= s->nn)
			sim_fail(s, "message to/from node out of range");
		if (s->dead[out[i].dst])
			continue;	/* the transport drops it */
		if (l->len == LINK_CAP)
			sim_fail(s, "link %u->%u overflows", out[i].src,
				 out[i].dst);
		l->m[l->len++] = out[i];
		s->inflight++;
	}
}

/* The pending access of node n on frame f can go on: it must hit now. */
static void sim_complete(struct sim *s, unsigned int n, unsigned int f)
{
	struct coh_msg out[COH_MAX_OUT];
	unsigned int no = COH_MAX_OUT;
	bool write = s->pend[n][f] == 2;
	u64 v = s->next_value + 1;
	int ret;

	if (!s->pend[n][f])
		sim_fail(s, "node %u frame %u completes nothing", n, f);
	s->pend[n][f] = 0;
	ret = coh_node_access(&s->node[n][f], write, &v, out, &no);
	if (ret != COH_HIT)
		sim_fail(s, "node %u frame %u: completed access got %d", n, f,
			 ret);
	if (write) {
		s->next_value = v;
		s->last[f] = v;
		s->writes++;
	} else {
		if (v != s->last[f])
			sim_fail(s, "node %u frame %u read %llu, last write %llu",
				 n, f, (unsigned long long)v,
				 (unsigned long long)s->last[f]);
		s->reads++;
	}
}

static void sim_deliver(struct sim *s, unsigned int src, unsigned int dst,
			unsigned int idx)
{
	struct link *l = &s->link[src][dst];
	struct coh_msg out[COH_MAX_OUT];
	unsigned int no = COH_MAX_OUT;
	struct coh_msg m = l->m[idx];
	unsigned int f = m.frame;
	int ret;

	if (sim_trace)
		printf("%lu: deliver type %u flags %#x %u->%u frame %u v %llu\n",
		       s->step, m.type, m.flags, src, dst, f,
		       (unsigned long long)m.value);
	memmove(&l->m[idx], &l->m[idx + 1],
		(l->len - idx - 1) * sizeof(l->m[0]));
	l->len--;
	s->inflight--;
	s->msgs++;
	if (f >= s->nf)
		sim_fail(s, "message for frame %u", f);
	if (coh_to_home(m.type)) {
		if (dst != home_of(s, f))
			sim_fail(s, "home message to a non-home");
		ret = coh_home_handle(&s->dir[f], &m, out, &no);
	} else {
		ret = coh_node_handle(&s->node[dst][f], &m, out, &no);
	}
	if (ret < 0)
		sim_fail(s, "type %u %u->%u frame %u flags %#x rejected: %d",
			 m.type, src, dst, f, m.flags, ret);
	sim_send(s, out, no);
	if (ret == COH_COMPLETE)
		sim_complete(s, dst, f);
	if (ret == COH_FAILED) {
		if (!s->lost[f])
			sim_fail(s, "frame %u failed but is not lost", f);
		s->pend[dst][f] = 0;
		s->failed++;
	}
}

/* Deliver one message: a link's head (FIFO) or any message (reorder). */
static bool sim_deliver_one(struct sim *s)
{
	unsigned int k, a, b;

	if (!s->inflight)
		return false;
	if (s->reorder) {
		k = rnd(s, s->inflight);
		for (a = 0; a < s->nn; a++)
			for (b = 0; b < s->nn; b++) {
				if (k < s->link[a][b].len) {
					sim_deliver(s, a, b, k);
					return true;
				}
				k -= s->link[a][b].len;
			}
		sim_fail(s, "inflight count wrong");
	}
	for (;;) {
		a = rnd(s, s->nn);
		b = rnd(s, s->nn);
		if (s->link[a][b].len) {
			sim_deliver(s, a, b, 0);
			return true;
		}
	}
}

static void sim_access(struct sim *s, unsigned int n, unsigned int f,
		       bool write)
{
	struct coh_msg out[COH_MAX_OUT];
	unsigned int no = COH_MAX_OUT;
	u64 v = s->next_value + 1;
	int ret;

	ret = coh_node_access(&s->node[n][f], write, &v, out, &no);
	if (sim_trace)
		printf("%lu: node %u frame %u %s -> %d state %u\n", s->step,
		       n, f, write ? "write" : "read", ret,
		       s->node[n][f].state);
	switch (ret) {
	case COH_HIT:
		s->hits++;
		if (write) {
			if (s->pend[n][f])
				sim_fail(s, "write hit with a pending access");
			s->next_value = v;
			s->last[f] = v;
			s->writes++;
		} else {
			if (v != s->last[f])
				sim_fail(s, "node %u frame %u read %llu, last write %llu",
					 n, f, (unsigned long long)v,
					 (unsigned long long)s->last[f]);
			s->reads++;
		}
		break;
	case COH_MISS:
		if (s->pend[n][f])
			sim_fail(s, "second miss while one is pending");
		s->pend[n][f] = write ? 2 : 1;
		s->misses++;
		sim_send(s, out, no);
		break;
	case COH_BUSY:
		break;
	case COH_ERR_LOST:
		if (!s->lost[f])
			sim_fail(s, "frame %u refused as lost", f);
		break;
	default:
		sim_fail(s, "access returned %d", ret);
	}
}

static void sim_evict(struct sim *s, unsigned int n, unsigned int f)
{
	struct coh_msg out[COH_MAX_OUT];
	unsigned int no = COH_MAX_OUT;
	int ret = coh_node_evict(&s->node[n][f], out, &no);

	if (sim_trace)
		printf("%lu: node %u frame %u evict -> %d state %u\n", s->step,
		       n, f, ret, s->node[n][f].state);
	if (ret == COH_BUSY)
		return;
	if (ret != COH_OK)
		sim_fail(s, "evict returned %d", ret);
	s->evicts++;
	sim_send(s, out, no);
}

/* The frame's latest value exists somewhere a later access can get it. */
static bool holds_last(const struct sim *s, unsigned int f)
{
	u64 last = s->last[f];

	if (s->dir[f].value == last)
		return true;
	for (unsigned int n = 0; n < s->nn; n++) {
		const struct coh_node *ns = &s->node[n][f];

		if (s->dead[n])
			continue;
		if ((ns->state == COH_N_M || ns->state == COH_N_MI_A) &&
		    ns->value == last)
			return true;
	}
	for (unsigned int a = 0; a < s->nn; a++)
		for (unsigned int b = 0; b < s->nn; b++)
			for (unsigned int i = 0; i < s->link[a][b].len; i++) {
				const struct coh_msg *m = &s->link[a][b].m[i];

				if (m->frame != f || m->value != last)
					continue;
				if (m->type == COH_DATA || m->type == COH_EVICT ||
				    (m->type == COH_WRITEBACK &&
				     (m->flags & COH_F_DATA)))
					return true;
			}
	return false;
}

static void sim_check(struct sim *s)
{
	for (unsigned int f = 0; f < s->nf; f++) {
		unsigned int m = 0, sh = 0;

		if (s->lost[f])
			continue;
		for (unsigned int n = 0; n < s->nn; n++) {
			const struct coh_node *ns = &s->node[n][f];

			if (s->dead[n])
				continue;
			if (ns->state == COH_N_LOST)
				sim_fail(s, "node %u: frame %u lost", n, f);
			if (ns->state == COH_N_M)
				m++;
			if (ns->state == COH_N_S || ns->state == COH_N_SM_D)
				sh++;
			/* Every readable copy is the latest value. */
			if ((ns->state == COH_N_M || ns->state == COH_N_S ||
			     ns->state == COH_N_SM_D) &&
			    ns->value != s->last[f])
				sim_fail(s, "node %u frame %u holds %llu, last %llu",
					 n, f, (unsigned long long)ns->value,
					 (unsigned long long)s->last[f]);
		}
		if (m > 1 || (m && sh))
			sim_fail(s, "frame %u: %u writers, %u readers", f, m,
				 sh);
		if (!holds_last(s, f))
			sim_fail(s, "frame %u: write %llu lost", f,
				 (unsigned long long)s->last[f]);
	}
}

/*
 * Throw unexpected messages at a copy of one home and one node (whatever
 * state the run put them in): errors must leave the copy unchanged.
 */
static void sim_probe(struct sim *s)
{
	unsigned int f = rnd(s, s->nf), n = rnd(s, s->nn);
	struct coh_msg out[COH_MAX_OUT];

	for (unsigned int t = 1; t < COH_MSG_MAX; t++)
		for (unsigned int src = 0; src < s->nn; src++)
			for (unsigned int fl = 0; fl < 0x20; fl++) {
				struct coh_dir d = s->dir[f];
				struct coh_node ns = s->node[n][f];
				struct coh_msg in = {
					.frame = f, .value = 1, .src = src,
					.type = t, .flags = fl,
				};
				unsigned int no = COH_MAX_OUT;

				in.dst = home_of(s, f);
				if (coh_home_handle(&d, &in, out, &no) < 0 &&
				    memcmp(&d, &s->dir[f], sizeof(d)))
					sim_fail(s, "home error changed state");
				in.dst = n;
				no = COH_MAX_OUT;
				if (coh_node_handle(&ns, &in, out, &no) < 0 &&
				    memcmp(&ns, &s->node[n][f], sizeof(ns)))
					sim_fail(s, "node error changed state");
			}
}

/* Node x dies: its messages vanish, homes and nodes are told. */
static void sim_kill(struct sim *s, unsigned int x)
{
	struct coh_msg out[COH_MAX_OUT];

	s->dead[x] = true;
	for (unsigned int a = 0; a < s->nn; a++) {
		s->inflight -= s->link[a][x].len;
		s->link[a][x].len = 0;
		s->inflight -= s->link[x][a].len;
		s->link[x][a].len = 0;
	}
	for (unsigned int f = 0; f < s->nf; f++) {
		unsigned int h = home_of(s, f);
		const struct coh_dir *d = &s->dir[f];
		bool owned, was_lost, failed;
		unsigned int no = COH_MAX_OUT;
		int ret;

		s->pend[x][f] = 0;
		if (h == x) {
			s->lost[f] = true;
			for (unsigned int n = 0; n < s->nn; n++) {
				if (s->dead[n])
					continue;
				failed = coh_node_home_lost(&s->node[n][f]) ==
					 COH_FAILED;
				if (failed != !!s->pend[n][f])
					sim_fail(s, "home lost: pending mismatch");
				s->pend[n][f] = 0;
			}
			continue;
		}
		/* Lost exactly if x held the only copy (M, data not home). */
		owned = d->state == COH_DIR_M && d->owner == x && !d->wb_seen;
		was_lost = d->state == COH_DIR_LOST;
		ret = coh_home_peer_lost(&s->dir[f], x, out, &no);
		failed = ret == COH_FAILED;
		if (failed != (owned || was_lost))
			sim_fail(s, "frame %u: peer_lost %d, owned %d", f, ret,
				 owned);
		if (ret == COH_FAILED)
			s->lost[f] = true;
		sim_send(s, out, no);
	}
}

static void sim_step(struct sim *s)
{
	unsigned int n, f, r;

	s->step++;
	if (s->inflight && rnd(s, 100) < 55) {
		sim_deliver_one(s);
	} else {
		do {
			n = rnd(s, s->nn);
		} while (s->dead[n]);
		f = rnd(s, s->nf);
		r = rnd(s, 100);
		if (r < 45)
			sim_access(s, n, f, false);
		else if (r < 85)
			sim_access(s, n, f, true);
		else
			sim_evict(s, n, f);
	}
	sim_check(s);
}

/* Deliver everything left; every request must complete. */
static void sim_quiesce(struct sim *s, unsigned long bound)
{
	unsigned long i;

	for (i = 0; i < bound && s->inflight; i++) {
		s->step++;
		sim_deliver_one(s);
		sim_check(s);
	}
	if (s->inflight)
		sim_fail(s, "%u messages left after %lu deliveries",
			 s->inflight, bound);
	for (unsigned int f = 0; f < s->nf; f++) {
		const struct coh_dir *d = &s->dir[f];

		if (!s->dead[home_of(s, f)] &&
		    (d->phase != COH_IDLE || d->rdq || d->wrq ||
		     d->stale_evict))
			sim_fail(s, "frame %u: home not idle at the end", f);
		for (unsigned int n = 0; n < s->nn; n++) {
			unsigned int st = s->node[n][f].state;

			if (s->dead[n])
				continue;
			if (s->pend[n][f])
				sim_fail(s, "node %u frame %u: access never completed",
					 n, f);
			if (st != COH_N_I && st != COH_N_S && st != COH_N_M &&
			    st != COH_N_LOST)
				sim_fail(s, "node %u frame %u stuck in %u", n,
					 f, st);
		}
	}
}

/* Quiesce, write everything back, and find every last write at home. */
static void sim_finish(struct sim *s)
{
	sim_quiesce(s, 100000);
	for (unsigned int n = 0; n < s->nn; n++)
		for (unsigned int f = 0; f < s->nf; f++)
			if (!s->dead[n])
				sim_evict(s, n, f);
	sim_quiesce(s, 100000);
	for (unsigned int f = 0; f < s->nf; f++) {
		if (s->lost[f])
			continue;
		if (s->dir[f].value != s->last[f] ||
		    s->dir[f].state == COH_DIR_M)
			sim_fail(s, "frame %u: home has %llu, last write %llu",
				 f, (unsigned long long)s->dir[f].value,
				 (unsigned long long)s->last[f]);
	}
}

static unsigned long env_num(const char *name, unsigned long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : def;
}

static struct sim the_sim;

static unsigned long total_steps, total_runs, total_msgs, total_survived;

static void sim_run(unsigned int nn, unsigned int nf, bool reorder,
		    unsigned long long seed, unsigned long steps, bool kill)
{
	struct sim *s = &the_sim;
	unsigned long kill_at = steps / 3;
	unsigned int victim = 0;

	sim_init(s, nn, nf, reorder, seed);
	if (kill)
		victim = rnd(s, nn);
	for (unsigned long i = 0; i < steps; i++) {
		if (kill && i == kill_at)
			sim_kill(s, victim);
		sim_step(s);
		if (!(i & 255))
			sim_probe(s);
	}
	sim_finish(s);
	if (!s->writes || !s->reads)
		sim_fail(s, "run did nothing");
	/* sim_kill() checked that exactly the right frames were lost. */
	for (unsigned int f = 0; f < nf; f++)
		total_survived += !s->lost[f];
	total_steps += s->step;
	total_msgs += s->msgs;
	total_runs++;
}

static void sim_matrix(bool reorder, bool kill)
{
	unsigned long long one = env_num("COH_SEED", 0);
	unsigned long seeds = env_num("COH_SEEDS", 12);
	unsigned long steps = env_num("COH_STEPS", 20000);

	sim_trace = env_num("COH_TRACE", 0);
	if (sim_trace)
		setvbuf(stdout, NULL, _IONBF, 0);
	static const unsigned int cfg[][2] = {
		{ 3, 2 }, { 3, 3 }, { 3, 4 }, { 4, 2 }, { 4, 4 },
	};

	total_steps = 0;
	total_runs = 0;
	total_msgs = 0;
	total_survived = 0;
	for (size_t c = 0; c < ARRAY_SIZE(cfg); c++) {
		if (one) {
			sim_run(cfg[c][0], cfg[c][1], reorder, one, steps,
				kill);
			continue;
		}
		for (unsigned long k = 1; k <= seeds; k++)
			sim_run(cfg[c][0], cfg[c][1], reorder,
				k * 1000003ULL + c, steps, kill);
	}
	print_message("sim %s%s: %lu runs, %lu steps, %lu messages, %lu frames kept\n",
		      reorder ? "reorder" : "fifo", kill ? " peer-lost" : "",
		      total_runs, total_steps, total_msgs, total_survived);
	assert_true(total_survived > 0);
}

static void test_sim_fifo(void **state)
{
	sim_matrix(false, false);
}

static void test_sim_reorder(void **state)
{
	sim_matrix(true, false);
}

static void test_sim_peer_lost_fifo(void **state)
{
	sim_matrix(false, true);
}

static void test_sim_peer_lost_reorder(void **state)
{
	sim_matrix(true, true);
}

/*
 * A peer-lost run where the victim is known to own one frame: that frame
 * fails with COH_ERR_LOST for everyone, the other keeps working.
 */
static void test_sim_owner_dies(void **state)
{
	struct sim *s = &the_sim;
	u64 v = 0;
	struct coh_msg out[COH_MAX_OUT];
	unsigned int no;

	/* Homes: frame 0 on node 0, frame 1 on node 1.  Node 2 owns 0. */
	sim_init(s, 3, 2, false, 1);
	sim_access(s, 2, 0, true);
	sim_access(s, 2, 1, false);
	sim_quiesce(s, 1000);
	assert_int_equal(s->node[2][0].state, COH_N_M);
	assert_int_equal(s->node[2][1].state, COH_N_S);
	sim_kill(s, 2);
	assert_true(s->lost[0]);
	assert_false(s->lost[1]);
	assert_int_equal(s->dir[0].state, COH_DIR_LOST);
	/* Frame 0: a miss gets LOST back, then fails at once. */
	sim_access(s, 1, 0, false);
	assert_int_equal(s->pend[1][0], 1);
	sim_quiesce(s, 1000);
	assert_int_equal(s->node[1][0].state, COH_N_LOST);
	assert_int_equal(s->failed, 1);
	no = COH_MAX_OUT;
	assert_int_equal(coh_node_access(&s->node[1][0], false, &v, out, &no),
			 COH_ERR_LOST);
	/* Frame 1 works for both survivors. */
	for (unsigned int i = 0; i < 50; i++) {
		sim_access(s, i & 1, 1, i & 2);
		sim_quiesce(s, 1000);
	}
	sim_finish(s);
	assert_true(s->writes >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_every_transition),
		cmocka_unit_test(test_node_bad_fields),
		cmocka_unit_test(test_node_access),
		cmocka_unit_test(test_node_evict_and_home_lost),
		cmocka_unit_test(test_home_read_write_from_i),
		cmocka_unit_test(test_home_write_invalidates_sharers),
		cmocka_unit_test(test_home_forward),
		cmocka_unit_test(test_home_evict),
		cmocka_unit_test(test_home_fwd_crosses_evict),
		cmocka_unit_test(test_home_stale_evict),
		cmocka_unit_test(test_home_concurrent_writes_queue),
		cmocka_unit_test(test_home_request_during_inv),
		cmocka_unit_test(test_home_bad_fields),
		cmocka_unit_test(test_home_peer_lost),
		cmocka_unit_test(test_home_rejects_leave_state),
		cmocka_unit_test(test_sim_fifo),
		cmocka_unit_test(test_sim_reorder),
		cmocka_unit_test(test_sim_peer_lost_fifo),
		cmocka_unit_test(test_sim_peer_lost_reorder),
		cmocka_unit_test(test_sim_owner_dies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
