// SPDX-License-Identifier: GPL-2.0
/*
 * Page operations between nodes: fetch a 4 KiB page (one-sided RDMA READ
 * from the peer's registered pool, or a request the peer answers with an
 * RDMA WRITE into our landing slot), push a page (RDMA WRITE into the
 * peer's inbox, then a PUSH message the peer verifies and acknowledges),
 * the serve pool of test pages, and the NODE_XFER_TEST driver.
 */
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <uapi/linux/ssihv.h>

#include "rdma.h"
#include "ssihv.h"
#include "vm.h"
#include "proto/msi_rules.h"

/* Test pages every peer may fetch: page i holds pattern (our id, i). */
static struct page *serve_pages[SSIHV_POOL_SERVE];
static u32 serve_csum[SSIHV_POOL_SERVE];

struct page *ssihv_serve_page(unsigned int i)
{
	return serve_pages[i];
}

u32 ssihv_serve_csum(unsigned int i)
{
	return serve_csum[i];
}

int ssihv_page_pool_init(void)
{
	unsigned int i;

	for (i = 0; i < SSIHV_POOL_SERVE; i++) {
		serve_pages[i] = alloc_page(GFP_KERNEL);
		if (!serve_pages[i]) {
			ssihv_page_pool_exit();
			return -ENOMEM;
		}
		ssihv_pattern_fill(page_address(serve_pages[i]),
				   ssihv_config_node_id(), i);
		serve_csum[i] = ssihv_page_csum(page_address(serve_pages[i]));
	}
	return 0;
}

void ssihv_page_pool_exit(void)
{
	unsigned int i;

	for (i = 0; i < SSIHV_POOL_SERVE; i++) {
		if (serve_pages[i])
			__free_page(serve_pages[i]);
		serve_pages[i] = NULL;
	}
}

/* ---- serving the peer's requests (softirq) ------------------------- */

static int ssihv_serve_fetch(struct ssihv_conn *conn,
			     const struct ssihv_wire_msg *msg)
{
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	u64 slot;

	/* ssihv_wire_decode() checked page and slot against both pools. */
	slot = (u64)conn->r_serve + conn->r_inbox + msg->fetch_req.slot;
	sge.addr = conn->page_dma[msg->fetch_req.page];
	sge.length = PAGE_SIZE;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr.wr_cqe = &conn->write_cqe;
	wr.wr.opcode = IB_WR_RDMA_WRITE;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.remote_addr = conn->r_addr + slot * PAGE_SIZE;
	wr.rkey = conn->r_rkey;
	return ssihv_conn_post(conn, &wr.wr);
}

void ssihv_page_handle_req(struct ssihv_conn *conn,
			   const struct ssihv_wire_msg *msg)
{
	struct ssihv_node *node = conn->node;
	struct ssihv_wire_msg reply = { .tag = msg->tag };
	unsigned int idx;
	u32 csum;
	int ret;

	atomic64_inc(&node->ops_in);
	if (msg->type == SSIHV_MSG_FETCH_REQ) {
		ret = ssihv_serve_fetch(conn, msg);
		reply.type = SSIHV_MSG_FETCH_REP;
		reply.fetch_rep.status = ret;
		reply.fetch_rep.csum = serve_csum[msg->fetch_req.page];
		if (!ret)
			atomic64_add(PAGE_SIZE, &node->bytes_out);
	} else {
		/* The peer's RDMA WRITE landed before its PUSH (RC order). */
		idx = SSIHV_POOL_SERVE + msg->push.slot;
		ib_dma_sync_single_for_cpu(conn->dev, conn->page_dma[idx],
					   PAGE_SIZE, DMA_BIDIRECTIONAL);
		csum = ssihv_page_csum(page_address(conn->pages[idx]));
		ib_dma_sync_single_for_device(conn->dev, conn->page_dma[idx],
					      PAGE_SIZE, DMA_BIDIRECTIONAL);
		ret = csum == msg->push.csum ? 0 : -EBADMSG;
		reply.type = SSIHV_MSG_PUSH_ACK;
		reply.push_ack.status = ret;
		reply.push_ack.slot = msg->push.slot;
		if (!ret)
			atomic64_add(PAGE_SIZE, &node->bytes_in);
	}
	if (ret)
		ssihv_node_error(node, ret);
	if (ssihv_conn_send(conn, &reply))
		atomic64_inc(&node->errors);
}

