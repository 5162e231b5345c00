// SPDX-License-Identifier: GPL-2.0
/*
 * RDMA connections: the rdma_cm listener, active and passive connection
 * set-up, one RC QP per connection with pre-posted receive buffers, the
 * registered page pool, message SENDs, request tags, and tear-down.
 *
 * Life of a connection: created by node.c (active side) or by a
 * CONNECT_REQUEST on the listener (passive side) and attached to its node.
 * Every failure (a cm event, a bad completion, a timeout, node deletion,
 * device removal) goes through ssihv_conn_fail(), which queues the one
 * tear-down work: it detaches the connection from its node, destroys the
 * cm_id (after which no cm handler runs), drains the QP (every posted work
 * request completes, flushed), fails every request still waiting for a
 * reply, waits for operations in progress to leave, and frees the verbs
 * objects.  The memory goes with the last reference.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <rdma/ib_verbs.h>
#include <rdma/rdma_cm.h>
#include <uapi/linux/ssihv.h>

#include "rdma.h"
#include "ssihv.h"

unsigned short ssihv_rdma_port = 18515 + 85;
module_param_named(rdma_port, ssihv_rdma_port, ushort, 0444);
MODULE_PARM_DESC(rdma_port, "rdma_cm port of the transport (default 18600)");

/* RC transport timeout 4.096 us * 2^16 = 268 ms, 7 retries: ~2 s. */
#define SSIHV_ACK_TIMEOUT	16
#define SSIHV_RESOLVE_MS	2000

struct workqueue_struct *ssihv_rdma_wq;
static struct rdma_cm_id *ssihv_listen_id;
static LIST_HEAD(ssihv_conns);
static DEFINE_SPINLOCK(ssihv_conns_lock);

static int ssihv_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev);

static void ssihv_conn_release(struct kref *ref)
{
	struct ssihv_conn *conn = container_of(ref, struct ssihv_conn, ref);
	int i;

	for (i = SSIHV_POOL_SERVE; i < SSIHV_POOL_PAGES; i++)
		if (conn->pages[i])
			__free_page(conn->pages[i]);
	sg_free_table(&conn->sgt);
	kfree(conn->rx_mem);
	kfree(conn->tx_mem);
	ssihv_node_put(conn->node);
	kvfree(conn);
}

void ssihv_conn_put(struct ssihv_conn *conn)
{
	kref_put(&conn->ref, ssihv_conn_release);
}

static void ssihv_conn_fail_work(struct work_struct *work);

static void ssihv_conn_up_work(struct work_struct *work)
{
	struct ssihv_conn *conn = container_of(work, struct ssihv_conn,
					       up_work);

	ssihv_node_conn_up(conn->node, conn);
	ssihv_conn_put(conn);
}

static struct ssihv_conn *ssihv_conn_alloc(struct ssihv_node *node)
{
	struct ssihv_conn *conn;

	conn = kvzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return NULL;
	kref_init(&conn->ref);
	kref_get(&node->ref);
	conn->node = node;
	spin_lock_init(&conn->lock);
	INIT_WORK(&conn->fail_work, ssihv_conn_fail_work);
	INIT_WORK(&conn->up_work, ssihv_conn_up_work);
	init_waitqueue_head(&conn->wq);
	atomic_set(&conn->credits, SSIHV_MAX_INFLIGHT);
	conn->tx_free = ~0U;
	conn->last_rx = jiffies;
	spin_lock(&ssihv_conns_lock);
	list_add(&conn->all, &ssihv_conns);
	spin_unlock(&ssihv_conns_lock);
	return conn;
}

void ssihv_conn_fail(struct ssihv_conn *conn, int err)
{
	if (atomic_xchg(&conn->failing, 1))
		return;
	conn->error = err;
	kref_get(&conn->ref);
	queue_work(ssihv_rdma_wq, &conn->fail_work);
}

/* ---- posting ------------------------------------------------------- */

int ssihv_conn_post(struct ssihv_conn *conn, const struct ib_send_wr *wr)
{
	int ret;

	spin_lock_bh(&conn->lock);
	if (conn->dying || !conn->established)
		ret = -ENOTCONN;
	else
		ret = ib_post_send(conn->qp, wr, NULL);
	spin_unlock_bh(&conn->lock);
	return ret;
}

