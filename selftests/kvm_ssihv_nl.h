/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-memory helpers shared by kvm_ssihv_test, mem_stress_test and
 * mmap_abi_test: attaching /dev/ssihv fds, and the per-VM netlink
 * commands (GET_VM, GET_STATS, GET_PAGE, REVOKE_PAGE, DESTROY_VM, the
 * "events" group) spoken directly with libnl-genl-3.
 *
 * Include after harness.h and ssihv_util.h (which supplies the connection and
 * request/ack plumbing).
 */
#ifndef _SSIHV_SELFTEST_KVM_SSIHV_NL_H
#define _SSIHV_SELFTEST_KVM_SSIHV_NL_H

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "ssihv_util.h"

#define SSIHV_DEV_PATH		"/dev/ssihv"
#define PAGE_SZ			4096ULL

/* A VM id unlikely to collide with other tests or runs. */
static inline __u64 test_vm_id(unsigned int salt)
{
	return 0x5e1f000000000000ULL | ((__u64)salt << 32) |
	       (__u32)getpid();
}

/* One range at gpa of size bytes, any NUMA node, home node 0. */
static inline struct ssihv_mem_range mem_range(__u64 gpa, __u64 size)
{
	struct ssihv_mem_range r = {
		.gpa = gpa,
		.size = size,
		.home_node = 0,
		.numa_node = SSIHV_NUMA_ANY,
	};

	return r;
}

/* SSIHV_IOC_ATTACH; returns 0 or -errno. */
static inline int ssihv_attach(int fd, __u64 vm_id,
			       const struct ssihv_mem_range *ranges,
			       unsigned int nr_ranges, unsigned int flags,
			       __u64 mem_limit)
{
	struct ssihv_attach req = {
		.vm_id = vm_id,
		.ranges = (uintptr_t)ranges,
		.nr_ranges = nr_ranges,
		.flags = flags,
		.mem_limit = mem_limit,
	};

	return ioctl(fd, SSIHV_IOC_ATTACH, &req) ? -errno : 0;
}

static inline int ssihv_open(void)
{
	int fd = open(SSIHV_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		FAIL("open %s: %s", SSIHV_DEV_PATH, strerror(errno));
	return fd;
}

/*
 * Open /dev/ssihv, create VM vm_id with one range [0, size) and map it
 * all at offset 0.  Returns the fd; *map gets the mapping.
 */
static inline int ssihv_create_mapped(__u64 vm_id, __u64 size,
				      __u64 mem_limit, void **map)
{
	struct ssihv_mem_range r = mem_range(0, size);
	int fd = ssihv_open();

	ASSERT_EQ(ssihv_attach(fd, vm_id, &r, 1,
			       SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL,
			       mem_limit), 0);
	*map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*map == MAP_FAILED)
		FAIL("mmap of %s: %s", SSIHV_DEV_PATH, strerror(errno));
	return fd;
}

/* ---- replies -------------------------------------------------------- */

static inline void ssihv_reply_attrs(struct nl_msg *reply,
				     struct nlattr **attrs)
{
	ASSERT_TRUE(reply);
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(reply), 0, attrs, SSIHV_A_MAX,
				NULL), 0);
}

static inline __u64 attr_u64(struct nlattr **attrs, int type)
{
	if (!attrs[type])
		FAIL("reply lacks attribute %d", type);
	ASSERT_EQ(nla_len(attrs[type]), 8);
	return nla_get_u64(attrs[type]);
}

static inline __u32 attr_u32(struct nlattr **attrs, int type)
{
	if (!attrs[type])
		FAIL("reply lacks attribute %d", type);
	ASSERT_EQ(nla_len(attrs[type]), 4);
	return nla_get_u32(attrs[type]);
}

/* ---- GET_STATS ------------------------------------------------------ */

struct ssihv_stats {
	__u64 faults[5];	/* first, map, upgrade, remote, refused */
	__u64 revoked;
	__u64 resident;	/* sum over NUMA nodes */
	unsigned int nr_nodes;
	__u64 hist_total;	/* faults in the service-time histogram */
	__u64 hist[SSIHV_HIST_BUCKETS];	/* log2 ns buckets */
};