/* ---- operations (process context) ---------------------------------- */

static void ssihv_read_done(struct ib_cq *cq, struct ib_wc *wc)
{
	struct ssihv_wait *wait = container_of(wc->wr_cqe, struct ssihv_wait,
					       cqe);
	struct ssihv_conn *conn = cq->cq_context;

	wait->status = wc->status == IB_WC_SUCCESS ? 0 : -EIO;
	complete(&wait->done);
	/* Any error but a flush means the QP is in error: so is the link. */
	if (wc->status != IB_WC_SUCCESS && wc->status != IB_WC_WR_FLUSH_ERR)
		ssihv_conn_fail(conn, -EIO);
}

static int ssihv_slot_get(struct ssihv_conn *conn, unsigned long *map,
			  unsigned int n)
{
	unsigned int slot;

	spin_lock_bh(&conn->lock);
	slot = find_first_zero_bit(map, n);
	if (slot < n)
		__set_bit(slot, map);
	spin_unlock_bh(&conn->lock);
	return slot < n ? slot : -EBUSY;
}

static void ssihv_slot_put(struct ssihv_conn *conn, unsigned long *map,
			   unsigned int slot)
{
	spin_lock_bh(&conn->lock);
	__clear_bit(slot, map);
	spin_unlock_bh(&conn->lock);
}

/*
 * n RDMA READs posted as one chain; only the last is signaled (a QP
 * completes work requests in order), the others report only errors.
 */
static int ssihv_fetch_read(struct ssihv_conn *conn, const u64 *pgno,
			    struct page **dst, unsigned int n)
{
	struct ssihv_wait wait = { .status = -EIO };
	struct ib_rdma_wr wr[SSIHV_XFER_MAX_BATCH] = {};
	struct ib_sge sge[SSIHV_XFER_MAX_BATCH];
	u64 dma[SSIHV_XFER_MAX_BATCH];
	unsigned int i, mapped;
	int ret = 0;

	for (mapped = 0; mapped < n; mapped++) {
		dma[mapped] = ib_dma_map_page(conn->dev, dst[mapped], 0,
					      PAGE_SIZE, DMA_FROM_DEVICE);
		if (ib_dma_mapping_error(conn->dev, dma[mapped])) {
			ret = -ENOMEM;
			goto unmap;
		}
	}
	init_completion(&wait.done);
	wait.cqe.done = ssihv_read_done;
	for (i = 0; i < n; i++) {
		sge[i].addr = dma[i];
		sge[i].length = PAGE_SIZE;
		sge[i].lkey = conn->pd->local_dma_lkey;
		wr[i].wr.wr_cqe = i + 1 < n ? &conn->write_cqe : &wait.cqe;
		wr[i].wr.next = i + 1 < n ? &wr[i + 1].wr : NULL;
		wr[i].wr.opcode = IB_WR_RDMA_READ;
		wr[i].wr.send_flags = i + 1 < n ? 0 : IB_SEND_SIGNALED;
		wr[i].wr.sg_list = &sge[i];
		wr[i].wr.num_sge = 1;
		wr[i].remote_addr = conn->r_addr + pgno[i] * PAGE_SIZE;
		wr[i].rkey = conn->r_rkey;
	}
	ret = ssihv_conn_post(conn, &wr[0].wr);
	if (!ret) {
		ret = ssihv_conn_wait(conn, &wait);
	} else {
		/* Part of the chain may be posted: wait for its flush. */
		ssihv_conn_fail(conn, ret);
		wait_event(conn->wq, READ_ONCE(conn->drained));
	}
unmap:
	while (mapped--)
		ib_dma_unmap_page(conn->dev, dma[mapped], PAGE_SIZE,
				  DMA_FROM_DEVICE);
	return ret;
}

/*
 * Copy what the peer RDMA WROTE into page @idx of our pool out to dst,
 * with its DMA mapping synced to the CPU and back around the copy.
 */
