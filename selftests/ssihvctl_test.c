// SPDX-License-Identifier: GPL-2.0
/*
 * ssihvctl against the loaded module: its JSON is valid and agrees with
 * the uapi, settings round-trip, and kernel errors (EPERM, EINVAL) reach
 * the user as one clear line with the right exit status.  The guest has
 * no JSON tool, so the JSON is checked here with json-c.
 *
 * Uses $SSIHVCTL if set, else "ssihvctl" from PATH.
 */
#include <json-c/json.h>

#include "harness.h"
#include "ssihv_util.h"

#define GiB (1ULL << 30)

/* Run ssihvctl with up to six arguments (NULL-terminated list). */
#define SSIHVCTL(result, unprivileged, ...)				\
	do {								\
		char *const __argv[] = {				\
			ssihvctl_path(), __VA_ARGS__, NULL		\
		};							\
		struct run_output *__result = (result);			\
		run_program(__argv, unprivileged, __result);		\
		harness_log("exit %d, stderr: %.*s", __result->status,	\
			    (int)strcspn(__result->err, "\n"),		\
			    __result->err);				\
	} while (0)

/* Parse text as one complete JSON value; NULL (logged) if it is not. */
static json_object *parse_json(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *value;
	size_t used;

	ASSERT_TRUE(tok);
	value = json_tokener_parse_ex(tok, text, strlen(text));
	used = json_tokener_get_parse_end(tok);
	if (!value) {
		harness_log("invalid JSON: %s",
			    json_tokener_error_desc(json_tokener_get_error(tok)));
	} else if (text[used + strspn(text + used, " \t\n")]) {
		/* Trailing garbage after the value is not valid either. */
		harness_log("junk after the JSON value: %s", text + used);
		json_object_put(value);
		value = NULL;
	}
	json_tokener_free(tok);
	return value;
}

/* The unsigned integer member key of obj; fails the test if absent. */
static uint64_t json_u64(json_object *obj, const char *key)
{
	json_object *member;

	if (!json_object_object_get_ex(obj, key, &member))
		FAIL("JSON lacks \"%s\"", key);
	if (!json_object_is_type(member, json_type_int))
		FAIL("JSON \"%s\" is not an integer", key);
	return json_object_get_uint64(member);
}

/* The string member key of obj; fails the test if absent. */
static const char *json_str(json_object *obj, const char *key)
{
	json_object *member;

	if (!json_object_object_get_ex(obj, key, &member))
		FAIL("JSON lacks \"%s\"", key);
	if (!json_object_is_type(member, json_type_string))
		FAIL("JSON \"%s\" is not a string", key);
	return json_object_get_string(member);
}

TEST(info_json_is_valid)
{
	static const char *const keys[] = {
		"module_version", "protocol_version", "genl_version",
		"page_size", "max_vms", "max_nodes", "max_ranges",
		"max_vm_memory",
	};
	struct run_output run;
	json_object *info, *version;
	size_t i;

	ensure_module();
	SSIHVCTL(&run, false, "-j", "info");
	ASSERT_EQ(run.status, 0);
	harness_log("output: %s", run.out);
	info = parse_json(run.out);
	ASSERT_TRUE(info);
	ASSERT_TRUE(json_object_is_type(info, json_type_object));
	/* Exactly the documented keys: scripts rely on them. */
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!json_object_object_get_ex(info, keys[i], NULL))
			harness_log("missing key %s", keys[i]);
		EXPECT_TRUE(json_object_object_get_ex(info, keys[i], NULL));
	}
	EXPECT_EQ(json_object_object_length(info), ARRAY_SIZE(keys));

	ASSERT_TRUE(json_object_object_get_ex(info, "module_version",
					      &version));
	EXPECT_TRUE(json_object_is_type(version, json_type_string));
	EXPECT_EQ(json_u64(info, "page_size"), 4096);
	EXPECT_EQ(json_u64(info, "page_size"), sysconf(_SC_PAGESIZE));
	EXPECT_EQ(json_u64(info, "protocol_version"), SSIHV_PROTO_VERSION);
	EXPECT_EQ(json_u64(info, "genl_version"), SSIHV_GENL_VERSION);
	EXPECT_EQ(json_u64(info, "max_vms"), SSIHV_MAX_VMS);
	EXPECT_EQ(json_u64(info, "max_nodes"), SSIHV_MAX_NODES);
	EXPECT_EQ(json_u64(info, "max_ranges"), SSIHV_MAX_RANGES);
	EXPECT_GE(json_u64(info, "max_vm_memory"), 1ULL << 20);
	json_object_put(info);
}

TEST(pretty_json_matches_plain_json)
{
	struct run_output plain, pretty;
	json_object *plain_json, *pretty_json;

	ensure_module();
	SSIHVCTL(&plain, false, "-j", "info");
	SSIHVCTL(&pretty, false, "-j", "-p", "info");
	ASSERT_EQ(plain.status, 0);
	ASSERT_EQ(pretty.status, 0);
	EXPECT_GE(count_lines(pretty.out), 3);
	EXPECT_EQ(count_lines(plain.out), 1);
	plain_json = parse_json(plain.out);
	pretty_json = parse_json(pretty.out);
	ASSERT_TRUE(plain_json);
	ASSERT_TRUE(pretty_json);
	EXPECT_TRUE(json_object_equal(plain_json, pretty_json));
	json_object_put(plain_json);
	json_object_put(pretty_json);
}

