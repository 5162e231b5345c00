// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers every object uses: command dispatch and error messages.  Every
 * error is exactly one line on stderr so that scripts can show it as is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
