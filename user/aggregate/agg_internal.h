/* SPDX-License-Identifier: MIT */
/* Internal to user/aggregate: what agg.c and agg_json.c (the state form) share. */
#ifndef RMMHUNT_AGG_INTERNAL_H
#define RMMHUNT_AGG_INTERNAL_H

#include "aggregate/agg.h"

/* Matched events with the same (or, once merged, nearby) timestamps. */
struct bucket {
	int64_t first, last;
	uint64_t n;
	bool merged;
};

struct timeline {
	struct bucket *b;
	size_t len, cap;
	int64_t min_last; /* a lower bound of every b[].last: expiry skips when >= cutoff */
};

/* A distinct value of a column and the newest timestamp it was seen at. */
struct vent {
	int64_t num;
	char *str; /* NULL: the value is @num */
	uint32_t len;
	bool used;
	int64_t last;
};

/* Open addressing, linear probing; rebuilt (not tombstoned) on expiry. */
struct vmap {
	struct vent *slots;
	size_t nslots, count, max;
	int64_t min_last;
	bool truncated;
};

struct rule_ent {
	char *id, *name;
	char **tactics, **techniques;
	size_t ntactics, ntechniques;
	int64_t window_us;
	struct summarize_col *cols;
	size_t ncols;
	const char *table_name;		 /* static, or NULL */
	const struct field_desc *fields; /* the columns of the records it aggregates */
	size_t nfields;
};

struct group {
	struct group *hnext;	   /* hash chain */
	struct group *prev, *next; /* least recently matched first */
	size_t rule;
	uint64_t hash;
	unsigned char *key; /* the by-values, encoded */
	size_t keylen;
	struct agg_value *by; /* per column; strings point into @key */
	struct timeline tl;
	struct vmap *maps; /* per column; used by those agg__needs_values() says */
	bool emitted, dirty;
	int64_t last_emit;
};

struct agg {
	struct agg_config cfg;
	struct rule_ent *rules;
	size_t nrules;
	struct group **table;
	size_t nbuckets;
	struct group *lru_head, *lru_tail;
	struct agg_stats st;
	unsigned char *scratch; /* key being built */
	size_t scratch_cap;
};

/* The value type of column @field (-1: a Defender-only column) of @r's records. */
enum agg_value_type agg__value_type_of(const struct rule_ent *r, int field);
/* Columns whose distinct values are kept (the rest come from the timeline or the key). */
bool agg__needs_values(const struct summarize_col *c);
/* Returns 0, 1 when the value was dropped at the map's max, or -ENOMEM. */
int agg__vmap_touch(struct vmap *m, int64_t num, const char *str, size_t len, int64_t ts,
		    int64_t cutoff);
/* Appends a bucket; returns the number of merges made for room, or -ENOMEM. */
int agg__tl_push(struct timeline *tl, const struct bucket *b, size_t max, int64_t cutoff);
/* Finds or makes the group of @vals (values of the by-columns); *@created says which. */
struct group *agg__group_get(struct agg *a, size_t rule, const struct agg_value *vals,
			     bool *created);
void agg__clear_groups(struct agg *a);

#endif