TEST(info_text_shows_limits)
{
	struct run_output run;

	ensure_module();
	SSIHVCTL(&run, false, "info");
	ASSERT_EQ(run.status, 0);
	harness_log("output:\n%s", run.out);
	EXPECT_TRUE(strstr(run.out, "module version:"));
	EXPECT_TRUE(strstr(run.out, "page size:"));
	EXPECT_TRUE(strstr(run.out, "max VM memory:"));
	/* The byte count comes with a human size, e.g. "(16 GiB)". */
	EXPECT_TRUE(strstr(run.out, "iB)"));
	EXPECT_EQ(run.err[0], '\0');
}

/* max_vm_memory as "ssihvctl -j config show" reports it. */
static uint64_t cli_max_vm_memory(void)
{
	struct run_output run;
	json_object *config;
	uint64_t bytes;

	SSIHVCTL(&run, false, "-j", "config", "show");
	ASSERT_EQ(run.status, 0);
	config = parse_json(run.out);
	ASSERT_TRUE(config);
	bytes = json_u64(config, "max_vm_memory");
	json_object_put(config);
	return bytes;
}

TEST(config_set_round_trip)
{
	struct run_output run;
	char restore[32];
	uint64_t before;

	ensure_module();
	before = cli_max_vm_memory();
	snprintf(restore, sizeof(restore), "%llu",
		 (unsigned long long)before);

	SSIHVCTL(&run, false, "config", "set", "max-vm-memory",
		 before == 2 * GiB ? "1G" : "2G");
	EXPECT_EQ(run.status, 0);
	EXPECT_EQ(run.out[0], '\0');
	EXPECT_EQ(cli_max_vm_memory(), before == 2 * GiB ? GiB : 2 * GiB);

	SSIHVCTL(&run, false, "config", "set", "max-vm-memory", restore);
	ASSERT_EQ(run.status, 0);
	EXPECT_EQ(cli_max_vm_memory(), before);
}

/* placement, placement-heat, placement-rate: set, shown, restored. */
TEST(config_set_placement)
{
	struct run_output run;
	json_object *config;

	ensure_module();
	SSIHVCTL(&run, false, "config", "set", "placement", "migrate",
		 "placement-heat", "100", "placement-rate", "7");
	EXPECT_EQ(run.status, 0);
	SSIHVCTL(&run, false, "-j", "config", "show");
	ASSERT_EQ(run.status, 0);
	config = parse_json(run.out);
	ASSERT_TRUE(config);
	EXPECT_EQ(strcmp(json_str(config, "placement"), "migrate"), 0);
	EXPECT_EQ(json_u64(config, "placement_heat"), 100);
	EXPECT_EQ(json_u64(config, "placement_rate"), 7);
	json_object_put(config);

	SSIHVCTL(&run, false, "config", "set", "placement", "heat",
		 "placement-heat", "48", "placement-rate", "10000");
	ASSERT_EQ(run.status, 0);
	SSIHVCTL(&run, false, "config", "show");
	ASSERT_EQ(run.status, 0);
	EXPECT_TRUE(strstr(run.out, "placement:"));
	EXPECT_TRUE(strstr(run.out, "heat\n"));
}

TEST(config_set_reports_kernel_error)
{
	struct run_output run;
	uint64_t before;

	ensure_module();
	before = cli_max_vm_memory();
	/* In range, so the module itself refuses it: not page aligned. */
	SSIHVCTL(&run, false, "config", "set", "max-vm-memory", "0x40000001");
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strncmp(run.err, "ssihvctl: config set: Invalid argument",
			    strlen("ssihvctl: config set: Invalid argument"))
		    == 0);
	/* The kernel's extended-ack text is passed on. */
	EXPECT_TRUE(strstr(run.err, "page aligned"));
	EXPECT_EQ(cli_max_vm_memory(), before);
}

TEST(config_set_unprivileged_is_denied)
{
	struct run_output run;
	uint64_t before;

	ensure_module();
	before = cli_max_vm_memory();
	SSIHVCTL(&run, true, "config", "set", "max-vm-memory", "1G");
	EXPECT_NE(run.status, 0);
	EXPECT_EQ(run.status, 1);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strstr(run.err, "Operation not permitted"));
	EXPECT_TRUE(strstr(run.err, "CAP_NET_ADMIN"));
	EXPECT_EQ(cli_max_vm_memory(), before);
}

TEST(usage_errors_exit_2)
{
	struct run_output run;

	/* Usage errors come before any netlink traffic: no module needed. */
	SSIHVCTL(&run, false, "no-such-object");
	EXPECT_EQ(run.status, 2);
	EXPECT_EQ(count_lines(run.err), 1);
	EXPECT_TRUE(strstr(run.err, "--help"));

	SSIHVCTL(&run, false, "config", "set", "max-vm-memory", "12Q");
	EXPECT_EQ(run.status, 2);
	EXPECT_EQ(count_lines(run.err), 1);

	SSIHVCTL(&run, false, "--help");
	EXPECT_EQ(run.status, 0);
	EXPECT_TRUE(strstr(run.out, "Usage:"));
}
