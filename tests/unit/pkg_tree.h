/* SPDX-License-Identifier: MIT */
/* Test helpers: throw-away directory trees standing in for a process's root. */
#ifndef RMMHUNT_TEST_PKG_TREE_H
#define RMMHUNT_TEST_PKG_TREE_H

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Makes a new empty directory under /tmp and writes its path to @dir. */
static inline void tree_new(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/rmmhunt-pkgtest-XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static inline void tree_path(char *out, size_t size, const char *dir, const char *rel)
{
	if ((size_t)snprintf(out, size, "%s/%s", dir, rel) >= size)
		abort();
}

/* mkdir -p of @dir and of @rel's parent directories under it. */
static inline void tree_mkparents(const char *dir, const char *rel)
{
	char p[PATH_MAX];

	tree_path(p, sizeof(p), dir, rel);
	for (char *s = p + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
}

static inline void tree_write(const char *dir, const char *rel, const void *data, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	tree_mkparents(dir, rel);
	tree_path(p, sizeof(p), dir, rel);
	f = fopen(p, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		abort();
}

static inline void tree_puts(const char *dir, const char *rel, const char *text)
{
	tree_write(dir, rel, text, strlen(text));
}

static inline void tree_symlink(const char *dir, const char *rel, const char *target)
{
	char p[PATH_MAX];

	tree_mkparents(dir, rel);
	tree_path(p, sizeof(p), dir, rel);
	if (symlink(target, p))
		abort();
}

static inline void tree_mkdir(const char *dir, const char *rel)
{
	char p[PATH_MAX];

	tree_mkparents(dir, rel);
	tree_path(p, sizeof(p), dir, rel);
	mkdir(p, 0755);
}

/* A sparse file of @size bytes: big on paper, cheap on disk. */
static inline void tree_sparse(const char *dir, const char *rel, off_t size)
{
	char p[PATH_MAX];
	int fd;

	tree_mkparents(dir, rel);
	tree_path(p, sizeof(p), dir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, size) || close(fd))
		abort();
}

/* Sets the mtime of @rel to @sec seconds since the epoch. */
static inline void tree_set_mtime(const char *dir, const char *rel, time_t sec)
{
	struct timespec ts[2] = {{sec, 0}, {sec, 0}};
	char p[PATH_MAX];

	tree_path(p, sizeof(p), dir, rel);
	if (utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW))
		abort();
}

static inline int tree_open(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		abort();
	return fd;
}

/* rm -rf of a whole test tree, or of @rel inside it (when not NULL). */
static inline void tree_rm(const char *dir, const char *rel)
{
	char cmd[PATH_MAX * 2 + 16];

	if (strncmp(dir, "/tmp/rmmhunt-pkgtest-", 21) || strchr(dir, '\'') ||
	    (rel && (strchr(rel, '\'') || strstr(rel, ".."))))
		abort();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", dir, rel ? rel : "");
	if (system(cmd))
		abort();
}

static inline void tree_remove(const char *dir)
{
	tree_rm(dir, NULL);
}

#endif
