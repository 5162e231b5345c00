// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl node": cluster nodes and the RDMA transport.  "list" dumps
 * SSIHV_CMD_GET_NODE, "show" asks for one node; "add", "del", "ping" and
 * the "xfer" diagnostic need CAP_NET_ADMIN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

#define MAX_NODES 256

static struct nla_policy node_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_NODE_ID]		= { .type = NLA_U32 },
	[SSIHV_A_NODE_ADDR]		= { .type = NLA_UNSPEC, .minlen = 4 },
	[SSIHV_A_NODE_PORT]		= { .type = NLA_U16 },
	[SSIHV_A_NODE_STATE]		= { .type = NLA_U8 },
	[SSIHV_A_NODE_ACTIVE]		= { .type = NLA_FLAG },
	[SSIHV_A_NODE_RTT_NS]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_BYTES_IN]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_BYTES_OUT]	= { .type = NLA_U64 },
	[SSIHV_A_NODE_OPS_IN]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_OPS_OUT]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_ERRORS]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_RETRIES]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_CONNECTS]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_RX_BAD]		= { .type = NLA_U64 },
	[SSIHV_A_NODE_LAST_ERROR]	= { .type = NLA_U32 },
	[SSIHV_A_NODE_DEVICE]		= { .type = NLA_STRING },
	[SSIHV_A_XFER_OK]		= { .type = NLA_U64 },
	[SSIHV_A_XFER_FAILED]		= { .type = NLA_U64 },
	[SSIHV_A_XFER_BAD_CSUM]		= { .type = NLA_U64 },
	[SSIHV_A_XFER_ERRNO]		= { .type = NLA_U32 },
	[SSIHV_A_XFER_NS]		= { .type = NLA_U64 },
	[SSIHV_A_XFER_LAT_MEDIAN_NS]	= { .type = NLA_U64 },
	[SSIHV_A_XFER_LAT_P99_NS]	= { .type = NLA_U64 },
	[SSIHV_A_XFER_LAT_P999_NS]	= { .type = NLA_U64 },
};

struct node_info {
	uint32_t id;
	char addr[INET6_ADDRSTRLEN];
	uint16_t port;
	uint8_t state;
	bool active;
	uint64_t rtt_ns, bytes_in, bytes_out, ops_in, ops_out;
	uint64_t errors, retries, connects, rx_bad;
	int32_t last_error;
	char device[64];
};

struct node_reply {
	struct ssihv_nl *nl;
	struct node_info *nodes;
	unsigned int count;
};

static uint64_t get_u64(struct nlattr **attrs, int attr)
{
	return attrs[attr] ? nla_get_u64(attrs[attr]) : 0;
}

static const char *state_name(uint8_t state)
{
	switch (state) {
	case SSIHV_NODE_DOWN:
		return "down";
	case SSIHV_NODE_CONNECTING:
		return "connecting";
	case SSIHV_NODE_UP:
		return "up";
	}
	return "unknown";
}

