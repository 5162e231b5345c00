// SPDX-License-Identifier: GPL-2.0
/*
 * Cluster nodes: the table of peers, their connection state and counters,
 * heartbeats, and reconnection with exponential backoff.
 *
 * Of two nodes, the one with the lower id connects (active side) and the
 * other accepts (passive side), so a pair never races two connections.
 * The active side retries after every failure, waiting 200 ms, doubling
 * up to 5 s, reset once a connection is up.  Both sides PING every second
 * and fail a link that was silent for 5 s; a dead peer is also caught by
 * the RC transport's own retries (about 2 s) when requests are in flight.
 */
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <uapi/linux/ssihv.h>

#include "rdma.h"
#include "ssihv.h"

static struct ssihv_node *nodes[SSIHV_MAX_NODES];
static DEFINE_SPINLOCK(nodes_lock);

static void ssihv_node_release(struct kref *ref)
{
	kfree(container_of(ref, struct ssihv_node, ref));
}

void ssihv_node_put(struct ssihv_node *node)
{
	kref_put(&node->ref, ssihv_node_release);
}

struct ssihv_node *ssihv_node_get(u32 id)
{
	struct ssihv_node *node = NULL;

	if (id >= SSIHV_MAX_NODES)
		return NULL;
	spin_lock(&nodes_lock);
	node = nodes[id];
	if (node)
		kref_get(&node->ref);
	spin_unlock(&nodes_lock);
	return node;
}

/* The first node with id >= *pos; *pos moves past it. */
struct ssihv_node *ssihv_node_get_next(u32 *pos)
{
	struct ssihv_node *node = NULL;
	u32 i;

	spin_lock(&nodes_lock);
	for (i = *pos; i < SSIHV_MAX_NODES; i++) {
		node = nodes[i];
		if (node) {
			kref_get(&node->ref);
			*pos = i + 1;
			break;
		}
	}
	spin_unlock(&nodes_lock);
	return node;
}

void ssihv_node_error(struct ssihv_node *node, int err)
{
	atomic64_inc(&node->errors);
	atomic_set(&node->last_error, err);
}

/* The node's connection, referenced, if it is up. */
struct ssihv_conn *ssihv_node_conn(struct ssihv_node *node)
{
	struct ssihv_conn *conn = NULL;

	spin_lock_bh(&node->lock);
	if (node->state == SSIHV_NODE_UP && node->conn) {
		conn = node->conn;
		kref_get(&conn->ref);
	}
	spin_unlock_bh(&node->lock);
	return conn;
}

/*
 * The node's connection for one request of ours: referenced and with a
 * credit taken (ssihv_conn_begin()); undo with ssihv_conn_end() and
 * ssihv_conn_put().  NULL with *@err set if the node is not up or its
 * link is failing.
 */
struct ssihv_conn *ssihv_node_conn_begin(struct ssihv_node *node, int *err)
{
	struct ssihv_conn *conn = ssihv_node_conn(node);

	if (!conn) {
		*err = -ENOTCONN;
		return NULL;
	}
	*err = ssihv_conn_begin(conn);
	if (*err) {
		ssihv_conn_put(conn);
		return NULL;
	}
	return conn;
}

void ssihv_node_conn_up(struct ssihv_node *node, struct ssihv_conn *conn)
{
	spin_lock_bh(&node->lock);
	if (node->conn != conn || READ_ONCE(conn->dying)) {
		spin_unlock_bh(&node->lock);
		return;
	}
	node->state = SSIHV_NODE_UP;
	node->backoff_ms = SSIHV_BACKOFF_MIN_MS;
	strscpy(node->devname, dev_name(&conn->dev->dev),
		sizeof(node->devname));
	spin_unlock_bh(&node->lock);
	atomic64_inc(&node->connects);
	pr_info("ssihv: node %u up (%s)\n", node->id, node->devname);
	ssihv_event_node(SSIHV_CMD_EVENT_NODE_UP, node->id, 0);
}

