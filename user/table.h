/* SPDX-License-Identifier: MIT */
/*
 * The Defender tables a rule's query can name, each described by a small
 * descriptor: its record's columns (the ones rmmhunt fills, indexed by field
 * id) and Defender's columns that have no Linux meaning (a query may name
 * them; they read as empty). A table whose records rmmhunt does not produce
 * yet still has its columns, so its rules compile and are listed.
 *
 * Every record's columns start with Timestamp, DeviceId, DeviceName and
 * ReportId, in that order (FIELD_TIMESTAMP ... FIELD_REPORT_ID): the time
 * window and the default summarize name them by those ids in any table.
 */
#ifndef RMMHUNT_TABLE_H
#define RMMHUNT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"

struct table_desc {
	enum table_id id;
	const char *name;
	const struct field_desc *fields; /* the record's columns, by field id */
	size_t nfields;
	const struct field_desc *empty; /* Defender columns with no Linux meaning */
	size_t nempty;
	bool produced; /* rmmhunt emits records of this table */
};

extern const struct table_desc tables[TABLE__COUNT];

/* The table named @name[0..@n) (case-sensitive, as in KQL), or NULL. */
const struct table_desc *table__find(const char *name, size_t n);
/* The record column named @name[0..@n) of @t: its field id, or -1. */
int table__field(const struct table_desc *t, const char *name, size_t n);
/* The Defender column of @t named @name[0..@n) that rmmhunt leaves empty, or NULL. */
const struct field_desc *table__empty_column(const struct table_desc *t, const char *name,
					     size_t n);
/*
 * The column of @t a misspelt @name[0..@n) most likely means, for "did you
 * mean": one that ends with it (AccountUpn: InitiatingProcessAccountUpn), the
 * same name in another case, or the one fewest edits away; NULL when none is
 * close.
 */
const char *table__nearest(const struct table_desc *t, const char *name, size_t n);
/* Defender's type name of @type ("string", "long", "datetime", "bool", "dynamic"). */
const char *table__type_name(enum field_type type);

#endif
