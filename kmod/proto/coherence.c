// SPDX-License-Identifier: GPL-2.0
/*
 * Home-based MSI directory coherence protocol: the home and node state
 * machines.  See coherence.h and Documentation/coherence.rst.
 *
 * Every handler validates its whole input before it changes anything, so
 * an error leaves the state exactly as it was.  No libc, no floating
 * point, no recursion: this file is also kernel code.
 */
#include "coherence.h"

static inline u64 coh_bit(unsigned int node)
{
	return 1ULL << node;
}

/* Flags each message type may carry. */
static const u8 coh_flags_allowed[COH_MSG_MAX] = {
	[COH_DATA] = COH_F_EXCL,
	[COH_FWD] = COH_F_EXCL,
	[COH_WRITEBACK] = COH_F_DATA | COH_F_SHARED | COH_F_EVICTING,
	[COH_EVICT_ACK] = COH_F_FWD,
};

bool coh_to_home(unsigned int type)
{
	switch (type) {
	case COH_READ_REQ:
	case COH_WRITE_REQ:
	case COH_DONE:
	case COH_INV_ACK:
	case COH_WRITEBACK:
	case COH_EVICT:
		return true;
	default:
		return false;
	}
}

/*
 * Checks shared by both machines: type known and meant for this side,
 * flags allowed, frame ours, dst ours, src in range.
 */
static int coh_check(const struct coh_msg *in, u64 frame, unsigned int nnodes,
		     unsigned int self, bool home)
{
	if (in->type < COH_READ_REQ || in->type >= COH_MSG_MAX ||
	    coh_to_home(in->type) != home)
		return COH_ERR_TYPE;
	if (in->flags & ~coh_flags_allowed[in->type])
		return COH_ERR_FLAGS;
	if (in->src >= nnodes || in->dst != self)
		return COH_ERR_NODE;
	if (in->frame != frame)
		return COH_ERR_FRAME;
	return 0;
}

static void coh_emit(struct coh_msg *out, unsigned int *n, u64 frame,
		     unsigned int type, unsigned int flags, unsigned int src,
		     unsigned int dst, u64 value)
{
	struct coh_msg *m = &out[(*n)++];

	m->frame = frame;
	m->value = value;
	m->src = src;
	m->dst = dst;
	m->type = type;
	m->flags = flags;
}

/* ------------------------------------------------------------------ */
/* Home                                                                */
/* ------------------------------------------------------------------ */

int coh_dir_init(struct coh_dir *d, u64 frame, unsigned int home,
		 unsigned int nnodes, u64 value)
{
	if (!nnodes || nnodes > COH_MAX_NODES || home >= nnodes)
		return COH_ERR_PARAM;
	*d = (struct coh_dir){
		.frame = frame,
		.value = value,
		.home = home,
		.nnodes = nnodes,
		.owner = COH_NO_NODE,
		.req = COH_NO_NODE,
		.last = home,
		.state = COH_DIR_I,
		.phase = COH_IDLE,
	};
	return COH_OK;
}

static void home_send(struct coh_dir *d, struct coh_msg *out, unsigned int *n,
		      unsigned int type, unsigned int flags, unsigned int dst)
{
	coh_emit(out, n, d->frame, type, flags, d->home, dst, d->value);
}

/*
 * Hand the frame to the requester (every copy it conflicts with is gone)
 * and wait for its DONE.  A requester that died meanwhile gets nothing:
 * the transaction ends with whatever copies are left.
 */
static void home_grant(struct coh_dir *d, struct coh_msg *out,
		       unsigned int *n)
{
	unsigned int r = d->req;

	d->wb_seen = 0;
	if (d->dead & coh_bit(r)) {
		d->owner = COH_NO_NODE;
		d->state = d->copyset ? COH_DIR_S : COH_DIR_I;
		d->req = COH_NO_NODE;
		d->phase = COH_IDLE;
		return;
	}
	if (d->req_write) {
		d->state = COH_DIR_M;
		d->owner = r;
		d->copyset = 0;
		home_send(d, out, n, COH_DATA, COH_F_EXCL, r);
	} else {
		d->state = COH_DIR_S;
		d->owner = COH_NO_NODE;
		d->copyset |= coh_bit(r);
		home_send(d, out, n, COH_DATA, 0, r);
	}
	d->phase = COH_WAIT_DONE;
}

