// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl vm": VM instances on this host.  "list" dumps
 * SSIHV_CMD_GET_VM, "show" asks for one instance, "destroy" sends
 * SSIHV_CMD_DESTROY_VM (needs CAP_NET_ADMIN).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

static struct nla_policy vm_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID]			= { .type = NLA_U64 },
	[SSIHV_A_VM_MEM_LIMIT]		= { .type = NLA_U64 },
	[SSIHV_A_VM_PAGES_RESIDENT]	= { .type = NLA_U64 },
	[SSIHV_A_VM_USERS]		= { .type = NLA_U32 },
	[SSIHV_A_VM_CREATOR_PID]	= { .type = NLA_U32 },
	[SSIHV_A_VM_DEAD]		= { .type = NLA_FLAG },
	[SSIHV_A_VM_RANGES]		= { .type = NLA_NESTED },
};

static struct nla_policy range_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_RANGE_GPA]		= { .type = NLA_U64 },
	[SSIHV_A_RANGE_SIZE]		= { .type = NLA_U64 },
	[SSIHV_A_RANGE_HOME_NODE]	= { .type = NLA_U32 },
	[SSIHV_A_RANGE_NUMA_NODE]	= { .type = NLA_U32 },
};

struct vm_range {
	uint64_t gpa;
	uint64_t size;
	uint32_t home_node;
	int32_t numa_node;
};

struct vm_info {
	uint64_t id;
	uint64_t mem_limit;
	uint64_t resident;
	uint32_t users;
	uint32_t creator_pid;
	bool dead;
	unsigned int nr_ranges;
	struct vm_range ranges[SSIHV_MAX_RANGES];
};

/* Instances are collected, then printed once the request succeeded. */
struct vm_reply {
	struct ssihv_nl *nl;
	struct vm_info *vms;
	unsigned int count, cap;
};

static int bad_reply(struct ssihv_nl *nl, const char *what)
{
	snprintf(nl->extack_msg, sizeof(nl->extack_msg),
		 "the kernel's reply lacks the %s", what);
	return -EPROTO;
}

static int parse_ranges(struct ssihv_nl *nl, struct nlattr *nest,
			struct vm_info *vm)
{
	struct nlattr *tb[SSIHV_A_MAX + 1];
	struct nlattr *range;
	int rem;

	nla_for_each_nested(range, nest, rem) {
		struct vm_range *r;

		if (nla_type(range) != SSIHV_A_RANGE)
			continue;
		if (vm->nr_ranges == SSIHV_MAX_RANGES ||
		    nla_parse_nested(tb, SSIHV_A_MAX, range, range_policy) < 0)
			return bad_reply(nl, "well-formed ranges");
		if (!tb[SSIHV_A_RANGE_GPA] || !tb[SSIHV_A_RANGE_SIZE] ||
		    !tb[SSIHV_A_RANGE_HOME_NODE] || !tb[SSIHV_A_RANGE_NUMA_NODE])
			return bad_reply(nl, "range fields");
		r = &vm->ranges[vm->nr_ranges++];
		r->gpa = nla_get_u64(tb[SSIHV_A_RANGE_GPA]);
		r->size = nla_get_u64(tb[SSIHV_A_RANGE_SIZE]);
		r->home_node = nla_get_u32(tb[SSIHV_A_RANGE_HOME_NODE]);
		r->numa_node = (int32_t)nla_get_u32(tb[SSIHV_A_RANGE_NUMA_NODE]);
	}
	return 0;
}

static void print_vm(const struct vm_info *vm, bool list)
{
	uint64_t page_size = sysconf(_SC_PAGESIZE);
	char human[FORMAT_SIZE_LEN], text[64];
	unsigned int i;

	out_record_begin();
	out_u64("id", "id", vm->id);
	if (list)
		out_u64("nr_ranges", "ranges", vm->nr_ranges);
	snprintf(text, sizeof(text), "%" PRIu64 " (%s)", vm->resident,
		 format_size(vm->resident * page_size, human, sizeof(human)));
	out_u64_text("resident_pages", "resident", vm->resident, text);
	if (list)
		out_u64_text("mem_limit", "limit", vm->mem_limit,
			     format_size(vm->mem_limit, human, sizeof(human)));
	else
		out_size("mem_limit", "limit", vm->mem_limit);
	out_u64("users", "users", vm->users);
	out_u64("creator_pid", "creator pid", vm->creator_pid);
	out_bool("dead", "dead", vm->dead);
	if (!list) {
		out_list_begin("ranges", "ranges");
		for (i = 0; i < vm->nr_ranges; i++) {
			const struct vm_range *r = &vm->ranges[i];

			out_record_begin();
			out_hex("gpa", "gpa", r->gpa);
			out_size("size", "size", r->size);
			out_u64("home_node", "home node", r->home_node);
			if (r->numa_node == SSIHV_NUMA_ANY)
				out_null("numa_node", "numa node", "any");
			else
				out_s64("numa_node", "numa node",
					r->numa_node);
			out_record_end();
		}
		out_list_end();
	}
	out_record_end();
}

