// SPDX-License-Identifier: MIT
/* Windows paths to Unix paths inside a process's root: see winepath.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/path.h"
#include "identity/winepath.h"

#define WP_MAX_LINKS   40    /* as the kernel's MAXSYMLINKS */
#define WP_MAX_DIRENTS 65536 /* entries scanned for one case-insensitive match */
#define WP_PATH_MAX    4096

/*
 * Opens the directory @rel (relative to the root, "" for the root itself). The
 * components were resolved by hand already; RESOLVE_IN_ROOT keeps a concurrent
 * rename from leading us out of the root anyway.
 */
static int open_dir(int root_fd, const char *rel)
{
	struct open_how how = {
	    .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *p = *rel ? rel : ".";
	int fd = syscall(SYS_openat2, root_fd, p, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(root_fd, p, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* The entry of @dir_fd equal to @name ignoring ASCII case, copied to @out. */
static int find_nocase(int dir_fd, const char *name, char *out, size_t n)
{
	struct dirent *de;
	int ret = -ENOENT, fd, count = 0;
	DIR *d;

	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d)) && count++ < WP_MAX_DIRENTS) {
		if (strcasecmp(de->d_name, name))
			continue;
		if (strlen(de->d_name) >= n) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(out, de->d_name);
		ret = 0;
		break;
	}
	closedir(d);
	return ret;
}

/* Splits the first component off @p (slashes skipped) into @comp. */
static const char *next_component(const char *p, char *comp, size_t n, int *err)
{
	size_t len;

	while (*p == '/')
		p++;
	len = strcspn(p, "/");
	if (len >= n) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	memcpy(comp, p, len);
	comp[len] = '\0';
	return p + len;
}

static int resolve(int root_fd, const char *base, const char *path, bool want_file, char *out,
		   size_t n)
{
	char pending[2 * WP_PATH_MAX], next[2 * WP_PATH_MAX], cur[WP_PATH_MAX] = "";
	char comp[NAME_MAX + 1], target[WP_PATH_MAX];
	size_t cur_len = 0;
	int links = 0, err = 0;
	const char *p;

	if (path[0] == '/' || !base)
		base = "";
	if ((size_t)snprintf(pending, sizeof(pending), "%s/%s", base, path) >= sizeof(pending))
		return -ENAMETOOLONG;

	p = pending;
	for (;;) {
		struct stat st;
		int dir_fd;
		bool last;

		p = next_component(p, comp, sizeof(comp), &err);
		if (!p)
			return err;
		if (!comp[0])
			break;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *slash = strrchr(cur, '/');

			if (slash) {
				*slash = '\0';
				cur_len = slash - cur;
			}
			continue;
		}
		last = !p[strspn(p, "/")];

		dir_fd = open_dir(root_fd, cur_len ? cur + 1 : "");
		if (dir_fd < 0)
			return dir_fd;
		err = fstatat(dir_fd, comp, &st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
		if (err == -ENOENT) {
			/* Wine's file names ignore case: take the entry as spelled on disk. */
			err = find_nocase(dir_fd, comp, comp, sizeof(comp));
			if (!err)
				err = fstatat(dir_fd, comp, &st, AT_SYMLINK_NOFOLLOW) ? -errno : 0;
		}
		if (!err && S_ISLNK(st.st_mode)) {
			ssize_t len;

			len = readlinkat(dir_fd, comp, target, sizeof(target) - 1);
			if (len < 0)
				err = -errno;
			else if (++links > WP_MAX_LINKS)
				err = -ELOOP;
			if (!err) {
				target[len] = '\0';
				if ((size_t)snprintf(next, sizeof(next), "%s/%s", target, p) >=
				    sizeof(next))
					err = -ENAMETOOLONG;
			}
			close(dir_fd);
			if (err)
				return err;
			if (target[0] == '/')
				cur[cur_len = 0] = '\0';
			memcpy(pending, next, sizeof(pending));
			p = pending;
			continue;
		}
		close(dir_fd);
		if (err)
			return err;
		if (!last && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (last && want_file && !S_ISREG(st.st_mode))
			return -ENOENT;
		if (cur_len + 1 + strlen(comp) >= sizeof(cur))
			return -ENAMETOOLONG;
		cur[cur_len++] = '/';
		strcpy(cur + cur_len, comp);
		cur_len += strlen(comp);
	}
	if ((size_t)snprintf(out, n, "%s", cur_len ? cur : "/") >= n)
		return -ENAMETOOLONG;
	return 0;
}

int winepath__resolve(int root_fd, const char *base, const char *path, char *out, size_t n)
{
	return resolve(root_fd, base, path, false, out, n);
}

int winepath__drive(const struct winepath *wp, char letter, char *out, size_t n)
{
	char link[] = "dosdevices/c:";

	if (!isalpha((unsigned char)letter))
		return -EINVAL;
	link[sizeof(link) - 3] = tolower((unsigned char)letter);
	return resolve(wp->root_fd, wp->prefix, link, false, out, n);
}

/* Copies @src to @dst with backslashes turned into slashes. */
static int to_slashes(const char *src, char *dst, size_t n)
{
	size_t i;

	for (i = 0; src[i]; i++) {
		if (i + 1 >= n)
			return -ENAMETOOLONG;
		dst[i] = src[i] == '\\' ? '/' : src[i];
	}
	dst[i] = '\0';
	return 0;
}

static bool has_extension(const char *path)
{
	return strchr(path__base(path), '.') != NULL;
}

/* @rel under @dir as a regular file, or with ".exe" appended when it has no extension. */
static int find_file(const struct winepath *wp, const char *dir, const char *rel, char *out,
		     size_t n)
{
	char with_ext[WP_PATH_MAX];
	int err;

	err = resolve(wp->root_fd, dir, rel, true, out, n);
	if (err != -ENOENT || has_extension(rel))
		return err;
	if ((size_t)snprintf(with_ext, sizeof(with_ext), "%s.exe", rel) >= sizeof(with_ext))
		return -ENAMETOOLONG;
	return resolve(wp->root_fd, dir, with_ext, true, out, n);
}

int winepath__find_program(const struct winepath *wp, const char *path, const char *search_dir,
			   char *out, size_t n)
{
	char rel[WP_PATH_MAX], dir[WP_PATH_MAX], win[WP_PATH_MAX];
	int err;

	/* NT namespace spellings of a DOS path. */
	if (!strncmp(path, "\\\\?\\", 4) || !strncmp(path, "\\??\\", 4))
		path += 4;
	if (!path[0])
		return -ENOENT;

	if (isalpha((unsigned char)path[0]) && path[1] == ':') {
		err = winepath__drive(wp, path[0], dir, sizeof(dir));
		if (!err)
			err = to_slashes(path + 2 + strspn(path + 2, "\\/"), rel, sizeof(rel));
		return err ? err : find_file(wp, dir, rel, out, n);
	}
	if (path[0] == '/')
		return find_file(wp, "/", path, out, n);
	if (path[0] == '\\') {
		if (path[1] == '\\')
			return -EOPNOTSUPP; /* UNC: a network share, not a local file */
		/* Root of the current drive: the drive the cwd is on. */
		if (!wp->cwd || winepath__to_windows(wp, wp->cwd, win, sizeof(win)))
			return -ENOENT;
		err = winepath__drive(wp, win[0], dir, sizeof(dir));
		if (!err)
			err = to_slashes(path + strspn(path, "\\"), rel, sizeof(rel));
		return err ? err : find_file(wp, dir, rel, out, n);
	}

	err = to_slashes(path, rel, sizeof(rel));
	if (err)
		return err;
	if (strchr(rel, '/'))
		return wp->cwd ? find_file(wp, wp->cwd, rel, out, n) : -ENOENT;

	/* A bare name: the search order of CreateProcess, minus PATH. */
	if (search_dir && !find_file(wp, search_dir, rel, out, n))
		return 0;
	if (wp->cwd && !find_file(wp, wp->cwd, rel, out, n))
		return 0;
	if (!winepath__drive(wp, 'c', dir, sizeof(dir))) {
		char sys[WP_PATH_MAX];

		if ((size_t)snprintf(sys, sizeof(sys), "%s/windows/system32", dir) < sizeof(sys) &&
		    !find_file(wp, sys, rel, out, n))
			return 0;
		if ((size_t)snprintf(sys, sizeof(sys), "%s/windows", dir) < sizeof(sys) &&
		    !find_file(wp, sys, rel, out, n))
			return 0;
	}
	return -ENOENT;
}

int winepath__to_windows(const struct winepath *wp, const char *unix_path, char *out, size_t n)
{
	char dosdevices[WP_PATH_MAX], target[WP_PATH_MAX];
	size_t best_len = 0, len, i, o;
	int best = -1, fd, err, count = 0;
	struct dirent *de;
	const char *rest;
	DIR *d;

	err = resolve(wp->root_fd, wp->prefix, "dosdevices", false, dosdevices, sizeof(dosdevices));
	if (err)
		return err;
	fd = open_dir(wp->root_fd, dosdevices + 1);
	if (fd < 0)
		return fd;
	err = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (err < 0)
		return -errno;
	d = fdopendir(err);
	if (!d) {
		close(err);
		return -ENOMEM;
	}
	/* The drive with the longest target containing the path: C: beats Z: (/). */
	while ((de = readdir(d)) && count++ < WP_MAX_DIRENTS) {
		const char *name = de->d_name;

		if (!isalpha((unsigned char)name[0]) || name[1] != ':' || name[2])
			continue;
		if (winepath__drive(wp, name[0], target, sizeof(target)))
			continue;
		len = strcmp(target, "/") ? strlen(target) : 0;
		if (strncmp(unix_path, target, len) || (unix_path[len] && unix_path[len] != '/'))
			continue;
		if (best < 0 || len > best_len) {
			best = toupper((unsigned char)name[0]);
			best_len = len;
		}
	}
	closedir(d);
	if (best < 0)
		return -ENOENT;

	rest = unix_path + best_len;
	while (*rest == '/')
		rest++;
	if (n < 4)
		return -ENAMETOOLONG;
	out[0] = best;
	out[1] = ':';
	out[2] = '\\';
	for (i = 0, o = 3; rest[i]; i++, o++) {
		if (o + 1 >= n)
			return -ENAMETOOLONG;
		out[o] = rest[i] == '/' ? '\\' : rest[i];
	}
	out[o] = '\0';
	return 0;
}