static void ssihv_pool_copy(struct ssihv_conn *conn, unsigned int idx,
			    struct page *dst)
{
	ib_dma_sync_single_for_cpu(conn->dev, conn->page_dma[idx],
				   PAGE_SIZE, DMA_BIDIRECTIONAL);
	copy_highpage(dst, conn->pages[idx]);
	ib_dma_sync_single_for_device(conn->dev, conn->page_dma[idx],
				      PAGE_SIZE, DMA_BIDIRECTIONAL);
}

/* Landing slots follow the serve pages and the inbox in the pool. */
static void ssihv_landing_copy(struct ssihv_conn *conn, int slot,
			       struct page *dst)
{
	ssihv_pool_copy(conn, SSIHV_POOL_SERVE + SSIHV_POOL_INBOX + slot, dst);
}

static int ssihv_fetch_write(struct ssihv_conn *conn, u64 pgno,
			     struct page *dst)
{
	struct ssihv_wire_msg req = { .type = SSIHV_MSG_FETCH_REQ };
	struct ssihv_wait wait = { .status = -EIO };
	int slot, ret;

	slot = ssihv_slot_get(conn, conn->landing_busy,
			      SSIHV_POOL_LANDING);
	if (slot < 0)
		return slot;
	req.fetch_req.page = pgno;
	req.fetch_req.slot = slot;
	ret = ssihv_conn_call(conn, &req, &wait, SSIHV_MSG_FETCH_REP);
	if (!ret)
		ret = wait.reply.fetch_rep.status;
	if (!ret)
		ssihv_landing_copy(conn, slot, dst);
	ssihv_slot_put(conn, conn->landing_busy, slot);
	return ret;
}

static void ssihv_op_done(struct ssihv_node *node, int ret, bool in)
{
	if (ret) {
		ssihv_node_error(node, ret);
		return;
	}
	atomic64_inc(&node->ops_out);
	atomic64_add(PAGE_SIZE, in ? &node->bytes_in : &node->bytes_out);
}

/*
 * Fetch page pgno of node's serve pool into dst.  Returns 0 or a negative
 * errno (-ENOTCONN when the node is not up, -EIO/-ECONNRESET/-ETIMEDOUT
 * when the link fails under the request); never blocks for longer than
 * the request timeout plus the tear-down of a failed link.
 */
static int ssihv_page_fetch_one(struct ssihv_node *node, u64 pgno,
				struct page *dst);

int ssihv_page_fetch(struct ssihv_node *node, u64 pgno, struct page *dst,
		     bool one_sided)
{
	if (one_sided)
		return ssihv_page_fetch_many(node, &pgno, &dst, 1);
	return ssihv_page_fetch_one(node, pgno, dst);
}

static int ssihv_page_fetch_one(struct ssihv_node *node, u64 pgno,
				struct page *dst)
{
	struct ssihv_conn *conn;
	int ret;

	conn = ssihv_node_conn_begin(node, &ret);
	if (!conn) {
		ssihv_node_error(node, ret);
		return ret;
	}
	if (pgno >= conn->r_serve)
		ret = -EINVAL;
	else
		ret = ssihv_fetch_write(conn, pgno, dst);
	ssihv_conn_end(conn);
	ssihv_op_done(node, ret, true);
	ssihv_conn_put(conn);
	return ret;
}

/*
 * Fetch n (1..SSIHV_XFER_MAX_BATCH) pages of node's serve pool with
 * one-sided RDMA READs posted as one chain: pgno[i] into dst[i].
 */
int ssihv_page_fetch_many(struct ssihv_node *node, const u64 *pgno,
			  struct page **dst, unsigned int n)
{
	struct ssihv_conn *conn;
	unsigned int i;
	int ret;

	if (!n || n > SSIHV_XFER_MAX_BATCH)
		return -EINVAL;
	conn = ssihv_node_conn_begin(node, &ret);
	if (!conn) {
		ssihv_node_error(node, ret);
		return ret;
	}
	for (i = 0; i < n; i++)
		if (pgno[i] >= conn->r_serve)
			ret = -EINVAL;
	if (!ret)
		ret = ssihv_fetch_read(conn, pgno, dst, n);
	ssihv_conn_end(conn);
	if (ret) {
		ssihv_node_error(node, ret);
	} else {
		atomic64_add(n, &node->ops_out);
		atomic64_add((u64)n * PAGE_SIZE, &node->bytes_in);
	}
	ssihv_conn_put(conn);
	return ret;
}

