// SPDX-License-Identifier: GPL-2.0
/*
 * VM instances: creation, attachment of /dev/ssihv fds, lookup by the
 * cluster-wide id, and teardown.
 *
 * An instance is referenced by every fd attached to it; a mapping holds
 * its fd, so the instance lives while any fd or mapping does.  Destroying
 * an instance (netlink, admin) revokes and frees its memory at once and
 * leaves a dead shell that refuses every fault until its last user goes.
 */
#include <linux/err.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/ktime.h>
#include <linux/vmalloc.h>

#include "ssihv.h"
#include "vm.h"

/* Guest-physical addresses must fit the directory's 40-bit frame numbers. */
#define SSIHV_GPA_LIMIT		(1ULL << (PDE_PFN_BITS + PAGE_SHIFT))

static LIST_HEAD(ssihv_vms);
static DEFINE_MUTEX(ssihv_vms_lock);	/* the list and attachments */
/* An instance that was leaving is gone: attaches to its id may go on. */
static DECLARE_WAIT_QUEUE_HEAD(ssihv_vms_gone);
static unsigned int ssihv_nr_vms;

static int ssihv_range_cmp(const void *a, const void *b)
{
	const struct ssihv_mem_range *ra = a, *rb = b;

	if (ra->gpa == rb->gpa)
		return 0;
	return ra->gpa < rb->gpa ? -1 : 1;
}

/* Validate a memory map and sort it by address (in place). */
static int ssihv_check_ranges(struct ssihv_mem_range *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (r[i].flags || r[i].reserved)
			return -EINVAL;
		if (!r[i].size || !PAGE_ALIGNED(r[i].gpa) ||
		    !PAGE_ALIGNED(r[i].size))
			return -EINVAL;
		if (r[i].gpa >= SSIHV_GPA_LIMIT ||
		    r[i].size > SSIHV_GPA_LIMIT - r[i].gpa)
			return -EINVAL;
		if (r[i].home_node >= SSIHV_MAX_NODES)
			return -EINVAL;
		if (r[i].numa_node != SSIHV_NUMA_ANY &&
		    (r[i].numa_node < 0 || r[i].numa_node >= nr_node_ids ||
		     !node_online(r[i].numa_node)))
			return -EINVAL;
	}
	sort(r, n, sizeof(*r), ssihv_range_cmp, NULL);
	for (i = 1; i < n; i++)
		if (r[i - 1].gpa + r[i - 1].size > r[i].gpa)
			return -EINVAL;
	return 0;
}

static bool ssihv_same_map(const struct ssihv_vm *vm,
			   const struct ssihv_mem_range *r, unsigned int n)
{
	unsigned int i;

	if (n != vm->nr_ranges)
		return false;
	for (i = 0; i < n; i++) {
		const struct ssihv_range *have = &vm->ranges[i];

		if (r[i].gpa >> PAGE_SHIFT != have->first_gfn ||
		    r[i].size >> PAGE_SHIFT != have->nr_pages ||
		    r[i].home_node != have->home_node ||
		    r[i].numa_node != have->numa_node)
			return false;
	}
	return true;
}

static struct ssihv_vm *ssihv_vm_find_locked(u64 id)
{
	struct ssihv_vm *vm;

	lockdep_assert_held(&ssihv_vms_lock);
	list_for_each_entry(vm, &ssihv_vms, list)
		if (vm->id == id)
			return vm;
	return NULL;
}

static void ssihv_vm_free(struct ssihv_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_ranges; i++) {
		kvfree(vm->ranges[i].pdes);
		kvfree(vm->ranges[i].busy);
		kvfree(vm->ranges[i].sharers);
		kvfree(vm->ranges[i].inv);
	}
	free_percpu(vm->stats);
	kfree(vm->node_pages);
	if (vm->inode)
		ssihv_fs_put_inode(vm->inode);
