/* SPDX-License-Identifier: MIT */
/*
 * Bounded file reads. Every read here is limited by the caller (files we read
 * can be hostile or huge), retried on EINTR, and continued after a short read,
 * so a caller sees either the bytes it asked for, the end of the file, or a
 * negative errno.
 */
#ifndef RMMHUNT_FILE_H
#define RMMHUNT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

enum file_read_flags {
	/* Refuse what is not a regular file (-EINVAL), and one whose size is over the
	 * bound (-EFBIG) before reading; the open does not wait on a FIFO. */
	FILE_REGULAR = 1u << 0,
	/* Past the bound, keep the first bytes instead of failing with -EFBIG: for
	 * /proc files, whose head is all a caller wants. */
	FILE_TRUNCATE = 1u << 1,
};

/*
 * Reads up to @n bytes of @fd from its offset into @buf. Returns how many were
 * read, fewer than @n only at the end of the file, or a negative errno.
 */
ssize_t file__read_full(int fd, void *buf, size_t n);

/* The same at offset @off (pread(2)): the offset of @fd does not move. */
ssize_t file__pread_full(int fd, void *buf, size_t n, off_t off);

/* Exactly @n bytes at @off: 0, a negative errno, or -ENODATA when the file
 * ends first. */
int file__pread_exact(int fd, void *buf, size_t n, off_t off);

/*
 * Whether @needle (1 to FILE_NEEDLE_MAX bytes) occurs in the first @size bytes
 * of @fd: 1, 0 (also when the file ends first), or a negative errno. Reads
 * FILE_SCAN_CHUNK bytes at a time, whatever @size.
 */
#define FILE_NEEDLE_MAX 256
#define FILE_SCAN_CHUNK (64u << 10)
int file__contains(int fd, uint64_t size, const char *needle, size_t needle_len);

/* fstat of @fd into @st: 0, or -EINVAL when it is not a regular file, -EFBIG
 * when it is larger than @max bytes. */
int file__check_regular(int fd, size_t max, struct stat *st);

/*
 * Reads @fd from its offset to the end into a new NUL-terminated buffer
 * (*@buf, to free(); @len bytes without the NUL), at most @max bytes: a longer
 * file is -EFBIG unless @flags has FILE_TRUNCATE. @max is below SIZE_MAX / 2
 * (-EINVAL). On error *@buf is NULL.
 */
int file__read_fd(int fd, size_t max, unsigned int flags, char **buf, size_t *len);

/* The same for @path, opened relative to @dirfd (AT_FDCWD, or a directory fd) as
 * openat(2) does; open errors are returned as they are (-ENOENT, ...). */
int file__read_at(int dirfd, const char *path, size_t max, unsigned int flags, char **buf,
		  size_t *len);

#endif
