// SPDX-License-Identifier: MIT
/* Bounded file reads: see file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"

#define FIRST_CAP 4096 /* when the size is unknown (/proc files say 0) */

/* read(2) when @off is negative, else pread(2) at @off: until @n bytes or the end. */
static ssize_t io_full(int fd, void *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		char *p = (char *)buf + done;
		ssize_t r =
		    off < 0 ? read(fd, p, n - done) : pread(fd, p, n - done, off + (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t file__read_full(int fd, void *buf, size_t n)
{
	return io_full(fd, buf, n, -1);
}

ssize_t file__pread_full(int fd, void *buf, size_t n, off_t off)
{
	return off < 0 ? -EINVAL : io_full(fd, buf, n, off);
}

int file__pread_exact(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = file__pread_full(fd, buf, n, off);

	if (r < 0)
		return (int)r;
	return (size_t)r < n ? -ENODATA : 0;
}

int file__contains(int fd, uint64_t size, const char *needle, size_t needle_len)
{
	/* each read starts with the last needle_len - 1 bytes of the one before */
	size_t keep = 0, step = FILE_SCAN_CHUNK;
	uint64_t off = 0;
	char *buf;
	int ret = 0;

	if (!needle_len || needle_len > FILE_NEEDLE_MAX)
		return -EINVAL;
	buf = malloc(step + FILE_NEEDLE_MAX);
	if (!buf)
		return -ENOMEM;
	while (off < size) {
		size_t want = size - off < step ? (size_t)(size - off) : step;
		ssize_t got = file__pread_full(fd, buf + keep, want, (off_t)off);

		if (got < 0) {
			ret = (int)got;
			break;
		}
		if (memmem(buf, keep + (size_t)got, needle, needle_len)) {
			ret = 1;
			break;
		}
		if ((size_t)got < want)
			break;
		off += (uint64_t)got;
		keep += (size_t)got;
		if (keep > needle_len - 1) {
			memmove(buf, buf + keep - (needle_len - 1), needle_len - 1);
			keep = needle_len - 1;
		}
	}
	free(buf);
	return ret;
}

int file__check_regular(int fd, size_t max, struct stat *st)
{
	if (fstat(fd, st))
		return -errno;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	if (st->st_size < 0 || (unsigned long long)st->st_size > max)
		return -EFBIG;
	return 0;
}

int file__read_fd(int fd, size_t max, unsigned int flags, char **buf, size_t *len)
{
	bool truncate = flags & FILE_TRUNCATE;
	size_t limit, cap = FIRST_CAP, got = 0;
	char *b = NULL, *nb;
	struct stat st;
	ssize_t r;
	int err = 0;

	*buf = NULL;
	*len = 0;
	if (max > SIZE_MAX / 2)
		return -EINVAL;
	/* One byte past @max tells a longer file from one of exactly @max bytes. */
	limit = truncate ? max : max + 1;
	if (flags & FILE_REGULAR) {
		err = file__check_regular(fd, truncate ? SIZE_MAX : max, &st);
		if (err)
			return err;
		/* One allocation for the size stat saw, and a byte more to meet the end. */
		if (st.st_size > 0)
			cap =
			    (unsigned long long)st.st_size < limit ? (size_t)st.st_size + 1 : limit;
	}
	if (cap > limit)
		cap = limit;
	b = malloc(cap + 1);
	if (!b)
		return -ENOMEM;
	for (;;) {
		r = file__read_full(fd, b + got, cap - got);
		if (r < 0) {
			err = (int)r;
			goto cleanup;
		}
		got += (size_t)r;
		if (got < cap || cap == limit)
			break;
		cap = cap > limit / 2 ? limit : cap * 2;
		nb = realloc(b, cap + 1);
		if (!nb) {
			err = -ENOMEM;
			goto cleanup;
		}
		b = nb;
	}
	if (got > max) {
		err = -EFBIG;
		goto cleanup;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	b = NULL;
cleanup:
	free(b);
	return err;
}

int file__read_at(int dirfd, const char *path, size_t max, unsigned int flags, char **buf,
		  size_t *len)
{
	int oflags = O_RDONLY | O_NOCTTY | O_CLOEXEC, fd, err;

	*buf = NULL;
	*len = 0;
	/* Only when a FIFO would be refused anyway: a reader of one may want to wait. */
	if (flags & FILE_REGULAR)
		oflags |= O_NONBLOCK;
	fd = openat(dirfd, path, oflags);
	if (fd < 0)
		return -errno;
	err = file__read_fd(fd, max, flags, buf, len);
	close(fd);
	return err;
}