int ssihv_conn_send(struct ssihv_conn *conn, struct ssihv_wire_msg *msg)
{
	struct ib_send_wr wr = {};
	struct ib_sge sge;
	struct ssihv_buf *buf;
	unsigned int len;
	int ret;

	msg->src = (u16)ssihv_config_node_id();
	spin_lock_bh(&conn->lock);
	if (conn->dying || !conn->established) {
		ret = -ENOTCONN;
		goto out;
	}
	if (conn->tx_free == ~0U) {
		ret = -ENOBUFS;
		goto out;
	}
	buf = &conn->tx[conn->tx_free];
	len = ssihv_wire_encode(msg, buf->data, SSIHV_BUF_SIZE);
	if (!len) {
		ret = -EINVAL;
		goto out;
	}
	conn->tx_free = buf->next_free;
	ib_dma_sync_single_for_device(conn->dev, buf->dma, len, DMA_TO_DEVICE);
	sge.addr = buf->dma;
	sge.length = len;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr_cqe = &buf->cqe;
	wr.opcode = IB_WR_SEND;
	wr.send_flags = IB_SEND_SIGNALED;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	ret = ib_post_send(conn->qp, &wr, NULL);
	if (ret) {
		buf->next_free = conn->tx_free;
		conn->tx_free = buf - conn->tx;
	}
out:
	spin_unlock_bh(&conn->lock);
	return ret;
}

static void ssihv_send_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct ssihv_buf *buf = container_of(wc->wr_cqe, struct ssihv_buf,
					     cqe);
	struct ssihv_conn *conn = buf->conn;

	spin_lock_bh(&conn->lock);
	buf->next_free = conn->tx_free;
	conn->tx_free = buf - conn->tx;
	spin_unlock_bh(&conn->lock);
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		ssihv_conn_fail(conn, -EIO);
}

/* Completions of unsignaled work requests arrive only on errors. */
static void ssihv_quiet_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct ssihv_conn *conn = cq->cq_context;

	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR) {
		pr_warn_ratelimited("ssihv: node %u: work request failed: %s\n",
				    conn->node->id,
				    ib_wc_status_msg(wc->status));
		ssihv_conn_fail(conn, -EIO);
	}
}

static int ssihv_post_recv(struct ssihv_conn *conn, struct ssihv_buf *buf)
{
	struct ib_recv_wr wr = {};
	struct ib_sge sge;

	sge.addr = buf->dma;
	sge.length = SSIHV_BUF_SIZE;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr_cqe = &buf->cqe;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	return ib_post_recv(conn->qp, &wr, NULL);
}

/* ---- request tags -------------------------------------------------- */

int ssihv_conn_begin(struct ssihv_conn *conn)
{
	bool got = false;

	atomic_inc(&conn->users);
	/* Pairs with the barrier after setting dying in the tear-down. */
	smp_mb__after_atomic();
	wait_event_timeout(conn->wq,
			   (got = atomic_add_unless(&conn->credits, -1, 0)) ||
			   READ_ONCE(conn->dying),
			   msecs_to_jiffies(SSIHV_OP_TIMEOUT_MS));
	if (got && !READ_ONCE(conn->dying))
		return 0;
	if (got)
		atomic_inc(&conn->credits);
	if (atomic_dec_and_test(&conn->users))
		wake_up_all(&conn->wq);
	return READ_ONCE(conn->dying) ? -ENOTCONN : -EBUSY;
}

void ssihv_conn_end(struct ssihv_conn *conn)
{
	atomic_inc(&conn->credits);
	atomic_dec(&conn->users);
	wake_up_all(&conn->wq);
}

/*
 * Like ssihv_conn_begin() without a credit: for the handlers of the peer's
 * requests, which the peer's credits already bound.  Tear-down waits for
 * the connection's users after it has failed every waiting request.
 */
int ssihv_conn_enter(struct ssihv_conn *conn)
{
	atomic_inc(&conn->users);
	/* Pairs with the barrier after setting dying in the tear-down. */
	smp_mb__after_atomic();
	if (!READ_ONCE(conn->dying))
		return 0;
	if (atomic_dec_and_test(&conn->users))
		wake_up_all(&conn->wq);
	return -ENOTCONN;
}

void ssihv_conn_leave(struct ssihv_conn *conn)
{
	atomic_dec(&conn->users);
	wake_up_all(&conn->wq);
}

int ssihv_conn_tag_add(struct ssihv_conn *conn, struct ssihv_wait *wait,
		       u8 reply_type)
{
	unsigned int i, idx;
	int ret = -EBUSY;

	spin_lock_bh(&conn->lock);
	if (conn->dying) {
		ret = -ENOTCONN;
		goto out;
	}
	for (i = 0; i < SSIHV_TAGS; i++) {
		idx = (conn->tag_gen + i) % SSIHV_TAGS;
		if (conn->waits[idx])
			continue;
		conn->tag_gen++;
		wait->tag = ((conn->tag_gen % 0xffffffU) + 1) << 8 | idx;
		wait->reply_type = reply_type;
		conn->waits[idx] = wait;
		ret = 0;
		break;
	}
out:
	spin_unlock_bh(&conn->lock);
	return ret;
}

void ssihv_conn_tag_del(struct ssihv_conn *conn, struct ssihv_wait *wait)
{
	unsigned int idx = wait->tag % SSIHV_TAGS;

	spin_lock_bh(&conn->lock);
	if (conn->waits[idx] == wait)
		conn->waits[idx] = NULL;
	spin_unlock_bh(&conn->lock);
}