static int handle_node(struct nlattr **attrs, void *arg)
{
	struct node_reply *reply = arg;
	struct node_info *n;
	struct nlattr *addr = attrs[SSIHV_A_NODE_ADDR];

	if (!attrs[SSIHV_A_NODE_ID] || !attrs[SSIHV_A_NODE_STATE] || !addr ||
	    (nla_len(addr) != 4 && nla_len(addr) != 16)) {
		snprintf(reply->nl->extack_msg, sizeof(reply->nl->extack_msg),
			 "the kernel's node reply is incomplete");
		return -EPROTO;
	}
	if (reply->count >= MAX_NODES)
		return -EOVERFLOW;
	n = &reply->nodes[reply->count++];
	memset(n, 0, sizeof(*n));
	n->id = nla_get_u32(attrs[SSIHV_A_NODE_ID]);
	inet_ntop(nla_len(addr) == 4 ? AF_INET : AF_INET6, nla_data(addr),
		  n->addr, sizeof(n->addr));
	n->port = attrs[SSIHV_A_NODE_PORT] ?
		  nla_get_u16(attrs[SSIHV_A_NODE_PORT]) : 0;
	n->state = nla_get_u8(attrs[SSIHV_A_NODE_STATE]);
	n->active = attrs[SSIHV_A_NODE_ACTIVE];
	n->rtt_ns = get_u64(attrs, SSIHV_A_NODE_RTT_NS);
	n->bytes_in = get_u64(attrs, SSIHV_A_NODE_BYTES_IN);
	n->bytes_out = get_u64(attrs, SSIHV_A_NODE_BYTES_OUT);
	n->ops_in = get_u64(attrs, SSIHV_A_NODE_OPS_IN);
	n->ops_out = get_u64(attrs, SSIHV_A_NODE_OPS_OUT);
	n->errors = get_u64(attrs, SSIHV_A_NODE_ERRORS);
	n->retries = get_u64(attrs, SSIHV_A_NODE_RETRIES);
	n->connects = get_u64(attrs, SSIHV_A_NODE_CONNECTS);
	n->rx_bad = get_u64(attrs, SSIHV_A_NODE_RX_BAD);
	if (attrs[SSIHV_A_NODE_LAST_ERROR])
		n->last_error =
			(int32_t)nla_get_u32(attrs[SSIHV_A_NODE_LAST_ERROR]);
	if (attrs[SSIHV_A_NODE_DEVICE])
		snprintf(n->device, sizeof(n->device), "%s",
			 nla_get_string(attrs[SSIHV_A_NODE_DEVICE]));
	return 0;
}

static int parse_node_id(const char *text, uint32_t *id)
{
	uint64_t v;

	if (parse_u64(text, &v) != PARSE_OK || v >= MAX_NODES)
		return usage_error("invalid node id '%s' (0-%d)", text,
				   MAX_NODES - 1);
	*id = (uint32_t)v;
	return EXIT_OK;
}

static void print_node(const struct node_info *n, bool table)
{
	char rtt[32];

	out_record_begin();
	out_u64("id", "id", n->id);
	out_str("state", "state", state_name(n->state));
	out_str("addr", "address", n->addr);
	out_u64("port", "port", n->port);
	snprintf(rtt, sizeof(rtt), "%.1f us", n->rtt_ns / 1000.0);
	if (n->rtt_ns)
		out_u64_text("rtt_ns", "rtt", n->rtt_ns, rtt);
	else
		out_null("rtt_ns", "rtt", "-");
	out_u64("bytes_in", "bytes in", n->bytes_in);
	out_u64("bytes_out", "bytes out", n->bytes_out);
	out_u64("ops_in", "ops in", n->ops_in);
	out_u64("ops_out", "ops out", n->ops_out);
	out_u64("errors", "errors", n->errors);
	out_u64("retries", "retries", n->retries);
	if (!table) {
		out_bool("active", "connects to it", n->active);
		out_u64("connects", "connections", n->connects);
		out_u64("rx_bad", "bad messages", n->rx_bad);
		out_s64("last_error", "last error", n->last_error);
		out_str("device", "device", n->device[0] ? n->device : "-");
	}
	out_record_end();
}

static int get_nodes(struct ssihv_nl *nl, int has_id, uint32_t id,
		     struct node_reply *nr)
{
	const struct ssihv_nl_reply reply = {
		.policy = node_policy,
		.handle = handle_node,
		.arg = nr,
	};
	struct nl_msg *msg;

	if (has_id) {
		msg = ssihv_nl_request(nl, SSIHV_CMD_GET_NODE);
		if (!msg)
			return -ENOMEM;
		if (nla_put_u32(msg, SSIHV_A_NODE_ID, id) < 0) {
			nlmsg_free(msg);
			return -ENOMEM;
		}
	} else {
		msg = ssihv_nl_dump_request(nl, SSIHV_CMD_GET_NODE);
		if (!msg)
			return -ENOMEM;
	}
	return ssihv_nl_transact(nl, msg, &reply);
}

