/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * Promela model of the MSI protocol ssihv.ko runs (kmod/msi.c,
 * kmod/mmap.c, kmod/rdma_page.c), checked by spin.  Every decision is
 * made by the module's own rules: kmod/proto/msi_rules.h is compiled into
 * the verifier (embedded C, see model/msi_rules_spin.h) and called from
 * c_code blocks, so this model checks the code the module builds, not a
 * transcription of it.  What the model spells out is the module's
 * transactions around those calls: locks, busy frames, requests and
 * replies.
 *
 *   make check-spin-msi      (model/model.mk)
 *
 * NN = 3 nodes, NF = 2 frames; frame f is homed on node f, so node 0 and
 * node 1 are each the home of one frame and a node elsewhere for the
 * other, and node 2 is never a home.  Per node: a fault process (the
 * guest's accesses: OPS reads or writes of either frame, one at a time,
 * as one vCPU), and one request server per frame (the module's
 * ssihv_frame workqueue; requests for one frame wait for each other on
 * its lock and busy bit anyway).
 *
 * A frame's lock is modelled by atomic sequences: an atomic sequence is
 * a stretch with the lock held, and the module drops the lock exactly
 * where the model blocks inside one, waiting for a reply (the frame busy
 * meanwhile) or for a busy frame.  Requests travel on one channel per
 * node and frame, replies on one per requester; nothing orders a request
 * against a reply, which allows more than an RC QP would (an INV may
 * overtake the reply it follows).
 *
 * Checked after every step that changes a frame: at most one writable
 * copy and no copy beside it; every valid copy holds the last value
 * written (so no read is stale: reads assert it too); the home's entry
 * names every copy held elsewhere; the last value written is in a valid
 * copy, in a reply on its way, or the frame was never written (no lost
 * write).  No rule may answer with an error (assert).  Deadlock: a fault
 * process blocked, or a server stopped anywhere but waiting for its next
 * request, is an invalid end state.
 *
 * Seeded bugs, each of which spin must find: -DBUG_SKIP_INV (the home
 * serves a write without invalidating the copies), -DBUG_NO_REFETCH (a
 * read copy an INV crossed is installed anyway), -DBUG_NO_BUSY_WAIT (a
 * recall does not wait for the owner's own fetch to land).
 */

c_decl {
\#include "msi_rules_spin.h"
}

#define NN	3
#define NF	2
#ifndef OPS
#define OPS	2
#endif
#define HOME(f)		(f)
#define NI(n, f)	((n) * NF + (f))
#define BIT(n)		(1 << (n))
#define NONE		255

/* SSIHV_PAGE_* and SSIHV_FRAME_*; init checks them against the C. */
#define PI	0
#define PE	1
#define PS	2
#define A_READ	1
#define A_WRITE	2
#define A_INV	3
#define A_UPG	4
/* enum msi_got */
#define G_FAILED	0
#define G_KEEP		1
#define G_AGAIN		2
#define G_SHARED	3
#define G_EXCL		4
/* enum msi_node_action */
#define X_NOTHING	0
#define X_DROP		1
#define X_BACK		2
#define X_OVER		3
/* A reply's status byte for an errno. */
#define ST_ERR		128

/*
 * The entry of frame f at node n: at the home, the home's entry (with
 * own[] and shr[]); elsewhere, that node's copy.
 */
byte st[NN * NF];
byte val[NN * NF];
bit busy[NN * NF];
bit inv[NN * NF];	/* an INV came while the frame was busy */
byte own[NF];		/* the home's entry: the owner when st is PI */
byte shr[NF];		/* the home's copy set */
byte latest[NF];	/* the last value written to each frame */
byte writes;		/* values are 1, 2, ... over both frames */

/*
 * Requests to node n for frame f (access, source); replies (status,
 * frame, data) to node n's fault process, and to the home of frame f
 * (recalls and INVs it sent).
 */
chan req[NN * NF] = [NN] of { byte, byte };
chan frep[NN] = [1] of { byte, byte, byte };
chan hrep[NF] = [1] of { byte, byte, byte };

/*
 * Scratch of atomic steps: the arguments and results of the rules, set
 * just before a c_code block calls one (as now.name) and read right
 * after it.  They are part of the state, not "hidden": the verifier
 * restores the state vector when it backtracks over embedded C, and a
 * hidden variable would keep whatever a later path left in it.  Every
 * atomic step sets them back to 0 (scratch_clear) before it may block
 * and when it ends, so they add no states.
 */
byte h_state, h_owner, h_src, h_acc, h_shr, h_keep, h_mig;
byte h_status, h_inv;
byte c_ret, c_act, c_got, c_may, c_todo, c_recall;
byte a_acc, a_zero, a_keep, a_moved, a_status;
byte i, cnt_e, cnt_s, ok;

inline scratch_clear()
{
	h_state = 0; h_owner = 0; h_src = 0; h_acc = 0; h_shr = 0;
	h_keep = 0; h_mig = 0; h_status = 0; h_inv = 0;
	c_ret = 0; c_act = 0; c_got = 0; c_may = 0; c_todo = 0;
	c_recall = 0;
	a_acc = 0; a_zero = 0; a_keep = 0; a_moved = 0; a_status = 0
}

/* ------------------------------------------------------------------ */
/* Checks                                                             */
/* ------------------------------------------------------------------ */

inline check_frame(f)
{
	cnt_e = 0;
	cnt_s = 0;
	ok = latest[f] == 0;
	i = 0;
	do
	:: i < NN ->
		if
		:: st[NI(i, f)] != PI ->
			assert(val[NI(i, f)] == latest[f]);
			ok = 1;
			if
			:: st[NI(i, f)] == PE -> cnt_e++
			:: else -> cnt_s++
			fi
		:: else -> skip
		fi;
		/* The home's entry names every copy held elsewhere. */
		if
		:: i != HOME(f) && st[NI(i, f)] == PS ->
			assert((shr[f] & BIT(i)) ||
			       (st[NI(HOME(f), f)] == PI && own[f] == i))
		:: i != HOME(f) && st[NI(i, f)] == PE ->
			assert(st[NI(HOME(f), f)] == PI && own[f] == i)
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	assert(cnt_e <= 1 && (cnt_e == 0 || cnt_s == 0));
	/* No lost write: a copy holds it, or a reply carries it. */
	i = 0;
	do
	:: !ok && i < NN ->
		if
		:: frep[i]??[_, eval(f), eval(latest[f])] -> ok = 1
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	if
	:: !ok && hrep[f]??[_, eval(f), eval(latest[f])] -> ok = 1
	:: else -> skip
	fi;
	assert(ok);
	i = 0;
	ok = 0;
	cnt_e = 0;
	cnt_s = 0
}

inline check_all()
{
	scratch_clear();
	check_frame(0);
	check_frame(1)
}

inline write_value(n, f)
{
	writes++;
	latest[f] = writes;
	val[NI(n, f)] = writes
}

/* ------------------------------------------------------------------ */
/* The home (kmod/msi.c)                                              */
/* ------------------------------------------------------------------ */

/*
 * ssihv_home_hold(): a valid copy at the home for access acc, recalled
 * from the owner if need be, the lock dropped across the recall (the
 * caller made the frame busy).  Uses the caller's locals r, s, d.
 */
inline home_hold(f, acc)
{
	if
	:: st[NI(HOME(f), f)] == PI ->
		h_state = PI;
		h_owner = own[f];
		h_keep = HOME(f);
		h_acc = acc;
		c_code {
			now.c_recall = msi_home_recall(now.h_state, now.h_owner,
						       now.h_keep, now.h_acc);
		};
		r = c_recall;
		if
		:: r == 0 ->		/* never touched: a zeroed page */
			st[NI(HOME(f), f)] = PE;
			val[NI(HOME(f), f)] = 0
		:: else ->
			scratch_clear();
			req[NI(own[f], f)]!r, HOME(f);
			hrep[f]?s, _, d;
			assert(s == 0);
			h_shr = shr[f];
			h_owner = own[f];
			h_acc = r;
			c_code {
				now.c_todo = msi_home_recalled(now.h_shr,
							       now.h_owner,
							       now.h_acc);
			};
			shr[f] = c_todo;
			if
			:: r == A_READ -> st[NI(HOME(f), f)] = PS
			:: else -> st[NI(HOME(f), f)] = PE
			fi;
			val[NI(HOME(f), f)] = d;
			own[f] = HOME(f)
		fi
	:: else -> skip
	fi;
	r = 0;
	s = 0;
	d = 0
}

/*
 * ssihv_home_invalidate(): an INV to every copy but keep's, one at a
 * time, the lock dropped across each (the frame busy).  Uses the
 * caller's locals k, todo, s.
 */
inline home_invalidate(f, keep)
{
	h_shr = shr[f];
	h_keep = keep;
	c_code { now.c_todo = msi_home_inv_set(now.h_shr, now.h_keep); };
	todo = c_todo;
#ifdef BUG_SKIP_INV
	todo = 0;
#endif
	k = 0;
	do
	:: k < NN ->
		if
		:: todo & BIT(k) ->
			scratch_clear();
			req[NI(k, f)]!A_INV, HOME(f);
			hrep[f]?s, _, _;
			assert(s == 0);
			shr[f] = shr[f] & ~BIT(k)
		:: else -> skip
		fi;
		k++
	:: else -> break
	od;
	k = 0;
	todo = 0;
	s = 0
}

/* ssihv_home_serve(): node src asks for frame f with access acc. */
inline home_serve(f, acc, src)
{
	h_state = st[NI(HOME(f), f)];
	h_owner = own[f];
	h_src = src;
	h_acc = acc;
	c_code {
		now.c_ret = msi_home_refuse(now.h_state, now.h_owner,
					    now.h_src, now.h_acc) != 0;
	};
	assert(!c_ret);
	c_code { now.c_may = msi_home_may_move(now.h_src, now.h_acc); };
	if
	:: c_may -> if
		    :: mig = 1
		    :: mig = 0
		    fi
	:: else -> skip
	fi;
	h_shr = shr[f];
	h_mig = mig;
	h_keep = HOME(f);
	c_code {
		struct msi_home_answer a;

		a = msi_home_answer(now.h_state, now.h_owner, now.h_shr,
				    now.h_keep, now.h_src, now.h_acc,
				    now.h_mig);
		now.a_acc = a.access;
		now.a_zero = a.zero;
		now.a_keep = a.keep;
		now.a_moved = a.moved;
		now.a_status = msi_home_status(&a);
	};
	/* Kept across the recall and the INVs: scratch would not last. */
	ans = a_acc | a_zero << 3 | a_keep << 4 | a_moved << 5;
	status = a_status;
	if
	:: a_zero ->
		/* No data: the requester's new page is zeroes already. */
		frep[src]!status, f, 0;
		st[NI(HOME(f), f)] = PI;
		own[f] = src
	:: else ->
		busy[NI(HOME(f), f)] = 1;
		home_hold(f, ans & 7);
		if
		:: (ans & 7) == A_WRITE -> home_invalidate(f, src)
		:: else -> skip
		fi;
		if
		:: (ans & 7) == A_READ -> st[NI(HOME(f), f)] = PS
		:: else -> skip
		fi;
		if
		:: ans & 16 -> frep[src]!status, f, 0
		:: else -> frep[src]!status, f, val[NI(HOME(f), f)]
		fi;
		h_state = st[NI(HOME(f), f)];
		h_owner = own[f];
		h_shr = shr[f];
		h_src = src;
		a_acc = ans & 7;
		a_zero = (ans >> 3) & 1;
		a_keep = (ans >> 4) & 1;
		a_moved = (ans >> 5) & 1;
		c_code {
			struct msi_home_answer a = {
				.access = now.a_acc, .zero = now.a_zero,
				.keep = now.a_keep, .moved = now.a_moved,
			};
			u8 state = now.h_state;
			u32 owner = now.h_owner;
			u64 sharers = now.h_shr;

			msi_home_served(&a, now.h_src, &state, &owner,
					&sharers);
			now.h_state = state;
			now.h_owner = owner;
			now.h_shr = sharers;
		};
		st[NI(HOME(f), f)] = h_state;
		own[f] = h_owner;
		shr[f] = h_shr;
		if
		:: h_state == PI -> val[NI(HOME(f), f)] = 0
		:: else -> skip
		fi;
		busy[NI(HOME(f), f)] = 0
	fi;
	ans = 0;
	status = 0;
	mig = 0
}

/*
 * The home's own access (kmod/mmap.c): a fault on an invalid frame
 * (placement may turn a read into taking the only copy), or an upgrade
 * of a shared one.
 */
inline home_access(f, acc)
{
	atomic {
		!busy[NI(HOME(f), f)];
		if
		:: st[NI(HOME(f), f)] == PI ->
			ra = acc;
			if
			:: acc == A_READ -> if
					    :: ra = A_WRITE
					    :: skip
					    fi
			:: else -> skip
			fi;
			busy[NI(HOME(f), f)] = 1;
			home_hold(f, ra);
			busy[NI(HOME(f), f)] = 0;
			ra = 0
		:: acc == A_WRITE && st[NI(HOME(f), f)] == PS ->
			busy[NI(HOME(f), f)] = 1;
			home_invalidate(f, NONE);
			busy[NI(HOME(f), f)] = 0;
			st[NI(HOME(f), f)] = PE
		:: else -> skip
		fi;
		if
		:: acc == A_WRITE -> assert(st[NI(HOME(f), f)] == PE);
				     write_value(HOME(f), f)
		:: else -> assert(val[NI(HOME(f), f)] == latest[f])
		fi;
		check_all()
	}
}

/* ------------------------------------------------------------------ */
/* Any other node (kmod/msi.c, kmod/rdma_page.c)                      */
/* ------------------------------------------------------------------ */

/*
 * ssihv_node_get_frame(), from the fault or the upgrade: ask the home,
 * the lock dropped and the frame busy while waiting; ask again when an
 * INV crossed a read copy.
 */
inline node_access(n, f, acc)
{
	do
	:: atomic {
		if
		:: acc == A_READ && st[NI(n, f)] != PI ->
			assert(val[NI(n, f)] == latest[f]);
			break
		:: acc == A_WRITE && st[NI(n, f)] == PE ->
			write_value(n, f);
			check_all();
			break
		:: else -> skip
		fi;
		if
		:: acc == A_READ -> ra = A_READ
		:: acc == A_WRITE && st[NI(n, f)] == PS -> ra = A_UPG
		:: else -> ra = A_WRITE
		fi;
		busy[NI(n, f)] = 1;
		inv[NI(n, f)] = 0;
		scratch_clear();
		req[NI(HOME(f), f)]!ra, n;
		frep[n]?s, _, d;
		busy[NI(n, f)] = 0;
		h_acc = ra;
		h_status = s;
		h_state = st[NI(n, f)];
		h_inv = inv[NI(n, f)];
		c_code {
			int err;

			now.c_got = msi_node_got(now.h_acc, now.h_status,
						 now.h_state, now.h_inv,
						 &err);
		};
		inv[NI(n, f)] = 0;
#ifdef BUG_NO_REFETCH
		if
		:: c_got == G_AGAIN -> c_got = G_SHARED
		:: else -> skip
		fi;
#endif
		if
		:: c_got == G_FAILED -> assert(false)
		:: c_got == G_KEEP -> st[NI(n, f)] = PE
		:: c_got == G_AGAIN -> skip
		:: c_got == G_SHARED -> st[NI(n, f)] = PS; val[NI(n, f)] = d
		:: c_got == G_EXCL -> st[NI(n, f)] = PE; val[NI(n, f)] = d
		fi;
		ra = 0;
		s = 0;
		d = 0;
		if
		:: c_got == G_AGAIN -> check_all()
		:: else ->
			/* The access the fault was for, before any recall. */
			if
			:: acc == A_READ -> assert(val[NI(n, f)] == latest[f])
			:: else -> assert(st[NI(n, f)] == PE);
				   write_value(n, f)
			fi;
			check_all();
			break
		fi
	   }
	od
}

/* ssihv_node_inv() and the owner's side of a recall (msi_node_serve()). */
inline node_serve(n, f, acc)
{
	atomic {
		if
		:: acc == A_INV && busy[NI(n, f)] -> inv[NI(n, f)] = 1
		:: acc != A_INV ->
#ifndef BUG_NO_BUSY_WAIT
			/* A recall waits for our own fetch to land. */
			!busy[NI(n, f)]
#else
			skip
#endif
		:: else -> skip
		fi;
		h_state = st[NI(n, f)];
		h_acc = acc;
		c_code {
			enum msi_node_action action;

			now.c_ret = msi_node_serve(now.h_state, now.h_acc,
						   &action) != 0;
			now.c_act = action;
		};
		assert(!c_ret);
		d = val[NI(n, f)];
		if
		:: c_act == X_DROP || c_act == X_OVER ->
			st[NI(n, f)] = PI;
			val[NI(n, f)] = 0
		:: c_act == X_BACK -> st[NI(n, f)] = PS
		:: else -> skip
		fi;
		if
		:: acc == A_INV -> hrep[f]!0, f, 0
		:: else -> hrep[f]!0, f, d
		fi;
		d = 0;
		check_all()
	}
}

/* ------------------------------------------------------------------ */
/* Processes                                                          */
/* ------------------------------------------------------------------ */

/* Node n's guest: OPS reads or writes, of either frame. */
proctype fault(byte n)
{
	byte f, acc, ra, r, s, d, k, todo, ops;

	do
	:: ops < OPS ->
		ops++;
		if
		:: f = 0
		:: f = 1
		fi;
		if
		:: acc = A_READ
		:: acc = A_WRITE
		fi;
		if
		:: n == HOME(f) -> home_access(f, acc)
		:: else -> node_access(n, f, acc)
		fi;
		f = 0;
		acc = 0
	:: else -> break
	od
}

/* Node n's server of requests for frame f. */
proctype server(byte n; byte f)
{
	byte acc, src, mig, ans, status, r, s, d, k, todo;

end:
	do
	:: req[NI(n, f)]?acc, src ->
		if
		:: n == HOME(f) -> atomic {
				!busy[NI(n, f)];
				home_serve(f, acc, src);
				check_all()
			}
		:: else -> node_serve(n, f, acc)
		fi;
		acc = 0;
		src = 0
	od
}

init {
	byte n, f;

	c_code {
		now.c_ret = SSIHV_PAGE_INVALID == PI &&
			SSIHV_PAGE_EXCLUSIVE == PE &&
			SSIHV_PAGE_SHARED == PS &&
			SSIHV_FRAME_READ == A_READ &&
			SSIHV_FRAME_WRITE == A_WRITE &&
			SSIHV_FRAME_INV == A_INV &&
			SSIHV_FRAME_UPGRADE == A_UPG &&
			MSI_GOT_FAILED == G_FAILED && MSI_GOT_KEEP == G_KEEP &&
			MSI_GOT_AGAIN == G_AGAIN &&
			MSI_GOT_SHARED == G_SHARED &&
			MSI_GOT_EXCLUSIVE == G_EXCL &&
			MSI_NODE_NOTHING == X_NOTHING &&
			MSI_NODE_DROP == X_DROP &&
			MSI_NODE_HAND_BACK == X_BACK &&
			MSI_NODE_HAND_OVER == X_OVER;
	};
	assert(c_ret);
	c_ret = 0;
	atomic {
		/* Never touched: invalid at the home, which owns it. */
		own[0] = HOME(0);
		own[1] = HOME(1);
		n = 0;
		do
		:: n < NN ->
			f = 0;
			do
			:: f < NF -> run server(n, f); f++
			:: else -> break
			od;
			run fault(n);
			n++
		:: else -> break
		od;
		n = 0;
		f = 0
	}
}
