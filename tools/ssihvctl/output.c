// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON rendering of command output; see output.h.
 *
 * Text is collected per record (fields, headings, nested tables) and
 * printed when the record ends, so that values line up in one column;
 * a top-level table is printed by out_end(), once every column's width
 * is known.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"
#include "parse.h"
#include "ssihvctl.h"

/* Enough for every table we print; more columns are a programming bug. */
#define MAX_COLS 16
#define MAX_VALUE_LEN 128
#define NEST_INDENT 2

struct table {
	const char *headers[MAX_COLS];
	unsigned int ncols;
	char **cells;		/* nrows rows of MAX_COLS cells */
	size_t nrows, cap;	/* finished rows, allocated rows */
	unsigned int col;	/* next column of the row being filled */
};

enum item_kind { ITEM_FIELD, ITEM_HEADING, ITEM_TABLE };

/* One piece of a text record, in order. */
struct item {
	enum item_kind kind;
	unsigned int indent;
	char *label;
	char *value;
	struct table *table;
};

enum nest { NEST_NONE, NEST_LIST, NEST_GROUP };

static struct {
	bool list;
	bool table_mode;		/* text: one table row per record */
	unsigned int records;		/* records finished so far */
	json_object *root;		/* array (list) or the one object */
	json_object *record;		/* JSON record being filled */
	json_object *nested;		/* JSON list or group being filled */
	json_object *nested_record;	/* JSON record of a nested list */
	enum nest nest;
	bool in_nested_record;
	struct table top;		/* the table of out_table_begin() */
	struct item *items;		/* text items of the record */
	size_t nr_items, items_cap;
	bool out_of_memory;
} out;

static void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size);

	if (!p) {
		fputs("ssihvctl: out of memory\n", stderr);
		exit(EXIT_FAIL);
	}
	return p;
}

static char *xstrdup(const char *text)
{
	size_t len = strlen(text) + 1;

	return memcpy(xrealloc(NULL, len), text, len);
}

static void table_free(struct table *table)
{
	size_t i;

	for (i = 0; i < table->nrows * MAX_COLS; i++)
		free(table->cells[i]);
	free(table->cells);
	memset(table, 0, sizeof(*table));
}

static void table_row_begin(struct table *table)
{
	if (table->nrows == table->cap) {
		table->cap = table->cap ? table->cap * 2 : 16;
		table->cells = xrealloc(table->cells, table->cap * MAX_COLS *
					sizeof(*table->cells));
	}
	memset(&table->cells[table->nrows * MAX_COLS], 0,
	       MAX_COLS * sizeof(*table->cells));
	table->col = 0;
}

static void table_add(struct table *table, const char *label,
		      const char *value)
{
	if (table->col == MAX_COLS) {
		fprintf(stderr, "ssihvctl: BUG: more than %d columns\n",
			MAX_COLS);
		abort();
	}
	if (table->col >= table->ncols) {
		table->headers[table->col] = label;
		table->ncols = table->col + 1;
	}
	table->cells[table->nrows * MAX_COLS + table->col++] = xstrdup(value);
}

static void table_row_end(struct table *table)
{
	table->nrows++;
}

static void print_table(const struct table *table, unsigned int indent)
{
	size_t width[MAX_COLS] = { 0 };
	unsigned int c;
	size_t r, len;
	const char *cell;

	for (c = 0; c < table->ncols; c++)
		width[c] = strlen(table->headers[c]);
	for (r = 0; r < table->nrows; r++) {
		for (c = 0; c < table->ncols; c++) {
			cell = table->cells[r * MAX_COLS + c];
			len = cell ? strlen(cell) : 0;
			if (len > width[c])
				width[c] = len;
		}
	}

	printf("%*s", indent, "");
	for (c = 0; c < table->ncols; c++) {
		const char *h;

		for (h = table->headers[c]; *h; h++)
			putchar(toupper((unsigned char)*h));
		if (c + 1 < table->ncols)
			printf("%*s", (int)(width[c] + 2 -
					     strlen(table->headers[c])), "");
	}
	putchar('\n');
	for (r = 0; r < table->nrows; r++) {
		printf("%*s", indent, "");
		for (c = 0; c < table->ncols; c++) {
			cell = table->cells[r * MAX_COLS + c];
			if (!cell)
				cell = "";
			if (c + 1 < table->ncols)
				printf("%-*s  ", (int)width[c], cell);
			else
				fputs(cell, stdout);
		}
		putchar('\n');
	}
}

static struct item *add_item(enum item_kind kind)
{
	struct item *item;

