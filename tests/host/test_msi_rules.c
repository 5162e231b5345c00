// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for the module's MSI decisions (kmod/proto/msi_rules.h),
 * the header kmod/msi.c and kmod/rdma_page.c compile:
 *
 *  - every rule, table driven over every state and request;
 *  - an exhaustive search of one frame shared by three, then four nodes
 *    (home 0), running kmod/msi.c's transactions on these rules: every
 *    order of reads and writes on each node (up to four writes), requests and
 *    their replies in flight (an INV crossing a read copy on its way),
 *    the placement policy saying yes or no, nodes leaving with the
 *    frames they own, and the link between the home and any node going
 *    down at any moment (kmod/lost.c, the fence of ssihv_node_fence(),
 *    a writer killed in it).
 *    After every step: at most one writable copy and none beside it,
 *    every copy holds the last value written, the home's directory names
 *    every copy, no rule reports a protocol error, a fault fails only
 *    for a frame that went down with its owner, and something can always
 *    move while a request is open.  Frames do not share state in this
 *    protocol (each has its own lock, busy bit and directory entry), so
 *    one frame is the whole story.
 *  - the same search with the home's INV left out, or with the fence
 *    left out, must find a stale read, so the search is known to catch
 *    one;
 *  - the same searches with published frames (Documentation/memory.rst,
 *    "Published frames": one-sided reads of a copy the home published,
 *    closed by an INV to every node), a design not in the module yet,
 *    and with each of its two rules left out.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/ssihv.h>
#include "../../kmod/proto/msi_rules.h"

#define I SSIHV_PAGE_INVALID
#define E SSIHV_PAGE_EXCLUSIVE
#define S SSIHV_PAGE_SHARED
#define R SSIHV_FRAME_READ
#define W SSIHV_FRAME_WRITE
#define U SSIHV_FRAME_UPGRADE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the rules, one by one ------------------------------------------ */

static void test_home_refuse(void **state)
{
	assert_int_equal(msi_home_refuse(I, 3, 3, R), -ESTALE);
	assert_int_equal(msi_home_refuse(I, 3, 3, W), -ESTALE);
	assert_int_equal(msi_home_refuse(I, 3, 3, U), -ESTALE);
	assert_int_equal(msi_home_refuse(I, 3, 2, R), 0);
	assert_int_equal(msi_home_refuse(E, 0, 2, W), 0);
	assert_int_equal(msi_home_refuse(S, 0, 2, U), 0);
	assert_int_equal(msi_home_refuse(E, 0, 2, SSIHV_FRAME_INV), -EPROTO);
	assert_int_equal(msi_home_refuse(E, 0, 2, SSIHV_FRAME_PUT), -EPROTO);
	assert_int_equal(msi_home_refuse(E, 0, 2, 0), -EPROTO);
	assert_int_equal(msi_home_refuse(E, 0, 2, 99), -EPROTO);
}

static void test_home_may_move(void **state)
{
	assert_true(msi_home_may_move(1, R));
	assert_true(msi_home_may_move(MSI_SHARERS_MAX - 1, R));
	assert_false(msi_home_may_move(MSI_SHARERS_MAX, R));
	assert_false(msi_home_may_move(1, W));
	assert_false(msi_home_may_move(1, U));
}

