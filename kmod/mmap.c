// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM mappings of /dev/ssihv: mmap offset = guest-physical address.
 *
 * Pages are served one at a time by the fault handler, which KVM reaches
 * through get_user_pages() when the guest touches a frame it has not
 * mapped, and the VMM through ordinary loads and stores.  Writes to a
 * frame held read-only (SHARED) come through page_mkwrite, which upgrades
 * it first; that is where coherence plugs in.
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/ktime.h>

#include "rdma.h"
#include "ssihv.h"
#include "vm.h"

static void ssihv_vma_open(struct vm_area_struct *vma)
{
	struct ssihv_range *range = vma->vm_private_data;

	atomic_inc(&range->vm->mappings);
}

static void ssihv_vma_close(struct vm_area_struct *vma)
{
	struct ssihv_range *range = vma->vm_private_data;

	atomic_dec(&range->vm->mappings);
}

struct page *ssihv_alloc_frame(struct ssihv_vm *vm, struct ssihv_range *range)
{
	gfp_t gfp = GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT | __GFP_NOWARN;
	struct mem_cgroup *old;
	struct page *page;

	/* Charge the instance's creator, whichever thread faults. */
	old = set_active_memcg(vm->memcg);
	if (range->numa_node == NUMA_NO_NODE)
		page = alloc_page(gfp);
	else
		page = alloc_pages_node(range->numa_node, gfp, 0);
	set_active_memcg(old);
	return page;
}

/* A frame held elsewhere is unavailable: at most one event a second. */
static void ssihv_frame_unavailable(struct ssihv_vm *vm, u64 gfn, u32 node,
				    int err)
{
	unsigned long last = READ_ONCE(vm->frame_event_at);

	if (time_before(jiffies, last + HZ) ||
	    cmpxchg(&vm->frame_event_at, last, jiffies) != last)
		return;
	ssihv_event_frame(vm->id, gfn << PAGE_SHIFT, node, err);
}

/* Getting the frame from @node failed with @err: SIGBUS (or OOM). */
static vm_fault_t ssihv_frame_failed(struct ssihv_vm *vm, u64 gfn, u32 node,
				     int err)
{
	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	pr_warn_ratelimited("ssihv: vm %llu: frame %#llx from node %u: %d\n",
			    vm->id, gfn, node, err);
	ssihv_frame_unavailable(vm, gfn, node, err);
	return VM_FAULT_SIGBUS;
}

/* Over its limit: refuse, and tell listeners at most once a second. */
static void ssihv_limit_hit(struct ssihv_vm *vm, u64 gfn)
{
	unsigned long last = READ_ONCE(vm->limit_event_at);

	if (time_before(jiffies, last + HZ) ||
	    cmpxchg(&vm->limit_event_at, last, jiffies) != last)
		return;
	ssihv_event_limit(vm->id, gfn << PAGE_SHIFT,
			  vm->mem_limit_pages << PAGE_SHIFT);
}

/*
 * The frame is homed elsewhere, or homed here and owned by another node:
 * get a copy (Documentation/memory.rst, "Frames homed elsewhere").  On
 * the home, the owner hands it back (keeping a shared copy for a read);
 * elsewhere the home grants a shared copy for a read and the only one
 * for a write.  Called with the frame lock held and the frame not busy;
 * returns with the lock held and the frame installed (0) or not (SIGBUS,
 * OOM).  The frame is busy while the lock is dropped for the request.
 */
static vm_fault_t ssihv_fault_remote(struct vm_fault *vmf,
				     struct ssihv_range *range, u64 gfn)
{
	struct ssihv_vm *vm = range->vm;
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	unsigned int self = ssihv_config_node_id();
	u8 access = vmf->flags & FAULT_FLAG_WRITE ? SSIHV_FRAME_WRITE :
		    SSIHV_FRAME_READ;
	u32 from;
	int ret;

	from = range->home_node != self ? range->home_node : pde_owner(pde);
	if (atomic64_inc_return(&vm->resident) > vm->mem_limit_pages) {
		atomic64_dec(&vm->resident);
		ssihv_limit_hit(vm, gfn);
		return VM_FAULT_SIGBUS;
	}
	if (range->home_node == self) {
		/* Placement may move the frame here rather than share it. */
		if (access == SSIHV_FRAME_READ &&
		    ssihv_placement_migrate(vm, pde, ssihv_vm_now_ms(vm)))
			access = SSIHV_FRAME_WRITE;
		ssihv_frame_set_busy(range, gfn);
		ret = ssihv_home_hold(vm, range, gfn, access, true);
		ssihv_frame_clear_busy(vm, range, gfn);
	} else {
		ret = ssihv_node_get_frame(vm, range, gfn, access, true);
	}
	if (ret) {
		atomic64_dec(&vm->resident);
		return ssihv_frame_failed(vm, gfn, from, ret);
	}
	return 0;
}

