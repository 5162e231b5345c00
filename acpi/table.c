// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - byte writers, table header and checksum.
 *
 * Tables are written byte by byte in little-endian order rather than
 * through packed structs so the encoding does not depend on the host's
 * byte order or on compiler packing rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* Creator fields: who wrote the table (us), not whom it describes. */
#define SSI_CREATOR_ID		"SSIH"
#define SSI_CREATOR_REVISION	1
#define SSI_OEM_REVISION	1

static int blob_grow(struct ssi_blob *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (b->failed)
		return -1;
	if (b->len + n <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->failed = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void blob_put_bytes(struct ssi_blob *b, const void *p, size_t n)
{
	if (blob_grow(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void blob_put_zeros(struct ssi_blob *b, size_t n)
{
	if (blob_grow(b, n))
		return;
	memset(b->data + b->len, 0, n);
	b->len += n;
}

void blob_put_blob(struct ssi_blob *b, const struct ssi_blob *src)
{
	if (src->failed) {
		b->failed = 1;
		return;
	}
	blob_put_bytes(b, src->data, src->len);
}

static void blob_put_le(struct ssi_blob *b, uint64_t v, unsigned int n)
{
	unsigned int i;

	if (blob_grow(b, n))
		return;
	for (i = 0; i < n; i++)
		b->data[b->len++] = (uint8_t)(v >> (8 * i));
}

void blob_put_u8(struct ssi_blob *b, uint8_t v)
{
	blob_put_le(b, v, 1);
}

void blob_put_u16(struct ssi_blob *b, uint16_t v)
{
	blob_put_le(b, v, 2);
}

void blob_put_u32(struct ssi_blob *b, uint32_t v)
{
	blob_put_le(b, v, 4);
}

void blob_put_u64(struct ssi_blob *b, uint64_t v)
{
	blob_put_le(b, v, 8);
}

void blob_patch_u32(struct ssi_blob *b, size_t off, uint32_t v)
{
	unsigned int i;

	if (b->failed || off + 4 > b->len)
		return;
	for (i = 0; i < 4; i++)
		b->data[off + i] = (uint8_t)(v >> (8 * i));
}

void blob_put_gas(struct ssi_blob *b, uint8_t space, uint8_t bit_width,
		  uint8_t access_size, uint64_t addr)
{
	blob_put_u8(b, space);
	blob_put_u8(b, bit_width);
	blob_put_u8(b, 0);		/* bit offset */
	blob_put_u8(b, access_size);
	blob_put_u64(b, addr);
}

void ssi_blob_free(struct ssi_blob *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

uint8_t ssi_acpi_sum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

void acpi_table_begin(struct ssi_blob *b, const char *sig, uint8_t revision,
		      const struct ssi_acpi_opts *opts)
{
	blob_put_bytes(b, sig, 4);
	blob_put_u32(b, 0);		/* length, patched by finish */
	blob_put_u8(b, revision);
	blob_put_u8(b, 0);		/* checksum, patched by finish */
	blob_put_bytes(b, opts->oem_id, 6);
	blob_put_bytes(b, opts->oem_table_id, 8);
	blob_put_u32(b, SSI_OEM_REVISION);
	blob_put_bytes(b, SSI_CREATOR_ID, 4);
	blob_put_u32(b, SSI_CREATOR_REVISION);
}

int acpi_table_finish(struct ssi_blob *b)
{
	if (b->failed)
		return -ENOMEM;
	if (b->len < ACPI_HEADER_LEN || b->len > UINT32_MAX)
		return -EINVAL;
	blob_patch_u32(b, ACPI_HEADER_LEN_OFF, (uint32_t)b->len);
	b->data[ACPI_HEADER_CSUM_OFF] = 0;
	b->data[ACPI_HEADER_CSUM_OFF] = (uint8_t)-ssi_acpi_sum(b->data,
							       b->len);
	return 0;
}
