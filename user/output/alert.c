// SPDX-License-Identifier: MIT
/* The Alert record: see alert.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "output/alert.h"

static void write_strv(struct json_writer *w, const char *key, const char *const *v, size_t n)
{
	jw__key(w, key);
	jw__array_begin(w);
	for (size_t i = 0; i < n; i++)
		jw__cstring(w, v[i]);
	jw__array_end(w);
}

/* Returns true when a string had to be made valid UTF-8. */
static bool write_value(struct json_writer *w, const struct agg_value *v)
{
	switch (v->type) {
	case AGG_V_NULL:
		jw__null(w);
		break;
	case AGG_V_LONG:
		jw__long(w, v->num);
		break;
	case AGG_V_TIME:
		jw__time(w, v->num);
		break;
	case AGG_V_BOOL:
		jw__bool(w, v->num != 0);
		break;
	case AGG_V_STRING:
		return jw__string(w, v->str, v->len);
	}
	return false;
}

static bool has_column(const struct agg_alert *al, const char *name)
{
	for (size_t i = 0; i < al->ncells; i++)
		if (!strcmp(al->cells[i].name, name))
			return true;
	return false;
}

int alert__write_json(struct json_writer *w, const struct agg_alert *al)
{
	bool raw[64] = {false}, any_raw = false;

	jw__object_begin(w);
	jw__kv_str(w, "RecordType", "Alert");
	jw__kv_str(w, "RuleId", al->rule_id);
	jw__kv_str(w, "RuleName", al->rule_name);
	if (al->table)
		jw__kv_str(w, "Table", al->table);
	write_strv(w, "Tactics", al->tactics, al->ntactics);
	write_strv(w, "Techniques", al->techniques, al->ntechniques);
	for (size_t i = 0; i < al->ncells; i++) {
		const struct agg_cell *c = &al->cells[i];

		jw__key(w, c->name);
		if (!c->is_set) {
			bool replaced = write_value(w, &c->v[0]);

			/* agg.h's columns are at most 64 (KQL_MAX_COLS) */
			if (i < 64) {
				raw[i] = replaced;
				any_raw |= replaced;
			}
			continue;
		}
		/* set items stay as written (U+FFFD for bad bytes): the events keep the raw bytes
		 */
		jw__array_begin(w);
		for (size_t k = 0; k < c->n; k++)
			write_value(w, &c->v[k]);
		jw__array_end(w);
	}
	for (size_t i = 0; i < al->ncells; i++) {
		char key[256];

		if (!al->cells[i].truncated)
			continue;
		snprintf(key, sizeof(key), "%sTruncated", al->cells[i].name);
		jw__kv_bool(w, key, true);
	}
	if (al->approximate)
		jw__kv_bool(w, "Approximate", true);
	if (!has_column(al, "Timestamp"))
		jw__kv_time(w, "Timestamp", al->now_us);
	if (any_raw) {
		jw__key(w, "RawBase64");
		jw__object_begin(w);
		for (size_t i = 0; i < al->ncells && i < 64; i++) {
			if (!raw[i])
				continue;
			jw__key(w, al->cells[i].name);
			jw__base64(w, al->cells[i].v[0].str, al->cells[i].v[0].len);
		}
		jw__object_end(w);
	}
	jw__object_end(w);
	return w->failed ? -ENOMEM : 0;
}
