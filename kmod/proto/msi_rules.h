/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The decisions of the module's MSI protocol (kmod/msi.c), as functions of
 * a frame's directory entry and the message at hand, with no locking, no
 * pages and no transport.  kmod/msi.c does what they decide;
 * tests/host/test_msi_rules.c drives them through every transition and
 * explores every interleaving of three and four nodes' faults,
 * departures, in-flight replies and links going down, checking one writer
 * and current data on each step.
 *
 * States are SSIHV_PAGE_* (the includer provides <linux/ssihv.h>), the
 * home's entry as described at the top of kmod/msi.c; accesses and
 * answers are SSIHV_FRAME_* from wire.h.  Errors are negative errnos.
 */
#ifndef _SSIHV_PROTO_MSI_RULES_H
#define _SSIHV_PROTO_MSI_RULES_H

#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

#include "types.h"
#include "wire.h"

/* Nodes that can hold shared copies: one bit each in the copy set. */
#define MSI_SHARERS_MAX		64

static inline bool msi_can_share(u32 node)
{
	return node < MSI_SHARERS_MAX;
}

static inline u64 msi_bit(u32 node)
{
	return msi_can_share(node) ? 1ULL << node : 0;
}

/*
 * The home refuses node @src's request (READ, WRITE, UPGRADE; a PUT is
 * msi_home_take_back()'s) with this errno, or takes it (0).  @state,
 * @owner: the home's entry.
 */
static inline int msi_home_refuse(u8 state, u32 owner, u32 src, u8 access)
{
	if (access != SSIHV_FRAME_READ && access != SSIHV_FRAME_WRITE &&
	    access != SSIHV_FRAME_UPGRADE)
		return -EPROTO;
	/* A node that asks for the frame we think it owns has lost it. */
	if (state == SSIHV_PAGE_INVALID && owner == src)
		return -ESTALE;
	return 0;
}

/*
 * May the placement policy move the frame to @src on this request?  Ask
 * the policy only then: it counts the moves it allows.
 */
static inline bool msi_home_may_move(u32 src, u8 access)
{
	return access == SSIHV_FRAME_READ && msi_can_share(src);
}

/* How the home answers a request it takes. */
struct msi_home_answer {
	u8 access;	/* what is served: READ, or WRITE (the only copy) */
	bool moved;	/* a READ answered with the only copy (EXCL) */
	bool zero;	/* no data: the frame was never touched (ZERO) */
	bool keep;	/* no data: @src keeps its shared copy (KEEP) */
};

/*
 * @state, @owner: the home's entry; @sharers: its copy set; @self: the
 * home; @migrate: the placement policy moves the frame to @src.  A read
 * from a node that cannot be in the copy set gets the only copy too.
 */
static inline struct msi_home_answer
msi_home_answer(u8 state, u32 owner, u64 sharers, u32 self, u32 src,
		u8 access, bool migrate)
{
	struct msi_home_answer a = { .access = access };

	if (access == SSIHV_FRAME_READ && (!msi_can_share(src) || migrate)) {
		a.access = SSIHV_FRAME_WRITE;
		a.moved = true;
	}
	/*
	 * The only copy of a frame never touched anywhere: all zeroes, which
	 * the requester's new page already is.  (An upgrade comes from a
	 * node that had a copy, so the frame was touched.)
	 */
	a.zero = a.access == SSIHV_FRAME_WRITE &&
		 state == SSIHV_PAGE_INVALID && owner == self;
	if (access == SSIHV_FRAME_UPGRADE) {
		a.access = SSIHV_FRAME_WRITE;
		a.keep = sharers & msi_bit(src);
	}
	return a;
}

/* The reply status for an answer (data, if any, went before it). */
static inline int msi_home_status(const struct msi_home_answer *a)
{
	if (a->keep)
		return SSIHV_FRAME_KEEP;
	return (a->zero ? SSIHV_FRAME_ZERO : 0) |
	       (a->moved ? SSIHV_FRAME_EXCL : 0);
}

/*
 * The home needs a valid copy to serve (or to use itself): which request
 * recalls it from @owner, the node with the only copy (0: none needed,
 * the home has it or the frame was never touched).  A READ lets the
 * owner keep a shared copy and join the copy set; anything else, or an
 * owner that cannot be in the copy set, takes the only copy back.
 */
static inline u8 msi_home_recall(u8 state, u32 owner, u32 self, u8 access)
{
	if (state != SSIHV_PAGE_INVALID || owner == self)
		return 0;
	if (access == SSIHV_FRAME_READ && msi_can_share(owner))
		return SSIHV_FRAME_READ;
	return SSIHV_FRAME_WRITE;
}

/* The home's copy set once a recall with @recall was answered. */
static inline u64 msi_home_recalled(u64 sharers, u32 owner, u8 recall)
{
	return recall == SSIHV_FRAME_READ ? sharers | msi_bit(owner) : sharers;
}

