// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl info": versions and limits of the loaded module, from
 * SSIHV_CMD_GET_INFO.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "output.h"
#include "ssihvctl.h"

/* libnl checks each attribute's minimum length against this. */
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

/* Every attribute the reply must carry, for a precise error if not. */
static const struct {
	int attr;
	const char *name;
} info_required[] = {
	{ SSIHV_A_INFO_MODULE_VERSION,	"module version" },
	{ SSIHV_A_INFO_PROTO_VERSION,	"protocol version" },
	{ SSIHV_A_INFO_GENL_VERSION,	"genl version" },
	{ SSIHV_A_INFO_PAGE_SIZE,	"page size" },
	{ SSIHV_A_INFO_MAX_VMS,		"max VMs" },
	{ SSIHV_A_INFO_MAX_NODES,	"max nodes" },
	{ SSIHV_A_INFO_MAX_VM_MEMORY,	"max VM memory" },
	{ SSIHV_A_INFO_MAX_RANGES,	"max ranges" },
};

struct info_reply {
	struct ssihv_nl *nl;
	struct ssihv_info *info;
};

static int handle_info(struct nlattr **attrs, void *arg)
{
	struct info_reply *reply = arg;
	struct ssihv_info *info = reply->info;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(info_required); i++) {
		if (!attrs[info_required[i].attr]) {
			snprintf(reply->nl->extack_msg,
				 sizeof(reply->nl->extack_msg),
				 "the kernel's reply lacks the %s",
				 info_required[i].name);
			return -EPROTO;
		}
	}

	snprintf(info->module_version, sizeof(info->module_version), "%s",
		 nla_get_string(attrs[SSIHV_A_INFO_MODULE_VERSION]));
	info->proto_version = nla_get_u32(attrs[SSIHV_A_INFO_PROTO_VERSION]);
	info->genl_version = nla_get_u32(attrs[SSIHV_A_INFO_GENL_VERSION]);
	info->page_size = nla_get_u32(attrs[SSIHV_A_INFO_PAGE_SIZE]);
	info->max_vms = nla_get_u32(attrs[SSIHV_A_INFO_MAX_VMS]);
	info->max_nodes = nla_get_u32(attrs[SSIHV_A_INFO_MAX_NODES]);
	info->max_ranges = nla_get_u32(attrs[SSIHV_A_INFO_MAX_RANGES]);
	info->max_vm_memory = nla_get_u64(attrs[SSIHV_A_INFO_MAX_VM_MEMORY]);
	info->has_placement = attrs[SSIHV_A_CONFIG_PLACEMENT] &&
			      attrs[SSIHV_A_CONFIG_PLACEMENT_HEAT] &&
			      attrs[SSIHV_A_CONFIG_PLACEMENT_RATE];
	if (info->has_placement) {
		info->placement = nla_get_u32(attrs[SSIHV_A_CONFIG_PLACEMENT]);
		info->placement_heat =
			nla_get_u32(attrs[SSIHV_A_CONFIG_PLACEMENT_HEAT]);
		info->placement_rate =
			nla_get_u32(attrs[SSIHV_A_CONFIG_PLACEMENT_RATE]);
	}
	return 0;
}

int ssihv_get_info(struct ssihv_nl *nl, struct ssihv_info *info)
{
	struct info_reply arg = { .nl = nl, .info = info };
	const struct ssihv_nl_reply reply = {
		.policy = info_policy,
		.handle = handle_info,
		.arg = &arg,
	};
	struct nl_msg *msg;
	int ret;

	memset(info, 0, sizeof(*info));
	msg = ssihv_nl_request(nl, SSIHV_CMD_GET_INFO);
	if (!msg)
		return -ENOMEM;
	ret = ssihv_nl_transact(nl, msg, &reply);
	/* An acknowledgment without any reply is a protocol error too. */
	if (!ret && !info->page_size) {
		snprintf(nl->extack_msg, sizeof(nl->extack_msg),
			 "the kernel sent no reply");
		ret = -EPROTO;
	}
	return ret;
}

static int info_show(int argc, char **argv)
{
	struct ssihv_info info;
	struct ssihv_nl nl;
	int ret;

	if (argc > 0)
		return usage_error("'info show' takes no arguments, got '%s'",
				   argv[0]);
	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	ret = ssihv_get_info(&nl, &info);
	if (ret) {
		ret = ssihv_nl_report(&nl, "info", ret);
		ssihv_nl_close(&nl);
		return ret;
	}
	ssihv_nl_close(&nl);

	out_begin(false);
	out_record_begin();
	out_str("module_version", "module version", info.module_version);
	out_u64("protocol_version", "protocol version", info.proto_version);
	out_u64("genl_version", "genl version", info.genl_version);
	out_u64("page_size", "page size", info.page_size);
	out_u64("max_vms", "max VMs", info.max_vms);
	out_u64("max_nodes", "max nodes", info.max_nodes);
	out_u64("max_ranges", "max ranges per VM", info.max_ranges);
	out_size("max_vm_memory", "max VM memory", info.max_vm_memory);
	out_record_end();
	return out_end();
}

static const struct ssihvctl_cmd info_cmds[] = {
	{ "show", info_show },
	{ NULL, NULL },
};

static int info_run(int argc, char **argv)
{
	return run_cmd(&info_object, info_cmds, "show", argc, argv);
}

const struct ssihvctl_object info_object = {
	.name = "info",
	.summary = "versions and limits of the loaded ssihv module",
	.usage = "  ssihvctl [-j] info [show]\n",
	.run = info_run,
};
