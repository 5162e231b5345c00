// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_events SECONDS: print the node events of the "ssihv" family's
 * "events" group as "node-up ID" / "node-down ID ERRNO" lines, for
 * SECONDS seconds (or until killed).  Used by tests/vm/60-rdma-*.sh.
 */
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <linux/ssihv.h>

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX, NULL) ||
	    !attrs[SSIHV_A_NODE_ID])
		return NL_OK;
	if (ghdr->cmd == SSIHV_CMD_EVENT_NODE_UP)
		printf("node-up %u\n", nla_get_u32(attrs[SSIHV_A_NODE_ID]));
	else if (ghdr->cmd == SSIHV_CMD_EVENT_NODE_DOWN)
		printf("node-down %u %d\n",
		       nla_get_u32(attrs[SSIHV_A_NODE_ID]),
		       attrs[SSIHV_A_NODE_LAST_ERROR] ?
		       (int)nla_get_u32(attrs[SSIHV_A_NODE_LAST_ERROR]) : 0);
	fflush(stdout);
	return NL_OK;
}

int main(int argc, char **argv)
{
	struct nl_sock *sock = nl_socket_alloc();
	time_t end = time(NULL) + (argc > 1 ? atoi(argv[1]) : 60);
	struct pollfd pfd;
	int grp;

	if (!sock || genl_connect(sock))
		return 1;
	grp = genl_ctrl_resolve_grp(sock, SSIHV_GENL_NAME,
				    SSIHV_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(sock, grp))
		return 1;
	nl_socket_disable_seq_check(sock);
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_event, NULL);
	printf("listening\n");
	fflush(stdout);
	pfd.fd = nl_socket_get_fd(sock);
	pfd.events = POLLIN;
	while (time(NULL) < end) {
		if (poll(&pfd, 1, 200) > 0)
			nl_recvmsgs_default(sock);
	}
	nl_socket_free(sock);
	return 0;
}