/*
 * Who gets an INV before the home serves a write (@keep: the requester,
 * whose copy is being upgraded or replaced; U32_MAX: nobody, the home
 * writes itself).
 */
static inline u64 msi_home_inv_set(u64 sharers, u32 keep)
{
	return sharers & ~msi_bit(keep);
}

/*
 * The home's entry once an answer was handed over to @src: a shared copy
 * joins the copy set (the home keeps SHARED); the only copy leaves the
 * home with an empty copy set, naming @src the owner.
 */
static inline void msi_home_served(const struct msi_home_answer *a, u32 src,
				   u8 *state, u32 *owner, u64 *sharers)
{
	if (a->access == SSIHV_FRAME_READ) {
		*state = SSIHV_PAGE_SHARED;
		*sharers |= msi_bit(src);
		return;
	}
	*state = SSIHV_PAGE_INVALID;
	*owner = src;
	*sharers = 0;
}

/*
 * Home: node @src gives back the only copy (PUT).  Taken only if the
 * entry still names @src the owner; otherwise a recall got there first
 * and the copy is stale.
 */
static inline int msi_home_take_back(u8 state, u32 owner, u32 src)
{
	return state == SSIHV_PAGE_INVALID && owner == src ? 0 : -ESTALE;
}

/* What a node other than the home does with its home's request. */
enum msi_node_action {
	MSI_NODE_NOTHING,	/* answer 0, nothing here to change */
	MSI_NODE_DROP,		/* drop the copy, answer 0 */
	MSI_NODE_HAND_BACK,	/* send the data, keep a shared copy */
	MSI_NODE_HAND_OVER,	/* send the data, drop the copy */
};

/*
 * @state: this node's entry.  A recall (READ, WRITE) needs the copy the
 * home thinks we own: without one it is -ESTALE.  A SHARED entry is
 * served too: the home asks only the node it names as owner, so this
 * copy is current (a downgrade whose answer the home never got).  An INV
 * drops a shared copy; the only copy is not the home's to take that way.
 */
static inline int msi_node_serve(u8 state, u8 access,
				 enum msi_node_action *action)
{
	*action = MSI_NODE_NOTHING;
	switch (access) {
	case SSIHV_FRAME_INV:
		if (state == SSIHV_PAGE_EXCLUSIVE)
			return -EPROTO;
		if (state == SSIHV_PAGE_SHARED)
			*action = MSI_NODE_DROP;
		return 0;
	case SSIHV_FRAME_READ:
	case SSIHV_FRAME_WRITE:
		if (state == SSIHV_PAGE_INVALID)
			return -ESTALE;
		*action = access == SSIHV_FRAME_READ ? MSI_NODE_HAND_BACK :
						       MSI_NODE_HAND_OVER;
		return 0;
	default:
		return -EPROTO;
	}
}

/*
 * Is @status a possible answer to @access?  KEEP answers only an upgrade,
 * EXCL only a read; nothing answers an INV or a PUT with data flags.
 */
static inline bool msi_status_valid(u8 access, int status)
{
	if (status <= 0)
		return true;
	if (status == SSIHV_FRAME_KEEP)
		return access == SSIHV_FRAME_UPGRADE;
	if (access == SSIHV_FRAME_INV || access == SSIHV_FRAME_PUT)
		return false;
	return !(status & SSIHV_FRAME_EXCL) || access == SSIHV_FRAME_READ;
}

/* What a node does with its home's answer to its own request. */
enum msi_got {
	MSI_GOT_FAILED,		/* the errno stands; nothing installed */
	MSI_GOT_KEEP,		/* our shared copy becomes the only one */
	MSI_GOT_AGAIN,		/* an INV crossed the read copy: ask again */
	MSI_GOT_SHARED,		/* install the data as a shared copy */
	MSI_GOT_EXCLUSIVE,	/* install the data (or zeroes) as the only copy */
};

/*
 * @access: what we asked; @status: the answer (>= 0) or an errno;
 * @state: our entry now; @invalidated: an INV came while the request was
 * in flight.  *@err gets the errno for MSI_GOT_FAILED.
 */
static inline enum msi_got msi_node_got(u8 access, int status, u8 state,
					bool invalidated, int *err)
{
	*err = status < 0 ? status : 0;
	if (status < 0)
		return MSI_GOT_FAILED;
	if (status == SSIHV_FRAME_KEEP) {
		/* Only an UPGRADE gets KEEP, and no INV came since. */
		if (state != SSIHV_PAGE_SHARED) {
			*err = -EPROTO;
			return MSI_GOT_FAILED;
		}
		return MSI_GOT_KEEP;
	}
	if (status & SSIHV_FRAME_EXCL)
		return MSI_GOT_EXCLUSIVE;
	if (access == SSIHV_FRAME_READ)
		return invalidated ? MSI_GOT_AGAIN : MSI_GOT_SHARED;
	return MSI_GOT_EXCLUSIVE;
}

#endif /* _SSIHV_PROTO_MSI_RULES_H */
