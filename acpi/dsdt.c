// SPDX-License-Identifier: GPL-2.0
/*
 * dsdt.c - Differentiated System Description Table.
 *
 * Holds what the guest cannot find elsewhere: a processor device
 * (ACPI0007) per vCPU whose _UID matches the MADT's processor UID, the
 * COM1 serial port ssi-vmm emulates, and \_S5 so that the guest can power
 * off through PM1a_CNT (see fadt.c).
 */
#include <stdio.h>

#include "aml.h"
#include "table.h"

/* Revision 2: AML integers are 64-bit. */
#define DSDT_REVISION		2
#define COM1_PORT		0x3f8
#define COM1_IRQ		4

static void put_processor(struct ssi_blob *sb, uint32_t id, uint32_t node)
{
	struct ssi_blob dev = { 0 };
	char name[8];

	snprintf(name, sizeof(name), "C%03X", id & 0xfff);
	aml_name_string_value(&dev, "_HID", "ACPI0007");
	aml_name_integer(&dev, "_UID", id);
	aml_name_integer(&dev, "_PXM", node);
	aml_wrap_device(sb, name, &dev);
	if (dev.failed)
		sb->failed = 1;
	ssi_blob_free(&dev);
}

static void put_com1(struct ssi_blob *sb)
{
	struct ssi_blob dev = { 0 }, res = { 0 }, crs = { 0 }, hid = { 0 };

	aml_res_io(&res, COM1_PORT, 8);
	aml_res_irq_noflags(&res, COM1_IRQ);
	aml_res_end(&res);
	aml_wrap_buffer(&crs, &res);

	aml_eisaid(&hid, "PNP0501");
	aml_name(&dev, "_HID", &hid);
	aml_name_integer(&dev, "_UID", 1);
	aml_name(&dev, "_CRS", &crs);
	aml_wrap_device(sb, "COM1", &dev);
	if (dev.failed || res.failed || crs.failed || hid.failed)
		sb->failed = 1;
	ssi_blob_free(&hid);
	ssi_blob_free(&dev);
	ssi_blob_free(&res);
	ssi_blob_free(&crs);
}

static void put_s5(struct ssi_blob *b)
{
	struct ssi_blob el = { 0 }, pkg = { 0 };

	/* SLP_TYPa, SLP_TYPb, two reserved. */
	aml_integer(&el, SSI_ACPI_S5_SLP_TYP);
	aml_integer(&el, SSI_ACPI_S5_SLP_TYP);
	aml_integer(&el, 0);
	aml_integer(&el, 0);
	aml_wrap_package(&pkg, 4, &el);
	aml_name(b, "\\_S5", &pkg);
	ssi_blob_free(&el);
	ssi_blob_free(&pkg);
}

int ssi_acpi_build_dsdt(const struct ssi_topo *t, struct ssi_blob *out)
{
	struct ssi_blob sb = { 0 };
	uint32_t id;
	int node;

	acpi_table_begin(out, "DSDT", DSDT_REVISION, &t->acpi);
	for (id = 0; id <= SSI_MAX_VCPU_ID; id++) {
		node = ssi_topo_vcpu_node(t, id);
		if (node >= 0)
			put_processor(&sb, id, (uint32_t)node);
	}
	if (t->acpi.serial)
		put_com1(&sb);
	aml_wrap_scope(out, "\\_SB", &sb);
	put_s5(out);
	if (sb.failed)
		out->failed = 1;
	ssi_blob_free(&sb);
	return acpi_table_finish(out);
}