/*
 * RDMA WRITE @src into a free slot of the peer's inbox and send @req
 * (its slot field, @slot, set to that slot) right behind it: on an RC QP
 * the peer sees the message only after the data has landed.  Waits for
 * the peer's answer of type @reply_type in @wait.  Called between
 * ssihv_conn_begin() and _end().
 */
static int ssihv_inbox_send(struct ssihv_conn *conn, struct page *src,
			    struct ssihv_wire_msg *req, u32 *slot,
			    u8 reply_type, struct ssihv_wait *wait)
{
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	int s, ret;
	u64 dma;

	s = ssihv_slot_get(conn, conn->rinbox_busy,
			   min_t(u32, conn->r_inbox, SSIHV_POOL_INBOX));
	if (s < 0)
		return s;
	dma = ib_dma_map_page(conn->dev, src, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(conn->dev, dma)) {
		ret = -ENOMEM;
		goto slot;
	}
	init_completion(&wait->done);
	ret = ssihv_conn_tag_add(conn, wait, reply_type);
	if (ret)
		goto unmap;
	sge.addr = dma;
	sge.length = PAGE_SIZE;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr.wr_cqe = &conn->write_cqe;
	wr.wr.opcode = IB_WR_RDMA_WRITE;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	wr.remote_addr = conn->r_addr + ((u64)conn->r_serve + s) * PAGE_SIZE;
	wr.rkey = conn->r_rkey;
	req->tag = wait->tag;
	*slot = s;
	ret = ssihv_conn_post(conn, &wr.wr);
	if (!ret)
		ret = ssihv_conn_send(conn, req);
	if (ret) {
		ssihv_conn_tag_del(conn, wait);
		/* A posted WRITE may still read src: fail the link, wait. */
		ssihv_conn_fail(conn, ret);
		wait_event(conn->wq, READ_ONCE(conn->drained));
		goto unmap;
	}
	/* The answer comes after the WRITE completed at the peer. */
	ret = ssihv_conn_wait(conn, wait);
unmap:
	ib_dma_unmap_page(conn->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
slot:
	ssihv_slot_put(conn, conn->rinbox_busy, s);
	return ret;
}

/* Inbox slots follow the serve pages in the pool. */
void ssihv_inbox_copy(struct ssihv_conn *conn, u32 slot, struct page *dst)
{
	ssihv_pool_copy(conn, SSIHV_POOL_SERVE + slot, dst);
}

/*
 * Push src to node: RDMA WRITE into a slot of its inbox, then PUSH with the
 * page's checksum; the peer checks it and answers (-EBADMSG: mismatch).
 */
int ssihv_page_push(struct ssihv_node *node, struct page *src, u64 key,
		    u32 csum)
{
	struct ssihv_wire_msg req = { .type = SSIHV_MSG_PUSH };
	struct ssihv_wait wait = { .status = -EIO };
	struct ssihv_conn *conn;
	int ret;

	conn = ssihv_node_conn_begin(node, &ret);
	if (!conn) {
		ssihv_node_error(node, ret);
		return ret;
	}
	req.push.key = key;
	req.push.csum = csum;
	ret = ssihv_inbox_send(conn, src, &req, &req.push.slot,
			       SSIHV_MSG_PUSH_ACK, &wait);
	if (!ret)
		ret = wait.reply.push_ack.status;
	ssihv_conn_end(conn);
	ssihv_op_done(node, ret, false);
	ssihv_conn_put(conn);
	return ret;
}

/* ---- NODE_XFER_TEST ------------------------------------------------ */

struct ssihv_xfer {
	struct ssihv_node *node;
	u8 op;
	u32 count;
	u32 batch;
	atomic_t next;
	atomic64_t ok, failed, bad_csum;
	atomic_t first_errno;
	atomic_t running;
	struct completion done;
	u32 *lat;			/* ns per page, U32_MAX: failed */
	u32 expect[SSIHV_POOL_SERVE];	/* the peer's serve checksums */
};

static void ssihv_xfer_account(struct ssihv_xfer *x, u32 i, u64 t0, int ret)
{
	x->lat[i] = min_t(u64, ktime_get_ns() - t0, U32_MAX - 1);
	if (!ret) {
		atomic64_inc(&x->ok);
		return;
	}
	x->lat[i] = U32_MAX;
	if (ret == -EBADMSG)
		atomic64_inc(&x->bad_csum);
	else
		atomic64_inc(&x->failed);
	atomic_cmpxchg(&x->first_errno, 0, ret);
}

/* One-sided fetches, x->batch pages per chain of RDMA READs. */
static void ssihv_xfer_read(struct ssihv_xfer *x, struct page **pages)
{
	u64 pg[SSIHV_XFER_MAX_BATCH], t0;
	u32 i, j, n;
	int ret;

	for (;;) {
		i = atomic_add_return(x->batch, &x->next) - x->batch;
		if (i >= x->count)
			break;
		n = min(x->batch, x->count - i);
		for (j = 0; j < n; j++)
			pg[j] = (i + j) % SSIHV_POOL_SERVE;
		t0 = ktime_get_ns();
		ret = ssihv_page_fetch_many(x->node, pg, pages, n);
		for (j = 0; j < n; j++) {
			int r = ret;

			if (!r && ssihv_page_csum(page_address(pages[j])) !=
			    x->expect[pg[j]])
				r = -EBADMSG;
			ssihv_xfer_account(x, i + j, t0, r);
		}
	}
}

static int ssihv_xfer_worker(void *arg)
{
	struct page *pages[SSIHV_XFER_MAX_BATCH] = {};
	struct ssihv_xfer *x = arg;
	u32 i, csum;
	u64 t0;
	int ret;

	for (i = 0; i < x->batch; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			atomic_cmpxchg(&x->first_errno, 0, -ENOMEM);
			goto out;
		}
	}
	if (x->op == SSIHV_XFER_FETCH_READ) {
		ssihv_xfer_read(x, pages);
		goto out;
	}
	for (;;) {
		i = atomic_inc_return(&x->next) - 1;
		if (i >= x->count)
			break;
		if (x->op == SSIHV_XFER_PUSH) {
			ssihv_pattern_fill(page_address(pages[0]),
					   ssihv_config_node_id(), i);
			csum = ssihv_page_csum(page_address(pages[0]));
			t0 = ktime_get_ns();
			ret = ssihv_page_push(x->node, pages[0], i, csum);
		} else {
			t0 = ktime_get_ns();
			ret = ssihv_page_fetch(x->node, i % SSIHV_POOL_SERVE,
					       pages[0], false);
			if (!ret && ssihv_page_csum(page_address(pages[0])) !=
			    x->expect[i % SSIHV_POOL_SERVE])
				ret = -EBADMSG;
		}
		ssihv_xfer_account(x, i, t0, ret);
	}
out:
	for (i = 0; i < x->batch; i++)
		if (pages[i])
			__free_page(pages[i]);
	if (atomic_dec_and_test(&x->running))
		complete(&x->done);
	return 0;
}

