/* SPDX-License-Identifier: MIT */
/*
 * The process behind an exec as /proc shows it, while it lives: its
 * directory, its root, and what the kernel record could not carry whole (a
 * path deeper than the kernel walks, argv whose pages were not present).
 * Every answer is checked to be the process that exec'd, never a pid reused.
 */
#ifndef RMMHUNT_PROCFS_H
#define RMMHUNT_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/decode.h"

/* /proc/PID of the process that exec'd (O_PATH), or -ESRCH once it is gone or the pid reused. */
int procfs__open_dir(const struct exec_info *x);

/*
 * The root @k was exec'd in (O_PATH), as the kernel recorded it at the exec:
 * the process's root while it is still that one, else (it chroot'ed since, or
 * it is gone) ours when it shares our mounts (@self_mnt_ns), else its
 * parent's or init's in the same mounts, whichever is that root; when none
 * is, -1, or ours for an exec in other mounts (a copy of ours, maybe: the
 * reader takes only the very file exec'd there, identity/reader.c). A
 * record without one (a snapshot's) takes the first of these that opens.
 */
int procfs__open_root(int proc_fd, const struct exec_event *k, uint64_t self_mnt_ns);

/*
 * @path inside the root open at @root_fd: the kernel names the executable
 * from the top of the process's mounts, so for a process chroot'ed in them
 * the path starts with its root's, and lookups inside that root need the
 * rest. NULL when @path is not under that root (it is no file in it); @path
 * itself when the root is "/" or its name unknown.
 */
const char *procfs__path_in_root(int root_fd, const char *path);

/*
 * The executable's path as /proc/PID/exe names it (" (deleted)" dropped),
 * when it is still the inode exec'd. The length, or -ESRCH.
 */
ssize_t procfs__exe(int proc_fd, const struct exec_event *k, char *out, size_t size);
/* The current directory's path; the length, or -ESRCH. */
ssize_t procfs__cwd(int proc_fd, char *out, size_t size);
/* argv as /proc/PID/cmdline has it, NUL-separated; its bytes, or -ESRCH. */
ssize_t procfs__cmdline(int proc_fd, char *out, size_t size);

/* An exec with what the kernel record could not carry, completed: procfs__complete. */
struct procfs_completion {
	struct exec_info x;
	char argv[ARGV_MAX];
	uint32_t missing;   /* EXEC_EXE_TRUNCATED, EXEC_CWD_TRUNCATED: the column is unknown */
	char exe_leaf[256]; /* FileName when the executable's path is unknown */
};

/*
 * What the kernel record could not carry whole, from /proc while the process
 * lives (@proc_fd): a path deeper than the kernel walks, argv whose pages
 * were not present. @x itself when nothing is missing, else @c->x: the record
 * with what /proc gave, and "" for a path still unknown (@c->missing says
 * which), never the kernel's partial path, which would read as a wrong
 * absolute one. Valid until the next call with @c.
 */
const struct exec_info *procfs__complete(struct procfs_completion *c, const struct exec_info *x,
					 int proc_fd);

#endif
