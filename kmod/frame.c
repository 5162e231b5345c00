// SPDX-License-Identifier: GPL-2.0
/*
 * Frame-level operations on the page directory: revoking frames from every
 * mapping, and releasing an instance's pages.
 *
 * Lock order: a frame's lock (vm->frame_locks), then its page's lock.  The
 * fault path locks the page before it drops the frame lock and keeps it
 * until the PTE is in place, so whoever later takes both and zaps the
 * mapping cannot miss a PTE that a racing fault was installing.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "ssihv.h"
#include "rdma.h"
#include "vm.h"

/*
 * Frames revoked per unmap_mapping_range() call.  At most one frame per
 * frame lock, so holding the chunk's page locks while taking the next
 * frame lock cannot wait on a fault that waits on us.
 */
#define SSIHV_REVOKE_CHUNK	SSIHV_FRAME_LOCKS

static u64 ssihv_revoke_chunk(struct ssihv_vm *vm, struct ssihv_range *range,
			      u64 first, u64 last, bool shared,
			      struct page **pages)
{
	unsigned int n = 0, i;
	u64 gfn;

	for (gfn = first; gfn <= last; gfn++) {
		struct mutex *lock = ssihv_frame_lock(vm, gfn);
		struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
		struct page *page;

		mutex_lock(lock);
		if (READ_ONCE(vm->dead) || pde_state(pde) == SSIHV_PAGE_INVALID) {
			mutex_unlock(lock);
			continue;
		}
		page = pfn_to_page(pde_pfn(pde));
		lock_page(page);
		/*
		 * Only the home may share a frame on its own; elsewhere the
		 * home knows this node as the owner, so it stays that.
		 */
		if (shared && range->home_node == ssihv_config_node_id())
			pde_set_state(pde, SSIHV_PAGE_SHARED);
		mutex_unlock(lock);
		pages[n++] = page;
	}
	if (!n)
		return 0;
	/* KVM's MMU notifier drops its mappings of these frames here. */
	unmap_mapping_range(ssihv_vm_mapping(vm), (loff_t)first << PAGE_SHIFT,
			    (loff_t)(last - first + 1) << PAGE_SHIFT, 1);
	for (i = 0; i < n; i++)
		unlock_page(pages[i]);
	return n;
}

/*
 * Unmap the frames [first_gfn, last_gfn] that have a local copy from every
 * mapping of @vm; with @shared they stay valid read-only, so the next write
 * takes the upgrade path.  Stores the number of frames revoked (every
 * frame with a local copy, mapped or not) in @revoked.
 */
int ssihv_vm_revoke(struct ssihv_vm *vm, u64 first_gfn, u64 last_gfn,
		    bool shared, u64 *revoked_out)
{
	struct page **pages;
	u64 revoked = 0;
	unsigned int i;

	pages = kmalloc_array(SSIHV_REVOKE_CHUNK, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	for (i = 0; i < vm->nr_ranges; i++) {
		struct ssihv_range *range = &vm->ranges[i];
		u64 range_last = range->first_gfn + range->nr_pages - 1;
		u64 gfn = max(first_gfn, range->first_gfn);
		u64 end = min(last_gfn, range_last);

		while (gfn <= end) {
			u64 chunk_last = min(end, gfn + SSIHV_REVOKE_CHUNK - 1);

			revoked += ssihv_revoke_chunk(vm, range, gfn,
						      chunk_last, shared,
						      pages);
			if (chunk_last == end)
				break;
			gfn = chunk_last + 1;
			cond_resched();
		}
	}
	kfree(pages);
	this_cpu_add(vm->stats->revoked, revoked);
	*revoked_out = revoked;
	return 0;
}

/* A page that held a frame here no longer does: uncharge and free it. */
void ssihv_frame_uncount(struct ssihv_vm *vm, struct page *page)
{
	atomic64_dec(&vm->resident);
	atomic64_dec(&vm->node_pages[page_to_nid(page)]);
	put_page(page);
}

/*
 * Free every local copy of @vm.  Either no mapping is left (last
 * reference) or the instance is dead, so no fault installs a new PTE;
 * faults that saw it alive hold their page's lock until their PTE is in,
 * hence the lock/unlock pass before the final zap.
 */
void ssihv_vm_release_frames(struct ssihv_vm *vm)
{
	unsigned int i;
	u64 j;

	for (i = 0; i < vm->nr_ranges; i++) {
		struct ssihv_range *range = &vm->ranges[i];

		for (j = 0; j < range->nr_pages; j++) {
			struct ssihv_pde *pde = &range->pdes[j];
			struct page *page;

			if (pde_state(pde) == SSIHV_PAGE_INVALID)
				continue;
			page = pfn_to_page(pde_pfn(pde));
			lock_page(page);
			unlock_page(page);
		}
	}
	unmap_mapping_range(ssihv_vm_mapping(vm), 0, 0, 1);

	for (i = 0; i < vm->nr_ranges; i++) {
		struct ssihv_range *range = &vm->ranges[i];

		for (j = 0; j < range->nr_pages; j++) {
			u64 gfn = range->first_gfn + j;
			struct mutex *lock = ssihv_frame_lock(vm, gfn);
			struct ssihv_pde *pde = &range->pdes[j];
			struct page *page = NULL;

			mutex_lock(lock);
			if (pde_state(pde) != SSIHV_PAGE_INVALID) {
				page = pfn_to_page(pde_pfn(pde));
				pde_set(pde, 0, SSIHV_PAGE_INVALID,
					pde_home(pde));
			}
			mutex_unlock(lock);
			if (!page)
				continue;
			ssihv_frame_uncount(vm, page);
			if (!(j % 4096))
				cond_resched();
		}
	}
}

/* ---- frames homed or owned elsewhere (Documentation/memory.rst) ---- */

void ssihv_frame_set_busy(struct ssihv_range *range, u64 gfn)
{
	set_bit(gfn - range->first_gfn, range->busy);
}

void ssihv_frame_clear_busy(struct ssihv_vm *vm, struct ssihv_range *range,
			    u64 gfn)
{
	clear_bit(gfn - range->first_gfn, range->busy);
	/* The clear before the waiters' re-check of the bit. */
	smp_mb__after_atomic();
	wake_up_all(&vm->busy_wq);
}

/*
 * Called and returns with the frame's lock held.  While the frame is busy
 * (its owner here waits for another node), drop the lock and wait.  The
 * owner of the busy bit waits only for a remote request handler, which
 * never waits for a frame lock held across a remote wait, so this ends
 * within the transport's request timeout.  Returns 0, or -EINTR on a
 * fatal signal with @killable.
 */
int ssihv_frame_wait_busy(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn, bool killable)
{
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	u64 i = gfn - range->first_gfn;
	int ret = 0;

	while (test_bit(i, range->busy)) {
		mutex_unlock(lock);
		if (killable)
			ret = wait_event_killable(vm->busy_wq,
						  !test_bit(i, range->busy));
		else
			wait_event(vm->busy_wq, !test_bit(i, range->busy));
		mutex_lock(lock);
		if (ret)
			return -EINTR;
	}
	return 0;
}
