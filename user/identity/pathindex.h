/* SPDX-License-Identifier: MIT */
/*
 * A bounded set of absolute paths, each mapped to a 32-bit value (the dpkg
 * index: path -> owning package). Directories are interned, so the hundred
 * thousand paths of a Debian system cost their basenames and one copy of each
 * directory. The hash is seeded at random: a hostile package list cannot be
 * built to collide.
 */
#ifndef RMMHUNT_PATHINDEX_H
#define RMMHUNT_PATHINDEX_H

#include <stddef.h>
#include <stdint.h>

struct path_index;

/* At most @max_entries paths (files and directories) and @max_bytes of names. */
struct path_index *path_index__new(size_t max_entries, size_t max_bytes);
void path_index__free(struct path_index *px); /* NULL is fine */

/*
 * Adds @path (@n bytes, starting with '/') with @value; a path already there
 * keeps its first value. 0, -E2BIG when a bound is reached, -EINVAL, -ENOMEM.
 */
int path_index__add(struct path_index *px, const char *path, size_t n, uint32_t value);

/* 0 and *@value, or -ENOENT. */
int path_index__find(const struct path_index *px, const char *path, size_t n, uint32_t *value);

size_t path_index__count(const struct path_index *px);
/* Heap bytes held, after path_index__trim() gave back the slack. */
size_t path_index__bytes(const struct path_index *px);
void path_index__trim(struct path_index *px);

#endif
