/* SPDX-License-Identifier: MIT */
/*
 * A bounded set of absolute paths, each mapped to a 24-bit value (the dpkg
 * index: path -> owning package). Only a 40-bit hash of each path is kept
 * beside its value, 8 bytes a path, so the hundred and fifty thousand paths
 * of a Debian system cost 1.2 MiB. A hash match is thus a candidate that the
 * caller confirms against the source of the paths (path_index_match_fn): a
 * path not in the set matches one by chance once in 2^40 / (paths in it)
 * lookups. The hash is seeded at random, so a hostile package list cannot be
 * built to collide.
 */
#ifndef RMMHUNT_PATHINDEX_H
#define RMMHUNT_PATHINDEX_H

#include <stddef.h>
#include <stdint.h>

struct path_index;

/* At most @max_entries paths (a path added twice counts twice). */
struct path_index *path_index__new(size_t max_entries);
void path_index__free(struct path_index *px); /* NULL is fine */

/* Values are below 2^24 (a package's number). */
#define PATH_INDEX_VALUE_MAX ((1u << 24) - 1)

/*
 * Adds @path (@n bytes, starting with '/') with @value. 0, -E2BIG when the
 * bound is reached or @value is above PATH_INDEX_VALUE_MAX, -EINVAL, -ENOMEM.
 */
int path_index__add(struct path_index *px, const char *path, size_t n, uint32_t value);

/*
 * Sorts what was added for path_index__find() and gives back the slack.
 * Call it after the last add: a find before sees only what the last call saw.
 */
void path_index__seal(struct path_index *px);

/* Whether @path really has @value (the hash matched): nonzero if so. */
typedef int (*path_index_match_fn)(uint32_t value, void *ctx);

/*
 * 0 and *@value: the smallest value added with a path hashed like @path that
 * @match (if not NULL) confirms; -ENOENT when there is none.
 */
int path_index__find(const struct path_index *px, const char *path, size_t n,
		     path_index_match_fn match, void *ctx, uint32_t *value);

size_t path_index__count(const struct path_index *px);
/* Bytes of memory held. */
size_t path_index__bytes(const struct path_index *px);

#endif
