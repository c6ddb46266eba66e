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
 * The root the process sees (O_PATH). Once it is gone: ours when it shared
 * our mounts (@self_mnt_ns), else that of its parent or of init in the same
 * mounts. -1 when none is known.
 */
int procfs__open_root(int proc_fd, const struct exec_event *k, uint64_t self_mnt_ns);

/*
 * @path inside the process's root: the kernel names the executable from our
 * root, so for a process chroot'ed in our mounts the path starts with its
 * root's, and lookups inside that root need the rest.
 */
const char *procfs__path_in_root(int proc_fd, const char *path);

/*
 * The executable's path as /proc/PID/exe names it (" (deleted)" dropped),
 * when it is still the inode exec'd. The length, or -ESRCH.
 */
ssize_t procfs__exe(int proc_fd, const struct exec_event *k, char *out, size_t size);
/* The current directory's path; the length, or -ESRCH. */
ssize_t procfs__cwd(int proc_fd, char *out, size_t size);
/* argv as /proc/PID/cmdline has it, NUL-separated; its bytes, or -ESRCH. */
ssize_t procfs__cmdline(int proc_fd, char *out, size_t size);

#endif
