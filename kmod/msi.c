// SPDX-License-Identifier: GPL-2.0
/*
 * The MSI protocol between nodes for guest frames homed on one node and
 * used on others (Documentation/memory.rst, "Frames homed elsewhere").
 *
 * Every frame has a home, its range's home node, which serialises the
 * frame's transactions: while one runs the frame is busy there, and every
 * other request for it waits.  The home's own entry says where the data
 * is:
 *
 *   EXCLUSIVE         only the home has a copy
 *   SHARED            the home and range->sharers have read-only copies
 *   INVALID, owner O  O has the only, writable copy (M); O == the home:
 *                     never touched anywhere
 *
 * On any other node the entry is that node's own state: INVALID (no
 * copy), SHARED (read-only, owner: the home) or EXCLUSIVE (M, owner:
 * itself).
 *
 * Requests (FRAME_REQ, answered by FRAME_REP on the same RC QP):
 *
 *   node -> home    READ: a shared copy; WRITE: the only copy; UPGRADE:
 *                   the only copy of a frame the node holds shared
 *   home -> owner   READ: hand the data back, keep a shared copy;
 *                   WRITE: hand it back and drop it (a recall)
 *   home -> sharer  INV: drop your shared copy
 *
 * Data moves by RDMA WRITE of the server into the requester's landing
 * slot before the reply.  An UPGRADE whose sender still holds its shared
 * copy is answered KEEP, with no data; a READ that the placement policy
 * answers with the only copy, EXCL; the only copy of a frame never
 * touched anywhere, ZERO, with no data either (the requester's new page
 * is zeroed already).
 *
 * No distributed deadlock: a frame lock is held across an RDMA WRITE
 * (which needs only the peer's NIC), never across a wait for another
 * node's request handler; the frame is busy instead.  Recalls wait for a
 * busy frame at the owner, which is busy there only while the fetch
 * that made it the owner completes (its answer is already there).  An
 * INV never waits for a busy frame: it drops the shared copy at once, or
 * marks a fetch in flight (range->inv), whose read copy is then fetched
 * again because it may be older than the INV.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched.h>

#include "ssihv.h"
#include "rdma.h"
#include "vm.h"
#include "proto/msi_rules.h"

/* Read copies invalidated in flight before a fault gives up. */
#define SSIHV_FETCH_TRIES	16

static u64 *ssihv_frame_sharers(struct ssihv_range *range, u64 gfn)
{
	return &range->sharers[gfn - range->first_gfn];
}

/*
 * Unmap this node's copy from every mapping (KVM's through its MMU
 * notifier), so that the next access faults; see "No lost PTE" in
 * kmod/frame.c for the page lock.  Frame lock held.
 */
static void ssihv_frame_unmap(struct ssihv_vm *vm, struct ssihv_pde *pde,
			      u64 gfn)
{
	struct page *page = pfn_to_page(pde_pfn(pde));

	lock_page(page);
	unmap_mapping_range(ssihv_vm_mapping(vm), (loff_t)gfn << PAGE_SHIFT,
			    PAGE_SIZE, 1);
	unlock_page(page);
}

/* Drop this node's copy: unmapped, then freed; @owner: who has it now. */
static void ssihv_frame_drop(struct ssihv_vm *vm, struct ssihv_pde *pde,
			     u64 gfn, unsigned int owner)
{
	struct page *page = pfn_to_page(pde_pfn(pde));

	ssihv_frame_unmap(vm, pde, gfn);
	pde_set(pde, 0, SSIHV_PAGE_INVALID, owner);
	ssihv_frame_uncount(vm, page);
}

/* @reserved: the caller counted the page in vm->resident already. */
static void ssihv_frame_install(struct ssihv_vm *vm, struct ssihv_pde *pde,
				struct page *page, unsigned int state,
				unsigned int owner, bool reserved)
{
	if (!reserved)
		atomic64_inc(&vm->resident);
	atomic64_inc(&vm->node_pages[page_to_nid(page)]);
	pde_set(pde, page_to_pfn(page), state, owner);
}

/*
 * Placement (Documentation/memory.rst): should the home answer a read
 * miss on this frame with the only copy, moving it to the reader, rather
 * than a shared one?  MIGRATE: always; HEAT: while the frame is colder
 * than the threshold at its home (nobody has been asking for it); either
 * at most placement-rate times a second per instance.  Frame lock held.
 */