#ifdef CONFIG_MEMCG
	mem_cgroup_put(vm->memcg);
#endif
	kfree(vm);
}

static struct ssihv_vm *ssihv_vm_create(u64 id, u64 mem_limit,
					const struct ssihv_mem_range *r,
					unsigned int n)
{
	struct ssihv_vm *vm;
	int ret = -ENOMEM;
	unsigned int i;
	u64 j;

	vm = kzalloc(struct_size(vm, ranges, n), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return ERR_PTR(-ENOMEM);
	kref_init(&vm->kref);
	vm->id = id;
	vm->creator = task_tgid_nr(current);
	vm->created_ns = ktime_get_ns();
	vm->mem_limit_pages = mem_limit >> PAGE_SHIFT;
	vm->limit_event_at = jiffies - HZ;
	vm->frame_event_at = jiffies - HZ;
	for (i = 0; i < SSIHV_FRAME_LOCKS; i++)
		mutex_init(&vm->frame_locks[i]);
	init_waitqueue_head(&vm->busy_wq);

	vm->inode = ssihv_fs_new_inode();
	if (IS_ERR(vm->inode)) {
		ret = PTR_ERR(vm->inode);
		vm->inode = NULL;
		goto err_free;
	}
	vm->node_pages = kcalloc(nr_node_ids, sizeof(*vm->node_pages),
				 GFP_KERNEL_ACCOUNT);
	vm->stats = alloc_percpu_gfp(struct ssihv_vm_stats,
				     GFP_KERNEL_ACCOUNT);
	if (!vm->node_pages || !vm->stats)
		goto err_free;

	vm->nr_ranges = n;
	for (i = 0; i < n; i++) {
		struct ssihv_range *range = &vm->ranges[i];

		range->vm = vm;
		range->first_gfn = r[i].gpa >> PAGE_SHIFT;
		range->nr_pages = r[i].size >> PAGE_SHIFT;
		range->home_node = r[i].home_node;
		range->numa_node = r[i].numa_node;
		/* Huge maps are refused with ENOMEM, not a warning. */
		range->pdes = kvmalloc_array(range->nr_pages,
					     sizeof(*range->pdes),
					     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		range->busy = kvcalloc(BITS_TO_LONGS(range->nr_pages),
				       sizeof(unsigned long),
				       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
		if (!range->pdes || !range->busy)
			goto err_free;
		if (range->home_node == ssihv_config_node_id())
			range->sharers = kvcalloc(range->nr_pages,
						  sizeof(*range->sharers),
						  GFP_KERNEL_ACCOUNT |
						  __GFP_NOWARN);
		else
			range->inv = kvcalloc(BITS_TO_LONGS(range->nr_pages),
					      sizeof(unsigned long),
					      GFP_KERNEL_ACCOUNT |
					      __GFP_NOWARN);
		if (!range->sharers && !range->inv)
			goto err_free;
		for (j = 0; j < range->nr_pages; j++) {
			pde_init(&range->pdes[j], range->home_node);
			if (!(j % 65536))
				cond_resched();
		}
	}
#ifdef CONFIG_MEMCG
	vm->memcg = get_mem_cgroup_from_mm(current->mm);
#endif
	return vm;

err_free:
	ssihv_vm_free(vm);
	return ERR_PTR(ret);
}

static bool ssihv_vm_leaving(u64 id)
{
	struct ssihv_vm *vm;
	bool leaving;

	mutex_lock(&ssihv_vms_lock);
	vm = ssihv_vm_find_locked(id);
	leaving = vm && vm->leaving;
	mutex_unlock(&ssihv_vms_lock);
	return leaving;
}

/*
 * Bind @file to the instance @req->vm_id, creating it if asked.  Runs under
 * ssihv_vms_lock, so an fd attaches once and the registry stays coherent.
 */
int ssihv_vm_attach(struct file *file, const struct ssihv_attach *req,
		    const struct ssihv_mem_range __user *user_ranges)
{
	struct ssihv_mem_range *r;
	unsigned int n = req->nr_ranges;
	struct ssihv_vm *vm;
	bool created = false;
	int ret;

	if (req->flags & ~SSIHV_ATTACH_FLAGS || req->reserved[0] ||
	    req->reserved[1])
		return -EINVAL;
	if ((req->flags & SSIHV_ATTACH_EXCL) &&
	    !(req->flags & SSIHV_ATTACH_CREATE))
		return -EINVAL;
	if (!n || n > SSIHV_MAX_RANGES)
		return -EINVAL;
	if (!PAGE_ALIGNED(req->mem_limit) ||
	    req->mem_limit > ssihv_config_max_vm_memory())
		return -EINVAL;

	r = memdup_user(user_ranges, array_size(n, sizeof(*r)));
	if (IS_ERR(r))
		return PTR_ERR(r);
	ret = ssihv_check_ranges(r, n);
	if (ret)
		goto out_free;

again:
	mutex_lock(&ssihv_vms_lock);
	ret = -EBUSY;
	if (file->private_data)
		goto out_unlock;

	vm = ssihv_vm_find_locked(req->vm_id);
	if (vm && vm->leaving) {
		/* Its last fd closed: it gives frames back, then goes. */
		mutex_unlock(&ssihv_vms_lock);
		ret = wait_event_interruptible(ssihv_vms_gone,
					       !ssihv_vm_leaving(req->vm_id));
		if (ret)
			goto out_free;
		goto again;
	}
	if (vm) {
		ret = -EEXIST;
		if (req->flags & SSIHV_ATTACH_EXCL)
			goto out_unlock;
		ret = -ENODEV;
		if (vm->dead)
			goto out_unlock;
		ret = -EINVAL;
		if (!ssihv_same_map(vm, r, n) ||
		    (req->mem_limit &&
		     req->mem_limit >> PAGE_SHIFT != vm->mem_limit_pages))
			goto out_unlock;
		kref_get(&vm->kref);
	} else {
		ret = -ENOENT;
		if (!(req->flags & SSIHV_ATTACH_CREATE))
			goto out_unlock;
		ret = -ENOSPC;
		if (ssihv_nr_vms >= SSIHV_MAX_VMS)
			goto out_unlock;
		vm = ssihv_vm_create(req->vm_id, req->mem_limit ?:
				     ssihv_config_max_vm_memory(), r, n);
		ret = PTR_ERR(vm);
		if (IS_ERR(vm))
			goto out_unlock;
		list_add_tail(&vm->list, &ssihv_vms);
		ssihv_nr_vms++;
		created = true;
	}

	/*
	 * Mappings link into file->f_mapping: point it at the instance's own
	 * address space before publishing the instance to mmap().
	 */
	file->f_mapping = ssihv_vm_mapping(vm);
	vm->attached++;
	/* Pairs with smp_load_acquire() in ssihv_file_vm(). */
	smp_store_release(&file->private_data, vm);
	ret = 0;
out_unlock:
	mutex_unlock(&ssihv_vms_lock);
	if (created)
		ssihv_event_vm(SSIHV_CMD_EVENT_VM_CREATED, req->vm_id);
out_free:
	kfree(r);
	return ret;
}

/* Look up an instance by id; the caller owns a reference. */
struct ssihv_vm *ssihv_vm_get(u64 id)
{
	struct ssihv_vm *vm;

	mutex_lock(&ssihv_vms_lock);
	vm = ssihv_vm_find_locked(id);
	if (vm)
		kref_get(&vm->kref);
	mutex_unlock(&ssihv_vms_lock);
	return vm;
}

/* The @n-th instance in creation order, for netlink dumps. */
struct ssihv_vm *ssihv_vm_get_nth(unsigned long n)
{
	struct ssihv_vm *vm;

	mutex_lock(&ssihv_vms_lock);
	list_for_each_entry(vm, &ssihv_vms, list) {
		if (!n--) {
			kref_get(&vm->kref);
			mutex_unlock(&ssihv_vms_lock);
			return vm;
		}
	}
	mutex_unlock(&ssihv_vms_lock);
	return NULL;
}

/* Called by kref_put_mutex() with ssihv_vms_lock held; drops it. */
static void ssihv_vm_release(struct kref *kref)
{
	struct ssihv_vm *vm = container_of(kref, struct ssihv_vm, kref);
	u64 id = vm->id;

	list_del(&vm->list);
	ssihv_nr_vms--;
	mutex_unlock(&ssihv_vms_lock);

	wake_up_all(&ssihv_vms_gone);
	/* No fd and so no mapping is left: frames can go without care. */
	ssihv_vm_release_frames(vm);
	ssihv_vm_free(vm);
	ssihv_event_vm(SSIHV_CMD_EVENT_VM_DESTROYED, id);
}

void ssihv_vm_put(struct ssihv_vm *vm)
{
	kref_put_mutex(&vm->kref, ssihv_vm_release, &ssihv_vms_lock);
}

/*
 * An attached fd is closed (and so no mapping through it is left).  The
 * last one gives the frames this node owns back to their homes first,
 * while the instance can still be found by their recalls; attaches to
 * the id wait until it is gone.
 */
void ssihv_vm_detach(struct ssihv_vm *vm)
{
	bool last;

	mutex_lock(&ssihv_vms_lock);
	last = !--vm->attached;
	if (last)
		vm->leaving = true;
	mutex_unlock(&ssihv_vms_lock);
	if (last && !READ_ONCE(vm->dead))
		ssihv_vm_return_frames(vm);
	ssihv_vm_put(vm);
}

/*
 * Take all guest memory away from a live instance: every later fault gets
 * SIGBUS and the pages are freed now, whatever the VMM does.
 */
int ssihv_vm_destroy(struct ssihv_vm *vm)
{
	unsigned int i;

	mutex_lock(&ssihv_vms_lock);
	if (vm->dead) {
		mutex_unlock(&ssihv_vms_lock);
		return -ENODEV;
	}
	WRITE_ONCE(vm->dead, true);
	mutex_unlock(&ssihv_vms_lock);

	/*
	 * A fault checks "dead" under its frame lock and locks its page
	 * before dropping the frame lock; cycling every frame lock waits out
	 * the ones that saw the instance alive, and the frame release below
	 * waits on their page locks before zapping.
	 */
	for (i = 0; i < SSIHV_FRAME_LOCKS; i++) {
		mutex_lock(&vm->frame_locks[i]);
		mutex_unlock(&vm->frame_locks[i]);
	}
	/* What the other nodes' instances need goes home first. */
	ssihv_vm_return_frames(vm);
	ssihv_vm_release_frames(vm);
	return 0;
}

/* Milliseconds from the instance's creation to @ns (ktime_get_ns()). */
u32 ssihv_vm_ms_at(const struct ssihv_vm *vm, u64 ns)
{
	u64 ms = div_u64(ns - vm->created_ns, NSEC_PER_MSEC);

	return min_t(u64, ms, U32_MAX);
}

u32 ssihv_vm_now_ms(const struct ssihv_vm *vm)
{
	return ssihv_vm_ms_at(vm, ktime_get_ns());
}

/* The range holding @gfn, or NULL (binary search over sorted ranges). */
struct ssihv_range *ssihv_vm_find_range(struct ssihv_vm *vm, u64 gfn)
{
	unsigned int lo = 0, hi = vm->nr_ranges;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		struct ssihv_range *range = &vm->ranges[mid];

		if (gfn < range->first_gfn)
			hi = mid;
		else if (gfn - range->first_gfn >= range->nr_pages)
			lo = mid + 1;
		else
			return range;
	}
	return NULL;
}
