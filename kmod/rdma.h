/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The RDMA transport: cluster nodes (node.c), one rdma_cm RC connection
 * per node (rdma_conn.c), RDMA devices (rdma_dev.c) and page operations
 * (rdma_page.c).  See Documentation/transport.rst.
 */
#ifndef _SSIHV_RDMA_H
#define _SSIHV_RDMA_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/scatterlist.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_cm.h>

#include "proto/wire.h"

/* Pages of the pool every connection registers (one MR). */
#define SSIHV_POOL_SERVE	256	/* fetchable test pages */
#define SSIHV_POOL_INBOX	64	/* targets of the peer's pushes */
#define SSIHV_POOL_LANDING	64	/* targets of fetch replies */
#define SSIHV_POOL_PAGES	(SSIHV_POOL_SERVE + SSIHV_POOL_INBOX + \
				 SSIHV_POOL_LANDING)

#define SSIHV_RECV_BUFS		256
#define SSIHV_SEND_BUFS		256
#define SSIHV_BUF_SIZE		256	/* bytes per message buffer */
#define SSIHV_MAX_INFLIGHT	64	/* requests per connection */
#define SSIHV_SQ_DEPTH		(2 * SSIHV_SEND_BUFS + 8)
#define SSIHV_TAGS		256	/* SSIHV_MAX_INFLIGHT + pings */

#define SSIHV_OP_TIMEOUT_MS	10000	/* a request's reply */
#define SSIHV_HB_INTERVAL_MS	1000	/* heartbeat PING */
#define SSIHV_HB_DEAD_MS	5000	/* silence that fails a link */
/*
 * How long after a node went down a home waits before it stops counting
 * it as a sharer: the node's own heartbeat has given up on us by then and
 * dropped its shared copies (Documentation/memory.rst, "Known limits").
 */
#define SSIHV_FENCE_MS		(SSIHV_HB_DEAD_MS + 2 * SSIHV_HB_INTERVAL_MS)
#define SSIHV_BACKOFF_MIN_MS	200
#define SSIHV_BACKOFF_MAX_MS	5000

struct ssihv_conn;

struct ssihv_node {
	struct kref ref;
	u32 id;
	bool active;			/* we connect (our id is lower) */
	struct sockaddr_storage addr;	/* with the port set */

	spinlock_t lock;		/* conn, state, deleted, backoff */
	struct ssihv_conn *conn;	/* current connection, if any */
	u8 state;			/* enum ssihv_node_state */
	bool deleted;
	unsigned int backoff_ms;
	unsigned long down_at;		/* jiffies: last went from up to down */
	struct delayed_work connect_work;
	struct delayed_work hb_work;
	struct work_struct lost_work;	/* kmod/lost.c, holds a reference */

	atomic64_t rtt_ns;
	atomic64_t bytes_in, bytes_out, ops_in, ops_out;
	atomic64_t errors, retries, connects, rx_bad;
	atomic64_t frames_refused;	/* its frame requests we refused */
	atomic_t last_error;
	char devname[IB_DEVICE_NAME_MAX];
};

/* One outstanding request waiting for its completion or reply. */
struct ssihv_wait {
	struct ib_cqe cqe;		/* RDMA READ / WRITE completion */
	struct completion done;
	int status;
	u32 tag;
	u8 reply_type;
	struct ssihv_wire_msg reply;
};

struct ssihv_buf {
	struct ib_cqe cqe;
	struct ssihv_conn *conn;
	u8 *data;
	u64 dma;
	unsigned int next_free;		/* send buffers: free list */
};

struct ssihv_conn {
	struct kref ref;
	struct ssihv_node *node;	/* holds a reference */
	struct rdma_cm_id *cm_id;
	struct ib_device *dev;
	struct ib_pd *pd;
	struct ib_cq *cq;
	struct ib_qp *qp;
	struct ib_mr *mr;
	struct list_head all;		/* ssihv_conns */

	spinlock_t lock;		/* posting, dying, tags, slots */
	bool dying;
	bool drained;			/* no work request in flight */
	bool established;
	bool up;			/* peer's HELLO received */
	bool connected;			/* rdma_disconnect needed */
	atomic_t failing;
	int error;
	struct work_struct fail_work;
	struct work_struct up_work;
	wait_queue_head_t wq;		/* credits, users */
	atomic_t credits;
	atomic_t users;			/* operations in progress */
	unsigned long last_rx;		/* jiffies */

	/* message buffers */
	u8 *rx_mem, *tx_mem;
	u64 rx_dma, tx_dma;
	struct ssihv_buf rx[SSIHV_RECV_BUFS];
	struct ssihv_buf tx[SSIHV_SEND_BUFS];
	unsigned int tx_free;		/* head of the free list, or ~0 */
	struct ib_cqe reg_cqe, write_cqe;

	/* the registered pool: serve (shared), inbox, landing (own) */
	struct page *pages[SSIHV_POOL_PAGES];
	u64 page_dma[SSIHV_POOL_PAGES];
	struct sg_table sgt;
	bool mapped;
	DECLARE_BITMAP(landing_busy, SSIHV_POOL_LANDING);
	DECLARE_BITMAP(rinbox_busy, SSIHV_POOL_INBOX);

