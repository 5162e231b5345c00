/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the "ssihv" generic netlink family: the family itself
 * and the command handlers that live in their own files.
 */
#ifndef _SSIHV_GENL_H
#define _SSIHV_GENL_H

#include <net/genetlink.h>
#include <uapi/linux/ssihv.h>

extern struct genl_family ssihv_genl_family;

struct ssihv_vm;

/*
 * Fills one message about @vm (with @ctx, if the kind needs more) into
 * @skb; returns -EMSGSIZE when it does not fit.
 */
typedef int (*ssihv_fill_fn)(struct sk_buff *skb, struct ssihv_vm *vm,
			     void *ctx, u32 portid, u32 seq, int flags);

/* genl_util.c */
int ssihv_nl_reply(struct genl_info *info, struct ssihv_vm *vm,
		   ssihv_fill_fn fill, void *ctx);
int ssihv_nl_reply_vm(struct genl_info *info, ssihv_fill_fn fill);
int ssihv_nl_dump_vms(struct sk_buff *skb, struct netlink_callback *cb,
		      ssihv_fill_fn fill);

/* genl_vm.c */
extern const struct nla_policy ssihv_vm_id_policy[SSIHV_A_MAX + 1];
int ssihv_cmd_get_vm(struct sk_buff *skb, struct genl_info *info);
int ssihv_dump_vms(struct sk_buff *skb, struct netlink_callback *cb);
int ssihv_cmd_destroy_vm(struct sk_buff *skb, struct genl_info *info);
struct ssihv_vm *ssihv_nl_get_vm(struct nlattr **attrs,
				 struct netlink_ext_ack *extack);

/* genl_page.c */
extern const struct nla_policy ssihv_page_policy[SSIHV_A_MAX + 1];
extern const struct nla_policy ssihv_revoke_policy[SSIHV_A_MAX + 1];
int ssihv_cmd_get_page(struct sk_buff *skb, struct genl_info *info);
int ssihv_dump_pages(struct sk_buff *skb, struct netlink_callback *cb);
int ssihv_cmd_revoke_page(struct sk_buff *skb, struct genl_info *info);

/* genl_stats.c */
int ssihv_cmd_get_stats(struct sk_buff *skb, struct genl_info *info);
int ssihv_dump_stats(struct sk_buff *skb, struct netlink_callback *cb);

/* genl_node.c */
extern const struct nla_policy ssihv_node_add_policy[SSIHV_A_MAX + 1];
extern const struct nla_policy ssihv_node_id_policy[SSIHV_A_MAX + 1];
extern const struct nla_policy ssihv_xfer_policy[SSIHV_A_MAX + 1];
int ssihv_cmd_node_add(struct sk_buff *skb, struct genl_info *info);
int ssihv_cmd_node_del(struct sk_buff *skb, struct genl_info *info);
int ssihv_cmd_get_node(struct sk_buff *skb, struct genl_info *info);
int ssihv_dump_nodes(struct sk_buff *skb, struct netlink_callback *cb);
int ssihv_cmd_node_ping(struct sk_buff *skb, struct genl_info *info);
int ssihv_cmd_node_xfer_test(struct sk_buff *skb, struct genl_info *info);

#endif /* _SSIHV_GENL_H */
