// SPDX-License-Identifier: GPL-2.0
/*
 * srat.c - System Resource Affinity Table (ACPI 6.3 5.2.16).
 *
 * One processor affinity entry per vCPU and one memory affinity entry per
 * range; the proximity domain is the node number.  This is what makes
 * Linux create /sys/devices/system/node/nodeN.
 */
#include "table.h"

#define SRAT_REVISION		3
#define SRAT_TYPE_LAPIC		0
#define SRAT_TYPE_MEMORY	1
#define SRAT_TYPE_X2APIC	2
#define SRAT_LAPIC_LEN		16
#define SRAT_MEMORY_LEN		40
#define SRAT_X2APIC_LEN		24
#define SRAT_CPU_ENABLED	(1u << 0)
#define SRAT_MEM_ENABLED	(1u << 0)
#define SRAT_MEM_HOTPLUGGABLE	(1u << 1)

/* The 8-bit APIC id field cannot hold 255 (broadcast) or more. */
static int needs_x2apic(const struct ssi_topo *t, uint32_t apic_id)
{
	return t->acpi.force_x2apic || apic_id >= 255;
}

static void put_cpu_affinity(struct ssi_blob *b, const struct ssi_topo *t,
			     uint32_t pxm, uint32_t apic_id)
{
	if (needs_x2apic(t, apic_id)) {
		blob_put_u8(b, SRAT_TYPE_X2APIC);
		blob_put_u8(b, SRAT_X2APIC_LEN);
		blob_put_u16(b, 0);
		blob_put_u32(b, pxm);
		blob_put_u32(b, apic_id);
		blob_put_u32(b, SRAT_CPU_ENABLED);
		blob_put_u32(b, 0);	/* clock domain */
		blob_put_u32(b, 0);
		return;
	}
	blob_put_u8(b, SRAT_TYPE_LAPIC);
	blob_put_u8(b, SRAT_LAPIC_LEN);
	blob_put_u8(b, pxm & 0xff);	/* proximity domain [7:0] */
	blob_put_u8(b, (uint8_t)apic_id);
	blob_put_u32(b, SRAT_CPU_ENABLED);
	blob_put_u8(b, 0);		/* local SAPIC EID */
	blob_put_u8(b, (pxm >> 8) & 0xff);	/* proximity domain [31:8] */
	blob_put_u8(b, (pxm >> 16) & 0xff);
	blob_put_u8(b, (pxm >> 24) & 0xff);
	blob_put_u32(b, 0);		/* clock domain */
}

static void put_mem_affinity(struct ssi_blob *b, uint32_t pxm,
			     const struct ssi_mem_range *r)
{
	uint32_t flags = SRAT_MEM_ENABLED;

	if (r->hotplug)
		flags |= SRAT_MEM_HOTPLUGGABLE;
	blob_put_u8(b, SRAT_TYPE_MEMORY);
	blob_put_u8(b, SRAT_MEMORY_LEN);
	blob_put_u32(b, pxm);
	blob_put_u16(b, 0);
	blob_put_u64(b, r->base);
	blob_put_u64(b, r->size);
	blob_put_u32(b, 0);
	blob_put_u32(b, flags);
	blob_put_u64(b, 0);
}

int ssi_acpi_build_srat(const struct ssi_topo *t, struct ssi_blob *out)
{
	unsigned int n, i;

	acpi_table_begin(out, "SRAT", SRAT_REVISION, &t->acpi);
	blob_put_u32(out, 1);	/* "table revision", must be 1 */
	blob_put_u64(out, 0);
	for (n = 0; n < t->nr_nodes; n++)
		for (i = 0; i < t->nodes[n].nr_vcpus; i++)
			put_cpu_affinity(out, t, n, t->nodes[n].vcpus[i]);
	for (n = 0; n < t->nr_nodes; n++)
		for (i = 0; i < t->nodes[n].nr_ranges; i++)
			put_mem_affinity(out, n, &t->nodes[n].ranges[i]);
	return acpi_table_finish(out);
}
