// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink: per-VM statistics (GET_STATS).
 */
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "genl.h"
#include "ssihv.h"
#include "vm.h"

static const u16 ssihv_fault_attr[SSIHV_NR_FAULT_KINDS] = {
	[SSIHV_FAULT_FIRST]	= SSIHV_A_STATS_FAULTS_FIRST,
	[SSIHV_FAULT_MAP]	= SSIHV_A_STATS_FAULTS_MAP,
	[SSIHV_FAULT_UPGRADE]	= SSIHV_A_STATS_FAULTS_UPGRADE,
	[SSIHV_FAULT_REMOTE]	= SSIHV_A_STATS_FAULTS_REMOTE,
	[SSIHV_FAULT_REFUSED]	= SSIHV_A_STATS_FAULTS_REFUSED,
};

static int ssihv_fill_resident(struct sk_buff *skb, struct ssihv_vm *vm)
{
	struct nlattr *all, *one;
	int nid;

	all = nla_nest_start(skb, SSIHV_A_STATS_RESIDENT);
	if (!all)
		return -EMSGSIZE;
	for_each_node_state(nid, N_MEMORY) {
		one = nla_nest_start(skb, SSIHV_A_STATS_NODE);
		if (!one ||
		    nla_put_s32(skb, SSIHV_A_STATS_NODE_ID, nid) ||
		    nla_put_u64_64bit(skb, SSIHV_A_STATS_NODE_PAGES,
				      atomic64_read(&vm->node_pages[nid]),
				      SSIHV_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, one);
	}
	nla_nest_end(skb, all);
	return 0;
}

static int ssihv_fill_stats(struct sk_buff *skb, struct ssihv_vm *vm,
			    void *ctx, u32 portid, u32 seq, int flags)
{
	struct ssihv_vm_stats *sum;
	void *hdr;
	int i, ret = -EMSGSIZE;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	ssihv_stats_sum(vm, sum);

	hdr = genlmsg_put(skb, portid, seq, &ssihv_genl_family, flags,
			  SSIHV_CMD_GET_STATS);
	if (!hdr)
		goto out;
	if (nla_put_u64_64bit(skb, SSIHV_A_VM_ID, vm->id, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_VM_PAGES_RESIDENT,
			      atomic64_read(&vm->resident), SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_STATS_REVOKED, sum->revoked,
			      SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_STATS_FRAMES_SERVED, sum->served,
			      SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_STATS_FRAMES_RECALLED,
			      sum->recalled, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_STATS_INVALIDATIONS,
			      sum->invalidations, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_STATS_COPIES_DROPPED,
			      sum->dropped, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_STATS_MIGRATIONS,
			      sum->migrations, SSIHV_A_PAD))
		goto cancel;
	for (i = 0; i < SSIHV_NR_FAULT_KINDS; i++)
		if (nla_put_u64_64bit(skb, ssihv_fault_attr[i],
				      sum->faults[i], SSIHV_A_PAD))
			goto cancel;
	if (ssihv_fill_resident(skb, vm) ||
	    nla_put(skb, SSIHV_A_STATS_FAULT_NS_HIST,
		    sizeof(sum->fault_ns_hist), sum->fault_ns_hist))
		goto cancel;
	genlmsg_end(skb, hdr);
	ret = 0;
	goto out;
cancel:
	genlmsg_cancel(skb, hdr);
out:
	kfree(sum);
	return ret;
}

int ssihv_cmd_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	return ssihv_nl_reply_vm(info, ssihv_fill_stats);
}

int ssihv_dump_stats(struct sk_buff *skb, struct netlink_callback *cb)
{
	return ssihv_nl_dump_vms(skb, cb, ssihv_fill_stats);
}
