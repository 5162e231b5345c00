// SPDX-License-Identifier: GPL-2.0
/*
 * The "ssihv" generic netlink family: the module's management API.
 *
 * Every command has an explicit attribute policy (strict validation: the
 * family leaves resv_start_op at zero), and every command that changes
 * state carries GENL_ADMIN_PERM so that only CAP_NET_ADMIN may use it.
 */
#include <linux/mm.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <uapi/linux/ssihv.h>

#include "genl.h"
#include "ssihv.h"

/* GET_INFO takes no attributes: reject any that arrive. */
static const struct nla_policy ssihv_info_policy[SSIHV_A_MAX + 1] = {
};

static struct netlink_range_validation ssihv_vm_memory_range __ro_after_init = {
	.min = SSIHV_VM_MEMORY_MIN,
	.max = SSIHV_VM_MEMORY_MAX,
};

/* Policy min/max are s16: wider ranges need a range validation. */
static struct netlink_range_validation ssihv_heat_range __ro_after_init = {
	.min = 1,
	.max = U16_MAX,
};

static struct netlink_range_validation ssihv_rate_range __ro_after_init = {
	.min = 1,
	.max = SSIHV_PLACEMENT_RATE_MAX,
};

static const struct nla_policy ssihv_config_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_CONFIG_MAX_VM_MEMORY] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &ssihv_vm_memory_range),
	[SSIHV_A_CONFIG_PLACEMENT] =
		NLA_POLICY_MAX(NLA_U32, __SSIHV_PLACEMENT_MAX - 1),
	[SSIHV_A_CONFIG_PLACEMENT_HEAT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &ssihv_heat_range),
	[SSIHV_A_CONFIG_PLACEMENT_RATE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &ssihv_rate_range),
};

static int ssihv_fill_info(struct sk_buff *msg)
{
	if (nla_put_string(msg, SSIHV_A_INFO_MODULE_VERSION,
			   SSIHV_MODULE_VERSION) ||
	    nla_put_u32(msg, SSIHV_A_INFO_PROTO_VERSION, SSIHV_PROTO_VERSION) ||
	    nla_put_u32(msg, SSIHV_A_INFO_GENL_VERSION, SSIHV_GENL_VERSION) ||
	    nla_put_u32(msg, SSIHV_A_INFO_PAGE_SIZE, PAGE_SIZE) ||
	    nla_put_u32(msg, SSIHV_A_INFO_MAX_VMS, SSIHV_MAX_VMS) ||
	    nla_put_u32(msg, SSIHV_A_INFO_MAX_NODES, SSIHV_MAX_NODES) ||
	    nla_put_u32(msg, SSIHV_A_INFO_MAX_RANGES, SSIHV_MAX_RANGES) ||
	    nla_put_u64_64bit(msg, SSIHV_A_INFO_MAX_VM_MEMORY,
			      ssihv_config_max_vm_memory(), SSIHV_A_PAD) ||
	    nla_put_u32(msg, SSIHV_A_CONFIG_PLACEMENT,
			ssihv_config_placement()) ||
	    nla_put_u32(msg, SSIHV_A_CONFIG_PLACEMENT_HEAT,
			ssihv_config_placement_heat()) ||
	    nla_put_u32(msg, SSIHV_A_CONFIG_PLACEMENT_RATE,
			ssihv_config_placement_rate()))
		return -EMSGSIZE;
	return 0;
}

static int ssihv_cmd_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &ssihv_genl_family, 0,
				SSIHV_CMD_GET_INFO);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto err_free;
	}
	ret = ssihv_fill_info(msg);
	if (ret)
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return ret;
}

/*
 * Every attribute is optional, at least one is needed; the policy checked
 * each one's range, so nothing can fail after the first is applied
 * except max-vm-memory's alignment, which is checked first.
 */
static int ssihv_cmd_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *mem = info->attrs[SSIHV_A_CONFIG_MAX_VM_MEMORY];
	struct nlattr *policy = info->attrs[SSIHV_A_CONFIG_PLACEMENT];
	struct nlattr *heat = info->attrs[SSIHV_A_CONFIG_PLACEMENT_HEAT];
	struct nlattr *rate = info->attrs[SSIHV_A_CONFIG_PLACEMENT_RATE];

	if (!mem && !policy && !heat && !rate) {
		NL_SET_ERR_MSG(info->extack, "no configuration attribute given");
		return -EINVAL;
	}
	if (mem && ssihv_config_set_max_vm_memory(nla_get_u64(mem))) {
		NL_SET_ERR_MSG_ATTR(info->extack, mem,
				    "max VM memory must be page aligned");
		return -EINVAL;
	}
	if (policy)
		ssihv_config_set_placement(nla_get_u32(policy));
	if (heat)
		ssihv_config_set_placement_heat(nla_get_u32(heat));
	if (rate)
		ssihv_config_set_placement_rate(nla_get_u32(rate));
	return 0;
}

static const struct genl_ops ssihv_genl_ops[] = {
	{
		.cmd	 = SSIHV_CMD_GET_INFO,
		.doit	 = ssihv_cmd_get_info,
		.policy	 = ssihv_info_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_SET_CONFIG,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_set_config,
		.policy	 = ssihv_config_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_GET_VM,
		.doit	 = ssihv_cmd_get_vm,
		.dumpit	 = ssihv_dump_vms,
		.policy	 = ssihv_vm_id_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_GET_PAGE,
		.doit	 = ssihv_cmd_get_page,
		.dumpit	 = ssihv_dump_pages,
		.policy	 = ssihv_page_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_GET_STATS,
		.doit	 = ssihv_cmd_get_stats,
		.dumpit	 = ssihv_dump_stats,
		.policy	 = ssihv_vm_id_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_REVOKE_PAGE,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_revoke_page,
		.policy	 = ssihv_revoke_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_DESTROY_VM,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_destroy_vm,
		.policy	 = ssihv_vm_id_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_NODE_ADD,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_node_add,
		.policy	 = ssihv_node_add_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_NODE_DEL,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_node_del,
		.policy	 = ssihv_node_id_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_GET_NODE,
		.doit	 = ssihv_cmd_get_node,
		.dumpit	 = ssihv_dump_nodes,
		.policy	 = ssihv_node_id_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_NODE_PING,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_node_ping,
		.policy	 = ssihv_node_id_policy,
		.maxattr = SSIHV_A_MAX,
	},
	{
		.cmd	 = SSIHV_CMD_NODE_XFER_TEST,
		.flags	 = GENL_ADMIN_PERM,
		.doit	 = ssihv_cmd_node_xfer_test,
		.policy	 = ssihv_xfer_policy,
		.maxattr = SSIHV_A_MAX,
	},
};

static const struct genl_multicast_group ssihv_genl_mcgrps[] = {
	{ .name = SSIHV_GENL_MCGRP_EVENTS, },
};

struct genl_family ssihv_genl_family __ro_after_init = {
	.name		= SSIHV_GENL_NAME,
	.version	= SSIHV_GENL_VERSION,
	.maxattr	= SSIHV_A_MAX,
	.module		= THIS_MODULE,
	.ops		= ssihv_genl_ops,
	.n_ops		= ARRAY_SIZE(ssihv_genl_ops),
	.mcgrps		= ssihv_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(ssihv_genl_mcgrps),
	.netnsok	= false,
};

int ssihv_genl_init(void)
{
	return genl_register_family(&ssihv_genl_family);
}

void ssihv_genl_exit(void)
{
	genl_unregister_family(&ssihv_genl_family);
}
