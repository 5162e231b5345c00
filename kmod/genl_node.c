// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink: cluster nodes (NODE_ADD, NODE_DEL, GET_NODE, NODE_PING), the
 * NODE_XFER_TEST diagnostic, and the NODE_UP / NODE_DOWN events.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <net/genetlink.h>

#include "genl.h"
#include "rdma.h"
#include "ssihv.h"
#include "vm.h"

static struct netlink_range_validation ssihv_xfer_count_range __ro_after_init = {
	.min = 1,
	.max = SSIHV_XFER_MAX,
};

const struct nla_policy ssihv_node_add_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, SSIHV_MAX_NODES - 1),
	[SSIHV_A_NODE_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[SSIHV_A_NODE_PORT]	= NLA_POLICY_MIN(NLA_U16, 1),
};

const struct nla_policy ssihv_node_id_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, SSIHV_MAX_NODES - 1),
};

const struct nla_policy ssihv_xfer_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, SSIHV_MAX_NODES - 1),
	[SSIHV_A_XFER_OP]	= NLA_POLICY_RANGE(NLA_U8, SSIHV_XFER_FETCH_READ,
						   SSIHV_XFER_FRAME_REQ),
	[SSIHV_A_XFER_COUNT]	=
		NLA_POLICY_FULL_RANGE(NLA_U32, &ssihv_xfer_count_range),
	[SSIHV_A_XFER_THREADS]	= NLA_POLICY_RANGE(NLA_U32, 1,
						   SSIHV_XFER_MAX_THREADS),
	[SSIHV_A_XFER_BATCH]	= NLA_POLICY_RANGE(NLA_U32, 1,
						   SSIHV_XFER_MAX_BATCH),
	[SSIHV_A_VM_ID]		= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA]	= { .type = NLA_U64 },
};

/*
 * SSIHV_XFER_FRAME_REQ: send one frame request the peer must refuse, and
 * report its answer.  Requests this host could legitimately send (its VM
 * has the frame, homed on either end) are not sent: the frame would move
 * here and be dropped.
 */
static int ssihv_xfer_frame_req(struct ssihv_node *node,
				struct genl_info *info,
				struct ssihv_xfer_result *res)
{
	struct nlattr *id = info->attrs[SSIHV_A_VM_ID];
	struct nlattr *gpa = info->attrs[SSIHV_A_PAGE_GPA];
	unsigned int self = ssihv_config_node_id();
	struct ssihv_range *range = NULL;
	struct ssihv_vm *vm;
	struct page *page;
	u64 gfn, start;
	int ret;

	if (!id || !gpa) {
		NL_SET_ERR_MSG(info->extack, "VM id and address are required");
		return -EINVAL;
	}
	gfn = nla_get_u64(gpa) >> PAGE_SHIFT;
	vm = ssihv_vm_get(nla_get_u64(id));
	if (vm) {
		range = ssihv_vm_find_range(vm, gfn);
		if (range && range->home_node != self &&
		    range->home_node != node->id)
			range = NULL;
		ssihv_vm_put(vm);
	}
	if (range) {
		NL_SET_ERR_MSG(info->extack,
			       "that frame would really move: not a test request");
		return -EINVAL;
	}
	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	start = ktime_get_ns();
	ret = ssihv_frame_fetch(node->id, nla_get_u64(id), gfn,
				SSIHV_FRAME_READ, page);
	__free_page(page);
	res->ns = ktime_get_ns() - start;
	res->ok = !ret;
	res->failed = !!ret;
	res->first_errno = ret;
	return 0;
}

static struct ssihv_node *ssihv_nl_get_node(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[SSIHV_A_NODE_ID];
	struct ssihv_node *node;

	if (!attr) {
		NL_SET_ERR_MSG(info->extack, "no node id given");
		return ERR_PTR(-EINVAL);
	}
	node = ssihv_node_get(nla_get_u32(attr));
	if (!node) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "no such node");
		return ERR_PTR(-ENOENT);
	}
	return node;
}

