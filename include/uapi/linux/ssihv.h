/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * SSI-HV user/kernel ABI: the one definition of every ioctl, generic
 * netlink command, attribute and multicast group that ssihv.ko shares with
 * userspace (ssi-vmm, ssihvctl, selftests).
 *
 * Rules for changing this file: never renumber or reuse a value, only
 * append before the __SSIHV_*_MAX sentinels, and bump SSIHV_GENL_VERSION
 * when a command changes meaning.
 */
#ifndef _UAPI_LINUX_SSIHV_H
#define _UAPI_LINUX_SSIHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* Character device (misc) that serves guest memory. */
#define SSIHV_DEVICE_NAME	"ssihv"

/* Version of the node-to-node wire protocol this module speaks. */
#define SSIHV_PROTO_VERSION	1

/* ---- /dev/ssihv ioctls ----------------------------------------------- */

/*
 * One guest-physical range of a VM's memory map.  @gpa and @size are page
 * aligned and @size is not zero; ranges of one VM do not overlap.
 * @home_node is the cluster node that is the range's home (see
 * Documentation/memory.rst); @numa_node is the host NUMA node local pages
 * of the range are allocated on, or SSIHV_NUMA_ANY.
 */
struct ssihv_mem_range {
	__u64 gpa;
	__u64 size;
	__u32 home_node;
	__s32 numa_node;
	__u32 flags;		/* must be zero */
	__u32 reserved;		/* must be zero */
};

#define SSIHV_NUMA_ANY		(-1)

/*
 * SSIHV_IOC_ATTACH: bind this fd to the VM instance @vm_id, creating it
 * when SSIHV_ATTACH_CREATE is set and it does not exist yet.  @ranges
 * points to @nr_ranges struct ssihv_mem_range; when attaching to an
 * existing instance they must equal its memory map exactly (EINVAL
 * otherwise), so every process of a VM agrees on the layout.
 * @mem_limit caps the bytes this instance may make resident on this host
 * (0: the module's max-vm-memory setting).  An fd attaches once.
 *
 * After attaching, mmap(fd, offset = guest-physical address) maps guest
 * RAM: MAP_SHARED only, page aligned, inside one range.
 */
struct ssihv_attach {
	__u64 vm_id;
	__u64 ranges;		/* user pointer to struct ssihv_mem_range[] */
	__u32 nr_ranges;
	__u32 flags;		/* SSIHV_ATTACH_* */
	__u64 mem_limit;
	__u64 reserved[2];	/* must be zero */
};

#define SSIHV_ATTACH_CREATE	0x1U	/* create if it does not exist */
#define SSIHV_ATTACH_EXCL	0x2U	/* with CREATE: fail if it exists */
#define SSIHV_ATTACH_FLAGS	(SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL)

#define SSIHV_IOC_MAGIC		0xB7
#define SSIHV_IOC_ATTACH	_IOW(SSIHV_IOC_MAGIC, 0x01, struct ssihv_attach)

/* ---- Generic netlink family ---------------------------------------- */

#define SSIHV_GENL_NAME		"ssihv"
#define SSIHV_GENL_VERSION	1
#define SSIHV_GENL_MCGRP_EVENTS	"events"

/*
 * Commands.  GET_* commands are open to every user; every command that
 * changes state requires CAP_NET_ADMIN (GENL_ADMIN_PERM).
 */
enum ssihv_cmd {
	SSIHV_CMD_UNSPEC,
	SSIHV_CMD_GET_INFO,	/* -> SSIHV_A_INFO_* */
	SSIHV_CMD_SET_CONFIG,	/* admin; SSIHV_A_CONFIG_* -> nothing */
	SSIHV_CMD_GET_VM,	/* [VM_ID] -> SSIHV_A_VM_*; dump without id */
	SSIHV_CMD_GET_PAGE,	/* VM_ID, GPA [, GPA_LAST] -> dump of pages */
	SSIHV_CMD_GET_STATS,	/* [VM_ID] -> SSIHV_A_STATS_*; dump w/o id */
	SSIHV_CMD_REVOKE_PAGE,	/* admin; VM_ID, GPA [, GPA_LAST, SHARED] */
	SSIHV_CMD_DESTROY_VM,	/* admin; VM_ID */

	/* Notifications on the "events" group. */
	SSIHV_CMD_EVENT_VM_CREATED,	/* VM_ID */
	SSIHV_CMD_EVENT_VM_DESTROYED,	/* VM_ID */
	SSIHV_CMD_EVENT_LIMIT_HIT,	/* VM_ID, GPA, VM_MEM_LIMIT */

