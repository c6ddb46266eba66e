/* SPDX-License-Identifier: MIT */
/*
 * dpkg (Debian, Ubuntu) package database of a root: which package lists a path
 * in var/lib/dpkg/info/<pkg>.list, and that package's record in
 * var/lib/dpkg/status.
 *
 * Mapping to struct pkg_info:
 *   vendor  = the status record's Origin if present, else the name part of
 *             Maintainer (without "<email>")
 *   name    = Package (without ":arch")
 *   version = Version (with its epoch, as dpkg prints it)
 *   source  = "dpkg"
 */
#ifndef RMMHUNT_DPKG_H
#define RMMHUNT_DPKG_H

#include <stddef.h>
#include <stdint.h>

#include "identity/package.h"

/* A field value inside a caller's buffer: not NUL-terminated. */
struct dpkg_str {
	const char *s;
	size_t len;
};

/* One stanza of var/lib/dpkg/status; absent fields have len 0. */
struct dpkg_record {
	struct dpkg_str package;
	struct dpkg_str arch;
	struct dpkg_str version;
	struct dpkg_str maintainer;
	struct dpkg_str origin;
	struct dpkg_str status;
};

/* Callbacks return 0 to go on, anything else to stop the parse with that value. */
typedef int (*dpkg_record_cb)(const struct dpkg_record *r, void *ctx);
typedef int (*dpkg_path_cb)(const char *path, size_t len, void *ctx);

/*
 * Parses a status file in @buf (@len bytes, no NUL needed) and calls @cb for
 * every stanza that has a Package field. Returns 0 or the callback's value.
 */
int dpkg__parse_status(const char *buf, size_t len, dpkg_record_cb cb, void *ctx);

/*
 * Parses a <pkg>.list file: @cb gets every absolute path in it (without the
 * newline, at most PATH_MAX bytes; "/." and anything else is skipped).
 */
int dpkg__parse_list(const char *buf, size_t len, dpkg_path_cb cb, void *ctx);

/*
 * The package owning @path (absolute, as the process sees it) in the root
 * open at @root_fd. On merged-/usr roots, /bin/x and /usr/bin/x (and sbin,
 * lib*) are the same file, so either spelling in the lists matches.
 * 0 and @out filled, -ENOENT when unowned or the root has no dpkg database,
 * another negative errno on failure.
 *
 * The path->package index of a root (hashes only: a path it finds is
 * confirmed in its package's list) is built on first use and rebuilt when
 * the mtime of var/lib/dpkg/info changes; the status records when the status
 * file changes. Up to DPKG_CACHE_ROOTS roots are kept, least recently used out.
 */
int dpkg__lookup(int root_fd, const char *path, struct pkg_info *out);

#define DPKG_CACHE_ROOTS 4
/* Per-root bounds: a bigger database is indexed partially (with a warning). */
#define DPKG_MAX_ENTRIES   (1u << 20)
#define DPKG_MAX_LIST_SIZE (16u << 20)
#define DPKG_MAX_STATUS	   (64u << 20)

struct dpkg_stats {
	uint64_t index_builds; /* path indexes built (first use or rebuild) */
	uint64_t status_loads; /* status files parsed */
	uint64_t roots;	       /* roots cached now */
	uint64_t entries;      /* paths indexed, all roots */
	uint64_t bytes;	       /* memory held by the path indexes, all roots */
};

/* Waits for the lookups in progress (tests, and never from the event loop). */
void dpkg__stats(struct dpkg_stats *out);
/* Drops every cached index (tests; memory checkers at exit). */
void dpkg__cache_flush(void);

#endif
