// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/proc.h"
#include "capture/snapshot.h"

/* One process's record, reused for the next: exec_event and argv are large. */
struct snapshot {
	snapshot_fn fn;
	void *ctx;
	struct exec_event k;
	struct exec_info x;
	char argv[ARGV_MAX];
};

/* The inode of /proc/PID/@name (its target for a link), or 0. */
static uint64_t proc_ino(pid_t pid, const char *name, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return stat(path, st) ? 0 : st->st_ino;
}

/*
 * What the kernel side records of the executable and namespaces at exec, as
 * /proc shows them now: the same fields, so a snapshot record is used like a
 * live one (the executable checked by inode, the namespaces reported).
 */
static void set_ids(struct exec_event *k, pid_t pid)
{
	struct stat st;

	k->pid_ns = proc_ino(pid, "ns/pid", &st);
	k->mnt_ns = proc_ino(pid, "ns/mnt", &st);
	if (!proc_ino(pid, "exe", &st))
		return;
	k->exe_ino = st.st_ino;
	/* the kernel's s_dev encoding (MKDEV), as the exec hook reports it */
	k->exe_dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	k->exe_ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	k->exe_size = st.st_size;
}

/* Builds the exec_info of running process @pid from /proc and hands it on; 0 if it is gone. */
static int snapshot_one(void *ctx, pid_t pid)
{
	struct snapshot *s = ctx;
	struct exec_event *k = &s->k;
	struct exec_info *x = &s->x;
	struct proc_stat st;
	char status[4096], num[32];
	ssize_t n;

	/* kernel threads have no exe; skip them and ourselves */
	if (pid == getpid() || proc__read_stat(pid, &st))
		return 0;
	memset(x, 0, sizeof(*x));
	if (proc__readlink(pid, "exe", x->exe_buf, sizeof(x->exe_buf)) <= 0)
		return 0;
	memset(k, 0, EXEC_EVENT_HDR_SIZE);
	k->tgid = k->pid = pid;
	k->ppid = k->forker_tgid = k->image_tgid = st.ppid;
	k->start_boot_ns = st.start_boot_ns;
	memcpy(k->comm, st.comm, sizeof(k->comm));
	set_ids(k, pid);
	n = proc__read_file(pid, "status", status, sizeof(status) - 1);
	if (n > 0) {
		status[n] = '\0';
		proc__parse_status_ids(status, &k->uid, &k->euid, &k->gid);
	}
	n = proc__read_file(pid, "loginuid", num, sizeof(num) - 1);
	k->loginuid = n > 0 ? (num[n] = '\0', (uint32_t)strtoul(num, NULL, 10)) : (uint32_t)-1;
	n = proc__read_file(pid, "sessionid", num, sizeof(num) - 1);
	k->sessionid = n > 0 ? (num[n] = '\0', (uint32_t)strtoul(num, NULL, 10)) : (uint32_t)-1;
	n = proc__read_file(pid, "cmdline", s->argv, sizeof(s->argv));
	x->argv = s->argv;
	x->argv_size = n > 0 ? n : 0;
	k->argv_len = x->argv_size;
	if (proc__readlink(pid, "cwd", x->cwd_buf, sizeof(x->cwd_buf)) <= 0)
		strcpy(x->cwd_buf, "");
	n = proc__read_file(pid, "cgroup", status, sizeof(status) - 1);
	strcpy(x->cgroup_buf, "/");
	if (n > 0) {
		char *v2;

		status[n] = '\0';
		v2 = strstr(status, "0::");
		if (v2 && (v2 == status || v2[-1] == '\n'))
			sscanf(v2 + 3, "%4095[^\n]", x->cgroup_buf);
	}
	/* "/usr/bin/x (deleted)" is how /proc shows an unlinked executable */
	if (strlen(x->exe_buf) > 10 &&
	    !strcmp(x->exe_buf + strlen(x->exe_buf) - 10, " (deleted)")) {
		x->exe_buf[strlen(x->exe_buf) - 10] = '\0';
		k->flags |= EXEC_EXE_DELETED;
	}
	x->k = k;
	x->exe = x->exe_buf;
	x->filename = x->exe_buf;
	x->cwd = x->cwd_buf;
	x->cgroup = x->cgroup_buf;
	x->from_snapshot = true;
	return s->fn(s->ctx, x);
}

int snapshot__run(snapshot_fn fn, void *ctx)
{
	struct snapshot *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->fn = fn;
	s->ctx = ctx;
	err = proc__for_each_pid(snapshot_one, s);
	free(s);
	return err;
}