static void test_home_answer(void **state)
{
	struct msi_home_answer a;

	/* A read: a shared copy, or the only one if placement says so. */
	a = msi_home_answer(E, 0, 0, 0, 1, R, false);
	assert_int_equal(a.access, R);
	assert_false(a.moved || a.zero || a.keep);
	assert_int_equal(msi_home_status(&a), 0);
	a = msi_home_answer(E, 0, 0, 0, 1, R, true);
	assert_int_equal(a.access, W);
	assert_true(a.moved);
	assert_int_equal(msi_home_status(&a), SSIHV_FRAME_EXCL);
	/* A reader that cannot be in the copy set gets the only copy. */
	a = msi_home_answer(E, 0, 0, 0, MSI_SHARERS_MAX, R, false);
	assert_int_equal(a.access, W);
	assert_true(a.moved);
	/* Never touched: no data, whatever the access. */
	a = msi_home_answer(I, 0, 0, 0, 1, W, false);
	assert_true(a.zero);
	assert_int_equal(msi_home_status(&a), SSIHV_FRAME_ZERO);
	a = msi_home_answer(I, 0, 0, 0, 1, R, true);
	assert_int_equal(msi_home_status(&a),
			 SSIHV_FRAME_ZERO | SSIHV_FRAME_EXCL);
	a = msi_home_answer(I, 0, 0, 0, 1, R, false);
	assert_int_equal(a.access, R);
	assert_false(a.zero);	/* a shared copy: the home allocates it */
	/* Owned elsewhere: data, after a recall. */
	a = msi_home_answer(I, 2, 0, 0, 1, W, false);
	assert_false(a.zero);
	/* An upgrade is a write; KEEP while the copy is still in the set. */
	a = msi_home_answer(S, 0, 1ULL << 1, 0, 1, U, false);
	assert_int_equal(a.access, W);
	assert_true(a.keep);
	assert_int_equal(msi_home_status(&a), SSIHV_FRAME_KEEP);
	a = msi_home_answer(S, 0, 1ULL << 2, 0, 1, U, false);
	assert_false(a.keep);
	assert_int_equal(msi_home_status(&a), 0);
	a = msi_home_answer(I, 0, 0, 0, 1, U, false);
	assert_false(a.zero);
}

static void test_home_recall(void **state)
{
	assert_int_equal(msi_home_recall(E, 0, 0, R), 0);
	assert_int_equal(msi_home_recall(S, 0, 0, W), 0);
	assert_int_equal(msi_home_recall(I, 0, 0, W), 0);
	assert_int_equal(msi_home_recall(I, 2, 0, R), R);
	assert_int_equal(msi_home_recall(I, 2, 0, W), W);
	assert_int_equal(msi_home_recall(I, MSI_SHARERS_MAX, 0, R), W);
	assert_int_equal(msi_home_recalled(1, 2, R), 1 | 1ULL << 2);
	assert_int_equal(msi_home_recalled(1, 2, W), 1);
	assert_int_equal(msi_home_recalled(0, MSI_SHARERS_MAX, R), 0);
}

static void test_home_inv_set(void **state)
{
	assert_int_equal(msi_home_inv_set(0x7, 1), 0x5);
	assert_int_equal(msi_home_inv_set(0x7, UINT32_MAX), 0x7);
	assert_int_equal(msi_home_inv_set(0x7, MSI_SHARERS_MAX), 0x7);
	assert_int_equal(msi_home_inv_set(0, 1), 0);
}

static void test_home_served(void **state)
{
	struct msi_home_answer a = { .access = R };
	u64 sharers = 1ULL << 2;
	u32 owner = 0;
	u8 st = E;

	msi_home_served(&a, 1, &st, &owner, &sharers);
	assert_int_equal(st, S);
	assert_int_equal(owner, 0);
	assert_int_equal(sharers, 1ULL << 1 | 1ULL << 2);
	a.access = W;
	msi_home_served(&a, 2, &st, &owner, &sharers);
	assert_int_equal(st, I);
	assert_int_equal(owner, 2);
	assert_int_equal(sharers, 0);
}

static void test_home_take_back(void **state)
{
	assert_int_equal(msi_home_take_back(I, 2, 2), 0);
	assert_int_equal(msi_home_take_back(I, 1, 2), -ESTALE);
	assert_int_equal(msi_home_take_back(E, 0, 2), -ESTALE);
	assert_int_equal(msi_home_take_back(S, 0, 2), -ESTALE);
}

static void test_node_serve(void **state)
{
	static const struct {
		u8 state, access;
		int ret;
		enum msi_node_action action;
	} t[] = {
		{ I, SSIHV_FRAME_INV, 0, MSI_NODE_NOTHING },
		{ S, SSIHV_FRAME_INV, 0, MSI_NODE_DROP },
		{ E, SSIHV_FRAME_INV, -EPROTO, MSI_NODE_NOTHING },
		{ I, R, -ESTALE, MSI_NODE_NOTHING },
		{ S, R, 0, MSI_NODE_HAND_BACK },
		{ E, R, 0, MSI_NODE_HAND_BACK },
		{ I, W, -ESTALE, MSI_NODE_NOTHING },
		{ S, W, 0, MSI_NODE_HAND_OVER },
		{ E, W, 0, MSI_NODE_HAND_OVER },
		{ E, U, -EPROTO, MSI_NODE_NOTHING },
		{ E, SSIHV_FRAME_PUT, -EPROTO, MSI_NODE_NOTHING },
		{ E, 0, -EPROTO, MSI_NODE_NOTHING },
	};
	enum msi_node_action action;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(msi_node_serve(t[i].state, t[i].access,
						&action), t[i].ret);
		assert_int_equal(action, t[i].action);
	}
}

