// SPDX-License-Identifier: GPL-2.0
/*
 * topo_finish.c - complete and check a topology once the whole file is
 * read: place defaulted vCPUs and memory, fill the SLIT and HMAT matrices,
 * reject overlaps, asymmetric distances and the like, and attach each
 * memory-only node to its nearest initiator.
 */
#include <stdlib.h>
#include <string.h>

#include "topo_parse.h"
#include "value.h"

/* Place size-only memory from 0 upward, around the hole below 4 GiB. */
static int place_auto_memory(struct parse_ctx *c)
{
	uint64_t cursor = 0, left, chunk;
	unsigned int n;

	for (n = 0; n < c->t->nr_nodes; n++) {
		struct ssi_node *node = &c->t->nodes[n];
		struct node_keys *k = &c->keys[n];
		int line = k->auto_line;

		if (!k->has_memory && c->memory_per_node) {
			k->auto_size = c->memory_per_node;
			line = 0;
		}
		for (left = k->auto_size; left; left -= chunk) {
			if (cursor == c->low_memory_top)
				cursor = FOUR_GIB;
			chunk = left;
			if (cursor < c->low_memory_top &&
			    cursor + chunk > c->low_memory_top)
				chunk = c->low_memory_top - cursor;
			if (node->nr_ranges >= SSI_MAX_RANGES)
				return topo_fail(c, line,
						 "node%u: more than %d memory ranges",
						 n, SSI_MAX_RANGES);
			node->ranges[node->nr_ranges++] =
				(struct ssi_mem_range) {
					.base = cursor, .size = chunk,
					.line = line,
				};
			cursor += chunk;
		}
	}
	return 1;
}

