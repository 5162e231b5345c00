/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ssihvctl: command-line interface to the ssihv generic netlink family.
 *
 * Each object ("info", "config", later "vm", "node", ...) lives in its own
 * file and exports one struct ssihvctl_object; adding an object means
 * adding that file and one line to the table in main.c.
 */
#ifndef _SSIHVCTL_H
#define _SSIHVCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SSIHVCTL_VERSION "0.1.0"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* Exit statuses, documented in Documentation/ssihvctl.rst. */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the request failed or the module is absent */
	EXIT_USAGE = 2,		/* the command line is wrong */
};

/* Options that come before the object name. */
struct global_opts {
	bool json;
	bool pretty;
};

extern struct global_opts global_opts;

/*
 * An object: "ssihvctl NAME ...".  run() gets the words after the object
 * name and returns an exit status.
 */
struct ssihvctl_object {
	const char *name;
	const char *summary;	/* one line for the object list */
	const char *usage;	/* synopsis lines, each ending in '\n' */
	int (*run)(int argc, char **argv);
};

/* A command of an object: "ssihvctl OBJECT NAME ...". */
struct ssihvctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
};

/*
 * Run the command argv[0] from cmds (terminated by a NULL name) with the
 * words after it.  No words runs default_cmd; "help" prints the object's
 * usage to stdout.
 */
int run_cmd(const struct ssihvctl_object *object,
	    const struct ssihvctl_cmd *cmds, const char *default_cmd,
	    int argc, char **argv);

/* Print "ssihvctl: MESSAGE; try 'ssihvctl --help'" and return EXIT_USAGE. */
int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Print "ssihvctl: MESSAGE" to stderr and return EXIT_FAIL. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Command-line values, checked before any netlink traffic.  Each returns
 * EXIT_OK, or prints a usage error naming what (e.g. "VM id") and
 * returns EXIT_USAGE.
 */
/* A VM id: decimal or 0x-hex. */
int parse_vm_id(const char *text, uint64_t *id);
/*
 * Guest-physical addresses: "GPA", "FIRST-LAST" (both inclusive, each
 * naming the frame that holds it) or "FIRST+SIZE".  Each number is a
 * size as parse_size() takes it (0x1000, 64K, 2G).  *is_range tells a
 * single address from a span.
 */
int parse_gpa_span(const char *text, uint64_t *first, uint64_t *last,
		   bool *is_range);

/* What SSIHV_CMD_GET_INFO reports; info.c fetches it for every object. */
struct ssihv_info {
	char module_version[64];
	uint32_t proto_version;
	uint32_t genl_version;
	uint32_t page_size;
	uint32_t max_vms;
	uint32_t max_nodes;
	uint32_t max_ranges;
	uint64_t max_vm_memory;
	bool has_placement;	/* modules older than placement lack it */
	uint32_t placement;	/* enum ssihv_placement */
	uint32_t placement_heat, placement_rate;
};

struct ssihv_nl;
/* Returns 0 or a negative errno; report it with ssihv_nl_report(). */
int ssihv_get_info(struct ssihv_nl *nl, struct ssihv_info *info);

/* The objects, one per file. */
extern const struct ssihvctl_object info_object;	/* info.c */
extern const struct ssihvctl_object config_object;	/* config.c */
extern const struct ssihvctl_object vm_object;		/* vm.c */
extern const struct ssihvctl_object page_object;	/* page.c */
extern const struct ssihvctl_object stats_object;	/* stats.c */
extern const struct ssihvctl_object monitor_object;	/* monitor.c */
extern const struct ssihvctl_object node_object;	/* node.c */

#endif /* _SSIHVCTL_H */