static int ssihv_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

static void ssihv_xfer_expect(struct ssihv_xfer *x)
{
	void *buf = (void *)__get_free_page(GFP_KERNEL);
	unsigned int i;

	if (!buf)
		return;
	for (i = 0; i < SSIHV_POOL_SERVE; i++) {
		ssihv_pattern_fill(buf, x->node->id, i);
		x->expect[i] = ssihv_page_csum(buf);
	}
	free_page((unsigned long)buf);
}

int ssihv_xfer_test(struct ssihv_node *node, u8 op, u32 count, u32 threads,
		    u32 batch, struct ssihv_xfer_result *res)
{
	struct ssihv_xfer *x;
	struct task_struct *t;
	u32 i, n = 0;
	u64 start;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	x->lat = vmalloc(array_size(count, sizeof(u32)));
	if (!x->lat) {
		kfree(x);
		return -ENOMEM;
	}
	x->node = node;
	x->op = op;
	x->count = count;
	x->batch = op == SSIHV_XFER_FETCH_READ ?
		   clamp_t(u32, batch, 1, SSIHV_XFER_MAX_BATCH) : 1;
	init_completion(&x->done);
	if (op != SSIHV_XFER_PUSH)
		ssihv_xfer_expect(x);
	threads = min(threads, count);

	start = ktime_get_ns();
	atomic_set(&x->running, 1);
	for (i = 0; i < threads; i++) {
		atomic_inc(&x->running);
		t = kthread_run(ssihv_xfer_worker, x, "ssihv-xfer/%u", i);
		if (IS_ERR(t)) {
			atomic_dec(&x->running);
			atomic_cmpxchg(&x->first_errno, 0, PTR_ERR(t));
			break;
		}
	}
	if (!atomic_dec_and_test(&x->running))
		wait_for_completion(&x->done);
	res->ns = ktime_get_ns() - start;

	/* Pages never attempted (no worker started) count as failed. */
	res->ok = atomic64_read(&x->ok);
	res->bad_csum = atomic64_read(&x->bad_csum);
	res->failed = count - res->ok - res->bad_csum;
	res->first_errno = atomic_read(&x->first_errno);
	for (i = 0; i < min_t(u32, atomic_read(&x->next), count); i++)
		if (x->lat[i] != U32_MAX)
			x->lat[n++] = x->lat[i];
	if (n) {
		sort(x->lat, n, sizeof(u32), ssihv_cmp_u32, NULL);
		res->lat_median = x->lat[n / 2];
		res->lat_p99 = x->lat[min_t(u64, n - 1, (u64)n * 99 / 100)];
		res->lat_p999 = x->lat[min_t(u64, n - 1, (u64)n * 999 / 1000)];
	}
	vfree(x->lat);
	kfree(x);
	return 0;
}

