// SPDX-License-Identifier: GPL-2.0
/*
 * Reply and dump plumbing shared by the per-VM netlink commands.
 */
#include <net/genetlink.h>

#include "genl.h"
#include "ssihv.h"
#include "vm.h"

/* Answer @info with one message that @fill writes about @vm. */
int ssihv_nl_reply(struct genl_info *info, struct ssihv_vm *vm,
		   ssihv_fill_fn fill, void *ctx)
{
	struct sk_buff *msg;
	int ret;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = fill(msg, vm, ctx, info->snd_portid, info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* Answer a request naming a VM (SSIHV_A_VM_ID) with @fill's message. */
int ssihv_nl_reply_vm(struct genl_info *info, ssihv_fill_fn fill)
{
	struct ssihv_vm *vm;
	int ret;

	vm = ssihv_nl_get_vm(info->attrs, info->extack);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = ssihv_nl_reply(info, vm, fill, NULL);
	ssihv_vm_put(vm);
	return ret;
}

/* One @fill message per instance; cb->args[0] is the next one's index. */
int ssihv_nl_dump_vms(struct sk_buff *skb, struct netlink_callback *cb,
		      ssihv_fill_fn fill)
{
	struct ssihv_vm *vm;
	int ret;

	while ((vm = ssihv_vm_get_nth(cb->args[0]))) {
		ret = fill(skb, vm, NULL, NETLINK_CB(cb->skb).portid,
			   cb->nlh->nlmsg_seq, NLM_F_MULTI);
		ssihv_vm_put(vm);
		if (ret)
			break;
		cb->args[0]++;
	}
	return skb->len;
}
