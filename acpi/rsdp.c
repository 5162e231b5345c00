// SPDX-License-Identifier: GPL-2.0
/*
 * rsdp.c - Root System Description Pointer (ACPI 2.0+ form, 36 bytes) and
 * the XSDT it points to.  No RSDT: every OS that reads SRAT/HMAT also
 * reads the XSDT, and 64-bit pointers let the VMM put tables anywhere.
 */
#include <errno.h>

#include "table.h"

#define RSDP_REVISION		2
#define RSDP_LEN		36
#define RSDP_V1_LEN		20
#define RSDP_CSUM_OFF		8
#define RSDP_EXT_CSUM_OFF	32
#define XSDT_REVISION		1

int ssi_acpi_build_rsdp(const struct ssi_topo *t, uint64_t xsdt_addr,
			struct ssi_blob *out)
{
	blob_put_bytes(out, "RSD PTR ", 8);
	blob_put_u8(out, 0);		/* checksum of the first 20 bytes */
	blob_put_bytes(out, t->acpi.oem_id, 6);
	blob_put_u8(out, RSDP_REVISION);
	blob_put_u32(out, 0);		/* RSDT address: none */
	blob_put_u32(out, RSDP_LEN);
	blob_put_u64(out, xsdt_addr);
	blob_put_u8(out, 0);		/* checksum of all 36 bytes */
	blob_put_zeros(out, 3);
	if (out->failed)
		return -ENOMEM;
	out->data[RSDP_CSUM_OFF] = (uint8_t)-ssi_acpi_sum(out->data,
							  RSDP_V1_LEN);
	out->data[RSDP_EXT_CSUM_OFF] = (uint8_t)-ssi_acpi_sum(out->data,
							      RSDP_LEN);
	return 0;
}

int ssi_acpi_build_xsdt(const struct ssi_topo *t, const uint64_t *addrs,
			unsigned int nr, struct ssi_blob *out)
{
	unsigned int i;

	acpi_table_begin(out, "XSDT", XSDT_REVISION, &t->acpi);
	for (i = 0; i < nr; i++)
		blob_put_u64(out, addrs[i]);
	return acpi_table_finish(out);
}
