// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/strhash.h"
#include "identity/pathindex.h"

/*
 * One array of keys, each the path's hash (its top HASH_BITS bits) above its
 * value: sorted after path_index__seal(), by hash, then value. It lives in
 * its own mapping: it grows with mremap() (no copy, no moment with two copies
 * resident) and a rebuilt index gives its pages back at once, where a
 * malloc'd one would leave a hole in the heap.
 */
#define VALUE_BITS 24
#define HASH_BITS  (64 - VALUE_BITS)

typedef uint64_t entry_t;

static entry_t hash_key(uint64_t hash)
{
	return hash >> VALUE_BITS << VALUE_BITS;
}

static uint32_t key_value(entry_t k)
{
	return (uint32_t)(k & PATH_INDEX_VALUE_MAX);
}

struct path_index {
	entry_t *e;
	size_t n, nsealed, cap; /* cap in entries; the mapping is cap * 8 bytes */
	size_t max_entries;
	uint64_t seed;
};

#define GROW_ENTRIES 8192

struct path_index *path_index__new(size_t max_entries)
{
	struct path_index *px = calloc(1, sizeof(*px));

	if (!px)
		return NULL;
	/* Values and counts are 32-bit. */
	px->max_entries = max_entries < UINT32_MAX / 2 ? max_entries : UINT32_MAX / 2;
	if (getrandom(&px->seed, sizeof(px->seed), GRND_NONBLOCK) != sizeof(px->seed))
		px->seed = (uint64_t)(uintptr_t)px ^ 0x9e3779b97f4a7c15ull;
	return px;
}

static size_t map_bytes(size_t cap)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (cap * sizeof(entry_t) + page - 1) / page * page;
}

void path_index__free(struct path_index *px)
{
	if (!px)
		return;
	if (px->e)
		munmap(px->e, map_bytes(px->cap));
	free(px);
}

/* Resizes the mapping to @cap entries (at least one page). */
static int resize(struct path_index *px, size_t cap)
{
	void *p;

	if (!px->e)
		p = mmap(NULL, map_bytes(cap), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	else
		p = mremap(px->e, map_bytes(px->cap), map_bytes(cap), MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return -ENOMEM;
	px->e = p;
	/* the page rounding is room too */
	px->cap = map_bytes(cap) / sizeof(entry_t);
	return 0;
}

int path_index__add(struct path_index *px, const char *path, size_t n, uint32_t value)
{
	int err;

	if (!n || path[0] != '/' || memchr(path, '\0', n))
		return -EINVAL;
	if (px->n >= px->max_entries || value > PATH_INDEX_VALUE_MAX)
		return -E2BIG;
	if (px->n == px->cap) {
		/* Linear growth: mremap moves no bytes, and little is left over. */
		err = resize(px, px->cap + GROW_ENTRIES);
		if (err)
			return err;
	}
	px->e[px->n++] = hash_key(strhash__bytes(path, n, px->seed)) | value;
	return 0;
}

static void sift_down(entry_t *e, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		entry_t t;

		if (child >= n)
			return;
		if (child + 1 < n && e[child] < e[child + 1])
			child++;
		if (e[root] >= e[child])
			return;
		t = e[root];
		e[root] = e[child];
		e[child] = t;
		root = child;
	}
}

/* Heapsort: in place, where qsort() would malloc a copy of the array. */
static void sort_entries(entry_t *e, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(e, i, n);
	for (size_t end = n; end-- > 1;) {
		entry_t t = e[0];

		e[0] = e[end];
		e[end] = t;
		sift_down(e, 0, end);
	}
}

void path_index__seal(struct path_index *px)
{
	if (px->nsealed == px->n)
		return;
	sort_entries(px->e, px->n);
	px->nsealed = px->n;
	if (map_bytes(px->n) < map_bytes(px->cap))
		resize(px, px->n); /* a failed shrink keeps the bigger mapping */
}

int path_index__find(const struct path_index *px, const char *path, size_t n,
		     path_index_match_fn match, void *ctx, uint32_t *value)
{
	size_t lo = 0, hi = px->nsealed;
	entry_t h;

	if (!n || path[0] != '/' || memchr(path, '\0', n))
		return -ENOENT;
	h = hash_key(strhash__bytes(path, n, px->seed));
	/* the first entry of the hash, then each with it, smallest value first */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (px->e[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t first = lo; lo < px->nsealed && hash_key(px->e[lo]) == h; lo++) {
		if (lo > first && px->e[lo] == px->e[lo - 1])
			continue; /* the same path twice in one list: asked already */
		if (!match || match(key_value(px->e[lo]), ctx)) {
			*value = key_value(px->e[lo]);
			return 0;
		}
	}
	return -ENOENT;
}

size_t path_index__count(const struct path_index *px)
{
	return px->n;
}

size_t path_index__bytes(const struct path_index *px)
{
	return px->e ? map_bytes(px->cap) : 0;
}