static int handle_vm(struct nlattr **attrs, void *arg)
{
	struct vm_reply *reply = arg;
	struct vm_info vm;
	int ret;

	if (reply->count == reply->cap) {
		reply->cap = reply->cap ? 2 * reply->cap : 4;
		reply->vms = realloc(reply->vms,
				     reply->cap * sizeof(*reply->vms));
		if (!reply->vms)
			return -ENOMEM;
	}
	memset(&vm, 0, sizeof(vm));
	if (!attrs[SSIHV_A_VM_ID])
		return bad_reply(reply->nl, "VM id");
	if (!attrs[SSIHV_A_VM_MEM_LIMIT] || !attrs[SSIHV_A_VM_PAGES_RESIDENT] ||
	    !attrs[SSIHV_A_VM_USERS] || !attrs[SSIHV_A_VM_CREATOR_PID] ||
	    !attrs[SSIHV_A_VM_RANGES])
		return bad_reply(reply->nl, "VM fields");
	vm.id = nla_get_u64(attrs[SSIHV_A_VM_ID]);
	vm.mem_limit = nla_get_u64(attrs[SSIHV_A_VM_MEM_LIMIT]);
	vm.resident = nla_get_u64(attrs[SSIHV_A_VM_PAGES_RESIDENT]);
	vm.users = nla_get_u32(attrs[SSIHV_A_VM_USERS]);
	vm.creator_pid = nla_get_u32(attrs[SSIHV_A_VM_CREATOR_PID]);
	vm.dead = !!attrs[SSIHV_A_VM_DEAD];
	ret = parse_ranges(reply->nl, attrs[SSIHV_A_VM_RANGES], &vm);
	if (ret)
		return ret;
	reply->vms[reply->count++] = vm;
	return 0;
}

static int vm_list(int argc, char **argv)
{
	struct ssihv_nl nl;
	struct vm_reply arg = { .nl = &nl };
	const struct ssihv_nl_reply reply = {
		.policy = vm_policy,
		.handle = handle_vm,
		.arg = &arg,
	};
	struct nl_msg *msg;
	unsigned int i;
	int ret;

	if (argc > 0)
		return usage_error("'vm list' takes no arguments, got '%s'",
				   argv[0]);
	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	msg = ssihv_nl_dump_request(&nl, SSIHV_CMD_GET_VM);
	if (!msg) {
		ssihv_nl_close(&nl);
		return EXIT_FAIL;
	}
	ret = ssihv_nl_transact(&nl, msg, &reply);
	if (ret) {
		ret = ssihv_nl_report(&nl, "vm list", ret);
	} else {
		out_table_begin();
		for (i = 0; i < arg.count; i++)
			print_vm(&arg.vms[i], true);
		ret = out_end();
	}
	free(arg.vms);
	ssihv_nl_close(&nl);
	return ret;
}

/* The single VM id argument of "vm show|destroy VM". */
static int one_vm_id(int argc, char **argv, const char *cmd, uint64_t *id)
{
	if (argc < 1)
		return usage_error("'%s' needs a VM id", cmd);
	if (argc > 1)
		return usage_error("'%s' takes one VM id, got '%s' too", cmd,
				   argv[1]);
	return parse_vm_id(argv[0], id);
}

static int vm_show(int argc, char **argv)
{
	struct ssihv_nl nl;
	struct vm_reply arg = { .nl = &nl };
	const struct ssihv_nl_reply reply = {
		.policy = vm_policy,
		.handle = handle_vm,
		.arg = &arg,
	};
	struct nl_msg *msg;
	uint64_t id;
	int ret;

	ret = one_vm_id(argc, argv, "vm show", &id);
	if (ret != EXIT_OK)
		return ret;
	msg = ssihv_nl_vm_request(&nl, SSIHV_CMD_GET_VM, false, id);
	if (!msg)
		return EXIT_FAIL;
	ret = ssihv_nl_transact(&nl, msg, &reply);
	if (!ret && arg.count != 1) {
		snprintf(nl.extack_msg, sizeof(nl.extack_msg),
			 "the kernel sent %u replies, not one", arg.count);
		ret = -EPROTO;
	}
	if (ret) {
		ret = ssihv_nl_report(&nl, "vm show", ret);
	} else {
		out_begin(false);
		print_vm(&arg.vms[0], false);
		ret = out_end();
	}
	free(arg.vms);
	ssihv_nl_close(&nl);
	return ret;
}

static int vm_destroy(int argc, char **argv)
{
	struct nl_msg *msg;
	struct ssihv_nl nl;
	uint64_t id;
	int ret;

	ret = one_vm_id(argc, argv, "vm destroy", &id);
	if (ret != EXIT_OK)
		return ret;
	msg = ssihv_nl_vm_request(&nl, SSIHV_CMD_DESTROY_VM, false, id);
	if (!msg)
		return EXIT_FAIL;
	ret = ssihv_nl_transact(&nl, msg, NULL);
	if (ret)
		ret = ssihv_nl_report(&nl, "vm destroy", ret);
	ssihv_nl_close(&nl);
	return ret;
}

static const struct ssihvctl_cmd vm_cmds[] = {
	{ "list", vm_list },
	{ "show", vm_show },
	{ "destroy", vm_destroy },
	{ NULL, NULL },
};

static int vm_run(int argc, char **argv)
{
	return run_cmd(&vm_object, vm_cmds, "list", argc, argv);
}

const struct ssihvctl_object vm_object = {
	.name = "vm",
	.summary = "VM instances on this host",
	.usage = "  ssihvctl [-j] vm [list]\n"
		 "  ssihvctl [-j] vm show VM\n"
		 "  ssihvctl vm destroy VM\n",
	.run = vm_run,
};