static void ssihv_conn_complete(struct ssihv_conn *conn,
				const struct ssihv_wire_msg *msg)
{
	unsigned int idx = msg->tag % SSIHV_TAGS;
	struct ssihv_wait *wait;

	spin_lock_bh(&conn->lock);
	wait = conn->waits[idx];
	if (wait && wait->tag == msg->tag && wait->reply_type == msg->type) {
		conn->waits[idx] = NULL;
		wait->reply = *msg;
		wait->status = 0;
		complete(&wait->done);
	} else {
		wait = NULL;
	}
	spin_unlock_bh(&conn->lock);
	if (!wait) {
		atomic64_inc(&conn->node->rx_bad);
		pr_warn_ratelimited("ssihv: node %u: reply with unknown tag %#x\n",
				    conn->node->id, msg->tag);
	}
}

static void ssihv_conn_fail_tags(struct ssihv_conn *conn)
{
	unsigned int i;

	spin_lock_bh(&conn->lock);
	for (i = 0; i < SSIHV_TAGS; i++) {
		struct ssihv_wait *wait = conn->waits[i];

		if (!wait)
			continue;
		conn->waits[i] = NULL;
		wait->status = -ECONNRESET;
		complete(&wait->done);
	}
	spin_unlock_bh(&conn->lock);
}

/*
 * Wait for a request's completion or reply.  A request that takes too long
 * fails the whole connection; tear-down then completes it (flushed work
 * requests, failed tags), so this never waits forever.
 */
int ssihv_conn_wait(struct ssihv_conn *conn, struct ssihv_wait *wait)
{
	if (!wait_for_completion_timeout(&wait->done,
					 msecs_to_jiffies(SSIHV_OP_TIMEOUT_MS))) {
		pr_warn_ratelimited("ssihv: node %u: request timed out\n",
				    conn->node->id);
		ssihv_conn_fail(conn, -ETIMEDOUT);
		wait_for_completion(&wait->done);
		if (!wait->status)
			return 0;
		return -ETIMEDOUT;
	}
	return wait->status;
}

/*
 * Send request @req with a new tag and wait for its reply of @reply_type
 * (in @wait->reply).  Returns 0, or a negative errno: the tag is free
 * again either way.  Bounded like ssihv_conn_wait().
 */
int ssihv_conn_call(struct ssihv_conn *conn, struct ssihv_wire_msg *req,
		    struct ssihv_wait *wait, u8 reply_type)
{
	int ret;

	init_completion(&wait->done);
	ret = ssihv_conn_tag_add(conn, wait, reply_type);
	if (ret)
		return ret;
	req->tag = wait->tag;
	ret = ssihv_conn_send(conn, req);
	if (ret) {
		ssihv_conn_tag_del(conn, wait);
		return ret;
	}
	return ssihv_conn_wait(conn, wait);
}

/* ---- receiving ----------------------------------------------------- */

static void ssihv_conn_dispatch(struct ssihv_conn *conn,
				const struct ssihv_wire_msg *msg)
{
	struct ssihv_node *node = conn->node;
	struct ssihv_wire_msg reply = {};
	u64 now;

	switch (msg->type) {
	case SSIHV_MSG_HELLO:
		spin_lock_bh(&conn->lock);
		if (conn->r_serve) {
			spin_unlock_bh(&conn->lock);
			atomic64_inc(&node->rx_bad);
			return;
		}
		conn->r_addr = msg->hello.pool_addr;
		conn->r_rkey = msg->hello.rkey;
		conn->r_serve = msg->hello.serve_pages;
		conn->r_inbox = msg->hello.inbox_pages;
		conn->r_landing = msg->hello.landing_pages;
		spin_unlock_bh(&conn->lock);
		kref_get(&conn->ref);
		if (!queue_work(ssihv_rdma_wq, &conn->up_work))
			ssihv_conn_put(conn);
		break;
	case SSIHV_MSG_PING:
		reply.type = SSIHV_MSG_PONG;
		reply.tag = msg->tag;
		reply.ping.stamp = msg->ping.stamp;
		if (ssihv_conn_send(conn, &reply))
			atomic64_inc(&node->errors);
		break;
	case SSIHV_MSG_PONG:
		if (msg->tag) {
			ssihv_conn_complete(conn, msg);
			break;
		}
		now = ktime_get_ns();
		if (msg->ping.stamp <= now &&
		    now - msg->ping.stamp < 60ULL * NSEC_PER_SEC)
			atomic64_set(&node->rtt_ns, now - msg->ping.stamp);
		break;
	case SSIHV_MSG_FETCH_REQ:
	case SSIHV_MSG_PUSH:
		ssihv_page_handle_req(conn, msg);
		break;
	case SSIHV_MSG_FRAME_REQ:
		/* Needs locks and RDMA round trips: not in this softirq. */
		ssihv_frame_queue_req(conn, msg);
		break;
	case SSIHV_MSG_FETCH_REP:
	case SSIHV_MSG_PUSH_ACK:
	case SSIHV_MSG_FRAME_REP:
		ssihv_conn_complete(conn, msg);
		break;
	case SSIHV_MSG_DATA:
		atomic64_inc(&node->ops_in);
		break;
	}
}

