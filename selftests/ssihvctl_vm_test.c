// SPDX-License-Identifier: GPL-2.0
/*
 * ssihvctl's vm, page, stats and monitor objects end to end: a VM made
 * through /dev/ssihv, then the CLI's JSON and Prometheus output parsed
 * and checked against what the netlink API itself reports.
 *
 * Uses $SSIHVCTL if set, else "ssihvctl" from PATH.
 */
#include <json-c/json.h>

#include "harness.h"
#include "ssihv_util.h"
#include "vm_nl_util.h"

#define A_GPA	0ULL
#define B_GPA	0x100000ULL
#define NPAGES	16ULL
#define R_SIZE	(NPAGES * VM_PAGE)

/* Run ssihvctl with the arguments after unprivileged, up to a NULL. */
static void ssihvctl_run(struct run_output *result, bool unprivileged, ...)
{
	char *argv[16] = { ssihvctl_path() };
	unsigned int argc = 1;
	va_list ap;

	va_start(ap, unprivileged);
	while ((argv[argc] = va_arg(ap, char *)))
		ASSERT_TRUE(++argc < ARRAY_SIZE(argv));
	va_end(ap);
	run_program(argv, unprivileged, result);
	harness_log("ssihvctl exit %d, stderr: %.*s", result->status,
		    (int)strcspn(result->err, "\n"), result->err);
}

#define SSIHVCTL(result, unprivileged, ...) \
	ssihvctl_run(result, unprivileged, __VA_ARGS__, NULL)

struct test_vm {
	uint64_t id;
	char id_dec[32], id_hex[32];
	int fd;
	uint8_t *a, *b;
};

/* Two ranges; A pages 0, 1, 2 written, B untouched. */
static void make_vm(struct test_vm *vm, unsigned int salt)
{
	struct ssihv_mem_range r[2] = {
		vm_range(A_GPA, R_SIZE, 0, SSIHV_NUMA_ANY),
		vm_range(B_GPA, R_SIZE, 0, 0),
	};
	int i;

	ensure_module();
	vm->id = vm_test_id(salt);
	snprintf(vm->id_dec, sizeof(vm->id_dec), "%llu",
		 (unsigned long long)vm->id);
	snprintf(vm->id_hex, sizeof(vm->id_hex), "%#llx",
		 (unsigned long long)vm->id);
	vm->fd = vm_create(vm->id, r, 2);
	vm->a = vm_map(vm->fd, A_GPA, R_SIZE);
	vm->b = vm_map(vm->fd, B_GPA, R_SIZE);
	for (i = 0; i < 3; i++)
		ASSERT_TRUE(vm_touch(vm->a + i * VM_PAGE, true));
}

/* Parse text as one complete JSON value; fails the test if it is not. */
static json_object *parse_json(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *value;
	size_t used;

	ASSERT_TRUE(tok);
	value = json_tokener_parse_ex(tok, text, strlen(text));
	used = json_tokener_get_parse_end(tok);
	if (!value)
		FAIL("invalid JSON: %s",
		     json_tokener_error_desc(json_tokener_get_error(tok)));
	if (text[used + strspn(text + used, " \t\n")])
		FAIL("junk after the JSON value: %s", text + used);
	json_tokener_free(tok);
	return value;
}

static json_object *member(json_object *obj, const char *key)
{
	json_object *m;

	if (!json_object_object_get_ex(obj, key, &m))
		FAIL("JSON lacks \"%s\"", key);
	return m;
}

static uint64_t json_u64(json_object *obj, const char *key)
{
	json_object *m = member(obj, key);

	if (!json_object_is_type(m, json_type_int))
		FAIL("JSON \"%s\" is not an integer", key);
	return json_object_get_uint64(m);
}

static const char *json_str(json_object *obj, const char *key)
{
	json_object *m = member(obj, key);

	if (!json_object_is_type(m, json_type_string))
		FAIL("JSON \"%s\" is not a string", key);
	return json_object_get_string(m);
}

/* The element of a JSON array whose "key" equals value, or NULL. */
static json_object *find_by(json_object *array, const char *key,
			    uint64_t value)
{
	size_t i;

	ASSERT_TRUE(json_object_is_type(array, json_type_array));
	for (i = 0; i < json_object_array_length(array); i++) {
		json_object *e = json_object_array_get_idx(array, i);

		if (json_u64(e, key) == value)
			return e;
	}
	return NULL;
}

