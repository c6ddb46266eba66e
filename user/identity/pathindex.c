// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "identity/pathindex.h"

/*
 * Two open-addressing tables over one arena of NUL-terminated names:
 * directories ("/usr/bin") keyed by their text, and entries keyed by
 * (directory id, basename).
 */
struct slot {
	uint32_t hash;
	uint32_t off1;	 /* offset + 1 of the name in the arena; 0 = empty */
	uint32_t parent; /* directory id (entries), 0 (directories) */
	uint32_t value;	 /* directory id (directories), caller's value (entries) */
};

struct table {
	struct slot *slots;
	size_t nslots, n;
};

struct path_index {
	struct table dirs, entries;
	char *arena;
	size_t len, cap;
	size_t max_entries, max_bytes;
	uint32_t seed;
};

struct path_index *path_index__new(size_t max_entries, size_t max_bytes)
{
	struct path_index *px = calloc(1, sizeof(*px));

	if (!px)
		return NULL;
	/* Offsets are 32-bit. */
	px->max_bytes = max_bytes < UINT32_MAX / 2 ? max_bytes : UINT32_MAX / 2;
	px->max_entries = max_entries < UINT32_MAX / 2 ? max_entries : UINT32_MAX / 2;
	if (getrandom(&px->seed, sizeof(px->seed), GRND_NONBLOCK) != sizeof(px->seed))
		px->seed = (uint32_t)(uintptr_t)px ^ 0x5bd1e995u;
	return px;
}

void path_index__free(struct path_index *px)
{
	if (!px)
		return;
	free(px->dirs.slots);
	free(px->entries.slots);
	free(px->arena);
	free(px);
}

static uint32_t hash(const struct path_index *px, uint32_t parent, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ px->seed; /* FNV-1a, seeded */

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= parent * 0x9e3779b1u;
	h ^= h >> 15; /* FNV's low bits mix poorly; the table index uses them */
	h *= 0x2c1b3c6du;
	return h ^ (h >> 12);
}

static struct slot *find(const struct path_index *px, const struct table *t, uint32_t h,
			 uint32_t parent, const char *s, size_t n)
{
	size_t mask = t->nslots - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *sl = &t->slots[i];
		const char *name;

		if (!sl->off1)
			return sl;
		name = px->arena + sl->off1 - 1;
		if (sl->hash == h && sl->parent == parent && !strncmp(name, s, n) && !name[n])
			return sl;
	}
}

static int grow(const struct path_index *px, struct table *t)
{
	size_t nslots = t->nslots ? t->nslots * 2 : 1024;
	struct slot *old = t->slots, *slots;

	slots = calloc(nslots, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	t->slots = slots;
	for (size_t i = 0; i < t->nslots; i++) {
		size_t j;

		if (!old[i].off1)
			continue;
		for (j = old[i].hash & (nslots - 1); slots[j].off1; j = (j + 1) & (nslots - 1))
			;
		slots[j] = old[i];
	}
	t->nslots = nslots;
	free(old);
	return 0;
}

/* The slot for (@parent, @s), claimed (name copied) if new; NULL with *@err on failure. */
static struct slot *intern(struct path_index *px, struct table *t, uint32_t parent, const char *s,
			   size_t n, bool *added, int *err)
{
	uint32_t h = hash(px, parent, s, n);
	struct slot *sl;

	*added = false;
	/* Load factor at most 3/4 keeps probe runs short. */
	if ((t->n + 1) * 4 > t->nslots * 3 && (*err = grow(px, t)))
		return NULL;
	sl = find(px, t, h, parent, s, n);
	if (sl->off1)
		return sl;
	if (px->len + n + 1 > px->max_bytes) {
		*err = -E2BIG;
		return NULL;
	}
	if (px->len + n + 1 > px->cap) {
		size_t cap = px->cap ? px->cap : 64u << 10;
		char *a;

		while (cap < px->len + n + 1)
			cap *= 2;
		a = realloc(px->arena, cap);
		if (!a) {
			*err = -ENOMEM;
			return NULL;
		}
		px->arena = a;
		px->cap = cap;
	}
	memcpy(px->arena + px->len, s, n);
	px->arena[px->len + n] = '\0';
	sl->hash = h;
	sl->off1 = (uint32_t)px->len + 1;
	sl->parent = parent;
	px->len += n + 1;
	t->n++;
	*added = true;
	return sl;
}

int path_index__add(struct path_index *px, const char *path, size_t n, uint32_t value)
{
	const char *slash;
	struct slot *dir, *e;
	bool added;
	int err = 0;

	if (!n || path[0] != '/' || memchr(path, '\0', n))
		return -EINVAL;
	if (px->entries.n >= px->max_entries)
		return -E2BIG;
	slash = memrchr(path, '/', n);
	dir = intern(px, &px->dirs, 0, path, (size_t)(slash - path), &added, &err);
	if (!dir)
		return err;
	if (added)
		dir->value = (uint32_t)px->dirs.n;
	e = intern(px, &px->entries, dir->value, slash + 1, n - (size_t)(slash - path) - 1, &added,
		   &err);
	if (!e)
		return err;
	if (added)
		e->value = value;
	return 0;
}

int path_index__find(const struct path_index *px, const char *path, size_t n, uint32_t *value)
{
	const char *slash;
	const struct slot *dir, *e;
	size_t dn;

	if (!px->dirs.nslots || !px->entries.nslots || !n || path[0] != '/')
		return -ENOENT;
	slash = memrchr(path, '/', n);
	dn = (size_t)(slash - path);
	dir = find(px, &px->dirs, hash(px, 0, path, dn), 0, path, dn);
	if (!dir->off1)
		return -ENOENT;
	e = find(px, &px->entries, hash(px, dir->value, slash + 1, n - dn - 1), dir->value,
		 slash + 1, n - dn - 1);
	if (!e->off1)
		return -ENOENT;
	*value = e->value;
	return 0;
}

size_t path_index__count(const struct path_index *px)
{
	return px->entries.n;
}

size_t path_index__bytes(const struct path_index *px)
{
	return px->cap + (px->dirs.nslots + px->entries.nslots) * sizeof(struct slot);
}

void path_index__trim(struct path_index *px)
{
	char *a;

	if (!px->len || px->len == px->cap)
		return;
	a = realloc(px->arena, px->len);
	if (a) {
		px->arena = a;
		px->cap = px->len;
	}
}