static int node_list(int argc, char **argv)
{
	struct node_info *nodes;
	struct node_reply nr;
	struct ssihv_nl nl;
	unsigned int i;
	int ret;

	if (argc > 0)
		return usage_error("'node list' takes no arguments, got '%s'",
				   argv[0]);
	nodes = calloc(MAX_NODES, sizeof(*nodes));
	if (!nodes)
		return fail("out of memory");
	if (ssihv_nl_connect(&nl)) {
		free(nodes);
		return EXIT_FAIL;
	}
	nr = (struct node_reply){ .nl = &nl, .nodes = nodes };
	ret = get_nodes(&nl, 0, 0, &nr);
	if (ret) {
		ret = ssihv_nl_report(&nl, "node list", ret);
		goto out;
	}
	out_table_begin();
	for (i = 0; i < nr.count; i++)
		print_node(&nodes[i], true);
	ret = out_end();
out:
	ssihv_nl_close(&nl);
	free(nodes);
	return ret;
}

static int node_show(int argc, char **argv)
{
	struct node_info node;
	struct node_reply nr = { .nodes = &node };
	struct ssihv_nl nl;
	uint32_t id = 0;
	int ret;

	if (argc != 1)
		return usage_error("'node show' needs exactly one node id");
	ret = parse_node_id(argv[0], &id);
	if (ret)
		return ret;
	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	nr.nl = &nl;
	ret = get_nodes(&nl, 1, id, &nr);
	if (!ret && nr.count != 1)
		ret = -EPROTO;
	if (ret) {
		ret = ssihv_nl_report(&nl, "node show", ret);
		ssihv_nl_close(&nl);
		return ret;
	}
	ssihv_nl_close(&nl);
	out_begin(false);
	print_node(&node, false);
	return out_end();
}

static int node_add(int argc, char **argv)
{
	unsigned char addr[16];
	uint64_t port = 0;
	struct nl_msg *msg;
	struct ssihv_nl nl;
	uint32_t id = 0;
	int ret, len;

	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "port")))
		return usage_error("usage: node add ID ADDR [port PORT]");
	ret = parse_node_id(argv[0], &id);
	if (ret)
		return ret;
	if (inet_pton(AF_INET, argv[1], addr) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, argv[1], addr) == 1)
		len = 16;
	else
		return usage_error("invalid address '%s' (IPv4 or IPv6)",
				   argv[1]);
	if (argc == 4 && (parse_u64(argv[3], &port) != PARSE_OK || !port ||
			  port > 65535))
		return usage_error("invalid port '%s'", argv[3]);

	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	msg = ssihv_nl_request(&nl, SSIHV_CMD_NODE_ADD);
	if (!msg) {
		ssihv_nl_close(&nl);
		return EXIT_FAIL;
	}
	if (nla_put_u32(msg, SSIHV_A_NODE_ID, id) < 0 ||
	    nla_put(msg, SSIHV_A_NODE_ADDR, len, addr) < 0 ||
	    (port && nla_put_u16(msg, SSIHV_A_NODE_PORT, port) < 0)) {
		nlmsg_free(msg);
		ssihv_nl_close(&nl);
		return fail("out of memory");
	}
	ret = ssihv_nl_transact(&nl, msg, NULL);
	if (ret)
		ret = ssihv_nl_report(&nl, "node add", ret);
	ssihv_nl_close(&nl);
	return ret;
}

/* A request with only a node id and an optional reply. */
static int node_simple(const char *what, uint8_t cmd, const char *arg,
		       const struct ssihv_nl_reply *reply)
{
	struct nl_msg *msg;
	struct ssihv_nl nl;
	uint32_t id = 0;
	int ret;

	ret = parse_node_id(arg, &id);
	if (ret)
		return ret;
	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	msg = ssihv_nl_request(&nl, cmd);
	if (!msg) {
		ssihv_nl_close(&nl);
		return EXIT_FAIL;
	}
	if (nla_put_u32(msg, SSIHV_A_NODE_ID, id) < 0) {
		nlmsg_free(msg);
		ssihv_nl_close(&nl);
		return fail("out of memory");
	}
	ret = ssihv_nl_transact(&nl, msg, reply);
	if (ret)
		ret = ssihv_nl_report(&nl, what, ret);
	ssihv_nl_close(&nl);
	return ret;
}

