// SPDX-License-Identifier: GPL-2.0
/*
 * The "ssihv" generic netlink family, spoken to directly with libnl-genl-3
 * (not through ssihvctl): replies, strict attribute policies, admin-only
 * mutating commands.  Runs as root against the loaded module; loads it if
 * needed.
 */
#include "harness.h"
#include "ssihv_util.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/*
 * The GET_* commands: open to every user.  Every other op the family
 * registers must require CAP_NET_ADMIN; a new GET_* command goes here.
 */
static const uint8_t read_only_cmds[] = {
	SSIHV_CMD_GET_INFO,
	SSIHV_CMD_GET_VM,
	SSIHV_CMD_GET_PAGE,
	SSIHV_CMD_GET_STATS,
	SSIHV_CMD_GET_NODE,
};

/* Lengths checked by libnl when it parses a GET_INFO reply. */
static struct nla_policy info_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_INFO_MODULE_VERSION]	= { .type = NLA_STRING },
	[SSIHV_A_INFO_PROTO_VERSION]	= { .type = NLA_U32 },
	[SSIHV_A_INFO_GENL_VERSION]	= { .type = NLA_U32 },
	[SSIHV_A_INFO_PAGE_SIZE]	= { .type = NLA_U32 },
	[SSIHV_A_INFO_MAX_VMS]		= { .type = NLA_U32 },
	[SSIHV_A_INFO_MAX_NODES]	= { .type = NLA_U32 },
	[SSIHV_A_INFO_MAX_VM_MEMORY]	= { .type = NLA_U64 },
	[SSIHV_A_INFO_MAX_RANGES]	= { .type = NLA_U32 },
	[SSIHV_A_CONFIG_PLACEMENT]	= { .type = NLA_U32 },
	[SSIHV_A_CONFIG_PLACEMENT_HEAT]	= { .type = NLA_U32 },
	[SSIHV_A_CONFIG_PLACEMENT_RATE]	= { .type = NLA_U32 },
};

/* Send GET_INFO, which must succeed; attrs point into result->reply. */
static void get_info(struct genl_conn *conn, struct genl_result *result,
		     struct nlattr **attrs)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_GET_INFO);

	ASSERT_EQ(genl_transact(conn, msg, result), 0);
	ASSERT_TRUE(result->reply);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(result->reply), 0, attrs,
				SSIHV_A_MAX, info_policy), 0);
}

static uint64_t get_max_vm_memory(struct genl_conn *conn)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	uint64_t bytes;

	get_info(conn, &result, attrs);
	ASSERT_TRUE(attrs[SSIHV_A_INFO_MAX_VM_MEMORY]);
	bytes = nla_get_u64(attrs[SSIHV_A_INFO_MAX_VM_MEMORY]);
	genl_result_free(&result);
	return bytes;
}

/* SET_CONFIG max VM memory; returns the kernel's errno (negative) or 0. */
static int set_max_vm_memory(struct genl_conn *conn, uint64_t bytes)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_SET_CONFIG);
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_CONFIG_MAX_VM_MEMORY, bytes), 0);
	ret = genl_transact(conn, msg, &result);
	genl_result_free(&result);
	return ret;
}

