/* SPDX-License-Identifier: MIT */
/*
 * Reading /proc: for processes that were running before rmmhunt started (the
 * snapshot) and for parents it never saw exec. Every read is bounded, and a
 * process that vanishes mid-read is an ordinary -ENOENT/-ESRCH.
 */
#ifndef RMMHUNT_PROC_H
#define RMMHUNT_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_stat {
	char state; /* R running, S/D sleeping, Z zombie, X dead... */
	pid_t ppid;
	uint64_t start_boot_ns; /* start time on the boot clock */
	char comm[16];
};

/* Parses the text of /proc/PID/stat (comm may hold spaces and ')'). */
int proc__parse_stat(const char *text, struct proc_stat *out);
int proc__read_stat(pid_t pid, struct proc_stat *out);
/* The same through @proc_fd, /proc/PID open: that process's, never a later one's of its pid. */
int proc__read_stat_at(int proc_fd, struct proc_stat *out);

/* Real, effective uid and gid from the text of /proc/PID/status. */
int proc__parse_status_ids(const char *text, uint32_t *uid, uint32_t *euid, uint32_t *gid);

/* Reads at most @size bytes of /proc/PID/<name> into @buf; returns the length or -errno. */
ssize_t proc__read_file(pid_t pid, const char *name, char *buf, size_t size);
/* readlink of /proc/PID/<name> (exe, cwd, root), NUL-terminated; length or -errno. */
ssize_t proc__readlink(pid_t pid, const char *name, char *buf, size_t size);

/* Calls @fn for every process (not thread) in /proc; stops early if @fn returns non-zero. */
int proc__for_each_pid(int (*fn)(void *ctx, pid_t pid), void *ctx);

#endif
