/* SPDX-License-Identifier: MIT */
/*
 * Opening files as a process sees them: every path is resolved inside the
 * root directory open at @root_fd (a process's /proc/PID/root, or "/" for the
 * host). Symlinks and ".." are confined to that root and magic links
 * (/proc/self/fd/N, ...) are refused, so a hostile container filesystem can
 * never make rmmhunt read a host file.
 */
#ifndef RMMHUNT_ROOT_H
#define RMMHUNT_ROOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * openat2(2) of @path (absolute or relative, both taken from the root) with
 * RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS. @flags are open(2) flags without
 * O_CREAT/O_TMPFILE (-EINVAL); O_CLOEXEC is always added. @root_fd may be AT_FDCWD to mean the host
 * root "/". Returns the new fd or a negative errno (-ENOSYS before Linux 5.6: there is deliberately
 * no unconfined fallback).
 */
int root__open(int root_fd, const char *path, int flags);
/*
 * root__open() only through what the kernel's lookup cache holds
 * (RESOLVE_CACHED): -EAGAIN when a component would need a revalidation or a
 * read, so the walk never waits on a file system.
 */
int root__open_cached(int root_fd, const char *path, int flags);

/* fstat(2) of @path inside the root (without opening it for reading). */
int root__stat(int root_fd, const char *path, struct stat *st);

/*
 * Opens @path inside the root for reading, if it is a regular file of at most
 * @max bytes (else -EINVAL or -EFBIG; a FIFO never blocks the open). Returns
 * the fd, its stat in @st, or a negative errno.
 */
int root__open_regular(int root_fd, const char *path, size_t max, struct stat *st);

/*
 * Reads the whole regular file @path inside the root into a new NUL-terminated
 * buffer (*@buf, to free()), at most @max bytes: a larger file is -EFBIG, a
 * non-regular one -EINVAL. The file's stat goes to @st when not NULL.
 */
int root__read_file(int root_fd, const char *path, size_t max, char **buf, size_t *len,
		    struct stat *st);

/*
 * Whether the top-level directory @dir ("bin", "sbin", "lib", ...) of the
 * root is a symlink to usr/@dir, as on merged-/usr systems.
 */
int root__is_usr_alias(int root_fd, const char *dir);

/*
 * The other spelling of the absolute @path when the root is merged-/usr:
 * /bin/x <-> /usr/bin/x (also sbin, lib, lib32, lib64, libx32), written to
 * @alt (@size bytes). Returns 1 when there is one, else 0.
 */
int root__usr_alt_path(int root_fd, const char *path, char *alt, size_t size);

/* A root directory as the kernel knows it: its mount and its inode. */
struct root_id {
	uint64_t mnt_id; /* the mount's id, as in /proc/PID/mountinfo; never 0 */
	uint64_t ino;
};

/*
 * The mount and inode of the directory open at @fd (O_PATH is fine), as the
 * kernel numbers them: what the exec hook reads from the process's root.
 * From /proc/self/fdinfo, so the file system is never asked and a hung one
 * cannot block the caller. Before Linux 5.14 fdinfo shows no inode: then it
 * is statx(2)'s without revalidation (AT_STATX_DONT_SYNC: NFS and FUSE answer
 * from their cache). 0 or a negative errno.
 */
int root__id(int fd, struct root_id *out);

#endif
