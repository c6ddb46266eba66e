/* SPDX-License-Identifier: MIT */
/*
 * The base name of a path, as a pointer into it (nothing is copied or
 * allocated). Unlike basename(3), a trailing separator is not stripped: the
 * base name of "/usr/bin/" is "", as a directory has no file name.
 */
#ifndef RMMHUNT_PATH_H
#define RMMHUNT_PATH_H

#include <string.h>

/* What follows the last '/' of @path; all of @path when it has none. */
static inline const char *path__base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * The same where '\\' separates too: for a name that may be a Windows path
 * ("C:\\Program Files\\x.exe", as Wine programs see their argv) or a Unix one.
 * A Unix file name may hold a '\\', so use this only where Windows paths occur.
 */
static inline const char *path__base_win(const char *path)
{
	const char *b = path + strlen(path);

	while (b > path && b[-1] != '/' && b[-1] != '\\')
		b--;
	return b;
}

#endif
