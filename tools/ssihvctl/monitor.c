// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl monitor": print the notifications of the "events" multicast
 * group, one line per event, until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <json-c/json.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "nl.h"
#include "ssihvctl.h"

static struct nla_policy event_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID]		= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA]	= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA_LAST]	= { .type = NLA_U64 },
	[SSIHV_A_VM_MEM_LIMIT]	= { .type = NLA_U64 },
	[SSIHV_A_NODE_ID]	= { .type = NLA_U32 },
	[SSIHV_A_NODE_LAST_ERROR] = { .type = NLA_U32 },
};

/* The errno a node event carries, positive whichever sign it came in. */
static int node_errno(struct nlattr *attr)
{
	int err = nla_get_s32(attr);

	return err < 0 ? -err : err;
}

/* Lock-free atomics are async-signal-safe. */
static atomic_int stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct monitor {
	struct ssihv_nl *nl;
	int family_id;
	bool write_failed;
};

static const char *event_name(uint8_t cmd)
{
	switch (cmd) {
	case SSIHV_CMD_EVENT_VM_CREATED:
		return "vm-created";
	case SSIHV_CMD_EVENT_VM_DESTROYED:
		return "vm-destroyed";
	case SSIHV_CMD_EVENT_LIMIT_HIT:
		return "limit-hit";
	case SSIHV_CMD_EVENT_NODE_UP:
		return "node-up";
	case SSIHV_CMD_EVENT_NODE_DOWN:
		return "node-down";
	case SSIHV_CMD_EVENT_FRAME_UNAVAILABLE:
		return "frame-unavailable";
	case SSIHV_CMD_EVENT_FRAMES_LOST:
		return "frames-lost";
	}
	return NULL;
}

/* "2026-11-22T03:04:05.123Z": UTC, milliseconds. */
static void timestamp(char *buf, size_t len)
{
	struct timespec now;
	struct tm tm;
	size_t used;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	used = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + used, len - used, ".%03ldZ", now.tv_nsec / 1000000);
}

static void add_u64(json_object *event, const char *key, struct nlattr *attr)
{
	json_object_object_add(event, key,
			       json_object_new_uint64(nla_get_u64(attr)));
}

static void print_json_event(const char *when, const char *name,
			     struct nlattr **attrs)
{
	json_object *event = json_object_new_object();
	uint32_t node;
	char key[32];
	size_t i;
	int err;

