// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl page": guest frames of a VM.  "show" asks SSIHV_CMD_GET_PAGE
 * for one frame (doit) or dumps a span of them; "revoke" sends
 * SSIHV_CMD_REVOKE_PAGE (needs CAP_NET_ADMIN).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nl.h"
#include "output.h"
#include "ssihvctl.h"

static struct nla_policy page_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID]			= { .type = NLA_U64 },
	[SSIHV_A_PAGE_GPA]		= { .type = NLA_U64 },
	[SSIHV_A_PAGE_STATE]		= { .type = NLA_U8 },
	[SSIHV_A_PAGE_OWNER]		= { .type = NLA_U32 },
	[SSIHV_A_PAGE_HOME]		= { .type = NLA_U32 },
	[SSIHV_A_PAGE_HEAT]		= { .type = NLA_U32 },
	[SSIHV_A_PAGE_FAULTS]		= { .type = NLA_U32 },
	[SSIHV_A_PAGE_LAST_FAULT_MS]	= { .type = NLA_U32 },
	[SSIHV_A_PAGE_NUMA_NODE]	= { .type = NLA_U32 },
	[SSIHV_A_PAGE_REVOKED]		= { .type = NLA_U64 },
};

struct page_info {
	uint64_t gpa;
	uint8_t state;
	uint32_t owner;
	uint32_t home;
	uint32_t heat;
	uint32_t faults;
	uint32_t last_fault_ms;
	bool has_numa_node;
	int32_t numa_node;
};

/* Frames are collected, then printed once the request succeeded. */
struct page_reply {
	struct ssihv_nl *nl;
	struct page_info *pages;
	size_t count, cap;
	bool have_revoked;
	uint64_t revoked;
};

static const char *state_name(uint8_t state)
{
	switch (state) {
	case SSIHV_PAGE_INVALID:
		return "invalid";
	case SSIHV_PAGE_EXCLUSIVE:
		return "exclusive";
	case SSIHV_PAGE_SHARED:
		return "shared";
	}
	return "unknown";
}

static int bad_reply(struct ssihv_nl *nl, const char *what)
{
	snprintf(nl->extack_msg, sizeof(nl->extack_msg),
		 "the kernel's reply lacks the %s", what);
	return -EPROTO;
}

static int handle_page(struct nlattr **attrs, void *arg)
{
	struct page_reply *reply = arg;
	struct page_info *page;

	if (!attrs[SSIHV_A_PAGE_GPA] || !attrs[SSIHV_A_PAGE_STATE] ||
	    !attrs[SSIHV_A_PAGE_OWNER] || !attrs[SSIHV_A_PAGE_HOME] ||
	    !attrs[SSIHV_A_PAGE_HEAT] || !attrs[SSIHV_A_PAGE_FAULTS] ||
	    !attrs[SSIHV_A_PAGE_LAST_FAULT_MS])
		return bad_reply(reply->nl, "page fields");
	if (reply->count == reply->cap) {
		reply->cap = reply->cap ? 2 * reply->cap : 64;
		reply->pages = realloc(reply->pages,
				       reply->cap * sizeof(*reply->pages));
		if (!reply->pages)
			return -ENOMEM;
	}
	page = &reply->pages[reply->count++];
	page->gpa = nla_get_u64(attrs[SSIHV_A_PAGE_GPA]);
	page->state = nla_get_u8(attrs[SSIHV_A_PAGE_STATE]);
	page->owner = nla_get_u32(attrs[SSIHV_A_PAGE_OWNER]);
	page->home = nla_get_u32(attrs[SSIHV_A_PAGE_HOME]);
	page->heat = nla_get_u32(attrs[SSIHV_A_PAGE_HEAT]);
	page->faults = nla_get_u32(attrs[SSIHV_A_PAGE_FAULTS]);
	page->last_fault_ms = nla_get_u32(attrs[SSIHV_A_PAGE_LAST_FAULT_MS]);
	page->has_numa_node = !!attrs[SSIHV_A_PAGE_NUMA_NODE];
	if (page->has_numa_node)
		page->numa_node =
			(int32_t)nla_get_u32(attrs[SSIHV_A_PAGE_NUMA_NODE]);
	return 0;
}

static void print_page(const struct page_info *page)
{
	out_record_begin();
	out_hex("gpa", "gpa", page->gpa);
	out_str("state", "state", state_name(page->state));
	out_u64("owner", "owner", page->owner);
	out_u64("home", "home", page->home);
	out_u64("heat", "heat", page->heat);
	out_u64("faults", "faults", page->faults);
	out_u64("last_fault_ms", "last fault ms", page->last_fault_ms);
	if (page->has_numa_node)
		out_s64("numa_node", "numa node", page->numa_node);
	else
		out_null("numa_node", "numa node", "-");
	out_record_end();
}