enum {
	ST_FIRST, ST_MAP, ST_UPGRADE, ST_REMOTE, ST_REFUSED,
};

static inline void ssihv_parse_stats(struct nl_msg *reply,
				     struct ssihv_stats *st)
{
	struct nlattr *attrs[SSIHV_A_MAX + 1], *node, *nattrs[SSIHV_A_MAX + 1];
	unsigned int i;
	int rem;

	memset(st, 0, sizeof(*st));
	ssihv_reply_attrs(reply, attrs);
	for (i = 0; i < 5; i++)
		st->faults[i] = attr_u64(attrs,
					 SSIHV_A_STATS_FAULTS_FIRST + i);
	st->revoked = attr_u64(attrs, SSIHV_A_STATS_REVOKED);
	if (attrs[SSIHV_A_STATS_RESIDENT]) {
		nla_for_each_nested(node, attrs[SSIHV_A_STATS_RESIDENT], rem) {
			ASSERT_EQ(nla_type(node), SSIHV_A_STATS_NODE);
			ASSERT_EQ(nla_parse_nested(nattrs, SSIHV_A_MAX, node,
						   NULL), 0);
			st->resident += attr_u64(nattrs,
						 SSIHV_A_STATS_NODE_PAGES);
			st->nr_nodes++;
		}
	}
	if (!attrs[SSIHV_A_STATS_FAULT_NS_HIST])
		FAIL("GET_STATS reply lacks the fault-time histogram");
	ASSERT_EQ(nla_len(attrs[SSIHV_A_STATS_FAULT_NS_HIST]),
		  (int)sizeof(st->hist));
	memcpy(st->hist, nla_data(attrs[SSIHV_A_STATS_FAULT_NS_HIST]),
	       sizeof(st->hist));
	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		st->hist_total += st->hist[i];
}

/* GET_STATS for one VM; returns the kernel's errno (negative) or 0. */
static inline int ssihv_get_stats(struct genl_conn *conn, __u64 vm_id,
				  struct ssihv_stats *st)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_GET_STATS);
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_VM_ID, vm_id), 0);
	ret = genl_transact(conn, msg, &result);
	if (!ret)
		ssihv_parse_stats(result.reply, st);
	genl_result_free(&result);
	return ret;
}

static inline void ssihv_log_stats(const char *what,
				   const struct ssihv_stats *st)
{
	harness_log("%s: faults first %llu map %llu upgrade %llu remote %llu",
		    what, st->faults[ST_FIRST], st->faults[ST_MAP],
		    st->faults[ST_UPGRADE], st->faults[ST_REMOTE]);
	harness_log("%s: refused %llu, revoked %llu, resident %llu on %u node(s), histogram %llu",
		    what, st->faults[ST_REFUSED], st->revoked, st->resident,
		    st->nr_nodes, st->hist_total);
}

/* ---- GET_VM / DESTROY_VM -------------------------------------------- */

struct ssihv_vm_info {
	__u64 mem_limit;
	__u64 resident;
	__u32 users;
	bool dead;
};

/* GET_VM for one VM; returns the kernel's errno (negative) or 0. */
static inline int ssihv_get_vm(struct genl_conn *conn, __u64 vm_id,
			       struct ssihv_vm_info *info)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_GET_VM);
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_VM_ID, vm_id), 0);
	ret = genl_transact(conn, msg, &result);
	if (!ret) {
		memset(info, 0, sizeof(*info));
		ssihv_reply_attrs(result.reply, attrs);
		ASSERT_EQ(attr_u64(attrs, SSIHV_A_VM_ID), vm_id);
		info->mem_limit = attr_u64(attrs, SSIHV_A_VM_MEM_LIMIT);
		info->resident = attr_u64(attrs, SSIHV_A_VM_PAGES_RESIDENT);
		info->users = attr_u32(attrs, SSIHV_A_VM_USERS);
		info->dead = !!attrs[SSIHV_A_VM_DEAD];
	}
	genl_result_free(&result);
	return ret;
}

