// SPDX-License-Identifier: MIT
/* Per-group aggregation over a sliding window: see agg.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/agg.h"
#include "aggregate/agg_internal.h"
#include "base/log.h"
#include "base/strhash.h"

/* ---- values ---- */

static uint64_t hash_value(int64_t num, const char *str, size_t len)
{
	return str ? strhash__bytes(str, len, 0) : strhash__mix64((uint64_t)num);
}

enum agg_value_type agg__value_type_of(const struct rule_ent *r, int field)
{
	if (field < 0)
		return AGG_V_STRING;
	switch (r->fields[field].type) {
	case FT_LONG:
		return AGG_V_LONG;
	case FT_TIME:
		return AGG_V_TIME;
	case FT_BOOL:
		return AGG_V_BOOL;
	default:
		return AGG_V_STRING;
	}
}

static int value_cmp(const struct agg_value *x, const struct agg_value *y)
{
	int c;

	if (x->type != AGG_V_STRING)
		return x->num < y->num ? -1 : x->num > y->num;
	c = memcmp(x->str, y->str, x->len < y->len ? x->len : y->len);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static int value_qcmp(const void *x, const void *y)
{
	return value_cmp(x, y);
}

/* ---- distinct value maps ---- */

static struct vent *vmap_find(struct vent *slots, size_t nslots, int64_t num, const char *str,
			      size_t len)
{
	size_t i = hash_value(num, str, len) & (nslots - 1);

	for (;; i = (i + 1) & (nslots - 1)) {
		struct vent *v = &slots[i];

		if (!v->used)
			return v;
		if (str ? v->str && v->len == len && !memcmp(v->str, str, len)
			: !v->str && v->num == num)
			return v;
	}
}

/* Moves the entries with last >= @cutoff into a table of @nslots slots. */
static int vmap_rebuild(struct vmap *m, size_t nslots, int64_t cutoff)
{
	struct vent *slots = calloc(nslots, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	m->count = 0;
	m->min_last = INT64_MAX;
	for (size_t i = 0; i < m->nslots; i++) {
		struct vent *v = &m->slots[i];

		if (!v->used)
			continue;
		if (v->last < cutoff) {
			free(v->str);
			continue;
		}
		*vmap_find(slots, nslots, v->num, v->str, v->len) = *v;
		m->count++;
		if (v->last < m->min_last)
			m->min_last = v->last;
	}
	free(m->slots);
	m->slots = slots;
	m->nslots = nslots;
	return 0;
}

static void vmap_expire(struct vmap *m, int64_t cutoff)
{
	if (m->count && m->min_last < cutoff)
		vmap_rebuild(m, m->nslots, cutoff); /* on ENOMEM the old entries stay */
}

/* Returns 0, 1 when the value was dropped at the map's max, or -ENOMEM. */
int agg__vmap_touch(struct vmap *m, int64_t num, const char *str, size_t len, int64_t ts,
		    int64_t cutoff)
{
	struct vent *v;

	if (!m->nslots && vmap_rebuild(m, 16, INT64_MIN))
		return -ENOMEM;
	v = vmap_find(m->slots, m->nslots, num, str, len);
	if (v->used) {
		if (ts > v->last)
			v->last = ts;
		return 0;
	}
	if (m->count >= m->max) {
		vmap_expire(m, cutoff);
		if (m->count >= m->max) {
			m->truncated = true;
			return 1;
		}
	}
	if ((m->count + 1) * 4 > m->nslots * 3 && vmap_rebuild(m, m->nslots * 2, INT64_MIN))
		return -ENOMEM;
	/* expiry or growth may have rebuilt the table */
	v = vmap_find(m->slots, m->nslots, num, str, len);
	*v = (struct vent){.num = num, .len = len, .used = true, .last = ts};
	if (str) {
		v->str = malloc(len ? len : 1);
		if (!v->str) {
			v->used = false;
			return -ENOMEM;
		}
		memcpy(v->str, str, len);
	}
	if (!m->count || ts < m->min_last)
		m->min_last = ts;
	m->count++;
	return 0;
}

static void vmap_free(struct vmap *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].used)
			free(m->slots[i].str);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* The values seen at or after @cutoff, sorted; *@out is malloc'd (NULL when none). */
static int vmap_collect(const struct vmap *m, int64_t cutoff, enum agg_value_type type,
			struct agg_value **out, size_t *n)
{
	struct agg_value *v = NULL;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (!m->count)
		return 0;
	v = calloc(m->count, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->nslots; i++) {
		const struct vent *e = &m->slots[i];

		if (!e->used || e->last < cutoff)
			continue;
		v[k++] =
		    (struct agg_value){.type = type, .num = e->num, .str = e->str, .len = e->len};
	}
	qsort(v, k, sizeof(*v), value_qcmp);
	*out = v;
	*n = k;
	return 0;
}

/* ---- timeline ---- */

static int bucket_cmp_last(const void *x, const void *y)
{
	const struct bucket *a = x, *b = y;

	return a->last < b->last ? -1 : a->last > b->last;
}

static void tl_expire(struct timeline *tl, int64_t cutoff)
{
	size_t k = 0;

	if (!tl->len || tl->min_last >= cutoff)
		return;
	tl->min_last = INT64_MAX;
	for (size_t i = 0; i < tl->len; i++) {
		if (tl->b[i].last < cutoff)
			continue;
		tl->b[k++] = tl->b[i];
		if (tl->b[i].last < tl->min_last)
			tl->min_last = tl->b[i].last;
	}
	tl->len = k;
}

/* Halves the resolution of the older half: merges its buckets pairwise, by time. */
static size_t tl_degrade(struct timeline *tl)
{
	size_t half = tl->len / 2, k = 0, i;

	qsort(tl->b, tl->len, sizeof(*tl->b), bucket_cmp_last);
	for (i = 0; i + 1 < half; i += 2) {
		struct bucket *x = &tl->b[i], *y = &tl->b[i + 1];

		tl->b[k++] = (struct bucket){
		    .first = x->first < y->first ? x->first : y->first,
		    .last = y->last,
		    .n = x->n + y->n,
		    .merged = true,
		};
	}
	for (; i < tl->len; i++)
		tl->b[k++] = tl->b[i];
	tl->len = k;
	tl->min_last = tl->len ? tl->b[0].last : INT64_MAX;
	return half / 2;
}

/* Appends a bucket; returns the number of merges made for room, or -ENOMEM. */
int agg__tl_push(struct timeline *tl, const struct bucket *b, size_t max, int64_t cutoff)
{
	size_t merged = 0;

	if (tl->len && !b->merged && !tl->b[tl->len - 1].merged &&
	    tl->b[tl->len - 1].first == b->first) {
		tl->b[tl->len - 1].n += b->n;
		return 0;
	}
	if (tl->len >= max) {
		tl_expire(tl, cutoff);
		if (tl->len >= max)
			merged = tl_degrade(tl);
	}
	if (tl->len == tl->cap) {
		size_t cap = tl->cap ? tl->cap * 2 : 8;
		struct bucket *nb;

		if (cap > max)
			cap = max;
		nb = realloc(tl->b, cap * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		tl->b = nb;
		tl->cap = cap;
	}
	if (!tl->len || b->last < tl->min_last)
		tl->min_last = b->last;
	tl->b[tl->len++] = *b;
	return merged;
}

struct tl_view {
	uint64_t count;
	int64_t min, max;
	bool approximate;
};

static void tl_read(const struct timeline *tl, int64_t cutoff, struct tl_view *v)
{
	*v = (struct tl_view){.min = INT64_MAX, .max = INT64_MIN};
	for (size_t i = 0; i < tl->len; i++) {
		const struct bucket *b = &tl->b[i];
		int64_t first = b->first;

		if (b->last < cutoff)
			continue;
		if (first < cutoff) {
			/* some of a merged bucket's events have left the window */
			first = cutoff;
			v->approximate = true;
		}
		v->count += b->n;
		if (first < v->min)
			v->min = first;
		if (b->last > v->max)
			v->max = b->last;
	}
}

/* ---- rules and groups ---- */

static bool time_min_max(const struct summarize_col *c)
{
	return (c->kind == AGG_MIN || c->kind == AGG_MAX) && c->field == FIELD_TIMESTAMP;
}

/* Columns whose distinct values are kept (the rest come from the timeline or the key). */
bool agg__needs_values(const struct summarize_col *c)
{
	return c->kind != AGG_BY && c->kind != AGG_COUNT && !time_min_max(c) && c->field >= 0;
}

static int64_t window_of(const struct agg *a, const struct rule_ent *r)
{
	return a->cfg.window_us > 0 ? a->cfg.window_us : r->window_us;
}

static int64_t cutoff_at(const struct agg *a, const struct rule_ent *r, int64_t now)
{
	int64_t w = window_of(a, r);

	if (w <= 0)
		return INT64_MIN;
	return now < INT64_MIN + w ? INT64_MIN : now - w;
}

static size_t col_max(const struct agg *a, const struct summarize_col *c)
{
	if (c->kind == AGG_MAKE_SET)
		return c->max ? c->max : AGG_DEFAULT_SET_MAX;
	if (c->kind == AGG_DCOUNT)
		return AGG_DEFAULT_SET_MAX;
	return a->cfg.max_entries;
}

struct agg *agg__new(const struct agg_config *cfg)
{
	struct agg *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	if (cfg)
		a->cfg = *cfg;
	if (a->cfg.interval_us <= 0)
		a->cfg.interval_us = AGG_DEFAULT_INTERVAL_US;
	if (!a->cfg.max_groups)
		a->cfg.max_groups = AGG_DEFAULT_MAX_GROUPS;
	if (!a->cfg.max_entries)
		a->cfg.max_entries = AGG_DEFAULT_MAX_ENTRIES;
	if (a->cfg.max_entries < 4)
		a->cfg.max_entries = 4;
	a->nbuckets = 64;
	a->table = calloc(a->nbuckets, sizeof(*a->table));
	if (!a->table) {
		free(a);
		return NULL;
	}
	return a;
}

static void group_free(const struct agg *a, struct group *g)
{
	const struct rule_ent *r = &a->rules[g->rule];

	if (g->maps)
		for (size_t i = 0; i < r->ncols; i++)
			vmap_free(&g->maps[i]);
	free(g->maps);
	free(g->tl.b);
	free(g->by);
	free(g->key);
	free(g);
}

static void group_remove(struct agg *a, struct group *g)
{
	struct group **pp = &a->table[g->hash & (a->nbuckets - 1)];

	while (*pp != g)
		pp = &(*pp)->hnext;
	*pp = g->hnext;
	if (g->prev)
		g->prev->next = g->next;
	else
		a->lru_head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		a->lru_tail = g->prev;
	a->st.groups--;
	group_free(a, g);
}

void agg__clear_groups(struct agg *a)
{
	while (a->lru_head)
		group_remove(a, a->lru_head);
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void rule__free(struct rule_ent *r)
{
	free(r->id);
	free(r->name);
	free_strv(r->tactics, r->ntactics);
	free_strv(r->techniques, r->ntechniques);
	for (size_t i = 0; r->cols && i < r->ncols; i++)
		free((char *)r->cols[i].name);
	free(r->cols);
}

void agg__free(struct agg *a)
{
	if (!a)
		return;
	agg__clear_groups(a);
	for (size_t i = 0; i < a->nrules; i++)
		rule__free(&a->rules[i]);
	free(a->rules);
	free(a->table);
	free(a->scratch);
	free(a);
}

static char **dup_strv(const char *const *v, size_t n)
{
	char **out = calloc(n ? n : 1, sizeof(*out));

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(v[i] ? v[i] : "");
		if (!out[i]) {
			free_strv(out, n);
			return NULL;
		}
	}
	return out;
}

int agg__add_rule(struct agg *a, const struct agg_rule *rule)
{
	struct rule_ent r = {0}, *rules;

	if (!rule->id || !rule->ncols)
		return -EINVAL;
	r.table_name = rule->table_name;
	r.fields = event__table_fields(rule->table, &r.nfields);
	if (!r.fields)
		return -EINVAL;
	for (size_t i = 0; i < rule->ncols; i++)
		if (!rule->cols[i].name || rule->cols[i].field >= (int)r.nfields ||
		    rule->cols[i].field < -1)
			return -EINVAL;
	r.id = strdup(rule->id);
	r.name = strdup(rule->name ? rule->name : "");
	r.tactics = dup_strv(rule->tactics, rule->ntactics);
	r.ntactics = rule->ntactics;
	r.techniques = dup_strv(rule->techniques, rule->ntechniques);
	r.ntechniques = rule->ntechniques;
	r.window_us = rule->window_us;
	r.cols = calloc(rule->ncols, sizeof(*r.cols));
	r.ncols = rule->ncols;
	rules = realloc(a->rules, (a->nrules + 1) * sizeof(*rules));
	if (rules)
		a->rules = rules;
	if (!r.id || !r.name || !r.tactics || !r.techniques || !r.cols || !rules)
		goto nomem;
	for (size_t i = 0; i < rule->ncols; i++) {
		r.cols[i] = rule->cols[i];
		r.cols[i].name = strdup(rule->cols[i].name);
		if (!r.cols[i].name)
			goto nomem;
	}
	a->rules[a->nrules] = r;
	a->st.rules = a->nrules + 1;
	return a->nrules++;
nomem:
	rule__free(&r);
	return -ENOMEM;
}

size_t agg__nrules(const struct agg *a)
{
	return a->nrules;
}

/* ---- group keys: the by-values encoded, one tag byte each ---- */

static int scratch_reserve(struct agg *a, size_t n)
{
	unsigned char *p;
	size_t cap = a->scratch_cap ? a->scratch_cap : 256;

	if (n <= a->scratch_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	p = realloc(a->scratch, cap);
	if (!p)
		return -ENOMEM;
	a->scratch = p;
	a->scratch_cap = cap;
	return 0;
}

/* Encodes @vals (the by-columns of @r) into a->scratch; returns the length or -ENOMEM. */
static long encode_key(struct agg *a, const struct rule_ent *r, const struct agg_value *vals)
{
	size_t len = 0;

	for (size_t i = 0; i < r->ncols; i++) {
		const struct agg_value *v = &vals[i];

		if (r->cols[i].kind != AGG_BY)
			continue;
		if (scratch_reserve(a, len + 9 + v->len))
			return -ENOMEM;
		a->scratch[len++] = v->type;
		if (v->type == AGG_V_STRING) {
			uint64_t n = v->len;

			memcpy(a->scratch + len, &n, 8);
			memcpy(a->scratch + len + 8, v->str, v->len);
			len += 8 + v->len;
		} else if (v->type != AGG_V_NULL) {
			memcpy(a->scratch + len, &v->num, 8);
			len += 8;
		}
	}
	return len;
}

/* The by-value of column @c in @e; a Defender-only column is "", a list column null. */
static struct agg_value event_value(const struct rule_ent *r, const struct summarize_col *c,
				    const struct event *e)
{
	struct agg_value v = {.type = AGG_V_NULL};

	if (c->field < 0)
		return (struct agg_value){.type = AGG_V_STRING, .str = "", .len = 0};
	if (!event__isset(e, c->field) || r->fields[c->field].type == FT_STRLIST)
		return v;
	v.type = agg__value_type_of(r, c->field);
	if (v.type == AGG_V_STRING) {
		v.str = event__str(e, c->field);
		v.len = event__str_len(e, c->field);
	} else {
		v.num = event__long(e, c->field);
	}
	return v;
}

static struct group *group_find(struct agg *a, size_t rule, uint64_t h, size_t keylen)
{
	for (struct group *g = a->table[h & (a->nbuckets - 1)]; g; g = g->hnext)
		if (g->hash == h && g->rule == rule && g->keylen == keylen &&
		    !memcmp(g->key, a->scratch, keylen))
			return g;
	return NULL;
}

static void table_grow(struct agg *a)
{
	size_t n = a->nbuckets * 2;
	struct group **t = calloc(n, sizeof(*t));

	if (!t)
		return; /* longer chains, still correct */
	for (struct group *g = a->lru_head; g; g = g->next) {
		g->hnext = t[g->hash & (n - 1)];
		t[g->hash & (n - 1)] = g;
	}
	free(a->table);
	a->table = t;
	a->nbuckets = n;
}

static void lru_append(struct agg *a, struct group *g)
{
	g->prev = a->lru_tail;
	g->next = NULL;
	if (a->lru_tail)
		a->lru_tail->next = g;
	else
		a->lru_head = g;
	a->lru_tail = g;
}

static void lru_touch(struct agg *a, struct group *g)
{
	if (a->lru_tail == g)
		return;
	if (g->prev)
		g->prev->next = g->next;
	else
		a->lru_head = g->next;
	g->next->prev = g->prev;
	lru_append(a, g);
}

/* A new group for the key in a->scratch, evicting the least recent one at the cap. */
static struct group *group_new(struct agg *a, size_t rule, uint64_t h, size_t keylen,
			       const struct agg_value *vals)
{
	const struct rule_ent *r = &a->rules[rule];
	struct group *g = calloc(1, sizeof(*g));
	size_t off = 0;

	if (!g)
		return NULL;
	g->rule = rule;
	g->hash = h;
	g->keylen = keylen;
	g->key = malloc(keylen ? keylen : 1);
	g->by = calloc(r->ncols, sizeof(*g->by));
	g->maps = calloc(r->ncols, sizeof(*g->maps));
	if (!g->key || !g->by || !g->maps) {
		group_free(a, g);
		return NULL;
	}
	memcpy(g->key, a->scratch, keylen);
	for (size_t i = 0; i < r->ncols; i++) {
		g->maps[i].max = col_max(a, &r->cols[i]);
		if (r->cols[i].kind != AGG_BY)
			continue;
		/* the by-values point into the key copy, which mirrors @vals */
		g->by[i] = vals[i];
		off += 1;
		if (vals[i].type == AGG_V_STRING) {
			g->by[i].str = (const char *)g->key + off + 8;
			off += 8 + vals[i].len;
		} else if (vals[i].type != AGG_V_NULL) {
			off += 8;
		}
	}
	if (a->st.groups >= a->cfg.max_groups) {
		pr_debug("aggregate: %zu groups: evicting the least recently matched",
			 a->st.groups);
		group_remove(a, a->lru_head);
		a->st.groups_evicted++;
	}
	g->hnext = a->table[h & (a->nbuckets - 1)];
	a->table[h & (a->nbuckets - 1)] = g;
	lru_append(a, g);
	if (++a->st.groups > a->nbuckets)
		table_grow(a);
	return g;
}

/* Finds or makes the group of @vals; *@created says which. */
struct group *agg__group_get(struct agg *a, size_t rule, const struct agg_value *vals,
			     bool *created)
{
	long keylen = encode_key(a, &a->rules[rule], vals);
	uint64_t h;
	struct group *g;

	*created = false;
	if (keylen < 0)
		return NULL;
	h = strhash__bytes(a->scratch, keylen, 0) ^ strhash__mix64(rule);
	g = group_find(a, rule, h, keylen);
	if (g)
		return g;
	*created = true;
	return group_new(a, rule, h, keylen, vals);
}

static void count_touch(struct agg *a, int rc)
{
	if (rc > 0)
		a->st.values_dropped++;
}

/* Records the values of column @i of @e in its distinct map. */
static int add_values(struct agg *a, struct group *g, size_t i, const struct event *e, int64_t ts,
		      int64_t cutoff)
{
	const struct summarize_col *c = &a->rules[g->rule].cols[i];
	int rc;

	if (!event__isset(e, c->field))
		return 0; /* like Kusto, the aggregates skip nulls */
	switch (a->rules[g->rule].fields[c->field].type) {
	case FT_STRING:
	case FT_JSON:
		rc = agg__vmap_touch(&g->maps[i], 0, event__str(e, c->field),
				     event__str_len(e, c->field), ts, cutoff);
		break;
	case FT_STRLIST:
		/* make_set of a dynamic array collects its items */
		rc = 0;
		for (const char *it = event__list_next(e, c->field, NULL); it && rc >= 0;
		     it = event__list_next(e, c->field, it)) {
			rc = agg__vmap_touch(&g->maps[i], 0, it, strlen(it), ts, cutoff);
			count_touch(a, rc);
		}
		return rc < 0 ? rc : 0;
	default:
		rc = agg__vmap_touch(&g->maps[i], event__long(e, c->field), NULL, 0, ts, cutoff);
		break;
	}
	count_touch(a, rc);
	return rc < 0 ? rc : 0;
}

int agg__add(struct agg *a, size_t rule, const struct event *e, int64_t now_us)
{
	struct agg_value vals[64];
	const struct rule_ent *r;
	struct group *g;
	int64_t ts, cutoff;
	bool created;
	int rc;

	if (rule >= a->nrules || !event__isset(e, FIELD_TIMESTAMP))
		return -EINVAL;
	r = &a->rules[rule];
	if (r->ncols > sizeof(vals) / sizeof(vals[0]))
		return -E2BIG;
	ts = event__long(e, FIELD_TIMESTAMP);
	cutoff = cutoff_at(a, r, now_us);
	if (window_of(a, r) > 0 && (ts < cutoff || ts > now_us)) {
		a->st.events_outside++;
		return 0;
	}
	for (size_t i = 0; i < r->ncols; i++)
		vals[i] = r->cols[i].kind == AGG_BY ? event_value(r, &r->cols[i], e)
						    : (struct agg_value){0};
	g = agg__group_get(a, rule, vals, &created);
	if (!g)
		return -ENOMEM;
	rc = agg__tl_push(&g->tl, &(struct bucket){.first = ts, .last = ts, .n = 1},
			  a->cfg.max_entries, cutoff);
	if (rc < 0)
		return rc;
	a->st.buckets_merged += rc;
	for (size_t i = 0; i < r->ncols; i++) {
		if (!agg__needs_values(&r->cols[i]))
			continue;
		rc = add_values(a, g, i, e, ts, cutoff);
		if (rc)
			return rc;
	}
	g->dirty = true;
	lru_touch(a, g);
	a->st.events_added++;
	return created ? 1 : 0;
}

/* ---- emission ---- */

static void group_expire(struct agg *a, struct group *g, int64_t now)
{
	const struct rule_ent *r = &a->rules[g->rule];
	int64_t cutoff = cutoff_at(a, r, now);

	tl_expire(&g->tl, cutoff);
	for (size_t i = 0; i < r->ncols; i++)
		vmap_expire(&g->maps[i], cutoff);
}

/* Expires every group; removes those left with no event in the window. */
static void expire_all(struct agg *a, int64_t now)
{
	struct group *next;

	for (struct group *g = a->lru_head; g; g = next) {
		next = g->next;
		group_expire(a, g, now);
		if (!g->tl.len) {
			group_remove(a, g);
			a->st.groups_expired++;
		}
	}
}

static int emit_group(struct agg *a, struct group *g, int64_t now, agg_emit_fn emit, void *ctx)
{
	const struct rule_ent *r = &a->rules[g->rule];
	int64_t cutoff = cutoff_at(a, r, now);
	struct agg_cell *cells = calloc(r->ncols, sizeof(*cells));
	struct agg_value *scalars = calloc(r->ncols, sizeof(*scalars));
	struct agg_value **sets = calloc(r->ncols, sizeof(*sets));
	struct agg_alert al = {
	    .rule_id = r->id,
	    .rule_name = r->name,
	    .table = r->table_name,
	    .tactics = (const char *const *)r->tactics,
	    .ntactics = r->ntactics,
	    .techniques = (const char *const *)r->techniques,
	    .ntechniques = r->ntechniques,
	    .cells = cells,
	    .ncells = r->ncols,
	    .now_us = now,
	};
	struct tl_view tv;
	int err = 0;

	if (!cells || !scalars || !sets) {
		err = -ENOMEM;
		goto cleanup;
	}
	tl_read(&g->tl, cutoff, &tv);
	al.approximate = tv.approximate;
	for (size_t i = 0; i < r->ncols; i++) {
		const struct summarize_col *c = &r->cols[i];
		struct agg_value *v = &scalars[i];
		size_t n;

		cells[i] = (struct agg_cell){.name = c->name, .n = 1, .v = v};
		if (c->kind == AGG_BY) {
			*v = g->by[i];
		} else if (c->kind == AGG_COUNT) {
			*v = (struct agg_value){.type = AGG_V_LONG, .num = tv.count};
		} else if (time_min_max(c)) {
			*v = (struct agg_value){.type = AGG_V_TIME,
						.num = c->kind == AGG_MIN ? tv.min : tv.max};
		} else if (c->field < 0) {
			/* a Defender-only column: empty, so min/max "" and no set items */
			*v = (struct agg_value){.type = c->kind == AGG_DCOUNT ? AGG_V_LONG
									      : AGG_V_STRING};
			if (c->kind == AGG_MAKE_SET) {
				cells[i].is_set = true;
				cells[i].n = 0;
			}
		} else {
			err = vmap_collect(&g->maps[i], cutoff, agg__value_type_of(r, c->field),
					   &sets[i], &n);
			if (err)
				goto cleanup;
			if (c->kind == AGG_DCOUNT) {
				*v = (struct agg_value){.type = AGG_V_LONG, .num = n};
				cells[i].truncated = g->maps[i].truncated;
			} else if (c->kind == AGG_MAKE_SET) {
				cells[i] = (struct agg_cell){.name = c->name,
							     .is_set = true,
							     .truncated = g->maps[i].truncated,
							     .n = n,
							     .v = sets[i]};
			} else if (n) {
				*v = sets[i][c->kind == AGG_MIN ? 0 : n - 1];
				cells[i].truncated = g->maps[i].truncated;
			} else {
				v->type = AGG_V_NULL;
			}
		}
	}
	emit(&al, ctx);
	g->emitted = true;
	g->dirty = false;
	g->last_emit = now;
	a->st.alerts_emitted++;
cleanup:
	for (size_t i = 0; sets && i < r->ncols; i++)
		free(sets[i]);
	free(sets);
	free(scalars);
	free(cells);
	if (err)
		pr_warn("failed to build an alert of rule %s: %s", r->id, strerror(-err));
	return err;
}

void agg__expire(struct agg *a, int64_t now_us)
{
	expire_all(a, now_us);
}

size_t agg__tick(struct agg *a, int64_t now_us, agg_emit_fn emit, void *ctx)
{
	size_t n = 0;

	expire_all(a, now_us);
	for (struct group *g = a->lru_head; g; g = g->next) {
		if (!g->dirty)
			continue;
		if (g->emitted && now_us - g->last_emit < a->cfg.interval_us)
			continue;
		if (!emit_group(a, g, now_us, emit, ctx))
			n++;
	}
	return n;
}

static int group_order(const void *x, const void *y)
{
	const struct group *a = *(struct group *const *)x, *b = *(struct group *const *)y;
	int c;

	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	c = memcmp(a->key, b->key, a->keylen < b->keylen ? a->keylen : b->keylen);
	if (c)
		return c;
	return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

size_t agg__flush(struct agg *a, int64_t now_us, agg_emit_fn emit, void *ctx)
{
	struct group **v;
	size_t k = 0, n = 0;

	expire_all(a, now_us);
	v = calloc(a->st.groups ? a->st.groups : 1, sizeof(*v));
	if (!v) {
		/* still flush, in list order */
		for (struct group *g = a->lru_head; g; g = g->next)
			if (g->dirty && !emit_group(a, g, now_us, emit, ctx))
				n++;
		return n;
	}
	for (struct group *g = a->lru_head; g; g = g->next)
		if (g->dirty)
			v[k++] = g;
	qsort(v, k, sizeof(*v), group_order);
	for (size_t i = 0; i < k; i++)
		if (!emit_group(a, v[i], now_us, emit, ctx))
			n++;
	free(v);
	return n;
}

void agg__stats(const struct agg *a, struct agg_stats *st)
{
	*st = a->st;
}