static void ssihv_recv_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct ssihv_buf *buf = container_of(wc->wr_cqe, struct ssihv_buf,
					     cqe);
	struct ssihv_conn *conn = buf->conn;
	struct ssihv_node *node = conn->node;
	struct ssihv_wire_limits lim;
	struct ssihv_wire_msg msg;
	int err;

	if (wc->status != IB_WC_SUCCESS) {
		if (wc->status != IB_WC_WR_FLUSH_ERR) {
			pr_warn_ratelimited("ssihv: node %u: receive failed: %s\n",
					    node->id,
					    ib_wc_status_msg(wc->status));
			atomic64_inc(&node->rx_bad);
			ssihv_conn_fail(conn, -EIO);
		}
		return;
	}
	WRITE_ONCE(conn->last_rx, jiffies);
	ib_dma_sync_single_for_cpu(conn->dev, buf->dma, SSIHV_BUF_SIZE,
				   DMA_FROM_DEVICE);

	spin_lock_bh(&conn->lock);
	lim.peer = (u16)node->id;
	lim.serve_pages = SSIHV_POOL_SERVE;
	lim.inbox_pages = SSIHV_POOL_INBOX;
	lim.my_landing_pages = SSIHV_POOL_LANDING;
	lim.peer_landing_pages = conn->r_landing;
	spin_unlock_bh(&conn->lock);

	if (wc->opcode != IB_WC_RECV || (wc->wc_flags & IB_WC_WITH_IMM) ||
	    wc->byte_len > SSIHV_BUF_SIZE)
		err = SSIHV_WIRE_ETYPE;
	else
		err = ssihv_wire_decode(buf->data, wc->byte_len, &lim, &msg);
	if (err) {
		atomic64_inc(&node->rx_bad);
		pr_warn_ratelimited("ssihv: node %u: message rejected: %s\n",
				    node->id, ssihv_wire_err_str(err));
	} else {
		ssihv_conn_dispatch(conn, &msg);
	}

	ib_dma_sync_single_for_device(conn->dev, buf->dma, SSIHV_BUF_SIZE,
				      DMA_FROM_DEVICE);
	spin_lock_bh(&conn->lock);
	err = conn->dying ? 0 : ssihv_post_recv(conn, buf);
	spin_unlock_bh(&conn->lock);
	if (err)
		ssihv_conn_fail(conn, err);
}

/* ---- verbs objects ------------------------------------------------- */

static void ssihv_qp_event(struct ib_event *ev, void *ctx)
{
	struct ssihv_conn *conn = ctx;

	switch (ev->event) {
	case IB_EVENT_COMM_EST:
		break;
	default:
		pr_warn("ssihv: node %u: QP event %s\n", conn->node->id,
			ib_event_msg(ev->event));
		ssihv_conn_fail(conn, -EIO);
	}
}

static void ssihv_conn_free_ib(struct ssihv_conn *conn)
{
	int i;

	if (conn->mr)
		ib_dereg_mr(conn->mr);
	conn->mr = NULL;
	if (conn->qp)
		ib_destroy_qp(conn->qp);
	conn->qp = NULL;
	if (conn->cq)
		ib_free_cq(conn->cq);
	conn->cq = NULL;
	for (i = 0; i < SSIHV_POOL_PAGES; i++) {
		if (conn->page_dma[i])
			ib_dma_unmap_page(conn->dev, conn->page_dma[i],
					  PAGE_SIZE, DMA_BIDIRECTIONAL);
		conn->page_dma[i] = 0;
	}
	if (conn->rx_dma)
		ib_dma_unmap_single(conn->dev, conn->rx_dma,
				    SSIHV_RECV_BUFS * SSIHV_BUF_SIZE,
				    DMA_FROM_DEVICE);
	conn->rx_dma = 0;
	if (conn->tx_dma)
		ib_dma_unmap_single(conn->dev, conn->tx_dma,
				    SSIHV_SEND_BUFS * SSIHV_BUF_SIZE,
				    DMA_TO_DEVICE);
	conn->tx_dma = 0;
	if (conn->pd)
		ib_dealloc_pd(conn->pd);
	conn->pd = NULL;
}