static void test_status_valid(void **state)
{
	static const u8 accesses[] = { R, W, SSIHV_FRAME_INV, U,
				       SSIHV_FRAME_PUT };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(accesses); i++) {
		assert_true(msi_status_valid(accesses[i], 0));
		assert_true(msi_status_valid(accesses[i], -EIO));
		assert_int_equal(msi_status_valid(accesses[i],
						  SSIHV_FRAME_KEEP),
				 accesses[i] == U);
		assert_int_equal(msi_status_valid(accesses[i],
						  SSIHV_FRAME_EXCL),
				 accesses[i] == R);
		assert_int_equal(msi_status_valid(accesses[i],
						  SSIHV_FRAME_EXCL |
						  SSIHV_FRAME_ZERO),
				 accesses[i] == R);
		assert_int_equal(msi_status_valid(accesses[i],
						  SSIHV_FRAME_ZERO),
				 accesses[i] == R || accesses[i] == W ||
				 accesses[i] == U);
	}
}

static void test_node_got(void **state)
{
	int err;

	assert_int_equal(msi_node_got(R, -EIO, I, false, &err),
			 MSI_GOT_FAILED);
	assert_int_equal(err, -EIO);
	assert_int_equal(msi_node_got(U, SSIHV_FRAME_KEEP, S, false, &err),
			 MSI_GOT_KEEP);
	assert_int_equal(err, 0);
	/* KEEP for a copy an INV took meanwhile: the home is confused. */
	assert_int_equal(msi_node_got(U, SSIHV_FRAME_KEEP, I, false, &err),
			 MSI_GOT_FAILED);
	assert_int_equal(err, -EPROTO);
	assert_int_equal(msi_node_got(R, 0, I, false, &err), MSI_GOT_SHARED);
	assert_int_equal(msi_node_got(R, 0, I, true, &err), MSI_GOT_AGAIN);
	/* The only copy is the home's answer after any INV: it stands. */
	assert_int_equal(msi_node_got(R, SSIHV_FRAME_EXCL, I, true, &err),
			 MSI_GOT_EXCLUSIVE);
	assert_int_equal(msi_node_got(R, SSIHV_FRAME_EXCL | SSIHV_FRAME_ZERO,
				      I, false, &err), MSI_GOT_EXCLUSIVE);
	assert_int_equal(msi_node_got(W, 0, I, true, &err),
			 MSI_GOT_EXCLUSIVE);
	assert_int_equal(msi_node_got(W, SSIHV_FRAME_ZERO, I, false, &err),
			 MSI_GOT_EXCLUSIVE);
	assert_int_equal(msi_node_got(U, 0, I, true, &err),
			 MSI_GOT_EXCLUSIVE);
}

/* ---- the search -------------------------------------------------------- */

#define NODES_MAX	4	/* node 0 is the home */
#define MAX_WRITES	4
/* 512 MiB of table: four nodes with published frames reach 7.9 million. */
#define MAX_STATES_SHIFT	25
#define MAX_STATES	(1u << MAX_STATES_SHIFT)

