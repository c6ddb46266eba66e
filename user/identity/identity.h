/* SPDX-License-Identifier: MIT */
/*
 * Executable identity: what a file says it is. PE version info for Windows
 * images, package metadata for native ones, file type and hashes, cached by
 * the file's identity (dev, inode, ctime, size) so each file is read once.
 */
#ifndef RMMHUNT_IDENTITY_H
#define RMMHUNT_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct identity_cache;

/* The columns identity__fill sets (and unsets when it cannot read the file). */
#define IDENTITY_NCOLUMNS 12
extern const enum field_id identity_columns[IDENTITY_NCOLUMNS];

struct identity_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t entries;
	uint64_t errors;
};

struct identity_cache *identity_cache__new(size_t max_entries);
void identity_cache__free(struct identity_cache *c); /* NULL is fine */
struct authenticode_trust;
/* The roots signature chains are verified against (NULL: none); the caller keeps it alive. */
void identity_cache__set_trust(struct identity_cache *c, const struct authenticode_trust *trust);
/* Safe to share with fsguard workers (identity__fill locks the table, never a read). */
void identity_cache__stats(struct identity_cache *c, struct identity_stats *out);

/*
 * Fills the identity columns of @e (ProcessVersionInfo*, VersionInfoCompanyNames,
 * VersionInfoSource, SHA1, SHA256, FileSize) for the file open at @fd. The file
 * is read only through @fd, never reopened by path. @root_fd is the process's
 * root directory (/proc/PID/root) and @path the file's path inside it, both used
 * only to find the owning package in that root's package database.
 * Returns 0, or a negative errno when the file could not be read (the columns
 * stay unset then).
 */
int identity__fill(struct identity_cache *c, int fd, int root_fd, const char *path,
		   struct event *e);
/*
 * identity__fill() from the cache alone, for the file whose fstat is @st:
 * -EAGAIN, the columns unset and no miss counted, when it is not cached.
 */
struct stat;
int identity__fill_cached(struct identity_cache *c, const struct stat *st, struct event *e,
			  struct event *cert);

/*
 * Where identity__fill_in looks up the file's package: the root directory @fd
 * and the file's @path inside it, as for identity__fill. That root's package
 * database may be on another file system than the file (a container's root):
 * @enter, when set, is called before the lookup, which is skipped when it
 * fails, and @leave after it.
 */
struct identity_root {
	int fd;
	const char *path;
	int (*enter)(void *ctx);
	void (*leave)(void *ctx);
	void *ctx;
	int skipped; /* out: @enter's error when the lookup was skipped, else 0 */
};

/*
 * identity__fill with the package looked up as @root says. A file whose
 * lookup was skipped gets the rest of its identity, and is not cached: the
 * next exec of it looks again.
 *
 * When @cert is not NULL the file's Authenticode signatures are read too, in
 * the same pass, and cached with the identity: @cert is reset to a
 * DeviceFileCertificateInfo record and, for a PE image that carries a
 * signature (good or not), or a native file of a signed rpm package, gets
 * SHA1, SHA256 and the signature columns (certinfo.h); the record's other
 * columns are the caller's. A file without a signature, or too large to hash
 * (no SHA1 to report it by), leaves @cert with no column set.
 */
int identity__fill_in(struct identity_cache *c, int fd, struct identity_root *root, struct event *e,
		      struct event *cert);

#endif