static int ssihv_conn_map_pool(struct ssihv_conn *conn)
{
	struct scatterlist *sg;
	int i, n;

	for (i = 0; i < SSIHV_POOL_PAGES; i++) {
		if (i < SSIHV_POOL_SERVE)
			conn->pages[i] = ssihv_serve_page(i);
		else
			conn->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!conn->pages[i])
			return -ENOMEM;
		conn->page_dma[i] = ib_dma_map_page(conn->dev, conn->pages[i],
						    0, PAGE_SIZE,
						    DMA_BIDIRECTIONAL);
		if (ib_dma_mapping_error(conn->dev, conn->page_dma[i])) {
			conn->page_dma[i] = 0;
			return -ENOMEM;
		}
	}
	if (sg_alloc_table(&conn->sgt, SSIHV_POOL_PAGES, GFP_KERNEL))
		return -ENOMEM;
	for_each_sg(conn->sgt.sgl, sg, SSIHV_POOL_PAGES, i) {
		sg_set_page(sg, conn->pages[i], PAGE_SIZE, 0);
		sg_dma_address(sg) = conn->page_dma[i];
		sg_dma_len(sg) = PAGE_SIZE;
	}
	conn->mr = ib_alloc_mr(conn->pd, IB_MR_TYPE_MEM_REG, SSIHV_POOL_PAGES);
	if (IS_ERR(conn->mr)) {
		n = PTR_ERR(conn->mr);
		conn->mr = NULL;
		return n;
	}
	n = ib_map_mr_sg(conn->mr, conn->sgt.sgl, SSIHV_POOL_PAGES, NULL,
			 PAGE_SIZE);
	return n == SSIHV_POOL_PAGES ? 0 : -EINVAL;
}

static int ssihv_conn_setup_ib(struct ssihv_conn *conn)
{
	struct ib_device *dev = conn->cm_id->device;
	struct ib_qp_init_attr qpa = {};
	int i, ret;

	conn->dev = dev;
	if (dev->attrs.max_fast_reg_page_list_len < SSIHV_POOL_PAGES)
		return -EOPNOTSUPP;
	conn->pd = ib_alloc_pd(dev, 0);
	if (IS_ERR(conn->pd)) {
		ret = PTR_ERR(conn->pd);
		conn->pd = NULL;
		return ret;
	}
	conn->cq = ib_alloc_cq(dev, conn, SSIHV_SQ_DEPTH + SSIHV_RECV_BUFS + 8,
			       0, IB_POLL_SOFTIRQ);
	if (IS_ERR(conn->cq)) {
		ret = PTR_ERR(conn->cq);
		conn->cq = NULL;
		return ret;
	}
	qpa.event_handler = ssihv_qp_event;
	qpa.qp_context = conn;
	qpa.send_cq = conn->cq;
	qpa.recv_cq = conn->cq;
	qpa.cap.max_send_wr = SSIHV_SQ_DEPTH + 1;	/* + drain */
	qpa.cap.max_recv_wr = SSIHV_RECV_BUFS + 1;
	qpa.cap.max_send_sge = 1;
	qpa.cap.max_recv_sge = 1;
	qpa.sq_sig_type = IB_SIGNAL_REQ_WR;
	qpa.qp_type = IB_QPT_RC;
	ret = rdma_create_qp(conn->cm_id, conn->pd, &qpa);
	if (ret)
		return ret;
	conn->qp = conn->cm_id->qp;

	conn->rx_mem = kzalloc(SSIHV_RECV_BUFS * SSIHV_BUF_SIZE, GFP_KERNEL);
	conn->tx_mem = kzalloc(SSIHV_SEND_BUFS * SSIHV_BUF_SIZE, GFP_KERNEL);
	if (!conn->rx_mem || !conn->tx_mem)
		return -ENOMEM;
	conn->rx_dma = ib_dma_map_single(dev, conn->rx_mem,
					 SSIHV_RECV_BUFS * SSIHV_BUF_SIZE,
					 DMA_FROM_DEVICE);
	if (ib_dma_mapping_error(dev, conn->rx_dma)) {
		conn->rx_dma = 0;
		return -ENOMEM;
	}
	conn->tx_dma = ib_dma_map_single(dev, conn->tx_mem,
					 SSIHV_SEND_BUFS * SSIHV_BUF_SIZE,
					 DMA_TO_DEVICE);
	if (ib_dma_mapping_error(dev, conn->tx_dma)) {
		conn->tx_dma = 0;
		return -ENOMEM;
	}
	for (i = 0; i < SSIHV_SEND_BUFS; i++) {
		struct ssihv_buf *buf = &conn->tx[i];

		buf->conn = conn;
		buf->cqe.done = ssihv_send_done;
		buf->data = conn->tx_mem + i * SSIHV_BUF_SIZE;
		buf->dma = conn->tx_dma + i * SSIHV_BUF_SIZE;
		buf->next_free = conn->tx_free;
		conn->tx_free = i;
	}
	conn->reg_cqe.done = ssihv_quiet_done;
	conn->write_cqe.done = ssihv_quiet_done;

	ret = ssihv_conn_map_pool(conn);
	if (ret)
		return ret;

	for (i = 0; i < SSIHV_RECV_BUFS; i++) {
		struct ssihv_buf *buf = &conn->rx[i];

		buf->conn = conn;
		buf->cqe.done = ssihv_recv_done;
		buf->data = conn->rx_mem + i * SSIHV_BUF_SIZE;
		buf->dma = conn->rx_dma + i * SSIHV_BUF_SIZE;
		ret = ssihv_post_recv(conn, buf);
		if (ret)
			return ret;
	}
	return 0;
}

