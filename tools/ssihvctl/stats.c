// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl stats": per-VM fault counters, resident pages per NUMA node
 * and the fault service time histogram, from SSIHV_CMD_GET_STATS; as
 * text, JSON or the Prometheus text exposition format.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nl.h"
#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

/* NUMA nodes reported per VM; more are a malformed reply. */
#define MAX_NUMA_NODES 1024

static struct nla_policy stats_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_VM_ID]			= { .type = NLA_U64 },
	[SSIHV_A_VM_PAGES_RESIDENT]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_FAULTS_FIRST]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_FAULTS_MAP]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_FAULTS_UPGRADE]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_FAULTS_REMOTE]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_FAULTS_REFUSED]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_REVOKED]		= { .type = NLA_U64 },
	[SSIHV_A_STATS_FRAMES_SERVED]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_FRAMES_RECALLED]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_INVALIDATIONS]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_COPIES_DROPPED]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_MIGRATIONS]	= { .type = NLA_U64 },
	[SSIHV_A_STATS_RESIDENT]	= { .type = NLA_NESTED },
	[SSIHV_A_STATS_FAULT_NS_HIST]	= { .minlen = SSIHV_HIST_BUCKETS *
						      sizeof(uint64_t) },
};

static struct nla_policy node_policy[SSIHV_A_MAX + 1] = {
	[SSIHV_A_STATS_NODE_ID]		= { .type = NLA_U32 },
	[SSIHV_A_STATS_NODE_PAGES]	= { .type = NLA_U64 },
};

/* The fault kinds, in the kernel's order, with their names. */
enum {
	KIND_FIRST,
	KIND_MAP,
	KIND_UPGRADE,
	KIND_REMOTE,
	KIND_REFUSED,
	NR_KINDS
};

static const struct {
	int attr;
	const char *name;
} kinds[NR_KINDS] = {
	[KIND_FIRST]	= { SSIHV_A_STATS_FAULTS_FIRST,	"first" },
	[KIND_MAP]	= { SSIHV_A_STATS_FAULTS_MAP,	"map" },
	[KIND_UPGRADE]	= { SSIHV_A_STATS_FAULTS_UPGRADE, "upgrade" },
	[KIND_REMOTE]	= { SSIHV_A_STATS_FAULTS_REMOTE, "remote" },
	[KIND_REFUSED]	= { SSIHV_A_STATS_FAULTS_REFUSED, "refused" },
};

struct node_pages {
	int32_t node;
	uint64_t pages;
};

struct vm_stats {
	uint64_t id;
	uint64_t resident;
	uint64_t faults[NR_KINDS];
	uint64_t revoked;
	uint64_t served;	/* frames handed to other nodes */
	uint64_t recalled;	/* frames this home took back */
	uint64_t invalidations;	/* others' shared copies this home took */
	uint64_t dropped;	/* shared copies dropped here on an INV */
	uint64_t migrations;	/* read misses this home gave the only copy */
	struct node_pages *nodes;
	unsigned int nr_nodes;
	uint64_t hist[SSIHV_HIST_BUCKETS];
};

struct stats_reply {
	struct ssihv_nl *nl;
	struct vm_stats *vms;
	unsigned int count, cap;
};

static int bad_reply(struct ssihv_nl *nl, const char *what)
{
	snprintf(nl->extack_msg, sizeof(nl->extack_msg),
		 "the kernel's reply lacks the %s", what);
	return -EPROTO;
}

static int parse_nodes(struct ssihv_nl *nl, struct nlattr *nest,
		       struct vm_stats *vm)
{
	struct nlattr *tb[SSIHV_A_MAX + 1];
	struct nlattr *node;
	int rem;

	nla_for_each_nested(node, nest, rem) {
		struct node_pages *np;

		if (nla_type(node) != SSIHV_A_STATS_NODE)
			continue;
		if (vm->nr_nodes == MAX_NUMA_NODES ||
		    nla_parse_nested(tb, SSIHV_A_MAX, node, node_policy) < 0 ||
		    !tb[SSIHV_A_STATS_NODE_ID] || !tb[SSIHV_A_STATS_NODE_PAGES])
			return bad_reply(nl, "well-formed NUMA node counts");
		np = realloc(vm->nodes, (vm->nr_nodes + 1) * sizeof(*np));
		if (!np)
			return -ENOMEM;
		vm->nodes = np;
		np = &vm->nodes[vm->nr_nodes++];
		np->node = (int32_t)nla_get_u32(tb[SSIHV_A_STATS_NODE_ID]);
		np->pages = nla_get_u64(tb[SSIHV_A_STATS_NODE_PAGES]);
	}
	return 0;
}

