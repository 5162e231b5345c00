// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink: VM instances (GET_VM, DESTROY_VM).
 */
#include <linux/mm.h>
#include <net/genetlink.h>

#include "genl.h"
#include "ssihv.h"
#include "vm.h"

const struct nla_policy ssihv_vm_id_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID] = { .type = NLA_U64 },
};

/* The instance named by SSIHV_A_VM_ID, referenced, or NULL + extack. */
struct ssihv_vm *ssihv_nl_get_vm(struct nlattr **attrs,
				 struct netlink_ext_ack *extack)
{
	struct ssihv_vm *vm;

	if (!attrs[SSIHV_A_VM_ID]) {
		NL_SET_ERR_MSG(extack, "VM id missing");
		return ERR_PTR(-EINVAL);
	}
	vm = ssihv_vm_get(nla_get_u64(attrs[SSIHV_A_VM_ID]));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[SSIHV_A_VM_ID], "no such VM");
		return ERR_PTR(-ENOENT);
	}
	return vm;
}

static int ssihv_fill_ranges(struct sk_buff *skb, struct ssihv_vm *vm)
{
	struct nlattr *ranges, *range;
	unsigned int i;

	ranges = nla_nest_start(skb, SSIHV_A_VM_RANGES);
	if (!ranges)
		return -EMSGSIZE;
	for (i = 0; i < vm->nr_ranges; i++) {
		struct ssihv_range *r = &vm->ranges[i];

		range = nla_nest_start(skb, SSIHV_A_RANGE);
		if (!range ||
		    nla_put_u64_64bit(skb, SSIHV_A_RANGE_GPA,
				      r->first_gfn << PAGE_SHIFT,
				      SSIHV_A_PAD) ||
		    nla_put_u64_64bit(skb, SSIHV_A_RANGE_SIZE,
				      r->nr_pages << PAGE_SHIFT,
				      SSIHV_A_PAD) ||
		    nla_put_u32(skb, SSIHV_A_RANGE_HOME_NODE, r->home_node) ||
		    nla_put_s32(skb, SSIHV_A_RANGE_NUMA_NODE, r->numa_node))
			return -EMSGSIZE;
		nla_nest_end(skb, range);
	}
	nla_nest_end(skb, ranges);
	return 0;
}

/* The caller holds one reference, hence the "- 1" in USERS. */
static int ssihv_fill_vm(struct sk_buff *skb, struct ssihv_vm *vm,
			 void *ctx, u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ssihv_genl_family, flags,
			  SSIHV_CMD_GET_VM);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SSIHV_A_VM_ID, vm->id, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_VM_MEM_LIMIT,
			      vm->mem_limit_pages << PAGE_SHIFT, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_VM_PAGES_RESIDENT,
			      atomic64_read(&vm->resident), SSIHV_A_PAD) ||
	    nla_put_u32(skb, SSIHV_A_VM_USERS, kref_read(&vm->kref) - 1 +
			atomic_read(&vm->mappings)) ||
	    nla_put_u32(skb, SSIHV_A_VM_CREATOR_PID, vm->creator) ||
	    (READ_ONCE(vm->dead) && nla_put_flag(skb, SSIHV_A_VM_DEAD)) ||
	    ssihv_fill_ranges(skb, vm)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ssihv_cmd_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	return ssihv_nl_reply_vm(info, ssihv_fill_vm);
}

int ssihv_dump_vms(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ssihv_nl_dump_vms(skb, cb, ssihv_fill_vm);
}

int ssihv_cmd_destroy_vm(struct sk_buff *skb, struct genl_info *info)
{
	struct ssihv_vm *vm;
	int ret;

	vm = ssihv_nl_get_vm(info->attrs, info->extack);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = ssihv_vm_destroy(vm);
	if (ret)
		NL_SET_ERR_MSG(info->extack, "VM already destroyed");
	ssihv_vm_put(vm);
	return ret;
}
