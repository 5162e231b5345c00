// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing and formatting of user-typed values; see parse.h.
 */
#include <stdbool.h>
#include <stdio.h>

#include "parse.h"

#define ARRAY_SIZE(array) (sizeof(array) / sizeof((array)[0]))

/* Value of a digit in the given base, or -1 if it is not one. */
static int digit_value(char c, unsigned int base)
{
	int value;

	if (c >= '0' && c <= '9')
		value = c - '0';
	else if (c >= 'a' && c <= 'f')
		value = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		value = c - 'A' + 10;
	else
		return -1;
	return value < (int)base ? value : -1;
}

/* log2 of the multiplier a unit suffix stands for, or -1 if unknown. */
static int suffix_shift(char c)
{
	switch (c) {
	case 'k': case 'K':
		return 10;
	case 'm': case 'M':
		return 20;
	case 'g': case 'G':
		return 30;
	case 't': case 'T':
		return 40;
	case 'p': case 'P':
		return 50;
	case 'e': case 'E':
		return 60;
	}
	return -1;
}

static enum parse_status parse_number(const char *text, uint64_t *bytes,
				      bool suffix)
{
	const char *pos = text;
	unsigned int base = 10;
	uint64_t value = 0;
	bool have_digit = false;
	int digit, shift;

	if (!text || !*text)
		return PARSE_EMPTY;
	if (*pos == '-')
		return PARSE_NEGATIVE;
	if (pos[0] == '0' && (pos[1] == 'x' || pos[1] == 'X')) {
		base = 16;
		pos += 2;
	}

	/*
	 * Our own loop rather than strtoull(): strtoull() skips blanks,
	 * accepts a sign and silently negates "-1" into a huge value.
	 */
	for (; (digit = digit_value(*pos, base)) >= 0; pos++) {
		if (value > (UINT64_MAX - digit) / base)
			return PARSE_OVERFLOW;
		value = value * base + digit;
		have_digit = true;
	}
	if (!have_digit)
		return PARSE_NOT_A_NUMBER;

	if (*pos) {
		if (!suffix)
			return PARSE_BAD_SUFFIX;
		shift = suffix_shift(*pos);
		if (shift < 0 || pos[1])
			return PARSE_BAD_SUFFIX;
		if (value > UINT64_MAX >> shift)
			return PARSE_OVERFLOW;
		value <<= shift;
	}

	*bytes = value;
	return PARSE_OK;
}

enum parse_status parse_size(const char *text, uint64_t *bytes)
{
	return parse_number(text, bytes, true);
}

enum parse_status parse_u64(const char *text, uint64_t *value)
{
	return parse_number(text, value, false);
}

const char *parse_status_str(enum parse_status status)
{
	switch (status) {
	case PARSE_OK:
		return "no error";
	case PARSE_EMPTY:
		return "empty value";
	case PARSE_NEGATIVE:
		return "negative sizes are not allowed";
	case PARSE_NOT_A_NUMBER:
		return "not a number";
	case PARSE_BAD_SUFFIX:
		return "unknown unit suffix (use K, M, G, T, P or E)";
	case PARSE_OVERFLOW:
		return "too large for 64 bits";
	}
	return "unknown parse error";
}

char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int unit = 0;
	uint64_t whole, rest;

	while (unit + 1 < ARRAY_SIZE(units) &&
	       bytes >> (10 * (unit + 1)))
		unit++;

	whole = bytes >> (10 * unit);
	rest = bytes & ((1ULL << (10 * unit)) - 1);
	if (!rest) {
		snprintf(buf, len, "%llu %s", (unsigned long long)whole,
			 units[unit]);
	} else {
		/* rest < 2^60, so rest * 10 cannot overflow. */
		snprintf(buf, len, "%llu.%llu %s", (unsigned long long)whole,
			 (unsigned long long)((rest * 10) >> (10 * unit)),
			 units[unit]);
	}
	return buf;
}