static int handle_stats(struct nlattr **attrs, void *arg)
{
	struct stats_reply *reply = arg;
	struct vm_stats *vm;
	int i;

	if (!attrs[SSIHV_A_VM_ID] || !attrs[SSIHV_A_VM_PAGES_RESIDENT] ||
	    !attrs[SSIHV_A_STATS_REVOKED] || !attrs[SSIHV_A_STATS_RESIDENT] ||
	    !attrs[SSIHV_A_STATS_FAULT_NS_HIST])
		return bad_reply(reply->nl, "statistics");
	for (i = 0; i < NR_KINDS; i++)
		if (!attrs[kinds[i].attr])
			return bad_reply(reply->nl, "fault counters");
	if (reply->count == reply->cap) {
		reply->cap = reply->cap ? 2 * reply->cap : 4;
		vm = realloc(reply->vms, reply->cap * sizeof(*vm));
		if (!vm)
			return -ENOMEM;
		reply->vms = vm;
	}
	vm = &reply->vms[reply->count++];
	memset(vm, 0, sizeof(*vm));
	vm->id = nla_get_u64(attrs[SSIHV_A_VM_ID]);
	vm->resident = nla_get_u64(attrs[SSIHV_A_VM_PAGES_RESIDENT]);
	vm->revoked = nla_get_u64(attrs[SSIHV_A_STATS_REVOKED]);
	/* Absent from modules older than remote frames: 0. */
	if (attrs[SSIHV_A_STATS_FRAMES_SERVED])
		vm->served = nla_get_u64(attrs[SSIHV_A_STATS_FRAMES_SERVED]);
	if (attrs[SSIHV_A_STATS_FRAMES_RECALLED])
		vm->recalled =
			nla_get_u64(attrs[SSIHV_A_STATS_FRAMES_RECALLED]);
	/* Absent from modules older than shared copies: 0. */
	if (attrs[SSIHV_A_STATS_INVALIDATIONS])
		vm->invalidations =
			nla_get_u64(attrs[SSIHV_A_STATS_INVALIDATIONS]);
	if (attrs[SSIHV_A_STATS_COPIES_DROPPED])
		vm->dropped = nla_get_u64(attrs[SSIHV_A_STATS_COPIES_DROPPED]);
	if (attrs[SSIHV_A_STATS_MIGRATIONS])
		vm->migrations = nla_get_u64(attrs[SSIHV_A_STATS_MIGRATIONS]);
	for (i = 0; i < NR_KINDS; i++)
		vm->faults[i] = nla_get_u64(attrs[kinds[i].attr]);
	memcpy(vm->hist, nla_data(attrs[SSIHV_A_STATS_FAULT_NS_HIST]),
	       sizeof(vm->hist));
	return parse_nodes(reply->nl, attrs[SSIHV_A_STATS_RESIDENT], vm);
}

static uint64_t hist_count(const uint64_t *hist)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		n += hist[i];
	return n;
}

/*
 * Every fault lands in exactly one histogram bucket, and in one of first,
 * map, upgrade, remote and refused, except a remote fault that failed:
 * that one is counted as remote and as refused.
 */
static uint64_t faults_total(const struct vm_stats *vm)
{
	return hist_count(vm->hist);
}

/* Bucket i holds 2^i <= t < 2^(i+1) ns; bucket 0 also t = 0. */
static double bucket_low(int i)
{
	return i ? (double)(1ULL << i) : 0;
}

static double bucket_high(int i)
{
	return 2.0 * (double)(1ULL << i);
}

/*
 * The q-quantile estimated from the buckets: linear inside the bucket
 * that holds it.  Only meaningful when the histogram is not empty.
 */
static double hist_quantile(const uint64_t *hist, double q)
{
	double target = q * (double)hist_count(hist), cum = 0;
	int i;

	for (i = 0; i < SSIHV_HIST_BUCKETS; i++) {
		if (!hist[i])
			continue;
		if (cum + (double)hist[i] >= target) {
			double frac = (target - cum) / (double)hist[i];

			return bucket_low(i) +
			       frac * (bucket_high(i) - bucket_low(i));
		}
		cum += (double)hist[i];
	}
	return 0;
}