static int node_del(int argc, char **argv)
{
	if (argc != 1)
		return usage_error("'node del' needs exactly one node id");
	return node_simple("node del", SSIHV_CMD_NODE_DEL, argv[0], NULL);
}

static int handle_ping(struct nlattr **attrs, void *arg)
{
	uint64_t *rtt = arg;

	if (!attrs[SSIHV_A_NODE_RTT_NS])
		return -EPROTO;
	*rtt = nla_get_u64(attrs[SSIHV_A_NODE_RTT_NS]);
	return 0;
}

static int node_ping(int argc, char **argv)
{
	uint64_t rtt = 0;
	const struct ssihv_nl_reply reply = {
		.policy = node_policy,
		.handle = handle_ping,
		.arg = &rtt,
	};
	char text[32];
	int ret;

	if (argc != 1)
		return usage_error("'node ping' needs exactly one node id");
	ret = node_simple("node ping", SSIHV_CMD_NODE_PING, argv[0], &reply);
	if (ret)
		return ret;
	out_begin(false);
	out_record_begin();
	out_str("node", "node", argv[0]);
	snprintf(text, sizeof(text), "%.1f us", rtt / 1000.0);
	out_u64_text("rtt_ns", "rtt", rtt, text);
	out_record_end();
	return out_end();
}

struct xfer_info {
	uint64_t ok, failed, bad_csum, ns, median, p99, p999;
	int32_t err;
	bool got;
};

static int handle_xfer(struct nlattr **attrs, void *arg)
{
	struct xfer_info *x = arg;

	if (!attrs[SSIHV_A_XFER_OK] || !attrs[SSIHV_A_XFER_NS])
		return -EPROTO;
	x->ok = get_u64(attrs, SSIHV_A_XFER_OK);
	x->failed = get_u64(attrs, SSIHV_A_XFER_FAILED);
	x->bad_csum = get_u64(attrs, SSIHV_A_XFER_BAD_CSUM);
	x->ns = get_u64(attrs, SSIHV_A_XFER_NS);
	x->median = get_u64(attrs, SSIHV_A_XFER_LAT_MEDIAN_NS);
	x->p99 = get_u64(attrs, SSIHV_A_XFER_LAT_P99_NS);
	x->p999 = get_u64(attrs, SSIHV_A_XFER_LAT_P999_NS);
	if (attrs[SSIHV_A_XFER_ERRNO])
		x->err = (int32_t)nla_get_u32(attrs[SSIHV_A_XFER_ERRNO]);
	x->got = true;
	return 0;
}

