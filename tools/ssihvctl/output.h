/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of ssihvctl: commands describe records field by field once, and
 * this module renders them as aligned "label: value" text or as JSON
 * (json-c), so every command gets both formats for free.
 *
 * A command prints either one record (a JSON object) or a list of records
 * (a JSON array, one text block per record separated by blank lines, or,
 * with out_table_begin(), one text table row per record):
 *
 *	out_begin(false);
 *	out_record_begin();
 *	out_u64("page_size", "page size", 4096);
 *	out_record_end();
 *	return out_end();
 *
 * Inside a record, out_list_begin() starts a nested list of records (a
 * JSON array of objects; in text, a heading and an indented table) and
 * out_group_begin() a nested group of fields (a JSON object; in text, a
 * heading and indented "label: value" lines).  Nesting is one level deep.
 */
#ifndef _SSIHVCTL_OUTPUT_H
#define _SSIHVCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start output; list selects a JSON array of records. */
void out_begin(bool list);
/* Start a list whose text form is one table, one row per record. */
void out_table_begin(void);
void out_record_begin(void);
void out_record_end(void);

/*
 * Fields.  key is the stable snake_case JSON name; label is the text
 * shown to people (and a table's column heading).
 */
void out_str(const char *key, const char *label, const char *value);
void out_u64(const char *key, const char *label, uint64_t value);
void out_s64(const char *key, const char *label, int64_t value);
/* true/false in JSON, "yes"/"no" in text. */
void out_bool(const char *key, const char *label, bool value);
/* An address: a number in JSON, "0x..." in text. */
void out_hex(const char *key, const char *label, uint64_t value);
/* A byte count: a number in JSON, "BYTES (HUMAN)" in text. */
void out_size(const char *key, const char *label, uint64_t bytes);
/* A number in JSON shown as text in text output (e.g. "3 (12 KiB)"). */
void out_u64_text(const char *key, const char *label, uint64_t value,
		  const char *text);
/* null in JSON, text (e.g. "-") in text output. */
void out_null(const char *key, const char *label, const char *text);
/* An array of numbers; JSON only. */
void out_u64_array(const char *key, const uint64_t *values, size_t n);
/* A "label: value" line; text only.  Both are copied. */
void out_text(const char *label, const char *value);

/* Nested list of records inside a record (see above). */
void out_list_begin(const char *key, const char *label);
void out_list_end(void);
/* Nested group of fields inside a record (see above). */
void out_group_begin(const char *key, const char *label);
void out_group_end(void);

/* Print what was collected; returns an exit status. */
int out_end(void);

#endif /* _SSIHVCTL_OUTPUT_H */
