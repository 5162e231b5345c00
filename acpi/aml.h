/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aml.h - the few AML encodings the DSDT needs (ACPI 6.3 chapter 20).
 *
 * Containers (Scope, Device, Package, Buffer) are built bottom-up: the
 * body goes into its own blob, then aml_wrap_*() appends opcode, PkgLength
 * and body to the parent, because PkgLength's size depends on the body's.
 */
#ifndef SSI_ACPI_AML_H
#define SSI_ACPI_AML_H

#include "ssi_acpi.h"

/* NameString: "\\_SB_", "_HID" or "C000"; segments are 4 chars, '.'-joined. */
void aml_name_string(struct ssi_blob *b, const char *name);
void aml_integer(struct ssi_blob *b, uint64_t v);
void aml_string(struct ssi_blob *b, const char *s);
/* EISA id "PNP0501" compressed into a DWord. */
void aml_eisaid(struct ssi_blob *b, const char *id);
/* Name (NAME, <data>) where data was already encoded into value. */
void aml_name(struct ssi_blob *b, const char *name,
	      const struct ssi_blob *value);
void aml_name_integer(struct ssi_blob *b, const char *name, uint64_t v);
void aml_name_string_value(struct ssi_blob *b, const char *name,
			   const char *s);

void aml_wrap_scope(struct ssi_blob *b, const char *name,
		    const struct ssi_blob *body);
void aml_wrap_device(struct ssi_blob *b, const char *name,
		     const struct ssi_blob *body);
void aml_wrap_package(struct ssi_blob *b, uint8_t nr_elements,
		      const struct ssi_blob *elements);
void aml_wrap_buffer(struct ssi_blob *b, const struct ssi_blob *bytes);

/* Resource descriptors for _CRS buffers (ACPI 6.3 6.4). */
void aml_res_io(struct ssi_blob *b, uint16_t base, uint8_t len);
void aml_res_irq_noflags(struct ssi_blob *b, uint8_t irq);
void aml_res_end(struct ssi_blob *b);
/* Address space descriptors a bridge produces: bus numbers, I/O, memory. */
void aml_res_word_bus(struct ssi_blob *b, uint16_t min, uint16_t max);
void aml_res_word_io(struct ssi_blob *b, uint16_t min, uint16_t max);
void aml_res_dword_memory(struct ssi_blob *b, uint32_t min, uint32_t max);

#endif /* SSI_ACPI_AML_H */
