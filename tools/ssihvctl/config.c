// SPDX-License-Identifier: GPL-2.0
/*
 * "ssihvctl config": module-wide settings.  "set" sends
 * SSIHV_CMD_SET_CONFIG (needs CAP_NET_ADMIN); "show" reads the current
 * values back through SSIHV_CMD_GET_INFO.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nl.h"
#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

/*
 * The settings "config set" knows.  Every one is a byte size today; a
 * setting of another kind adds a kind here and a case in put_param().
 */
enum param_kind {
	PARAM_SIZE,		/* u64 bytes, parsed by parse_size() */
};

static const struct config_param {
	const char *name;
	int attr;
	enum param_kind kind;
} config_params[] = {
	{ "max-vm-memory", SSIHV_A_CONFIG_MAX_VM_MEMORY, PARAM_SIZE },
};

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

	value->param = param;
	switch (param->kind) {
	case PARAM_SIZE:
		status = parse_size(text, &value->number);
		if (status != PARSE_OK)
			return usage_error("invalid %s '%s': %s", param->name,
					   text, parse_status_str(status));
		break;
	}
	return EXIT_OK;
}

static int put_param(struct nl_msg *msg, const struct param_value *value)
{
	switch (value->param->kind) {
	case PARAM_SIZE:
		return nla_put_u64(msg, value->param->attr, value->number);
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
		 "  ssihvctl config set max-vm-memory SIZE\n",
	.run = config_run,
};