	/* the peer's pool, from its HELLO */
	u64 r_addr;
	u32 r_rkey, r_serve, r_inbox, r_landing;

	struct ssihv_wait *waits[SSIHV_TAGS];
	u32 tag_gen;
};

/* rdma_conn.c */
extern unsigned short ssihv_rdma_port;
extern struct workqueue_struct *ssihv_rdma_wq;
int ssihv_conn_init(void);
void ssihv_conn_exit(void);
int ssihv_conn_listen(void);
void ssihv_conn_stop_listen(void);
int ssihv_conn_connect(struct ssihv_node *node);
void ssihv_conn_fail(struct ssihv_conn *conn, int err);
void ssihv_conn_put(struct ssihv_conn *conn);
void ssihv_conn_fail_device(struct ib_device *dev);
int ssihv_conn_send(struct ssihv_conn *conn, struct ssihv_wire_msg *msg);
int ssihv_conn_post(struct ssihv_conn *conn, const struct ib_send_wr *wr);
int ssihv_conn_begin(struct ssihv_conn *conn);
void ssihv_conn_end(struct ssihv_conn *conn);
int ssihv_conn_tag_add(struct ssihv_conn *conn, struct ssihv_wait *wait,
		       u8 reply_type);
void ssihv_conn_tag_del(struct ssihv_conn *conn, struct ssihv_wait *wait);
int ssihv_conn_wait(struct ssihv_conn *conn, struct ssihv_wait *wait);
int ssihv_conn_call(struct ssihv_conn *conn, struct ssihv_wire_msg *req,
		    struct ssihv_wait *wait, u8 reply_type);
int ssihv_conn_enter(struct ssihv_conn *conn);
void ssihv_conn_leave(struct ssihv_conn *conn);

/* rdma_page.c */
int ssihv_page_pool_init(void);
void ssihv_page_pool_exit(void);
struct page *ssihv_serve_page(unsigned int i);
u32 ssihv_serve_csum(unsigned int i);
void ssihv_page_handle_req(struct ssihv_conn *conn,
			   const struct ssihv_wire_msg *msg);
int ssihv_page_fetch(struct ssihv_node *node, u64 pgno, struct page *dst,
		     bool one_sided);
int ssihv_page_fetch_many(struct ssihv_node *node, const u64 *pgno,
			  struct page **dst, unsigned int n);
int ssihv_page_push(struct ssihv_node *node, struct page *src, u64 key,
		    u32 csum);

/* rdma_page.c: guest frames moving between nodes (frame.c decides) */
int ssihv_frame_wq_init(void);
bool ssihv_frame_queue_work(struct work_struct *work);

/* lost.c: what a node that went down took with it. */
void ssihv_lost_init(struct ssihv_node *node);
void ssihv_frames_node_down(struct ssihv_node *node);
void ssihv_frame_wq_exit(void);
void ssihv_frame_queue_req(struct ssihv_conn *conn,
			   const struct ssihv_wire_msg *msg);
int ssihv_node_fence(u32 node_id);
int ssihv_frame_put(u32 node_id, u64 vm_id, u64 gfn, struct page *src);
void ssihv_inbox_copy(struct ssihv_conn *conn, u32 slot, struct page *dst);
int ssihv_frame_fetch(u32 node_id, u64 vm_id, u64 gfn, u8 access,
		      struct page *dst);
int ssihv_frame_give(struct ssihv_conn *conn, struct page *page, u32 slot,
		     u32 tag, int status);
int ssihv_frame_reply(struct ssihv_conn *conn, u32 tag, int status,
		      u32 csum);

struct ssihv_xfer_result {
	u64 ok, failed, bad_csum, ns;
	u64 lat_median, lat_p99, lat_p999;
	int first_errno;
};

int ssihv_xfer_test(struct ssihv_node *node, u8 op, u32 count, u32 threads,
		    u32 batch, struct ssihv_xfer_result *res);

/* node.c */
int ssihv_node_init(void);
void ssihv_node_exit(void);
int ssihv_node_add(u32 id, const struct sockaddr_storage *addr);
int ssihv_node_del(u32 id);
struct ssihv_node *ssihv_node_get(u32 id);
struct ssihv_node *ssihv_node_get_next(u32 *pos);
void ssihv_node_put(struct ssihv_node *node);
struct ssihv_conn *ssihv_node_conn(struct ssihv_node *node);
struct ssihv_conn *ssihv_node_conn_begin(struct ssihv_node *node, int *err);
void ssihv_node_conn_up(struct ssihv_node *node, struct ssihv_conn *conn);
void ssihv_node_conn_down(struct ssihv_node *node, struct ssihv_conn *conn,
			  int err);
int ssihv_node_ping(struct ssihv_node *node, u64 *rtt_ns);
void ssihv_node_error(struct ssihv_node *node, int err);

/* events.c-style notifications, in genl_node.c */
void ssihv_event_node(u8 cmd, u32 id, int err);

#endif /* _SSIHV_RDMA_H */