void ssihv_node_conn_down(struct ssihv_node *node, struct ssihv_conn *conn,
			  int err)
{
	unsigned int delay = 0;
	bool was_up, report;

	spin_lock_bh(&node->lock);
	if (node->conn != conn) {
		spin_unlock_bh(&node->lock);
		return;
	}
	node->conn = NULL;
	was_up = node->state == SSIHV_NODE_UP;
	if (was_up)
		node->down_at = jiffies | 1;	/* 0: never went down */
	/* Not when the administrator or module unload deletes it. */
	report = was_up && !node->deleted;
	node->state = SSIHV_NODE_DOWN;
	if (node->active && !node->deleted) {
		delay = node->backoff_ms;
		node->backoff_ms = min(2 * node->backoff_ms,
				       SSIHV_BACKOFF_MAX_MS);
		queue_delayed_work(ssihv_rdma_wq, &node->connect_work,
				   msecs_to_jiffies(delay));
	}
	spin_unlock_bh(&node->lock);
	atomic_set(&node->last_error, err);
	if (was_up) {
		pr_info("ssihv: node %u down (%d)\n", node->id, err);
		ssihv_event_node(SSIHV_CMD_EVENT_NODE_DOWN, node->id, err);
	}
	if (report)
		ssihv_frames_node_down(node);
}

/*
 * A request to @node_id failed with the link: wait until the node has been
 * down for SSIHV_FENCE_MS.  If it is alive behind a partition, its own
 * heartbeat has then failed the link too and its lost-frames scan has
 * dropped the shared copies it held of our frames.  Returns 0 at once for
 * a node down longer than that, or deleted, and -EINTR if a fatal signal
 * came first: a faulting process being killed does not sit out the
 * fence, and the caller must then act as if the request were unanswered.
 */
int ssihv_node_fence(u32 node_id)
{
	struct ssihv_node *node = ssihv_node_get(node_id);
	unsigned long until;
	int ret = 0;

	if (!node)
		return 0;
	spin_lock_bh(&node->lock);
	/*
	 * Not marked down yet (the failure is still on its way to the
	 * node's state) or never up before: the whole time from now.
	 */
	if (node->state != SSIHV_NODE_UP && node->down_at)
		until = node->down_at + msecs_to_jiffies(SSIHV_FENCE_MS);
	else
		until = jiffies + msecs_to_jiffies(SSIHV_FENCE_MS);
	spin_unlock_bh(&node->lock);
	while (time_before(jiffies, until)) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		schedule_timeout_killable(until - jiffies);
	}
	ssihv_node_put(node);
	return ret;
}

static void ssihv_node_connect_work(struct work_struct *work)
{
	struct ssihv_node *node = container_of(to_delayed_work(work),
					       struct ssihv_node,
					       connect_work);
	static const unsigned int first = ~0U;
	unsigned int delay;
	int ret;

	spin_lock_bh(&node->lock);
	if (node->deleted || node->conn) {
		spin_unlock_bh(&node->lock);
		return;
	}
	spin_unlock_bh(&node->lock);
	if (node->backoff_ms != first)
		atomic64_inc(&node->retries);
	else
		node->backoff_ms = SSIHV_BACKOFF_MIN_MS;

	ret = ssihv_conn_connect(node);
	if (!ret || ret == -ECANCELED)
		return;
	atomic_set(&node->last_error, ret);
	spin_lock_bh(&node->lock);
	if (!node->deleted) {
		delay = node->backoff_ms;
		node->backoff_ms = min(2 * node->backoff_ms,
				       SSIHV_BACKOFF_MAX_MS);
		queue_delayed_work(ssihv_rdma_wq, &node->connect_work,
				   msecs_to_jiffies(delay));
	}
	spin_unlock_bh(&node->lock);
}

static void ssihv_node_hb_work(struct work_struct *work)
{
	struct ssihv_node *node = container_of(to_delayed_work(work),
					       struct ssihv_node, hb_work);
	struct ssihv_wire_msg ping = { .type = SSIHV_MSG_PING };
	struct ssihv_conn *conn;
	unsigned long limit;

	spin_lock_bh(&node->lock);
	conn = node->conn;
	if (conn)
		kref_get(&conn->ref);
	spin_unlock_bh(&node->lock);
	if (conn) {
		/* A link not up within 3 heartbeat limits is stuck too. */
		limit = msecs_to_jiffies(SSIHV_HB_DEAD_MS);
		if (node->state != SSIHV_NODE_UP)
			limit *= 3;
		if (time_after(jiffies, READ_ONCE(conn->last_rx) + limit)) {
			pr_info("ssihv: node %u: no traffic for %u ms\n",
				node->id, jiffies_to_msecs(limit));
			ssihv_conn_fail(conn, -ETIMEDOUT);
		} else if (node->state == SSIHV_NODE_UP) {
			ping.ping.stamp = ktime_get_ns();
			ssihv_conn_send(conn, &ping);
		}
		ssihv_conn_put(conn);
	}
	spin_lock_bh(&node->lock);
	if (!node->deleted)
		queue_delayed_work(ssihv_rdma_wq, &node->hb_work,
				   msecs_to_jiffies(SSIHV_HB_INTERVAL_MS));
	spin_unlock_bh(&node->lock);
}