	if (!event)
		return;
	/* JSON names use underscores, like every other key. */
	snprintf(key, sizeof(key), "%s", name);
	for (i = 0; key[i]; i++)
		if (key[i] == '-')
			key[i] = '_';
	json_object_object_add(event, "time", json_object_new_string(when));
	json_object_object_add(event, "event", json_object_new_string(key));
	if (attrs[SSIHV_A_VM_ID])
		add_u64(event, "vm_id", attrs[SSIHV_A_VM_ID]);
	if (attrs[SSIHV_A_PAGE_GPA])
		add_u64(event, "gpa", attrs[SSIHV_A_PAGE_GPA]);
	if (attrs[SSIHV_A_PAGE_GPA_LAST])
		add_u64(event, "gpa_last", attrs[SSIHV_A_PAGE_GPA_LAST]);
	if (attrs[SSIHV_A_VM_MEM_LIMIT])
		add_u64(event, "mem_limit", attrs[SSIHV_A_VM_MEM_LIMIT]);
	if (attrs[SSIHV_A_NODE_ID]) {
		node = nla_get_u32(attrs[SSIHV_A_NODE_ID]);
		json_object_object_add(event, "node_id",
				       json_object_new_int64(node));
	}
	if (attrs[SSIHV_A_NODE_LAST_ERROR]) {
		err = node_errno(attrs[SSIHV_A_NODE_LAST_ERROR]);
		json_object_object_add(event, "last_error",
				       json_object_new_string(strerror(err)));
	}
	puts(json_object_to_json_string_ext(event, JSON_C_TO_STRING_PLAIN |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(event);
}

static void print_text_event(const char *when, const char *name,
			     struct nlattr **attrs)
{
	printf("%s %s", when, name);
	if (attrs[SSIHV_A_VM_ID])
		printf(" vm %" PRIu64, nla_get_u64(attrs[SSIHV_A_VM_ID]));
	if (attrs[SSIHV_A_PAGE_GPA])
		printf(" gpa 0x%" PRIx64, nla_get_u64(attrs[SSIHV_A_PAGE_GPA]));
	if (attrs[SSIHV_A_PAGE_GPA_LAST])
		printf("-0x%" PRIx64,
		       nla_get_u64(attrs[SSIHV_A_PAGE_GPA_LAST]));
	if (attrs[SSIHV_A_VM_MEM_LIMIT])
		printf(" limit %" PRIu64,
		       nla_get_u64(attrs[SSIHV_A_VM_MEM_LIMIT]));
	if (attrs[SSIHV_A_NODE_ID])
		printf(" node %" PRIu32, nla_get_u32(attrs[SSIHV_A_NODE_ID]));
	if (attrs[SSIHV_A_NODE_LAST_ERROR])
		printf(" error %s",
		       strerror(node_errno(attrs[SSIHV_A_NODE_LAST_ERROR])));
	putchar('\n');
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct monitor *mon = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genlmsghdr *ghdr;
	const char *name;
	char when[40];

	/* Only our family's notifications; skip anything else. */
	if (nlh->nlmsg_type != mon->family_id ||
	    !genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	ghdr = nlmsg_data(nlh);
	name = event_name(ghdr->cmd);
	if (!name)
		return NL_SKIP;
	if (genlmsg_parse(nlh, 0, attrs, SSIHV_A_MAX, event_policy) < 0)
		return NL_SKIP;
	timestamp(when, sizeof(when));
	if (global_opts.json)
		print_json_event(when, name, attrs);
	else
		print_text_event(when, name, attrs);
	/* One line at a time, also into a pipe. */
	if (fflush(stdout) || ferror(stdout))
		mon->write_failed = true;
	return NL_OK;
}

static int monitor_run_loop(struct monitor *mon, struct nl_sock *sock)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(sock), .events = POLLIN };
	sigset_t blocked, during_poll;
	struct sigaction sa;
	int ret;

	/*
	 * SIGINT and SIGTERM stay blocked except inside ppoll(), so a signal
	 * either stops the wait or is seen before the next one.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigprocmask(SIG_BLOCK, &blocked, &during_poll);
	sigdelset(&during_poll, SIGINT);
	sigdelset(&during_poll, SIGTERM);

	while (!stop_signal && !mon->write_failed) {
		ret = ppoll(&pfd, 1, NULL, &during_poll);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return fail("monitor: poll: %s", strerror(errno));
		}
		ret = nl_recvmsgs_default(sock);
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events for us. */
			fputs("ssihvctl: monitor: events were lost (receive buffer overflow)\n",
			      stderr);
			continue;
		}
		if (ret < 0 && ret != -NLE_AGAIN)
			return fail("monitor: cannot receive: %s",
				    nl_geterror(ret));
	}
	if (mon->write_failed)
		return fail("cannot write the output");
	return EXIT_OK;
}

static int monitor_show(int argc, char **argv)
{
	struct monitor mon = { 0 };
	struct ssihv_nl nl;
	int group, ret;

	if (argc > 0)
		return usage_error("'monitor' takes no arguments, got '%s'",
				   argv[0]);
	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	mon.nl = &nl;
	mon.family_id = nl.family_id;

	group = genl_ctrl_resolve_grp(nl.sock, SSIHV_GENL_NAME,
				      SSIHV_GENL_MCGRP_EVENTS);
	if (group < 0) {
		ssihv_nl_close(&nl);
		return fail("monitor: no multicast group \"%s\": %s",
			    SSIHV_GENL_MCGRP_EVENTS, nl_geterror(group));
	}
	/* Notifications carry sequence number 0: do not check them. */
	nl_socket_disable_seq_check(nl.sock);
	ret = nl_socket_modify_cb(nl.sock, NL_CB_VALID, NL_CB_CUSTOM,
				  on_event, &mon);
	if (!ret)
		ret = nl_socket_add_membership(nl.sock, group);
	if (!ret)
		ret = nl_socket_set_nonblocking(nl.sock);
	if (ret < 0) {
		ssihv_nl_close(&nl);
		return fail("monitor: cannot join the \"%s\" group: %s",
			    SSIHV_GENL_MCGRP_EVENTS, nl_geterror(ret));
	}
	ret = monitor_run_loop(&mon, nl.sock);
	ssihv_nl_close(&nl);
	return ret;
}

static int monitor_run(int argc, char **argv)
{
	static const struct ssihvctl_cmd monitor_cmds[] = {
		{ "show", monitor_show },
		{ NULL, NULL },
	};

	if (argc > 0 && !strcmp(argv[0], "help"))
		return run_cmd(&monitor_object, monitor_cmds, "show", argc,
			       argv);
	return monitor_show(argc, argv);
}

const struct ssihvctl_object monitor_object = {
	.name = "monitor",
	.summary = "print events (VM created/destroyed, limit hit) as they come",
	.usage = "  ssihvctl [-j] monitor\n",
	.run = monitor_run,
};
