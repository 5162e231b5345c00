/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ssihv selftests: module state, netlink requests
 * that keep the kernel's raw errno and extended-ack text, dropping
 * privileges, and running programs with captured output.
 *
 * Include after harness.h; everything here may end the test through the
 * harness macros.
 */
#ifndef _SSIHV_SELFTEST_SSIHV_UTIL_H
#define _SSIHV_SELFTEST_SSIHV_UTIL_H

#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/socket.h>

#include <linux/ssihv.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The unprivileged identity tests switch to ("nobody" on Debian). */
#define NOBODY_ID 65534

/* A generic netlink socket bound to one family. */
struct genl_conn {
	struct nl_sock *sock;
	int family_id;
};

/* Outcome of one request. */
struct genl_result {
	int error;		/* kernel's errno, negative; 0 on success */
	char extack[256];	/* kernel's NLMSGERR_ATTR_MSG or "" */
	struct nl_msg *reply;	/* first reply message, or NULL */
};

/* Connect a socket with extended acks on; family_id is left at 0. */
static inline void genl_conn_open(struct genl_conn *conn)
{
	int on = 1;

	memset(conn, 0, sizeof(*conn));
	conn->sock = nl_socket_alloc();
	ASSERT_TRUE(conn->sock);
	ASSERT_EQ(genl_connect(conn->sock), 0);
	ASSERT_EQ(setsockopt(nl_socket_get_fd(conn->sock), SOL_NETLINK,
			     NETLINK_EXT_ACK, &on, sizeof(on)), 0);
	ASSERT_EQ(setsockopt(nl_socket_get_fd(conn->sock), SOL_NETLINK,
			     NETLINK_CAP_ACK, &on, sizeof(on)), 0);
}

/* Open a socket and resolve "ssihv"; returns the libnl error, 0 if ok. */
static inline int ssihv_conn_try(struct genl_conn *conn)
{
	int id;

	genl_conn_open(conn);
	id = genl_ctrl_resolve(conn->sock, SSIHV_GENL_NAME);
	if (id < 0)
		return id;
	conn->family_id = id;
	return 0;
}

static inline void genl_conn_close(struct genl_conn *conn)
{
	nl_socket_free(conn->sock);
	conn->sock = NULL;
}

/* Open a socket on the ssihv family, which must exist. */
static inline void ssihv_conn_open(struct genl_conn *conn)
{
	int ret = ssihv_conn_try(conn);

	if (ret)
		FAIL("cannot resolve family \"%s\": %s", SSIHV_GENL_NAME,
		     nl_geterror(ret));
}

/*
 * Make sure ssihv.ko is loaded (idempotent).  Loading needs root; a test
 * run without it skips.  A module that does not load fails the test: the
 * test bed guarantees it is installed.
 */
static inline void ensure_module(void)
{
	struct genl_conn conn;
	int ret;

	if (geteuid() != 0)
		SKIP("needs root to load ssihv.ko");
	if (!ssihv_conn_try(&conn)) {
		genl_conn_close(&conn);
		return;
	}
	genl_conn_close(&conn);
	ret = system("modprobe ssihv");
	if (ret != 0)
		FAIL("'modprobe ssihv' failed (exit status %d)",
		     WIFEXITED(ret) ? WEXITSTATUS(ret) : -1);
	ssihv_conn_open(&conn);
	genl_conn_close(&conn);
}

/* A request for family_id/cmd, built by the test before sending. */
static inline struct nl_msg *genl_new_request(struct genl_conn *conn,
					      uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	ASSERT_TRUE(msg);
	ASSERT_TRUE(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				conn->family_id, 0, 0, cmd,
				SSIHV_GENL_VERSION) != NULL);
	return msg;
}

struct genl_transaction {
	struct genl_result *result;
	bool done;
};

static inline int genl_on_valid(struct nl_msg *msg, void *arg)
{
	struct genl_transaction *tr = arg;

	if (!tr->result->reply) {
		nlmsg_get(msg);
		tr->result->reply = msg;
	}
	return NL_OK;
}

/* Extended-ack attributes follow struct nlmsgerr (CAP_ACK is on). */
static inline void genl_copy_extack(struct genl_result *result,
				    struct nlmsgerr *err)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err -
						   NLMSG_HDRLEN);
	struct nlattr *attrs[NLMSGERR_ATTR_MAX + 1];
	size_t offset = sizeof(*err);
	struct nlattr *msg;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(err->msg.nlmsg_len) - sizeof(err->msg);
	if (NLMSG_HDRLEN + offset >= nlh->nlmsg_len)
		return;
	if (nla_parse(attrs, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)err + offset),
		      nlh->nlmsg_len - NLMSG_HDRLEN - offset, NULL) < 0)
		return;
	msg = attrs[NLMSGERR_ATTR_MSG];
	if (msg)
		snprintf(result->extack, sizeof(result->extack), "%.*s",
			 (int)strnlen(nla_data(msg), nla_len(msg)),
			 (const char *)nla_data(msg));
}

static inline int genl_on_error(struct sockaddr_nl *from,
				struct nlmsgerr *err, void *arg)
{
	struct genl_transaction *tr = arg;

