/* SPDX-License-Identifier: GPL-2.0 */
/*
 * table.h - little-endian byte writers and the common ACPI table header,
 * shared by the table builders (not part of the public API).
 */
#ifndef SSI_ACPI_TABLE_H
#define SSI_ACPI_TABLE_H

#include <stdint.h>
#include "ssi_acpi.h"

/* Size of the header every ACPI table except RSDP and FACS starts with. */
#define ACPI_HEADER_LEN		36
#define ACPI_HEADER_LEN_OFF	4
#define ACPI_HEADER_CSUM_OFF	9

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Generic Address Structure address space ids (ACPI 6.3 5.2.3.2). */
#define ACPI_GAS_SYSTEM_IO	1

void blob_put_u8(struct ssi_blob *b, uint8_t v);
void blob_put_u16(struct ssi_blob *b, uint16_t v);
void blob_put_u32(struct ssi_blob *b, uint32_t v);
void blob_put_u64(struct ssi_blob *b, uint64_t v);
void blob_put_bytes(struct ssi_blob *b, const void *p, size_t n);
void blob_put_zeros(struct ssi_blob *b, size_t n);
void blob_put_blob(struct ssi_blob *b, const struct ssi_blob *src);
void blob_patch_u32(struct ssi_blob *b, size_t off, uint32_t v);
/* Generic Address Structure, 12 bytes. */
void blob_put_gas(struct ssi_blob *b, uint8_t space, uint8_t bit_width,
		  uint8_t access_size, uint64_t addr);

/*
 * Start a table: signature, placeholder length and checksum, the given
 * revision and the OEM fields from the topology.  acpi_table_finish()
 * fills length and checksum once the body is written.
 */
void acpi_table_begin(struct ssi_blob *b, const char *sig, uint8_t revision,
		      const struct ssi_acpi_opts *opts);
int acpi_table_finish(struct ssi_blob *b);

#endif /* SSI_ACPI_TABLE_H */