TEST(vm_list_and_show)
{
	struct run_output run;
	struct genl_conn conn;
	struct vm_info info;
	json_object *list, *vm, *ranges, *r;
	struct test_vm t;

	make_vm(&t, 1);
	ssihv_conn_open(&conn);
	ASSERT_EQ(vm_get(&conn, t.id, &info), 0);

	SSIHVCTL(&run, false, "-j", "vm", "list");
	ASSERT_EQ(run.status, 0);
	list = parse_json(run.out);
	vm = find_by(list, "id", t.id);
	ASSERT_TRUE(vm);
	EXPECT_EQ(json_u64(vm, "nr_ranges"), 2);
	EXPECT_EQ(json_u64(vm, "resident_pages"), 3);
	EXPECT_EQ(json_u64(vm, "resident_pages"), info.resident);
	EXPECT_EQ(json_u64(vm, "mem_limit"), info.mem_limit);
	EXPECT_EQ(json_u64(vm, "users"), info.users);
	EXPECT_EQ(json_u64(vm, "creator_pid"), getpid());
	EXPECT_FALSE(json_object_get_boolean(member(vm, "dead")));
	json_object_put(list);

	/* Reading needs no privilege. */
	SSIHVCTL(&run, true, "-j", "vm", "list");
	ASSERT_EQ(run.status, 0);
	list = parse_json(run.out);
	EXPECT_TRUE(find_by(list, "id", t.id));
	json_object_put(list);
	SSIHVCTL(&run, true, "stats", t.id_dec, "--prometheus");
	EXPECT_EQ(run.status, 0);
	SSIHVCTL(&run, true, "page", "show", t.id_dec, "0+16K");
	EXPECT_EQ(run.status, 0);

	/* The table: a heading and one row for the VM. */
	SSIHVCTL(&run, false, "vm", "list");
	ASSERT_EQ(run.status, 0);
	harness_log("vm list:\n%s", run.out);
	EXPECT_EQ(strncmp(run.out, "ID ", 3), 0);
	EXPECT_TRUE(strstr(run.out, "RESIDENT"));
	EXPECT_TRUE(strstr(run.out, t.id_dec));
	EXPECT_TRUE(strstr(run.out, "3 (12 KiB)"));

	/* "show" by hex id: every field and the ranges. */
	SSIHVCTL(&run, false, "-j", "vm", "show", t.id_hex);
	ASSERT_EQ(run.status, 0);
	vm = parse_json(run.out);
	EXPECT_EQ(json_u64(vm, "id"), t.id);
	EXPECT_EQ(json_u64(vm, "resident_pages"), 3);
	EXPECT_EQ(json_u64(vm, "users"), info.users);
	ranges = member(vm, "ranges");
	ASSERT_EQ(json_object_array_length(ranges), 2);
	r = json_object_array_get_idx(ranges, 0);
	EXPECT_EQ(json_u64(r, "gpa"), A_GPA);
	EXPECT_EQ(json_u64(r, "size"), R_SIZE);
	EXPECT_EQ(json_u64(r, "home_node"), 0);
	EXPECT_TRUE(json_object_is_type(member(r, "numa_node"),
					json_type_null));
	r = json_object_array_get_idx(ranges, 1);
	EXPECT_EQ(json_u64(r, "gpa"), B_GPA);
	EXPECT_EQ(json_u64(r, "numa_node"), 0);
	json_object_put(vm);

	SSIHVCTL(&run, false, "vm", "show", t.id_dec);
	ASSERT_EQ(run.status, 0);
	harness_log("vm show:\n%s", run.out);
	EXPECT_TRUE(strstr(run.out, "ranges:\n"));
	EXPECT_TRUE(strstr(run.out, "0x100000"));
	EXPECT_TRUE(strstr(run.out, "any"));
	genl_conn_close(&conn);
}