	/* Cluster nodes and the RDMA transport (Documentation/netlink.rst) */
	SSIHV_CMD_NODE_ADD,	/* admin; NODE_ID, NODE_ADDR [, NODE_PORT] */
	SSIHV_CMD_NODE_DEL,	/* admin; NODE_ID */
	SSIHV_CMD_GET_NODE,	/* [NODE_ID] -> SSIHV_A_NODE_*; dump w/o id */
	SSIHV_CMD_NODE_PING,	/* admin; NODE_ID -> NODE_RTT_NS */
	/* admin, test/diagnostic: NODE_ID, XFER_OP, XFER_COUNT
	 * [, XFER_THREADS] -> SSIHV_A_XFER_*
	 */
	SSIHV_CMD_NODE_XFER_TEST,
	SSIHV_CMD_EVENT_NODE_UP,	/* NODE_ID */
	SSIHV_CMD_EVENT_NODE_DOWN,	/* NODE_ID, NODE_LAST_ERROR */
	/*
	 * A fault could not get a frame held by another node (SIGBUS):
	 * VM_ID, PAGE_GPA, NODE_ID (the node asked), NODE_LAST_ERROR (why);
	 * at most one a second per VM.
	 */
	SSIHV_CMD_EVENT_FRAME_UNAVAILABLE,
	/*
	 * A node went down and took the only copy of these frames with it
	 * (frames homed on it that this host holds no copy of, or frames
	 * homed here that it owned): VM_ID, PAGE_GPA, PAGE_GPA_LAST (one
	 * run of frames, inclusive), NODE_ID (the node that went down).
	 * Accesses to them get SIGBUS while it stays down.
	 */
	SSIHV_CMD_EVENT_FRAMES_LOST,

	__SSIHV_CMD_MAX,
};

#define SSIHV_CMD_MAX (__SSIHV_CMD_MAX - 1)

/*
 * Attributes.  One flat attribute space for the whole family keeps the
 * policy in one place; each command documents which ones it uses.
 */
enum ssihv_attr {
	SSIHV_A_UNSPEC,
	SSIHV_A_PAD,			/* padding for 64-bit attributes */

	/* SSIHV_CMD_GET_INFO reply */
	SSIHV_A_INFO_MODULE_VERSION,	/* string, e.g. "0.1.0" */
	SSIHV_A_INFO_PROTO_VERSION,	/* u32, SSIHV_PROTO_VERSION */
	SSIHV_A_INFO_GENL_VERSION,	/* u32, SSIHV_GENL_VERSION */
	SSIHV_A_INFO_PAGE_SIZE,		/* u32, bytes */
	SSIHV_A_INFO_MAX_VMS,		/* u32, VM instances per host */
	SSIHV_A_INFO_MAX_NODES,		/* u32, cluster nodes */
	SSIHV_A_INFO_MAX_VM_MEMORY,	/* u64, bytes of guest RAM per VM */
	SSIHV_A_INFO_MAX_RANGES,	/* u32, memory ranges per VM */

	/*
	 * SSIHV_CMD_SET_CONFIG request.  Each attribute is optional; absent
	 * ones are left unchanged.
	 */
	SSIHV_A_CONFIG_MAX_VM_MEMORY,	/* u64, bytes, page aligned, > 0 */

	/* VMs (GET_VM, and the key of every per-VM command) */
	SSIHV_A_VM_ID,			/* u64 */
	SSIHV_A_VM_MEM_LIMIT,		/* u64, bytes */
	SSIHV_A_VM_PAGES_RESIDENT,	/* u64, pages on this host */
	SSIHV_A_VM_USERS,		/* u32, fds + mappings holding it */
	SSIHV_A_VM_CREATOR_PID,		/* u32, tgid in the initial pidns */
	SSIHV_A_VM_DEAD,		/* flag: destroyed, waiting for users */
	SSIHV_A_VM_RANGES,		/* nest of SSIHV_A_RANGE nests */
	SSIHV_A_RANGE,			/* nest: SSIHV_A_RANGE_* */
	SSIHV_A_RANGE_GPA,		/* u64 */
	SSIHV_A_RANGE_SIZE,		/* u64 */
	SSIHV_A_RANGE_HOME_NODE,	/* u32 */
	SSIHV_A_RANGE_NUMA_NODE,	/* s32, SSIHV_NUMA_ANY = any */

