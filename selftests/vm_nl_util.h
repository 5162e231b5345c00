/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the VM control-plane selftests (vm_nl_test, nl_badinput_test,
 * ssihvctl_vm_test): VM instances through /dev/ssihv, touching guest
 * pages with SIGBUS caught, and the per-VM netlink commands spoken with
 * libnl-genl-3 directly, dumps included (whose errors arrive in
 * NLMSG_DONE), plus a listener on the "events" group.
 *
 * Include after harness.h and ssihv_util.h.
 */
#ifndef _SSIHV_SELFTEST_VM_NL_UTIL_H
#define _SSIHV_SELFTEST_VM_NL_UTIL_H

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "ssihv_util.h"

#define VM_PAGE		4096ULL
#define VM_DEV		"/dev/ssihv"

/* A VM id of this test process: tests must not share instances. */
static inline uint64_t vm_test_id(unsigned int salt)
{
	return 0x7e57000000000000ULL | ((uint64_t)(salt & 0xffff) << 32) |
	       (uint32_t)getpid();
}

static inline struct ssihv_mem_range vm_range(uint64_t gpa, uint64_t size,
					      uint32_t home, int32_t numa)
{
	struct ssihv_mem_range r = {
		.gpa = gpa, .size = size, .home_node = home, .numa_node = numa,
	};

	return r;
}

/*
 * Open /dev/ssihv and create the instance with a resident memory limit
 * in bytes (0: the module's max-vm-memory); returns the fd.
 */
static inline int vm_create_limit(uint64_t id,
				  const struct ssihv_mem_range *r,
				  unsigned int n, uint64_t mem_limit)
{
	struct ssihv_attach req = {
		.vm_id = id,
		.ranges = (uintptr_t)r,
		.nr_ranges = n,
		.flags = SSIHV_ATTACH_CREATE | SSIHV_ATTACH_EXCL,
		.mem_limit = mem_limit,
	};
	int fd = open(VM_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		FAIL("open %s: %s", VM_DEV, strerror(errno));
	if (ioctl(fd, SSIHV_IOC_ATTACH, &req))
		FAIL("SSIHV_IOC_ATTACH(create %#llx): %s",
		     (unsigned long long)id, strerror(errno));
	return fd;
}

static inline int vm_create(uint64_t id, const struct ssihv_mem_range *r,
			    unsigned int n)
{
	return vm_create_limit(id, r, n, 0);
}

/* Map [gpa, gpa + size) of the instance behind fd, read-write. */
static inline uint8_t *vm_map(int fd, uint64_t gpa, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)gpa);

	if (p == MAP_FAILED)
		FAIL("mmap(gpa %#llx, %llu bytes): %s",
		     (unsigned long long)gpa, (unsigned long long)size,
		     strerror(errno));
	return p;
}

static sigjmp_buf vm_sigbus_jmp;

static inline void vm_on_sigbus(int sig)
{
	siglongjmp(vm_sigbus_jmp, 1);
}

/* Read one byte of guest memory; the compiler may not elide it. */
static inline uint8_t vm_peek(const uint8_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Read (write = false) or write one byte at p; returns false if that
 * raised SIGBUS.
 */
static inline bool vm_touch(uint8_t *p, bool write)
{
	struct sigaction sa = { .sa_handler = vm_on_sigbus }, old;

	sigemptyset(&sa.sa_mask);
	ASSERT_EQ(sigaction(SIGBUS, &sa, &old), 0);
	if (sigsetjmp(vm_sigbus_jmp, 1)) {
		ASSERT_EQ(sigaction(SIGBUS, &old, NULL), 0);
		return false;
	}
	if (write)
		__atomic_store_n(p, 0x5a, __ATOMIC_RELAXED);
	else
		vm_peek(p);
	ASSERT_EQ(sigaction(SIGBUS, &old, NULL), 0);
	return true;
}

/* ---- Requests, dumps included ------------------------------------- */

/* Called for every reply message; returns 0 or fails the test. */
typedef void (*nl_reply_fn)(struct nlattr **attrs, void *arg);

struct nl_call {
	nl_reply_fn fn;
	void *arg;
	int error;		/* kernel's errno, negative, or 0 */
	char extack[256];	/* kernel's text or "" */
	unsigned int replies;
	bool done;
};

static inline void nl_call_extack(struct nl_call *call,
				  struct nlattr *attrs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *msg;

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL))
		return;
	msg = tb[NLMSGERR_ATTR_MSG];
	if (msg)
		snprintf(call->extack, sizeof(call->extack), "%.*s",
			 (int)strnlen(nla_data(msg), nla_len(msg)),
			 (const char *)nla_data(msg));
}