struct copy {
	u8 state;	/* this node's entry; the home's is in struct world */
	u8 value;	/* the data in its copy */
	u8 pending;	/* a request sent, not served yet: R, W or U */
	u8 asked;	/* the request a reply in flight answers */
	u8 status;	/* that reply */
	u8 data;	/* and the data it carries */
	bool inv;	/* an INV came while the frame was busy */
	bool gone;	/* the instance left */
	bool failed;	/* the reply in flight is an error (-ENOTCONN) */
	/*
	 * The link to the home is down: what was in flight is lost, nothing
	 * new gets through.  Both ends see it only after the heartbeat
	 * limit; @noticed: this node has, and dropped its shared copies
	 * (ssihv_node_home_lost()).  The home strikes the node from the copy
	 * set only once it has (the fence: SSIHV_FENCE_MS exceeds the
	 * node's limit).  A node that is dead rather than cut off is the
	 * same to everyone else.
	 */
	bool cut, noticed;
	/*
	 * Published frames (s->publish): a one-sided read of the home's
	 * published slot, processed at the home (@osr_ok: its header named
	 * this frame, valid; the data it read is in @data), not yet
	 * installed.  The frame lock is held across it, so an INV waits.
	 */
	bool osr, osr_ok;
};

struct world {
	u64 sharers;			/* the home's directory entry */
	u8 state, owner;
	u8 value;			/* the home's copy */
	u8 latest, writes;		/* the last value written; how many */
	bool pub_valid;			/* published: the slot's header */
	u8 pub_value;			/* the data in the published slot */
	bool bcast;			/* closed: INV every node */
	struct copy n[NODES_MAX];	/* [0] unused but value */
};

struct search {
	bool skip_inv;		/* broken homes, for the self-checks */
	bool skip_fence;
	/*
	 * The one-sided read path of Documentation/memory.rst, "Published
	 * frames" (designed, not in the module yet), and two ways to break
	 * it: a close that invalidates only the copy set, and an INV that
	 * does not wait for a one-sided read in flight.
	 */
	bool publish, skip_broadcast, skip_osr_wait;
	unsigned int nodes;	/* the home and nodes - 1 others */
	struct key *seen;	/* hash set of packed worlds */
	struct world *todo;	/* worlds seen but not explored yet */
	size_t nr_todo, max_todo;
	unsigned long states, transitions;
	/* What the search went through, so it cannot pass by doing nothing. */
	unsigned long got[MSI_GOT_EXCLUSIVE + 1];
	unsigned long zero, moved, keep, recall_read, recall_write;
	unsigned long inv_busy, put;
	unsigned long cut, fenced, struck, lost_home, lost_fault, killed;
	unsigned long published, closed, osr_hit, osr_miss, osr_wait;
	const char *violation;
};

/*
 * A world packed: 22 bits for the home, 24 for each other node, the home
 * and one node in lo, the third and fourth in hi; hi's top bit marks a
 * used slot of the hash set.
 */
struct key {
	u64 lo, hi;
};

static u64 pack_copy(const struct copy *c)
{
	return c->state | c->value << 2 | c->pending << 5 | c->asked << 8 |
	       c->status << 11 | c->data << 14 | (u64)c->inv << 17 |
	       (u64)c->gone << 18 | (u64)c->failed << 19 |
	       (u64)c->cut << 20 | (u64)c->noticed << 21 |
	       (u64)c->osr << 22 | (u64)c->osr_ok << 23;
}

static struct key pack(const struct search *s, const struct world *w)
{
	struct key k = {
		.lo = w->state | (u64)w->owner << 2 | (u64)w->sharers << 4 |
		      (u64)w->value << 8 | (u64)w->latest << 11 |
		      (u64)w->writes << 14 | (u64)w->pub_valid << 17 |
		      (u64)w->pub_value << 18 | (u64)w->bcast << 21,
		.hi = 1ULL << 63,
	};
	unsigned int i;

	for (i = 1; i < s->nodes; i++) {
		if (i == 1)
			k.lo |= pack_copy(&w->n[i]) << 22;
		else
			k.hi |= pack_copy(&w->n[i]) << (24 * (i - 2));
	}
	return k;
}

/* Returns true the first time @w is seen. */
static bool remember(struct search *s, const struct world *w)
{
	struct key k = pack(s, w);
	u64 h = (k.lo ^ k.hi * 0xff51afd7ed558ccdULL) * 0x9e3779b97f4a7c15ULL;
	unsigned long slot = h >> (64 - MAX_STATES_SHIFT);

	while (s->seen[slot].hi) {
		if (s->seen[slot].lo == k.lo && s->seen[slot].hi == k.hi)
			return false;
		slot = (slot + 1) & (MAX_STATES - 1);
	}
	s->seen[slot] = k;
	if (++s->states >= MAX_STATES / 2)
		fail_msg("state space larger than the table");
	return true;
}

