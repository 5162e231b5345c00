// SPDX-License-Identifier: GPL-2.0
/*
 * value.c - value parsers for the topology file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "value.h"

int value_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	}
	if (shift) {
		end++;
		if (v > (UINT64_MAX >> shift))
			return -1;
		v <<= shift;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

const char *value_token(const char *s, char *tok, unsigned int toklen)
{
	unsigned int n = 0;

	while (*s == ',' || isspace((unsigned char)*s))
		s++;
	/* libinih leaves "; comment" on continuation lines: stop there. */
	if (!*s || *s == ';')
		return NULL;
	while (*s && *s != ',' && !isspace((unsigned char)*s)) {
		if (n + 1 < toklen)
			tok[n++] = *s;
		s++;
	}
	tok[n] = '\0';
	return s;
}

int value_bool(const char *s)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
	    !strcmp(s, "1") || !strcasecmp(s, "on"))
		return 1;
	if (!strcasecmp(s, "no") || !strcasecmp(s, "false") ||
	    !strcmp(s, "0") || !strcasecmp(s, "off"))
		return 0;
	return -1;
}

int value_id_range(const char *tok, uint64_t *lo, uint64_t *hi)
{
	char buf[64];
	char *dash;

	if (strlen(tok) >= sizeof(buf))
		return -1;
	strcpy(buf, tok);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (value_u64(buf, lo))
		return -1;
	if (!dash) {
		*hi = *lo;
		return 0;
	}
	if (value_u64(dash + 1, hi) || *hi < *lo)
		return -1;
	return 0;
}

const char *value_size_str(uint64_t v, char *buf, unsigned int len)
{
	static const char units[] = "KMGT";
	int i;

	for (i = 3; i >= 0; i--) {
		uint64_t unit = 1ull << (10 * (i + 1));

		if (v && v % unit == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(v / unit), units[i]);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}
