// SPDX-License-Identifier: MIT
/*
 * The groups as JSON, for the state file: agg__save_json(), agg__load_json().
 * Timestamps are integer microseconds, so nothing is rounded; strings that
 * are not UTF-8 are {"b64": ...}. The loader checks every value against its
 * column and refuses the whole document on the first bad one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/agg_internal.h"
#include "base/base64.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/utf8.h"

static const char *const kind_names[] = {
    [AGG_BY] = "by",	   [AGG_MIN] = "min",	    [AGG_MAX] = "max",
    [AGG_COUNT] = "count", [AGG_DCOUNT] = "dcount", [AGG_MAKE_SET] = "make_set",
};

/* Numbers as integers; strings as strings, or {"b64": ...} when not UTF-8. */
static json_t *value_to_json(enum agg_value_type type, int64_t num, const char *str, size_t len)
{
	json_t *o;
	char *b;

	if (type == AGG_V_NULL)
		return json_null();
	if (type != AGG_V_STRING)
		return json_integer(num);
	if (utf8__valid(str, len))
		return json_stringn(str, len);
	b = malloc(base64__encoded_size(len));
	if (!b)
		return NULL;
	base64__encode(str, len, b);
	o = json_pack("{s:s}", "b64", b);
	free(b);
	return o;
}

/* Appends @v to @arr, or fails when @v is NULL (a failed constructor). */
static int append(json_t *arr, json_t *v)
{
	return v && !json_array_append_new(arr, v) ? 0 : -ENOMEM;
}

static int set(json_t *obj, const char *key, json_t *v)
{
	return v && !json_object_set_new(obj, key, v) ? 0 : -ENOMEM;
}

static json_t *columns_to_json(const struct rule_ent *r)
{
	json_t *cols = json_array();

	for (size_t i = 0; cols && i < r->ncols; i++) {
		const struct summarize_col *c = &r->cols[i];

		if (append(cols, json_pack("{s:s, s:s, s:s?}", "Name", c->name, "Kind",
					   kind_names[c->kind], "Field",
					   c->field >= 0 ? r->fields[c->field].name : NULL))) {
			json_decref(cols);
			return NULL;
		}
	}
	return cols;
}