/* Start serving a request from r (the home is idle). */
static void home_start(struct coh_dir *d, unsigned int r, bool write,
		       struct coh_msg *out, unsigned int *n)
{
	unsigned int i;

	d->last = r;
	if (d->state == COH_DIR_LOST) {
		home_send(d, out, n, COH_LOST, 0, r);
		return;
	}
	d->req = r;
	d->req_write = write;
	d->wb_seen = 0;
	if (d->state == COH_DIR_M) {
		home_send(d, out, n, COH_FWD, write ? COH_F_EXCL : 0,
			  d->owner);
		d->phase = COH_WAIT_WB;
		return;
	}
	if (write && d->state == COH_DIR_S) {
		d->acks = d->copyset & ~coh_bit(r);
		if (d->acks) {
			for (i = 0; i < d->nnodes; i++)
				if (d->acks & coh_bit(i))
					home_send(d, out, n, COH_INV, 0, i);
			d->phase = COH_WAIT_ACKS;
			return;
		}
	}
	home_grant(d, out, n);
}

/* While idle, serve queued requests round robin after the last one. */
static void home_run(struct coh_dir *d, struct coh_msg *out, unsigned int *n)
{
	unsigned int i, r;
	u64 q;

	while (d->phase == COH_IDLE && (d->rdq | d->wrq)) {
		q = d->rdq | d->wrq;
		r = d->last;
		for (i = 0; i < d->nnodes; i++) {
			r = (r + 1) % d->nnodes;
			if (q & coh_bit(r))
				break;
		}
		q = coh_bit(r);
		d->rdq &= ~q;
		if (d->wrq & q) {
			d->wrq &= ~q;
			home_start(d, r, true, out, n);
		} else {
			home_start(d, r, false, out, n);
		}
	}
}

/* The owner's data is gone: fail the transaction and everything queued. */
static void home_lose(struct coh_dir *d, struct coh_msg *out, unsigned int *n)
{
	unsigned int i;

	if (d->phase != COH_IDLE && !(d->dead & coh_bit(d->req)))
		home_send(d, out, n, COH_LOST, 0, d->req);
	for (i = 0; i < d->nnodes; i++)
		if ((d->rdq | d->wrq) & coh_bit(i))
			home_send(d, out, n, COH_LOST, 0, i);
	d->rdq = 0;
	d->wrq = 0;
	d->acks = 0;
	d->copyset = 0;
	d->state = COH_DIR_LOST;
	d->owner = COH_NO_NODE;
	d->req = COH_NO_NODE;
	d->phase = COH_IDLE;
	d->wb_seen = 0;
}

/* The owner wrote back (WRITEBACK or EVICT): it keeps S or nothing. */
static void home_owner_done(struct coh_dir *d, bool keep)
{
	d->copyset = keep ? coh_bit(d->owner) : 0;
	d->state = keep ? COH_DIR_S : COH_DIR_I;
	d->owner = COH_NO_NODE;
}

static int home_request(struct coh_dir *d, const struct coh_msg *in,
			struct coh_msg *out, unsigned int *n)
{
	unsigned int s = in->src;
	u64 b = coh_bit(s);
	bool write = in->type == COH_WRITE_REQ;

	/*
	 * One request per node and frame; an owner never asks.  The one
	 * being served asks again only after its DONE, an owner only after
	 * answering a FWD, and the new request may overtake either: it
	 * waits in the queue like any other.
	 */
	if ((d->rdq | d->wrq) & b)
		return COH_ERR_STATE;
	if (d->phase != COH_IDLE && d->phase != COH_WAIT_DONE &&
	    d->req == s)
		return COH_ERR_STATE;
	if (d->state == COH_DIR_M && d->owner == s &&
	    d->phase != COH_WAIT_WB)
		return COH_ERR_STATE;
	if (d->phase != COH_IDLE) {
		if (write)
			d->wrq |= b;
		else
			d->rdq |= b;
		return COH_OK;
	}
	home_start(d, s, write, out, n);
	return COH_OK;
}

static int home_writeback(struct coh_dir *d, const struct coh_msg *in,
			  struct coh_msg *out, unsigned int *n)
{
	bool keep = in->flags & COH_F_SHARED;