	/* Pages (GET_PAGE, REVOKE_PAGE) */
	SSIHV_A_PAGE_GPA,		/* u64, first (or only) page */
	SSIHV_A_PAGE_GPA_LAST,		/* u64, last page of a range, incl. */
	SSIHV_A_PAGE_STATE,		/* u8, enum ssihv_page_state */
	SSIHV_A_PAGE_OWNER,		/* u32, node holding the valid copy */
	SSIHV_A_PAGE_HOME,		/* u32, home node */
	SSIHV_A_PAGE_HEAT,		/* u32, decaying access count */
	SSIHV_A_PAGE_FAULTS,		/* u32, faults on it (saturating) */
	SSIHV_A_PAGE_LAST_FAULT_MS,	/* u32, ms since VM creation */
	SSIHV_A_PAGE_NUMA_NODE,		/* s32, host node of the local copy */
	/* flag (REVOKE_PAGE): leave the page mapped read-only, not unmapped */
	SSIHV_A_PAGE_SHARED,
	SSIHV_A_PAGE_REVOKED,		/* u64 (REVOKE_PAGE reply): pages */

	/* Statistics (GET_STATS) */
	SSIHV_A_STATS_FAULTS_FIRST,	/* u64, first touch: zeroed page */
	SSIHV_A_STATS_FAULTS_MAP,	/* u64, valid local page re-mapped */
	SSIHV_A_STATS_FAULTS_UPGRADE,	/* u64, write to a shared page */
	SSIHV_A_STATS_FAULTS_REMOTE,	/* u64, page homed/owned elsewhere */
	SSIHV_A_STATS_FAULTS_REFUSED,	/* u64, SIGBUS: limit, dead, remote */
	SSIHV_A_STATS_REVOKED,		/* u64, pages revoked */
	SSIHV_A_STATS_RESIDENT,		/* nest of SSIHV_A_STATS_NODE */
	SSIHV_A_STATS_NODE,		/* nest: NODE_ID, NODE_PAGES */
	SSIHV_A_STATS_NODE_ID,		/* s32, host NUMA node */
	SSIHV_A_STATS_NODE_PAGES,	/* u64 */
	/*
	 * binary: u64[SSIHV_HIST_BUCKETS]; bucket i counts fault service
	 * times t with 2^i <= t < 2^(i+1) ns (bucket 0 also t = 0)
	 */
	SSIHV_A_STATS_FAULT_NS_HIST,

	/* Nodes (NODE_ADD, NODE_DEL, GET_NODE, NODE_PING, events) */
	SSIHV_A_NODE_ID,		/* u32, 0..SSIHV_MAX_NODES-1 */
	SSIHV_A_NODE_ADDR,		/* binary, 4 or 16 bytes: IPv4/6 */
	SSIHV_A_NODE_PORT,		/* u16, default: rdma_port param */
	SSIHV_A_NODE_STATE,		/* u8, enum ssihv_node_state */
	SSIHV_A_NODE_ACTIVE,		/* flag: this host connects to it */
	SSIHV_A_NODE_RTT_NS,		/* u64, last round trip (0: none) */
	SSIHV_A_NODE_BYTES_IN,		/* u64, page bytes received */
	SSIHV_A_NODE_BYTES_OUT,		/* u64, page bytes sent */
	SSIHV_A_NODE_OPS_IN,		/* u64, requests served for it */
	SSIHV_A_NODE_OPS_OUT,		/* u64, requests sent to it */
	SSIHV_A_NODE_ERRORS,		/* u64, failed operations */
	SSIHV_A_NODE_RETRIES,		/* u64, reconnection attempts */
	SSIHV_A_NODE_CONNECTS,		/* u64, connections established */
	SSIHV_A_NODE_RX_BAD,		/* u64, malformed messages rejected */
	SSIHV_A_NODE_LAST_ERROR,	/* s32, errno of the last failure */
	SSIHV_A_NODE_DEVICE,		/* string, RDMA device of the link */

	/* NODE_XFER_TEST request */
	SSIHV_A_XFER_OP,		/* u8, enum ssihv_xfer_op */
	SSIHV_A_XFER_COUNT,		/* u32, pages, 1..SSIHV_XFER_MAX */
	SSIHV_A_XFER_THREADS,		/* u32, 1..SSIHV_XFER_MAX_THREADS */
	/* NODE_XFER_TEST reply */
	SSIHV_A_XFER_OK,		/* u64, pages moved and verified */
	SSIHV_A_XFER_FAILED,		/* u64, operations that failed */
	SSIHV_A_XFER_BAD_CSUM,		/* u64, pages with a wrong checksum */
	SSIHV_A_XFER_ERRNO,		/* s32, first failure's errno, or 0 */
	SSIHV_A_XFER_NS,		/* u64, wall time of the whole run */
	SSIHV_A_XFER_LAT_MEDIAN_NS,	/* u64, per page, of ok pages */
	SSIHV_A_XFER_LAT_P99_NS,	/* u64 */
	SSIHV_A_XFER_LAT_P999_NS,	/* u64 */
	SSIHV_A_XFER_BATCH,		/* u32, fetch: pages per request
					 * chain, 1..SSIHV_XFER_MAX_BATCH
					 */

