// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include "base/file.h"
#include "identity/root.h"

/* glibc 2.36 has no openat2() wrapper. */
static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

#ifndef RESOLVE_CACHED
#define RESOLVE_CACHED 0x20 /* Linux 5.12 */
#endif

static int open_in_root(int root_fd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = {
	    .flags = (unsigned int)flags | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve,
	};
	int host = -1, fd = -EAGAIN;

	if (!path || !*path)
		return -EINVAL;
	/* Reading only: no mode to pass, nothing created in someone else's root. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return -EINVAL;
	/* RESOLVE_IN_ROOT with AT_FDCWD would confine to the cwd, not to "/". */
	if (root_fd == AT_FDCWD) {
		host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (host < 0)
			return -errno;
		root_fd = host;
	}
	/* EAGAIN: a rename or mount raced the walk, and the kernel wants a retry. */
	for (int i = 0; i < 8 && fd == -EAGAIN; i++) {
		fd = sys_openat2(root_fd, path, &how);
		if (fd < 0)
			fd = -errno;
	}
	if (host >= 0)
		close(host);
	return fd;
}

int root__id(int fd, struct root_id *out)
{
	char path[48], buf[512], *p;
	struct statx stx;
	ssize_t n;
	int info;

	*out = (struct root_id){0};
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return -errno;
	n = file__read_full(info, buf, sizeof(buf) - 1);
	close(info);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	/* "pos:", "flags:", "mnt_id:", "ino:" lead, before any file system's own lines */
	p = strstr(buf, "\nmnt_id:");
	if (!p || sscanf(p + 8, "%" SCNu64, &out->mnt_id) != 1 || !out->mnt_id)
		return -ENODATA;
	p = strstr(buf, "\nino:");
	if (p && sscanf(p + 5, "%" SCNu64, &out->ino) == 1)
		return 0;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_INO, &stx))
		return -errno;
	out->ino = stx.stx_ino;
	return 0;
}

int root__open(int root_fd, const char *path, int flags)
{
	return open_in_root(root_fd, path, flags, 0);
}

int root__open_cached(int root_fd, const char *path, int flags)
{
	int fd = open_in_root(root_fd, path, flags, RESOLVE_CACHED);

	/* a kernel without RESOLVE_CACHED: the walk could wait, so it is not taken */
	return fd == -EINVAL ? -EAGAIN : fd;
}

int root__stat(int root_fd, const char *path, struct stat *st)
{
	int fd, err = 0;

	fd = root__open(root_fd, path, O_PATH);
	if (fd < 0)
		return fd;
	if (fstat(fd, st))
		err = -errno;
	close(fd);
	return err;
}

int root__open_regular(int root_fd, const char *path, size_t max, struct stat *st)
{
	int fd, err;

	/* O_NONBLOCK: a FIFO planted in place of a database must not hang us. */
	fd = root__open(root_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	err = file__check_regular(fd, max, st);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int root__read_file(int root_fd, const char *path, size_t max, char **buf, size_t *len,
		    struct stat *st)
{
	struct stat sb;
	int fd, err;

	*buf = NULL;
	*len = 0;
	fd = root__open_regular(root_fd, path, max, &sb);
	if (fd < 0)
		return fd;
	/* The file may change size under us: never read past the size checked. */
	err = file__read_fd(fd, (size_t)sb.st_size, FILE_TRUNCATE, buf, len);
	if (!err && st)
		*st = sb;
	close(fd);
	return err;
}

int root__is_usr_alias(int root_fd, const char *dir)
{
	char target[PATH_MAX], want[PATH_MAX];
	int host = -1, ret = 0;
	ssize_t n;

	if (root_fd == AT_FDCWD) {
		host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (host < 0)
			return 0;
		root_fd = host;
	}
	/* A single component: readlinkat() resolves nothing, so this stays in the root. */
	if (strchr(dir, '/'))
		goto cleanup;
	n = readlinkat(root_fd, dir, target, sizeof(target) - 1);
	if (n <= 0)
		goto cleanup;
	target[n] = '\0';
	snprintf(want, sizeof(want), "usr/%s", dir);
	ret = !strcmp(target, want) || (target[0] == '/' && !strcmp(target + 1, want));
cleanup:
	if (host >= 0)
		close(host);
	return ret;
}

int root__usr_alt_path(int root_fd, const char *path, char *alt, size_t size)
{
	static const char *const dirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const char *d = dirs[i];
		size_t dl = strlen(d);

		/* /usr/<dir>/x -> /<dir>/x */
		if (n > 5 + dl && !memcmp(path, "/usr/", 5) && !memcmp(path + 5, d, dl) &&
		    path[5 + dl] == '/') {
			if (n - 4 >= size || !root__is_usr_alias(root_fd, d))
				return 0;
			memcpy(alt, path + 4, n - 4 + 1);
			return 1;
		}
		/* /<dir>/x -> /usr/<dir>/x */
		if (n > 1 + dl && path[0] == '/' && !memcmp(path + 1, d, dl) &&
		    path[1 + dl] == '/') {
			if (n + 4 >= size || !root__is_usr_alias(root_fd, d))
				return 0;
			memcpy(alt, "/usr", 4);
			memcpy(alt + 4, path, n + 1);
			return 1;
		}
	}
	return 0;
}