bool ssihv_placement_migrate(struct ssihv_vm *vm, struct ssihv_pde *pde,
			     u32 now_ms)
{
	unsigned int policy = ssihv_config_placement();
	unsigned long window;

	if (policy == SSIHV_PLACEMENT_OFF ||
	    (policy == SSIHV_PLACEMENT_HEAT &&
	     pde_heat_at(pde, now_ms) >= ssihv_config_placement_heat()))
		return false;
	window = READ_ONCE(vm->migrate_window);
	if (time_after_eq(jiffies, window + HZ) &&
	    cmpxchg(&vm->migrate_window, window, jiffies) == window)
		atomic_set(&vm->migrate_count, 0);
	if (atomic_inc_return(&vm->migrate_count) >
	    ssihv_config_placement_rate())
		return false;
	this_cpu_inc(vm->stats->migrations);
	return true;
}

/*
 * Home: make sure this node holds a valid copy of the frame, which
 * somebody is about to access (@access READ or WRITE).  A frame never
 * touched is allocated zeroed (charged like a first touch); one owned by
 * another node is recalled from it: on a READ the owner keeps a shared
 * copy and joins the sharers, on a WRITE it drops its copy.  Called with
 * the frame lock held and the frame busy; the lock is dropped across the
 * recall.  Returns 0 or a negative errno, the entry unchanged.
 */
int ssihv_home_hold(struct ssihv_vm *vm, struct ssihv_range *range, u64 gfn,
		    u8 access, bool reserved)
{
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	unsigned int self = ssihv_config_node_id();
	unsigned int owner = pde_owner(pde);
	unsigned int state = SSIHV_PAGE_EXCLUSIVE;
	u8 recall = msi_home_recall(pde_state(pde), owner, self, access);
	struct page *page;
	u64 *sharers;
	int ret;

	if (pde_state(pde) != SSIHV_PAGE_INVALID)
		return 0;
	page = ssihv_alloc_frame(vm, range);
	if (!page)
		return -ENOMEM;
	if (recall) {
		mutex_unlock(lock);
		ret = ssihv_frame_fetch(owner, vm->id, gfn, recall, page);
		mutex_lock(lock);
		if (ret > 0)		/* KEEP answers no recall */
			ret = -EPROTO;
		if (!ret && READ_ONCE(vm->dead))
			ret = -ENODEV;
		if (ret) {
			put_page(page);
			return ret;
		}
		this_cpu_inc(vm->stats->recalled);
		sharers = ssihv_frame_sharers(range, gfn);
		*sharers = msi_home_recalled(*sharers, owner, recall);
		if (recall == SSIHV_FRAME_READ)
			state = SSIHV_PAGE_SHARED;
	}
	ssihv_frame_install(vm, pde, page, state, self, reserved);
	return 0;
}

/*
 * Home: take every shared copy but @keep's away, one INV at a time, the
 * frame busy and its lock dropped across each.  A node that does not
 * answer is struck from the copy set all the same: its instance is gone,
 * or the link failed, and then only once the node has been down long
 * enough to have dropped its copies itself (ssihv_node_fence()).
 * Returns 0, or -EINTR when a fatal signal cut the fence short: the
 * nodes not yet struck stay in the copy set, and the write must not
 * happen.
 */
int ssihv_home_invalidate(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn, u32 keep)
{
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	u64 *sharers = ssihv_frame_sharers(range, gfn);
	u64 todo = msi_home_inv_set(*sharers, keep);
	unsigned int n;
	int ret, fenced;

	while (todo) {
		n = __ffs64(todo);
		todo &= todo - 1;
		mutex_unlock(lock);
		ret = ssihv_frame_fetch(n, vm->id, gfn, SSIHV_FRAME_INV, NULL);
		/* Unanswered: the node may only be cut off; fence it. */
		fenced = 0;
		if (ret == -ENOTCONN || ret == -EIO || ret == -ECONNRESET ||
		    ret == -ETIMEDOUT)
			fenced = ssihv_node_fence(n);
		mutex_lock(lock);
		if (fenced)
			return fenced;
		if (ret)
			pr_warn_ratelimited("ssihv: vm %llu: frame %#llx: INV to node %u: %d\n",
					    vm->id, gfn, n, ret);
		*sharers &= ~BIT_ULL(n);
		this_cpu_inc(vm->stats->invalidations);
	}
	return 0;
}

/*
 * Not home: get the frame from its home (READ: a shared copy, WRITE: the
 * only copy, UPGRADE: the only copy of a frame held shared here).  Called
 * and returns with the frame lock held and the frame not busy; busy
 * across the request.  @reserved: the caller counted a new page in
 * vm->resident.  Returns 0 with the copy installed, or a negative errno.
 */
