/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output of ssihvctl: commands describe records field by field once, and
 * this module renders them as aligned "label: value" text or as JSON
 * (json-c), so every command gets both formats for free.
 *
 * A command prints either one record (a JSON object) or a list of records
 * (a JSON array, one text block per record separated by blank lines):
 *
 *	out_begin(false);
 *	out_record_begin();
 *	out_u64("page_size", "page size", 4096);
 *	out_record_end();
 *	return out_end();
 */
#ifndef _SSIHVCTL_OUTPUT_H
#define _SSIHVCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>

/* Start output; list selects a JSON array of records. */
void out_begin(bool list);
void out_record_begin(void);
void out_record_end(void);

/*
 * Fields.  key is the stable snake_case JSON name; label is the text
 * shown to people.
 */
void out_str(const char *key, const char *label, const char *value);
void out_u64(const char *key, const char *label, uint64_t value);
/* A byte count: a number in JSON, "BYTES (HUMAN)" in text. */
void out_size(const char *key, const char *label, uint64_t bytes);

/* Print what was collected; returns an exit status. */
int out_end(void);

#endif /* _SSIHVCTL_OUTPUT_H */