	if (d->phase != COH_WAIT_WB || d->owner != in->src)
		return COH_ERR_STATE;
	/* Only an owner whose EVICT already brought the data sends none. */
	if (!(in->flags & COH_F_DATA) && !d->wb_seen)
		return COH_ERR_STATE;
	/* After its EVICT, the owner answers from MI_A or from I_F. */
	if (d->wb_seen && (in->flags & COH_F_DATA) &&
	    !(in->flags & COH_F_EVICTING))
		return COH_ERR_STATE;
	if (keep && (d->req_write || d->wb_seen ||
		     (in->flags & COH_F_EVICTING) ||
		     !(in->flags & COH_F_DATA)))
		return COH_ERR_FLAGS;
	if (in->flags & COH_F_DATA)
		d->value = in->value;
	if ((in->flags & COH_F_EVICTING) && !d->wb_seen)
		d->stale_evict |= coh_bit(in->src);
	home_owner_done(d, keep);
	home_grant(d, out, n);
	return COH_OK;
}

static int home_evict(struct coh_dir *d, const struct coh_msg *in,
		      struct coh_msg *out, unsigned int *n)
{
	u64 b = coh_bit(in->src);

	/* Its WRITEBACK already served a FWD: the data is in. */
	if (d->stale_evict & b) {
		d->stale_evict &= ~b;
		home_send(d, out, n, COH_EVICT_ACK, 0, in->src);
		return COH_OK;
	}
	if (d->state != COH_DIR_M || d->owner != in->src || d->wb_seen)
		return COH_ERR_STATE;
	d->value = in->value;
	if (d->phase == COH_WAIT_WB) {
		/* A FWD is on its way to the evicting owner: it answers. */
		d->wb_seen = 1;
		home_send(d, out, n, COH_EVICT_ACK, COH_F_FWD, in->src);
	} else {
		home_owner_done(d, false);
		home_send(d, out, n, COH_EVICT_ACK, 0, in->src);
	}
	return COH_OK;
}

int coh_home_handle(struct coh_dir *d, const struct coh_msg *in,
		    struct coh_msg *out, unsigned int *nout)
{
	unsigned int n = 0;
	u64 b;
	int ret;

	ret = coh_check(in, d->frame, d->nnodes, d->home, true);
	if (ret)
		return ret;
	if (*nout < COH_MAX_OUT)
		return COH_ERR_NOSPACE;
	b = coh_bit(in->src);
	if (d->dead & b)
		return COH_ERR_NODE;

	switch (in->type) {
	case COH_READ_REQ:
	case COH_WRITE_REQ:
		ret = home_request(d, in, out, &n);
		break;
	case COH_DONE:
		if (d->phase != COH_WAIT_DONE || d->req != in->src)
			return COH_ERR_STATE;
		d->phase = COH_IDLE;
		d->req = COH_NO_NODE;
		ret = COH_OK;
		break;
	case COH_INV_ACK:
		if (d->phase != COH_WAIT_ACKS || !(d->acks & b))
			return COH_ERR_STATE;
		d->acks &= ~b;
		d->copyset &= ~b;
		if (!d->acks)
			home_grant(d, out, &n);
		ret = COH_OK;
		break;
	case COH_WRITEBACK:
		ret = home_writeback(d, in, out, &n);
		break;
	default: /* COH_EVICT: coh_check() let only home types through */
		ret = home_evict(d, in, out, &n);
		break;
	}
	if (ret < 0)
		return ret;
	home_run(d, out, &n);
	*nout = n;
	return ret;
}

/*
 * Node x is gone (its messages are dropped from now on).  Copies it held
 * are forgotten, a transaction waiting on it goes on without it, and if it
 * held the only copy (M) the frame becomes LOST: its requester and every
 * queued request get COH_LOST and so will every later one.  Returns
 * COH_FAILED if the frame is (now or already) lost.
 */