TEST(page_show_one_and_a_range)
{
	struct run_output run;
	json_object *page, *list;
	struct test_vm t;
	size_t i;

	make_vm(&t, 2);
	SSIHVCTL(&run, false, "-j", "page", "show", t.id_dec, "0x1234");
	ASSERT_EQ(run.status, 0);
	page = parse_json(run.out);
	EXPECT_EQ(json_u64(page, "gpa"), 0x1000);
	EXPECT_EQ(strcmp(json_str(page, "state"), "exclusive"), 0);
	EXPECT_EQ(json_u64(page, "faults"), 1);
	EXPECT_GE(json_u64(page, "heat"), 1);
	EXPECT_EQ(json_u64(page, "home"), 0);
	EXPECT_TRUE(json_object_is_type(member(page, "numa_node"),
					json_type_int));
	json_object_put(page);

	SSIHVCTL(&run, false, "-j", "page", "show", t.id_dec, "1M");
	ASSERT_EQ(run.status, 0);
	page = parse_json(run.out);
	EXPECT_EQ(strcmp(json_str(page, "state"), "invalid"), 0);
	EXPECT_TRUE(json_object_is_type(member(page, "numa_node"),
					json_type_null));
	json_object_put(page);

	/* A range across the gap: A's last two frames and B's first. */
	SSIHVCTL(&run, false, "-j", "page", "show", t.id_dec,
		 "0xe000-0x100fff");
	ASSERT_EQ(run.status, 0);
	list = parse_json(run.out);
	ASSERT_EQ(json_object_array_length(list), 3);
	EXPECT_EQ(json_u64(json_object_array_get_idx(list, 0), "gpa"),
		  0xe000);
	EXPECT_EQ(json_u64(json_object_array_get_idx(list, 2), "gpa"),
		  B_GPA);
	json_object_put(list);

	SSIHVCTL(&run, false, "-j", "page", "show", t.id_dec, "0+64K");
	ASSERT_EQ(run.status, 0);
	list = parse_json(run.out);
	ASSERT_EQ(json_object_array_length(list), NPAGES);
	for (i = 0; i < NPAGES; i++) {
		page = json_object_array_get_idx(list, i);
		EXPECT_EQ(json_u64(page, "gpa"), i * VM_PAGE);
		EXPECT_EQ(strcmp(json_str(page, "state"),
				 i < 3 ? "exclusive" : "invalid"), 0);
	}
	json_object_put(list);

	SSIHVCTL(&run, false, "page", "show", t.id_dec, "0-0x3fff");
	ASSERT_EQ(run.status, 0);
	harness_log("page show range:\n%s", run.out);
	EXPECT_EQ(strncmp(run.out, "GPA ", 4), 0);
	EXPECT_EQ(count_lines(run.out), 5);
	EXPECT_TRUE(strstr(run.out, "exclusive"));
	EXPECT_TRUE(strstr(run.out, "invalid"));

	SSIHVCTL(&run, false, "page", "show", t.id_dec, "0x2000");
	ASSERT_EQ(run.status, 0);
	harness_log("page show:\n%s", run.out);
	EXPECT_TRUE(strstr(run.out, "state:"));
}

TEST(page_revoke_counts_pages)
{
	struct run_output run;
	struct genl_conn conn;
	struct page_info page;
	json_object *reply;
	struct test_vm t;

	make_vm(&t, 3);
	SSIHVCTL(&run, false, "page", "revoke", t.id_dec, "0+64K");
	ASSERT_EQ(run.status, 0);
	harness_log("page revoke:\n%s", run.out);
	EXPECT_TRUE(strstr(run.out, "revoked pages: 3\n"));

	/* Touch one again, revoke it read-only; JSON says 1. */
	ASSERT_TRUE(vm_touch(t.a, true));
	SSIHVCTL(&run, false, "-j", "page", "revoke", t.id_hex, "0x10",
		 "shared");
	ASSERT_EQ(run.status, 0);
	reply = parse_json(run.out);
	EXPECT_EQ(json_u64(reply, "revoked"), 1);
	EXPECT_EQ(json_u64(reply, "vm_id"), t.id);
	EXPECT_TRUE(json_object_get_boolean(member(reply, "shared")));
	json_object_put(reply);
	ssihv_conn_open(&conn);
	ASSERT_EQ(page_get(&conn, t.id, 0, &page), 0);
	EXPECT_EQ(page.state, SSIHV_PAGE_SHARED);
	genl_conn_close(&conn);

	/* Unprivileged: refused by the kernel, in one line. */
	SSIHVCTL(&run, true, "page", "revoke", t.id_dec, "0");
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strstr(run.err, "Operation not permitted"));
}

