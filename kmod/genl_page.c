// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink: guest frames (GET_PAGE, REVOKE_PAGE).
 *
 * Addresses need not be page aligned: a GPA names the frame holding it.
 */
#include <linux/mm.h>
#include <net/genetlink.h>

#include "genl.h"
#include "ssihv.h"
#include "vm.h"

const struct nla_policy ssihv_page_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID]		= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA]	= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA_LAST]	= { .type = NLA_U64 },
};

const struct nla_policy ssihv_revoke_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID]		= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA]	= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA_LAST]	= { .type = NLA_U64 },
	[SSIHV_A_PAGE_SHARED]	= { .type = NLA_FLAG },
};

/* Frames [*first, *last] from GPA and optional GPA_LAST attributes. */
static int ssihv_nl_gfn_span(struct nlattr **attrs, u64 *first, u64 *last,
			     struct netlink_ext_ack *extack)
{
	if (!attrs[SSIHV_A_PAGE_GPA]) {
		NL_SET_ERR_MSG(extack, "guest-physical address missing");
		return -EINVAL;
	}
	*first = nla_get_u64(attrs[SSIHV_A_PAGE_GPA]) >> PAGE_SHIFT;
	*last = *first;
	if (attrs[SSIHV_A_PAGE_GPA_LAST])
		*last = nla_get_u64(attrs[SSIHV_A_PAGE_GPA_LAST]) >> PAGE_SHIFT;
	if (*last < *first) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[SSIHV_A_PAGE_GPA_LAST],
				    "last address is below the first");
		return -EINVAL;
	}
	return 0;
}

/* Does any range of @vm hold a frame in [first, last]? */
static bool ssihv_span_in_vm(struct ssihv_vm *vm, u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < vm->nr_ranges; i++) {
		struct ssihv_range *r = &vm->ranges[i];

		if (first < r->first_gfn + r->nr_pages && last >= r->first_gfn)
			return true;
	}
	return false;
}

/* @ctx: the frame number (u64 *). */
static int ssihv_fill_page(struct sk_buff *skb, struct ssihv_vm *vm,
			   void *ctx, u32 portid, u32 seq, int flags)
{
	u64 gfn = *(u64 *)ctx;
	struct ssihv_range *range = ssihv_vm_find_range(vm, gfn);
	struct mutex *lock = ssihv_frame_lock(vm, gfn);
	struct ssihv_pde pde;
	int nid = NUMA_NO_NODE;
	void *hdr;

	mutex_lock(lock);
	pde = *ssihv_range_pde(range, gfn);
	mutex_unlock(lock);
	if (pde_state(&pde) != SSIHV_PAGE_INVALID)
		nid = pfn_to_nid(pde_pfn(&pde));

	hdr = genlmsg_put(skb, portid, seq, &ssihv_genl_family, flags,
			  SSIHV_CMD_GET_PAGE);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SSIHV_A_VM_ID, vm->id, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_PAGE_GPA, gfn << PAGE_SHIFT,
			      SSIHV_A_PAD) ||
	    nla_put_u8(skb, SSIHV_A_PAGE_STATE, pde_state(&pde)) ||
	    nla_put_u32(skb, SSIHV_A_PAGE_OWNER, pde_owner(&pde)) ||
	    nla_put_u32(skb, SSIHV_A_PAGE_HOME, pde_home(&pde)) ||
	    nla_put_u32(skb, SSIHV_A_PAGE_HEAT,
			pde_heat_at(&pde, ssihv_vm_now_ms(vm))) ||
	    nla_put_u32(skb, SSIHV_A_PAGE_FAULTS, pde.faults) ||
	    nla_put_u32(skb, SSIHV_A_PAGE_LAST_FAULT_MS, pde.last_fault_ms) ||
	    (nid != NUMA_NO_NODE &&
	     nla_put_s32(skb, SSIHV_A_PAGE_NUMA_NODE, nid))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ssihv_cmd_get_page(struct sk_buff *skb, struct genl_info *info)
{
	struct ssihv_vm *vm;
	u64 first, last;
	int ret;

	ret = ssihv_nl_gfn_span(info->attrs, &first, &last, info->extack);
	if (ret)
		return ret;
	if (last != first) {
		NL_SET_ERR_MSG(info->extack, "ask for a range with a dump");
		return -EINVAL;
	}
	vm = ssihv_nl_get_vm(info->attrs, info->extack);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = -EINVAL;
	if (!ssihv_vm_find_range(vm, first)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[SSIHV_A_PAGE_GPA],
				    "address outside the VM's memory map");
		goto out;
	}
	ret = ssihv_nl_reply(info, vm, ssihv_fill_page, &first);
out:
	ssihv_vm_put(vm);
	return ret;
}

/*
 * cb->args[0]: next frame to report, cb->args[1]: set once started.  The
 * VM is looked up again for every batch, so a dump never pins it.
 */
int ssihv_dump_pages(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct ssihv_vm *vm;
	u64 first, last, gfn;
	unsigned int i;
	int ret;

	ret = ssihv_nl_gfn_span(info->attrs, &first, &last, cb->extack);
	if (ret)
		return ret;
	vm = ssihv_nl_get_vm(info->attrs, cb->extack);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	if (!cb->args[1]) {
		if (!ssihv_span_in_vm(vm, first, last)) {
			NL_SET_ERR_MSG(cb->extack,
				       "addresses outside the VM's memory map");
			ssihv_vm_put(vm);
			return -EINVAL;
		}
		cb->args[0] = first;
		cb->args[1] = 1;
	}

	gfn = cb->args[0];
	for (i = 0; i < vm->nr_ranges && gfn <= last; i++) {
		struct ssihv_range *r = &vm->ranges[i];
		u64 end = min(last, r->first_gfn + r->nr_pages - 1);

		if (gfn < r->first_gfn)
			gfn = r->first_gfn;
		for (; gfn <= end; gfn++) {
			if (ssihv_fill_page(skb, vm, &gfn,
					    NETLINK_CB(cb->skb).portid,
					    cb->nlh->nlmsg_seq, NLM_F_MULTI))
				goto full;
		}
	}
	gfn = last + 1;
full:
	cb->args[0] = gfn;
	ssihv_vm_put(vm);
	/* Past the end with nothing added: the dump is complete. */
	return skb->len;
}

/* @ctx: the number of frames revoked (u64 *). */
static int ssihv_fill_revoked(struct sk_buff *skb, struct ssihv_vm *vm,
			      void *ctx, u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ssihv_genl_family, flags,
			  SSIHV_CMD_REVOKE_PAGE);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, SSIHV_A_VM_ID, vm->id, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_PAGE_REVOKED, *(u64 *)ctx,
			      SSIHV_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

int ssihv_cmd_revoke_page(struct sk_buff *skb, struct genl_info *info)
{
	bool shared = nla_get_flag(info->attrs[SSIHV_A_PAGE_SHARED]);
	struct ssihv_vm *vm;
	u64 first, last, n;
	int ret;

	ret = ssihv_nl_gfn_span(info->attrs, &first, &last, info->extack);
	if (ret)
		return ret;
	vm = ssihv_nl_get_vm(info->attrs, info->extack);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	ret = -EINVAL;
	if (!ssihv_span_in_vm(vm, first, last)) {
		NL_SET_ERR_MSG(info->extack,
			       "addresses outside the VM's memory map");
		goto out;
	}
	ret = ssihv_vm_revoke(vm, first, last, shared, &n);
	if (!ret)
		ret = ssihv_nl_reply(info, vm, ssihv_fill_revoked, &n);
out:
	ssihv_vm_put(vm);
	return ret;
}
