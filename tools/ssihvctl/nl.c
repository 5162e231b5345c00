// SPDX-License-Identifier: GPL-2.0
/*
 * libnl-genl-3 plumbing for ssihvctl.
 *
 * libnl turns kernel errnos into its own NLE_* codes, which loses detail
 * (several errnos map to one code), so the error callback records the
 * kernel's errno and extended-ack message itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>

#include "nl.h"
#include "ssihvctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int ssihv_nl_connect(struct ssihv_nl *nl)
{
	int on = 1;
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		fail("out of memory");
		return -1;
	}

	ret = genl_connect(nl->sock);
	if (ret < 0) {
		fail("cannot open a generic netlink socket: %s",
		     nl_geterror(ret));
		goto err_free;
	}

	/*
	 * Ask for the kernel's error text (EXT_ACK) and for errors without a
	 * copy of our request (CAP_ACK), which keeps the text easy to find.
	 * Kernels without either still work, just with terser errors.
	 */
	setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &on, sizeof(on));
	setsockopt(nl_socket_get_fd(nl->sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &on, sizeof(on));

	ret = genl_ctrl_resolve(nl->sock, SSIHV_GENL_NAME);
	if (ret == -NLE_OBJ_NOTFOUND) {
		fail("the ssihv kernel module is not loaded (no netlink family \"%s\"); load it with 'modprobe ssihv'",
		     SSIHV_GENL_NAME);
		goto err_free;
	}
	if (ret < 0) {
		fail("cannot look up netlink family \"%s\": %s",
		     SSIHV_GENL_NAME, nl_geterror(ret));
		goto err_free;
	}
	nl->family_id = ret;
	return 0;

err_free:
	nl_socket_free(nl->sock);
	nl->sock = NULL;
	return -1;
}

void ssihv_nl_close(struct ssihv_nl *nl)
{
	nl_socket_free(nl->sock);
	nl->sock = NULL;
}

static struct nl_msg *new_request(struct ssihv_nl *nl, uint8_t cmd,
				  int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				 nl->family_id, 0, flags, cmd,
				 SSIHV_GENL_VERSION)) {
		nlmsg_free(msg);
		fail("out of memory");
		return NULL;
	}
	return msg;
}

struct nl_msg *ssihv_nl_request(struct ssihv_nl *nl, uint8_t cmd)
{
	return new_request(nl, cmd, 0);
}

struct nl_msg *ssihv_nl_dump_request(struct ssihv_nl *nl, uint8_t cmd)
{
	return new_request(nl, cmd, NLM_F_DUMP);
}

int ssihv_nl_put_vm_id(struct nl_msg *msg, uint64_t vm_id)
{
	if (nla_put_u64(msg, SSIHV_A_VM_ID, vm_id) < 0) {
		nlmsg_free(msg);
		fail("out of memory");
		return -1;
	}
	return 0;
}

/*
 * Connects @nl and builds a request (a dump with @dump) naming VM @vm_id;
 * on failure says why, leaves @nl closed and returns NULL.
 */
struct nl_msg *ssihv_nl_vm_request(struct ssihv_nl *nl, uint8_t cmd,
				   bool dump, uint64_t vm_id)
{
	struct nl_msg *msg;

	if (ssihv_nl_connect(nl))
		return NULL;
	msg = new_request(nl, cmd, dump ? NLM_F_DUMP : 0);
	if (!msg || ssihv_nl_put_vm_id(msg, vm_id)) {
		ssihv_nl_close(nl);
		return NULL;
	}
	return msg;
}

/* State of one request while its replies arrive. */
struct transaction {
	struct ssihv_nl *nl;
	const struct ssihv_nl_reply *reply;
	bool done;
	int error;		/* negative errno, 0 while all is well */
};

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct transaction *tr = arg;
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	int ret;

	if (!tr->reply || tr->error)
		return NL_SKIP;
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX,
			    (struct nla_policy *)tr->reply->policy);
	if (ret < 0) {
		snprintf(tr->nl->extack_msg, sizeof(tr->nl->extack_msg),
			 "malformed reply from the kernel: %s",
			 nl_geterror(ret));
		tr->error = -EPROTO;
		return NL_SKIP;
	}
	ret = tr->reply->handle(attrs, tr->reply->arg);
	if (ret < 0)
		tr->error = ret;
	return NL_OK;
}