/* Parse "VM SPAN" for command name; returns an exit status. */
static int parse_vm_span(const char *name, int argc, char **argv,
			 int max_args, uint64_t *id, uint64_t *first,
			 uint64_t *last, bool *is_range)
{
	int ret;

	if (argc < 2)
		return usage_error("'page %s' needs a VM id and a guest-physical address",
				   name);
	if (argc > max_args)
		return usage_error("'page %s': unexpected argument '%s'", name,
				   argv[max_args]);
	ret = parse_vm_id(argv[0], id);
	if (ret != EXIT_OK)
		return ret;
	return parse_gpa_span(argv[1], first, last, is_range);
}

static int page_show(int argc, char **argv)
{
	struct ssihv_nl nl;
	struct page_reply arg = { .nl = &nl };
	const struct ssihv_nl_reply reply = {
		.policy = page_policy,
		.handle = handle_page,
		.arg = &arg,
	};
	uint64_t id, first, last;
	struct nl_msg *msg;
	bool is_range;
	size_t i;
	int ret;

	ret = parse_vm_span("show", argc, argv, 2, &id, &first, &last,
			    &is_range);
	if (ret != EXIT_OK)
		return ret;

	/* One frame: a plain request, so that its errors are precise. */
	msg = ssihv_nl_vm_request(&nl, SSIHV_CMD_GET_PAGE, is_range, id);
	if (!msg)
		return EXIT_FAIL;
	if (nla_put_u64(msg, SSIHV_A_PAGE_GPA, first) < 0 ||
	    (is_range && nla_put_u64(msg, SSIHV_A_PAGE_GPA_LAST, last) < 0)) {
		nlmsg_free(msg);
		ssihv_nl_close(&nl);
		return fail("out of memory");
	}
	ret = ssihv_nl_transact(&nl, msg, &reply);
	if (ret) {
		ret = ssihv_nl_report(&nl, "page show", ret);
	} else {
		if (is_range)
			out_table_begin();
		else
			out_begin(false);
		for (i = 0; i < arg.count; i++)
			print_page(&arg.pages[i]);
		ret = out_end();
	}
	free(arg.pages);
	ssihv_nl_close(&nl);
	return ret;
}

static int handle_revoked(struct nlattr **attrs, void *arg)
{
	struct page_reply *reply = arg;

	if (!attrs[SSIHV_A_PAGE_REVOKED])
		return bad_reply(reply->nl, "revoked page count");
	reply->revoked = nla_get_u64(attrs[SSIHV_A_PAGE_REVOKED]);
	reply->have_revoked = true;
	return 0;
}

static int page_revoke(int argc, char **argv)
{
	struct ssihv_nl nl;
	struct page_reply arg = { .nl = &nl };
	const struct ssihv_nl_reply reply = {
		.policy = page_policy,
		.handle = handle_revoked,
		.arg = &arg,
	};
	uint64_t id, first, last;
	bool is_range, shared = false;
	struct nl_msg *msg;
	int ret;

	ret = parse_vm_span("revoke", argc, argv, 3, &id, &first, &last,
			    &is_range);
	if (ret != EXIT_OK)
		return ret;
	if (argc == 3) {
		if (strcmp(argv[2], "shared"))
			return usage_error("'page revoke': unexpected argument '%s' (only 'shared' may follow)",
					   argv[2]);
		shared = true;
	}

	msg = ssihv_nl_vm_request(&nl, SSIHV_CMD_REVOKE_PAGE, false, id);
	if (!msg)
		return EXIT_FAIL;
	if (nla_put_u64(msg, SSIHV_A_PAGE_GPA, first) < 0 ||
	    (is_range && nla_put_u64(msg, SSIHV_A_PAGE_GPA_LAST, last) < 0) ||
	    (shared && nla_put_flag(msg, SSIHV_A_PAGE_SHARED) < 0)) {
		nlmsg_free(msg);
		ssihv_nl_close(&nl);
		return fail("out of memory");
	}
	ret = ssihv_nl_transact(&nl, msg, &reply);
	if (!ret && !arg.have_revoked)
		ret = bad_reply(&nl, "revoked page count");
	if (ret) {
		ret = ssihv_nl_report(&nl, "page revoke", ret);
	} else {
		out_begin(false);
		out_record_begin();
		out_u64("vm_id", "vm", id);
		out_u64("revoked", "revoked pages", arg.revoked);
		out_bool("shared", "shared", shared);
		out_record_end();
		ret = out_end();
	}
	ssihv_nl_close(&nl);
	return ret;
}

static const struct ssihvctl_cmd page_cmds[] = {
	{ "show", page_show },
	{ "revoke", page_revoke },
	{ NULL, NULL },
};

static int page_run(int argc, char **argv)
{
	if (argc == 0)
		return usage_error("'page' needs a command: show or revoke");
	return run_cmd(&page_object, page_cmds, NULL, argc, argv);
}

const struct ssihvctl_object page_object = {
	.name = "page",
	.summary = "guest frames of a VM: state, owner, heat; revoke",
	.usage = "  ssihvctl [-j] page show VM GPA[-GPA|+SIZE]\n"
		 "  ssihvctl [-j] page revoke VM GPA[-GPA|+SIZE] [shared]\n",
	.run = page_run,
};