int coh_home_peer_lost(struct coh_dir *d, unsigned int x, struct coh_msg *out,
		       unsigned int *nout)
{
	unsigned int n = 0;
	u64 b;

	if (x >= d->nnodes || x == d->home)
		return COH_ERR_PARAM;
	if (*nout < COH_MAX_OUT)
		return COH_ERR_NOSPACE;
	b = coh_bit(x);
	if (!(d->dead & b)) {
		d->dead |= b;
		d->rdq &= ~b;
		d->wrq &= ~b;
		d->stale_evict &= ~b;
		d->copyset &= ~b;
		if (d->state == COH_DIR_S && !d->copyset &&
		    d->phase == COH_IDLE)
			d->state = COH_DIR_I;
		switch (d->phase) {
		case COH_IDLE:
			if (d->state == COH_DIR_M && d->owner == x)
				home_lose(d, out, &n);
			break;
		case COH_WAIT_ACKS:
			if (d->acks & b) {
				d->acks &= ~b;
				if (!d->acks)
					home_grant(d, out, &n);
			}
			break;
		case COH_WAIT_WB:
			if (d->owner != x)
				break;	/* the requester: grant finds it dead */
			if (d->wb_seen) {
				home_owner_done(d, false);
				home_grant(d, out, &n);
			} else {
				home_lose(d, out, &n);
			}
			break;
		default: /* COH_WAIT_DONE */
			if (d->req != x)
				break;
			if (d->state == COH_DIR_M && d->owner == x) {
				home_lose(d, out, &n);
			} else {
				if (!d->copyset)
					d->state = COH_DIR_I;
				d->phase = COH_IDLE;
				d->req = COH_NO_NODE;
			}
			break;
		}
		home_run(d, out, &n);
	}
	*nout = n;
	return d->state == COH_DIR_LOST ? COH_FAILED : COH_OK;
}

/* ------------------------------------------------------------------ */
/* Node                                                                */
/* ------------------------------------------------------------------ */

int coh_node_init(struct coh_node *ns, u64 frame, unsigned int self,
		  unsigned int home, unsigned int nnodes)
{
	if (!nnodes || nnodes > COH_MAX_NODES || self >= nnodes ||
	    home >= nnodes)
		return COH_ERR_PARAM;
	*ns = (struct coh_node){
		.frame = frame,
		.self = self,
		.home = home,
		.nnodes = nnodes,
		.state = COH_N_I,
	};
	return COH_OK;
}

static void node_send(struct coh_node *ns, struct coh_msg *out,
		      unsigned int *n, unsigned int type, unsigned int flags)
{
	coh_emit(out, n, ns->frame, type, flags, ns->self, ns->home,
		 ns->value);
}

/*
 * A read or write of the frame.  HIT: done (read: *value is the contents;
 * write: *value was stored).  MISS: a request is out, retry after
 * COH_COMPLETE (the retry hits).  BUSY: wait for the transaction under
 * way.  COH_ERR_LOST: the frame is lost.
 */
int coh_node_access(struct coh_node *ns, bool write, u64 *value,
		    struct coh_msg *out, unsigned int *nout)
{
	unsigned int n = 0;
	int ret;

	if (*nout < 1)
		return COH_ERR_NOSPACE;
	switch (ns->state) {
	case COH_N_M:
		if (write)
			ns->value = *value;
		else
			*value = ns->value;
		ret = COH_HIT;
		break;
	case COH_N_S:
	case COH_N_SM_D:
		if (!write) {
			*value = ns->value;
			ret = COH_HIT;
		} else if (ns->state == COH_N_SM_D) {
			ret = COH_BUSY;
		} else {
			node_send(ns, out, &n, COH_WRITE_REQ, 0);
			ns->state = COH_N_SM_D;
			ret = COH_MISS;
		}
		break;
	case COH_N_I:
		node_send(ns, out, &n, write ? COH_WRITE_REQ : COH_READ_REQ,
			  0);
		ns->state = write ? COH_N_IM_D : COH_N_IS_D;
		ret = COH_MISS;
		break;
	case COH_N_LOST:
		return COH_ERR_LOST;
	default:
		ret = COH_BUSY;
		break;
	}
	*nout = n;
	return ret;
}

/*
 * Drop the local copy: M writes back (EVICT, then MI_A until the ack), S
 * goes silently (the home's copy set is a superset), I and LOST do
 * nothing, transient states are BUSY.
 */
