/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Home-based MSI directory coherence protocol for guest frames.
 *
 * Plain C with no kernel headers: the same file builds into ssihv.ko and
 * into the host unit tests (tests/host/test_coherence.c), and
 * model/coherence.pml is a Promela model of the same machines.  See
 * Documentation/coherence.rst for the transition tables.
 *
 * Every frame has one home node that keeps a directory entry (struct
 * coh_dir): state I/S/M, owner, copy set, and the one transaction it is
 * serving.  Every node keeps a local state per frame (struct coh_node).
 * All functions are pure state machines: they take one event, update the
 * state and return the messages the caller must send.  The caller
 * serialises calls per frame (the module's per-frame lock) and supplies
 * all storage; nothing here allocates, sleeps or recurses.
 *
 * Concurrent requests for one frame are queued at the home (one bit per
 * node and kind, since a node has at most one request per frame in flight)
 * and served round robin: no NACK/retry traffic, no starvation, bounded
 * storage.  A transaction ends with the requester's DONE, so every message
 * of a transaction has been consumed before the next one starts; the
 * protocol therefore tolerates any reordering of messages between two
 * nodes (RC QPs give per-link FIFO anyway).
 */
#ifndef _SSIHV_PROTO_COHERENCE_H
#define _SSIHV_PROTO_COHERENCE_H

#include "types.h"

/*
 * Copy sets and request queues are u64 bitmaps, so at most 64 nodes for
 * now although node ids go up to 255 elsewhere (SSIHV_WIRE_MAX_NODES).
 * Widening means turning the bitmaps into arrays of u64.
 */
#define COH_MAX_NODES		64
#define COH_NO_NODE		0xffffU

/* Room the caller gives every call for its output messages. */
#define COH_MAX_OUT		(COH_MAX_NODES + 1)

enum coh_msg_type {
	COH_READ_REQ = 1,	/* node -> home: read miss */
	COH_WRITE_REQ,		/* node -> home: write miss, or upgrade S->M */
	COH_DATA,		/* home -> requester: grant, value; F_EXCL: M */
	COH_DONE,		/* requester -> home: grant installed */
	COH_INV,		/* home -> sharer: drop your copy */
	COH_INV_ACK,		/* sharer -> home: copy dropped */
	COH_FWD,		/* home -> owner: write back, keep S (or I if
				 * F_EXCL)
				 */
	COH_WRITEBACK,		/* owner -> home: answer to FWD */
	COH_EVICT,		/* owner -> home: voluntary writeback of M */
	COH_EVICT_ACK,		/* home -> evicting owner */
	COH_LOST,		/* home -> requester: the frame is lost */
	COH_MSG_MAX
};

/* Message flags; each type allows only its own (coh_flags_ok()). */
#define COH_F_EXCL		0x01	/* DATA, FWD: exclusive (M) */
#define COH_F_DATA		0x02	/* WRITEBACK: carries the value */
#define COH_F_SHARED		0x04	/* WRITEBACK: sender kept an S copy */
#define COH_F_EVICTING		0x08	/* WRITEBACK: sender's EVICT is out */
#define COH_F_FWD		0x10	/* EVICT_ACK: a FWD crossed the EVICT */

/*
 * value is the frame's contents for the checker and the model: a data
 * version.  In the module DATA, WRITEBACK and EVICT carry the page itself
 * (an RDMA write into the peer's landing page) and value is its version.
 */
struct coh_msg {
	u64 frame;
	u64 value;
	u16 src;
	u16 dst;
	u8 type;
	u8 flags;
};

/* Home directory state of a frame. */
enum coh_dir_state {
	COH_DIR_I,		/* no copy outside the home's memory */
	COH_DIR_S,		/* read-only copies at copyset (a superset) */
	COH_DIR_M,		/* owner has the only, writable copy */
	COH_DIR_LOST,		/* owner died with the only copy */
};

/* What the home waits for in its current transaction. */
enum coh_dir_phase {
	COH_IDLE,
	COH_WAIT_ACKS,		/* INV_ACK from every node in acks */
	COH_WAIT_WB,		/* WRITEBACK from owner */
	COH_WAIT_DONE,		/* DONE from req */
};

struct coh_dir {
	u64 frame;
	u64 value;		/* home copy; stale while state is M */
	u64 copyset;		/* S: nodes that may hold a copy */
	u64 acks;		/* WAIT_ACKS: INV_ACKs still due */
	u64 rdq;		/* queued read requests, by node */
	u64 wrq;		/* queued write requests, by node */
	u64 stale_evict;	/* EVICTs superseded by a WRITEBACK */
	u64 dead;		/* nodes declared lost */
	u16 home;
	u16 nnodes;
	u16 owner;		/* M: the owner, else COH_NO_NODE */
	u16 req;		/* requester being served, or COH_NO_NODE */
	u16 last;		/* last requester served (round robin) */
	u8 state;		/* enum coh_dir_state */
	u8 phase;		/* enum coh_dir_phase */
	u8 req_write;		/* req wants M */
	u8 wb_seen;		/* WAIT_WB: owner's EVICT already absorbed */
};

/* A node's local state of a frame. */
enum coh_node_state {
	COH_N_I,		/* no copy */
	COH_N_S,		/* read-only copy */
	COH_N_M,		/* only copy, writable */
	COH_N_IS_D,		/* read miss: waiting for DATA */
	COH_N_IM_D,		/* write miss: waiting for DATA */
	COH_N_SM_D,		/* upgrade: S copy still readable, waiting */
	COH_N_MI_A,		/* evicting M: waiting for EVICT_ACK */
	COH_N_II_A,		/* evicted and answered a FWD: waiting ack */
	COH_N_I_F,		/* evicted, a FWD that crossed is still due */
	COH_N_LOST,		/* frame lost: every access fails */
	COH_N_NSTATES
};

struct coh_node {
	u64 frame;
	u64 value;		/* contents of the local copy */
	u16 self;
	u16 home;
	u16 nnodes;
	u8 state;		/* enum coh_node_state */
	u8 pad;
};

/* Results, >= 0; errors are negative and leave the state unchanged. */
enum coh_result {
	COH_OK = 0,		/* event consumed */
	COH_HIT,		/* access done locally */
	COH_MISS,		/* request sent: wait for COH_COMPLETE */
	COH_BUSY,		/* a transaction is under way: wait */
	COH_COMPLETE,		/* the pending access can be retried: hits */
	COH_FAILED,		/* the frame is lost: pending access fails */
};

enum coh_error {
	COH_ERR_PARAM = -1,	/* bad argument to init/peer_lost */
	COH_ERR_NOSPACE = -2,	/* *nout smaller than COH_MAX_OUT */
	COH_ERR_TYPE = -3,	/* unknown type or wrong direction */
	COH_ERR_FLAGS = -4,	/* flags not allowed for the type */
	COH_ERR_NODE = -5,	/* src/dst out of range, dead or wrong */
	COH_ERR_FRAME = -6,	/* message for another frame */
	COH_ERR_STATE = -7,	/* message unexpected in this state */
	COH_ERR_LOST = -8,	/* access to a lost frame */
};

int coh_dir_init(struct coh_dir *d, u64 frame, unsigned int home,
		 unsigned int nnodes, u64 value);
int coh_home_handle(struct coh_dir *d, const struct coh_msg *in,
		    struct coh_msg *out, unsigned int *nout);
int coh_home_peer_lost(struct coh_dir *d, unsigned int node,
		       struct coh_msg *out, unsigned int *nout);

int coh_node_init(struct coh_node *ns, u64 frame, unsigned int self,
		  unsigned int home, unsigned int nnodes);
int coh_node_access(struct coh_node *ns, bool write, u64 *value,
		    struct coh_msg *out, unsigned int *nout);
int coh_node_evict(struct coh_node *ns, struct coh_msg *out,
		   unsigned int *nout);
int coh_node_handle(struct coh_node *ns, const struct coh_msg *in,
		    struct coh_msg *out, unsigned int *nout);
int coh_node_home_lost(struct coh_node *ns);

/* True for the types a home handles, false for those a node handles. */
bool coh_to_home(unsigned int type);

#endif /* _SSIHV_PROTO_COHERENCE_H */
