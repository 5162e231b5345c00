// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink node commands of the RDMA transport, spoken to directly with
 * libnl-genl-3: strict validation of NODE_ADD / NODE_XFER_TEST, the node
 * table (add, get, dump, del), admin-only mutation, and that requests to
 * a node that is not connected fail cleanly.  Needs no RDMA device: it
 * also proves the module works without one (the addresses used are
 * unreachable from the test VM).
 */
#include <arpa/inet.h>

#include "harness.h"
#include "ssihv_util.h"

/* Ids far from the test bed's nodes (0..N-1). */
#define NODE_A	200
#define NODE_B	201

static struct nla_policy node_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_NODE_ID]	= { .type = NLA_U32 },
	[SSIHV_A_NODE_STATE]	= { .type = NLA_U8 },
	[SSIHV_A_NODE_PORT]	= { .type = NLA_U16 },
	[SSIHV_A_NODE_ERRORS]	= { .type = NLA_U64 },
	[SSIHV_A_XFER_OK]	= { .type = NLA_U64 },
	[SSIHV_A_XFER_FAILED]	= { .type = NLA_U64 },
	[SSIHV_A_XFER_ERRNO]	= { .type = NLA_U32 },
};

static int node_add(struct genl_conn *conn, uint32_t id, const void *addr,
		    int len)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_NODE_ADD);
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, id), 0);
	if (addr)
		ASSERT_EQ(nla_put(msg, SSIHV_A_NODE_ADDR, len, addr), 0);
	ret = genl_transact(conn, msg, &result);
	genl_result_free(&result);
	return ret;
}

static int node_add4(struct genl_conn *conn, uint32_t id, const char *text)
{
	struct in_addr a;

	ASSERT_EQ(inet_pton(AF_INET, text, &a), 1);
	return node_add(conn, id, &a, 4);
}

static int node_cmd(struct genl_conn *conn, uint8_t cmd, uint32_t id,
		    struct genl_result *result)
{
	struct nl_msg *msg = genl_new_request(conn, cmd);

	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, id), 0);
	return genl_transact(conn, msg, result);
}

static int node_del(struct genl_conn *conn, uint32_t id)
{
	struct genl_result result;
	int ret = node_cmd(conn, SSIHV_CMD_NODE_DEL, id, &result);

	genl_result_free(&result);
	return ret;
}

TEST(node_add_validates_every_field)
{
	static const uint8_t five[5] = { 10, 0, 0, 1, 2 };
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	node_del(&conn, NODE_A);
	EXPECT_EQ(node_add(&conn, NODE_A, five, 5), -EINVAL);
	EXPECT_EQ(node_add(&conn, NODE_A, five, 3), -EINVAL);
	EXPECT_EQ(node_add(&conn, NODE_A, NULL, 0), -EINVAL);
	EXPECT_EQ(node_add4(&conn, NODE_A, "0.0.0.0"), -EINVAL);
	EXPECT_EQ(node_add4(&conn, NODE_A, "224.0.0.1"), -EINVAL);
	EXPECT_EQ(node_add4(&conn, NODE_A, "255.255.255.255"), -EINVAL);
	EXPECT_NE(node_add4(&conn, 256, "10.99.7.7"), 0);
	EXPECT_NE(node_add4(&conn, 0xffffffff, "10.99.7.7"), 0);
	/* the module was loaded with this node's own id */
	EXPECT_EQ(node_add4(&conn, atoi(getenv("SSIHV_NODE") ?: "0"),
			    "10.99.7.7"), -EADDRINUSE);
	EXPECT_EQ(node_cmd(&conn, SSIHV_CMD_GET_NODE, NODE_A,
			   &(struct genl_result){ 0 }), -ENOENT);
	genl_conn_close(&conn);
}

TEST(node_add_get_dump_del)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	struct genl_conn conn;
	struct in6_addr a6;

	ensure_module();
	ssihv_conn_open(&conn);
	node_del(&conn, NODE_A);
	node_del(&conn, NODE_B);
	ASSERT_EQ(node_add4(&conn, NODE_A, "10.99.7.7"), 0);
	EXPECT_EQ(node_add4(&conn, NODE_A, "10.99.7.8"), -EEXIST);
	ASSERT_EQ(inet_pton(AF_INET6, "fd00:99::7", &a6), 1);
	ASSERT_EQ(node_add(&conn, NODE_B, &a6, 16), 0);

	ASSERT_EQ(node_cmd(&conn, SSIHV_CMD_GET_NODE, NODE_B, &result), 0);
	ASSERT_TRUE(result.reply);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(result.reply), 0, attrs,
				SSIHV_A_MAX, node_policy), 0);
	ASSERT_TRUE(attrs[SSIHV_A_NODE_ADDR]);
	EXPECT_EQ(nla_len(attrs[SSIHV_A_NODE_ADDR]), 16);
	EXPECT_EQ(memcmp(nla_data(attrs[SSIHV_A_NODE_ADDR]), &a6, 16), 0);
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_NODE_ID]), NODE_B);
	EXPECT_NE(nla_get_u8(attrs[SSIHV_A_NODE_STATE]), SSIHV_NODE_UP);
	EXPECT_EQ(nla_get_u16(attrs[SSIHV_A_NODE_PORT]), 18600);
	genl_result_free(&result);

	EXPECT_EQ(node_del(&conn, NODE_A), 0);
	EXPECT_EQ(node_del(&conn, NODE_A), -ENOENT);
	EXPECT_EQ(node_del(&conn, NODE_B), 0);
	EXPECT_EQ(node_cmd(&conn, SSIHV_CMD_GET_NODE, NODE_B, &result),
		  -ENOENT);
	genl_conn_close(&conn);
}