static bool busy(const struct copy *c)
{
	return c->pending || c->asked || c->osr;
}

/* The only copy went with an owner cut off: the frame is lost. */
static bool frame_lost(const struct world *w)
{
	return w->state == I && w->owner && w->n[w->owner].cut;
}

/*
 * The node's side of an INV (kmod/msi.c ssihv_node_inv()).  Sets *@wait
 * when the home must wait out the fence first.
 */
static bool node_inv(struct search *s, struct world *w, unsigned int n,
		     bool *wait)
{
	struct copy *c = &w->n[n];
	enum msi_node_action action;

	if (c->gone)	/* an instance gone: done, nothing to drop */
		return true;
	if (c->cut) {	/* unanswered: struck once fenced */
		if (!c->noticed && !s->skip_fence) {
			s->fenced++;
			*wait = true;
			return false;
		}
		s->struck++;
		return true;
	}
	if (c->osr && !s->skip_osr_wait) {
		/* The INV waits for the frame lock the reader holds. */
		s->osr_wait++;
		return false;
	}
	if (busy(c)) {
		c->inv = true;
		s->inv_busy++;
	}
	if (msi_node_serve(c->state, SSIHV_FRAME_INV, &action)) {
		s->violation = "INV to the holder of the only copy";
		return false;
	}
	if (action == MSI_NODE_DROP)
		c->state = I;
	return true;
}

/*
 * The home's ssihv_home_invalidate().  False if it must wait: out the
 * fence (*@wait), or for a one-sided read in flight at a node; or on a
 * violation.  A published frame is closed first: every node may hold a
 * copy, so every node gets an INV, until one round has gone to all of
 * them (@bcast; a writer killed in the fence leaves it set).  They do
 * not join the copy set: that says who holds a copy, which KEEP trusts.
 */
static bool home_invalidate(struct search *s, struct world *w, u32 keep,
			    bool *wait)
{
	u64 all = (1ULL << s->nodes) - 2;
	u64 todo;
	unsigned int n;

	*wait = false;
	if (w->pub_valid) {
		w->pub_valid = false;
		w->bcast = !s->skip_broadcast;
		s->closed++;
	}
	todo = msi_home_inv_set(w->sharers | (w->bcast ? all : 0), keep);
	if (s->skip_inv)
		todo = 0;
	for (n = 0; n < s->nodes; n++) {
		if (!(todo & msi_bit(n)))
			continue;
		if (!node_inv(s, w, n, wait))
			return false;
		w->sharers &= ~msi_bit(n);
	}
	w->bcast = false;
	return true;
}

/*
 * The home's ssihv_home_hold(): a valid copy at the home.  Returns false
 * when it must wait (the owner's own fetch is still on its way: the
 * recall waits for the busy frame there), when the recall fails because
 * the owner is cut off (*@lost), or on a violation.
 */
static bool home_hold(struct search *s, struct world *w, u8 access,
		      bool *lost)
{
	u8 recall = msi_home_recall(w->state, w->owner, 0, access);
	enum msi_node_action action;
	struct copy *c;

	*lost = false;
	if (w->state != I)
		return true;
	if (!recall) {		/* never touched: a zeroed page */
		w->state = E;
		w->value = 0;
		return true;
	}
	c = &w->n[w->owner];
	if (c->cut) {
		*lost = true;
		return false;
	}
	if (busy(c))
		return false;
	if (c->gone || msi_node_serve(c->state, recall, &action)) {
		s->violation = "recall finds no copy at the owner";
		return false;
	}
	w->value = c->value;
	if (recall == R)
		s->recall_read++;
	else
		s->recall_write++;
	if (action == MSI_NODE_HAND_OVER)
		c->state = I;
	else
		c->state = S;
	w->sharers = msi_home_recalled(w->sharers, w->owner, recall);
	w->state = recall == R ? S : E;
	w->owner = 0;
	return true;
}