TEST(get_info_reports_every_attribute)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	struct genl_conn conn;
	uint64_t max_vm_memory;
	int attr;

	ensure_module();
	ssihv_conn_open(&conn);
	get_info(&conn, &result, attrs);

	for (attr = SSIHV_A_INFO_MODULE_VERSION;
	     attr <= SSIHV_A_INFO_MAX_RANGES; attr++) {
		if (!attrs[attr])
			harness_log("attribute %d missing", attr);
		EXPECT_TRUE(attrs[attr]);
	}
	ASSERT_TRUE(attrs[SSIHV_A_INFO_MODULE_VERSION]);
	ASSERT_TRUE(attrs[SSIHV_A_INFO_MAX_RANGES]);

	harness_log("module version %s",
		    nla_get_string(attrs[SSIHV_A_INFO_MODULE_VERSION]));
	EXPECT_GE(strlen(nla_get_string(attrs[SSIHV_A_INFO_MODULE_VERSION])),
		  1);
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_INFO_PROTO_VERSION]),
		  SSIHV_PROTO_VERSION);
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_INFO_GENL_VERSION]),
		  SSIHV_GENL_VERSION);
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_INFO_PAGE_SIZE]),
		  sysconf(_SC_PAGESIZE));
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_INFO_MAX_VMS]), SSIHV_MAX_VMS);
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_INFO_MAX_NODES]),
		  SSIHV_MAX_NODES);
	EXPECT_EQ(nla_get_u32(attrs[SSIHV_A_INFO_MAX_RANGES]),
		  SSIHV_MAX_RANGES);

	/* u64 attributes travel with exactly 8 bytes of payload. */
	EXPECT_EQ(nla_len(attrs[SSIHV_A_INFO_MAX_VM_MEMORY]), 8);
	max_vm_memory = nla_get_u64(attrs[SSIHV_A_INFO_MAX_VM_MEMORY]);
	harness_log("max VM memory %llu bytes",
		    (unsigned long long)max_vm_memory);
	EXPECT_GE(max_vm_memory, MiB);
	EXPECT_EQ(max_vm_memory % sysconf(_SC_PAGESIZE), 0);

	genl_result_free(&result);
	genl_conn_close(&conn);
}

TEST(get_info_rejects_unexpected_attributes)
{
	struct genl_result result;
	struct genl_conn conn;
	struct nl_msg *msg;

	ensure_module();
	ssihv_conn_open(&conn);

	/* A known attribute that GET_INFO's policy does not accept. */
	msg = genl_new_request(&conn, SSIHV_CMD_GET_INFO);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_CONFIG_MAX_VM_MEMORY, GiB), 0);
	EXPECT_EQ(genl_transact(&conn, msg, &result), -EINVAL);
	EXPECT_TRUE(!result.reply);
	genl_result_free(&result);

	/* An attribute type beyond the family's maxattr. */
	msg = genl_new_request(&conn, SSIHV_CMD_GET_INFO);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_MAX + 1, 1), 0);
	EXPECT_EQ(genl_transact(&conn, msg, &result), -EINVAL);
	genl_result_free(&result);

	genl_conn_close(&conn);
}

TEST(set_config_rejects_wrong_length)
{
	struct genl_result result;
	struct genl_conn conn;
	struct nl_msg *msg;
	uint64_t before;

	ensure_module();
	ssihv_conn_open(&conn);
	before = get_max_vm_memory(&conn);

	/* A u32 where the policy wants a u64. */
	msg = genl_new_request(&conn, SSIHV_CMD_SET_CONFIG);
	ASSERT_EQ(nla_put_u32(msg, SSIHV_A_CONFIG_MAX_VM_MEMORY, 1 << 30),
		  0);
	EXPECT_EQ(genl_transact(&conn, msg, &result), -EINVAL);
	genl_result_free(&result);

	/* Twelve bytes: too long is as wrong as too short. */
	msg = genl_new_request(&conn, SSIHV_CMD_SET_CONFIG);
	ASSERT_EQ(nla_put(msg, SSIHV_A_CONFIG_MAX_VM_MEMORY, 12,
			  "\0\0\0\x40\0\0\0\0\0\0\0\0"), 0);
	EXPECT_EQ(genl_transact(&conn, msg, &result), -EINVAL);
	genl_result_free(&result);

	EXPECT_EQ(get_max_vm_memory(&conn), before);
	genl_conn_close(&conn);
}

/*
 * Out-of-range values fail the policy's range check, for which the
 * netlink core returns ERANGE (lib/nlattr.c), not EINVAL.
 */
