/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * Promela model of the home-based MSI directory protocol of
 * kmod/proto/coherence.c (Documentation/coherence.rst), checked by spin:
 *
 *   spin -a model/coherence.pml && gcc -DSAFETY -o pan pan.c && ./pan
 *
 * NN = 3 nodes, NF = 2 frames; frame f is homed on node f.  Each node is
 * one process that runs both the node machine of every frame and the home
 * machine of the frames homed on it, one event per atomic step, like the
 * module's per-frame lock.  Every directed pair of nodes (loopback too)
 * has its own FIFO channel, as an RC QP per peer gives.
 *
 * Each node does at most OPS operations (read miss, write, eviction) so
 * every run is finite.  Checked:
 *
 *   - after every step: at most one node in M, and none in S while one
 *     is (single writer); every readable copy holds the latest committed
 *     version (so no read can be stale); the latest version exists
 *     somewhere: home memory, an M/MI_A copy or a message carrying data
 *     (no lost write);
 *   - every completed read returns the latest version;
 *   - every message is expected in the state it meets (assert);
 *   - when nothing can move (timeout), no access is pending, every home is
 *     idle with an empty queue, every channel is empty and home memory or
 *     the owner holds the last write.  A process blocked anywhere else
 *     (a full channel, a missing message) is an invalid end state.
 *
 * -DBUG_SKIP_INV seeds a bug (the home forgets to invalidate node 2 on a
 * write) that spin must find; -DBUG_DROP_EVICT makes the home drop the data
 * of an eviction.
 */

#define NN	3
#define NF	2
#ifndef OPS
#define OPS	3
#endif
#ifndef CAP
#define CAP	3
#endif
#define NONE	255
#define NOVAL	255
#define HOME(f)	(f)
#define NI(n, f)	((n) * NF + (f))
#define BIT(n)	(1 << (n))

mtype = { READ_REQ, WRITE_REQ, DATA, DONE, INV, INV_ACK, FWD, WRITEBACK,
	  EVICT, EVICT_ACK };

#define F_EXCL		1
#define F_SHARED	4
#define F_EVICTING	8
#define F_FWD		16

/* Node states (enum coh_node_state). */
#define N_I	0
#define N_S	1
#define N_M	2
#define N_IS_D	3
#define N_IM_D	4
#define N_SM_D	5
#define N_MI_A	6
#define N_II_A	7
#define N_I_F	8

/* Directory states and phases (enum coh_dir_state, coh_dir_phase). */
#define D_I	0
#define D_S	1
#define D_M	2
#define P_IDLE	0
#define P_ACKS	1
#define P_WB	2
#define P_DONE	3

/* link[src * NN + dst]: type, flags, frame, value (NOVAL: no data). */
chan link[NN * NN] = [CAP] of { mtype, byte, bit, byte };

typedef dir_t {
	byte state;
	byte phase;
	byte owner;
	byte req;
	bit req_write;
	bit wb_seen;
	byte copyset;
	byte acks;
	byte rdq;
	byte wrq;
	byte stale;
	byte value;
	byte last;
};

dir_t dir[NF];
byte nst[NN * NF];	/* node states */
byte nval[NN * NF];	/* node copies */
byte pend[NN * NF];	/* pending access: 0, 1 read, 2 write */
byte latest[NF];	/* last committed version of each frame */

/*
 * Scratch for atomic steps, cleared at the end of each so that it adds no
 * states.  Not hidden: pan does not restore hidden variables when it
 * backtracks, so a guard reading one would see what another path left.
 * (The hidden version of this model visited the same 3139798 states.)
 */
byte i, k, r, cnt_m, cnt_s;
byte ok;
byte m_fl, m_v;
byte m_f;
mtype m_t;

inline scratch_clear()
{
	i = 0; k = 0; r = 0; cnt_m = 0; cnt_s = 0; ok = 0;
	m_fl = 0; m_v = 0; m_f = 0; m_t = 0
}