	if (out.nr_items == out.items_cap) {
		out.items_cap = out.items_cap ? out.items_cap * 2 : 32;
		out.items = xrealloc(out.items,
				     out.items_cap * sizeof(*out.items));
	}
	item = &out.items[out.nr_items++];
	memset(item, 0, sizeof(*item));
	item->kind = kind;
	return item;
}

static void free_items(void)
{
	size_t i;

	for (i = 0; i < out.nr_items; i++) {
		free(out.items[i].label);
		free(out.items[i].value);
		if (out.items[i].table) {
			table_free(out.items[i].table);
			free(out.items[i].table);
		}
	}
	out.nr_items = 0;
}

void out_begin(bool list)
{
	free_items();
	free(out.items);
	memset(&out, 0, sizeof(out));
	out.list = list;
	if (global_opts.json && list) {
		out.root = json_object_new_array();
		out.out_of_memory = !out.root;
	}
}

void out_table_begin(void)
{
	out_begin(true);
	out.table_mode = true;
}

void out_record_begin(void)
{
	if (out.nest == NEST_LIST) {
		out.in_nested_record = true;
		if (global_opts.json) {
			out.nested_record = json_object_new_object();
			if (!out.nested_record)
				out.out_of_memory = true;
		} else {
			table_row_begin(out.items[out.nr_items - 1].table);
		}
		return;
	}
	free_items();
	if (global_opts.json) {
		out.record = json_object_new_object();
		if (!out.record)
			out.out_of_memory = true;
	} else if (out.table_mode) {
		table_row_begin(&out.top);
	}
}

/* Add value under key to the JSON object being filled. */
static void add_json(const char *key, json_object *value)
{
	json_object *target = out.record;

	if (out.in_nested_record)
		target = out.nested_record;
	else if (out.nest == NEST_GROUP)
		target = out.nested;
	if (!value || !target || json_object_object_add(target, key, value)) {
		json_object_put(value);
		out.out_of_memory = true;
	}
}

/* Add a text field wherever the output currently is. */
static void add_text(const char *label, const char *value)
{
	struct item *item;

	if (out.in_nested_record) {
		table_add(out.items[out.nr_items - 1].table, label, value);
		return;
	}
	if (out.table_mode) {
		table_add(&out.top, label, value);
		return;
	}
	item = add_item(ITEM_FIELD);
	item->indent = out.nest == NEST_GROUP ? NEST_INDENT : 0;
	item->label = xstrdup(label);
	item->value = xstrdup(value);
}

void out_str(const char *key, const char *label, const char *value)
{
	if (global_opts.json)
		add_json(key, json_object_new_string(value));
	else
		add_text(label, value);
}

void out_u64(const char *key, const char *label, uint64_t value)
{
	char text[32];

	if (global_opts.json) {
		add_json(key, json_object_new_uint64(value));
		return;
	}
	snprintf(text, sizeof(text), "%" PRIu64, value);
	add_text(label, text);
}

void out_s64(const char *key, const char *label, int64_t value)
{
	char text[32];

	if (global_opts.json) {
		add_json(key, json_object_new_int64(value));
		return;
	}
	snprintf(text, sizeof(text), "%" PRId64, value);
	add_text(label, text);
}

void out_bool(const char *key, const char *label, bool value)
{
	if (global_opts.json)
		add_json(key, json_object_new_boolean(value));
	else
		add_text(label, value ? "yes" : "no");
}

void out_hex(const char *key, const char *label, uint64_t value)
{
	char text[32];

	if (global_opts.json) {
		add_json(key, json_object_new_uint64(value));
		return;
	}
	snprintf(text, sizeof(text), "0x%" PRIx64, value);
	add_text(label, text);
}

void out_size(const char *key, const char *label, uint64_t bytes)
{
	char human[FORMAT_SIZE_LEN];
	char text[MAX_VALUE_LEN];

	if (global_opts.json) {
		add_json(key, json_object_new_uint64(bytes));
		return;
	}
	snprintf(text, sizeof(text), "%" PRIu64 " (%s)", bytes,
		 format_size(bytes, human, sizeof(human)));
	add_text(label, text);
}

void out_u64_text(const char *key, const char *label, uint64_t value,
		  const char *text)
{
	if (global_opts.json)
		add_json(key, json_object_new_uint64(value));
	else
		add_text(label, text);
}

void out_null(const char *key, const char *label, const char *text)
{
	if (global_opts.json) {
		json_object *target = out.in_nested_record ?
				      out.nested_record :
				      out.nest == NEST_GROUP ? out.nested :
				      out.record;

		/* json-c stores JSON null as a NULL value. */
		if (!target || json_object_object_add(target, key, NULL))
			out.out_of_memory = true;
	} else {
		add_text(label, text);
	}
}