static inline int ssihv_destroy_vm(struct genl_conn *conn, __u64 vm_id)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_DESTROY_VM);
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_VM_ID, vm_id), 0);
	ret = genl_transact(conn, msg, &result);
	genl_result_free(&result);
	return ret;
}

/* ---- REVOKE_PAGE ---------------------------------------------------- */

/*
 * Revoke [gpa, gpa_last] (both page addresses, inclusive); shared leaves
 * the pages mapped read-only.  *revoked (when not NULL) gets the reply's
 * page count, or UINT64_MAX when the reply carries none.
 */
static inline int ssihv_revoke(struct genl_conn *conn, __u64 vm_id,
			       __u64 gpa, __u64 gpa_last, bool shared,
			       __u64 *revoked)
{
	struct nl_msg *msg = genl_new_request(conn, SSIHV_CMD_REVOKE_PAGE);
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genl_result result;
	int ret;

	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_VM_ID, vm_id), 0);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA, gpa), 0);
	if (gpa_last != gpa)
		ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA_LAST, gpa_last),
			  0);
	if (shared)
		ASSERT_EQ(nla_put_flag(msg, SSIHV_A_PAGE_SHARED), 0);
	ret = genl_transact(conn, msg, &result);
	if (revoked)
		*revoked = UINT64_MAX;
	if (!ret && revoked && result.reply) {
		ssihv_reply_attrs(result.reply, attrs);
		if (attrs[SSIHV_A_PAGE_REVOKED])
			*revoked = attr_u64(attrs, SSIHV_A_PAGE_REVOKED);
	}
	genl_result_free(&result);
	return ret;
}

/* ---- GET_PAGE (a dump) ---------------------------------------------- */

struct ssihv_page_info {
	__u64 gpa;
	__u8 state;
	__u32 faults;
};

struct ssihv_page_dump {
	struct ssihv_page_info *pages;
	unsigned int max, count;
	int error;
	bool done;
};

static inline int ssihv_page_dump_valid(struct nl_msg *msg, void *arg)
{
	struct ssihv_page_dump *dump = arg;
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct ssihv_page_info *page;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX, NULL) ||
	    !attrs[SSIHV_A_PAGE_GPA] || !attrs[SSIHV_A_PAGE_STATE]) {
		dump->error = -EPROTO;
		return NL_OK;
	}
	if (dump->count >= dump->max) {
		dump->error = -E2BIG;
		return NL_OK;
	}
	page = &dump->pages[dump->count++];
	page->gpa = nla_get_u64(attrs[SSIHV_A_PAGE_GPA]);
	page->state = nla_get_u8(attrs[SSIHV_A_PAGE_STATE]);
	page->faults = attrs[SSIHV_A_PAGE_FAULTS] ?
		       nla_get_u32(attrs[SSIHV_A_PAGE_FAULTS]) : 0;
	return NL_OK;
}

static inline int ssihv_page_dump_finish(struct nl_msg *msg, void *arg)
{
	struct ssihv_page_dump *dump = arg;

	dump->done = true;
	return NL_STOP;
}

static inline int ssihv_page_dump_error(struct sockaddr_nl *from,
					struct nlmsgerr *err, void *arg)
{
	struct ssihv_page_dump *dump = arg;

	dump->error = err->error;
	dump->done = true;
	return NL_STOP;
}

/*
 * GET_PAGE for [gpa, gpa_last]: fills pages (at most max); returns the
 * number of pages reported or the kernel's errno (negative).
 */
