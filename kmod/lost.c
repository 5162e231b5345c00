// SPDX-License-Identifier: GPL-2.0
/*
 * Frames a node took with it when it went down: the frames homed on it
 * that this host holds no copy of (the home had the directory and the
 * data), and the frames homed here that it owned (it had the only,
 * writable copy).  Accesses to them get SIGBUS while it stays down (the
 * fault cannot reach it); this names them once, as runs of frames, in
 * FRAMES_LOST events and the kernel log.  Shared copies held here of
 * frames homed on it are dropped first and named with them: "down" may
 * be a partition, behind which the home lets others write.  Only copies
 * (M) of frames homed on it stay: nobody else can have one.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

#include "ssihv.h"
#include "rdma.h"
#include "vm.h"

/* FRAMES_LOST events per VM and node going down; the rest are counted. */
#define SSIHV_LOST_EVENTS_MAX	64

struct ssihv_lost_scan {
	u64 vm_id;
	u32 node;
	u64 first, next;	/* the run being built: [first, next) */
	u64 frames;
	unsigned int runs;
};

static void ssihv_lost_flush(struct ssihv_lost_scan *scan)
{
	if (scan->next == scan->first)
		return;
	if (scan->runs++ < SSIHV_LOST_EVENTS_MAX)
		ssihv_event_frames_lost(scan->vm_id, scan->first << PAGE_SHIFT,
					(scan->next - 1) << PAGE_SHIFT,
					scan->node);
	scan->frames += scan->next - scan->first;
	scan->first = scan->next;
}

static void ssihv_lost_add(struct ssihv_lost_scan *scan, u64 gfn)
{
	if (gfn != scan->next) {
		ssihv_lost_flush(scan);
		scan->first = gfn;
	}
	scan->next = gfn + 1;
}

/*
 * A snapshot, without the frame locks but for shared copies: a frame a
 * fault is fetching from the dead node right now is reported too, and
 * its fault fails anyway.
 */
static void ssihv_vm_node_lost(struct ssihv_vm *vm, u32 dead)
{
	struct ssihv_lost_scan scan = { .vm_id = vm->id, .node = dead };
	unsigned int self = ssihv_config_node_id();
	unsigned int i;
	u64 j;

	for (i = 0; i < vm->nr_ranges; i++) {
		struct ssihv_range *range = &vm->ranges[i];
		bool homed_there = range->home_node == dead;

		if (!homed_there && range->home_node != self)
			continue;
		for (j = 0; j < range->nr_pages; j++) {
			struct ssihv_pde pde = {
				.word = READ_ONCE(range->pdes[j].word),
			};

			if (homed_there && pde_state(&pde) == SSIHV_PAGE_SHARED &&
			    ssihv_node_home_lost(vm, range, range->first_gfn + j))
				pde.word = READ_ONCE(range->pdes[j].word);
			if (pde_state(&pde) == SSIHV_PAGE_INVALID &&
			    (homed_there || pde_owner(&pde) == dead))
				ssihv_lost_add(&scan, range->first_gfn + j);
			if (!(j % 65536))
				cond_resched();
		}
	}
	ssihv_lost_flush(&scan);
	if (scan.frames)
		pr_warn("ssihv: vm %llu: node %u down: %llu frames lost in %u runs%s\n",
			vm->id, dead, scan.frames, scan.runs,
			scan.runs > SSIHV_LOST_EVENTS_MAX ?
			" (events for the first 64)" : "");
}

/* The node's lost_work: scan every instance, then drop the reference. */
static void ssihv_lost_work_fn(struct work_struct *work)
{
	struct ssihv_node *node = container_of(work, struct ssihv_node,
					       lost_work);
	struct ssihv_vm *vm;
	unsigned long n;

	for (n = 0; (vm = ssihv_vm_get_nth(n)); n++) {
		if (!READ_ONCE(vm->dead))
			ssihv_vm_node_lost(vm, node->id);
		ssihv_vm_put(vm);
	}
	ssihv_node_put(node);
}

void ssihv_lost_init(struct ssihv_node *node)
{
	INIT_WORK(&node->lost_work, ssihv_lost_work_fn);
}

/*
 * @node went down: name what it took with it, from the frame workqueue
 * (the scan takes the instance list lock).  A scan already queued covers
 * this one too.
 */
void ssihv_frames_node_down(struct ssihv_node *node)
{
	kref_get(&node->ref);
	if (!ssihv_frame_queue_work(&node->lost_work))
		ssihv_node_put(node);
}