TEST(set_config_rejects_out_of_range)
{
	struct genl_conn conn;
	uint64_t before;

	ensure_module();
	ssihv_conn_open(&conn);
	before = get_max_vm_memory(&conn);

	EXPECT_EQ(set_max_vm_memory(&conn, 0), -ERANGE);
	EXPECT_EQ(set_max_vm_memory(&conn, MiB - sysconf(_SC_PAGESIZE)),
		  -ERANGE);
	EXPECT_EQ(set_max_vm_memory(&conn, (1ULL << 52) +
				    sysconf(_SC_PAGESIZE)), -ERANGE);
	EXPECT_EQ(set_max_vm_memory(&conn, UINT64_MAX), -ERANGE);

	EXPECT_EQ(get_max_vm_memory(&conn), before);
	genl_conn_close(&conn);
}

TEST(set_config_rejects_unaligned)
{
	struct genl_conn conn;
	uint64_t before;

	ensure_module();
	ssihv_conn_open(&conn);
	before = get_max_vm_memory(&conn);

	EXPECT_EQ(set_max_vm_memory(&conn, GiB + 1), -EINVAL);
	EXPECT_EQ(set_max_vm_memory(&conn, GiB + sysconf(_SC_PAGESIZE) / 2),
		  -EINVAL);

	EXPECT_EQ(get_max_vm_memory(&conn), before);
	genl_conn_close(&conn);
}

TEST(set_config_rejects_missing_value)
{
	struct genl_result result;
	struct genl_conn conn;
	struct nl_msg *msg;
	uint64_t before;

	ensure_module();
	ssihv_conn_open(&conn);
	before = get_max_vm_memory(&conn);

	msg = genl_new_request(&conn, SSIHV_CMD_SET_CONFIG);
	EXPECT_EQ(genl_transact(&conn, msg, &result), -EINVAL);
	EXPECT_TRUE(result.extack[0] != '\0');
	genl_result_free(&result);

	EXPECT_EQ(get_max_vm_memory(&conn), before);
	genl_conn_close(&conn);
}

/* GET_INFO's placement settings: policy, heat, rate. */
static void get_placement(struct genl_conn *conn, uint32_t p[3])
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;

	get_info(conn, &result, attrs);
	ASSERT_TRUE(attrs[SSIHV_A_CONFIG_PLACEMENT]);
	ASSERT_TRUE(attrs[SSIHV_A_CONFIG_PLACEMENT_HEAT]);
	ASSERT_TRUE(attrs[SSIHV_A_CONFIG_PLACEMENT_RATE]);
	p[0] = nla_get_u32(attrs[SSIHV_A_CONFIG_PLACEMENT]);
	p[1] = nla_get_u32(attrs[SSIHV_A_CONFIG_PLACEMENT_HEAT]);
	p[2] = nla_get_u32(attrs[SSIHV_A_CONFIG_PLACEMENT_RATE]);
	genl_result_free(&result);
}

/* SET_CONFIG one u32 placement attribute; the kernel's errno or 0. */
static int set_u32(struct genl_conn *conn, int attr, uint32_t value)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_SET_CONFIG);
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u32(msg, attr, value), 0);
	ret = genl_transact(conn, msg, &result);
	genl_result_free(&result);
	return ret;
}

/*
 * Placement: the defaults, every out-of-range value refused with ERANGE
 * and nothing changed, valid values read back, the defaults restored.
 */
TEST(set_config_placement)
{
	uint32_t p[3], q[3];
	struct genl_conn conn;

	ensure_module();
	ssihv_conn_open(&conn);
	get_placement(&conn, p);
	harness_log("placement %u heat %u rate %u", p[0], p[1], p[2]);
	EXPECT_EQ(p[0], SSIHV_PLACEMENT_HEAT);
	EXPECT_EQ(p[1], SSIHV_PLACEMENT_HEAT_DEFAULT);
	EXPECT_EQ(p[2], SSIHV_PLACEMENT_RATE_DEFAULT);

	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT,
			  __SSIHV_PLACEMENT_MAX), -ERANGE);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT, UINT32_MAX),
		  -ERANGE);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_HEAT, 0), -ERANGE);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_HEAT, 65536),
		  -ERANGE);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_RATE, 0), -ERANGE);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_RATE,
			  SSIHV_PLACEMENT_RATE_MAX + 1), -ERANGE);
	get_placement(&conn, q);
	EXPECT_EQ(memcmp(p, q, sizeof(p)), 0);

	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT,
			  SSIHV_PLACEMENT_MIGRATE), 0);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_HEAT, 65535), 0);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_RATE,
			  SSIHV_PLACEMENT_RATE_MAX), 0);
	get_placement(&conn, q);
	EXPECT_EQ(q[0], SSIHV_PLACEMENT_MIGRATE);
	EXPECT_EQ(q[1], 65535);
	EXPECT_EQ(q[2], SSIHV_PLACEMENT_RATE_MAX);

	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT, p[0]), 0);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_HEAT, p[1]), 0);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT_RATE, p[2]), 0);
	get_placement(&conn, q);
	EXPECT_EQ(memcmp(p, q, sizeof(p)), 0);
	genl_conn_close(&conn);
}

