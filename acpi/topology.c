// SPDX-License-Identifier: GPL-2.0
/*
 * topology.c - read a topology INI file (libinih) into struct ssi_topo.
 *
 * Every value remembers the line it came from, so that problems found only
 * once the whole file is read (topo_finish.c: overlaps, a vCPU in two
 * nodes, asymmetric distances) still point at the offending line.  The
 * format is described in Documentation/acpi.rst.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "topo_parse.h"
#include "value.h"

/* Defaults chosen so that a 1- or 2-node file needs only a line or two. */
#define DEF_CPUS_PER_NODE	1
#define DEF_MEMORY_PER_NODE	(512ull << 20)
#define DEF_LOW_MEMORY_TOP	(3ull << 30)	/* PCI hole 3G..4G */
#define DEF_REMOTE_DISTANCE	20
/* Same host DRAM vs. a page fetched over RDMA (see TESTBED.md). */
#define DEF_LOCAL_LATENCY	100		/* ns */
#define DEF_REMOTE_LATENCY	5000		/* ns */
#define DEF_LOCAL_BANDWIDTH	20000		/* MB/s */
#define DEF_REMOTE_BANDWIDTH	5000		/* MB/s */

const char *const matrix_names[NR_MATRICES] = {
	"distance", "read_latency", "write_latency",
	"read_bandwidth", "write_bandwidth",
};