static vm_fault_t ssihv_fault(struct vm_fault *vmf)
{
	struct ssihv_range *range = vmf->vma->vm_private_data;
	struct ssihv_vm *vm = range->vm;
	u64 start_ns = ktime_get_ns();
	enum ssihv_fault_kind kind;
	u64 gfn = vmf->pgoff;
	struct ssihv_pde *pde;
	struct mutex *lock;	/* the frame's */
	struct page *page;
	vm_fault_t vmret;

	/* mmap() and VM_DONTEXPAND keep the VMA inside its range. */
	if (WARN_ON_ONCE(gfn - range->first_gfn >= range->nr_pages))
		return VM_FAULT_SIGBUS;

	pde = ssihv_range_pde(range, gfn);
	lock = ssihv_frame_lock(vm, gfn);
	mutex_lock(lock);
	/* Another fault or a request is moving it: wait for the outcome. */
	if (ssihv_frame_wait_busy(vm, range, gfn, true))
		goto refuse;
	if (READ_ONCE(vm->dead))
		goto refuse;

	if (pde_state(pde) == SSIHV_PAGE_INVALID) {
		if (range->home_node != ssihv_config_node_id() ||
		    pde_owner(pde) != ssihv_config_node_id()) {
			/* Held elsewhere: fetch it over RDMA. */
			vmret = ssihv_fault_remote(vmf, range, gfn);
			if (vmret) {
				mutex_unlock(lock);
				this_cpu_inc(vm->stats->faults[SSIHV_FAULT_REMOTE]);
				if (vmret == VM_FAULT_SIGBUS)
					ssihv_stats_fault(vm, SSIHV_FAULT_REFUSED,
							  start_ns);
				return vmret;
			}
			page = pfn_to_page(pde_pfn(pde));
			kind = SSIHV_FAULT_REMOTE;
			goto map;
		}
		/*
		 * Reserve the page against the limit before allocating:
		 * faults on other frames hold other locks.
		 */
		if (atomic64_inc_return(&vm->resident) > vm->mem_limit_pages) {
			atomic64_dec(&vm->resident);
			mutex_unlock(lock);
			ssihv_limit_hit(vm, gfn);
			ssihv_stats_fault(vm, SSIHV_FAULT_REFUSED, start_ns);
			return VM_FAULT_SIGBUS;
		}
		page = ssihv_alloc_frame(vm, range);
		if (!page) {
			atomic64_dec(&vm->resident);
			mutex_unlock(lock);
			return VM_FAULT_OOM;
		}
		atomic64_inc(&vm->node_pages[page_to_nid(page)]);
		pde_set(pde, page_to_pfn(page), SSIHV_PAGE_EXCLUSIVE,
			ssihv_config_node_id());
		kind = SSIHV_FAULT_FIRST;
	} else {
		page = pfn_to_page(pde_pfn(pde));
		kind = SSIHV_FAULT_MAP;
	}
map:
	/* One clock read per fault: the start time stands for "now". */
	pde_touch(pde, ssihv_vm_ms_at(vm, start_ns));
	get_page(page);
	/* Held until the PTE is in: see kmod/frame.c. */
	lock_page(page);
	mutex_unlock(lock);

	vmf->page = page;
	ssihv_stats_fault(vm, kind, start_ns);
	return VM_FAULT_LOCKED;

refuse:
	mutex_unlock(lock);
	ssihv_stats_fault(vm, SSIHV_FAULT_REFUSED, start_ns);
	return VM_FAULT_SIGBUS;
}

/*
 * Upgrade a SHARED frame for a write (frame lock held, frame not busy).
 * On the home, every other node's copy is invalidated first; elsewhere
 * the home grants the only copy (and invalidates the others).  Returns 0
 * with the frame EXCLUSIVE here, possibly in a new page, or a fault code.
 */