/*
 * A send never blocks: a full channel would break the atomicity of the
 * step, so CAP must cover the protocol's worst case, and this says so.
 */
#define SEND(src, dst, t, fl, f, v)					\
	assert(nfull(link[(src) * NN + (dst)]));			\
	link[(src) * NN + (dst)]!t, fl, f, v

/* ---------------------------------------------------------------- */
/* Checks                                                           */
/* ---------------------------------------------------------------- */

/* ok = the latest version of frame f is in flight on some link. */
inline in_flight(f)
{
	ok = 0;
	k = 0;
	do
	:: k < NN * NN ->
		if
		:: link[k]??[DATA, _, eval(f), eval(latest[f])] -> ok = 1
		:: link[k]??[EVICT, _, eval(f), eval(latest[f])] -> ok = 1
		:: link[k]??[WRITEBACK, _, eval(f), eval(latest[f])] -> ok = 1
		:: else -> skip
		fi;
		k++
	:: else -> break
	od
}

inline check_frame(f)
{
	cnt_m = 0;
	cnt_s = 0;
	ok = (dir[f].value == latest[f]);
	i = 0;
	do
	:: i < NN ->
		if
		:: nst[NI(i, f)] == N_M -> cnt_m++
		:: nst[NI(i, f)] == N_S || nst[NI(i, f)] == N_SM_D -> cnt_s++
		:: else -> skip
		fi;
		/* every readable copy is the latest version */
		assert(!(nst[NI(i, f)] == N_M || nst[NI(i, f)] == N_S ||
			 nst[NI(i, f)] == N_SM_D) || nval[NI(i, f)] == latest[f]);
		if
		:: (nst[NI(i, f)] == N_M || nst[NI(i, f)] == N_MI_A) &&
		   nval[NI(i, f)] == latest[f] -> ok = 1
		:: else -> skip
		fi;
		i++
	:: else -> break
	od;
	/* single writer */
	assert(cnt_m <= 1 && (cnt_m == 0 || cnt_s == 0));
	/* no lost write */
	if
	:: !ok -> in_flight(f)
	:: else -> skip
	fi;
	assert(ok)
}

inline check_all()
{
	check_frame(0);
	check_frame(1)
}

/* ---------------------------------------------------------------- */
/* Home                                                             */
/* ---------------------------------------------------------------- */

inline home_grant(f)
{
	dir[f].wb_seen = 0;
	if
	:: dir[f].req_write ->
		dir[f].state = D_M;
		dir[f].owner = dir[f].req;
		dir[f].copyset = 0;
		SEND(HOME(f), dir[f].req, DATA, F_EXCL, f, dir[f].value)
	:: else ->
		dir[f].state = D_S;
		dir[f].owner = NONE;
		dir[f].copyset = dir[f].copyset | BIT(dir[f].req);
		SEND(HOME(f), dir[f].req, DATA, 0, f, dir[f].value)
	fi;
	dir[f].phase = P_DONE
}

inline home_start(f, rr, w)
{
	dir[f].last = rr;
	dir[f].req = rr;
	dir[f].req_write = w;
	dir[f].wb_seen = 0;
	if
	:: dir[f].state == D_M ->
		if
		:: w -> SEND(HOME(f), dir[f].owner, FWD, F_EXCL, f, NOVAL)
		:: else -> SEND(HOME(f), dir[f].owner, FWD, 0, f, NOVAL)
		fi;
		dir[f].phase = P_WB
	:: dir[f].state == D_S && w &&
	   (dir[f].copyset & ~BIT(rr)) != 0 ->
#ifdef BUG_SKIP_INV
		dir[f].acks = dir[f].copyset & ~BIT(rr) & ~BIT(NN - 1);
#else
		dir[f].acks = dir[f].copyset & ~BIT(rr);
#endif
		if
		:: dir[f].acks == 0 -> home_grant(f)
		:: else ->
			i = 0;
			do
			:: i < NN ->
				if
				:: dir[f].acks & BIT(i) ->
					SEND(HOME(f), i, INV, 0, f, NOVAL)
				:: else -> skip
				fi;
				i++
			:: else -> break
			od;
			dir[f].phase = P_ACKS
		fi
	:: else -> home_grant(f)
	fi
}