int ssihv_node_add(u32 id, const struct sockaddr_storage *addr)
{
	struct ssihv_node *node;

	if (id >= SSIHV_MAX_NODES)
		return -EINVAL;
	if (id == ssihv_config_node_id())
		return -EADDRINUSE;
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return -ENOMEM;
	kref_init(&node->ref);
	node->id = id;
	node->addr = *addr;
	node->active = ssihv_config_node_id() < id;
	spin_lock_init(&node->lock);
	node->state = SSIHV_NODE_DOWN;
	node->backoff_ms = ~0U;
	INIT_DELAYED_WORK(&node->connect_work, ssihv_node_connect_work);
	INIT_DELAYED_WORK(&node->hb_work, ssihv_node_hb_work);
	ssihv_lost_init(node);

	spin_lock(&nodes_lock);
	if (nodes[id]) {
		spin_unlock(&nodes_lock);
		kfree(node);
		return -EEXIST;
	}
	nodes[id] = node;
	spin_unlock(&nodes_lock);

	if (node->active)
		queue_delayed_work(ssihv_rdma_wq, &node->connect_work, 0);
	queue_delayed_work(ssihv_rdma_wq, &node->hb_work,
			   msecs_to_jiffies(SSIHV_HB_INTERVAL_MS));
	return 0;
}

static void ssihv_node_shutdown(struct ssihv_node *node)
{
	struct ssihv_conn *conn;

	spin_lock_bh(&node->lock);
	node->deleted = true;
	spin_unlock_bh(&node->lock);
	cancel_delayed_work_sync(&node->connect_work);
	cancel_delayed_work_sync(&node->hb_work);

	spin_lock_bh(&node->lock);
	conn = node->conn;
	if (conn)
		kref_get(&conn->ref);
	spin_unlock_bh(&node->lock);
	if (conn) {
		ssihv_conn_fail(conn, -ESHUTDOWN);
		ssihv_conn_put(conn);
	}
	/* Tear-down of the connection, and of any passive one racing it. */
	flush_workqueue(ssihv_rdma_wq);
}

int ssihv_node_del(u32 id)
{
	struct ssihv_node *node;

	if (id >= SSIHV_MAX_NODES)
		return -EINVAL;
	spin_lock(&nodes_lock);
	node = nodes[id];
	nodes[id] = NULL;
	spin_unlock(&nodes_lock);
	if (!node)
		return -ENOENT;
	ssihv_node_shutdown(node);
	ssihv_node_put(node);
	return 0;
}

int ssihv_node_ping(struct ssihv_node *node, u64 *rtt_ns)
{
	struct ssihv_wire_msg ping = { .type = SSIHV_MSG_PING };
	struct ssihv_wait wait = { .status = -EIO };
	struct ssihv_conn *conn;
	u64 t0;
	int ret;

	conn = ssihv_node_conn_begin(node, &ret);
	if (!conn) {
		ssihv_node_error(node, ret);
		return ret;
	}
	t0 = ktime_get_ns();
	ping.ping.stamp = t0;
	ret = ssihv_conn_call(conn, &ping, &wait, SSIHV_MSG_PONG);
	if (!ret) {
		*rtt_ns = ktime_get_ns() - t0;
		atomic64_set(&node->rtt_ns, *rtt_ns);
	}
	ssihv_conn_end(conn);
	if (ret)
		ssihv_node_error(node, ret);
	ssihv_conn_put(conn);
	return ret;
}

int ssihv_node_init(void)
{
	return 0;
}

void ssihv_node_exit(void)
{
	u32 id;

	for (id = 0; id < SSIHV_MAX_NODES; id++)
		ssihv_node_del(id);
}
