// SPDX-License-Identifier: GPL-2.0
/*
 * aml.c - a tiny AML encoder, only what dsdt.c uses.
 */
#include <string.h>

#include "aml.h"
#include "table.h"

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_BUFFER_OP		0x11
#define AML_PACKAGE_OP		0x12
#define AML_DUAL_NAME_PREFIX	0x2e
#define AML_MULTI_NAME_PREFIX	0x2f
#define AML_ROOT_CHAR		'\\'
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82
#define AML_ONES_OP		0xff

/* Small resource descriptor tags: type(6:3) | length(2:0). */
#define RES_IRQ_NOFLAGS		0x22
#define RES_IO			0x47
#define RES_END			0x79
#define RES_IO_DECODE16		0x01

static void name_seg(struct ssi_blob *b, const char *seg, size_t n)
{
	char buf[4] = { '_', '_', '_', '_' };

	/* Short segments are padded with '_' as ASL does. */
	memcpy(buf, seg, n > 4 ? 4 : n);
	blob_put_bytes(b, buf, 4);
}

void aml_name_string(struct ssi_blob *b, const char *name)
{
	const char *p = name, *dot;
	unsigned int nsegs = 1;

	if (*p == '\\') {
		blob_put_u8(b, AML_ROOT_CHAR);
		p++;
	}
	for (dot = p; *dot; dot++)
		if (*dot == '.')
			nsegs++;
	if (!*p) {
		blob_put_u8(b, 0);	/* NullName */
		return;
	}
	if (nsegs == 2) {
		blob_put_u8(b, AML_DUAL_NAME_PREFIX);
	} else if (nsegs > 2) {
		blob_put_u8(b, AML_MULTI_NAME_PREFIX);
		blob_put_u8(b, (uint8_t)nsegs);
	}
	while (*p) {
		dot = strchr(p, '.');
		if (!dot)
			dot = p + strlen(p);
		name_seg(b, p, (size_t)(dot - p));
		p = *dot ? dot + 1 : dot;
	}
}

void aml_integer(struct ssi_blob *b, uint64_t v)
{
	if (v == 0) {
		blob_put_u8(b, AML_ZERO_OP);
	} else if (v == 1) {
		blob_put_u8(b, AML_ONE_OP);
	} else if (v <= UINT8_MAX) {
		blob_put_u8(b, AML_BYTE_PREFIX);
		blob_put_u8(b, (uint8_t)v);
	} else if (v <= UINT16_MAX) {
		blob_put_u8(b, AML_WORD_PREFIX);
		blob_put_u16(b, (uint16_t)v);
	} else if (v <= UINT32_MAX) {
		blob_put_u8(b, AML_DWORD_PREFIX);
		blob_put_u32(b, (uint32_t)v);
	} else {
		blob_put_u8(b, AML_QWORD_PREFIX);
		blob_put_u64(b, v);
	}
}

void aml_string(struct ssi_blob *b, const char *s)
{
	blob_put_u8(b, AML_STRING_PREFIX);
	blob_put_bytes(b, s, strlen(s) + 1);
}

static unsigned int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'A' && c <= 'F')
		return (unsigned int)(c - 'A' + 10);
	if (c >= 'a' && c <= 'f')
		return (unsigned int)(c - 'a' + 10);
	return 0;
}

/*
 * Three letters of 5 bits each (A = 1) and four hex digits, stored with
 * the bytes of the 32-bit value in big-endian order.
 */
void aml_eisaid(struct ssi_blob *b, const char *id)
{
	uint32_t v;

	v = ((uint32_t)(id[0] - '@') & 0x1f) << 26 |
	    ((uint32_t)(id[1] - '@') & 0x1f) << 21 |
	    ((uint32_t)(id[2] - '@') & 0x1f) << 16 |
	    hexval(id[3]) << 12 | hexval(id[4]) << 8 |
	    hexval(id[5]) << 4 | hexval(id[6]);
	blob_put_u8(b, AML_DWORD_PREFIX);
	blob_put_u8(b, (uint8_t)(v >> 24));
	blob_put_u8(b, (uint8_t)(v >> 16));
	blob_put_u8(b, (uint8_t)(v >> 8));
	blob_put_u8(b, (uint8_t)v);
}

void aml_name(struct ssi_blob *b, const char *name,
	      const struct ssi_blob *value)
{
	blob_put_u8(b, AML_NAME_OP);
	aml_name_string(b, name);
	blob_put_blob(b, value);
}

void aml_name_integer(struct ssi_blob *b, const char *name, uint64_t v)
{
	blob_put_u8(b, AML_NAME_OP);
	aml_name_string(b, name);
	aml_integer(b, v);
}

void aml_name_string_value(struct ssi_blob *b, const char *name,
			   const char *s)
{
	blob_put_u8(b, AML_NAME_OP);
	aml_name_string(b, name);
	aml_string(b, s);
}

/*
 * PkgLength counts itself.  One byte holds up to 63; otherwise the first
 * byte's bits 7:6 give the number of following bytes, its bits 3:0 the low
 * nibble, and each following byte 8 more bits.
 */