/* Serve queued requests round robin after the last one served. */
inline home_run(f)
{
	do
	:: dir[f].phase == P_IDLE && (dir[f].rdq | dir[f].wrq) != 0 ->
		r = dir[f].last;
		do
		:: r = (r + 1) % NN;
		   if
		   :: (dir[f].rdq | dir[f].wrq) & BIT(r) -> break
		   :: else -> skip
		   fi
		od;
		if
		:: dir[f].wrq & BIT(r) ->
			dir[f].wrq = dir[f].wrq & ~BIT(r);
			home_start(f, r, 1)
		:: else ->
			dir[f].rdq = dir[f].rdq & ~BIT(r);
			home_start(f, r, 0)
		fi
	:: else -> break
	od
}

inline home_owner_done(f, keep)
{
	if
	:: keep ->
		dir[f].copyset = BIT(dir[f].owner);
		dir[f].state = D_S
	:: else ->
		dir[f].copyset = 0;
		dir[f].state = D_I
	fi;
	dir[f].owner = NONE
}

inline home_recv(f, s, t, fl, v)
{
	assert(HOME(f) == me);
	if
	:: t == READ_REQ || t == WRITE_REQ ->
		assert(((dir[f].rdq | dir[f].wrq) & BIT(s)) == 0);
		assert(dir[f].phase == P_IDLE || dir[f].phase == P_DONE ||
		       dir[f].req != s);
		assert(!(dir[f].state == D_M && dir[f].owner == s &&
			 dir[f].phase != P_WB));
		if
		:: dir[f].phase != P_IDLE && t == WRITE_REQ ->
			dir[f].wrq = dir[f].wrq | BIT(s)
		:: dir[f].phase != P_IDLE && t == READ_REQ ->
			dir[f].rdq = dir[f].rdq | BIT(s)
		:: else -> home_start(f, s, t == WRITE_REQ)
		fi
	:: t == DONE ->
		assert(dir[f].phase == P_DONE && dir[f].req == s);
		dir[f].phase = P_IDLE;
		dir[f].req = NONE
	:: t == INV_ACK ->
		assert(dir[f].phase == P_ACKS && (dir[f].acks & BIT(s)));
		dir[f].acks = dir[f].acks & ~BIT(s);
		dir[f].copyset = dir[f].copyset & ~BIT(s);
		if
		:: dir[f].acks == 0 -> home_grant(f)
		:: else -> skip
		fi
	:: t == WRITEBACK ->
		assert(dir[f].phase == P_WB && dir[f].owner == s);
		assert(v != NOVAL || dir[f].wb_seen);
		assert(!(fl & F_SHARED) || !(dir[f].req_write || dir[f].wb_seen));
		if
		:: v != NOVAL -> dir[f].value = v
		:: else -> skip
		fi;
		if
		:: (fl & F_EVICTING) && !dir[f].wb_seen ->
			dir[f].stale = dir[f].stale | BIT(s)
		:: else -> skip
		fi;
		home_owner_done(f, fl & F_SHARED);
		home_grant(f)
	:: t == EVICT ->
		if
		:: dir[f].stale & BIT(s) ->
			dir[f].stale = dir[f].stale & ~BIT(s);
			SEND(HOME(f), s, EVICT_ACK, 0, f, NOVAL)
		:: else ->
			assert(dir[f].state == D_M && dir[f].owner == s &&
			       !dir[f].wb_seen);
#ifndef BUG_DROP_EVICT
			dir[f].value = v;
#endif
			if
			:: dir[f].phase == P_WB ->
				dir[f].wb_seen = 1;
				SEND(HOME(f), s, EVICT_ACK, F_FWD, f, NOVAL)
			:: else ->
				home_owner_done(f, 0);
				SEND(HOME(f), s, EVICT_ACK, 0, f, NOVAL)
			fi
		fi
	fi;
	home_run(f)
}