TEST(set_config_changes_get_info)
{
	struct genl_conn conn;
	uint64_t before, wanted;

	ensure_module();
	ssihv_conn_open(&conn);
	before = get_max_vm_memory(&conn);
	wanted = before == GiB ? 2 * GiB : GiB;

	ASSERT_EQ(set_max_vm_memory(&conn, wanted), 0);
	EXPECT_EQ(get_max_vm_memory(&conn), wanted);
	/* The smallest value the module accepts is valid too. */
	EXPECT_EQ(set_max_vm_memory(&conn, MiB), 0);
	EXPECT_EQ(get_max_vm_memory(&conn), MiB);

	ASSERT_EQ(set_max_vm_memory(&conn, before), 0);
	EXPECT_EQ(get_max_vm_memory(&conn), before);
	genl_conn_close(&conn);
}

TEST(unknown_command_is_not_supported)
{
	static const uint8_t bad_cmds[] = { SSIHV_CMD_UNSPEC,
					    SSIHV_CMD_MAX + 1, 255 };
	struct genl_result result;
	struct genl_conn conn;
	struct nl_msg *msg;
	size_t i;

	ensure_module();
	ssihv_conn_open(&conn);
	for (i = 0; i < ARRAY_SIZE(bad_cmds); i++) {
		harness_log("command %u", bad_cmds[i]);
		msg = genl_new_request(&conn, bad_cmds[i]);
		EXPECT_EQ(genl_transact(&conn, msg, &result), -EOPNOTSUPP);
		genl_result_free(&result);
	}
	genl_conn_close(&conn);
}

/* Ask the generic netlink controller about the ssihv family. */
static void get_family(struct genl_conn *ctrl, struct genl_result *result,
		       struct nlattr **attrs)
{
	struct nl_msg *msg = nlmsg_alloc();

	ASSERT_TRUE(msg);
	ASSERT_TRUE(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL,
				0, 0, CTRL_CMD_GETFAMILY, 1) != NULL);
	ASSERT_EQ(nla_put_string(msg, CTRL_ATTR_FAMILY_NAME,
				 SSIHV_GENL_NAME), 0);
	ASSERT_EQ(genl_transact(ctrl, msg, result), 0);
	ASSERT_TRUE(result->reply);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(result->reply), 0, attrs,
				CTRL_ATTR_MAX, NULL), 0);
}

static bool is_read_only(uint32_t cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(read_only_cmds); i++) {
		if (read_only_cmds[i] == cmd)
			return true;
	}
	return false;
}

/*
 * Every op that is not a GET_* must carry GENL_ADMIN_PERM, so a new
 * mutating command added without it fails here.
 */