static inline int ssihv_get_pages(struct genl_conn *conn, __u64 vm_id,
				  __u64 gpa, __u64 gpa_last,
				  struct ssihv_page_info *pages,
				  unsigned int max)
{
	struct ssihv_page_dump dump = { .pages = pages, .max = max };
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb;
	int ret;

	ASSERT_TRUE(msg);
	ASSERT_TRUE(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				conn->family_id, 0, NLM_F_DUMP,
				SSIHV_CMD_GET_PAGE,
				SSIHV_GENL_VERSION) != NULL);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_VM_ID, vm_id), 0);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA, gpa), 0);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA_LAST, gpa_last), 0);

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	ASSERT_TRUE(cb);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ssihv_page_dump_valid,
		  &dump);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ssihv_page_dump_finish,
		  &dump);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ssihv_page_dump_finish,
		  &dump);
	nl_cb_err(cb, NL_CB_CUSTOM, ssihv_page_dump_error, &dump);
	ret = nl_send_auto(conn->sock, msg);
	nlmsg_free(msg);
	if (ret < 0)
		FAIL("nl_send_auto: %s", nl_geterror(ret));
	while (!dump.done) {
		ret = nl_recvmsgs(conn->sock, cb);
		if (ret < 0 && !dump.done)
			FAIL("nl_recvmsgs: %s", nl_geterror(ret));
	}
	nl_cb_put(cb);
	if (dump.error)
		return dump.error;
	return dump.count;
}

/* State of one page (GET_PAGE); -1 when the reply does not name it. */
static inline int ssihv_page_state(struct genl_conn *conn, __u64 vm_id,
				   __u64 gpa)
{
	struct ssihv_page_info page;
	int n = ssihv_get_pages(conn, vm_id, gpa, gpa, &page, 1);

	ASSERT_GE(n, 0);
	if (n != 1 || page.gpa != gpa)
		return -1;
	return page.state;
}

/* ---- the "events" multicast group ----------------------------------- */

static inline void ssihv_events_open(struct genl_conn *conn)
{
	int grp;

	ssihv_conn_open(conn);
	grp = genl_ctrl_resolve_grp(conn->sock, SSIHV_GENL_NAME,
				    SSIHV_GENL_MCGRP_EVENTS);
	if (grp < 0)
		FAIL("no \"%s\" multicast group: %s", SSIHV_GENL_MCGRP_EVENTS,
		     nl_geterror(grp));
	nl_socket_disable_seq_check(conn->sock);
	ASSERT_EQ(nl_socket_add_membership(conn->sock, grp), 0);
}

struct ssihv_event {
	__u8 cmd;
	__u64 vm_id;
	__u64 gpa;		/* LIMIT_HIT */
	__u64 mem_limit;	/* LIMIT_HIT */
	bool have;
};

static inline int ssihv_event_valid(struct nl_msg *msg, void *arg)
{
	struct ssihv_event *ev = arg;
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *attrs[SSIHV_A_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX, NULL))
		return NL_OK;
	memset(ev, 0, sizeof(*ev));
	ev->cmd = gh->cmd;
	if (attrs[SSIHV_A_VM_ID])
		ev->vm_id = nla_get_u64(attrs[SSIHV_A_VM_ID]);
	if (attrs[SSIHV_A_PAGE_GPA])
		ev->gpa = nla_get_u64(attrs[SSIHV_A_PAGE_GPA]);
	if (attrs[SSIHV_A_VM_MEM_LIMIT])
		ev->mem_limit = nla_get_u64(attrs[SSIHV_A_VM_MEM_LIMIT]);
	ev->have = true;
	return NL_STOP;
}

/* Notifications carry sequence number 0: accept them. */
static inline int ssihv_event_seq_ok(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/*
 * Wait up to timeout_ms for event cmd about vm_id; other events are
 * skipped.  Returns true and fills *out when it arrives.
 */
static inline bool ssihv_event_wait(struct genl_conn *conn, __u8 cmd,
				    __u64 vm_id, int timeout_ms,
				    struct ssihv_event *out)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(conn->sock),
			      .events = POLLIN };
	struct timespec start, now;
	struct nl_cb *cb;
	int left = timeout_ms;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	ASSERT_TRUE(cb);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ssihv_event_valid, out);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ssihv_event_seq_ok, NULL);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (left > 0) {
		out->have = false;
		if (poll(&pfd, 1, left) > 0) {
			nl_recvmsgs(conn->sock, cb);
			if (out->have && out->cmd == cmd &&
			    out->vm_id == vm_id) {
				nl_cb_put(cb);
				return true;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = timeout_ms -
		       (int)((now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000);
	}
	nl_cb_put(cb);
	return false;
}

#endif /* _SSIHV_SELFTEST_KVM_SSIHV_NL_H */
