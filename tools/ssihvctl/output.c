// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON rendering of command output; see output.h.
 *
 * Text fields are collected per record and printed when the record ends
 * so that the values line up in one column.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

/* Enough for every record we print; more fields are a programming bug. */
#define MAX_FIELDS 32
#define MAX_VALUE_LEN 128

struct text_field {
	const char *label;
	char value[MAX_VALUE_LEN];
};

static struct {
	bool list;
	unsigned int records;		/* records finished so far */
	json_object *root;		/* array (list) or the one object */
	json_object *record;		/* JSON record being filled */
	struct text_field fields[MAX_FIELDS];
	unsigned int nr_fields;
	bool out_of_memory;
} out;

void out_begin(bool list)
{
	memset(&out, 0, sizeof(out));
	out.list = list;
	if (global_opts.json && list) {
		out.root = json_object_new_array();
		out.out_of_memory = !out.root;
	}
}

void out_record_begin(void)
{
	out.nr_fields = 0;
	if (global_opts.json) {
		out.record = json_object_new_object();
		if (!out.record)
			out.out_of_memory = true;
	}
}

static void add_json(const char *key, json_object *value)
{
	if (!value || !out.record ||
	    json_object_object_add(out.record, key, value)) {
		json_object_put(value);
		out.out_of_memory = true;
	}
}

static struct text_field *add_text(const char *label)
{
	struct text_field *field;

	if (out.nr_fields == MAX_FIELDS) {
		fprintf(stderr, "ssihvctl: BUG: more than %d fields\n",
			MAX_FIELDS);
		abort();
	}
	field = &out.fields[out.nr_fields++];
	field->label = label;
	return field;
}

void out_str(const char *key, const char *label, const char *value)
{
	if (global_opts.json)
		add_json(key, json_object_new_string(value));
	else
		snprintf(add_text(label)->value, MAX_VALUE_LEN, "%s", value);
}

void out_u64(const char *key, const char *label, uint64_t value)
{
	if (global_opts.json)
		add_json(key, json_object_new_uint64(value));
	else
		snprintf(add_text(label)->value, MAX_VALUE_LEN, "%" PRIu64,
			 value);
}

void out_size(const char *key, const char *label, uint64_t bytes)
{
	char human[FORMAT_SIZE_LEN];

	if (global_opts.json) {
		add_json(key, json_object_new_uint64(bytes));
		return;
	}
	snprintf(add_text(label)->value, MAX_VALUE_LEN, "%" PRIu64 " (%s)",
		 bytes, format_size(bytes, human, sizeof(human)));
}

static void print_text_record(void)
{
	size_t width = 0, len;
	unsigned int i;

	for (i = 0; i < out.nr_fields; i++) {
		len = strlen(out.fields[i].label);
		if (len > width)
			width = len;
	}
	if (out.records > 0)
		putchar('\n');
	for (i = 0; i < out.nr_fields; i++)
		printf("%s:%*s %s\n", out.fields[i].label,
		       (int)(width - strlen(out.fields[i].label)), "",
		       out.fields[i].value);
}

void out_record_end(void)
{
	if (!global_opts.json) {
		print_text_record();
	} else if (out.list) {
		if (out.record &&
		    json_object_array_add(out.root, out.record)) {
			json_object_put(out.record);
			out.out_of_memory = true;
		}
	} else {
		json_object_put(out.root);
		out.root = out.record;
	}
	out.record = NULL;
	out.records++;
}

int out_end(void)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	if (global_opts.json && !out.out_of_memory) {
		flags |= global_opts.pretty ? JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED :
					      JSON_C_TO_STRING_PLAIN;
		/* A list with no records is still valid JSON: "[]". */
		puts(json_object_to_json_string_ext(out.root, flags));
	}
	json_object_put(out.root);
	out.root = NULL;
	if (out.out_of_memory)
		return fail("out of memory while building the output");
	if (fflush(stdout) || ferror(stdout))
		return fail("cannot write the output");
	return EXIT_OK;
}