static inline int nl_call_valid(struct nl_msg *msg, void *arg)
{
	struct nl_call *call = arg;
	struct nlattr *attrs[SSIHV_A_MAX + 1];

	/* No policy: tests check lengths themselves where it matters. */
	ASSERT_EQ(genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX, NULL),
		  0);
	call->replies++;
	if (call->fn)
		call->fn(attrs, call->arg);
	return NL_OK;
}

static inline int nl_call_error(struct sockaddr_nl *from,
				struct nlmsgerr *err, void *arg)
{
	struct nl_call *call = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err -
						   NLMSG_HDRLEN);
	size_t offset = sizeof(*err);

	call->error = err->error;
	call->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		offset += NLMSG_ALIGN(err->msg.nlmsg_len) - sizeof(err->msg);
	if (NLMSG_HDRLEN + offset < nlh->nlmsg_len)
		nl_call_extack(call, (struct nlattr *)((char *)err + offset),
			       nlh->nlmsg_len - NLMSG_HDRLEN - offset);
	return NL_STOP;
}

/* ACK, or NLMSG_DONE, which carries a failed dump's errno. */
static inline int nl_call_done(struct nl_msg *msg, void *arg)
{
	struct nl_call *call = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	call->done = true;
	if (nlh->nlmsg_type != NLMSG_DONE ||
	    nlmsg_datalen(nlh) < (int)sizeof(err))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	call->error = err;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		nl_call_extack(call, (struct nlattr *)((char *)nlmsg_data(nlh) +
						       NLMSG_ALIGN(sizeof(err))),
			       nlmsg_datalen(nlh) - NLMSG_ALIGN(sizeof(err)));
	return NL_STOP;
}

/*
 * Send msg (freed), hand every reply to fn and wait for the ack or the
 * end of the dump.  Returns the kernel's errno (negative) or 0; the
 * kernel's text is in call->extack.
 */
static inline int nl_call(struct genl_conn *conn, struct nl_msg *msg,
			  nl_reply_fn fn, void *arg, struct nl_call *call)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	memset(call, 0, sizeof(*call));
	call->fn = fn;
	call->arg = arg;
	ASSERT_TRUE(cb);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, nl_call_valid, call);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, nl_call_done, call);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, nl_call_done, call);
	nl_cb_err(cb, NL_CB_CUSTOM, nl_call_error, call);
	ret = nl_send_auto(conn->sock, msg);
	nlmsg_free(msg);
	if (ret < 0)
		FAIL("nl_send_auto: %s", nl_geterror(ret));
	while (!call->done) {
		ret = nl_recvmsgs(conn->sock, cb);
		if (ret < 0 && !call->done)
			FAIL("nl_recvmsgs: %s", nl_geterror(ret));
	}
	nl_cb_put(cb);
	if (call->error)
		harness_log("kernel said: %s%s%s", strerror(-call->error),
			    call->extack[0] ? ": " : "", call->extack);
	return call->error;
}

/* A request (dump: NLM_F_DUMP) for cmd with VM_ID unless id is NULL. */
static inline struct nl_msg *vm_request(struct genl_conn *conn, uint8_t cmd,
					bool dump, const uint64_t *id)
{
	struct nl_msg *msg = nlmsg_alloc();

	ASSERT_TRUE(msg);
	ASSERT_TRUE(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ,
				conn->family_id, 0, dump ? NLM_F_DUMP : 0,
				cmd, SSIHV_GENL_VERSION));
	if (id)
		ASSERT_EQ(nla_put_u64(msg, SSIHV_A_VM_ID, *id), 0);
	return msg;
}

static inline uint64_t attr_u64(struct nlattr **attrs, int type)
{
	if (!attrs[type])
		FAIL("reply lacks attribute %d", type);
	ASSERT_EQ(nla_len(attrs[type]), 8);
	return nla_get_u64(attrs[type]);
}

static inline uint32_t attr_u32(struct nlattr **attrs, int type)
{
	if (!attrs[type])
		FAIL("reply lacks attribute %d", type);
	ASSERT_EQ(nla_len(attrs[type]), 4);
	return nla_get_u32(attrs[type]);
}

/* ---- GET_VM -------------------------------------------------------- */

struct vm_info {
	uint64_t id, mem_limit, resident;
	uint32_t users, creator_pid;
	bool dead;
	unsigned int nr_ranges;
	struct ssihv_mem_range ranges[SSIHV_MAX_RANGES];
};