/* Parse one Prometheus sample "name{labels} value"; false if not one. */
static bool prom_sample(const char *line, char *name, size_t name_len,
			char *labels, size_t labels_len, double *value)
{
	const char *brace = strchr(line, '{'), *end, *space;

	if (line[0] == '#' || !brace)
		return false;
	end = strchr(brace, '}');
	if (!end || end[1] != ' ')
		return false;
	space = end + 1;
	snprintf(name, name_len, "%.*s", (int)(brace - line), line);
	snprintf(labels, labels_len, "%.*s", (int)(end - brace - 1),
		 brace + 1);
	*value = strtod(space + 1, NULL);
	return true;
}

TEST(stats_json_and_prometheus_agree_with_netlink)
{
	char name[128], labels[256], want[256], line[512], vm_label[64];
	uint64_t cum = 0, last_cum = 0, node_sum = 0;
	json_object *stats, *group, *buckets, *all;
	unsigned int i, nbuckets = 0, families = 0, zero_families = 0;
	bool have_inf = false, have_count = false, have_sum = false;
	struct run_output run;
	struct genl_conn conn;
	struct vm_stats nl;
	const char *pos, *next;
	size_t len;
	struct test_vm t;
	double value;

	make_vm(&t, 4);
	/* A MAP fault too: revoke one page and read it back. */
	ssihv_conn_open(&conn);
	{
		uint64_t n;

		ASSERT_EQ(page_revoke(&conn, t.id, 0, 0, false, &n), 0);
		ASSERT_EQ(n, 1);
		ASSERT_TRUE(vm_touch(t.a, false));
	}
	ASSERT_EQ(stats_get(&conn, t.id, &nl), 0);
	EXPECT_EQ(nl.first, 3);
	EXPECT_EQ(nl.map, 1);

	SSIHVCTL(&run, false, "-j", "stats", t.id_dec);
	ASSERT_EQ(run.status, 0);
	stats = parse_json(run.out);
	EXPECT_EQ(json_u64(stats, "vm_id"), t.id);
	EXPECT_EQ(json_u64(stats, "faults_first"), nl.first);
	EXPECT_EQ(json_u64(stats, "faults_map"), nl.map);
	EXPECT_EQ(json_u64(stats, "faults_upgrade"), nl.upgrade);
	EXPECT_EQ(json_u64(stats, "faults_remote"), nl.remote);
	EXPECT_EQ(json_u64(stats, "faults_refused"), nl.refused);
	/* One node: no remote fault, so every fault is one of these. */
	EXPECT_EQ(nl.remote, 0);
	EXPECT_EQ(json_u64(stats, "faults_total"),
		  nl.first + nl.map + nl.upgrade + nl.refused);
	EXPECT_EQ(json_u64(stats, "faults_total"), hist_total(&nl));
	EXPECT_EQ(json_u64(stats, "invalidations"), 0);
	EXPECT_EQ(json_u64(stats, "copies_dropped"), 0);
	EXPECT_EQ(json_u64(stats, "migrations"), 0);
	EXPECT_EQ(json_u64(stats, "revoked"), nl.revoked);
	EXPECT_EQ(json_u64(stats, "frames_served"), 0);
	EXPECT_EQ(json_u64(stats, "frames_recalled"), 0);
	EXPECT_EQ(json_u64(stats, "resident_pages"), nl.resident);
	group = member(stats, "fault_service_ns");
	EXPECT_EQ(json_u64(group, "count"), hist_total(&nl));
	buckets = member(group, "buckets");
	ASSERT_EQ(json_object_array_length(buckets), SSIHV_HIST_BUCKETS);
	for (i = 0; i < SSIHV_HIST_BUCKETS; i++)
		EXPECT_EQ(json_object_get_uint64(json_object_array_get_idx(buckets,
									   i)),
			  nl.hist[i]);
	/* The estimates lie inside the histogram's non-empty span. */
	EXPECT_LE(json_u64(group, "median"), json_u64(group, "p99"));
	json_object_put(stats);

	/* Without a VM: a list that holds this one. */
	SSIHVCTL(&run, false, "-j", "stats");
	ASSERT_EQ(run.status, 0);
	all = parse_json(run.out);
	ASSERT_TRUE(find_by(all, "vm_id", t.id));
	json_object_put(all);

	SSIHVCTL(&run, false, "stats", t.id_dec);
	ASSERT_EQ(run.status, 0);
	harness_log("stats:\n%s", run.out);
	EXPECT_TRUE(strstr(run.out, "median (est.):"));
	EXPECT_TRUE(strstr(run.out, "fault service time:\n"));

	SSIHVCTL(&run, false, "stats", t.id_dec, "--prometheus");
	ASSERT_EQ(run.status, 0);
	snprintf(vm_label, sizeof(vm_label), "vm=\"%s\"", t.id_dec);
	for (pos = run.out; *pos; pos = next) {
		len = strcspn(pos, "\n");
		next = pos + len + (pos[len] == '\n');
		snprintf(line, sizeof(line), "%.*s", (int)len, pos);
		if (!strncmp(line, "# TYPE ", 7)) {
			families++;
			continue;
		}
		if (!prom_sample(line, name, sizeof(name), labels,
				 sizeof(labels), &value)) {
			if (line[0] != '#')
				FAIL("not a Prometheus line: %s", line);
			continue;
		}
		if (strncmp(labels, vm_label, strlen(vm_label)))
			FAIL("sample without the vm label first: %s", line);
		if (!strcmp(name, "ssihv_faults_total")) {
			static const char *const kinds[] = {
				"first", "map", "upgrade", "remote", "refused",
			};
			const uint64_t counts[] = {
				nl.first, nl.map, nl.upgrade, nl.remote,
				nl.refused,
			};

			for (i = 0; i < ARRAY_SIZE(kinds); i++) {
				snprintf(want, sizeof(want), "%s,kind=\"%s\"",
					 vm_label, kinds[i]);
				if (!strcmp(labels, want))
					EXPECT_EQ((uint64_t)value, counts[i]);
			}
		} else if (!strcmp(name, "ssihv_resident_pages")) {
			node_sum += (uint64_t)value;
		} else if (!strcmp(name, "ssihv_pages_revoked_total")) {
			EXPECT_EQ((uint64_t)value, nl.revoked);
		} else if (!strcmp(name, "ssihv_frames_served_total") ||
			   !strcmp(name, "ssihv_frames_recalled_total") ||
			   !strcmp(name, "ssihv_invalidations_total") ||
			   !strcmp(name, "ssihv_copies_dropped_total") ||
			   !strcmp(name, "ssihv_migrations_total")) {
			/* One node, every frame homed here: none moved. */
			EXPECT_EQ((uint64_t)value, 0);
			zero_families++;
		} else if (!strcmp(name, "ssihv_fault_service_seconds_bucket")) {
			/* Cumulative, in the kernel's bucket order. */
			if (strstr(labels, "le=\"+Inf\"")) {
				have_inf = true;
				EXPECT_EQ((uint64_t)value, hist_total(&nl));
			} else {
				ASSERT_TRUE(nbuckets < SSIHV_HIST_BUCKETS);
				cum += nl.hist[nbuckets++];
				EXPECT_EQ((uint64_t)value, cum);
			}
			EXPECT_GE((uint64_t)value, last_cum);
			last_cum = (uint64_t)value;
		} else if (!strcmp(name, "ssihv_fault_service_seconds_count")) {
			have_count = true;
			EXPECT_EQ((uint64_t)value, hist_total(&nl));
		} else if (!strcmp(name, "ssihv_fault_service_seconds_sum")) {
			have_sum = true;
			/* Midpoints: within [lowest, highest] bound sums. */
			EXPECT_TRUE(value > 0);
		} else {
			FAIL("unexpected metric %s", name);
		}
	}
	EXPECT_EQ(families, 9);
	EXPECT_EQ(zero_families, 5);
	EXPECT_EQ(node_sum, nl.resident);
	EXPECT_TRUE(have_inf);
	EXPECT_TRUE(have_count);
	EXPECT_TRUE(have_sum);
	EXPECT_EQ(nbuckets, SSIHV_HIST_BUCKETS - 1);
	EXPECT_TRUE(strstr(run.out, "# HELP ssihv_fault_service_seconds "));
	EXPECT_TRUE(strstr(run.out, "approximated"));
	EXPECT_TRUE(strstr(run.out, "# TYPE ssihv_fault_service_seconds histogram\n"));
	EXPECT_TRUE(strstr(run.out, "# TYPE ssihv_faults_total counter\n"));
	EXPECT_TRUE(strstr(run.out, "# TYPE ssihv_resident_pages gauge\n"));
	/* Bucket 0 ends at 1 ns (0 and 1 ns), bucket 9 at 1023 ns. */
	snprintf(want, sizeof(want), "{%s,le=\"0.000000001\"}", vm_label);
	EXPECT_TRUE(strstr(run.out, want));
	snprintf(want, sizeof(want), "{%s,le=\"0.000001023\"}", vm_label);
	EXPECT_TRUE(strstr(run.out, want));
	genl_conn_close(&conn);
}

