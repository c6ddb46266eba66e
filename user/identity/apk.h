/* SPDX-License-Identifier: MIT */
/*
 * apk (Alpine) package database of a root: lib/apk/db/installed, stanzas of
 * "X:value" lines (P: name, V: version, m: maintainer, o: origin, F: folder,
 * R: file in the last F).
 *
 * Mapping to struct pkg_info:
 *   vendor  = the name part of m: (without "<email>"), else o: (origin package)
 *   name    = P:
 *   version = V:
 *   source  = "apk"
 */
#ifndef RMMHUNT_APK_H
#define RMMHUNT_APK_H

#include <stdbool.h>
#include <stddef.h>

#include "identity/package.h"

#define APK_DB_PATH "lib/apk/db/installed"
#define APK_MAX_DB  (64u << 20)

/*
 * Finds the package listing @path (absolute) in the installed database in
 * @buf (@len bytes, no NUL needed), or its other spelling @alt_path (NULL if
 * none: see root__usr_alt_path()). 0 and @out filled, or -ENOENT.
 */
int apk__parse_installed(const char *buf, size_t len, const char *path, const char *alt_path,
			 struct pkg_info *out);

/* The package owning @path in the root open at @root_fd: 0, -ENOENT, -errno. */
int apk__lookup(int root_fd, const char *path, struct pkg_info *out);

#endif