TEST(mutating_commands_need_admin)
{
	struct nlattr *attrs[CTRL_ATTR_MAX + 1];
	struct nlattr *op_attrs[CTRL_ATTR_OP_MAX + 1];
	bool seen_set_config = false, seen_get_info = false;
	struct genl_result result;
	struct genl_conn ctrl;
	struct nlattr *op;
	uint32_t cmd, flags;
	int rem;

	ensure_module();
	genl_conn_open(&ctrl);
	get_family(&ctrl, &result, attrs);
	ASSERT_TRUE(attrs[CTRL_ATTR_OPS]);

	nla_for_each_nested(op, attrs[CTRL_ATTR_OPS], rem) {
		ASSERT_EQ(nla_parse_nested(op_attrs, CTRL_ATTR_OP_MAX, op,
					   NULL), 0);
		ASSERT_TRUE(op_attrs[CTRL_ATTR_OP_ID]);
		ASSERT_TRUE(op_attrs[CTRL_ATTR_OP_FLAGS]);
		cmd = nla_get_u32(op_attrs[CTRL_ATTR_OP_ID]);
		flags = nla_get_u32(op_attrs[CTRL_ATTR_OP_FLAGS]);
		harness_log("op %u flags %#x", cmd, flags);
		if (is_read_only(cmd)) {
			/* GET_* stay open to unprivileged users. */
			EXPECT_FALSE(flags & GENL_ADMIN_PERM);
		} else {
			if (!(flags & GENL_ADMIN_PERM))
				harness_log("op %u lacks GENL_ADMIN_PERM",
					    cmd);
			EXPECT_TRUE(flags & GENL_ADMIN_PERM);
		}
		seen_get_info |= cmd == SSIHV_CMD_GET_INFO;
		seen_set_config |= cmd == SSIHV_CMD_SET_CONFIG;
	}
	EXPECT_TRUE(seen_get_info);
	EXPECT_TRUE(seen_set_config);

	genl_result_free(&result);
	genl_conn_close(&ctrl);
}

TEST(family_version_and_events_group)
{
	struct nlattr *attrs[CTRL_ATTR_MAX + 1];
	struct nlattr *grp_attrs[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct genl_result result;
	struct genl_conn ctrl;
	bool seen_events = false;
	struct nlattr *grp;
	int rem;

	ensure_module();
	genl_conn_open(&ctrl);
	get_family(&ctrl, &result, attrs);

	ASSERT_TRUE(attrs[CTRL_ATTR_VERSION]);
	EXPECT_EQ(nla_get_u32(attrs[CTRL_ATTR_VERSION]), SSIHV_GENL_VERSION);
	ASSERT_TRUE(attrs[CTRL_ATTR_MCAST_GROUPS]);
	nla_for_each_nested(grp, attrs[CTRL_ATTR_MCAST_GROUPS], rem) {
		ASSERT_EQ(nla_parse_nested(grp_attrs, CTRL_ATTR_MCAST_GRP_MAX,
					   grp, NULL), 0);
		if (grp_attrs[CTRL_ATTR_MCAST_GRP_NAME] &&
		    !strcmp(nla_get_string(grp_attrs[CTRL_ATTR_MCAST_GRP_NAME]),
			    SSIHV_GENL_MCGRP_EVENTS))
			seen_events = true;
	}
	EXPECT_TRUE(seen_events);

	genl_result_free(&result);
	genl_conn_close(&ctrl);
}

/*
 * Without CAP_NET_ADMIN, SET_CONFIG is refused and changes nothing, while
 * GET_INFO still answers.  The test process is a forked child of its own,
 * so it may drop root for good.
 */
TEST(unprivileged_set_config_is_denied)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	struct genl_conn conn;
	uint64_t before, wanted;

	ensure_module();
	drop_privileges();
	/* Open the socket afterwards: the kernel checks the opener too. */
	ssihv_conn_open(&conn);

	get_info(&conn, &result, attrs);
	EXPECT_TRUE(attrs[SSIHV_A_INFO_PAGE_SIZE]);
	genl_result_free(&result);

	before = get_max_vm_memory(&conn);
	wanted = before == GiB ? 2 * GiB : GiB;
	EXPECT_EQ(set_max_vm_memory(&conn, wanted), -EPERM);
	EXPECT_EQ(get_max_vm_memory(&conn), before);
	EXPECT_EQ(set_u32(&conn, SSIHV_A_CONFIG_PLACEMENT,
			  SSIHV_PLACEMENT_OFF), -EPERM);
	genl_conn_close(&conn);
}
