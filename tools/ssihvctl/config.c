// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl config": module-wide settings.  "set" sends
 * SSIHV_CMD_SET_CONFIG (needs CAP_NET_ADMIN); "show" reads the current
 * values back through SSIHV_CMD_GET_INFO.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

/* The settings "config set" knows, by the kind of value each takes. */
enum param_kind {
	PARAM_SIZE,		/* u64 bytes, parsed by parse_size() */
	PARAM_U32,		/* u32 in [min, max], parsed by parse_u64() */
	PARAM_PLACEMENT,	/* u32, a name from placement_names */
};

static const struct config_param {
	const char *name;
	int attr;
	enum param_kind kind;
	uint64_t min, max;	/* PARAM_U32 */
} config_params[] = {
	{ "max-vm-memory", SSIHV_A_CONFIG_MAX_VM_MEMORY, PARAM_SIZE, 0, 0 },
	{ "placement", SSIHV_A_CONFIG_PLACEMENT, PARAM_PLACEMENT, 0, 0 },
	{ "placement-heat", SSIHV_A_CONFIG_PLACEMENT_HEAT, PARAM_U32,
	  1, 65535 },
	{ "placement-rate", SSIHV_A_CONFIG_PLACEMENT_RATE, PARAM_U32,
	  1, SSIHV_PLACEMENT_RATE_MAX },
};

/* enum ssihv_placement, as "config" shows and takes it. */
static const char *const placement_names[] = {
	[SSIHV_PLACEMENT_OFF]		= "off",
	[SSIHV_PLACEMENT_MIGRATE]	= "migrate",
	[SSIHV_PLACEMENT_HEAT]		= "heat",
};

static const char *placement_name(uint32_t policy)
{
	return policy < ARRAY_SIZE(placement_names) ? placement_names[policy] :
	       "unknown";
}

#define NUM_PARAMS ARRAY_SIZE(config_params)

static const struct config_param *find_param(const char *name)
{
	size_t i;

	for (i = 0; i < NUM_PARAMS; i++) {
		if (!strcmp(config_params[i].name, name))
			return &config_params[i];
	}
	return NULL;
}

/* A setting from the command line, checked and ready to send. */
struct param_value {
	const struct config_param *param;
	uint64_t number;
};

/* Check one "NAME VALUE" pair; returns an exit status. */
static int parse_param(const struct config_param *param, const char *text,
		       struct param_value *value)
{
	enum parse_status status;

	size_t i;

	value->param = param;
	switch (param->kind) {
	case PARAM_SIZE:
		status = parse_size(text, &value->number);
		if (status != PARSE_OK)
			return usage_error("invalid %s '%s': %s", param->name,
					   text, parse_status_str(status));
		break;
	case PARAM_U32:
		status = parse_u64(text, &value->number);
		if (status != PARSE_OK)
			return usage_error("invalid %s '%s': %s", param->name,
					   text, parse_status_str(status));
		if (value->number < param->min || value->number > param->max)
			return usage_error("invalid %s '%s': not in %" PRIu64 "-%" PRIu64,
					   param->name, text, param->min,
					   param->max);
		break;
	case PARAM_PLACEMENT:
		for (i = 0; i < ARRAY_SIZE(placement_names); i++)
			if (!strcmp(text, placement_names[i]))
				break;
		if (i == ARRAY_SIZE(placement_names))
			return usage_error("invalid placement '%s': off, migrate or heat",
					   text);
		value->number = i;
		break;
	}
	return EXIT_OK;
}

static int put_param(struct nl_msg *msg, const struct param_value *value)
{
	switch (value->param->kind) {
	case PARAM_SIZE:
		return nla_put_u64(msg, value->param->attr, value->number);
	case PARAM_U32:
	case PARAM_PLACEMENT:
		return nla_put_u32(msg, value->param->attr,
				   (uint32_t)value->number);
	}
	return -EINVAL;
}

static int config_set(int argc, char **argv)
{
	struct param_value values[NUM_PARAMS];
	const struct config_param *param;
	unsigned int nr_values = 0, j;
	struct nl_msg *msg;
	struct ssihv_nl nl;
	int i, ret;

	if (argc == 0)
		return usage_error("'config set' needs NAME VALUE");
	/*
	 * Check the whole command line before talking to the kernel, so a
	 * typo is reported as such even when the module is not loaded.
	 */
	for (i = 0; i < argc; i += 2) {
		param = find_param(argv[i]);
		if (!param)
			return usage_error("unknown setting '%s'", argv[i]);
		if (i + 1 >= argc)
			return usage_error("setting '%s' needs a value",
					   argv[i]);
		for (j = 0; j < nr_values; j++) {
			if (values[j].param == param)
				return usage_error("setting '%s' given twice",
						   argv[i]);
		}
		ret = parse_param(param, argv[i + 1], &values[nr_values]);
		if (ret != EXIT_OK)
			return ret;
		nr_values++;
	}

	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	msg = ssihv_nl_request(&nl, SSIHV_CMD_SET_CONFIG);
	if (!msg) {
		ssihv_nl_close(&nl);
		return EXIT_FAIL;
	}
	for (j = 0; j < nr_values; j++) {
		if (put_param(msg, &values[j]) < 0) {
			nlmsg_free(msg);
			ssihv_nl_close(&nl);
			return fail("out of memory");
		}
	}
	ret = ssihv_nl_transact(&nl, msg, NULL);
	if (ret)
		ret = ssihv_nl_report(&nl, "config set", ret);
	ssihv_nl_close(&nl);
	return ret;
}

static int config_show(int argc, char **argv)
{
	struct ssihv_info info;
	struct ssihv_nl nl;
	int ret;

	if (argc > 0)
		return usage_error("'config show' takes no arguments, got '%s'",
				   argv[0]);
	if (ssihv_nl_connect(&nl))
		return EXIT_FAIL;
	ret = ssihv_get_info(&nl, &info);
	if (ret) {
		ret = ssihv_nl_report(&nl, "config show", ret);
		ssihv_nl_close(&nl);
		return ret;
	}
	ssihv_nl_close(&nl);

	out_begin(false);
	out_record_begin();
	out_size("max_vm_memory", "max-vm-memory", info.max_vm_memory);
	if (info.has_placement) {
		out_str("placement", "placement",
			placement_name(info.placement));
		out_u64("placement_heat", "placement-heat",
			info.placement_heat);
		out_u64("placement_rate", "placement-rate",
			info.placement_rate);
	}
	out_record_end();
	return out_end();
}

static const struct ssihvctl_cmd config_cmds[] = {
	{ "show", config_show },
	{ "set", config_set },
	{ NULL, NULL },
};

static int config_run(int argc, char **argv)
{
	return run_cmd(&config_object, config_cmds, "show", argc, argv);
}

const struct ssihvctl_object config_object = {
	.name = "config",
	.summary = "module-wide settings",
	.usage = "  ssihvctl [-j] config [show]\n"
		 "  ssihvctl config set [max-vm-memory SIZE] [placement off|migrate|heat]\n"
		 "                      [placement-heat 1-65535] [placement-rate 1-1000000]\n",
	.run = config_run,
};