/* Nodes without cpus= take cpus_per_node ids nobody else claimed. */
static int place_auto_vcpus(struct parse_ctx *c)
{
	struct ssi_topo *t = c->t;
	uint32_t next = 0, *grown;
	unsigned int n, i;

	for (n = 0; n < t->nr_nodes; n++) {
		struct ssi_node *node = &t->nodes[n];

		if (c->keys[n].has_cpus)
			continue;
		for (i = 0; i < c->cpus_per_node; i++) {
			while (next <= SSI_MAX_VCPU_ID && t->vcpu_node[next] >= 0)
				next++;
			if (next > SSI_MAX_VCPU_ID)
				return topo_fail(c, node->line,
						 "node%u: no vCPU ids left below %d",
						 n, SSI_MAX_VCPU_ID + 1);
			grown = realloc(node->vcpus,
					(node->nr_vcpus + 1) * sizeof(*grown));
			if (!grown)
				return topo_fail(c, 0, "out of memory");
			node->vcpus = grown;
			node->vcpus[node->nr_vcpus++] = next;
			t->vcpu_node[next] = (int16_t)n;
		}
	}
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct range_ref {
	const struct ssi_mem_range *r;
	unsigned int node;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range_ref *x = a, *y = b;

	return x->r->base < y->r->base ? -1 : x->r->base > y->r->base;
}

static int check_overlaps(struct parse_ctx *c)
{
	struct range_ref *all;
	unsigned int n, i, nr = 0;
	char s1[32], s2[32], s3[32], s4[32];
	int ok = 1;

	all = calloc((size_t)c->t->nr_nodes * SSI_MAX_RANGES, sizeof(*all));
	if (!all)
		return topo_fail(c, 0, "out of memory");
	for (n = 0; n < c->t->nr_nodes; n++)
		for (i = 0; i < c->t->nodes[n].nr_ranges; i++) {
			all[nr].r = &c->t->nodes[n].ranges[i];
			all[nr++].node = n;
		}
	qsort(all, nr, sizeof(*all), cmp_range);
	for (i = 1; i < nr && ok; i++) {
		const struct range_ref *a = &all[i - 1], *b = &all[i];
		const struct range_ref *later = b, *earlier = a;

		if (a->r->base + a->r->size <= b->r->base)
			continue;
		/* Report on the line read last; mention the other. */
		if (a->r->line > b->r->line) {
			later = a;
			earlier = b;
		}
		ok = topo_fail(c, later->r->line,
			       "node%u memory %s@%s overlaps node%u memory %s@%s%s%.0d%s",
			       later->node,
			       value_size_str(later->r->size, s1, sizeof(s1)),
			       value_size_str(later->r->base, s2, sizeof(s2)),
			       earlier->node,
			       value_size_str(earlier->r->size, s3, sizeof(s3)),
			       value_size_str(earlier->r->base, s4, sizeof(s4)),
			       earlier->r->line ? " (line " : " (default placement",
			       earlier->r->line, ")");
	}
	free(all);
	return ok;
}

static uint32_t matrix_default(struct parse_ctx *c, enum matrix_id m,
			       unsigned int i, unsigned int j)
{
	switch (m) {
	case MAT_DISTANCE:
		return i == j ? SSI_DISTANCE_LOCAL : (uint32_t)c->remote_distance;
	case MAT_READ_LATENCY:
	case MAT_WRITE_LATENCY:
		return (uint32_t)(i == j ? c->local_latency : c->remote_latency);
	default:
		return (uint32_t)(i == j ? c->local_bandwidth :
				  c->remote_bandwidth);
	}
}

static int apply_matrix(struct parse_ctx *c, enum matrix_id m,
			uint32_t (*dst)[SSI_MAX_NODES])
{
	struct matrix_rows *r = c->rows[m];
	unsigned int n = c->t->nr_nodes, i, j;

	for (i = 0; i < SSI_MAX_NODES; i++) {
		if (!r->line[i])
			continue;
		if (i >= n)
			return topo_fail(c, r->line[i],
					 "[%s] row %u: there are only %u nodes",
					 matrix_names[m], i, n);
		if (r->len[i] != n || r->too_long[i])
			return topo_fail(c, r->line[i],
					 "[%s] row %u has %u entries, expected %u (one per node)",
					 matrix_names[m], i, r->len[i], n);
		if (m != MAT_DISTANCE && !c->t->nodes[i].nr_vcpus)
			return topo_fail(c, r->line[i],
					 "[%s] row %u: node%u has no vCPUs, so it initiates no accesses",
					 matrix_names[m], i, i);
		for (j = 0; j < n; j++)
			if (m != MAT_DISTANCE && r->val[i][j] == 0)
				return topo_fail(c, r->line[i],
						 "[%s] row %u: entry %u is 0; values must be positive",
						 matrix_names[m], i, j);
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			dst[i][j] = r->line[i] ? r->val[i][j] :
				    matrix_default(c, m, i, j);
	return 1;
}

static int check_distances(struct parse_ctx *c,
			   uint32_t (*d)[SSI_MAX_NODES])
{
	struct matrix_rows *r = c->rows[MAT_DISTANCE];
	unsigned int n = c->t->nr_nodes, i, j;
	int line;

	for (i = 0; i < n; i++) {
		line = r->line[i];
		if (d[i][i] != SSI_DISTANCE_LOCAL)
			return topo_fail(c, line,
					 "distance from node%u to itself is %u; it must be %d",
					 i, d[i][i], SSI_DISTANCE_LOCAL);
		for (j = 0; j < n; j++) {
			if (i == j)
				continue;
			if (d[i][j] <= SSI_DISTANCE_LOCAL || d[i][j] > 254)
				return topo_fail(c, line,
						 "distance node%u -> node%u is %u; remote distances must be 11..254",
						 i, j, d[i][j]);
			if (d[i][j] != d[j][i])
				return topo_fail(c, line ? line : r->line[j],
						 "distance node%u -> node%u is %u but node%u -> node%u is %u; distances must be symmetric",
						 i, j, d[i][j], j, i, d[j][i]);
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			c->t->distance[i][j] = (uint8_t)d[i][j];
	return 1;
}

/* The PCI window must stay below 4G, off RAM and off the APICs. */
static int check_pci_window(struct parse_ctx *c)
{
	const struct ssi_acpi_opts *o = &c->t->acpi;
	uint64_t base = o->pci_mmio_base, end = base + o->pci_mmio_size;
	char s1[32], s2[32];
	unsigned int n, i;

	if (!o->pci)
		return 1;
	if (end > FOUR_GIB)
		return topo_fail(c, c->pci_line,
				 "PCI window 0x%llx-0x%llx ends above 4G",
				 (unsigned long long)base, (unsigned long long)end);
	if ((o->ioapic_addr >= base && o->ioapic_addr < end) ||
	    (o->lapic_addr >= base && o->lapic_addr < end))
		return topo_fail(c, c->pci_line,
				 "PCI window 0x%llx-0x%llx covers the IOAPIC or local APIC",
				 (unsigned long long)base,
				 (unsigned long long)(end - 1));
	for (n = 0; n < c->t->nr_nodes; n++) {
		for (i = 0; i < c->t->nodes[n].nr_ranges; i++) {
			const struct ssi_mem_range *r = &c->t->nodes[n].ranges[i];

			if (r->base < end && base < r->base + r->size)
				return topo_fail(c, c->pci_line ? c->pci_line : r->line,
						 "PCI window 0x%llx-0x%llx overlaps node%u memory %s@%s",
						 (unsigned long long)base,
						 (unsigned long long)(end - 1), n,
						 value_size_str(r->size, s1, sizeof(s1)),
						 value_size_str(r->base, s2, sizeof(s2)));
		}
	}
	return 1;
}

/* Memory-only nodes hang off the nearest node that has vCPUs. */
static void pick_initiators(struct ssi_topo *t)
{
	unsigned int n, i, best;

	for (n = 0; n < t->nr_nodes; n++) {
		if (t->nodes[n].nr_vcpus) {
			t->nodes[n].initiator = n;
			continue;
		}
		best = UINT32_MAX;
		for (i = 0; i < t->nr_nodes; i++)
			if (t->nodes[i].nr_vcpus &&
			    (best == UINT32_MAX ||
			     t->distance[n][i] < t->distance[n][best]))
				best = i;
		t->nodes[n].initiator = best;
	}
}

int topo_finish(struct parse_ctx *c)
{
	struct ssi_topo *t = c->t;
	uint32_t (*tmp)[SSI_MAX_NODES];
	unsigned int n, highest = 0;
	int any = 0, ok;

	for (n = 0; n < SSI_MAX_NODES; n++)
		if (c->keys[n].seen) {
			highest = n;
			any = 1;
		}
	if (c->nodes_line && any && highest >= c->nodes)
		return topo_fail(c, t->nodes[highest].line,
				 "[node%u] but nodes = %u (line %d) allows node0..node%u",
				 highest, c->nodes, c->nodes_line, c->nodes - 1);
	t->nr_nodes = c->nodes_line ? c->nodes : any ? highest + 1 : 1;

	if (!place_auto_vcpus(c) || !place_auto_memory(c))
		return 0;
	for (n = 0; n < t->nr_nodes; n++) {
		struct ssi_node *node = &t->nodes[n];

		qsort(node->vcpus, node->nr_vcpus, sizeof(uint32_t), cmp_u32);
		if (!node->nr_vcpus && !node->nr_ranges)
			return topo_fail(c, node->line,
					 "node%u has neither vCPUs nor memory", n);
	}
	if (t->vcpu_node[0] < 0)
		return topo_fail(c, 0, "vCPU 0 (the boot CPU) is in no node");
	if (!check_overlaps(c) || !check_pci_window(c))
		return 0;

	tmp = calloc(SSI_MAX_NODES, sizeof(*tmp));
	if (!tmp)
		return topo_fail(c, 0, "out of memory");
	ok = apply_matrix(c, MAT_DISTANCE, tmp) && check_distances(c, tmp) &&
	     apply_matrix(c, MAT_READ_LATENCY, t->read_latency) &&
	     apply_matrix(c, MAT_WRITE_LATENCY, t->write_latency) &&
	     apply_matrix(c, MAT_READ_BANDWIDTH, t->read_bandwidth) &&
	     apply_matrix(c, MAT_WRITE_BANDWIDTH, t->write_bandwidth);
	free(tmp);
	if (!ok)
		return 0;
	pick_initiators(t);
	return 1;
}