int ssihv_cmd_node_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[SSIHV_A_NODE_ID];
	struct nlattr *addr = info->attrs[SSIHV_A_NODE_ADDR];
	struct nlattr *port = info->attrs[SSIHV_A_NODE_PORT];
	struct sockaddr_storage ss = {};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	__be16 nport = htons(port ? nla_get_u16(port) : ssihv_rdma_port);
	int ret;

	if (!id || !addr) {
		NL_SET_ERR_MSG(info->extack, "node id and address are required");
		return -EINVAL;
	}
	if (nla_len(addr) == 4) {
		sin->sin_family = AF_INET;
		sin->sin_port = nport;
		memcpy(&sin->sin_addr, nla_data(addr), 4);
		if (ipv4_is_zeronet(sin->sin_addr.s_addr) ||
		    ipv4_is_multicast(sin->sin_addr.s_addr) ||
		    ipv4_is_lbcast(sin->sin_addr.s_addr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, addr,
					    "not a unicast address");
			return -EINVAL;
		}
	} else if (nla_len(addr) == 16) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = nport;
		memcpy(&sin6->sin6_addr, nla_data(addr), 16);
		if (ipv6_addr_any(&sin6->sin6_addr) ||
		    ipv6_addr_is_multicast(&sin6->sin6_addr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, addr,
					    "not a unicast address");
			return -EINVAL;
		}
	} else {
		NL_SET_ERR_MSG_ATTR(info->extack, addr,
				    "address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	ret = ssihv_node_add(nla_get_u32(id), &ss);
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, id, "node already exists");
	else if (ret == -EADDRINUSE)
		NL_SET_ERR_MSG_ATTR(info->extack, id, "that is this node's id");
	return ret;
}

int ssihv_cmd_node_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = info->attrs[SSIHV_A_NODE_ID];
	int ret;

	if (!id) {
		NL_SET_ERR_MSG(info->extack, "no node id given");
		return -EINVAL;
	}
	ret = ssihv_node_del(nla_get_u32(id));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such node");
	return ret;
}

static int ssihv_put_u64(struct sk_buff *skb, int attr, atomic64_t *v)
{
	return nla_put_u64_64bit(skb, attr, atomic64_read(v), SSIHV_A_PAD);
}

static int ssihv_fill_node(struct sk_buff *skb, struct ssihv_node *node,
			   u32 portid, u32 seq, int flags)
{
	const struct sockaddr *sa = (const struct sockaddr *)&node->addr;
	char devname[IB_DEVICE_NAME_MAX];
	__be16 port;
	void *hdr;
	u8 state;

	spin_lock_bh(&node->lock);
	state = node->state;
	memcpy(devname, node->devname, sizeof(devname));
	spin_unlock_bh(&node->lock);
	devname[sizeof(devname) - 1] = 0;

	hdr = genlmsg_put(skb, portid, seq, &ssihv_genl_family, flags,
			  SSIHV_CMD_GET_NODE);
	if (!hdr)
		return -EMSGSIZE;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		port = sin->sin_port;
		if (nla_put(skb, SSIHV_A_NODE_ADDR, 4, &sin->sin_addr))
			goto cancel;
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		port = sin6->sin6_port;
		if (nla_put(skb, SSIHV_A_NODE_ADDR, 16, &sin6->sin6_addr))
			goto cancel;
	}
	if (nla_put_u32(skb, SSIHV_A_NODE_ID, node->id) ||
	    nla_put_u16(skb, SSIHV_A_NODE_PORT, ntohs(port)) ||
	    nla_put_u8(skb, SSIHV_A_NODE_STATE, state) ||
	    (node->active && nla_put_flag(skb, SSIHV_A_NODE_ACTIVE)) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_RTT_NS, &node->rtt_ns) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_BYTES_IN, &node->bytes_in) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_BYTES_OUT, &node->bytes_out) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_OPS_IN, &node->ops_in) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_OPS_OUT, &node->ops_out) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_ERRORS, &node->errors) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_RETRIES, &node->retries) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_CONNECTS, &node->connects) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_RX_BAD, &node->rx_bad) ||
	    ssihv_put_u64(skb, SSIHV_A_NODE_FRAMES_REFUSED,
			  &node->frames_refused) ||
	    nla_put_s32(skb, SSIHV_A_NODE_LAST_ERROR,
			atomic_read(&node->last_error)) ||
	    (devname[0] && nla_put_string(skb, SSIHV_A_NODE_DEVICE, devname)))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