/* Approximate sum of all samples: each counted at its bucket's middle. */
static double hist_sum_ns(const uint64_t *hist)
{
	double sum = 0;
	int i;

	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		sum += (double)hist[i] * (bucket_low(i) + bucket_high(i)) / 2;
	return sum;
}

static const char *const time_units[] = { "ns", "us", "ms", "s" };

/* Scale ns to its unit: returns the unit index, *value scaled. */
static unsigned int time_unit(double *value)
{
	unsigned int unit = 0;

	while (unit + 1 < ARRAY_SIZE(time_units) && *value >= 1000) {
		*value /= 1000;
		unit++;
	}
	return unit;
}

/* "1.5 us": three significant digits. */
static void format_ns(double ns, char *buf, size_t len)
{
	unsigned int unit = time_unit(&ns);

	snprintf(buf, len, "%.3g %s", ns, time_units[unit]);
}

/* "1.02-2.05 us" or "512 ns-1.02 us" for bucket i. */
static void format_bucket(int i, char *buf, size_t len)
{
	double lo = bucket_low(i), hi = bucket_high(i);
	unsigned int lo_unit, hi_unit;

	lo_unit = lo ? time_unit(&lo) : 0;
	hi_unit = time_unit(&hi);
	if (lo_unit == hi_unit)
		snprintf(buf, len, "%.3g-%.3g %s", lo, hi, time_units[hi_unit]);
	else
		snprintf(buf, len, "%.3g %s-%.3g %s", lo, time_units[lo_unit],
			 hi, time_units[hi_unit]);
}

static void print_stats(const struct vm_stats *vm)
{
	uint64_t page_size = sysconf(_SC_PAGESIZE);
	uint64_t total = faults_total(vm), served = hist_count(vm->hist);
	char human[FORMAT_SIZE_LEN], text[64], label[64];
	char key[32], lbl[32];
	unsigned int i;

	out_record_begin();
	out_u64("vm_id", "vm", vm->id);
	snprintf(text, sizeof(text), "%" PRIu64 " (%s)", vm->resident,
		 format_size(vm->resident * page_size, human, sizeof(human)));
	out_u64_text("resident_pages", "resident pages", vm->resident, text);
	out_u64("faults_total", "faults", total);
	for (i = 0; i < NR_KINDS; i++) {
		snprintf(key, sizeof(key), "faults_%s", kinds[i].name);
		snprintf(lbl, sizeof(lbl), "faults %s", kinds[i].name);
		out_u64(key, lbl, vm->faults[i]);
	}
	if (total)
		snprintf(text, sizeof(text), "%.2f%%", 100.0 *
			 (double)vm->faults[KIND_REMOTE] / (double)total);
	else
		snprintf(text, sizeof(text), "-");
	out_text("remote miss ratio", text);
	out_u64("revoked", "revoked pages", vm->revoked);
	out_u64("frames_served", "frames served", vm->served);
	out_u64("frames_recalled", "frames recalled", vm->recalled);
	out_u64("invalidations", "invalidations", vm->invalidations);
	out_u64("copies_dropped", "copies dropped", vm->dropped);
	out_u64("migrations", "migrations", vm->migrations);

	out_list_begin("resident", "resident pages per NUMA node");
	for (i = 0; i < vm->nr_nodes; i++) {
		out_record_begin();
		out_s64("numa_node", "numa node", vm->nodes[i].node);
		out_u64("pages", "pages", vm->nodes[i].pages);
		out_record_end();
	}
	out_list_end();

	out_group_begin("fault_service_ns", "fault service time");
	out_u64_array("buckets", vm->hist, SSIHV_HIST_BUCKETS);
	out_u64("count", "faults", served);
	for (i = 0; i < SSIHV_HIST_BUCKETS; i++) {
		if (!vm->hist[i])
			continue;
		format_bucket(i, label, sizeof(label));
		snprintf(text, sizeof(text), "%" PRIu64, vm->hist[i]);
		out_text(label, text);
	}
	if (served) {
		double median = hist_quantile(vm->hist, 0.5);
		double p99 = hist_quantile(vm->hist, 0.99);

		format_ns(median, text, sizeof(text));
		out_u64_text("median", "median (est.)", (uint64_t)median, text);
		format_ns(p99, text, sizeof(text));
		out_u64_text("p99", "p99 (est.)", (uint64_t)p99, text);
	} else {
		out_null("median", "median (est.)", "-");
		out_null("p99", "p99 (est.)", "-");
	}
	out_group_end();
	out_record_end();
}

