/* SPDX-License-Identifier: GPL-2.0 */
/*
 * value.h - parsing of the values a topology file holds: numbers with
 * binary size suffixes, id lists such as "0-3,8", and yes/no.
 */
#ifndef SSI_ACPI_VALUE_H
#define SSI_ACPI_VALUE_H

#include <stdint.h>

/* "4096", "0x1000", "512M", "1G", "2T"; returns 0 or -1. */
int value_u64(const char *s, uint64_t *out);
/* Next token of a list separated by commas and/or blanks; NULL at end. */
const char *value_token(const char *s, char *tok, unsigned int toklen);
/* "yes"/"no"/"true"/"false"/"1"/"0"; returns 0/1, or -1. */
int value_bool(const char *s);
/* "a-b" or "a": returns 0 and the inclusive range, or -1. */
int value_id_range(const char *tok, uint64_t *lo, uint64_t *hi);
/* Pretty-print a size in the largest exact binary unit, e.g. "512M". */
const char *value_size_str(uint64_t v, char *buf, unsigned int len);

#endif /* SSI_ACPI_VALUE_H */