/* One reply of GET_VM; with a dump, the instance want->id only. */
struct vm_lookup {
	uint64_t want_id;
	struct vm_info info;
	unsigned int matches, messages;
};

static inline void vm_parse(struct nlattr **attrs, struct vm_info *vm)
{
	struct nlattr *tb[SSIHV_A_MAX + 1], *range;
	int rem;

	memset(vm, 0, sizeof(*vm));
	vm->id = attr_u64(attrs, SSIHV_A_VM_ID);
	vm->mem_limit = attr_u64(attrs, SSIHV_A_VM_MEM_LIMIT);
	vm->resident = attr_u64(attrs, SSIHV_A_VM_PAGES_RESIDENT);
	vm->users = attr_u32(attrs, SSIHV_A_VM_USERS);
	vm->creator_pid = attr_u32(attrs, SSIHV_A_VM_CREATOR_PID);
	vm->dead = !!attrs[SSIHV_A_VM_DEAD];
	ASSERT_TRUE(attrs[SSIHV_A_VM_RANGES]);
	nla_for_each_nested(range, attrs[SSIHV_A_VM_RANGES], rem) {
		struct ssihv_mem_range *r = &vm->ranges[vm->nr_ranges];

		ASSERT_EQ(nla_type(range), SSIHV_A_RANGE);
		ASSERT_TRUE(vm->nr_ranges < SSIHV_MAX_RANGES);
		ASSERT_EQ(nla_parse_nested(tb, SSIHV_A_MAX, range, NULL), 0);
		r->gpa = attr_u64(tb, SSIHV_A_RANGE_GPA);
		r->size = attr_u64(tb, SSIHV_A_RANGE_SIZE);
		r->home_node = attr_u32(tb, SSIHV_A_RANGE_HOME_NODE);
		r->numa_node = (int32_t)attr_u32(tb, SSIHV_A_RANGE_NUMA_NODE);
		vm->nr_ranges++;
	}
}

static inline void vm_lookup_reply(struct nlattr **attrs, void *arg)
{
	struct vm_lookup *lookup = arg;
	struct vm_info vm;

	lookup->messages++;
	vm_parse(attrs, &vm);
	if (vm.id == lookup->want_id) {
		lookup->info = vm;
		lookup->matches++;
	}
}

/* GET_VM doit; returns the errno, fills *vm on success. */
static inline int vm_get(struct genl_conn *conn, uint64_t id,
			 struct vm_info *vm)
{
	struct vm_lookup lookup = { .want_id = id };
	struct nl_call call;
	int ret;

	ret = nl_call(conn, vm_request(conn, SSIHV_CMD_GET_VM, false, &id),
		      vm_lookup_reply, &lookup, &call);
	if (!ret) {
		ASSERT_EQ(lookup.messages, 1);
		ASSERT_EQ(lookup.matches, 1);
		*vm = lookup.info;
	}
	return ret;
}

/* ---- GET_PAGE ------------------------------------------------------- */

struct page_info {
	uint64_t gpa;
	uint8_t state;
	uint32_t owner, home, heat, faults, last_fault_ms;
	bool has_numa_node;
	int32_t numa_node;
};

/* Big (160 KiB): allocate it. */
struct page_list {
	struct page_info pages[4096];
	unsigned int count;
};

static inline void page_parse(struct nlattr **attrs, struct page_info *p)
{
	memset(p, 0, sizeof(*p));
	p->gpa = attr_u64(attrs, SSIHV_A_PAGE_GPA);
	ASSERT_TRUE(attrs[SSIHV_A_PAGE_STATE]);
	ASSERT_EQ(nla_len(attrs[SSIHV_A_PAGE_STATE]), 1);
	p->state = nla_get_u8(attrs[SSIHV_A_PAGE_STATE]);
	p->owner = attr_u32(attrs, SSIHV_A_PAGE_OWNER);
	p->home = attr_u32(attrs, SSIHV_A_PAGE_HOME);
	p->heat = attr_u32(attrs, SSIHV_A_PAGE_HEAT);
	p->faults = attr_u32(attrs, SSIHV_A_PAGE_FAULTS);
	p->last_fault_ms = attr_u32(attrs, SSIHV_A_PAGE_LAST_FAULT_MS);
	p->has_numa_node = !!attrs[SSIHV_A_PAGE_NUMA_NODE];
	if (p->has_numa_node)
		p->numa_node = (int32_t)attr_u32(attrs,
						 SSIHV_A_PAGE_NUMA_NODE);
}

static inline void page_list_reply(struct nlattr **attrs, void *arg)
{
	struct page_list *list = arg;

	ASSERT_TRUE(list->count < ARRAY_SIZE(list->pages));
	page_parse(attrs, &list->pages[list->count++]);
}

