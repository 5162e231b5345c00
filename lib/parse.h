/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing and formatting of values that users type: byte sizes such as
 * "64K", "2G" or "0x1000".  Plain C with no dependencies so that every
 * program (ssihvctl, ssi-vmm) and the host unit tests share one definition.
 */
#ifndef _SSIHV_PARSE_H
#define _SSIHV_PARSE_H

#include <stddef.h>
#include <stdint.h>

enum parse_status {
	PARSE_OK = 0,
	PARSE_EMPTY,		/* "" */
	PARSE_NEGATIVE,		/* "-1" */
	PARSE_NOT_A_NUMBER,	/* no digits where the number should be */
	PARSE_BAD_SUFFIX,	/* digits followed by something unknown */
	PARSE_OVERFLOW,		/* does not fit in 64 bits */
};

/*
 * Parse a byte size: decimal digits or "0x" and hex digits, optionally
 * followed by one binary unit suffix, K, M, G, T, P or E (either case,
 * powers of 1024).  Nothing else is accepted: no blanks, no sign, no
 * fractions.  On success *bytes holds the value; on failure it is left
 * unchanged.
 */
enum parse_status parse_size(const char *text, uint64_t *bytes);

/*
 * Parse a plain number, e.g. an id: decimal digits or "0x" and hex
 * digits, nothing else (no suffix, blank or sign).  Same rules and
 * statuses as parse_size() otherwise; trailing characters give
 * PARSE_BAD_SUFFIX.
 */
enum parse_status parse_u64(const char *text, uint64_t *value);

/* A short English reason for a status, e.g. "too large for 64 bits". */
const char *parse_status_str(enum parse_status status);

/* Longest string format_size() writes, including the terminating NUL. */
#define FORMAT_SIZE_LEN 32

/*
 * Write bytes in human form into buf: "512 B", "64 KiB", "1.5 GiB".  Exact
 * multiples of a unit print without a fraction; other values print one
 * decimal truncated toward zero, so the text never overstates the size.
 * Returns buf.
 */
char *format_size(uint64_t bytes, char *buf, size_t len);

#endif /* _SSIHV_PARSE_H */