/* The home serves node @n's pending request; false if it must wait. */
static bool home_serve(struct search *s, struct world *w, unsigned int n,
		       bool migrate)
{
	struct copy *c = &w->n[n];
	struct msi_home_answer a;
	u8 access = c->pending;
	bool lost, wait;
	u32 owner;

	if (msi_home_refuse(w->state, w->owner, n, access)) {
		s->violation = "the home refused a request";
		return false;
	}
	a = msi_home_answer(w->state, w->owner, w->sharers, 0, n, access,
			    migrate);
	s->zero += a.zero;
	s->moved += a.moved;
	s->keep += a.keep;
	if (a.zero) {
		w->state = I;
		w->owner = n;
		c->data = 0;
		goto sent;
	}
	if (!home_hold(s, w, a.access, &lost)) {
		if (!lost)
			return false;
		/* The recall failed: so does the request. */
		c->failed = true;
		goto sent;
	}
	if (a.access == W && !home_invalidate(s, w, n, &wait))
		return false;
	c->data = w->value;
	owner = w->owner;
	msi_home_served(&a, n, &w->state, &owner, &w->sharers);
	w->owner = owner;
sent:
	c->status = msi_home_status(&a);
	c->asked = access;
	c->pending = 0;
	return true;
}

/* Node @n processes the reply to its request (ssihv_node_get_frame()). */
static bool node_reply(struct search *s, struct world *w, unsigned int n)
{
	struct copy *c = &w->n[n];
	int status = c->failed ? -ENOTCONN : c->status;
	enum msi_got got;
	int err;

	if (!msi_status_valid(c->asked, status)) {
		s->violation = "an answer that does not fit the request";
		return false;
	}
	got = msi_node_got(c->asked, status, c->state, c->inv, &err);
	s->got[got]++;
	c->inv = false;
	switch (got) {
	case MSI_GOT_FAILED:
		if (!frame_lost(w)) {
			s->violation = "a fault failed";
			return false;
		}
		s->lost_fault++;	/* SIGBUS: the frame went with its owner */
		break;
	case MSI_GOT_KEEP:
		c->state = E;
		break;
	case MSI_GOT_AGAIN:
		c->pending = c->asked;
		break;
	case MSI_GOT_SHARED:
		c->state = S;
		c->value = c->data;
		break;
	case MSI_GOT_EXCLUSIVE:
		c->state = E;
		c->value = c->data;
		break;
	}
	c->asked = 0;
	c->status = 0;
	c->data = 0;
	c->failed = false;
	return true;
}

static bool check(struct search *s, const struct world *w)
{
	unsigned int n, writers = 0, copies = 0;

	if (w->state != I) {
		copies++;
		writers += w->state == E;
		if (w->value != w->latest)
			goto stale;
	}
	for (n = 1; n < s->nodes; n++) {
		const struct copy *c = &w->n[n];

		if (c->state == I)
			continue;
		copies++;
		writers += c->state == E;
		if (c->value != w->latest)
			goto stale;
		if (c->state == S && !(w->sharers & msi_bit(n)) &&
		    !w->pub_valid && !w->bcast &&
		    !(w->state == I && w->owner == n)) {
			s->violation = "a shared copy the home does not know";
			return false;
		}
		if (c->state == E && !(w->state == I && w->owner == n)) {
			s->violation = "an only copy the home does not know";
			return false;
		}
	}
	if ((w->pub_valid || w->bcast) && w->state != S) {
		s->violation = "a published or closing frame not shared at home";
		return false;
	}
	if (w->pub_valid && w->pub_value != w->latest) {
		s->violation = "a published frame that is not the last value";
		return false;
	}
	if (writers > 1 || (writers && copies > 1)) {
		s->violation = "a writable copy beside another copy";
		return false;
	}
	if (w->state == I && w->owner != 0 && w->n[w->owner].state != E &&
	    !w->n[w->owner].asked && !frame_lost(w)) {
		s->violation = "the home names an owner without the frame";
		return false;
	}
	return true;
stale:
	s->violation = "a copy that is not the last value written";
	return false;
}

/* A world one transition away: checked, and explored if new. */
static void step(struct search *s, const struct world *w)
{
	s->transitions++;
	if (s->violation || !check(s, w) || !remember(s, w))
		return;
	if (s->nr_todo == s->max_todo) {
		s->max_todo = s->max_todo ? 2 * s->max_todo : 4096;
		s->todo = realloc(s->todo, s->max_todo * sizeof(*s->todo));
		assert_non_null(s->todo);
	}
	s->todo[s->nr_todo++] = *w;
}

