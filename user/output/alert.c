// SPDX-License-Identifier: MIT
/* The Alert record: see alert.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "output/alert.h"

static void write_strv(struct json_writer *w, const char *key, const char *const *v, size_t n)
{
	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < n; i++)
		jw_cstring(w, v[i]);
	jw_array_end(w);
}

/* Returns true when a string had to be made valid UTF-8. */
static bool write_value(struct json_writer *w, const struct agg_value *v)
{
	switch (v->type) {
	case AGG_V_NULL:
		jw_null(w);
		break;
	case AGG_V_LONG:
		jw_long(w, v->num);
		break;
	case AGG_V_TIME:
		jw_time(w, v->num);
		break;
	case AGG_V_BOOL:
		jw_bool(w, v->num != 0);
		break;
	case AGG_V_STRING:
		return jw_string(w, v->str, v->len);
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

int alert_write_json(struct json_writer *w, const struct agg_alert *al)
{
	bool raw[64] = {false}, any_raw = false;

	jw_object_begin(w);
	jw_kv_str(w, "RecordType", "Alert");
	jw_kv_str(w, "RuleId", al->rule_id);
	jw_kv_str(w, "RuleName", al->rule_name);
	write_strv(w, "Tactics", al->tactics, al->ntactics);
	write_strv(w, "Techniques", al->techniques, al->ntechniques);
	for (size_t i = 0; i < al->ncells; i++) {
		const struct agg_cell *c = &al->cells[i];

		jw_key(w, c->name);
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
		jw_array_begin(w);
		for (size_t k = 0; k < c->n; k++)
			write_value(w, &c->v[k]);
		jw_array_end(w);
	}
	for (size_t i = 0; i < al->ncells; i++) {
		char key[256];

		if (!al->cells[i].truncated)
			continue;
		snprintf(key, sizeof(key), "%sTruncated", al->cells[i].name);
		jw_kv_bool(w, key, true);
	}
	if (al->approximate)
		jw_kv_bool(w, "Approximate", true);
	if (!has_column(al, "Timestamp"))
		jw_kv_time(w, "Timestamp", al->now_us);
	if (any_raw) {
		jw_key(w, "RawBase64");
		jw_object_begin(w);
		for (size_t i = 0; i < al->ncells && i < 64; i++) {
			if (!raw[i])
				continue;
			jw_key(w, al->cells[i].name);
			jw_base64(w, al->cells[i].v[0].str, al->cells[i].v[0].len);
		}
		jw_object_end(w);
	}
	jw_object_end(w);
	return w->failed ? -ENOMEM : 0;
}
