// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications on the "events" multicast group.  Best effort: with no
 * listener, or no memory, an event is dropped, never the operation.
 */
#include <net/genetlink.h>

#include "genl.h"
#include "ssihv.h"

static struct sk_buff *ssihv_event_new(u8 cmd, u64 vm_id, void **hdr)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&ssihv_genl_family, &init_net, 0))
		return NULL;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &ssihv_genl_family, 0, cmd);
	if (!*hdr ||
	    nla_put_u64_64bit(skb, SSIHV_A_VM_ID, vm_id, SSIHV_A_PAD)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void ssihv_event_send(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&ssihv_genl_family, skb, 0, 0, GFP_KERNEL);
}

void ssihv_event_vm(u8 cmd, u64 vm_id)
{
	struct sk_buff *skb;
	void *hdr;

	skb = ssihv_event_new(cmd, vm_id, &hdr);
	if (skb)
		ssihv_event_send(skb, hdr);
}

void ssihv_event_limit(u64 vm_id, u64 gpa, u64 limit)
{
	struct sk_buff *skb;
	void *hdr;

	skb = ssihv_event_new(SSIHV_CMD_EVENT_LIMIT_HIT, vm_id, &hdr);
	if (!skb)
		return;
	if (nla_put_u64_64bit(skb, SSIHV_A_PAGE_GPA, gpa, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_VM_MEM_LIMIT, limit, SSIHV_A_PAD)) {
		nlmsg_free(skb);
		return;
	}
	ssihv_event_send(skb, hdr);
}

void ssihv_event_frame(u64 vm_id, u64 gpa, u32 node, int err)
{
	struct sk_buff *skb;
	void *hdr;

	skb = ssihv_event_new(SSIHV_CMD_EVENT_FRAME_UNAVAILABLE, vm_id, &hdr);
	if (!skb)
		return;
	if (nla_put_u64_64bit(skb, SSIHV_A_PAGE_GPA, gpa, SSIHV_A_PAD) ||
	    nla_put_u32(skb, SSIHV_A_NODE_ID, node) ||
	    nla_put_s32(skb, SSIHV_A_NODE_LAST_ERROR, err)) {
		nlmsg_free(skb);
		return;
	}
	ssihv_event_send(skb, hdr);
}

void ssihv_event_frames_lost(u64 vm_id, u64 gpa, u64 gpa_last, u32 node)
{
	struct sk_buff *skb;
	void *hdr;

	skb = ssihv_event_new(SSIHV_CMD_EVENT_FRAMES_LOST, vm_id, &hdr);
	if (!skb)
		return;
	if (nla_put_u64_64bit(skb, SSIHV_A_PAGE_GPA, gpa, SSIHV_A_PAD) ||
	    nla_put_u64_64bit(skb, SSIHV_A_PAGE_GPA_LAST, gpa_last,
			      SSIHV_A_PAD) ||
	    nla_put_u32(skb, SSIHV_A_NODE_ID, node)) {
		nlmsg_free(skb);
		return;
	}
	ssihv_event_send(skb, hdr);
}