static int node_xfer(int argc, char **argv)
{
	struct xfer_info x = { 0 };
	const struct ssihv_nl_reply reply = {
		.policy = node_policy,
		.handle = handle_xfer,
		.arg = &x,
	};
	uint64_t count, threads = 1, batch = 1, *value;
	int i;
	struct nl_msg *msg;
	struct ssihv_nl nl;
	uint8_t op;
	uint32_t id = 0;
	double mbs;
	int ret;

	if (argc < 3 || argc % 2 == 0)
		return usage_error("usage: node xfer ID fetch|fetch-write|push COUNT [threads N] [batch N]");
	ret = parse_node_id(argv[0], &id);
	if (ret)
		return ret;
	if (!strcmp(argv[1], "fetch"))
		op = SSIHV_XFER_FETCH_READ;
	else if (!strcmp(argv[1], "fetch-write"))
		op = SSIHV_XFER_FETCH_WRITE;
	else if (!strcmp(argv[1], "push"))
		op = SSIHV_XFER_PUSH;
	else
		return usage_error("unknown transfer '%s'", argv[1]);
	if (parse_u64(argv[2], &count) != PARSE_OK || !count ||
	    count > SSIHV_XFER_MAX)
		return usage_error("invalid count '%s' (1-%d)", argv[2],
				   SSIHV_XFER_MAX);
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "threads"))
			value = &threads;
		else if (!strcmp(argv[i], "batch"))
			value = &batch;
		else
			return usage_error("unknown option '%s'", argv[i]);
		if (parse_u64(argv[i + 1], value) != PARSE_OK || !*value)
			return usage_error("invalid %s '%s'", argv[i],
					   argv[i + 1]);
	}
	if (threads > SSIHV_XFER_MAX_THREADS)
		return usage_error("at most %d threads", SSIHV_XFER_MAX_THREADS);
	if (batch > SSIHV_XFER_MAX_BATCH)
		return usage_error("a batch is at most %d pages",
				   SSIHV_XFER_MAX_BATCH);
	if (batch > 1 && op != SSIHV_XFER_FETCH_READ)
		return usage_error("only 'fetch' takes a batch");

	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	msg = ssihv_nl_request(&nl, SSIHV_CMD_NODE_XFER_TEST);
	if (!msg) {
		ssihv_nl_close(&nl);
		return EXIT_FAIL;
	}
	if (nla_put_u32(msg, SSIHV_A_NODE_ID, id) < 0 ||
	    nla_put_u8(msg, SSIHV_A_XFER_OP, op) < 0 ||
	    nla_put_u32(msg, SSIHV_A_XFER_COUNT, count) < 0 ||
	    nla_put_u32(msg, SSIHV_A_XFER_THREADS, threads) < 0 ||
	    (batch > 1 && nla_put_u32(msg, SSIHV_A_XFER_BATCH, batch) < 0)) {
		nlmsg_free(msg);
		ssihv_nl_close(&nl);
		return fail("out of memory");
	}
	ret = ssihv_nl_transact(&nl, msg, &reply);
	if (!ret && !x.got)
		ret = -EPROTO;
	if (ret) {
		ret = ssihv_nl_report(&nl, "node xfer", ret);
		ssihv_nl_close(&nl);
		return ret;
	}
	ssihv_nl_close(&nl);

	mbs = x.ns ? x.ok * 4096.0 / (x.ns / 1e9) / 1e6 : 0;
	out_begin(false);
	out_record_begin();
	out_str("op", "operation", argv[1]);
	out_u64("pages", "pages", count);
	out_u64("ok", "ok", x.ok);
	out_u64("failed", "failed", x.failed);
	out_u64("bad_csum", "bad checksum", x.bad_csum);
	out_s64("errno", "first error", x.err);
	out_u64("ns", "time (ns)", x.ns);
	out_u64("lat_median_ns", "latency median (ns)", x.median);
	out_u64("lat_p99_ns", "latency p99 (ns)", x.p99);
	out_u64("lat_p999_ns", "latency p99.9 (ns)", x.p999);
	out_u64("mbytes_per_s_x1000", "throughput (MB/s x1000)",
		(uint64_t)(mbs * 1000));
	out_record_end();
	ret = out_end();
	if (ret == EXIT_OK && (x.failed || x.bad_csum))
		ret = EXIT_FAIL;
	return ret;
}

static const struct ssihvctl_cmd node_cmds[] = {
	{ "list", node_list },
	{ "show", node_show },
	{ "add", node_add },
	{ "del", node_del },
	{ "ping", node_ping },
	{ "xfer", node_xfer },
	{ NULL, NULL },
};

static int node_run(int argc, char **argv)
{
	return run_cmd(&node_object, node_cmds, "list", argc, argv);
}

const struct ssihvctl_object node_object = {
	.name = "node",
	.summary = "cluster nodes and the RDMA transport",
	.usage = "  ssihvctl [-j] node [list]\n"
		 "  ssihvctl [-j] node show ID\n"
		 "  ssihvctl node add ID ADDR [port PORT]\n"
		 "  ssihvctl node del ID\n"
		 "  ssihvctl [-j] node ping ID\n"
		 "  ssihvctl [-j] node xfer ID fetch|fetch-write|push COUNT\n"
		 "                [threads N] [batch N]\n",
	.run = node_run,
};