/* Seconds from integer nanoseconds, exactly: "0.000001023". */
static void ns_to_seconds(uint64_t ns, char *buf, size_t len)
{
	size_t end;

	snprintf(buf, len, "%" PRIu64 ".%09" PRIu64, ns / 1000000000,
		 ns % 1000000000);
	end = strlen(buf);
	while (buf[end - 1] == '0')
		buf[--end] = '\0';
	if (buf[end - 1] == '.')
		buf[end - 1] = '\0';
}

static void print_bucket(uint64_t vm_id, const char *le, uint64_t count)
{
	printf("ssihv_fault_service_seconds_bucket{vm=\"%" PRIu64
	       "\",le=\"%s\"} %" PRIu64 "\n", vm_id, le, count);
}

/* The per-VM counters exported as ssihv_NAME_total, one family each. */
static const struct {
	const char *name, *help;
	size_t offset;		/* of the uint64_t in struct vm_stats */
} vm_counters[] = {
	{ "pages_revoked", "Guest pages revoked from the VM's mappings on this host.",
	  offsetof(struct vm_stats, revoked) },
	{ "frames_served", "Guest frames this host handed to other nodes.",
	  offsetof(struct vm_stats, served) },
	{ "frames_recalled", "Guest frames this home took back from their owner.",
	  offsetof(struct vm_stats, recalled) },
	{ "invalidations", "Shared copies on other nodes this home invalidated.",
	  offsetof(struct vm_stats, invalidations) },
	{ "copies_dropped", "Shared copies this host dropped when their home invalidated them.",
	  offsetof(struct vm_stats, dropped) },
	{ "migrations", "Read misses this home answered with the only copy (placement policy).",
	  offsetof(struct vm_stats, migrations) },
};

/*
 * The Prometheus text exposition format (version 0.0.4): each metric
 * family once, with its HELP and TYPE, then its samples for every VM.
 */
static void print_prometheus(const struct vm_stats *vms, unsigned int n)
{
	unsigned int v, k, i;
	size_t c;
	char le[32];

	/* HELP text is one line; it is written in pieces. */
	fputs("# HELP ssihv_faults_total Guest page faults handled by ssihv.ko, by kind: ",
	      stdout);
	fputs("first (zeroed page allocated), map (local copy mapped again), ",
	      stdout);
	fputs("upgrade (write to a shared copy), remote (frame homed or owned on another node), ",
	      stdout);
	fputs("refused (SIGBUS: over the limit, VM destroyed, or remote). ",
	      stdout);
	fputs("Remote faults are also counted as refused, so do not sum over kind; ",
	      stdout);
	puts("ssihv_fault_service_seconds_count is the total.");
	puts("# TYPE ssihv_faults_total counter");
	for (v = 0; v < n; v++)
		for (k = 0; k < NR_KINDS; k++)
			printf("ssihv_faults_total{vm=\"%" PRIu64 "\",kind=\"%s\"} %" PRIu64 "\n",
			       vms[v].id, kinds[k].name, vms[v].faults[k]);

	for (c = 0; c < ARRAY_SIZE(vm_counters); c++) {
		printf("# HELP ssihv_%s_total %s\n", vm_counters[c].name,
		       vm_counters[c].help);
		printf("# TYPE ssihv_%s_total counter\n", vm_counters[c].name);
		for (v = 0; v < n; v++)
			printf("ssihv_%s_total{vm=\"%" PRIu64 "\"} %" PRIu64 "\n",
			       vm_counters[c].name, vms[v].id,
			       *(const uint64_t *)((const char *)&vms[v] +
						   vm_counters[c].offset));
	}

	puts("# HELP ssihv_resident_pages Guest pages of the VM resident on this host, by host NUMA node.");
	puts("# TYPE ssihv_resident_pages gauge");
	for (v = 0; v < n; v++)
		for (i = 0; i < vms[v].nr_nodes; i++)
			printf("ssihv_resident_pages{vm=\"%" PRIu64 "\",numa_node=\"%d\"} %" PRIu64 "\n",
			       vms[v].id, vms[v].nodes[i].node,
			       vms[v].nodes[i].pages);

	fputs("# HELP ssihv_fault_service_seconds Time ssihv.ko took to serve a guest page fault. ",
	      stdout);
	puts("Buckets are powers of two nanoseconds; _sum is approximated from the bucket midpoints, not measured.");
	puts("# TYPE ssihv_fault_service_seconds histogram");
	for (v = 0; v < n; v++) {
		const uint64_t *hist = vms[v].hist;
		uint64_t cum = 0;

		/* Bucket i ends below 2^(i+1) ns: le is 2^(i+1) - 1 ns. */
		for (i = 0; i + 1 < SSIHV_HIST_BUCKETS; i++) {
			cum += hist[i];
			ns_to_seconds((2ULL << i) - 1, le, sizeof(le));
			print_bucket(vms[v].id, le, cum);
		}
		cum += hist[SSIHV_HIST_BUCKETS - 1];
		print_bucket(vms[v].id, "+Inf", cum);
		printf("ssihv_fault_service_seconds_sum{vm=\"%" PRIu64
		       "\"} %.9g\n", vms[v].id, hist_sum_ns(hist) / 1e9);
		printf("ssihv_fault_service_seconds_count{vm=\"%" PRIu64
		       "\"} %" PRIu64 "\n", vms[v].id, cum);
	}
}