/* GET_PAGE doit for the frame holding gpa; returns the errno. */
static inline int page_get(struct genl_conn *conn, uint64_t id, uint64_t gpa,
			   struct page_info *page)
{
	struct page_list *list = calloc(1, sizeof(*list));
	struct nl_msg *msg = vm_request(conn, SSIHV_CMD_GET_PAGE, false, &id);
	struct nl_call call;
	int ret;

	ASSERT_TRUE(list);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA, gpa), 0);
	ret = nl_call(conn, msg, page_list_reply, list, &call);
	if (!ret) {
		ASSERT_EQ(list->count, 1);
		*page = list->pages[0];
	}
	free(list);
	return ret;
}

/* GET_PAGE dump of [first, last]; returns the errno, fills list. */
static inline int page_dump(struct genl_conn *conn, uint64_t id,
			    uint64_t first, uint64_t last,
			    struct page_list *list)
{
	struct nl_msg *msg = vm_request(conn, SSIHV_CMD_GET_PAGE, true, &id);
	struct nl_call call;

	memset(list, 0, sizeof(*list));
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA, first), 0);
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA_LAST, last), 0);
	return nl_call(conn, msg, page_list_reply, list, &call);
}

/* ---- GET_STATS ------------------------------------------------------ */

struct vm_stats {
	uint64_t id, resident, first, map, upgrade, remote, refused, revoked;
	uint64_t node_pages[64];	/* by NUMA node id */
	unsigned int nr_nodes;
	uint64_t hist[SSIHV_HIST_BUCKETS];
};

static inline void stats_parse(struct nlattr **attrs, struct vm_stats *s)
{
	struct nlattr *tb[SSIHV_A_MAX + 1], *node;
	int rem;

	memset(s, 0, sizeof(*s));
	s->id = attr_u64(attrs, SSIHV_A_VM_ID);
	s->resident = attr_u64(attrs, SSIHV_A_VM_PAGES_RESIDENT);
	s->first = attr_u64(attrs, SSIHV_A_STATS_FAULTS_FIRST);
	s->map = attr_u64(attrs, SSIHV_A_STATS_FAULTS_MAP);
	s->upgrade = attr_u64(attrs, SSIHV_A_STATS_FAULTS_UPGRADE);
	s->remote = attr_u64(attrs, SSIHV_A_STATS_FAULTS_REMOTE);
	s->refused = attr_u64(attrs, SSIHV_A_STATS_FAULTS_REFUSED);
	s->revoked = attr_u64(attrs, SSIHV_A_STATS_REVOKED);
	ASSERT_TRUE(attrs[SSIHV_A_STATS_FAULT_NS_HIST]);
	ASSERT_EQ(nla_len(attrs[SSIHV_A_STATS_FAULT_NS_HIST]),
		  sizeof(s->hist));
	memcpy(s->hist, nla_data(attrs[SSIHV_A_STATS_FAULT_NS_HIST]),
	       sizeof(s->hist));
	ASSERT_TRUE(attrs[SSIHV_A_STATS_RESIDENT]);
	nla_for_each_nested(node, attrs[SSIHV_A_STATS_RESIDENT], rem) {
		int32_t nid;

		ASSERT_EQ(nla_type(node), SSIHV_A_STATS_NODE);
		ASSERT_EQ(nla_parse_nested(tb, SSIHV_A_MAX, node, NULL), 0);
		nid = (int32_t)attr_u32(tb, SSIHV_A_STATS_NODE_ID);
		ASSERT_TRUE(nid >= 0 && nid < 64);
		s->node_pages[nid] = attr_u64(tb, SSIHV_A_STATS_NODE_PAGES);
		s->nr_nodes++;
	}
}

static inline void stats_reply(struct nlattr **attrs, void *arg)
{
	stats_parse(attrs, arg);
}

static inline int stats_get(struct genl_conn *conn, uint64_t id,
			    struct vm_stats *s)
{
	struct nl_call call;
	int ret;

	ret = nl_call(conn, vm_request(conn, SSIHV_CMD_GET_STATS, false, &id),
		      stats_reply, s, &call);
	if (!ret)
		ASSERT_EQ(call.replies, 1);
	return ret;
}

static inline uint64_t hist_total(const struct vm_stats *s)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		n += s->hist[i];
	return n;
}

/* ---- REVOKE_PAGE, DESTROY_VM ---------------------------------------- */

static inline void revoke_reply(struct nlattr **attrs, void *arg)
{
	*(uint64_t *)arg = attr_u64(attrs, SSIHV_A_PAGE_REVOKED);
}