static json_t *vmap_to_json(const struct vmap *m, enum agg_value_type type)
{
	json_t *items = json_array(), *o = json_object();
	int err = !items || !o;

	for (size_t i = 0; !err && i < m->nslots; i++) {
		const struct vent *v = &m->slots[i];

		if (v->used)
			err = append(items, json_pack("[o, I]",
						      value_to_json(type, v->num, v->str, v->len),
						      (json_int_t)v->last));
	}
	if (!err)
		err = set(o, "Truncated", json_boolean(m->truncated));
	if (!err)
		err = set(o, "Items", json_incref(items));
	json_decref(items);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *group_to_json(const struct agg *a, const struct group *g)
{
	const struct rule_ent *r = &a->rules[g->rule];
	json_t *o = json_object(), *by = json_array(), *tl = json_array(), *vals = json_array();
	int err = !o || !by || !tl || !vals;

	for (size_t i = 0; !err && i < r->ncols; i++) {
		const struct agg_value *v = &g->by[i];

		if (r->cols[i].kind == AGG_BY)
			err = append(by, value_to_json(v->type, v->num, v->str, v->len));
		if (!err)
			err =
			    append(vals, agg__needs_values(&r->cols[i])
					     ? vmap_to_json(&g->maps[i],
							    agg__value_type_of(r, r->cols[i].field))
					     : json_null());
	}
	for (size_t i = 0; !err && i < g->tl.len; i++) {
		const struct bucket *b = &g->tl.b[i];

		err = append(tl, json_pack("[I, I, I, b]", (json_int_t)b->first,
					   (json_int_t)b->last, (json_int_t)b->n, b->merged));
	}
	if (!err)
		err = set(o, "By", json_incref(by)) || set(o, "Timeline", json_incref(tl)) ||
		      set(o, "Values", json_incref(vals)) ||
		      set(o, "Emitted", json_boolean(g->emitted)) ||
		      set(o, "Dirty", json_boolean(g->dirty)) ||
		      set(o, "LastEmit", json_integer(g->last_emit));
	json_decref(by);
	json_decref(tl);
	json_decref(vals);
	if (err) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *agg__save_json(const struct agg *a)
{
	json_t *root = json_object(), *rules = json_array();
	int err = !root || !rules;

	for (size_t i = 0; !err && i < a->nrules; i++) {
		const struct rule_ent *r = &a->rules[i];
		json_t *groups = json_array(), *ro;

		/* least recently matched first, so a reload evicts in the same order */
		for (const struct group *g = a->lru_head; groups && !err && g; g = g->next)
			if (g->rule == i)
				err = append(groups, group_to_json(a, g));
		ro = json_pack("{s:s, s:o, s:o}", "RuleId", r->id, "Columns", columns_to_json(r),
			       "Groups", groups ? groups : json_null());
		err = err || append(rules, ro);
	}
	if (!err)
		err = set(root, "Rules", json_incref(rules));
	json_decref(rules);
	if (err) {
		json_decref(root);
		return NULL;
	}
	return root;
}

static bool columns_match(const struct rule_ent *r, const json_t *cols)
{
	if (!json_is_array(cols) || json_array_size(cols) != r->ncols)
		return false;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct summarize_col *c = &r->cols[i];
		const char *name = NULL, *kind = NULL;
		json_t *field = NULL;

		if (json_unpack((json_t *)json_array_get(cols, i), "{s:s, s:s, s:o}", "Name", &name,
				"Kind", &kind, "Field", &field))
			return false;
		if (strcmp(name, c->name) || strcmp(kind, kind_names[c->kind]))
			return false;
		if (c->field >= 0 ? !json_is_string(field) ||
					strcmp(json_string_value(field), r->fields[c->field].name)
				  : !json_is_null(field))
			return false;
	}
	return true;
}

/*
 * A value of @type from JSON; a decoded base64 string is malloc'd into *@buf
 * for the caller to free. @nullable: null is accepted (an unset by-value).
 */
static int value_from_json(const json_t *j, enum agg_value_type type, bool nullable,
			   struct agg_value *v, unsigned char **buf)
{
	const char *b64;
	long n;

	*v = (struct agg_value){.type = type};
	*buf = NULL;
	if (json_is_null(j)) {
		v->type = AGG_V_NULL;
		return nullable ? 0 : -EINVAL;
	}
	if (type != AGG_V_STRING) {
		if (!json_is_integer(j))
			return -EINVAL;
		v->num = json_integer_value(j);
		return 0;
	}
	if (json_is_string(j)) {
		v->str = json_string_value(j);
		v->len = json_string_length(j);
		return 0;
	}
	if (json_unpack((json_t *)j, "{s:s}", "b64", &b64))
		return -EINVAL;
	*buf = malloc(strlen(b64) / 4 * 3 + 1);
	if (!*buf)
		return -ENOMEM;
	n = base64__decode(b64, strlen(b64), *buf);
	if (n < 0)
		return -EINVAL;
	v->str = (const char *)*buf;
	v->len = n;
	return 0;
}

static int load_values(struct group *g, size_t i, enum agg_value_type type, const json_t *j)
{
	struct vmap *m = &g->maps[i];
	const json_t *items = NULL;
	int truncated = 0;

	if (json_unpack((json_t *)j, "{s:b, s:o}", "Truncated", &truncated, "Items", &items) ||
	    !json_is_array(items))
		return -EINVAL;
	m->truncated = truncated;
	for (size_t k = 0; k < json_array_size(items); k++) {
		const json_t *it = json_array_get(items, k), *jv;
		json_int_t last;
		struct agg_value v;
		unsigned char *buf;
		int rc;

		if (json_unpack((json_t *)it, "[o, I!]", &jv, &last))
			return -EINVAL;
		rc = value_from_json(jv, type, false, &v, &buf);
		if (!rc)
			rc = agg__vmap_touch(m, v.num, type == AGG_V_STRING ? v.str : NULL, v.len,
					     last, INT64_MIN);
		free(buf);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int load_group(struct agg *a, size_t rule, const json_t *jg)
{
	const struct rule_ent *r = &a->rules[rule];
	const json_t *by, *tl, *vals;
	struct agg_value keyvals[64] = {{0}};
	unsigned char *bufs[64] = {NULL};
	int emitted, dirty, err = 0;
	json_int_t last_emit;
	struct group *g;
	size_t nby = 0;
	bool created;

	if (r->ncols > 64)
		return -EINVAL;
	if (json_unpack((json_t *)jg, "{s:o, s:o, s:o, s:b, s:b, s:I}", "By", &by, "Timeline", &tl,
			"Values", &vals, "Emitted", &emitted, "Dirty", &dirty, "LastEmit",
			&last_emit) ||
	    !json_is_array(by) || !json_is_array(tl) || !json_is_array(vals) ||
	    json_array_size(vals) != r->ncols || !json_array_size(tl))
		return -EINVAL;
	for (size_t i = 0; i < r->ncols && !err; i++) {
		const struct summarize_col *c = &r->cols[i];

		if (c->kind != AGG_BY)
			continue;
		err = value_from_json(json_array_get(by, nby++), agg__value_type_of(r, c->field),
				      true, &keyvals[i], &bufs[i]);
		/* the same by-values an event gives: "" for a Defender-only column */
		if (!err && c->field < 0 && (keyvals[i].type != AGG_V_STRING || keyvals[i].len))
			err = -EINVAL;
		if (!err && c->field >= 0 && r->fields[c->field].type == FT_STRLIST &&
		    keyvals[i].type != AGG_V_NULL)
			err = -EINVAL;
	}
	if (!err && nby != json_array_size(by))
		err = -EINVAL;
	g = err ? NULL : agg__group_get(a, rule, keyvals, &created);
	for (size_t i = 0; i < 64; i++)
		free(bufs[i]);
	if (err)
		return err;
	if (!g)
		return -ENOMEM;
	if (!created)
		return -EINVAL; /* the same group twice */
	for (size_t i = 0; i < json_array_size(tl); i++) {
		json_int_t first, last, n;
		int merged;
		struct bucket b;

		if (json_unpack(json_array_get(tl, i), "[I, I, I, b!]", &first, &last, &n,
				&merged) ||
		    first > last || n < 1 || (!merged && first != last))
			return -EINVAL;
		b = (struct bucket){.first = first, .last = last, .n = n, .merged = merged};
		err = agg__tl_push(&g->tl, &b, a->cfg.max_entries, INT64_MIN);
		if (err < 0)
			return err;
	}
	for (size_t i = 0; i < r->ncols; i++) {
		const json_t *jv = json_array_get(vals, i);

		if (!agg__needs_values(&r->cols[i])) {
			if (!json_is_null(jv))
				return -EINVAL;
			continue;
		}
		err = load_values(g, i, agg__value_type_of(r, r->cols[i].field), jv);
		if (err)
			return err;
	}
	g->emitted = emitted;
	g->dirty = dirty;
	g->last_emit = last_emit;
	return 0;
}

static int load_rule(struct agg *a, const json_t *jr)
{
	const char *id;
	const json_t *cols, *groups;
	size_t rule;
	int err;

	if (json_unpack((json_t *)jr, "{s:s, s:o, s:o}", "RuleId", &id, "Columns", &cols, "Groups",
			&groups) ||
	    !json_is_array(groups))
		return -EINVAL;
	for (rule = 0; rule < a->nrules; rule++)
		if (!strcmp(a->rules[rule].id, id))
			break;
	if (rule == a->nrules) {
		pr_info("state: rule %s is not loaded: its %zu groups are dropped", id,
			json_array_size(groups));
		return 0;
	}
	if (!columns_match(&a->rules[rule], cols)) {
		pr_info("state: the summarize of rule %s changed: its %zu groups are dropped", id,
			json_array_size(groups));
		return 0;
	}
	for (size_t i = 0; i < json_array_size(groups); i++) {
		err = load_group(a, rule, json_array_get(groups, i));
		if (err)
			return err;
	}
	return 0;
}

int agg__load_json(struct agg *a, const json_t *root)
{
	const json_t *rules = json_object_get(root, "Rules");
	int err = 0;

	if (!json_is_array(rules))
		return -EINVAL;
	for (size_t i = 0; i < json_array_size(rules) && !err; i++)
		err = load_rule(a, json_array_get(rules, i));
	if (err)
		agg__clear_groups(a);
	return err;
}