static int stats_show(int argc, char **argv)
{
	struct ssihv_nl nl;
	struct stats_reply arg = { .nl = &nl };
	const struct ssihv_nl_reply reply = {
		.policy = stats_policy,
		.handle = handle_stats,
		.arg = &arg,
	};
	bool prometheus = false, have_id = false;
	struct nl_msg *msg;
	unsigned int i;
	uint64_t id = 0;
	int a, ret;

	for (a = 0; a < argc; a++) {
		if (!strcmp(argv[a], "--prometheus")) {
			prometheus = true;
		} else if (argv[a][0] == '-' && argv[a][1] == '-') {
			return usage_error("unknown option '%s' for 'stats'",
					   argv[a]);
		} else if (have_id) {
			return usage_error("'stats' takes one VM id, got '%s' too",
					   argv[a]);
		} else {
			ret = parse_vm_id(argv[a], &id);
			if (ret != EXIT_OK)
				return ret;
			have_id = true;
		}
	}
	if (prometheus && global_opts.json)
		return usage_error("--prometheus and --json exclude each other");

	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	msg = have_id ? ssihv_nl_request(&nl, SSIHV_CMD_GET_STATS) :
			ssihv_nl_dump_request(&nl, SSIHV_CMD_GET_STATS);
	if (!msg || (have_id && ssihv_nl_put_vm_id(msg, id))) {
		ssihv_nl_close(&nl);
		return EXIT_FAIL;
	}
	ret = ssihv_nl_transact(&nl, msg, &reply);
	if (!ret && have_id && arg.count != 1) {
		snprintf(nl.extack_msg, sizeof(nl.extack_msg),
			 "the kernel sent %u replies, not one", arg.count);
		ret = -EPROTO;
	}
	if (ret) {
		ret = ssihv_nl_report(&nl, "stats", ret);
	} else if (prometheus) {
		print_prometheus(arg.vms, arg.count);
		ret = EXIT_OK;
		if (fflush(stdout) || ferror(stdout))
			ret = fail("cannot write the output");
	} else {
		out_begin(!have_id);
		for (i = 0; i < arg.count; i++)
			print_stats(&arg.vms[i]);
		ret = out_end();
	}
	for (i = 0; i < arg.count; i++)
		free(arg.vms[i].nodes);
	free(arg.vms);
	ssihv_nl_close(&nl);
	return ret;
}

static int stats_run(int argc, char **argv)
{
	static const struct ssihvctl_cmd stats_cmds[] = {
		{ "show", stats_show },
		{ NULL, NULL },
	};

	/* "stats [show] [VM] [--prometheus]": "show" may be left out. */
	if (argc > 0 && (!strcmp(argv[0], "show") || !strcmp(argv[0], "help")))
		return run_cmd(&stats_object, stats_cmds, "show", argc, argv);
	return stats_show(argc, argv);
}

const struct ssihvctl_object stats_object = {
	.name = "stats",
	.summary = "per-VM fault counters, resident pages, fault latency",
	.usage = "  ssihvctl [-j] stats [show] [VM]\n"
		 "  ssihvctl stats [show] [VM] --prometheus\n",
	.run = stats_run,
};
