/* SPDX-License-Identifier: MIT */
/* Shared by test_kql.c and test_rules.c: rules from query text, events from strings. */
#ifndef RULES_TEST_UTIL_H
#define RULES_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json_writer.h"
#include "base/timefmt.h"
#include "event.h"
#include "rules/rules.h"

/*
 * A rule file "t.yaml" whose query is @query indented by two spaces under
 * `query: |` on line 3: query line L, column C is file line L + 3, column C + 2.
 */
static inline struct ruleset *load_query(const char *query, struct rules_diag *diag)
{
	size_t cap = 64 + 3 * strlen(query), n;
	char *yaml = malloc(cap);
	struct ruleset *rs;

	n = snprintf(yaml, cap, "id: t\nname: test rule\nquery: |\n  ");
	for (const char *q = query; *q; q++) {
		yaml[n++] = *q;
		if (*q == '\n') {
			yaml[n++] = ' ';
			yaml[n++] = ' ';
		}
	}
	yaml[n++] = '\n';
	rs = ruleset__load_buffer("t.yaml", yaml, n, diag);
	free(yaml);
	return rs;
}

static inline int64_t test_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Sets column @col from text: strings as given, lists as "a|b|c" ("" is an
 * empty list), numbers in decimal, bools as true/false, times as RFC 3339 or
 * "now-SECONDS".
 */
static inline void set_col(struct event *e, const char *col, const char *val)
{
	int f = event__table_field_lookup(e->table, col);
	int64_t t;

	if (f < 0) {
		fprintf(stderr, "test: unknown column %s\n", col);
		abort();
	}
	switch (event__type(e, f)) {
	case FT_STRING:
	case FT_JSON:
		event__set_str(e, f, val);
		break;
	case FT_STRLIST: {
		const char *items[16];
		char buf[512], *save = NULL, *tok;
		size_t n = 0;

		snprintf(buf, sizeof(buf), "%s", val);
		for (tok = strtok_r(buf, "|", &save); tok && n < 16;
		     tok = strtok_r(NULL, "|", &save))
			items[n++] = tok;
		event__set_list(e, f, items, n);
		break;
	}
	case FT_BOOL:
		event__set_long(e, f, !strcmp(val, "true"));
		break;
	case FT_TIME:
		if (!strncmp(val, "now-", 4))
			t = test_now_us() - strtoll(val + 4, NULL, 10) * 1000000;
		else if (timefmt__parse_rfc3339_us(val, &t))
			abort();
		event__set_long(e, f, t);
		break;
	default:
		event__set_long(e, f, strtoll(val, NULL, 10));
		break;
	}
}

#endif