int ssihv_node_get_frame(struct ssihv_vm *vm, struct ssihv_range *range,
			 u64 gfn, u8 access, bool reserved)
{
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	unsigned int self = ssihv_config_node_id();
	u64 i = gfn - range->first_gfn;
	unsigned int tries = 0;
	enum msi_got got;
	struct page *page;
	int ret;

again:
	page = ssihv_alloc_frame(vm, range);
	if (!page)
		return -ENOMEM;
	ssihv_frame_set_busy(range, gfn);
	clear_bit(i, range->inv);
	mutex_unlock(lock);
	ret = ssihv_frame_fetch(range->home_node, vm->id, gfn, access, page);
	mutex_lock(lock);
	ssihv_frame_clear_busy(vm, range, gfn);
	if (ret >= 0 && READ_ONCE(vm->dead))
		ret = -ENODEV;
	got = msi_node_got(access, ret, pde_state(pde),
			   test_and_clear_bit(i, range->inv), &ret);
	switch (got) {
	case MSI_GOT_FAILED:
		put_page(page);
		return ret;
	case MSI_GOT_KEEP:
		put_page(page);
		pde_set(pde, pde_pfn(pde), SSIHV_PAGE_EXCLUSIVE, self);
		return 0;
	case MSI_GOT_AGAIN:
		/* Invalidated in flight: this copy may predate the INV. */
		put_page(page);
		if (++tries < SSIHV_FETCH_TRIES)
			goto again;
		return -EAGAIN;
	default:
		break;
	}
	/* An upgrade answered with data: the INV took our copy. */
	if (pde_state(pde) != SSIHV_PAGE_INVALID)
		ssihv_frame_drop(vm, pde, gfn, range->home_node);
	/* ZERO (and EXCL with it) left our zeroed page as it is. */
	if (got == MSI_GOT_SHARED)
		ssihv_frame_install(vm, pde, page, SSIHV_PAGE_SHARED,
				    range->home_node, reserved);
	else
		ssihv_frame_install(vm, pde, page, SSIHV_PAGE_EXCLUSIVE, self,
				    reserved);
	return 0;
}

/*
 * Home: node @src, the owner of the frame's only copy, gives it back
 * (its instance is going away): the data is in our inbox slot.  Anything
 * but "INVALID, owner @src" here means a recall took the frame from @src
 * first and its copy is stale: -ESTALE, and @src drops it.  Frame lock
 * held, frame not busy.
 */
static int ssihv_home_take_back(struct ssihv_conn *conn, u32 src,
				const struct ssihv_wire_msg *msg,
				struct ssihv_vm *vm, struct ssihv_range *range)
{
	u64 gfn = msg->frame_req.gfn;
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	struct page *page;

	if (msi_home_take_back(pde_state(pde), pde_owner(pde), src))
		return -ESTALE;
	page = ssihv_alloc_frame(vm, range);
	if (!page)
		return -ENOMEM;
	ssihv_inbox_copy(conn, msg->frame_req.slot, page);
	ssihv_frame_install(vm, pde, page, SSIHV_PAGE_EXCLUSIVE,
			    ssihv_config_node_id(), false);
	this_cpu_inc(vm->stats->recalled);
	ssihv_frame_reply(conn, msg->tag, 0, 0);
	return 0;
}

/*
 * Home: serve node @src's READ, WRITE or UPGRADE (frame lock held, frame
 * not busy, VM alive).  Returns 0 once the answer is sent (or sending it
 * failed: the frame then stays valid here), or a negative errno for the
 * caller to answer with.
 */
static int ssihv_home_serve(struct ssihv_conn *conn, u32 src,
			    const struct ssihv_wire_msg *msg,
			    struct ssihv_vm *vm, struct ssihv_range *range)
{
	u64 gfn = msg->frame_req.gfn;
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	u64 *sharers = ssihv_frame_sharers(range, gfn);
	u8 access = msg->frame_req.access;
	struct msi_home_answer a;
	bool migrate = false;
	struct page *page;
	u32 now_ms, owner;
	u8 state;
	int ret;

