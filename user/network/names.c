// SPDX-License-Identifier: MIT
/*
 * (netns, address) -> name: a fixed array of entries, chained from a bucket
 * array of at least as many heads, and a doubly linked LRU list through the
 * same entries (indices, not pointers). Only a new name is allocated: the
 * same answer seen again refreshes its entry in place.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/strhash.h"
#include "network/names.h"

#define NIL UINT32_MAX

struct key {
	uint32_t netns;
	unsigned char addr[16];
};

struct entry {
	struct key key;
	uint32_t hnext;	     /* next in its bucket, or in the free list */
	uint32_t prev, next; /* LRU: prev towards the most recently used */
	int64_t expires_us;
	char *name;
};

struct names {
	size_t max, count;
	uint32_t used;	   /* entries ever taken from the array's end */
	uint32_t free;	   /* entries removed, for reuse */
	uint32_t mask;	   /* buckets - 1 */
	uint32_t *buckets; /* heads, NIL: empty */
	uint32_t head, tail;
	uint64_t seed;
	struct entry *e;
};

struct names *names__new(size_t max_entries)
{
	struct names *n;
	size_t nb = 16;

	if (!max_entries || max_entries > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	while (nb < max_entries)
		nb *= 2;
	n->max = max_entries;
	n->mask = (uint32_t)nb - 1;
	n->free = n->head = n->tail = NIL;
	n->buckets = malloc(nb * sizeof(*n->buckets));
	n->e = calloc(max_entries, sizeof(*n->e));
	if (!n->buckets || !n->e) {
		names__free(n);
		errno = ENOMEM;
		return NULL;
	}
	memset(n->buckets, 0xff, nb * sizeof(*n->buckets));
	/* without randomness the map still works, only collisions can be planned */
	if (getrandom(&n->seed, sizeof(n->seed), GRND_NONBLOCK) != sizeof(n->seed))
		n->seed = 0;
	return n;
}

void names__free(struct names *n)
{
	if (!n)
		return;
	if (n->e)
		for (uint32_t i = 0; i < n->used; i++)
			free(n->e[i].name);
	free(n->e);
	free(n->buckets);
	free(n);
}

size_t names__count(const struct names *n)
{
	return n ? n->count : 0;
}

static uint32_t *bucket(struct names *n, const struct key *k)
{
	return &n->buckets[strhash__bytes(k, sizeof(*k), n->seed) & n->mask];
}

static void lru_unlink(struct names *n, uint32_t i)
{
	struct entry *e = &n->e[i];

	if (e->prev != NIL)
		n->e[e->prev].next = e->next;
	else
		n->head = e->next;
	if (e->next != NIL)
		n->e[e->next].prev = e->prev;
	else
		n->tail = e->prev;
}

static void lru_push(struct names *n, uint32_t i)
{
	struct entry *e = &n->e[i];

	e->prev = NIL;
	e->next = n->head;
	if (n->head != NIL)
		n->e[n->head].prev = i;
	else
		n->tail = i;
	n->head = i;
}

static uint32_t find(struct names *n, const struct key *k, uint32_t **link)
{
	uint32_t *l = bucket(n, k);

	while (*l != NIL && memcmp(&n->e[*l].key, k, sizeof(*k)))
		l = &n->e[*l].hnext;
	*link = l;
	return *l;
}

/* Takes entry @i, found through @link, out of the map. */
static void remove_at(struct names *n, uint32_t *link, uint32_t i)
{
	struct entry *e = &n->e[i];

	*link = e->hnext;
	lru_unlink(n, i);
	free(e->name);
	e->name = NULL;
	e->hnext = n->free;
	n->free = i;
	n->count--;
}

static void evict_lru(struct names *n)
{
	uint32_t i = n->tail, *link;

	find(n, &n->e[i].key, &link);
	remove_at(n, link, i);
}

static void key_of(struct key *k, uint32_t netns, const unsigned char addr[16])
{
	memset(k, 0, sizeof(*k));
	k->netns = netns;
	memcpy(k->addr, addr, sizeof(k->addr));
}

int names__put(struct names *n, uint32_t netns, const unsigned char addr[16], const char *name,
	       uint32_t ttl_s, int64_t now_us)
{
	size_t len = strnlen(name, NAMES_NAME_MAX);
	int64_t keep_us;
	struct key k;
	uint32_t i, *link;
	char *copy = NULL;

	if (!len || len >= NAMES_NAME_MAX)
		return -EINVAL;
	if (ttl_s > INT32_MAX)
		ttl_s = 0;
	keep_us = ttl_s ? (int64_t)ttl_s * 1000000 : NAMES_TTL0_US;
	key_of(&k, netns, addr);
	i = find(n, &k, &link);
	if (i == NIL || strcmp(n->e[i].name, name)) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, name, len + 1);
	}
	if (i != NIL) {
		lru_unlink(n, i);
	} else {
		if (n->count == n->max) {
			evict_lru(n);
			find(n, &k, &link); /* the eviction may have moved the link */
		}
		if (n->free != NIL) {
			i = n->free;
			n->free = n->e[i].hnext;
		} else {
			i = n->used++;
		}
		n->e[i].key = k;
		n->e[i].hnext = NIL;
		*link = i;
		n->count++;
	}
	if (copy) {
		free(n->e[i].name);
		n->e[i].name = copy;
	}
	n->e[i].expires_us = now_us + keep_us;
	lru_push(n, i);
	return 0;
}

const char *names__get(struct names *n, uint32_t netns, const unsigned char addr[16],
		       int64_t now_us)
{
	struct key k;
	uint32_t i, *link;

	key_of(&k, netns, addr);
	i = find(n, &k, &link);
	if (i == NIL)
		return NULL;
	if (now_us >= n->e[i].expires_us) {
		remove_at(n, link, i);
		return NULL;
	}
	lru_unlink(n, i);
	lru_push(n, i);
	return n->e[i].name;
}