/* Every transition out of @w. */
static void explore(struct search *s, const struct world *w)
{
	bool open = false, progress = false;
	unsigned int n, m;
	bool lost, wait;
	struct world x;

	/* The home reads and writes its own frame (SIGBUS if lost). */
	x = *w;
	if (home_hold(s, &x, R, &lost))
		step(s, &x);
	s->lost_home += lost;
	x = *w;
	if (w->writes < MAX_WRITES && home_hold(s, &x, W, &lost)) {
		if (home_invalidate(s, &x, UINT32_MAX, &wait)) {
			x.state = E;
			x.latest = ++x.writes;
			x.value = x.latest;
			step(s, &x);
		} else if (wait) {
			/*
			 * The writer is killed in the fence: the nodes
			 * struck so far stay struck, the rest stay in the
			 * copy set, and nothing is written.
			 */
			s->killed++;
			step(s, &x);
		}
	}
	/*
	 * The home publishes the frame: at serve time, or a sweep of cold
	 * frames write-protects an only copy (EXCLUSIVE becomes SHARED).
	 */
	if (s->publish && !w->pub_valid && (w->state == S || w->state == E)) {
		x = *w;
		x.pub_valid = true;
		x.pub_value = w->value;
		x.state = S;
		s->published++;
		step(s, &x);
	}
	for (n = 1; n < s->nodes && !s->violation; n++) {
		const struct copy *c = &w->n[n];

		if (c->gone)
			continue;
		x = *w;
		if (c->cut && !c->noticed) {
			/* The node sees the home down: shared copies go. */
			if (c->state == S)
				x.n[n].state = I;
			x.n[n].noticed = true;
			progress = true;
			step(s, &x);
		}
		if (c->cut)	/* nothing it does reaches anyone now */
			continue;
		/* The link goes down, with whatever was in flight. */
		x.n[n] = (struct copy){
			.state = c->state, .value = c->value, .cut = true,
		};
		s->cut++;
		step(s, &x);
		open |= busy(c);
		if (!busy(c)) {
			/* A read: a hit (check() saw the value) or a miss. */
			x = *w;
			if (c->state == I)
				x.n[n].pending = R;
			step(s, &x);
			/*
			 * Or a one-sided read of the published slot: header
			 * and data, two READs in order on the QP.
			 */
			if (s->publish && c->state == I) {
				x = *w;
				x.n[n].osr = true;
				x.n[n].osr_ok = w->pub_valid;
				x.n[n].data = w->pub_value;
				step(s, &x);
			}
			/* A write: a hit, an upgrade or a miss. */
			x = *w;
			if (c->state == E && w->writes < MAX_WRITES) {
				x.latest = ++x.writes;
				x.n[n].value = x.latest;
				step(s, &x);
			} else if (c->state != E) {
				x.n[n].pending = c->state == S ? U : W;
				step(s, &x);
			}
			/* Leaving: the only copy goes home (PUT). */
			x = *w;
			if (c->state == E) {
				if (msi_home_take_back(x.state, x.owner, n)) {
					s->violation = "the home refused a PUT";
					return;
				}
				x.state = E;
				x.owner = 0;
				x.value = c->value;
				s->put++;
			}
			x.n[n] = (struct copy){ .gone = true };
			step(s, &x);
		}
		/* The home serves a request; placement says no, or yes. */
		for (m = 0; c->pending && m < 2; m++) {
			if (m && !msi_home_may_move(n, c->pending))
				break;
			x = *w;
			if (home_serve(s, &x, n, m)) {
				progress = true;
				step(s, &x);
			}
		}
		if (c->osr) {
			/* Installed; a closed slot falls back to a request. */
			x = *w;
			x.n[n].osr = false;
			x.n[n].osr_ok = false;
			x.n[n].data = 0;
			if (c->osr_ok) {
				x.n[n].state = S;
				x.n[n].value = c->data;
				s->osr_hit++;
			} else {
				x.n[n].pending = R;
				s->osr_miss++;
			}
			progress = true;
			step(s, &x);
		}
		if (c->asked) {
			x = *w;
			if (node_reply(s, &x, n)) {
				progress = true;
				step(s, &x);
			}
		}
	}
	if (open && !progress && !s->violation)
		s->violation = "requests open and nothing can move";
}