int coh_node_evict(struct coh_node *ns, struct coh_msg *out,
		   unsigned int *nout)
{
	unsigned int n = 0;

	if (*nout < 1)
		return COH_ERR_NOSPACE;
	switch (ns->state) {
	case COH_N_M:
		node_send(ns, out, &n, COH_EVICT, 0);
		ns->state = COH_N_MI_A;
		break;
	case COH_N_S:
		ns->state = COH_N_I;
		break;
	case COH_N_I:
	case COH_N_LOST:
		break;
	default:
		return COH_BUSY;
	}
	*nout = n;
	return COH_OK;
}

static int node_fwd(struct coh_node *ns, const struct coh_msg *in,
		    struct coh_msg *out, unsigned int *n)
{
	bool excl = in->flags & COH_F_EXCL;

	switch (ns->state) {
	case COH_N_M:
		node_send(ns, out, n, COH_WRITEBACK,
			  COH_F_DATA | (excl ? 0 : COH_F_SHARED));
		ns->state = excl ? COH_N_I : COH_N_S;
		return COH_OK;
	case COH_N_MI_A:
		/* Our EVICT crossed the FWD: answer, and drop the copy. */
		node_send(ns, out, n, COH_WRITEBACK,
			  COH_F_DATA | COH_F_EVICTING);
		ns->state = COH_N_II_A;
		return COH_OK;
	case COH_N_I_F:
		/* The home took the data from our EVICT already. */
		node_send(ns, out, n, COH_WRITEBACK, 0);
		ns->state = COH_N_I;
		return COH_OK;
	default:
		return COH_ERR_STATE;
	}
}

static int node_inv(struct coh_node *ns, struct coh_msg *out,
		    unsigned int *n)
{
	switch (ns->state) {
	case COH_N_S:
		ns->state = COH_N_I;
		break;
	case COH_N_SM_D:
		ns->state = COH_N_IM_D;	/* another writer won: no copy now */
		break;
	case COH_N_I:		/* dropped silently */
	case COH_N_IS_D:	/* our read crossed the INV */
	case COH_N_IM_D:
		break;
	default:
		return COH_ERR_STATE;
	}
	node_send(ns, out, n, COH_INV_ACK, 0);
	return COH_OK;
}

int coh_node_handle(struct coh_node *ns, const struct coh_msg *in,
		    struct coh_msg *out, unsigned int *nout)
{
	unsigned int n = 0;
	bool excl = in->flags & COH_F_EXCL;
	int ret;

	ret = coh_check(in, ns->frame, ns->nnodes, ns->self, false);
	if (ret)
		return ret;
	if (in->src != ns->home)
		return COH_ERR_NODE;
	if (*nout < 1)
		return COH_ERR_NOSPACE;

	switch (in->type) {
	case COH_DATA:
		if (ns->state == COH_N_IS_D && !excl)
			ns->state = COH_N_S;
		else if ((ns->state == COH_N_IM_D ||
			  ns->state == COH_N_SM_D) && excl)
			ns->state = COH_N_M;
		else
			return COH_ERR_STATE;
		ns->value = in->value;
		node_send(ns, out, &n, COH_DONE, 0);
		ret = COH_COMPLETE;
		break;
	case COH_INV:
		ret = node_inv(ns, out, &n);
		break;
	case COH_FWD:
		ret = node_fwd(ns, in, out, &n);
		break;
	case COH_EVICT_ACK:
		if (ns->state == COH_N_MI_A)
			ns->state = (in->flags & COH_F_FWD) ? COH_N_I_F :
							      COH_N_I;
		else if (ns->state == COH_N_II_A)
			ns->state = COH_N_I;
		else
			return COH_ERR_STATE;
		ret = COH_OK;
		break;
	default: /* COH_LOST */
		if (ns->state != COH_N_IS_D && ns->state != COH_N_IM_D &&
		    ns->state != COH_N_SM_D)
			return COH_ERR_STATE;
		ns->state = COH_N_LOST;
		ret = COH_FAILED;
		break;
	}
	if (ret < 0)
		return ret;
	*nout = n;
	return ret;
}

/* The frame's home is gone: the frame is lost here too. */
int coh_node_home_lost(struct coh_node *ns)
{
	bool pending = ns->state == COH_N_IS_D || ns->state == COH_N_IM_D ||
		       ns->state == COH_N_SM_D;

	ns->state = COH_N_LOST;
	return pending ? COH_FAILED : COH_OK;
}
