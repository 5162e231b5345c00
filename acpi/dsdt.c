// SPDX-License-Identifier: GPL-2.0
/*
 * dsdt.c - Differentiated System Description Table.
 *
 * Holds what the guest cannot find elsewhere: a processor device
 * (ACPI0007) per vCPU whose _UID matches the MADT's processor UID, the
 * COM1 serial port ssi-vmm emulates, the PCI host bridge without which an
 * ACPI kernel does not scan PCI at all, and \_S5 so that the guest can
 * power off through PM1a_CNT (see fadt.c).
 */
#include <stdio.h>

#include "aml.h"
#include "table.h"

/* Revision 2: AML integers are 64-bit. */
#define DSDT_REVISION		2
#define COM1_PORT		0x3f8
#define COM1_IRQ		4
/* PCI configuration mechanism #1: CONFIG_ADDRESS 0xcf8, CONFIG_DATA 0xcfc */
#define PCI_CONFIG_PORT		0xcf8
#define PCI_CONFIG_LEN		8

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

/*
 * Bus 0..255 behind the configuration ports; it forwards every I/O port
 * except those ports, and the memory window the topology names.
 */
static void put_pci_root(struct ssi_blob *sb, const struct ssi_topo *t)
{
	const struct ssi_acpi_opts *o = &t->acpi;
	struct ssi_blob dev = { 0 }, res = { 0 }, crs = { 0 }, hid = { 0 };

	aml_res_word_bus(&res, 0, 0xff);
	aml_res_io(&res, PCI_CONFIG_PORT, PCI_CONFIG_LEN);
	aml_res_word_io(&res, 0, PCI_CONFIG_PORT - 1);
	aml_res_word_io(&res, PCI_CONFIG_PORT + PCI_CONFIG_LEN, 0xffff);
	aml_res_dword_memory(&res, o->pci_mmio_base,
			     o->pci_mmio_base + o->pci_mmio_size - 1);
	aml_res_end(&res);
	aml_wrap_buffer(&crs, &res);

	aml_eisaid(&hid, "PNP0A03");
	aml_name(&dev, "_HID", &hid);
	aml_name_integer(&dev, "_UID", 0);
	aml_name_integer(&dev, "_SEG", 0);
	aml_name_integer(&dev, "_BBN", 0);
	/* The devices live on the boot node, the one with vCPU 0. */
	aml_name_integer(&dev, "_PXM", (uint64_t)ssi_topo_vcpu_node(t, 0));
	aml_name(&dev, "_CRS", &crs);
	aml_wrap_device(sb, "PCI0", &dev);
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
	aml_name(b, "_S5", &pkg);
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
	if (t->acpi.pci)
		put_pci_root(&sb, t);
	aml_wrap_scope(out, "_SB", &sb);
	put_s5(out);
	if (sb.failed)
		out->failed = 1;
	ssi_blob_free(&sb);
	return acpi_table_finish(out);
}