static void search_run(struct search *s)
{
	struct world w = { .state = I, .owner = 0 };

	s->seen = calloc(MAX_STATES, sizeof(*s->seen));
	assert_non_null(s->seen);
	remember(s, &w);
	explore(s, &w);
	while (s->nr_todo && !s->violation) {
		w = s->todo[--s->nr_todo];
		explore(s, &w);
	}
	free(s->seen);
	free(s->todo);
	printf("# %lu states, %lu transitions%s%s\n", s->states,
	       s->transitions, s->violation ? ": " : "",
	       s->violation ? s->violation : "");
}

/* @publish: with the published-frame design (and its events required). */
static void search_all(unsigned int nodes, bool publish)
{
	struct search s = { .nodes = nodes, .publish = publish };

	search_run(&s);
	if (s.violation)
		fail_msg("%s", s.violation);
	/*
	 * Every kind of answer, and every race, happened somewhere; the
	 * faults that failed all failed on a lost frame (else: a violation).
	 */
	assert_true(s.got[MSI_GOT_FAILED] && s.got[MSI_GOT_KEEP] &&
		    s.got[MSI_GOT_AGAIN] && s.got[MSI_GOT_SHARED] &&
		    s.got[MSI_GOT_EXCLUSIVE]);
	assert_true(s.zero && s.moved && s.keep);
	assert_true(s.recall_read && s.recall_write);
	assert_true(s.inv_busy && s.put);
	assert_true(s.cut && s.fenced && s.struck);
	assert_true(s.lost_home && s.lost_fault && s.killed);
	if (publish)
		assert_true(s.published && s.closed && s.osr_hit &&
			    s.osr_miss && s.osr_wait);
}

static void test_search(void **state)
{
	search_all(3, false);
}

/* A third node beside the home: three sharers, two cut at once. */
static void test_search_four_nodes(void **state)
{
	search_all(4, false);
}

/*
 * The published-frame design: one-sided reads beside every other race,
 * and each of its two rules found necessary.
 */
static void test_search_published(void **state)
{
	search_all(3, true);
	search_all(4, true);
}

/* A broken protocol (@s says how): the search must find a stale copy. */
static void expect_stale(struct search s)
{
	search_run(&s);
	assert_non_null(s.violation);
	assert_string_equal(s.violation,
			    "a copy that is not the last value written");
}

static void test_search_finds_a_missing_inv(void **state)
{
	struct search s = { .nodes = 3, .skip_inv = true };

	expect_stale(s);
}

/* Striking a cut-off node before it dropped its copy lets it read stale. */
static void test_search_finds_a_missing_fence(void **state)
{
	struct search s = { .nodes = 3, .skip_fence = true };

	expect_stale(s);
}

/* A one-sided reader's copy outlives the close. */
static void test_search_published_needs_broadcast(void **state)
{
	struct search s = { .nodes = 3, .publish = true,
			    .skip_broadcast = true };

	expect_stale(s);
}

/* A one-sided read in flight installs what the home overwrote. */
static void test_search_published_needs_osr_wait(void **state)
{
	struct search s = { .nodes = 3, .publish = true,
			    .skip_osr_wait = true };

	expect_stale(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_home_refuse),
		cmocka_unit_test(test_home_may_move),
		cmocka_unit_test(test_home_answer),
		cmocka_unit_test(test_home_recall),
		cmocka_unit_test(test_home_inv_set),
		cmocka_unit_test(test_home_served),
		cmocka_unit_test(test_home_take_back),
		cmocka_unit_test(test_node_serve),
		cmocka_unit_test(test_status_valid),
		cmocka_unit_test(test_node_got),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_search_four_nodes),
		cmocka_unit_test(test_search_published),
		cmocka_unit_test(test_search_published_needs_broadcast),
		cmocka_unit_test(test_search_published_needs_osr_wait),
		cmocka_unit_test(test_search_finds_a_missing_inv),
		cmocka_unit_test(test_search_finds_a_missing_fence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