void out_u64_array(const char *key, const uint64_t *values, size_t n)
{
	json_object *array;
	size_t i;

	if (!global_opts.json)
		return;
	array = json_object_new_array_ext(n);
	if (!array) {
		out.out_of_memory = true;
		return;
	}
	for (i = 0; i < n; i++) {
		if (json_object_array_add(array,
					  json_object_new_uint64(values[i])))
			out.out_of_memory = true;
	}
	add_json(key, array);
}

void out_text(const char *label, const char *value)
{
	if (!global_opts.json)
		add_text(label, value);
}

static void nest_begin(enum nest kind, const char *label)
{
	struct item *item;

	if (out.nest != NEST_NONE || out.table_mode) {
		fputs("ssihvctl: BUG: nested output too deep\n", stderr);
		abort();
	}
	out.nest = kind;
	if (global_opts.json) {
		out.nested = kind == NEST_LIST ? json_object_new_array() :
						 json_object_new_object();
		if (!out.nested)
			out.out_of_memory = true;
		return;
	}
	item = add_item(ITEM_HEADING);
	item->label = xstrdup(label);
	if (kind == NEST_LIST) {
		item = add_item(ITEM_TABLE);
		item->indent = NEST_INDENT;
		item->table = xrealloc(NULL, sizeof(*item->table));
		memset(item->table, 0, sizeof(*item->table));
	}
}

static void nest_end(const char *key)
{
	json_object *nested = out.nested;

	out.nest = NEST_NONE;
	out.nested = NULL;
	if (global_opts.json) {
		if (!nested)
			return;
		if (!out.record ||
		    json_object_object_add(out.record, key, nested)) {
			json_object_put(nested);
			out.out_of_memory = true;
		}
	}
}

/* The key of the open nested list or group, added when it ends. */
static const char *nest_key;

void out_list_begin(const char *key, const char *label)
{
	nest_key = key;
	nest_begin(NEST_LIST, label);
}

void out_list_end(void)
{
	nest_end(nest_key);
}

void out_group_begin(const char *key, const char *label)
{
	nest_key = key;
	nest_begin(NEST_GROUP, label);
}

void out_group_end(void)
{
	nest_end(nest_key);
}

/* Print items[first..last) as "label: value" lines with values aligned. */
static void print_fields(size_t first, size_t last)
{
	size_t width = 0, len, i;

	for (i = first; i < last; i++) {
		len = strlen(out.items[i].label);
		if (len > width)
			width = len;
	}
	for (i = first; i < last; i++) {
		const struct item *item = &out.items[i];

		printf("%*s%s:%*s %s\n", item->indent, "", item->label,
		       (int)(width - strlen(item->label)), "", item->value);
	}
}

static void print_text_record(void)
{
	size_t i = 0, j;

	if (out.records > 0)
		putchar('\n');
	while (i < out.nr_items) {
		const struct item *item = &out.items[i];

		switch (item->kind) {
		case ITEM_FIELD:
			/* A run of fields at one indent aligns together. */
			for (j = i + 1; j < out.nr_items; j++) {
				if (out.items[j].kind != ITEM_FIELD ||
				    out.items[j].indent != item->indent)
					break;
			}
			print_fields(i, j);
			i = j;
			continue;
		case ITEM_HEADING:
			printf("%s:\n", item->label);
			break;
		case ITEM_TABLE:
			print_table(item->table, item->indent);
			break;
		}
		i++;
	}
	free_items();
}

void out_record_end(void)
{
	if (out.in_nested_record) {
		out.in_nested_record = false;
		if (!global_opts.json) {
			table_row_end(out.items[out.nr_items - 1].table);
		} else if (out.nested_record) {
			if (!out.nested ||
			    json_object_array_add(out.nested,
						  out.nested_record)) {
				json_object_put(out.nested_record);
				out.out_of_memory = true;
			}
		}
		out.nested_record = NULL;
		return;
	}
	if (!global_opts.json) {
		if (out.table_mode)
			table_row_end(&out.top);
		else
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
	/* An empty table prints nothing, not a lone heading. */
	if (!global_opts.json && out.table_mode && out.top.nrows)
		print_table(&out.top, 0);
	table_free(&out.top);
	free_items();
	free(out.items);
	out.items = NULL;
	out.items_cap = 0;
	json_object_put(out.root);
	out.root = NULL;
	if (out.out_of_memory)
		return fail("out of memory while building the output");
	if (fflush(stdout) || ferror(stdout))
		return fail("cannot write the output");
	return EXIT_OK;
}