/* Established: register the pool (REG_MR), then tell the peer (HELLO). */
static int ssihv_conn_start(struct ssihv_conn *conn)
{
	struct ssihv_wire_msg hello = { .type = SSIHV_MSG_HELLO };
	struct ib_reg_wr reg = {};
	int ret;

	spin_lock_bh(&conn->lock);
	conn->established = true;
	conn->connected = true;
	spin_unlock_bh(&conn->lock);
	WRITE_ONCE(conn->last_rx, jiffies);

	reg.wr.opcode = IB_WR_REG_MR;
	reg.wr.wr_cqe = &conn->reg_cqe;
	reg.mr = conn->mr;
	reg.key = conn->mr->rkey;
	reg.access = IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_READ |
		     IB_ACCESS_REMOTE_WRITE;
	ret = ssihv_conn_post(conn, &reg.wr);
	if (ret)
		return ret;
	hello.hello.pool_addr = conn->mr->iova;
	hello.hello.rkey = conn->mr->rkey;
	hello.hello.serve_pages = SSIHV_POOL_SERVE;
	hello.hello.inbox_pages = SSIHV_POOL_INBOX;
	hello.hello.landing_pages = SSIHV_POOL_LANDING;
	return ssihv_conn_send(conn, &hello);
}

static void ssihv_conn_param(struct ssihv_conn *conn,
			     struct rdma_conn_param *param, u8 *pdata)
{
	struct ib_device_attr *attrs = &conn->dev->attrs;

	memset(param, 0, sizeof(*param));
	ssihv_wire_cm_encode(pdata, (u16)ssihv_config_node_id(),
			     (u16)conn->node->id);
	param->private_data = pdata;
	param->private_data_len = SSIHV_WIRE_CM_LEN;
	param->responder_resources = min(attrs->max_qp_rd_atom, 16);
	param->initiator_depth = min(attrs->max_qp_init_rd_atom, 16);
	param->retry_count = 7;
	param->rnr_retry_count = 6;
	param->flow_control = 1;
}

/* ---- active side --------------------------------------------------- */

int ssihv_conn_connect(struct ssihv_node *node)
{
	struct rdma_cm_id *id;
	struct ssihv_conn *conn;
	int ret;

	conn = ssihv_conn_alloc(node);
	if (!conn)
		return -ENOMEM;
	id = rdma_create_id(&init_net, ssihv_cm_handler, conn, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id)) {
		spin_lock(&ssihv_conns_lock);
		list_del(&conn->all);
		spin_unlock(&ssihv_conns_lock);
		ssihv_conn_put(conn);
		return PTR_ERR(id);
	}
	conn->cm_id = id;
	rdma_set_ack_timeout(id, SSIHV_ACK_TIMEOUT);

	spin_lock_bh(&node->lock);
	if (node->deleted || node->conn) {
		spin_unlock_bh(&node->lock);
		/* The tear-down work destroys the id. */
		ssihv_conn_fail(conn, -ECANCELED);
		return -ECANCELED;
	}
	node->conn = conn;
	node->state = SSIHV_NODE_CONNECTING;
	spin_unlock_bh(&node->lock);

	ret = rdma_resolve_addr(id, NULL, (struct sockaddr *)&node->addr,
				SSIHV_RESOLVE_MS);
	if (ret)
		ssihv_conn_fail(conn, ret);
	return 0;
}

static int ssihv_conn_route_resolved(struct ssihv_conn *conn)
{
	struct rdma_conn_param param;
	u8 pdata[SSIHV_WIRE_CM_LEN];
	int ret;

	ret = ssihv_conn_setup_ib(conn);
	if (ret)
		return ret;
	ssihv_conn_param(conn, &param, pdata);
	return rdma_connect_locked(conn->cm_id, &param);
}

/* ---- passive side -------------------------------------------------- */

