/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM instances: the guest memory of one cluster-wide VM on this host.
 */
#ifndef _SSIHV_VM_H
#define _SSIHV_VM_H

#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/ssihv.h>

#include "proto/pde.h"

/*
 * Frames hash onto this many mutexes.  Consecutive frames use different
 * locks, so vCPUs touching neighbouring pages do not serialise; a lock is
 * held only around one frame's directory update, and may be held across
 * sleeping work (allocation now, remote fetches later).
 */
#define SSIHV_FRAME_LOCKS	256

enum ssihv_fault_kind {
	SSIHV_FAULT_FIRST,	/* first touch: zeroed page allocated */
	SSIHV_FAULT_MAP,	/* valid local copy mapped again */
	SSIHV_FAULT_UPGRADE,	/* write to a shared copy */
	SSIHV_FAULT_REMOTE,	/* frame homed or owned on another node */
	SSIHV_FAULT_REFUSED,	/* SIGBUS: over the limit, dead, remote */
	SSIHV_NR_FAULT_KINDS,
};

struct ssihv_vm_stats {
	u64 faults[SSIHV_NR_FAULT_KINDS];
	u64 revoked;
	u64 served;		/* frames handed to other nodes */
	u64 recalled;		/* frames taken back from their owner */
	u64 invalidations;	/* home: other nodes' copies invalidated */
	u64 dropped;		/* shared copies dropped here on an INV */
	u64 migrations;		/* read misses given the only copy */
	u64 fault_ns_hist[SSIHV_HIST_BUCKETS];
};

struct ssihv_vm;

/* One guest-physical range; its frames' directory entries. */
struct ssihv_range {
	struct ssihv_vm *vm;
	u64 first_gfn;
	u64 nr_pages;
	u32 home_node;
	int numa_node;		/* NUMA_NO_NODE: any */
	struct ssihv_pde *pdes;
	/*
	 * Frames whose directory entry waits for another node's answer (a
	 * fetch or recall in flight); set and cleared under the frame lock,
	 * waited for on vm->busy_wq.  Whoever finds its frame busy drops the
	 * frame lock and waits, so no frame lock is held across a wait for
	 * another node's request handler.
	 */
	unsigned long *busy;
	/*
	 * Ranges homed here: per frame, the other nodes holding a shared
	 * copy (bit n for node n; nodes 64 and up only ever get the only
	 * copy).  Not empty only while this node's own entry is SHARED.
	 */
	u64 *sharers;
	/*
	 * Ranges homed elsewhere: frames whose home invalidated them while
	 * a fetch of ours was in flight.  A shared copy arriving for such a
	 * frame may be older than the INV and is fetched again.
	 */
	unsigned long *inv;
};

struct ssihv_vm {
	struct kref kref;		/* attached fds; mappings hold fds */
	struct list_head list;		/* in the registry */
	u64 id;
	bool dead;			/* destroyed: every fault SIGBUS */
	bool leaving;			/* last fd closed: giving frames back */
	unsigned int attached;		/* attached fds (ssihv_vms_lock) */
	pid_t creator;
	u64 created_ns;
	u64 mem_limit_pages;
	atomic64_t resident;		/* pages with a local copy */
	atomic_t mappings;		/* VMAs mapping it, for display */
	atomic64_t *node_pages;		/* resident pages per NUMA node */
	unsigned long limit_event_at;	/* jiffies of the last limit event */
	unsigned long frame_event_at;	/* ... of the last FRAME_UNAVAILABLE */
	unsigned long migrate_window;	/* jiffies: placement rate window */
	atomic_t migrate_count;		/* migrations in that window */
	struct mem_cgroup *memcg;	/* the creator's; pages charged here */

	/*
	 * Attached files point their f_mapping at this inode's mapping, so
	 * that revoking a frame unmaps it from this VM's mappings only.
	 */
	struct inode *inode;

	struct ssihv_vm_stats __percpu *stats;
	struct mutex frame_locks[SSIHV_FRAME_LOCKS];	/* see above */
	wait_queue_head_t busy_wq;	/* a busy frame became free */
	unsigned int nr_ranges;
	struct ssihv_range ranges[];	/* sorted by first_gfn */
};

/* vm.c */
int ssihv_vm_attach(struct file *file, const struct ssihv_attach *req,
		    const struct ssihv_mem_range __user *ranges);
struct ssihv_vm *ssihv_vm_get(u64 id);
void ssihv_vm_put(struct ssihv_vm *vm);
void ssihv_vm_detach(struct ssihv_vm *vm);
struct ssihv_vm *ssihv_vm_get_nth(unsigned long n);
int ssihv_vm_destroy(struct ssihv_vm *vm);
u32 ssihv_vm_now_ms(const struct ssihv_vm *vm);
u32 ssihv_vm_ms_at(const struct ssihv_vm *vm, u64 ns);
struct ssihv_range *ssihv_vm_find_range(struct ssihv_vm *vm, u64 gfn);

static inline struct address_space *ssihv_vm_mapping(struct ssihv_vm *vm)
{
	return vm->inode->i_mapping;
}

static inline struct mutex *ssihv_frame_lock(struct ssihv_vm *vm, u64 gfn)
{
	return &vm->frame_locks[gfn % SSIHV_FRAME_LOCKS];
}

static inline struct ssihv_pde *ssihv_range_pde(struct ssihv_range *range,
						u64 gfn)
{
	return &range->pdes[gfn - range->first_gfn];
}

/* frame.c */
int ssihv_vm_revoke(struct ssihv_vm *vm, u64 first_gfn, u64 last_gfn,
		    bool shared, u64 *revoked);
void ssihv_vm_release_frames(struct ssihv_vm *vm);
void ssihv_frame_uncount(struct ssihv_vm *vm, struct page *page);
int ssihv_frame_wait_busy(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn, bool killable);
void ssihv_frame_set_busy(struct ssihv_range *range, u64 gfn);
void ssihv_frame_clear_busy(struct ssihv_vm *vm, struct ssihv_range *range,
			    u64 gfn);
struct ssihv_conn;
struct ssihv_wire_msg;
int ssihv_frame_serve(struct ssihv_conn *conn, u32 src,
		      const struct ssihv_wire_msg *msg);
int ssihv_home_hold(struct ssihv_vm *vm, struct ssihv_range *range, u64 gfn,
		    u8 access, bool reserved);
int ssihv_home_invalidate(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn, u32 keep);
int ssihv_node_get_frame(struct ssihv_vm *vm, struct ssihv_range *range,
			 u64 gfn, u8 access, bool reserved);
void ssihv_vm_return_frames(struct ssihv_vm *vm);
bool ssihv_node_home_lost(struct ssihv_vm *vm, struct ssihv_range *range,
			  u64 gfn);
bool ssihv_placement_migrate(struct ssihv_vm *vm, struct ssihv_pde *pde,
			     u32 now_ms);

/* mmap.c */
int ssihv_vm_mmap(struct ssihv_vm *vm, struct vm_area_struct *vma);
struct page *ssihv_alloc_frame(struct ssihv_vm *vm, struct ssihv_range *range);

/* stats.c */
void ssihv_stats_fault(struct ssihv_vm *vm, enum ssihv_fault_kind kind,
		       u64 start_ns);
void ssihv_stats_sum(struct ssihv_vm *vm, struct ssihv_vm_stats *sum);

#endif /* _SSIHV_VM_H */