TEST(vm_destroy_and_errors)
{
	struct run_output run;
	json_object *vm;
	struct test_vm t;

	make_vm(&t, 5);

	/* Usage errors: exit 2 before any netlink traffic. */
	SSIHVCTL(&run, false, "vm", "show", "0xnothex");
	EXPECT_EQ(run.status, 2);
	EXPECT_EQ(count_lines(run.err), 1);
	SSIHVCTL(&run, false, "vm", "show", "12K");
	EXPECT_EQ(run.status, 2);
	SSIHVCTL(&run, false, "page", "show", t.id_dec, "0x2000-0x1000");
	EXPECT_EQ(run.status, 2);
	SSIHVCTL(&run, false, "page", "revoke", t.id_dec, "0", "bogus");
	EXPECT_EQ(run.status, 2);
	SSIHVCTL(&run, false, "-j", "stats", "--prometheus");
	EXPECT_EQ(run.status, 2);

	/* Kernel errors: exit 1, one line with the kernel's reason. */
	SSIHVCTL(&run, false, "vm", "show", "0x7e57ffff00000000");
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strstr(run.err, "No such file or directory: no such VM"));
	EXPECT_EQ(run.out[0], '\0');
	SSIHVCTL(&run, false, "page", "show", t.id_dec, "0x80000");
	EXPECT_EQ(run.status, 1);
	EXPECT_TRUE(strstr(run.err, "outside the VM's memory map"));
	/* A dump refused by the kernel (its errno comes in NLMSG_DONE). */
	SSIHVCTL(&run, false, "page", "show", t.id_dec, "0x80000+4K");
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strstr(run.err, "outside the VM's memory map"));
	EXPECT_EQ(run.out[0], '\0');

	SSIHVCTL(&run, true, "vm", "destroy", t.id_dec);
	EXPECT_EQ(run.status, 1);
	EXPECT_TRUE(strstr(run.err, "CAP_NET_ADMIN"));

	SSIHVCTL(&run, false, "vm", "destroy", t.id_hex);
	EXPECT_EQ(run.status, 0);
	EXPECT_EQ(run.out[0], '\0');
	SSIHVCTL(&run, false, "-j", "vm", "show", t.id_dec);
	ASSERT_EQ(run.status, 0);
	vm = parse_json(run.out);
	EXPECT_TRUE(json_object_get_boolean(member(vm, "dead")));
	EXPECT_EQ(json_u64(vm, "resident_pages"), 0);
	json_object_put(vm);
	SSIHVCTL(&run, false, "vm", "destroy", t.id_dec);
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strstr(run.err, "No such device: VM already destroyed"));
}