int topo_fail(struct parse_ctx *c, int line, const char *fmt, ...)
{
	size_t n = 0;
	va_list ap;

	if (c->failed)
		return 0;
	c->failed = 1;
	if (line > 0)
		n = (size_t)snprintf(c->err, c->errlen, "%s:%d: ", c->name,
				     line);
	else
		n = (size_t)snprintf(c->err, c->errlen, "%s: ", c->name);
	if (n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* "node12" -> 12; -1 if the name is not a node section at all. */
static int node_section(struct parse_ctx *c, const char *section, int line)
{
	unsigned long id;
	char *end;

	if (strncmp(section, "node", 4) || !isdigit((unsigned char)section[4]))
		return -1;
	id = strtoul(section + 4, &end, 10);
	if (*end) {
		topo_fail(c, line, "bad section name [%s]: expected [nodeN]",
			  section);
		return -2;
	}
	if (id >= SSI_MAX_NODES) {
		topo_fail(c, line,
			  "[%s]: more than %d nodes (node ids are 0..%d)",
			  section, SSI_MAX_NODES, SSI_MAX_NODES - 1);
		return -2;
	}
	return (int)id;
}

static void section_begin(struct parse_ctx *c, const char *name)
{
	static const char *const known[] = { "topology", "acpi" };
	unsigned int i;
	int id;

	snprintf(c->section, sizeof(c->section), "%s", name);
	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(name, known[i]))
			return;
	for (i = 0; i < NR_MATRICES; i++)
		if (!strcmp(name, matrix_names[i]))
			return;
	id = node_section(c, name, c->line);
	if (id == -1) {
		topo_fail(c, c->line, "unknown section [%s]", name);
		return;
	}
	if (id < 0)
		return;
	if (c->keys[id].seen) {
		topo_fail(c, c->line, "[%s] appears twice (first on line %d)",
			  name, c->t->nodes[id].line);
		return;
	}
	c->keys[id].seen = 1;
	c->t->nodes[id].line = c->line;
}

/*
 * Our own line reader: it counts lines (this libinih is built without
 * line numbers in handler calls), notices section headers even when the
 * section is empty, and refuses lines libinih would silently split.
 */
static char *read_line(char *buf, int size, void *stream)
{
	struct parse_ctx *c = stream;
	size_t n = 0;
	int ch;

	for (;;) {
		if (c->text)
			ch = *c->text ? (unsigned char)*c->text++ : EOF;
		else
			ch = fgetc(c->file);
		if (ch == EOF)
			break;
		/* Room for the newline and the NUL must remain. */
		if (ch != '\n' && n + 2 >= (size_t)size) {
			topo_fail(c, c->line + 1,
				  "line longer than %d characters; continue a long list on an indented next line",
				  size - 2);
			return NULL;
		}
		buf[n++] = (char)ch;
		if (ch == '\n')
			break;
	}
	if (!n)
		return NULL;
	buf[n] = '\0';
	c->line++;
	c->continuation = buf[0] == ' ' || buf[0] == '\t';

	{
		const char *p = buf, *close;

		while (isspace((unsigned char)*p))
			p++;
		close = strchr(p, ']');
		if (*p == '[' && close && (size_t)(close - p - 1) < 64) {
			char name[64];

			memcpy(name, p + 1, (size_t)(close - p - 1));
			name[close - p - 1] = '\0';
			section_begin(c, name);
		}
	}
	return buf;
}

static int parse_u64_key(struct parse_ctx *c, const char *key,
			 const char *value, uint64_t *out)
{
	if (value_u64(value, out))
		return topo_fail(c, c->line, "%s = '%s': not a number", key, value);
	return 1;
}

static int parse_ranged(struct parse_ctx *c, const char *key,
			const char *value, uint64_t lo, uint64_t hi,
			uint64_t *out)
{
	if (!parse_u64_key(c, key, value, out))
		return 0;
	if (*out < lo || *out > hi)
		return topo_fail(c, c->line, "%s = %s: must be %llu..%llu", key,
				 value, (unsigned long long)lo,
				 (unsigned long long)hi);
	return 1;
}

static int topology_key(struct parse_ctx *c, const char *key,
			const char *value)
{
	uint64_t v;

	if (!strcmp(key, "nodes")) {
		if (!parse_u64_key(c, key, value, &v))
			return 0;
		if (v == 0)
			return topo_fail(c, c->line, "nodes = 0: need at least one node");
		if (v > SSI_MAX_NODES)
			return topo_fail(c, c->line, "nodes = %s: more than %d nodes",
					 value, SSI_MAX_NODES);
		c->nodes = (unsigned int)v;
		c->nodes_line = c->line;
		return 1;
	}
	if (!strcmp(key, "cpus_per_node"))
		return parse_ranged(c, key, value, 0, SSI_MAX_VCPU_ID + 1,
				    &c->cpus_per_node);
	if (!strcmp(key, "memory_per_node")) {
		if (!parse_u64_key(c, key, value, &c->memory_per_node))
			return 0;
		if (c->memory_per_node % PAGE_SIZE_4K)
			return topo_fail(c, c->line,
					 "memory_per_node = %s: not a multiple of 4K",
					 value);
		return 1;
	}
	if (!strcmp(key, "low_memory_top")) {
		if (!parse_ranged(c, key, value, PAGE_SIZE_4K, FOUR_GIB,
				  &c->low_memory_top))
			return 0;
		if (c->low_memory_top % PAGE_SIZE_4K)
			return topo_fail(c, c->line,
					 "low_memory_top = %s: not a multiple of 4K",
					 value);
		return 1;
	}
	if (!strcmp(key, "remote_distance")) {
		c->remote_distance_line = c->line;
		return parse_ranged(c, key, value, SSI_DISTANCE_LOCAL + 1, 254,
				    &c->remote_distance);
	}
	if (!strcmp(key, "local_latency"))
		return parse_ranged(c, key, value, 1, UINT32_MAX,
				    &c->local_latency);
	if (!strcmp(key, "remote_latency"))
		return parse_ranged(c, key, value, 1, UINT32_MAX,
				    &c->remote_latency);
	if (!strcmp(key, "local_bandwidth"))
		return parse_ranged(c, key, value, 1, UINT32_MAX,
				    &c->local_bandwidth);
	if (!strcmp(key, "remote_bandwidth"))
		return parse_ranged(c, key, value, 1, UINT32_MAX,
				    &c->remote_bandwidth);
	return topo_fail(c, c->line, "unknown key '%s' in [topology]", key);
}

static int copy_padded(struct parse_ctx *c, const char *key,
		       const char *value, char *dst, size_t width)
{
	size_t n = strlen(value);

	if (n == 0 || n > width)
		return topo_fail(c, c->line, "%s = '%s': must be 1..%zu characters",
				 key, value, width);
	memset(dst, ' ', width);
	memcpy(dst, value, n);
	dst[width] = '\0';
	return 1;
}

static int acpi_key(struct parse_ctx *c, const char *key, const char *value)
{
	struct ssi_acpi_opts *o = &c->t->acpi;
	uint64_t v;
	int b;

	if (!strcmp(key, "oem_id"))
		return copy_padded(c, key, value, o->oem_id, 6);
	if (!strcmp(key, "oem_table_id"))
		return copy_padded(c, key, value, o->oem_table_id, 8);
	if (!strcmp(key, "pm_base")) {
		if (!parse_ranged(c, key, value, 1, 0xfff0, &v))
			return 0;
		o->pm_base = (uint16_t)v;
		return 1;
	}
	if (!strcmp(key, "sci_irq")) {
		if (!parse_ranged(c, key, value, 1, 15, &v))
			return 0;
		o->sci_irq = (uint8_t)v;
		return 1;
	}
	if (!strcmp(key, "ioapic_id")) {
		if (!parse_ranged(c, key, value, 0, 255, &v))
			return 0;
		o->ioapic_id = (uint8_t)v;
		return 1;
	}
	if (!strcmp(key, "ioapic_addr") || !strcmp(key, "lapic_addr")) {
		if (!parse_ranged(c, key, value, 1, UINT32_MAX, &v))
			return 0;
		if (key[0] == 'i')
			o->ioapic_addr = (uint32_t)v;
		else
			o->lapic_addr = (uint32_t)v;
		return 1;
	}
	if (!strcmp(key, "x2apic") || !strcmp(key, "serial") ||
	    !strcmp(key, "pci")) {
		b = value_bool(value);
		if (b < 0)
			return topo_fail(c, c->line, "%s = '%s': expected yes or no",
					 key, value);
		if (key[0] == 'x')
			o->force_x2apic = b;
		else if (key[0] == 's')
			o->serial = b;
		else
			o->pci = b;
		return 1;
	}
	if (!strcmp(key, "pci_mmio_base") || !strcmp(key, "pci_mmio_size")) {
		if (!parse_ranged(c, key, value, 1, UINT32_MAX, &v))
			return 0;
		if (v % PAGE_SIZE_4K)
			return topo_fail(c, c->line, "%s = %s: not a multiple of 4K",
					 key, value);
		if (!strcmp(key, "pci_mmio_base"))
			o->pci_mmio_base = (uint32_t)v;
		else
			o->pci_mmio_size = (uint32_t)v;
		c->pci_line = c->line;
		return 1;
	}
	return topo_fail(c, c->line, "unknown key '%s' in [acpi]", key);
}

static int add_vcpus(struct parse_ctx *c, int id, const char *value)
{
	struct ssi_node *node = &c->t->nodes[id];
	const char *p = value;
	uint64_t lo, hi, v;
	char tok[64];
	uint32_t *grown;

	while ((p = value_token(p, tok, sizeof(tok)))) {
		if (!strcmp(tok, "none"))
			continue;
		if (value_id_range(tok, &lo, &hi))
			return topo_fail(c, c->line,
					 "cpus: '%s' is not a vCPU id or range a-b",
					 tok);
		if (hi > SSI_MAX_VCPU_ID)
			return topo_fail(c, c->line,
					 "cpus: vCPU id %llu is above the limit %d",
					 (unsigned long long)hi, SSI_MAX_VCPU_ID);
		for (v = lo; v <= hi; v++) {
			int other = c->t->vcpu_node[v];

			if (other >= 0)
				return topo_fail(c, c->line,
						 "vCPU %llu is in node%d (line %d) and in node%d",
						 (unsigned long long)v, other,
						 c->vcpu_line[v], id);
			grown = realloc(node->vcpus,
					(node->nr_vcpus + 1) * sizeof(*grown));
			if (!grown)
				return topo_fail(c, c->line, "out of memory");
			node->vcpus = grown;
			node->vcpus[node->nr_vcpus++] = (uint32_t)v;
			c->t->vcpu_node[v] = (int16_t)id;
			c->vcpu_line[v] = c->line;
		}
	}
	return 1;
}

static int add_ranges(struct parse_ctx *c, int id, const char *key,
		      const char *value, int hotplug)
{
	struct ssi_node *node = &c->t->nodes[id];
	struct node_keys *k = &c->keys[id];
	const char *p = value;
	uint64_t base, size;
	char tok[64], *at;

	while ((p = value_token(p, tok, sizeof(tok)))) {
		at = strchr(tok, '@');
		if (at)
			*at = '\0';
		if (value_u64(tok, &size) || (at && value_u64(at + 1, &base)))
			return topo_fail(c, c->line,
					 "%s: '%s%s%s' is not SIZE or SIZE@BASE",
					 key, tok, at ? "@" : "", at ? at + 1 : "");
		if (size == 0)
			return topo_fail(c, c->line, "%s: zero-size memory range",
					 key);
		if (size % PAGE_SIZE_4K || (at && base % PAGE_SIZE_4K))
			return topo_fail(c, c->line,
					 "%s: '%s%s%s' is not 4K aligned", key, tok,
					 at ? "@" : "", at ? at + 1 : "");
		if (!at) {
			if (hotplug)
				return topo_fail(c, c->line,
						 "%s: give an address (SIZE@BASE) for hot-pluggable memory",
						 key);
			k->auto_size += size;
			k->auto_line = c->line;
			continue;
		}
		if (base + size < base)
			return topo_fail(c, c->line,
					 "%s: range %s@%s wraps past 2^64", key, tok,
					 at + 1);
		if (node->nr_ranges >= SSI_MAX_RANGES)
			return topo_fail(c, c->line,
					 "%s: more than %d ranges in node%d", key,
					 SSI_MAX_RANGES, id);
		node->ranges[node->nr_ranges++] = (struct ssi_mem_range) {
			.base = base, .size = size, .hotplug = hotplug,
			.line = c->line,
		};
	}
	return 1;
}

static int add_host_cpus(struct parse_ctx *c, int id, const char *value)
{
	struct ssi_node *node = &c->t->nodes[id];
	const char *p = value;
	uint64_t lo, hi, v;
	char tok[64];
	uint32_t *grown;

	while ((p = value_token(p, tok, sizeof(tok)))) {
		if (value_id_range(tok, &lo, &hi) || hi >= SSI_MAX_HOST_CPUS)
			return topo_fail(c, c->line,
					 "host_cpus: '%s' is not a CPU number or range below %d",
					 tok, SSI_MAX_HOST_CPUS);
		for (v = lo; v <= hi; v++) {
			grown = realloc(node->host_cpus,
					(node->nr_host_cpus + 1) *
					sizeof(*grown));
			if (!grown)
				return topo_fail(c, c->line, "out of memory");
			node->host_cpus = grown;
			node->host_cpus[node->nr_host_cpus++] = (uint32_t)v;
		}
	}
	return 1;
}

static int node_key(struct parse_ctx *c, int id, const char *key,
		    const char *value)
{
	struct ssi_node *node = &c->t->nodes[id];
	struct node_keys *k = &c->keys[id];
	uint64_t v;

	if (!strcmp(key, "cpus")) {
		k->has_cpus = 1;
		if (!node->cpus_line)
			node->cpus_line = c->line;
		return add_vcpus(c, id, value);
	}
	if (!strcmp(key, "memory")) {
		k->has_memory = 1;
		return add_ranges(c, id, key, value, 0);
	}
	if (!strcmp(key, "hotplug_memory"))
		return add_ranges(c, id, key, value, 1);
	if (!strcmp(key, "host_cpus"))
		return add_host_cpus(c, id, value);
	if (!strcmp(key, "host_node")) {
		if (!parse_ranged(c, key, value, 0, 1023, &v))
			return 0;
		node->host_node = (int)v;
		return 1;
	}
	if (!strcmp(key, "home")) {
		if (!parse_ranged(c, key, value, 0, SSI_MAX_NODES - 1, &v))
			return 0;
		node->home = (int)v;
		return 1;
	}
	if (!strcmp(key, "host")) {
		if (strlen(value) >= sizeof(node->host))
			return topo_fail(c, c->line, "host: name longer than %zu",
					 sizeof(node->host) - 1);
		strcpy(node->host, value);
		return 1;
	}
	return topo_fail(c, c->line, "unknown key '%s' in [node%d]", key, id);
}

static int matrix_key(struct parse_ctx *c, enum matrix_id m, const char *key,
		      const char *value)
{
	struct matrix_rows *r = c->rows[m];
	const char *p = value;
	uint64_t row, v;
	char tok[64];

	if (value_u64(key, &row) || row >= SSI_MAX_NODES)
		return topo_fail(c, c->line,
				 "[%s]: key '%s' must be a node number 0..%d",
				 matrix_names[m], key, SSI_MAX_NODES - 1);
	if (!r->line[row])
		r->line[row] = c->line;
	while ((p = value_token(p, tok, sizeof(tok)))) {
		if (value_u64(tok, &v) || v > UINT32_MAX)
			return topo_fail(c, c->line, "[%s] row %llu: '%s' is not a number",
					 matrix_names[m], (unsigned long long)row,
					 tok);
		if (r->len[row] >= SSI_MAX_NODES) {
			r->too_long[row] = 1;
			continue;
		}
		r->val[row][r->len[row]++] = (uint32_t)v;
	}
	return 1;
}

/*
 * A key may be set once per section; libinih reports the indented lines
 * that continue a long value under the same key, and those append.
 */
static int first_time(struct parse_ctx *c, const char *section,
		      const char *key)
{
	struct key_seen *s;
	unsigned int i;

	if (c->continuation)
		return 1;
	for (i = 0; i < c->nr_seen; i++) {
		s = &c->seen[i];
		if (!strncmp(s->section, section, sizeof(s->section)) &&
		    !strncmp(s->key, key, sizeof(s->key)))
			return topo_fail(c, c->line,
					 "'%s' given twice in [%s] (first on line %d)",
					 key, section, s->line);
	}
	if (c->nr_seen == c->cap_seen) {
		unsigned int cap = c->cap_seen ? 2 * c->cap_seen : 64;

		s = realloc(c->seen, cap * sizeof(*s));
		if (!s)
			return topo_fail(c, c->line, "out of memory");
		c->seen = s;
		c->cap_seen = cap;
	}
	s = &c->seen[c->nr_seen++];
	snprintf(s->section, sizeof(s->section), "%s", section);
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->line = c->line;
	return 1;
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parse_ctx *c = user;
	unsigned int m;
	int id;

	if (c->failed)
		return 1;	/* keep only the first error */
	if (!first_time(c, section, key))
		return 0;
	if (!strcmp(section, "topology"))
		return topology_key(c, key, value);
	if (!strcmp(section, "acpi"))
		return acpi_key(c, key, value);
	for (m = 0; m < NR_MATRICES; m++)
		if (!strcmp(section, matrix_names[m]))
			return matrix_key(c, m, key, value);
	if (!section[0])
		return topo_fail(c, c->line, "'%s' outside any section", key);
	id = node_section(c, section, c->line);
	if (id < 0)
		return 0;
	return node_key(c, id, key, value);
}

static void set_defaults(struct parse_ctx *c)
{
	struct ssi_acpi_opts *o = &c->t->acpi;
	unsigned int i;

	c->nodes = 1;
	c->cpus_per_node = DEF_CPUS_PER_NODE;
	c->memory_per_node = DEF_MEMORY_PER_NODE;
	c->low_memory_top = DEF_LOW_MEMORY_TOP;
	c->remote_distance = DEF_REMOTE_DISTANCE;
	c->local_latency = DEF_LOCAL_LATENCY;
	c->remote_latency = DEF_REMOTE_LATENCY;
	c->local_bandwidth = DEF_LOCAL_BANDWIDTH;
	c->remote_bandwidth = DEF_REMOTE_BANDWIDTH;
	for (i = 0; i <= SSI_MAX_VCPU_ID; i++)
		c->t->vcpu_node[i] = -1;
	for (i = 0; i < SSI_MAX_NODES; i++) {
		c->t->nodes[i].host_node = -1;
		c->t->nodes[i].home = -1;
	}
	memcpy(o->oem_id, "SSIHV ", 7);
	memcpy(o->oem_table_id, "SSIHVTOP", 9);
	o->pm_base = SSI_ACPI_DEFAULT_PM_BASE;
	o->sci_irq = SSI_ACPI_DEFAULT_SCI_IRQ;
	o->ioapic_id = 0;
	o->ioapic_addr = 0xfec00000;
	o->lapic_addr = 0xfee00000;
	o->serial = 1;
	/* ssi-vmm's window: 256M below the IOAPIC's 0xfec00000 page. */
	o->pci = 1;
	o->pci_mmio_base = 0xe0000000;
	o->pci_mmio_size = 0x10000000;
}

static struct ssi_topo *parse(struct parse_ctx *c)
{
	unsigned int m;
	int ret;

	c->t = calloc(1, sizeof(*c->t));
	if (!c->t) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->name);
		return NULL;
	}
	for (m = 0; m < NR_MATRICES; m++) {
		c->rows[m] = calloc(1, sizeof(*c->rows[m]));
		if (!c->rows[m])
			topo_fail(c, 0, "out of memory");
	}
	set_defaults(c);
	if (!c->failed) {
		ret = ini_parse_stream(read_line, c, handler, c);
		if (ret && !c->failed)
			topo_fail(c, ret,
				  "syntax error: expected 'key = value' or '[section]'");
	}
	if (!c->failed)
		topo_finish(c);
	for (m = 0; m < NR_MATRICES; m++)
		free(c->rows[m]);
	free(c->seen);
	if (c->failed) {
		ssi_topo_free(c->t);
		return NULL;
	}
	return c->t;
}

struct ssi_topo *ssi_topo_parse_file(const char *path, char *err,
				     size_t errlen)
{
	struct parse_ctx *c;
	struct ssi_topo *t;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	c->name = path;
	c->err = err;
	c->errlen = errlen;
	c->file = fopen(path, "r");
	if (!c->file) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	t = parse(c);
	fclose(c->file);
	free(c);
	return t;
}

struct ssi_topo *ssi_topo_parse_string(const char *text, const char *name,
				       char *err, size_t errlen)
{
	struct parse_ctx *c;
	struct ssi_topo *t;

	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	c->name = name;
	c->err = err;
	c->errlen = errlen;
	c->text = text;
	t = parse(c);
	free(c);
	return t;
}

void ssi_topo_free(struct ssi_topo *topo)
{
	unsigned int n;

	if (!topo)
		return;
	for (n = 0; n < SSI_MAX_NODES; n++) {
		free(topo->nodes[n].vcpus);
		free(topo->nodes[n].host_cpus);
	}
	free(topo);
}