	tr->result->error = err->error;
	genl_copy_extack(tr->result, err);
	tr->done = true;
	return NL_STOP;
}

static inline int genl_on_ack(struct nl_msg *msg, void *arg)
{
	struct genl_transaction *tr = arg;

	tr->done = true;
	return NL_STOP;
}

/*
 * Send msg (freed) and wait for the acknowledgment.  Returns the kernel's
 * errno (negative) or 0 and fills result; free result->reply with
 * genl_result_free().  The kernel's text is logged to help debugging.
 */
static inline int genl_transact(struct genl_conn *conn, struct nl_msg *msg,
				struct genl_result *result)
{
	struct genl_transaction tr = { .result = result };
	struct nl_cb *cb;
	int ret;

	memset(result, 0, sizeof(*result));
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	ASSERT_TRUE(cb);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, genl_on_valid, &tr);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, genl_on_ack, &tr);
	nl_cb_err(cb, NL_CB_CUSTOM, genl_on_error, &tr);

	ret = nl_send_auto(conn->sock, msg);
	nlmsg_free(msg);
	if (ret < 0)
		FAIL("nl_send_auto: %s", nl_geterror(ret));
	while (!tr.done) {
		ret = nl_recvmsgs(conn->sock, cb);
		if (ret < 0 && !tr.done)
			FAIL("nl_recvmsgs: %s", nl_geterror(ret));
	}
	nl_cb_put(cb);
	if (result->error)
		harness_log("kernel said: %s%s%s", strerror(-result->error),
			    result->extack[0] ? ": " : "", result->extack);
	return result->error;
}

static inline void genl_result_free(struct genl_result *result)
{
	nlmsg_free(result->reply);
	result->reply = NULL;
}

/*
 * Become uid/gid 65534 with no supplementary groups.  Leaving uid 0 this
 * way clears every capability (no SECBIT_KEEP_CAPS), CAP_NET_ADMIN
 * included.  Only call this in a process of its own (a test is one).
 */
static inline void drop_privileges(void)
{
	ASSERT_EQ(setgroups(0, NULL), 0);
	ASSERT_EQ(setgid(NOBODY_ID), 0);
	ASSERT_EQ(setuid(NOBODY_ID), 0);
	ASSERT_EQ(geteuid(), NOBODY_ID);
}

/* What a program printed and how it ended. */
struct run_output {
	int status;		/* exit status, or -1 if killed */
	char out[8192];		/* stdout, NUL-terminated, truncated */
	char err[4096];		/* stderr, NUL-terminated, truncated */
};

/* Append what is readable on fd to buf; returns false at end of file. */
static inline bool run_drain(int fd, char *buf, size_t size, size_t *used)
{
	char scratch[512];
	ssize_t len;

	len = read(fd, scratch, sizeof(scratch));
	if (len < 0 && errno == EINTR)
		return true;
	if (len <= 0)
		return false;
	if ((size_t)len > size - 1 - *used)
		len = size - 1 - *used;
	memcpy(buf + *used, scratch, len);
	*used += len;
	buf[*used] = '\0';
	return true;
}

/*
 * Run argv (found through PATH) and capture its output.  unprivileged
 * runs it as uid 65534 (see drop_privileges()).
 */
static inline void run_program(char *const argv[], bool unprivileged,
			       struct run_output *result)
{
	int out_pipe[2], err_pipe[2], status;
	struct pollfd fds[2];
	size_t out_used = 0, err_used = 0;
	pid_t pid;

	memset(result, 0, sizeof(*result));
	ASSERT_EQ(pipe(out_pipe), 0);
	ASSERT_EQ(pipe(err_pipe), 0);
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		close(out_pipe[0]);
		close(err_pipe[0]);
		if (unprivileged)
			drop_privileges();
		execvp(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);

	/* Read both pipes as data arrives: a full pipe would block it. */
	fds[0] = (struct pollfd){ .fd = out_pipe[0], .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = err_pipe[0], .events = POLLIN };
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		if (poll(fds, 2, -1) < 0) {
			ASSERT_EQ(errno, EINTR);
			continue;
		}
		if (fds[0].revents && !run_drain(fds[0].fd, result->out,
						 sizeof(result->out),
						 &out_used)) {
			close(fds[0].fd);
			fds[0].fd = -1;
		}
		if (fds[1].revents && !run_drain(fds[1].fd, result->err,
						 sizeof(result->err),
						 &err_used)) {
			close(fds[1].fd);
			fds[1].fd = -1;
		}
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	result->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The ssihvctl to test: $SSIHVCTL, else the one in PATH. */
static inline char *ssihvctl_path(void)
{
	char *path = getenv("SSIHVCTL");

	return path && *path ? path : "ssihvctl";
}

/* Count the lines of text (a final line without '\n' counts too). */
static inline unsigned int count_lines(const char *text)
{
	unsigned int lines = 0;

	for (; *text; text++) {
		if (*text == '\n' || !text[1])
			lines++;
	}
	return lines;
}

#endif /* _SSIHV_SELFTEST_SSIHV_UTIL_H */