static void aml_pkg_length(struct ssi_blob *b, size_t body_len)
{
	size_t total;
	unsigned int extra, i;

	if (body_len + 1 <= 0x3f) {
		blob_put_u8(b, (uint8_t)(body_len + 1));
		return;
	}
	for (extra = 1; extra <= 3; extra++) {
		total = body_len + 1 + extra;
		if (total < (size_t)1 << (4 + 8 * extra))
			break;
	}
	if (extra > 3) {
		b->failed = 1;	/* larger than AML can express */
		return;
	}
	blob_put_u8(b, (uint8_t)(extra << 6 | (total & 0xf)));
	for (i = 0; i < extra; i++)
		blob_put_u8(b, (uint8_t)(total >> (4 + 8 * i)));
}

static void wrap(struct ssi_blob *b, const uint8_t *op, size_t oplen,
		 const char *name, const struct ssi_blob *body)
{
	struct ssi_blob head = { 0 };

	if (name)
		aml_name_string(&head, name);
	blob_put_bytes(b, op, oplen);
	aml_pkg_length(b, head.len + body->len);
	blob_put_blob(b, &head);
	blob_put_blob(b, body);
	if (head.failed)
		b->failed = 1;
	ssi_blob_free(&head);
}

void aml_wrap_scope(struct ssi_blob *b, const char *name,
		    const struct ssi_blob *body)
{
	static const uint8_t op[] = { AML_SCOPE_OP };

	wrap(b, op, sizeof(op), name, body);
}

void aml_wrap_device(struct ssi_blob *b, const char *name,
		     const struct ssi_blob *body)
{
	static const uint8_t op[] = { AML_EXT_OP_PREFIX, AML_DEVICE_OP };

	wrap(b, op, sizeof(op), name, body);
}

void aml_wrap_package(struct ssi_blob *b, uint8_t nr_elements,
		      const struct ssi_blob *elements)
{
	static const uint8_t op[] = { AML_PACKAGE_OP };
	struct ssi_blob body = { 0 };

	blob_put_u8(&body, nr_elements);
	blob_put_blob(&body, elements);
	wrap(b, op, sizeof(op), NULL, &body);
	ssi_blob_free(&body);
}

void aml_wrap_buffer(struct ssi_blob *b, const struct ssi_blob *bytes)
{
	static const uint8_t op[] = { AML_BUFFER_OP };
	struct ssi_blob body = { 0 };

	aml_integer(&body, bytes->len);
	blob_put_blob(&body, bytes);
	wrap(b, op, sizeof(op), NULL, &body);
	ssi_blob_free(&body);
}

void aml_res_io(struct ssi_blob *b, uint16_t base, uint8_t len)
{
	blob_put_u8(b, RES_IO);
	blob_put_u8(b, RES_IO_DECODE16);
	blob_put_u16(b, base);		/* minimum */
	blob_put_u16(b, base);		/* maximum */
	blob_put_u8(b, 1);		/* alignment */
	blob_put_u8(b, len);
}

void aml_res_irq_noflags(struct ssi_blob *b, uint8_t irq)
{
	blob_put_u8(b, RES_IRQ_NOFLAGS);
	blob_put_u16(b, (uint16_t)(1u << irq));
}

/*
 * Large address space descriptors (ACPI 6.3 6.4.3.5): the bridge produces
 * a fixed range (MinFixed, MaxFixed, positive decode).
 */
#define RES_DWORD_ADDRESS	0x87
#define RES_WORD_ADDRESS	0x88
#define RES_SPACE_MEMORY	0
#define RES_SPACE_IO		1
#define RES_SPACE_BUS		2
#define RES_PRODUCER_FIXED	0x0c	/* MinFixed | MaxFixed, producer */
#define RES_IO_ENTIRE_RANGE	0x03
#define RES_MEM_READ_WRITE	0x01	/* non-cacheable, read/write */

static void word_address(struct ssi_blob *b, uint8_t space, uint8_t flags,
			 uint16_t min, uint16_t max)
{
	blob_put_u8(b, RES_WORD_ADDRESS);
	blob_put_u16(b, 13);			/* length after this field */
	blob_put_u8(b, space);
	blob_put_u8(b, RES_PRODUCER_FIXED);
	blob_put_u8(b, flags);
	blob_put_u16(b, 0);			/* granularity */
	blob_put_u16(b, min);
	blob_put_u16(b, max);
	blob_put_u16(b, 0);			/* translation offset */
	blob_put_u16(b, (uint16_t)(max - min + 1));
}

void aml_res_word_bus(struct ssi_blob *b, uint16_t min, uint16_t max)
{
	word_address(b, RES_SPACE_BUS, 0, min, max);
}

void aml_res_word_io(struct ssi_blob *b, uint16_t min, uint16_t max)
{
	word_address(b, RES_SPACE_IO, RES_IO_ENTIRE_RANGE, min, max);
}

void aml_res_dword_memory(struct ssi_blob *b, uint32_t min, uint32_t max)
{
	blob_put_u8(b, RES_DWORD_ADDRESS);
	blob_put_u16(b, 23);			/* length after this field */
	blob_put_u8(b, RES_SPACE_MEMORY);
	blob_put_u8(b, RES_PRODUCER_FIXED);
	blob_put_u8(b, RES_MEM_READ_WRITE);
	blob_put_u32(b, 0);			/* granularity */
	blob_put_u32(b, min);
	blob_put_u32(b, max);
	blob_put_u32(b, 0);			/* translation offset */
	blob_put_u32(b, max - min + 1);
}

/* Checksum 0 means "the template is valid" (ACPI 6.3 6.4.2.9). */
void aml_res_end(struct ssi_blob *b)
{
	blob_put_u8(b, RES_END);
	blob_put_u8(b, 0);
}