static vm_fault_t ssihv_upgrade(struct ssihv_range *range, u64 gfn,
				u64 start_ns)
{
	struct ssihv_vm *vm = range->vm;
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	int ret;

	if (range->home_node == ssihv_config_node_id()) {
		ssihv_frame_set_busy(range, gfn);
		ret = ssihv_home_invalidate(vm, range, gfn, U32_MAX);
		ssihv_frame_clear_busy(vm, range, gfn);
		/* A fatal signal in the fence: the frame stays shared. */
		if (ret || READ_ONCE(vm->dead) ||
		    pde_state(pde) != SSIHV_PAGE_SHARED)
			return VM_FAULT_SIGBUS;
		pde_set_state(pde, SSIHV_PAGE_EXCLUSIVE);
		pde_touch(pde, ssihv_vm_ms_at(vm, start_ns));
		ssihv_stats_fault(vm, SSIHV_FAULT_UPGRADE, start_ns);
		return 0;
	}
	ret = ssihv_node_get_frame(vm, range, gfn, SSIHV_FRAME_UPGRADE, false);
	if (ret) {
		this_cpu_inc(vm->stats->faults[SSIHV_FAULT_REMOTE]);
		ssihv_stats_fault(vm, SSIHV_FAULT_REFUSED, start_ns);
		return ssihv_frame_failed(vm, gfn, range->home_node, ret);
	}
	pde_touch(pde, ssihv_vm_ms_at(vm, start_ns));
	ssihv_stats_fault(vm, SSIHV_FAULT_REMOTE, start_ns);
	return 0;
}

/*
 * A write to a frame mapped read-only.  Frames are always mapped read-only
 * first (the mapping wants write notification), so this also runs for the
 * first write to an EXCLUSIVE frame; only SHARED ones need upgrading.
 */
static vm_fault_t ssihv_page_mkwrite(struct vm_fault *vmf)
{
	struct ssihv_range *range = vmf->vma->vm_private_data;
	struct ssihv_vm *vm = range->vm;
	u64 gfn = vmf->pgoff;
	struct page *page = vmf->page;
	struct ssihv_pde *pde;
	struct mutex *lock;	/* the frame's */
	vm_fault_t vmret;

	if (WARN_ON_ONCE(gfn - range->first_gfn >= range->nr_pages))
		return VM_FAULT_SIGBUS;

	pde = ssihv_range_pde(range, gfn);
	lock = ssihv_frame_lock(vm, gfn);
	mutex_lock(lock);
	/* Another node's request or our own fault is moving it. */
	if (ssihv_frame_wait_busy(vm, range, gfn, true) ||
	    READ_ONCE(vm->dead)) {
		mutex_unlock(lock);
		ssihv_stats_fault(vm, SSIHV_FAULT_REFUSED, ktime_get_ns());
		return VM_FAULT_SIGBUS;
	}
	if (pde_state(pde) == SSIHV_PAGE_INVALID ||
	    pde_pfn(pde) != page_to_pfn(page)) {
		/* Revoked meanwhile: let the access fault afresh. */
		mutex_unlock(lock);
		return VM_FAULT_NOPAGE;
	}
	if (pde_state(pde) == SSIHV_PAGE_SHARED) {
		/* Only upgrades are timed: the common case stays cheap. */
		vmret = ssihv_upgrade(range, gfn, ktime_get_ns());
		if (vmret || pde_pfn(pde) != page_to_pfn(page)) {
			/* Refused, or new data in a new page: fault again. */
			mutex_unlock(lock);
			return vmret ? vmret : VM_FAULT_NOPAGE;
		}
	}
	/* The core must get the page locked: ours have no ->mapping. */
	lock_page(page);
	mutex_unlock(lock);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct ssihv_vm_ops = {
	.open		= ssihv_vma_open,
	.close		= ssihv_vma_close,
	.fault		= ssihv_fault,
	.page_mkwrite	= ssihv_page_mkwrite,
};

int ssihv_vm_mmap(struct ssihv_vm *vm, struct vm_area_struct *vma)
{
	u64 first = vma->vm_pgoff;
	u64 pages = vma_pages(vma);
	struct ssihv_range *range;

	/*
	 * VM_MAYSHARE, not VM_SHARED: the core clears VM_SHARED for a shared
	 * mapping of a read-only fd, which is still a shared mapping.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (READ_ONCE(vm->dead))
		return -ENODEV;
	range = ssihv_vm_find_range(vm, first);
	if (!range || pages > range->nr_pages - (first - range->first_gfn))
		return -EINVAL;

	/*
	 * Guest RAM neither grows nor belongs in core dumps; fork shares it
	 * (the VMA keeps the fd and so the instance alive).
	 */
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &ssihv_vm_ops;
	vma->vm_private_data = range;
	ssihv_vma_open(vma);
	return 0;
}