/* ---- guest frames (kmod/frame.c decides, this moves them) ---------- */

static struct workqueue_struct *ssihv_frame_wq;

struct ssihv_frame_work {
	struct work_struct work;
	struct ssihv_conn *conn;	/* holds a reference */
	struct ssihv_wire_msg msg;
};

static void ssihv_frame_work_fn(struct work_struct *work)
{
	struct ssihv_frame_work *fw = container_of(work,
						   struct ssihv_frame_work,
						   work);
	struct ssihv_conn *conn = fw->conn;

	if (!ssihv_conn_enter(conn)) {
		ssihv_frame_serve(conn, conn->node->id, &fw->msg);
		ssihv_conn_leave(conn);
	}
	ssihv_conn_put(conn);
	kfree(fw);
}

/*
 * A FRAME_REQ arrived (softirq).  Serving it takes frame locks and may
 * wait for a recall from a third node, so it runs on its own workqueue:
 * the receive path never blocks, and two nodes faulting on each other's
 * frames at once each find a worker for the other's request.
 */
void ssihv_frame_queue_req(struct ssihv_conn *conn,
			   const struct ssihv_wire_msg *msg)
{
	struct ssihv_frame_work *fw;

	atomic64_inc(&conn->node->ops_in);
	fw = kmalloc(sizeof(*fw), GFP_ATOMIC);
	if (!fw) {
		if (ssihv_frame_reply(conn, msg->tag, -ENOMEM, 0))
			atomic64_inc(&conn->node->errors);
		return;
	}
	INIT_WORK(&fw->work, ssihv_frame_work_fn);
	kref_get(&conn->ref);
	fw->conn = conn;
	fw->msg = *msg;
	queue_work(ssihv_frame_wq, &fw->work);
}

int ssihv_frame_reply(struct ssihv_conn *conn, u32 tag, int status, u32 csum)
{
	struct ssihv_wire_msg rep = { .type = SSIHV_MSG_FRAME_REP, .tag = tag };

	rep.frame_rep.status = status;
	rep.frame_rep.csum = csum;
	return ssihv_conn_send(conn, &rep);
}

/*
 * Hand @page to the connection's peer: RDMA WRITE it into the peer's
 * landing slot @slot and post FRAME_REP (@tag, @status, the page's
 * checksum) right behind it, without waiting for the WRITE to complete
 * first: on an RC QP the peer sees the reply only after the data has
 * landed, so the requester waits one round trip less.  Returns after the
 * WRITE completed (the caller may then drop the page).  Called between
 * ssihv_conn_enter() and _leave().
 *
 * Returns 0 once the reply is posted: the frame is the requester's from
 * then on, even if the link fails before the WRITE completes (then the
 * reply is flushed with it and neither arrives: the frame is lost, never
 * duplicated).  A negative errno means nothing was handed over.
 */
