// SPDX-License-Identifier: GPL-2.0
/*
 * build.c - lay out a complete, linked set of tables in guest-physical
 * memory: RSDP at its own address, then DSDT, FACS, MADT, SRAT, SLIT,
 * HMAT, FADT and XSDT one after another from tables_addr.
 */
#include <errno.h>
#include <string.h>

#include "table.h"

/* FACS must be 64-byte aligned; the others only need natural alignment. */
#define FACS_ALIGN	64
#define TABLE_ALIGN	16

static const char *const table_files[SSI_ACPI_NR_TABLES] = {
	[SSI_ACPI_RSDP] = "rsdp.dat",
	[SSI_ACPI_XSDT] = "xsdt.dat",
	[SSI_ACPI_FADT] = "facp.dat",
	[SSI_ACPI_FACS] = "facs.dat",
	[SSI_ACPI_DSDT] = "dsdt.aml",
	[SSI_ACPI_MADT] = "apic.dat",
	[SSI_ACPI_SRAT] = "srat.dat",
	[SSI_ACPI_SLIT] = "slit.dat",
	[SSI_ACPI_HMAT] = "hmat.dat",
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint64_t place(struct ssi_acpi_tables *out, enum ssi_acpi_table_id id,
		      uint64_t cursor, uint64_t align)
{
	out->t[id].addr = align_up(cursor, align);
	return out->t[id].addr + out->t[id].blob.len;
}

int ssi_acpi_build_all(const struct ssi_topo *t, uint64_t rsdp_addr,
		       uint64_t tables_addr, struct ssi_acpi_tables *out)
{
	/* Order of XSDT entries; FACS and DSDT hang off the FADT. */
	static const enum ssi_acpi_table_id xsdt_order[] = {
		SSI_ACPI_FADT, SSI_ACPI_MADT, SSI_ACPI_SRAT,
		SSI_ACPI_SLIT, SSI_ACPI_HMAT,
	};
	uint64_t addrs[5];
	uint64_t cur = tables_addr;
	unsigned int i;
	int ret;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < SSI_ACPI_NR_TABLES; i++)
		out->t[i].file = table_files[i];

	ret = ssi_acpi_build_dsdt(t, &out->t[SSI_ACPI_DSDT].blob);
	if (!ret)
		ret = ssi_acpi_build_facs(&out->t[SSI_ACPI_FACS].blob);
	if (!ret)
		ret = ssi_acpi_build_madt(t, &out->t[SSI_ACPI_MADT].blob);
	if (!ret)
		ret = ssi_acpi_build_srat(t, &out->t[SSI_ACPI_SRAT].blob);
	if (!ret)
		ret = ssi_acpi_build_slit(t, &out->t[SSI_ACPI_SLIT].blob);
	if (!ret)
		ret = ssi_acpi_build_hmat(t, &out->t[SSI_ACPI_HMAT].blob);
	if (ret)
		goto fail;

	cur = place(out, SSI_ACPI_DSDT, cur, TABLE_ALIGN);
	cur = place(out, SSI_ACPI_FACS, cur, FACS_ALIGN);
	cur = place(out, SSI_ACPI_MADT, cur, TABLE_ALIGN);
	cur = place(out, SSI_ACPI_SRAT, cur, TABLE_ALIGN);
	cur = place(out, SSI_ACPI_SLIT, cur, TABLE_ALIGN);
	cur = place(out, SSI_ACPI_HMAT, cur, TABLE_ALIGN);

	ret = ssi_acpi_build_fadt(t, out->t[SSI_ACPI_FACS].addr,
				  out->t[SSI_ACPI_DSDT].addr,
				  &out->t[SSI_ACPI_FADT].blob);
	if (ret)
		goto fail;
	cur = place(out, SSI_ACPI_FADT, cur, TABLE_ALIGN);

	for (i = 0; i < ARRAY_SIZE(xsdt_order); i++)
		addrs[i] = out->t[xsdt_order[i]].addr;
	ret = ssi_acpi_build_xsdt(t, addrs, i, &out->t[SSI_ACPI_XSDT].blob);
	if (ret)
		goto fail;
	cur = place(out, SSI_ACPI_XSDT, cur, TABLE_ALIGN);

	ret = ssi_acpi_build_rsdp(t, out->t[SSI_ACPI_XSDT].addr,
				  &out->t[SSI_ACPI_RSDP].blob);
	if (ret)
		goto fail;
	out->t[SSI_ACPI_RSDP].addr = rsdp_addr;
	out->end = cur;
	/* The RSDP must not land on the other tables. */
	if (rsdp_addr + out->t[SSI_ACPI_RSDP].blob.len > tables_addr &&
	    rsdp_addr < cur) {
		ret = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	ssi_acpi_tables_free(out);
	return ret;
}

void ssi_acpi_tables_free(struct ssi_acpi_tables *tables)
{
	unsigned int i;

	for (i = 0; i < SSI_ACPI_NR_TABLES; i++)
		ssi_blob_free(&tables->t[i].blob);
}