	/* Remote frames (Documentation/memory.rst, "Frames homed elsewhere") */
	SSIHV_A_STATS_FRAMES_SERVED,	/* u64, frames handed to other nodes */
	SSIHV_A_STATS_FRAMES_RECALLED,	/* u64, frames this home took back
					 * from their owner for someone
					 */
	SSIHV_A_NODE_FRAMES_REFUSED,	/* u64, its frame requests refused:
					 * unknown VM, frame outside the map,
					 * not our frame
					 */

	/* Shared copies (MSI, Documentation/memory.rst) */
	SSIHV_A_STATS_INVALIDATIONS,	/* u64, other nodes' shared copies
					 * this home invalidated
					 */
	SSIHV_A_STATS_COPIES_DROPPED,	/* u64, shared copies this node
					 * dropped on its home's INV
					 */

	/*
	 * Placement (Documentation/memory.rst, "Placement"): SET_CONFIG
	 * takes them, GET_INFO reports them.
	 */
	SSIHV_A_CONFIG_PLACEMENT,	/* u32, enum ssihv_placement */
	SSIHV_A_CONFIG_PLACEMENT_HEAT,	/* u32, 1..65535: a frame at least
					 * this hot at its home is shared
					 */
	SSIHV_A_CONFIG_PLACEMENT_RATE,	/* u32, 1..1000000 migrations a
					 * second per VM instance at a home
					 */
	SSIHV_A_STATS_MIGRATIONS,	/* u64, read misses this home
					 * answered with the only copy
					 */

	__SSIHV_A_MAX,
};

#define SSIHV_A_MAX (__SSIHV_A_MAX - 1)

/*
 * What a frame's home does with a read miss from another node (or its
 * own read fault on a frame another node owns).
 */
enum ssihv_placement {
	SSIHV_PLACEMENT_OFF,	 /* a shared copy: only writes move frames */
	SSIHV_PLACEMENT_MIGRATE, /* the only copy: it moves to the reader */
	SSIHV_PLACEMENT_HEAT,	 /* the only copy while the frame is cold
				  * (heat below PLACEMENT_HEAT), else shared
				  */
	__SSIHV_PLACEMENT_MAX,
};

#define SSIHV_PLACEMENT_HEAT_DEFAULT	48	/* 3 accesses in ~1 s */
#define SSIHV_PLACEMENT_RATE_DEFAULT	10000
#define SSIHV_PLACEMENT_RATE_MAX	1000000

/* Directory state of one guest frame on this host. */
enum ssihv_page_state {
	SSIHV_PAGE_INVALID,	/* no valid copy here (never touched here) */
	SSIHV_PAGE_EXCLUSIVE,	/* only copy, mapped read-write */
	SSIHV_PAGE_SHARED,	/* read-only copy; a write upgrades first */
};

#define SSIHV_HIST_BUCKETS	64

/* Connection state of a cluster node, as seen from this host. */
enum ssihv_node_state {
	SSIHV_NODE_DOWN,	/* no connection (waiting or backing off) */
	SSIHV_NODE_CONNECTING,	/* rdma_cm connection being set up */
	SSIHV_NODE_UP,		/* connected, pools exchanged */
};

/* What SSIHV_CMD_NODE_XFER_TEST does with the peer's test pool. */
enum ssihv_xfer_op {
	SSIHV_XFER_FETCH_READ = 1,	/* fetch pages: one-sided RDMA READ */
	SSIHV_XFER_FETCH_WRITE,		/* fetch: request, peer RDMA WRITEs */
	SSIHV_XFER_PUSH,		/* push: WRITE + PUSH, peer checks */
	/*
	 * One guest-frame request for (VM_ID, PAGE_GPA) that this host would
	 * never send itself (its VM has no such frame, or the frame is homed
	 * on neither end): the peer must refuse it; XFER_ERRNO is its answer.
	 */
	SSIHV_XFER_FRAME_REQ,
};

#define SSIHV_XFER_MAX		1000000
#define SSIHV_XFER_MAX_THREADS	32
#define SSIHV_XFER_MAX_BATCH	16

/* Hard limits reported by SSIHV_CMD_GET_INFO. */
#define SSIHV_MAX_VMS		64
#define SSIHV_MAX_NODES		256
#define SSIHV_MAX_RANGES	64

#endif /* _UAPI_LINUX_SSIHV_H */
