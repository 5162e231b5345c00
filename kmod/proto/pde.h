/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page directory entry: what this host knows about one guest frame.
 *
 * Sixteen bytes per 4 KiB frame (0.4% of guest RAM).  The first word packs
 * the local copy's page frame number with the MSI state and the owner and
 * home nodes; the second holds the access bookkeeping the placement policy
 * reads.  Callers serialise writers (the module's per-frame locks);
 * everything here is plain C, shared with the host unit tests.
 */
#ifndef _SSIHV_PROTO_PDE_H
#define _SSIHV_PROTO_PDE_H

#include "types.h"

struct ssihv_pde {
	u64 word;		/* pfn | state | owner | home, see below */
	u32 last_fault_ms;	/* ms after VM creation, saturating */
	u16 heat;		/* decaying access count */
	u16 faults;		/* faults on this frame, saturating */
};

/* word: bits 0-39 pfn, 40-41 state, 42-49 owner node, 50-57 home node. */
#define PDE_PFN_BITS		40
#define PDE_PFN_MASK		((1ULL << PDE_PFN_BITS) - 1)
#define PDE_STATE_SHIFT		40
#define PDE_STATE_MASK		3ULL
#define PDE_OWNER_SHIFT		42
#define PDE_HOME_SHIFT		50
#define PDE_NODE_MASK		0xffULL

/* A node id must fit the 8-bit fields: SSIHV_MAX_NODES is 256. */
#define PDE_MAX_NODE		255
#define PDE_MAX_PFN		PDE_PFN_MASK

/* Heat halves for every second without a fault on the frame. */
#define PDE_HEAT_HALF_LIFE_MS	1000
#define PDE_HEAT_PER_FAULT	16

static inline u64 pde_pfn(const struct ssihv_pde *pde)
{
	return pde->word & PDE_PFN_MASK;
}

static inline unsigned int pde_state(const struct ssihv_pde *pde)
{
	return (pde->word >> PDE_STATE_SHIFT) & PDE_STATE_MASK;
}

static inline unsigned int pde_owner(const struct ssihv_pde *pde)
{
	return (pde->word >> PDE_OWNER_SHIFT) & PDE_NODE_MASK;
}

static inline unsigned int pde_home(const struct ssihv_pde *pde)
{
	return (pde->word >> PDE_HOME_SHIFT) & PDE_NODE_MASK;
}

static inline u64 pde_pack(u64 pfn, unsigned int state, unsigned int owner,
			   unsigned int home)
{
	return (pfn & PDE_PFN_MASK) |
	       ((u64)(state & PDE_STATE_MASK) << PDE_STATE_SHIFT) |
	       ((u64)(owner & PDE_NODE_MASK) << PDE_OWNER_SHIFT) |
	       ((u64)(home & PDE_NODE_MASK) << PDE_HOME_SHIFT);
}

/* A frame nobody here has touched: no copy, owned by its home. */
static inline void pde_init(struct ssihv_pde *pde, unsigned int home)
{
	pde->word = pde_pack(0, 0, home, home);
	pde->last_fault_ms = 0;
	pde->heat = 0;
	pde->faults = 0;
}

static inline void pde_set(struct ssihv_pde *pde, u64 pfn, unsigned int state,
			   unsigned int owner)
{
	pde->word = pde_pack(pfn, state, owner, pde_home(pde));
}

static inline void pde_set_state(struct ssihv_pde *pde, unsigned int state)
{
	pde->word = (pde->word & ~(PDE_STATE_MASK << PDE_STATE_SHIFT)) |
		    ((u64)(state & PDE_STATE_MASK) << PDE_STATE_SHIFT);
}

/* Heat after @elapsed_ms without faults: halved per half-life. */
static inline u16 pde_heat_decay(u16 heat, u32 elapsed_ms)
{
	u32 halvings = elapsed_ms / PDE_HEAT_HALF_LIFE_MS;

	return halvings >= 16 ? 0 : heat >> halvings;
}

/* Heat as of @now_ms, for readers. */
static inline u16 pde_heat_at(const struct ssihv_pde *pde, u32 now_ms)
{
	u32 elapsed = now_ms > pde->last_fault_ms ?
		      now_ms - pde->last_fault_ms : 0;

	return pde_heat_decay(pde->heat, elapsed);
}

/* Account one fault on the frame at @now_ms. */
static inline void pde_touch(struct ssihv_pde *pde, u32 now_ms)
{
	u32 heat = pde_heat_at(pde, now_ms) + PDE_HEAT_PER_FAULT;

	pde->heat = heat > 0xffff ? 0xffff : heat;
	if (pde->faults != 0xffff)
		pde->faults++;
	if (now_ms > pde->last_fault_ms)
		pde->last_fault_ms = now_ms;
}

#endif /* _SSIHV_PROTO_PDE_H */
