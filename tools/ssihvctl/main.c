// SPDX-License-Identifier: GPL-2.0
/*
 * ssihvctl entry point: global options, the object table and dispatch.
 *
 *	ssihvctl [-j|--json] [-p|--pretty] OBJECT [COMMAND [ARGS...]]
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <linux/ssihv.h>

#include "ssihvctl.h"

struct global_opts global_opts;

/* Every object the tool knows.  New objects add one line here. */
static const struct ssihvctl_object *const objects[] = {
	&info_object,
	&config_object,
	&vm_object,
	&page_object,
	&stats_object,
	&monitor_object,
	&node_object,
};

#define NUM_OBJECTS ARRAY_SIZE(objects)

static void print_usage(FILE *out)
{
	size_t i;

	fputs("Usage: ssihvctl [OPTIONS] OBJECT [COMMAND [ARGS...]]\n"
	      "       ssihvctl help | --help | --version\n"
	      "\n"
	      "Options:\n"
	      "  -j, --json      print JSON instead of text\n"
	      "  -p, --pretty    indent JSON output (implies --json)\n"
	      "  -V, --version   print the version and exit\n"
	      "  -h, --help      print this help and exit\n"
	      "\n"
	      "Objects:\n", out);
	for (i = 0; i < NUM_OBJECTS; i++)
		fprintf(out, "  %-10s %s\n", objects[i]->name,
			objects[i]->summary);
	fputs("\nCommands:\n", out);
	for (i = 0; i < NUM_OBJECTS; i++)
		fputs(objects[i]->usage, out);
	fputs("\nSee ssihvctl(8) for details.\n", out);
}

static void print_version(void)
{
	printf("ssihvctl %s (genl family \"%s\" version %d)\n",
	       SSIHVCTL_VERSION, SSIHV_GENL_NAME, SSIHV_GENL_VERSION);
}

static const struct ssihvctl_object *find_object(const char *name)
{
	size_t i;

	for (i = 0; i < NUM_OBJECTS; i++) {
		if (!strcmp(objects[i]->name, name))
			return objects[i];
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "json",	no_argument, NULL, 'j' },
		{ "pretty",	no_argument, NULL, 'p' },
		{ "version",	no_argument, NULL, 'V' },
		{ "help",	no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct ssihvctl_object *object;
	int opt;

	/* getopt prints nothing: our own one-line message replaces it. */
	opterr = 0;
	/* '+': options end at the object name, as in iproute2. */
	while ((opt = getopt_long(argc, argv, "+jpVh", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'j':
			global_opts.json = true;
			break;
		case 'p':
			global_opts.json = true;
			global_opts.pretty = true;
			break;
		case 'V':
			print_version();
			return EXIT_OK;
		case 'h':
			print_usage(stdout);
			return EXIT_OK;
		default:
			/* A long option is best shown as typed. */
			if (!strncmp(argv[optind - 1], "--", 2) || !optopt)
				return usage_error("unknown option '%s'",
						   argv[optind - 1]);
			return usage_error("unknown option '-%c'", optopt);
		}
	}

	if (optind >= argc)
		return usage_error("no object given");
	if (!strcmp(argv[optind], "help")) {
		print_usage(stdout);
		return EXIT_OK;
	}
	object = find_object(argv[optind]);
	if (!object)
		return usage_error("unknown object '%s'", argv[optind]);
	return object->run(argc - optind - 1, argv + optind + 1);
}
