/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink side of ssihvctl: one libnl-genl-3 socket bound to the
 * "ssihv" family, request/reply helpers, and the kernel's error text.
 */
#ifndef _SSIHVCTL_NL_H
#define _SSIHVCTL_NL_H

#include <stdbool.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/ssihv.h>

/* Longest extended-ack message we keep; the kernel's are short. */
#define SSIHV_NL_EXTACK_LEN 256

struct ssihv_nl {
	struct nl_sock *sock;
	int family_id;
	/* Text of the kernel's NLMSGERR_ATTR_MSG for the last error, or "". */
	char extack_msg[SSIHV_NL_EXTACK_LEN];
};

/*
 * Connect and resolve the family.  On failure print one line (for an
 * absent family: that the module is not loaded) and return -1.
 */
int ssihv_nl_connect(struct ssihv_nl *nl);
void ssihv_nl_close(struct ssihv_nl *nl);

/* A new request for cmd, or NULL (message printed) when out of memory. */
struct nl_msg *ssihv_nl_request(struct ssihv_nl *nl, uint8_t cmd);
/* The same for a dump request (NLM_F_DUMP): one reply per object. */
struct nl_msg *ssihv_nl_dump_request(struct ssihv_nl *nl, uint8_t cmd);

/*
 * What to do with each reply message: attributes are parsed against
 * policy (SSIHV_A_MAX + 1 entries, or NULL) and handed to handle(), which
 * returns 0 or a negative errno that aborts the request.
 */
struct ssihv_nl_reply {
	const struct nla_policy *policy;
	int (*handle)(struct nlattr **attrs, void *arg);
	void *arg;
};

/*
 * Send msg (always freed), feed replies to reply (may be NULL) and wait
 * for the kernel's acknowledgment, or for the end of a dump.  Returns 0
 * or a negative errno, with the kernel's extended-ack text, if any, in
 * nl->extack_msg.  A dump that fails after it started reports its errno
 * in NLMSG_DONE; that counts as a failure too.
 */
int ssihv_nl_transact(struct ssihv_nl *nl, struct nl_msg *msg,
		      const struct ssihv_nl_reply *reply);

/*
 * Print "ssihvctl: WHAT: <strerror>[: <extack message>]" for err (a
 * negative errno from ssihv_nl_transact) and return EXIT_FAIL.
 */
int ssihv_nl_report(const struct ssihv_nl *nl, const char *what, int err);

/* Put SSIHV_A_VM_ID; returns 0 or prints "out of memory" and fails. */
int ssihv_nl_put_vm_id(struct nl_msg *msg, uint64_t vm_id);
struct nl_msg *ssihv_nl_vm_request(struct ssihv_nl *nl, uint8_t cmd,
				   bool dump, uint64_t vm_id);

#endif /* _SSIHVCTL_NL_H */
