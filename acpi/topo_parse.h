/* SPDX-License-Identifier: GPL-2.0 */
/*
 * topo_parse.h - the topology parser's working state, shared by
 * topology.c (reading the INI file) and topo_finish.c (defaults and
 * checks that need the whole file); not part of the public API.
 */
#ifndef SSI_ACPI_TOPO_PARSE_H
#define SSI_ACPI_TOPO_PARSE_H

#include <stdint.h>
#include <stdio.h>

#include "ssi_acpi.h"

#define __printf(a, b)	__attribute__((format(printf, a, b)))

#define FOUR_GIB		(1ull << 32)
#define PAGE_SIZE_4K		4096ull

enum matrix_id {
	MAT_DISTANCE,
	MAT_READ_LATENCY,
	MAT_WRITE_LATENCY,
	MAT_READ_BANDWIDTH,
	MAT_WRITE_BANDWIDTH,
	NR_MATRICES
};

extern const char *const matrix_names[NR_MATRICES];

/* Rows as written in the file, checked once the node count is known. */
struct matrix_rows {
	uint32_t val[SSI_MAX_NODES][SSI_MAX_NODES];
	unsigned int len[SSI_MAX_NODES];
	int line[SSI_MAX_NODES];
	int too_long[SSI_MAX_NODES];
};

struct node_keys {
	int seen;		/* [nodeN] present */
	int has_cpus;		/* cpus= given (possibly empty) */
	int has_memory;		/* memory= given */
	uint64_t auto_size;	/* sizes without @base, placed by us */
	int auto_line;
};

/* Where each key was first set, to reject a key given twice. */
struct key_seen {
	char section[16];
	char key[24];
	int line;
};

struct parse_ctx {
	struct ssi_topo *t;
	const char *name;
	char *err;
	size_t errlen;
	int failed;

	/* Reader state: line numbers and the section being read. */
	const char *text;	/* string input, or NULL */
	FILE *file;
	int line;
	int continuation;	/* indented line: continues the last key */
	char section[64];
	struct key_seen *seen;
	unsigned int nr_seen, cap_seen;
	int pci_line;		/* last pci_mmio_* line */

	/* [topology] */
	unsigned int nodes;
	int nodes_line;
	uint64_t cpus_per_node;
	uint64_t memory_per_node;
	uint64_t low_memory_top;
	uint64_t remote_distance;
	int remote_distance_line;
	uint64_t local_latency, remote_latency;
	uint64_t local_bandwidth, remote_bandwidth;

	struct node_keys keys[SSI_MAX_NODES];
	struct matrix_rows *rows[NR_MATRICES];
	int vcpu_line[SSI_MAX_VCPU_ID + 1];
};

/*
 * Record the first error as "NAME:LINE: message" (line 0: "NAME: ...");
 * returns 0 so that callers can "return fail(...)".
 */
__printf(3, 4)
int topo_fail(struct parse_ctx *c, int line, const char *fmt, ...);

/* Place defaulted vCPUs and memory, check the whole topology. */
int topo_finish(struct parse_ctx *c);

#endif /* SSI_ACPI_TOPO_PARSE_H */
