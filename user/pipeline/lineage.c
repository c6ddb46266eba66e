// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/lineage.h"

#define WAYS	 4
#define MIN_SETS 16 /* the table starts this small and doubles on need */

struct slot {
	struct proc_record rec;
	uint64_t stamp; /* insertion order, to evict the oldest */
	char *blob;	/* the strings, reused across records */
	size_t blob_cap;
	int used;
};

struct lineage {
	struct slot *slots;
	size_t nsets, max_sets;
	uint64_t clock;
};

struct lineage *lineage__new(size_t max_entries)
{
	struct lineage *l = calloc(1, sizeof(*l));
	size_t n = 64;

	if (!l)
		return NULL;
	while (n < max_entries)
		n <<= 1;
	l->max_sets = n / WAYS;
	l->nsets = MIN_SETS;
	l->slots = calloc(l->nsets * WAYS, sizeof(*l->slots));
	if (!l->slots) {
		free(l);
		return NULL;
	}
	return l;
}

void lineage__free(struct lineage *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nsets * WAYS; i++)
		free(l->slots[i].blob);
	free(l->slots);
	free(l);
}

static struct slot *set_of(const struct lineage *l, uint32_t tgid)
{
	return &l->slots[((tgid * 2654435761u) % l->nsets) * WAYS];
}

/*
 * Doubles the sets, up to max_sets: a table that only evicts at its full size
 * keeps exactly what one allocated at that size upfront keeps (a set of the
 * small table splits into two of the big one, and a set full at the small size
 * grows the table instead of evicting), but costs memory only for the
 * processes actually seen.
 */
static int grow(struct lineage *l)
{
	size_t nsets = l->nsets * 2;
	struct slot *slots = calloc(nsets * WAYS, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < l->nsets * WAYS; i++) {
		struct slot *set;

		if (!l->slots[i].used)
			continue;
		set = &slots[((l->slots[i].rec.tgid * 2654435761u) % nsets) * WAYS];
		for (int w = 0; w < WAYS; w++) {
			if (!set[w].used) {
				set[w] = l->slots[i];
				break;
			}
		}
	}
	free(l->slots);
	l->slots = slots;
	l->nsets = nsets;
	return 0;
}

int lineage__put(struct lineage *l, const struct proc_record *r)
{
	struct slot *set, *s;
	size_t need = 0;
	char *p;

	for (int c = 0; c < PROC_COL__COUNT; c++)
		need += r->col[c] ? strlen(r->col[c]) + 1 : 0;
again:
	set = set_of(l, r->tgid);
	s = &set[0];
	for (int i = 0; i < WAYS; i++) {
		if (set[i].used && set[i].rec.tgid == r->tgid) {
			s = &set[i];
			break;
		}
		if (!set[i].used || set[i].stamp < s->stamp)
			s = &set[i];
	}
	/* A full set: room by growing while the bound allows (else evict as before). */
	if (s->used && s->rec.tgid != r->tgid && l->nsets < l->max_sets && !grow(l))
		goto again;
	if (need > s->blob_cap) {
		p = realloc(s->blob, need);
		if (!p)
			return -ENOMEM;
		s->blob = p;
		s->blob_cap = need;
	}
	p = s->blob;
	s->rec = *r;
	for (int c = 0; c < PROC_COL__COUNT; c++) {
		size_t n;

		if (!r->col[c])
			continue;
		n = strlen(r->col[c]) + 1;
		memcpy(p, r->col[c], n);
		s->rec.col[c] = p;
		p += n;
	}
	s->stamp = ++l->clock;
	s->used = 1;
	return 0;
}

const struct proc_record *lineage__get(const struct lineage *l, uint32_t tgid)
{
	const struct slot *set = set_of(l, tgid);

	for (int i = 0; i < WAYS; i++)
		if (set[i].used && set[i].rec.tgid == tgid)
			return &set[i].rec;
	return NULL;
}
