// SPDX-License-Identifier: GPL-2.0
/*
 * madt.c - Multiple APIC Description Table (ACPI 6.3 5.2.12).
 *
 * One local APIC entry per vCPU (x2APIC entries for ids the 8-bit field
 * cannot hold), one IOAPIC taking GSIs from 0, and the two ISA interrupt
 * overrides every PC has: the PIT on IRQ0 is wired to pin 2, and the SCI
 * is level triggered, active high.
 */
#include "table.h"

#define MADT_REVISION		5
#define MADT_PCAT_COMPAT	(1u << 0)
#define MADT_TYPE_LAPIC		0
#define MADT_TYPE_IOAPIC	1
#define MADT_TYPE_OVERRIDE	2
#define MADT_TYPE_LAPIC_NMI	4
#define MADT_TYPE_X2APIC	9
#define MADT_TYPE_X2APIC_NMI	10
#define MADT_CPU_ENABLED	(1u << 0)
/* MPS INTI flags: polarity bits 1:0, trigger mode bits 3:2. */
#define MPS_ACTIVE_HIGH		0x1
#define MPS_LEVEL		(0x3 << 2)
/* Local APIC NMI is wired to LINT1 on PCs; flags 0 = bus defaults. */
#define LAPIC_NMI_LINT		1

static int needs_x2apic(const struct ssi_topo *t, uint32_t apic_id)
{
	return t->acpi.force_x2apic || apic_id >= 255;
}

static void put_override(struct ssi_blob *b, uint8_t irq, uint32_t gsi,
			 uint16_t flags)
{
	blob_put_u8(b, MADT_TYPE_OVERRIDE);
	blob_put_u8(b, 10);
	blob_put_u8(b, 0);		/* bus: ISA */
	blob_put_u8(b, irq);
	blob_put_u32(b, gsi);
	blob_put_u16(b, flags);
}

int ssi_acpi_build_madt(const struct ssi_topo *t, struct ssi_blob *out)
{
	int have_xapic = 0, have_x2apic = 0;
	uint32_t id;

	acpi_table_begin(out, "APIC", MADT_REVISION, &t->acpi);
	blob_put_u32(out, t->acpi.lapic_addr);
	blob_put_u32(out, MADT_PCAT_COMPAT);

	/*
	 * Entries in vCPU id order: Linux numbers CPUs in MADT order, and
	 * the boot CPU (id 0) must come first.
	 */
	for (id = 0; id <= SSI_MAX_VCPU_ID; id++) {
		if (ssi_topo_vcpu_node(t, id) < 0)
			continue;
		if (needs_x2apic(t, id)) {
			blob_put_u8(out, MADT_TYPE_X2APIC);
			blob_put_u8(out, 16);
			blob_put_u16(out, 0);
			blob_put_u32(out, id);	/* x2APIC id */
			blob_put_u32(out, MADT_CPU_ENABLED);
			blob_put_u32(out, id);	/* ACPI processor UID */
			have_x2apic = 1;
		} else {
			blob_put_u8(out, MADT_TYPE_LAPIC);
			blob_put_u8(out, 8);
			blob_put_u8(out, (uint8_t)id);	/* processor UID */
			blob_put_u8(out, (uint8_t)id);	/* APIC id */
			blob_put_u32(out, MADT_CPU_ENABLED);
			have_xapic = 1;
		}
	}

	blob_put_u8(out, MADT_TYPE_IOAPIC);
	blob_put_u8(out, 12);
	blob_put_u8(out, t->acpi.ioapic_id);
	blob_put_u8(out, 0);
	blob_put_u32(out, t->acpi.ioapic_addr);
	blob_put_u32(out, 0);		/* GSI base */

	put_override(out, 0, 2, 0);
	put_override(out, t->acpi.sci_irq, t->acpi.sci_irq,
		     MPS_ACTIVE_HIGH | MPS_LEVEL);

	if (have_xapic) {
		blob_put_u8(out, MADT_TYPE_LAPIC_NMI);
		blob_put_u8(out, 6);
		blob_put_u8(out, 0xff);		/* all processors */
		blob_put_u16(out, 0);
		blob_put_u8(out, LAPIC_NMI_LINT);
	}
	if (have_x2apic) {
		blob_put_u8(out, MADT_TYPE_X2APIC_NMI);
		blob_put_u8(out, 12);
		blob_put_u16(out, 0);
		blob_put_u32(out, 0xffffffff);	/* all processors */
		blob_put_u8(out, LAPIC_NMI_LINT);
		blob_put_zeros(out, 3);
	}
	return acpi_table_finish(out);
}