	if (access == SSIHV_FRAME_PUT)
		return ssihv_home_take_back(conn, src, msg, vm, range);
	ret = msi_home_refuse(pde_state(pde), pde_owner(pde), src, access);
	if (ret)
		return ret;
	now_ms = ssihv_vm_now_ms(vm);
	if (msi_home_may_move(src, access))
		migrate = ssihv_placement_migrate(vm, pde, now_ms);
	a = msi_home_answer(pde_state(pde), pde_owner(pde), *sharers,
			    ssihv_config_node_id(), src, access, migrate);
	/* The home's heat counts every node's misses, its own and these. */
	pde_touch(pde, now_ms);
	if (a.zero) {
		/* No page here, no data on the wire. */
		ret = ssihv_frame_reply(conn, msg->tag, msi_home_status(&a), 0);
		if (!ret) {
			pde_set(pde, 0, SSIHV_PAGE_INVALID, src);
			this_cpu_inc(vm->stats->served);
		}
		return 0;
	}
	ssihv_frame_set_busy(range, gfn);
	ret = ssihv_home_hold(vm, range, gfn, a.access, false);
	if (ret)
		goto out;
	/* Only a fatal signal fails it, and workers get none: be sure. */
	if (a.access == SSIHV_FRAME_WRITE)
		ret = ssihv_home_invalidate(vm, range, gfn, src);
	if (ret)
		goto out;
	if (READ_ONCE(vm->dead)) {
		ret = -ENODEV;
		goto out;
	}
	page = pfn_to_page(pde_pfn(pde));
	/* Ours go first: read-only from now on, or gone. */
	if (a.access == SSIHV_FRAME_READ)
		pde_set_state(pde, SSIHV_PAGE_SHARED);
	ssihv_frame_unmap(vm, pde, gfn);
	if (a.keep)
		ret = ssihv_frame_reply(conn, msg->tag, msi_home_status(&a), 0);
	else
		ret = ssihv_frame_give(conn, page, msg->frame_req.slot,
				       msg->tag, msi_home_status(&a));
	if (ret) {
		/* Not handed over: the frame stays valid here. */
		ret = 0;
		goto out;
	}
	state = pde_state(pde);
	owner = pde_owner(pde);
	msi_home_served(&a, src, &state, &owner, sharers);
	if (state == SSIHV_PAGE_INVALID)
		ssihv_frame_drop(vm, pde, gfn, owner);
	this_cpu_inc(vm->stats->served);
out:
	ssihv_frame_clear_busy(vm, range, gfn);
	return ret;
}

/*
 * Not home: the home takes back the only copy held here (READ: keep a
 * shared one).  A SHARED entry is served too: the home asks only the node
 * it names as owner, so this copy is current (a downgrade whose answer
 * the home never got).  Frame lock held, frame not busy.
 */
static int ssihv_node_recall(struct ssihv_conn *conn,
			     const struct ssihv_wire_msg *msg,
			     struct ssihv_vm *vm, struct ssihv_range *range)
{
	u64 gfn = msg->frame_req.gfn;
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	u8 access = msg->frame_req.access;
	enum msi_node_action action;
	u64 word = pde->word;
	int ret;

	/* An INV is ssihv_node_inv()'s: this answers a READ or WRITE. */
	ret = msi_node_serve(pde_state(pde), access, &action);
	if (ret)
		return ret;
	/* A destroyed instance still hands back what it has not freed. */
	pde_set(pde, pde_pfn(pde), SSIHV_PAGE_SHARED, range->home_node);
	ssihv_frame_unmap(vm, pde, gfn);
	ret = ssihv_frame_give(conn, pfn_to_page(pde_pfn(pde)),
			       msg->frame_req.slot, msg->tag, 0);
	if (ret) {
		/* The home did not get it: still ours. */
		pde->word = word;
		return 0;
	}
	if (action == MSI_NODE_HAND_OVER)
		ssihv_frame_drop(vm, pde, gfn, range->home_node);
	this_cpu_inc(vm->stats->served);
	return 0;
}

/*
 * Not home: the home's INV.  Never waits for a busy frame (the home's
 * transaction waits for this answer): a shared copy goes at once, and a
 * fetch in flight is told that its read copy may be stale.
 */
static int ssihv_node_inv(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn)
{
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	u64 i = gfn - range->first_gfn;
	enum msi_node_action action;
	int ret;

	if (test_bit(i, range->busy))
		set_bit(i, range->inv);
	/* An only copy stays: the home names us a sharer, not the owner. */
	ret = msi_node_serve(pde_state(pde), SSIHV_FRAME_INV, &action);
	if (action == MSI_NODE_DROP) {
		ssihv_frame_drop(vm, pde, gfn, range->home_node);
		this_cpu_inc(vm->stats->dropped);
	}
	return ret;
}

