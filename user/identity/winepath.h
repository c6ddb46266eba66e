/* SPDX-License-Identifier: MIT */
/*
 * Windows paths to Unix paths the way Wine maps them: through a prefix's
 * dosdevices/<letter>: symlinks, with Wine's case-insensitive file names.
 *
 * Everything resolves inside a root directory open at @root_fd (the watched
 * process's /proc/PID/root): symlinks are followed by hand and `..` stops at
 * that root, so a hostile prefix cannot send us outside it. All Unix paths in
 * and out are absolute paths as seen inside that root.
 */
#ifndef RMMHUNT_WINEPATH_H
#define RMMHUNT_WINEPATH_H

#include <stddef.h>

struct winepath {
	int root_fd;	    /* the root everything resolves in */
	const char *prefix; /* WINEPREFIX, absolute inside the root */
	const char *cwd;    /* the process's Unix cwd, absolute inside the root; NULL: none */
};

/*
 * Resolves @path (absolute, or relative to @base) inside the root: follows
 * symlinks (at most 40), keeps `..` inside the root, and where a component does
 * not exist as spelled, takes the directory entry that matches it ignoring ASCII
 * case. Writes the path with on-disk spelling to @out. 0, -ENOENT, -ENOTDIR,
 * -ELOOP or -ENAMETOOLONG.
 */
int winepath__resolve(int root_fd, const char *base, const char *path, char *out, size_t n);

/* The Unix directory drive @letter maps to in the prefix (dosdevices/<l>:). */
int winepath__drive(const struct winepath *wp, char letter, char *out, size_t n);

/*
 * The existing file a program path names, as Wine's loader would find it:
 * `C:\dir\x.exe`, `c:/dir/x.exe`, `\\?\C:\...`, `\dir\x.exe` (drive of the cwd),
 * an absolute Unix path, a path relative to the cwd, or a bare name searched in
 * @search_dir (the parent's directory, may be NULL), the cwd,
 * C:\windows\system32 and C:\windows. ".exe" is tried as well when the last
 * component has no extension. 0 or a negative errno (-ENOENT when not found).
 */
int winepath__find_program(const struct winepath *wp, const char *path, const char *search_dir,
			   char *out, size_t n);

/*
 * The Windows path of @unix_path: the drive whose target is the longest prefix
 * of it, then the rest with backslashes. -ENOENT when no drive covers it.
 */
int winepath__to_windows(const struct winepath *wp, const char *unix_path, char *out, size_t n);

#endif