/* ssihvctl -j monitor in the background, its stdout a pipe. */
struct monitor {
	pid_t pid;
	int out;
	char buf[8192];
	size_t used;
};

static void monitor_start(struct monitor *mon, bool json)
{
	int fds[2];

	memset(mon, 0, sizeof(*mon));
	ASSERT_EQ(pipe(fds), 0);
	mon->pid = fork();
	ASSERT_GE(mon->pid, 0);
	if (!mon->pid) {
		char *argv[4] = { ssihvctl_path() }, **arg = argv + 1;

		if (json)
			*arg++ = "-j";
		*arg = "monitor";

		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	mon->out = fds[0];
	ASSERT_EQ(fcntl(mon->out, F_SETFL, O_NONBLOCK), 0);
}

/* Wait up to ms for text to appear in the monitor's output. */
static bool monitor_wait(struct monitor *mon, const char *text,
			 unsigned int ms)
{
	struct pollfd pfd = { .fd = mon->out, .events = POLLIN };
	unsigned int waited;
	ssize_t len;

	for (waited = 0; waited <= ms; waited += 20) {
		len = read(mon->out, mon->buf + mon->used,
			   sizeof(mon->buf) - 1 - mon->used);
		if (len > 0) {
			mon->used += len;
			mon->buf[mon->used] = '\0';
		}
		if (strstr(mon->buf, text))
			return true;
		poll(&pfd, 1, 20);
	}
	return false;
}

TEST(monitor_prints_vm_created)
{
	struct monitor mon;
	char want[64], *line;
	json_object *event;
	struct test_vm t;
	int status, attempt;
	bool seen = false;

	ensure_module();
	monitor_start(&mon, true);
	/*
	 * The monitor says nothing when it has joined the group, so create
	 * VMs until one is reported: a slow start costs attempts, not a
	 * flaky failure.
	 */
	for (attempt = 0; attempt < 20 && !seen; attempt++) {
		make_vm(&t, 100 + attempt);
		snprintf(want, sizeof(want), "\"vm_id\":%s}", t.id_dec);
		seen = monitor_wait(&mon, want, 500);
		munmap(t.a, R_SIZE);
		munmap(t.b, R_SIZE);
		close(t.fd);
	}
	ASSERT_TRUE(seen);
	harness_log("monitor printed:\n%s", mon.buf);
	/* The VM just closed: its VM_DESTROYED follows. */
	snprintf(want, sizeof(want),
		 "\"event\":\"vm_destroyed\",\"vm_id\":%s}", t.id_dec);
	EXPECT_TRUE(monitor_wait(&mon, want, 5000));

	/* Each line is one JSON object. */
	snprintf(want, sizeof(want), "\"vm_id\":%s}", t.id_dec);
	line = strstr(mon.buf, want);
	while (line > mon.buf && line[-1] != '\n')
		line--;
	line[strcspn(line, "\n")] = '\0';
	event = parse_json(line);
	EXPECT_EQ(strcmp(json_str(event, "event"), "vm_created"), 0);
	EXPECT_EQ(json_u64(event, "vm_id"), t.id);
	EXPECT_EQ(strlen(json_str(event, "time")), 24);
	json_object_put(event);

	/* SIGINT ends it cleanly. */
	ASSERT_EQ(kill(mon.pid, SIGINT), 0);
	ASSERT_EQ(waitpid(mon.pid, &status, 0), mon.pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(monitor_text_and_sigterm)
{
	struct monitor mon;
	char want[96];
	struct test_vm t;
	int status, attempt;
	bool seen = false;

	ensure_module();
	monitor_start(&mon, false);
	for (attempt = 0; attempt < 20 && !seen; attempt++) {
		make_vm(&t, 200 + attempt);
		snprintf(want, sizeof(want), " vm-created vm %s\n", t.id_dec);
		seen = monitor_wait(&mon, want, 500);
		munmap(t.a, R_SIZE);
		munmap(t.b, R_SIZE);
		close(t.fd);
	}
	ASSERT_TRUE(seen);

	/* A VM at its limit: the refused first touch is reported. */
	{
		struct ssihv_mem_range r = vm_range(0, R_SIZE, 0,
						    SSIHV_NUMA_ANY);
		uint64_t id = vm_test_id(300);
		uint8_t *p;
		int fd;

		fd = vm_create_limit(id, &r, 1, VM_PAGE);
		p = vm_map(fd, 0, R_SIZE);
		ASSERT_TRUE(vm_touch(p, true));
		EXPECT_FALSE(vm_touch(p + 3 * VM_PAGE, true));
		snprintf(want, sizeof(want),
			 " limit-hit vm %llu gpa 0x3000 limit 4096\n",
			 (unsigned long long)id);
		EXPECT_TRUE(monitor_wait(&mon, want, 5000));
		munmap(p, R_SIZE);
		close(fd);
	}
	harness_log("monitor printed:\n%s", mon.buf);
	ASSERT_EQ(kill(mon.pid, SIGTERM), 0);
	ASSERT_EQ(waitpid(mon.pid, &status, 0), mon.pid);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}