/*
 * Not home: the frame's home went down.  A shared copy of it may be
 * stale: a home cut off by a partition rather than dead may have struck
 * us from the copy set and let another node write.  Drop it (an only
 * copy is the only one there is and stays).  Returns true if one was
 * dropped.
 */
bool ssihv_node_home_lost(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn)
{
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	bool dropped;

	/* What the home's INV would do, had it got through. */
	mutex_lock(lock);
	dropped = pde_state(pde) == SSIHV_PAGE_SHARED;
	ssihv_node_inv(vm, range, gfn);
	mutex_unlock(lock);
	return dropped;
}

static bool ssihv_frame_is_refusal(int err)
{
	return err == -ENOENT || err == -ERANGE || err == -EREMOTE ||
	       err == -ESTALE || err == -ENODEV || err == -EPROTO;
}

/*
 * Serve a FRAME_REQ from node @src (workqueue, between ssihv_conn_enter()
 * and _leave()), always answering it.  The home serves anyone; any other
 * node answers only its home's recalls and INVs.  Refusals are counted
 * in the sender's frames_refused: -ENOENT (no such VM; an INV for one
 * is done: there is no copy to drop), -ERANGE (frame
 * outside the map), -EREMOTE (homed on neither), -ESTALE (not held here,
 * or the home thinks the sender has it), -ENODEV (VM destroyed), -EPROTO
 * (a request this side does not take).
 */
int ssihv_frame_serve(struct ssihv_conn *conn, u32 src,
		      const struct ssihv_wire_msg *msg)
{
	unsigned int self = ssihv_config_node_id();
	u64 gfn = msg->frame_req.gfn;
	struct ssihv_range *range;
	struct ssihv_vm *vm;
	struct mutex *lock;	/* the frame's */
	int ret;

	vm = ssihv_vm_get(msg->frame_req.vm_id);
	if (!vm) {
		/* An instance gone took its shared copies with it. */
		ret = msg->frame_req.access == SSIHV_FRAME_INV ? 0 : -ENOENT;
		goto reply;
	}
	range = ssihv_vm_find_range(vm, gfn);
	if (!range) {
		ret = -ERANGE;
		goto put;
	}
	if (range->home_node != self && range->home_node != src) {
		ret = -EREMOTE;
		goto put;
	}
	lock = ssihv_frame_lock(vm, gfn);
	mutex_lock(lock);
	if (range->home_node != self && msg->frame_req.access ==
	    SSIHV_FRAME_INV) {
		ret = ssihv_node_inv(vm, range, gfn);
	} else {
		ssihv_frame_wait_busy(vm, range, gfn, false);
		if (range->home_node != self)
			ret = ssihv_node_recall(conn, msg, vm, range);
		else if (READ_ONCE(vm->dead))
			ret = -ENODEV;
		else
			ret = ssihv_home_serve(conn, src, msg, vm, range);
		if (!ret) {
			mutex_unlock(lock);
			ssihv_vm_put(vm);
			return 0;
		}
	}
	mutex_unlock(lock);
put:
	ssihv_vm_put(vm);
reply:
	/* A PUT that crossed a recall is no refusal: the copy was stale. */
	if (ssihv_frame_is_refusal(ret) &&
	    !(ret == -ESTALE && msg->frame_req.access == SSIHV_FRAME_PUT)) {
		atomic64_inc(&conn->node->frames_refused);
		pr_warn_ratelimited("ssihv: node %u: frame request vm %llu gfn %#llx access %u refused: %d\n",
				    src, msg->frame_req.vm_id, gfn,
				    msg->frame_req.access, ret);
	}
	ssihv_frame_reply(conn, msg->tag, ret, 0);
	return ret;
}

/* ---- an instance going away gives back the frames it owns ----------- */

/* Frames per chunk of work, and workers giving chunks back at once. */
#define SSIHV_RETURN_CHUNK	512
#define SSIHV_RETURN_WORKERS	8

struct ssihv_return {
	struct ssihv_vm *vm;
	atomic_t next;			/* next chunk to take */
	atomic_t running;		/* workers not finished */
	atomic64_t returned, lost;
	struct completion done;
	struct ssihv_return_worker {
		struct work_struct work;
		struct ssihv_return *r;
	} workers[SSIHV_RETURN_WORKERS];
};

