// SPDX-License-Identifier: GPL-2.0
/*
 * hmat.c - Heterogeneous Memory Attribute Table, revision 2 (ACPI 6.3
 * 5.2.27).
 *
 * Per memory node a Memory Proximity Domain Attributes structure names the
 * initiator attached to it (Linux 6.1 fills access0 only for that pair),
 * then four System Locality Latency and Bandwidth structures give read and
 * write latency and bandwidth for every initiator x target pair.
 */
#include <errno.h>

#include "table.h"

#define HMAT_REVISION		2
#define HMAT_TYPE_MEM_ATTR	0
#define HMAT_TYPE_LOCALITY	1
#define HMAT_MEM_ATTR_LEN	40
#define HMAT_INITIATOR_VALID	(1u << 0)
#define HMAT_HIERARCHY_MEMORY	0
#define HMAT_READ_LATENCY	1
#define HMAT_WRITE_LATENCY	2
#define HMAT_READ_BANDWIDTH	4
#define HMAT_WRITE_BANDWIDTH	5
/* Entries are 16-bit; 0xffff means "unreachable" and 0 "unknown". */
#define HMAT_ENTRY_MAX		0xfffe
/* Revision 2 latencies are in picoseconds x base unit. */
#define PS_PER_NS		1000

struct hmat_lists {
	uint32_t init[SSI_MAX_NODES];
	unsigned int nr_init;
	uint32_t targ[SSI_MAX_NODES];
	unsigned int nr_targ;
};

static int node_has_memory(const struct ssi_node *node)
{
	return node->nr_ranges > 0;
}

static void put_mem_attr(struct ssi_blob *b, uint32_t initiator,
			 uint32_t target)
{
	blob_put_u16(b, HMAT_TYPE_MEM_ATTR);
	blob_put_u16(b, 0);
	blob_put_u32(b, HMAT_MEM_ATTR_LEN);
	blob_put_u16(b, HMAT_INITIATOR_VALID);
	blob_put_u16(b, 0);
	blob_put_u32(b, initiator);
	blob_put_u32(b, target);
	blob_put_zeros(b, 4 + 8 + 8);
}

/*
 * Entries are 16 bits; choose the smallest multiplier that lets the
 * largest value fit, so common values (ns latencies, MB/s bandwidths up
 * to 65 GB/s) are stored exactly.
 */
static uint64_t entry_divisor(const uint32_t (*m)[SSI_MAX_NODES],
			      const struct hmat_lists *l)
{
	uint32_t max = 0;
	unsigned int i, j;

	for (i = 0; i < l->nr_init; i++)
		for (j = 0; j < l->nr_targ; j++)
			if (m[l->init[i]][l->targ[j]] > max)
				max = m[l->init[i]][l->targ[j]];
	return max <= HMAT_ENTRY_MAX ? 1 :
		(max + HMAT_ENTRY_MAX - 1) / HMAT_ENTRY_MAX;
}

static void put_locality(struct ssi_blob *b, uint8_t data_type,
			 const uint32_t (*m)[SSI_MAX_NODES],
			 const struct hmat_lists *l)
{
	uint64_t div = entry_divisor(m, l);
	uint64_t base = div;
	size_t entries = (size_t)l->nr_init * l->nr_targ;
	size_t len = 32 + 4 * (l->nr_init + l->nr_targ) + 2 * entries;
	int latency = data_type == HMAT_READ_LATENCY ||
		      data_type == HMAT_WRITE_LATENCY;
	unsigned int i, j;

	if (latency)
		base *= PS_PER_NS;
	/* Keep the next structure 4-byte aligned. */
	len = (len + 3) & ~(size_t)3;

	blob_put_u16(b, HMAT_TYPE_LOCALITY);
	blob_put_u16(b, 0);
	blob_put_u32(b, (uint32_t)len);
	blob_put_u8(b, HMAT_HIERARCHY_MEMORY);
	blob_put_u8(b, data_type);
	blob_put_u8(b, 0);		/* minimum transfer size */
	blob_put_u8(b, 0);
	blob_put_u32(b, l->nr_init);
	blob_put_u32(b, l->nr_targ);
	blob_put_u32(b, 0);
	blob_put_u64(b, base);
	for (i = 0; i < l->nr_init; i++)
		blob_put_u32(b, l->init[i]);
	for (j = 0; j < l->nr_targ; j++)
		blob_put_u32(b, l->targ[j]);
	for (i = 0; i < l->nr_init; i++) {
		for (j = 0; j < l->nr_targ; j++) {
			uint64_t v = m[l->init[i]][l->targ[j]];

			/*
			 * Never report better than configured: latency
			 * rounds up, bandwidth down (but not to 0, which
			 * means "unknown").
			 */
			v = latency ? (v + div - 1) / div : v / div;
			blob_put_u16(b, (uint16_t)(v ? v : 1));
		}
	}
	if (entries & 1)
		blob_put_u16(b, 0);
}

int ssi_acpi_build_hmat(const struct ssi_topo *t, struct ssi_blob *out)
{
	struct hmat_lists l = { .nr_init = 0 };
	unsigned int n;

	for (n = 0; n < t->nr_nodes; n++) {
		if (t->nodes[n].nr_vcpus)
			l.init[l.nr_init++] = n;
		if (node_has_memory(&t->nodes[n]))
			l.targ[l.nr_targ++] = n;
	}
	if (!l.nr_init || !l.nr_targ)
		return -EINVAL;

	acpi_table_begin(out, "HMAT", HMAT_REVISION, &t->acpi);
	blob_put_u32(out, 0);
	for (n = 0; n < t->nr_nodes; n++)
		if (node_has_memory(&t->nodes[n]))
			put_mem_attr(out, t->nodes[n].initiator, n);
	put_locality(out, HMAT_READ_LATENCY, t->read_latency, &l);
	put_locality(out, HMAT_WRITE_LATENCY, t->write_latency, &l);
	put_locality(out, HMAT_READ_BANDWIDTH, t->read_bandwidth, &l);
	put_locality(out, HMAT_WRITE_BANDWIDTH, t->write_bandwidth, &l);
	return acpi_table_finish(out);
}