/* ---------------------------------------------------------------- */
/* Node                                                             */
/* ---------------------------------------------------------------- */

/* The pending access completes as soon as the grant is in. */
inline complete(f)
{
	if
	:: pend[NI(me, f)] == 1 ->
		/* no stale read */
		assert(nval[NI(me, f)] == latest[f])
	:: pend[NI(me, f)] == 2 ->
		latest[f]++;
		nval[NI(me, f)] = latest[f]
	fi;
	pend[NI(me, f)] = 0
}

inline node_recv(f, t, fl, v)
{
	if
	:: t == DATA ->
		assert((nst[NI(me, f)] == N_IS_D && !(fl & F_EXCL)) ||
		       ((nst[NI(me, f)] == N_IM_D ||
			 nst[NI(me, f)] == N_SM_D) && (fl & F_EXCL)));
		if
		:: fl & F_EXCL -> nst[NI(me, f)] = N_M
		:: else -> nst[NI(me, f)] = N_S
		fi;
		nval[NI(me, f)] = v;
		SEND(me, HOME(f), DONE, 0, f, NOVAL);
		complete(f)
	:: t == INV ->
		if
		:: nst[NI(me, f)] == N_S -> nst[NI(me, f)] = N_I
		:: nst[NI(me, f)] == N_SM_D -> nst[NI(me, f)] = N_IM_D
		:: nst[NI(me, f)] == N_I || nst[NI(me, f)] == N_IS_D ||
		   nst[NI(me, f)] == N_IM_D -> skip
		:: else -> assert(false)
		fi;
		SEND(me, HOME(f), INV_ACK, 0, f, NOVAL)
	:: t == FWD ->
		if
		:: nst[NI(me, f)] == N_M && (fl & F_EXCL) ->
			SEND(me, HOME(f), WRITEBACK, 0, f, nval[NI(me, f)]);
			nst[NI(me, f)] = N_I
		:: nst[NI(me, f)] == N_M && !(fl & F_EXCL) ->
			SEND(me, HOME(f), WRITEBACK, F_SHARED, f,
			     nval[NI(me, f)]);
			nst[NI(me, f)] = N_S
		:: nst[NI(me, f)] == N_MI_A ->
			SEND(me, HOME(f), WRITEBACK, F_EVICTING, f,
			     nval[NI(me, f)]);
			nst[NI(me, f)] = N_II_A
		:: nst[NI(me, f)] == N_I_F ->
			SEND(me, HOME(f), WRITEBACK, 0, f, NOVAL);
			nst[NI(me, f)] = N_I
		:: else -> assert(false)
		fi
	:: t == EVICT_ACK ->
		if
		:: nst[NI(me, f)] == N_MI_A && (fl & F_FWD) ->
			nst[NI(me, f)] = N_I_F
		:: nst[NI(me, f)] == N_MI_A && !(fl & F_FWD) ->
			nst[NI(me, f)] = N_I
		:: nst[NI(me, f)] == N_II_A -> nst[NI(me, f)] = N_I
		:: else -> assert(false)
		fi
	fi;
	/* A node's own copy is not kept once it is not readable. */
	if
	:: nst[NI(me, f)] == N_I || nst[NI(me, f)] == N_II_A ||
	   nst[NI(me, f)] == N_I_F || nst[NI(me, f)] == N_IM_D ->
		nval[NI(me, f)] = 0
	:: else -> skip
	fi
}

/*
 * The operations a node may start on frame f while its copy is stable,
 * each one indivisible step: read miss, write (miss, upgrade or hit),
 * eviction of M (written back) or of S (silent).
 */