/*
 * Give one frame back to its home if this node holds its only copy.
 * Returns false when the home cannot take any more (it is down or its
 * instance is gone).
 */
static bool ssihv_return_frame(struct ssihv_return *r,
			       struct ssihv_range *range, u64 gfn)
{
	struct ssihv_vm *vm = r->vm;
	struct ssihv_pde *pde = ssihv_range_pde(range, gfn);
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	struct page *page;
	int ret;

	mutex_lock(lock);
	ssihv_frame_wait_busy(vm, range, gfn, false);
	if (pde_state(pde) != SSIHV_PAGE_EXCLUSIVE) {
		mutex_unlock(lock);
		return true;
	}
	page = pfn_to_page(pde_pfn(pde));
	get_page(page);
	/* No write may land after the copy below: unmapped, it faults. */
	ssihv_frame_unmap(vm, pde, gfn);
	mutex_unlock(lock);
	ret = ssihv_frame_put(range->home_node, vm->id, gfn, page);
	mutex_lock(lock);
	if (!ret) {
		/* The home holds it now; a recall may have taken ours. */
		if (pde_state(pde) == SSIHV_PAGE_EXCLUSIVE &&
		    pde_pfn(pde) == page_to_pfn(page))
			ssihv_frame_drop(vm, pde, gfn, range->home_node);
		atomic64_inc(&r->returned);
	} else if (ret != -ESTALE) {
		/* -ESTALE: a recall took it first; else it stays here. */
		atomic64_inc(&r->lost);
	}
	mutex_unlock(lock);
	put_page(page);
	return !(ret == -ENOENT || ret == -ENODEV || ret == -ENOTCONN ||
		 ret == -EHOSTUNREACH);
}

static void ssihv_return_work_fn(struct work_struct *work)
{
	struct ssihv_return *r = container_of(work, struct ssihv_return_worker,
					      work)->r;
	struct ssihv_vm *vm = r->vm;
	unsigned int self = ssihv_config_node_id();
	unsigned int i, chunk;
	u64 first, j;

	for (;;) {
		chunk = atomic_inc_return(&r->next) - 1;
		for (i = 0; i < vm->nr_ranges; i++) {
			struct ssihv_range *range = &vm->ranges[i];
			u64 n = DIV_ROUND_UP(range->nr_pages,
					     SSIHV_RETURN_CHUNK);

			if (range->home_node == self)
				continue;
			if (chunk < n)
				break;
			chunk -= n;
		}
		if (i == vm->nr_ranges)
			break;
		first = (u64)chunk * SSIHV_RETURN_CHUNK;
		for (j = first; j < vm->ranges[i].nr_pages &&
		     j < first + SSIHV_RETURN_CHUNK; j++)
			if (!ssihv_return_frame(r, &vm->ranges[i],
						vm->ranges[i].first_gfn + j))
				break;
		cond_resched();
	}
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
}

/*
 * The instance is going away here (its last fd closed, or destroyed):
 * every frame homed elsewhere whose only copy is here goes back to its
 * home, so that the instances left on other nodes keep its data.  Shared
 * copies are simply freed later (an INV for them finds no instance and
 * strikes this node from the copy set).  Recalls from the homes are
 * still served meanwhile.  Frames a home cannot take (down, its instance
 * gone, out of memory) are lost, counted in the log.
 */
void ssihv_vm_return_frames(struct ssihv_vm *vm)
{
	unsigned int self = ssihv_config_node_id();
	struct ssihv_return *r;
	unsigned int i;

	for (i = 0; i < vm->nr_ranges; i++)
		if (vm->ranges[i].home_node != self)
			break;
	if (i == vm->nr_ranges)
		return;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		pr_warn("ssihv: vm %llu: no memory to give frames back to their homes\n",
			vm->id);
		return;
	}
	r->vm = vm;
	init_completion(&r->done);
	atomic_set(&r->running, SSIHV_RETURN_WORKERS);
	for (i = 0; i < SSIHV_RETURN_WORKERS; i++) {
		r->workers[i].r = r;
		INIT_WORK(&r->workers[i].work, ssihv_return_work_fn);
		ssihv_frame_queue_work(&r->workers[i].work);
	}
	wait_for_completion(&r->done);
	if (atomic64_read(&r->returned) || atomic64_read(&r->lost))
		pr_info("ssihv: vm %llu: %lld frames given back to their homes, %lld lost\n",
			vm->id, (s64)atomic64_read(&r->returned),
			(s64)atomic64_read(&r->lost));
	kfree(r);
}
