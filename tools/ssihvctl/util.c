// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers every object uses: command dispatch and error messages.  Every
 * error is exactly one line on stderr so that scripts can show it as is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse.h"
#include "ssihvctl.h"

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ssihvctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; try 'ssihvctl --help'\n", stderr);
	return EXIT_USAGE;
}

int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("ssihvctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAIL;
}

int run_cmd(const struct ssihvctl_object *object,
	    const struct ssihvctl_cmd *cmds, const char *default_cmd,
	    int argc, char **argv)
{
	const char *name = argc > 0 ? argv[0] : default_cmd;
	const struct ssihvctl_cmd *cmd;

	if (!strcmp(name, "help")) {
		fputs(object->usage, stdout);
		return EXIT_OK;
	}
	/*
	 * Exact names only: accepting abbreviations would make today's
	 * scripts ambiguous as soon as a new command shares a prefix.
	 */
	for (cmd = cmds; cmd->name; cmd++) {
		if (!strcmp(name, cmd->name))
			return cmd->run(argc > 0 ? argc - 1 : 0,
					argc > 0 ? argv + 1 : argv);
	}
	return usage_error("unknown command '%s' for object '%s'", name,
			   object->name);
}

int parse_vm_id(const char *text, uint64_t *id)
{
	enum parse_status status = parse_u64(text, id);

	if (status == PARSE_BAD_SUFFIX)
		return usage_error("invalid VM id '%s': not a decimal or 0x-hex number",
				   text);
	if (status != PARSE_OK)
		return usage_error("invalid VM id '%s': %s", text,
				   parse_status_str(status));
	return EXIT_OK;
}

static int parse_gpa(const char *whole, const char *text, uint64_t *gpa)
{
	enum parse_status status = parse_size(text, gpa);

	if (status != PARSE_OK)
		return usage_error("invalid guest-physical address '%s': %s",
				   whole, parse_status_str(status));
	return EXIT_OK;
}

int parse_gpa_span(const char *text, uint64_t *first, uint64_t *last,
		   bool *is_range)
{
	/* A leading '-' is a negative number, not a separator. */
	const char *sep = text[0] ? strpbrk(text + 1, "-+") : NULL;
	char head[64];
	uint64_t size;
	int ret;

	*is_range = !!sep;
	if (!sep) {
		ret = parse_gpa(text, text, first);
		*last = *first;
		return ret;
	}
	if ((size_t)(sep - text) >= sizeof(head))
		return usage_error("invalid guest-physical address '%s': too long",
				   text);
	memcpy(head, text, sep - text);
	head[sep - text] = '\0';
	ret = parse_gpa(text, head, first);
	if (ret != EXIT_OK)
		return ret;
	ret = parse_gpa(text, sep + 1, sep[0] == '-' ? last : &size);
	if (ret != EXIT_OK)
		return ret;
	if (sep[0] == '+') {
		if (!size)
			return usage_error("invalid guest-physical range '%s': empty",
					   text);
		if (size - 1 > UINT64_MAX - *first)
			return usage_error("invalid guest-physical range '%s': beyond 64 bits",
					   text);
		*last = *first + size - 1;
	} else if (*last < *first) {
		return usage_error("invalid guest-physical range '%s': it ends before it starts",
				   text);
	}
	return EXIT_OK;
}