int ssihv_cmd_get_node(struct sk_buff *skb, struct genl_info *info)
{
	struct ssihv_node *node;
	struct sk_buff *msg;
	int ret;

	node = ssihv_nl_get_node(info);
	if (IS_ERR(node))
		return PTR_ERR(node);
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = ssihv_fill_node(msg, node, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	ssihv_node_put(node);
	return ret;
}

int ssihv_dump_nodes(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ssihv_node *node;
	u32 pos = cb->args[0];
	int ret;

	while ((node = ssihv_node_get_next(&pos))) {
		ret = ssihv_fill_node(skb, node, NETLINK_CB(cb->skb).portid,
				      cb->nlh->nlmsg_seq, NLM_F_MULTI);
		ssihv_node_put(node);
		if (ret)
			break;
		cb->args[0] = pos;
	}
	return skb->len;
}

int ssihv_cmd_node_ping(struct sk_buff *skb, struct genl_info *info)
{
	struct ssihv_node *node;
	struct sk_buff *msg;
	u64 rtt = 0;
	void *hdr;
	int ret;

	node = ssihv_nl_get_node(info);
	if (IS_ERR(node))
		return PTR_ERR(node);
	ret = ssihv_node_ping(node, &rtt);
	if (ret) {
		if (ret == -ENOTCONN)
			NL_SET_ERR_MSG(info->extack, "node is not connected");
		else
			NL_SET_ERR_MSG(info->extack, "ping failed");
		goto out;
	}
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &ssihv_genl_family, 0,
				SSIHV_CMD_NODE_PING);
	if (!hdr || nla_put_u32(msg, SSIHV_A_NODE_ID, node->id) ||
	    nla_put_u64_64bit(msg, SSIHV_A_NODE_RTT_NS, rtt, SSIHV_A_PAD)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	ssihv_node_put(node);
	return ret;
}

int ssihv_cmd_node_xfer_test(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *threads = info->attrs[SSIHV_A_XFER_THREADS];
	struct nlattr *batch = info->attrs[SSIHV_A_XFER_BATCH];
	struct ssihv_xfer_result res = {};
	struct ssihv_node *node;
	struct sk_buff *msg;
	void *hdr;
	int ret;
	u8 op;

	if (!info->attrs[SSIHV_A_XFER_OP] || !info->attrs[SSIHV_A_XFER_COUNT]) {
		NL_SET_ERR_MSG(info->extack, "operation and count are required");
		return -EINVAL;
	}
	node = ssihv_nl_get_node(info);
	if (IS_ERR(node))
		return PTR_ERR(node);
	op = nla_get_u8(info->attrs[SSIHV_A_XFER_OP]);
	if (op == SSIHV_XFER_FRAME_REQ)
		ret = ssihv_xfer_frame_req(node, info, &res);
	else
		ret = ssihv_xfer_test(node, op,
				      nla_get_u32(info->attrs[SSIHV_A_XFER_COUNT]),
				      threads ? nla_get_u32(threads) : 1,
				      batch ? nla_get_u32(batch) : 1, &res);
	if (ret)
		goto out;
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	hdr = genlmsg_put_reply(msg, info, &ssihv_genl_family, 0,
				SSIHV_CMD_NODE_XFER_TEST);
	if (!hdr || nla_put_u32(msg, SSIHV_A_NODE_ID, node->id) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_OK, res.ok, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_FAILED, res.failed,
			      SSIHV_A_PAD) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_BAD_CSUM, res.bad_csum,
			      SSIHV_A_PAD) ||
	    nla_put_s32(msg, SSIHV_A_XFER_ERRNO, res.first_errno) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_NS, res.ns, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_LAT_MEDIAN_NS, res.lat_median,
			      SSIHV_A_PAD) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_LAT_P99_NS, res.lat_p99,
			      SSIHV_A_PAD) ||
	    nla_put_u64_64bit(msg, SSIHV_A_XFER_LAT_P999_NS, res.lat_p999,
			      SSIHV_A_PAD)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	ssihv_node_put(node);
	return ret;
}

/* NODE_UP / NODE_DOWN on the "events" group; best effort. */
void ssihv_event_node(u8 cmd, u32 id, int err)
{
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&ssihv_genl_family, &init_net, 0))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ssihv_genl_family, 0, cmd);
	if (!hdr || nla_put_u32(skb, SSIHV_A_NODE_ID, id) ||
	    (err && nla_put_s32(skb, SSIHV_A_NODE_LAST_ERROR, err))) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&ssihv_genl_family, skb, 0, 0, GFP_KERNEL);
}