#define OP(f, guard, body)						\
	:: d_step {							\
		ops < OPS && (guard) ->					\
		body;							\
		ops++;							\
		check_all();						\
		scratch_clear()						\
	}

#define OPS_ON(f)							\
	OP(f, nst[NI(me, f)] == N_I,					\
	   SEND(me, HOME(f), READ_REQ, 0, f, NOVAL);			\
	   nst[NI(me, f)] = N_IS_D;					\
	   pend[NI(me, f)] = 1)						\
	OP(f, nst[NI(me, f)] == N_I,					\
	   SEND(me, HOME(f), WRITE_REQ, 0, f, NOVAL);			\
	   nst[NI(me, f)] = N_IM_D;					\
	   pend[NI(me, f)] = 2)						\
	OP(f, nst[NI(me, f)] == N_S,					\
	   SEND(me, HOME(f), WRITE_REQ, 0, f, NOVAL);			\
	   nst[NI(me, f)] = N_SM_D;					\
	   pend[NI(me, f)] = 2)						\
	OP(f, nst[NI(me, f)] == N_M,					\
	   latest[f]++;							\
	   nval[NI(me, f)] = latest[f])					\
	OP(f, nst[NI(me, f)] == N_M,					\
	   SEND(me, HOME(f), EVICT, 0, f, nval[NI(me, f)]);		\
	   nst[NI(me, f)] = N_MI_A)					\
	OP(f, nst[NI(me, f)] == N_S,					\
	   nst[NI(me, f)] = N_I;					\
	   nval[NI(me, f)] = 0)

/* One message, handled in one indivisible step. */
#define RECV(s)								\
	:: d_step {							\
		nempty(link[(s) * NN + me]) ->				\
		link[(s) * NN + me]?m_t, m_fl, m_f, m_v;		\
		if							\
		:: m_t == READ_REQ || m_t == WRITE_REQ || m_t == DONE ||\
		   m_t == INV_ACK || m_t == WRITEBACK || m_t == EVICT -> \
			home_recv(m_f, s, m_t, m_fl, m_v)		\
		:: else -> node_recv(m_f, m_t, m_fl, m_v)		\
		fi;							\
		check_all();						\
		scratch_clear()						\
	}

#define STABLE(n, f)	(nst[NI(n, f)] == N_I || nst[NI(n, f)] == N_S || \
			 nst[NI(n, f)] == N_M)

proctype node(byte me)
{
	byte ops = 0;

	do
	OPS_ON(0)
	OPS_ON(1)
	RECV(0)
	RECV(1)
	RECV(2)
	:: timeout -> break
	od;

	/* Quiescent: every request completed, nothing left anywhere. */
	atomic {
		assert(pend[NI(me, 0)] == 0 && pend[NI(me, 1)] == 0);
		assert(STABLE(me, 0) && STABLE(me, 1));
		i = 0;
		do
		:: i < NN * NN -> assert(empty(link[i])); i++
		:: else -> break
		od;
		k = 0;
		do
		:: k < NF ->
			assert(dir[k].phase == P_IDLE && dir[k].rdq == 0 &&
			       dir[k].wrq == 0 && dir[k].stale == 0);
			/* the last write is at home or at its owner */
			assert((dir[k].state == D_M &&
				nst[NI(dir[k].owner, k)] == N_M &&
				nval[NI(dir[k].owner, k)] == latest[k]) ||
			       (dir[k].state != D_M &&
				dir[k].value == latest[k]));
			k++
		:: else -> break
		od;
		scratch_clear()
	}
}

init
{
	atomic {
		k = 0;
		do
		:: k < NF ->
			dir[k].state = D_I;
			dir[k].phase = P_IDLE;
			dir[k].owner = NONE;
			dir[k].req = NONE;
			dir[k].last = HOME(k);
			k++
		:: else -> break
		od;
		run node(0);
		run node(1);
		run node(2);
		scratch_clear()
	}
}