/*
 * The text of NLMSGERR_ATTR_MSG in attributes at attrs (len bytes), if
 * any, into nl->extack_msg.
 */
static void copy_extack_attrs(struct ssihv_nl *nl, struct nlattr *attrs,
			      int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *text;

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL) < 0)
		return;
	if (!tb[NLMSGERR_ATTR_MSG])
		return;
	text = nla_data(tb[NLMSGERR_ATTR_MSG]);
	/* The kernel NUL-terminates it, but do not rely on that. */
	snprintf(nl->extack_msg, sizeof(nl->extack_msg), "%.*s",
		 (int)strnlen(text, nla_len(tb[NLMSGERR_ATTR_MSG])), text);
}

/*
 * Find NLMSGERR_ATTR_MSG in an error message.  The extended-ack
 * attributes follow struct nlmsgerr and, unless the kernel capped it, the
 * copy of the request that the error quotes.
 */
static void copy_extack_msg(struct ssihv_nl *nl, struct nlmsgerr *err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err -
						   NLMSG_HDRLEN);
	size_t offset = sizeof(*err);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(err->msg.nlmsg_len) -
			  sizeof(err->msg);
	if (NLMSG_HDRLEN + offset >= nlh->nlmsg_len)
		return;
	copy_extack_attrs(nl, (struct nlattr *)((char *)err + offset),
			  nlh->nlmsg_len - NLMSG_HDRLEN - offset);
}

static int on_error(struct sockaddr_nl *from, struct nlmsgerr *err,
		    void *arg)
{
	struct transaction *tr = arg;

	if (!tr->error) {
		tr->error = err->error < 0 ? err->error : -EPROTO;
		copy_extack_msg(tr->nl, err);
	}
	tr->done = true;
	return NL_STOP;
}

/*
 * The end of a dump (NLMSG_DONE) or an acknowledgment.  A dump that
 * failed once it had started carries the negative errno as its payload,
 * followed by extended-ack attributes when NLM_F_ACK_TLVS is set.
 */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct transaction *tr = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	tr->done = true;
	if (nlh->nlmsg_type != NLMSG_DONE ||
	    nlmsg_datalen(nlh) < (int)sizeof(err))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0 && !tr->error) {
		tr->error = err;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			copy_extack_attrs(tr->nl, (struct nlattr *)
					  ((char *)nlmsg_data(nlh) +
					   NLMSG_ALIGN(sizeof(err))),
					  nlmsg_datalen(nlh) -
					  NLMSG_ALIGN(sizeof(err)));
	}
	return NL_STOP;
}

int ssihv_nl_transact(struct ssihv_nl *nl, struct nl_msg *msg,
		      const struct ssihv_nl_reply *reply)
{
	struct transaction tr = { .nl = nl, .reply = reply };
	struct nl_cb *cb;
	int ret;

	nl->extack_msg[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &tr);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &tr);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &tr);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &tr);

	/* nl_send_auto() also asks for an acknowledgment (NLM_F_ACK). */
	ret = nl_send_auto(nl->sock, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		snprintf(nl->extack_msg, sizeof(nl->extack_msg),
			 "cannot send the request: %s", nl_geterror(ret));
		return -EIO;
	}

	while (!tr.done) {
		ret = nl_recvmsgs(nl->sock, cb);
		/* The error callback already recorded the kernel's errno. */
		if (ret < 0 && !tr.done) {
			if (!tr.error) {
				snprintf(nl->extack_msg,
					 sizeof(nl->extack_msg),
					 "cannot receive the reply: %s",
					 nl_geterror(ret));
				tr.error = -EIO;
			}
			break;
		}
	}
	nl_cb_put(cb);
	return tr.error;
}

int ssihv_nl_report(const struct ssihv_nl *nl, const char *what, int err)
{
	/* Say why EPERM happens: mutating commands need CAP_NET_ADMIN. */
	const char *hint = err == -EPERM ? " (need CAP_NET_ADMIN)" : "";

	if (nl->extack_msg[0])
		return fail("%s: %s%s: %s", what, strerror(-err), hint,
			    nl->extack_msg);
	return fail("%s: %s%s", what, strerror(-err), hint);
}