int ssihv_frame_give(struct ssihv_conn *conn, struct page *page, u32 slot,
		     u32 tag, int status)
{
	struct ssihv_wait wait = { .status = -EIO };
	struct ib_rdma_wr wr = {};
	struct ib_sge sge;
	u32 csum;
	void *va;
	u64 dma;
	int ret;

	va = kmap_local_page(page);
	csum = ssihv_page_csum(va);
	kunmap_local(va);
	dma = ib_dma_map_page(conn->dev, page, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (ib_dma_mapping_error(conn->dev, dma))
		return -ENOMEM;
	init_completion(&wait.done);
	wait.cqe.done = ssihv_read_done;
	sge.addr = dma;
	sge.length = PAGE_SIZE;
	sge.lkey = conn->pd->local_dma_lkey;
	wr.wr.wr_cqe = &wait.cqe;
	wr.wr.opcode = IB_WR_RDMA_WRITE;
	wr.wr.send_flags = IB_SEND_SIGNALED;
	wr.wr.sg_list = &sge;
	wr.wr.num_sge = 1;
	/* ssihv_wire_decode() checked slot against the peer's landing pool. */
	wr.remote_addr = conn->r_addr +
			 ((u64)conn->r_serve + conn->r_inbox + slot) * PAGE_SIZE;
	wr.rkey = conn->r_rkey;
	ret = ssihv_conn_post(conn, &wr.wr);
	if (ret) {
		ib_dma_unmap_page(conn->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
		return ret;
	}
	ret = ssihv_frame_reply(conn, tag, status, csum);
	/* Posted: the WRITE must complete (or be flushed) before unmapping. */
	if (!ssihv_conn_wait(conn, &wait))
		atomic64_add(PAGE_SIZE, &conn->node->bytes_out);
	ib_dma_unmap_page(conn->dev, dma, PAGE_SIZE, DMA_TO_DEVICE);
	return ret;
}

/*
 * Ask node @node_id for guest frame (@vm_id, @gfn): it RDMA WRITEs the
 * frame into one of our landing slots, then answers FRAME_REP with its
 * checksum; the frame is copied to @dst.  With SSIHV_FRAME_INV (from the
 * frame's home: drop your shared copy) nothing moves and @dst is NULL.
 * Returns 0, the grant's flags (SSIHV_FRAME_KEEP: an upgrade granted
 * without data, keep the shared copy; SSIHV_FRAME_EXCL: a read granted
 * the only copy; SSIHV_FRAME_ZERO: a frame never touched, @dst, zeroed by
 * the caller, is left alone), or a negative errno: -EHOSTUNREACH (no such node),
 * -ENOTCONN (not up), -EIO, -ECONNRESET, -ETIMEDOUT (the link failed),
 * -EBADMSG (checksum), or the peer's refusal (-ENOENT: no such VM there,
 * -ERANGE: not in its map, -EREMOTE: not its frame, -ESTALE: it does not
 * hold it, -EPROTO: not a request it takes, -ENOMEM, -ENODEV).  Bounded
 * by the request timeout plus the tear-down of a failed link.
 */
int ssihv_frame_fetch(u32 node_id, u64 vm_id, u64 gfn, u8 access,
		      struct page *dst)
{
	struct ssihv_wire_msg req = { .type = SSIHV_MSG_FRAME_REQ };
	struct ssihv_wait wait = { .status = -EIO };
	struct ssihv_node *node;
	struct ssihv_conn *conn;
	int slot = 0, ret;
	void *va;

	node = ssihv_node_get(node_id);
	if (!node)
		return -EHOSTUNREACH;
	conn = ssihv_node_conn_begin(node, &ret);
	if (!conn) {
		ssihv_node_error(node, ret);
		goto out_node;
	}
	/* An INV moves no data: slot 0 is named but not reserved. */
	if (dst) {
		slot = ssihv_slot_get(conn, conn->landing_busy,
				      SSIHV_POOL_LANDING);
		if (slot < 0) {
			ret = slot;
			goto end;
		}
	}
	req.frame_req.vm_id = vm_id;
	req.frame_req.gfn = gfn;
	req.frame_req.slot = slot;
	req.frame_req.access = access;
	ret = ssihv_conn_call(conn, &req, &wait, SSIHV_MSG_FRAME_REP);
	if (!ret)
		ret = wait.reply.frame_rep.status;
	/* Data needs somewhere to land. */
	if (!msi_status_valid(access, ret) ||
	    (!ret && !dst && access != SSIHV_FRAME_INV))
		ret = -EPROTO;
	if (ret >= 0 && !(ret & (SSIHV_FRAME_KEEP | SSIHV_FRAME_ZERO)) && dst) {
		ssihv_landing_copy(conn, slot, dst);
		va = kmap_local_page(dst);
		if (ssihv_page_csum(va) != wait.reply.frame_rep.csum)
			ret = -EBADMSG;
		kunmap_local(va);
	}
	if (dst)
		ssihv_slot_put(conn, conn->landing_busy, slot);
end:
	ssihv_conn_end(conn);
	if (ret < 0) {
		ssihv_node_error(node, ret);
	} else {
		atomic64_inc(&node->ops_out);
		if (!(ret & (SSIHV_FRAME_KEEP | SSIHV_FRAME_ZERO)) && dst)
			atomic64_add(PAGE_SIZE, &node->bytes_in);
	}
	ssihv_conn_put(conn);
out_node:
	ssihv_node_put(node);
	return ret;
}

/*
 * Give the only copy of guest frame (@vm_id, @gfn), @src, back to its
 * home @node_id (the owner's instance is going away): RDMA WRITE into the
 * home's inbox, then FRAME_REQ PUT naming the slot.  Returns 0 once the
 * home holds the data, or a negative errno: -ESTALE (the home does not
 * count us the owner: a recall took the frame first), the other refusals
 * of ssihv_frame_fetch(), or a transport error.
 */
int ssihv_frame_put(u32 node_id, u64 vm_id, u64 gfn, struct page *src)
{
	struct ssihv_wire_msg req = { .type = SSIHV_MSG_FRAME_REQ };
	struct ssihv_wait wait = { .status = -EIO };
	struct ssihv_node *node;
	struct ssihv_conn *conn;
	int ret;

	node = ssihv_node_get(node_id);
	if (!node)
		return -EHOSTUNREACH;
	/* Not up: the caller counts the frame lost, not a link error. */
	conn = ssihv_node_conn_begin(node, &ret);
	if (!conn)
		goto out_node;
	req.frame_req.vm_id = vm_id;
	req.frame_req.gfn = gfn;
	req.frame_req.access = SSIHV_FRAME_PUT;
	ret = ssihv_inbox_send(conn, src, &req, &req.frame_req.slot,
			       SSIHV_MSG_FRAME_REP, &wait);
	if (!ret)
		ret = wait.reply.frame_rep.status;
	if (!msi_status_valid(SSIHV_FRAME_PUT, ret))
		ret = -EPROTO;
	ssihv_conn_end(conn);
	if (!ret) {
		atomic64_inc(&node->ops_out);
		atomic64_add(PAGE_SIZE, &node->bytes_out);
	} else if (ret != -ESTALE) {
		ssihv_node_error(node, ret);
	}
	ssihv_conn_put(conn);
out_node:
	ssihv_node_put(node);
	return ret;
}

/* Frame work that may wait for locks (kmod/lost.c); false: queued already. */
bool ssihv_frame_queue_work(struct work_struct *work)
{
	return queue_work(ssihv_frame_wq, work);
}

/*
 * Per CPU and high priority: a request is served on the CPU that received
 * it, without waking another (see Documentation/memory.rst); a handler
 * that sleeps (a recall, an INV round) makes the pool start another
 * worker, so handlers never wait for each other.
 */
int ssihv_frame_wq_init(void)
{
	ssihv_frame_wq = alloc_workqueue("ssihv_frame", WQ_HIGHPRI, 0);
	return ssihv_frame_wq ? 0 : -ENOMEM;
}

void ssihv_frame_wq_exit(void)
{
	destroy_workqueue(ssihv_frame_wq);
}