static bool ssihv_addr_match(const struct sockaddr *a,
			     const struct sockaddr_storage *node_addr)
{
	const struct sockaddr *b = (const struct sockaddr *)node_addr;
	const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
	const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

	if (a->sa_family == AF_INET && b->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
			b4->sin_addr.s_addr;
	if (a->sa_family == AF_INET6 && b->sa_family == AF_INET6)
		return ipv6_addr_equal(&a6->sin6_addr,
				       &((const struct sockaddr_in6 *)b)->sin6_addr);
	if (a->sa_family == AF_INET6 && b->sa_family == AF_INET)
		return ipv6_addr_v4mapped(&a6->sin6_addr) &&
			a6->sin6_addr.s6_addr32[3] == b4->sin_addr.s_addr;
	return false;
}

/* Undo a half-built passive connection; cma destroys the id after. */
static void ssihv_conn_abort(struct ssihv_conn *conn)
{
	if (conn->qp) {
		rdma_destroy_qp(conn->cm_id);
		conn->qp = NULL;
	}
	ssihv_conn_free_ib(conn);
	spin_lock(&ssihv_conns_lock);
	list_del(&conn->all);
	spin_unlock(&ssihv_conns_lock);
	ssihv_conn_put(conn);
}

static atomic64_t ssihv_rejected;

static int ssihv_conn_accept(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct rdma_conn_param param;
	struct ssihv_conn *conn, *old;
	struct ssihv_node *node;
	u8 pdata[SSIHV_WIRE_CM_LEN];
	u16 src, dst;
	int ret;

	ret = ssihv_wire_cm_decode(ev->param.conn.private_data,
				   ev->param.conn.private_data_len, &src, &dst);
	if (ret || dst != ssihv_config_node_id()) {
		atomic64_inc(&ssihv_rejected);
		pr_warn_ratelimited("ssihv: connection request rejected: %s\n",
				    ret ? ssihv_wire_err_str(ret) :
				    "not for this node");
		return -EINVAL;
	}
	node = ssihv_node_get(src);
	if (!node || node->active ||
	    !ssihv_addr_match((struct sockaddr *)&id->route.addr.dst_addr,
			      &node->addr)) {
		atomic64_inc(&ssihv_rejected);
		pr_warn_ratelimited("ssihv: connection request from node %u rejected: %s\n",
				    src, !node ? "unknown node" :
				    node->active ? "this node connects to it" :
				    "address mismatch");
		if (node)
			ssihv_node_put(node);
		return -EINVAL;
	}

	conn = ssihv_conn_alloc(node);
	if (!conn) {
		ssihv_node_put(node);
		return -ENOMEM;
	}
	conn->cm_id = id;
	id->context = conn;
	rdma_set_ack_timeout(id, SSIHV_ACK_TIMEOUT);
	ret = ssihv_conn_setup_ib(conn);
	if (ret)
		goto abort;

	spin_lock_bh(&node->lock);
	if (node->deleted) {
		spin_unlock_bh(&node->lock);
		ret = -ENOENT;
		goto abort;
	}
	old = node->conn;
	if (old)
		kref_get(&old->ref);
	node->conn = conn;
	node->state = SSIHV_NODE_CONNECTING;
	spin_unlock_bh(&node->lock);
	if (old) {
		/* The peer came back before we noticed it was gone. */
		ssihv_conn_fail(old, -ECONNRESET);
		ssihv_conn_put(old);
	}

	ssihv_conn_param(conn, &param, pdata);
	param.responder_resources = min_t(u32, param.responder_resources,
					  ev->param.conn.initiator_depth);
	param.initiator_depth = min_t(u32, param.initiator_depth,
				      ev->param.conn.responder_resources);
	ret = rdma_accept(id, &param);
	if (ret)
		ssihv_conn_fail(conn, ret);
	ssihv_node_put(node);
	return 0;

abort:
	pr_warn("ssihv: node %u: cannot accept its connection: %d\n", src,
		ret);
	ssihv_node_error(node, ret);
	ssihv_conn_abort(conn);
	ssihv_node_put(node);
	return ret;
}

/* ---- the cm handler ------------------------------------------------ */

static int ssihv_cm_handler(struct rdma_cm_id *id, struct rdma_cm_event *ev)
{
	struct ssihv_conn *conn = id->context;
	int ret = 0;

	if (ev->event == RDMA_CM_EVENT_CONNECT_REQUEST)
		return ssihv_conn_accept(id, ev);
	if (!conn)
		return 0;

	switch (ev->event) {
	case RDMA_CM_EVENT_ADDR_RESOLVED:
		ret = rdma_resolve_route(id, SSIHV_RESOLVE_MS);
		break;
	case RDMA_CM_EVENT_ROUTE_RESOLVED:
		ret = ssihv_conn_route_resolved(conn);
		break;
	case RDMA_CM_EVENT_ESTABLISHED:
		ret = ssihv_conn_start(conn);
		break;
	case RDMA_CM_EVENT_REJECTED:
		ret = -ECONNREFUSED;
		break;
	case RDMA_CM_EVENT_ADDR_ERROR:
	case RDMA_CM_EVENT_ROUTE_ERROR:
	case RDMA_CM_EVENT_UNREACHABLE:
		ret = -EHOSTUNREACH;
		break;
	case RDMA_CM_EVENT_CONNECT_ERROR:
		ret = -ECONNABORTED;
		break;
	case RDMA_CM_EVENT_DEVICE_REMOVAL:
		ret = -ENODEV;
		break;
	case RDMA_CM_EVENT_DISCONNECTED:
	case RDMA_CM_EVENT_ADDR_CHANGE:
	case RDMA_CM_EVENT_TIMEWAIT_EXIT:
		ret = -ECONNRESET;
		break;
	default:
		break;
	}
	if (ret) {
		if (ev->event != RDMA_CM_EVENT_DISCONNECTED &&
		    ev->event != RDMA_CM_EVENT_TIMEWAIT_EXIT)
			pr_info("ssihv: node %u: %s (%d)\n", conn->node->id,
				rdma_event_msg(ev->event), ev->status);
		ssihv_conn_fail(conn, ret);
	}
	/* The tear-down work destroys the id, never this handler. */
	return 0;
}

/* ---- tear-down ----------------------------------------------------- */

static void ssihv_conn_fail_work(struct work_struct *work)
{
	struct ssihv_conn *conn = container_of(work, struct ssihv_conn,
					       fail_work);

	spin_lock_bh(&conn->lock);
	conn->dying = true;
	spin_unlock_bh(&conn->lock);
	/* An operation either sees dying or is counted in users. */
	smp_mb();
	wake_up_all(&conn->wq);

	ssihv_node_conn_down(conn->node, conn, conn->error);
	if (conn->cm_id) {
		if (conn->connected)
			rdma_disconnect(conn->cm_id);
		rdma_destroy_id(conn->cm_id);
		conn->cm_id = NULL;
	}
	if (conn->qp)
		ib_drain_qp(conn->qp);
	WRITE_ONCE(conn->drained, true);
	wake_up_all(&conn->wq);
	ssihv_conn_fail_tags(conn);
	wait_event(conn->wq, !atomic_read(&conn->users));
	if (cancel_work_sync(&conn->up_work))
		ssihv_conn_put(conn);
	ssihv_conn_free_ib(conn);

	spin_lock(&ssihv_conns_lock);
	list_del(&conn->all);
	spin_unlock(&ssihv_conns_lock);
	ssihv_conn_put(conn);	/* this work's reference */
	ssihv_conn_put(conn);	/* the connection's own */
}

/* Fail every connection on dev (NULL: all) and wait until they are gone. */
void ssihv_conn_fail_device(struct ib_device *dev)
{
	struct ssihv_conn *conn;

	spin_lock(&ssihv_conns_lock);
	list_for_each_entry(conn, &ssihv_conns, all)
		if (!dev || !conn->dev || conn->dev == dev)
			ssihv_conn_fail(conn, -ENODEV);
	spin_unlock(&ssihv_conns_lock);
	flush_workqueue(ssihv_rdma_wq);
}

/* ---- listener ------------------------------------------------------ */

int ssihv_conn_listen(void)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(ssihv_rdma_port),
	};
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(ssihv_rdma_port),
	};
	struct rdma_cm_id *id;
	int ret;

	id = rdma_create_id(&init_net, ssihv_cm_handler, NULL, RDMA_PS_TCP,
			    IB_QPT_RC);
	if (IS_ERR(id))
		return PTR_ERR(id);
	/* One listener for IPv6 and IPv4 (v4-mapped), else IPv4 only. */
	ret = rdma_set_afonly(id, 0);
	if (!ret)
		ret = rdma_bind_addr(id, (struct sockaddr *)&sin6);
	if (ret) {
		rdma_destroy_id(id);
		id = rdma_create_id(&init_net, ssihv_cm_handler, NULL,
				    RDMA_PS_TCP, IB_QPT_RC);
		if (IS_ERR(id))
			return PTR_ERR(id);
		ret = rdma_bind_addr(id, (struct sockaddr *)&sin);
	}
	if (!ret)
		ret = rdma_listen(id, 64);
	if (ret) {
		rdma_destroy_id(id);
		return ret;
	}
	ssihv_listen_id = id;
	return 0;
}

void ssihv_conn_stop_listen(void)
{
	if (ssihv_listen_id)
		rdma_destroy_id(ssihv_listen_id);
	ssihv_listen_id = NULL;
}

int ssihv_conn_init(void)
{
	ssihv_rdma_wq = alloc_workqueue("ssihv_rdma", WQ_UNBOUND, 0);
	if (!ssihv_rdma_wq)
		return -ENOMEM;
	if (ssihv_frame_wq_init()) {
		destroy_workqueue(ssihv_rdma_wq);
		return -ENOMEM;
	}
	return 0;
}

void ssihv_conn_exit(void)
{
	ssihv_conn_fail_device(NULL);
	/* Frame requests still queued find their connection dead. */
	ssihv_frame_wq_exit();
	destroy_workqueue(ssihv_rdma_wq);
	if (atomic64_read(&ssihv_rejected))
		pr_info("ssihv: %lld connection requests were rejected\n",
			atomic64_read(&ssihv_rejected));
}
