/* SPDX-License-Identifier: MIT */
/*
 * The process behind an exec as /proc shows it, while it lives: its
 * directory, its root, and what the kernel record could not carry whole (a
 * path deeper than the kernel walks, argv whose pages were not present).
 * Every answer is checked to be the process that exec'd, never a pid reused.
 */
#ifndef RMMHUNT_PROCFS_H
#define RMMHUNT_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/decode.h"

/* /proc/PID of the process that exec'd (O_PATH), or -ESRCH once it is gone or the pid reused. */
int procfs__open_dir(const struct exec_info *x);

/*
 * /proc/PID of one exec, opened at its first use: most execs need none (the
 * kernel record, the caches and the reader's inline open answer them), and
 * opening it costs a lookup and a read of /proc/PID/stat.
 */
struct procfs_dir {
	const struct exec_info *x;
	int fd; /* procfs__open_dir()'s answer, once opened */
	bool opened;
};

void procfs__dir_init(struct procfs_dir *d, const struct exec_info *x);
/* procfs__open_dir() of d->x, the first time; the same fd (or error) after. */
int procfs__dir(struct procfs_dir *d);
void procfs__dir_close(struct procfs_dir *d);

/*
 * What /proc/PID/cgroup names for the exec (container__read_proc_cgroup):
 * read once for each set of cgroups, as the kernel keys it (cgroups_key),
 * and trusted for PROCFS_CGROUPS_TTL_NS of exec time (a v1 cgroup renamed
 * since shows its new name after that); read each time when the kernel gave
 * no key. 0, or a negative errno (-ESRCH: the process is gone, and its
 * cgroups were not read lately).
 */
#define PROCFS_CGROUPS_TTL_NS 1000000000ULL
#define PROCFS_CGROUPS_SLOTS  64
#define PROCFS_CGROUP_KEPT    256 /* longer paths are read each time */
struct procfs_cgroups;
struct procfs_cgroups *procfs__cgroups_new(void);
void procfs__cgroups_free(struct procfs_cgroups *c); /* NULL is fine */
int procfs__cgroup(struct procfs_cgroups *c, struct procfs_dir *d, char *out, size_t size);

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
 * lives (@d, opened only then): a path deeper than the kernel walks, argv whose pages
 * were not present. @x itself when nothing is missing, else @c->x: the record
 * with what /proc gave, and "" for a path still unknown (@c->missing says
 * which), never the kernel's partial path, which would read as a wrong
 * absolute one. Valid until the next call with @c.
 */
const struct exec_info *procfs__complete(struct procfs_completion *c, const struct exec_info *x,
					 struct procfs_dir *d);

#endif