/* Nothing answers at that address: requests fail, nothing hangs. */
TEST(requests_to_an_unconnected_node_fail)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	struct genl_conn conn;
	struct nl_msg *msg;

	ensure_module();
	ssihv_conn_open(&conn);
	node_del(&conn, NODE_A);
	ASSERT_EQ(node_add4(&conn, NODE_A, "10.99.7.7"), 0);
	EXPECT_EQ(node_cmd(&conn, SSIHV_CMD_NODE_PING, NODE_A, &result),
		  -ENOTCONN);
	genl_result_free(&result);

	msg = genl_new_request(&conn, SSIHV_CMD_NODE_XFER_TEST);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, NODE_A), 0);
	ASSERT_EQ(nla_put_u8(msg, SSIHV_A_XFER_OP, SSIHV_XFER_FETCH_READ), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_XFER_COUNT, 100), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_XFER_THREADS, 4), 0);
	ASSERT_EQ(genl_transact(&conn, msg, &result), 0);
	ASSERT_TRUE(result.reply);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(result.reply), 0, attrs,
				SSIHV_A_MAX, node_policy), 0);
	EXPECT_EQ(nla_get_u64(attrs[SSIHV_A_XFER_OK]), 0);
	EXPECT_EQ(nla_get_u64(attrs[SSIHV_A_XFER_FAILED]), 100);
	EXPECT_EQ((int32_t)nla_get_u32(attrs[SSIHV_A_XFER_ERRNO]), -ENOTCONN);
	genl_result_free(&result);

	ASSERT_EQ(node_cmd(&conn, SSIHV_CMD_GET_NODE, NODE_A, &result), 0);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(result.reply), 0, attrs,
				SSIHV_A_MAX, node_policy), 0);
	EXPECT_GE(nla_get_u64(attrs[SSIHV_A_NODE_ERRORS]), 101);
	genl_result_free(&result);
	EXPECT_EQ(node_del(&conn, NODE_A), 0);
	genl_conn_close(&conn);
}

static int xfer(struct genl_conn *conn, uint8_t op, uint32_t count,
		uint32_t threads, uint32_t batch)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_NODE_XFER_TEST);
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_NODE_ID, NODE_A), 0);
	ASSERT_EQ(nla_put_u8(msg, SSIHV_A_XFER_OP, op), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_XFER_COUNT, count), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_XFER_THREADS, threads), 0);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_XFER_BATCH, batch), 0);
	ret = genl_transact(conn, msg, &result);
	genl_result_free(&result);
	return ret;
}

TEST(xfer_test_validates_every_field)
{
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	node_del(&conn, NODE_A);
	ASSERT_EQ(node_add4(&conn, NODE_A, "10.99.7.7"), 0);
	EXPECT_NE(xfer(&conn, 0, 10, 1, 1), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FRAME_REQ + 1, 10, 1, 1), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FETCH_READ, 0, 1, 1), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FETCH_READ, SSIHV_XFER_MAX + 1, 1,
		       1), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FETCH_READ, 10, 0, 1), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FETCH_READ, 10,
		       SSIHV_XFER_MAX_THREADS + 1, 1), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FETCH_READ, 10, 1, 0), 0);
	EXPECT_NE(xfer(&conn, SSIHV_XFER_FETCH_READ, 10, 1,
		       SSIHV_XFER_MAX_BATCH + 1), 0);
	EXPECT_EQ(xfer(&conn, SSIHV_XFER_FETCH_READ, 10, 2,
		       SSIHV_XFER_MAX_BATCH), 0);
	EXPECT_EQ(node_del(&conn, NODE_A), 0);
	genl_conn_close(&conn);
}

/* Forked child: may drop root for good. */
TEST(unprivileged_node_commands_are_denied)
{
	struct genl_result result;
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	node_del(&conn, NODE_A);
	ASSERT_EQ(node_add4(&conn, NODE_A, "10.99.7.7"), 0);
	genl_conn_close(&conn);

	drop_privileges();
	ssihv_conn_open(&conn);
	EXPECT_EQ(node_add4(&conn, NODE_B, "10.99.7.8"), -EPERM);
	EXPECT_EQ(node_del(&conn, NODE_A), -EPERM);
	EXPECT_EQ(node_cmd(&conn, SSIHV_CMD_NODE_PING, NODE_A, &result),
		  -EPERM);
	EXPECT_EQ(xfer(&conn, SSIHV_XFER_FETCH_READ, 1, 1, 1), -EPERM);
	/* reading is open to everyone */
	EXPECT_EQ(node_cmd(&conn, SSIHV_CMD_GET_NODE, NODE_A, &result), 0);
	genl_result_free(&result);
	genl_conn_close(&conn);
}

/* Runs after the unprivileged test (tests run in order): clean up. */
TEST(cleanup_nodes)
{
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	node_del(&conn, NODE_A);
	node_del(&conn, NODE_B);
	genl_conn_close(&conn);
}