/* REVOKE_PAGE [first, last]; returns the errno, *count the pages. */
static inline int page_revoke(struct genl_conn *conn, uint64_t id,
			      uint64_t first, uint64_t last, bool shared,
			      uint64_t *count)
{
	struct nl_msg *msg = vm_request(conn, SSIHV_CMD_REVOKE_PAGE, false,
					&id);
	struct nl_call call;
	int ret;

	*count = UINT64_MAX;
	ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA, first), 0);
	if (last != first)
		ASSERT_EQ(nla_put_u64(msg, SSIHV_A_PAGE_GPA_LAST, last), 0);
	if (shared)
		ASSERT_EQ(nla_put_flag(msg, SSIHV_A_PAGE_SHARED), 0);
	ret = nl_call(conn, msg, revoke_reply, count, &call);
	if (!ret)
		ASSERT_EQ(call.replies, 1);
	return ret;
}

static inline int vm_destroy(struct genl_conn *conn, uint64_t id)
{
	struct nl_call call;

	return nl_call(conn, vm_request(conn, SSIHV_CMD_DESTROY_VM, false, &id),
		       NULL, NULL, &call);
}

/* ---- Events ---------------------------------------------------------- */

/* A socket in the "events" group, non-blocking. */
static inline void events_open(struct genl_conn *conn)
{
	int group;

	ssihv_conn_open(conn);
	group = genl_ctrl_resolve_grp(conn->sock, SSIHV_GENL_NAME,
				      SSIHV_GENL_MCGRP_EVENTS);
	ASSERT_GE(group, 0);
	nl_socket_disable_seq_check(conn->sock);
	ASSERT_EQ(nl_socket_add_membership(conn->sock, group), 0);
	ASSERT_EQ(nl_socket_set_nonblocking(conn->sock), 0);
}

struct event_wait {
	uint8_t cmd;
	uint64_t vm_id;
	bool seen;
	uint64_t gpa, mem_limit;	/* of LIMIT_HIT, if present */
};

static inline int event_valid(struct nl_msg *msg, void *arg)
{
	struct event_wait *wait = arg;
	struct nlattr *attrs[SSIHV_A_MAX + 1];
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	if (genlmsg_parse(nlmsg_hdr(msg), 0, attrs, SSIHV_A_MAX, NULL))
		return NL_SKIP;
	harness_log("event cmd %u vm %#llx", ghdr->cmd,
		    attrs[SSIHV_A_VM_ID] ? (unsigned long long)
		    nla_get_u64(attrs[SSIHV_A_VM_ID]) : 0ULL);
	if (ghdr->cmd == wait->cmd && attrs[SSIHV_A_VM_ID] &&
	    nla_len(attrs[SSIHV_A_VM_ID]) == 8 &&
	    nla_get_u64(attrs[SSIHV_A_VM_ID]) == wait->vm_id) {
		wait->seen = true;
		if (attrs[SSIHV_A_PAGE_GPA])
			wait->gpa = attr_u64(attrs, SSIHV_A_PAGE_GPA);
		if (attrs[SSIHV_A_VM_MEM_LIMIT])
			wait->mem_limit = attr_u64(attrs,
						   SSIHV_A_VM_MEM_LIMIT);
	}
	return NL_OK;
}

/* Notifications carry sequence number 0. */
static inline int event_any_seq(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/*
 * Wait up to timeout_ms for event cmd about vm_id; true if it came, with
 * its GPA and limit in *out if out is not NULL.
 */
static inline bool event_wait_for(struct genl_conn *conn, uint8_t cmd,
				  uint64_t vm_id, unsigned int timeout_ms,
				  struct event_wait *out)
{
	struct event_wait wait = { .cmd = cmd, .vm_id = vm_id };
	struct pollfd pfd = { .fd = nl_socket_get_fd(conn->sock),
			      .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	unsigned int waited = 0;

	ASSERT_TRUE(cb);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, event_valid, &wait);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, event_any_seq, NULL);
	while (!wait.seen && waited < timeout_ms) {
		if (poll(&pfd, 1, 50) > 0)
			nl_recvmsgs(conn->sock, cb);
		waited += 50;
	}
	nl_cb_put(cb);
	if (out)
		*out = wait;
	return wait.seen;
}

static inline bool event_wait(struct genl_conn *conn, uint8_t cmd,
			      uint64_t vm_id, unsigned int timeout_ms)
{
	return event_wait_for(conn, cmd, vm_id, timeout_ms, NULL);
}

#endif /* _SSIHV_SELFTEST_VM_NL_UTIL_H */
