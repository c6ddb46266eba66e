// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "base/path.h"
#include "base/proc.h"
#include "identity/container.h"
#include "identity/root.h"
#include "pipeline/procfs.h"

int procfs__open_dir(const struct exec_info *x)
{
	const uint64_t tick_ns = 1000000000ULL / (sysconf(_SC_CLK_TCK) ?: 100);
	struct proc_stat st;
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/%u", x->k->tgid);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (x->from_snapshot)
		return fd;
	if (proc__read_stat_at(fd, &st) || st.start_boot_ns + 2 * tick_ns < x->k->start_boot_ns ||
	    st.start_boot_ns > x->k->start_boot_ns + 2 * tick_ns) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

void procfs__dir_init(struct procfs_dir *d, const struct exec_info *x)
{
	*d = (struct procfs_dir){.x = x, .fd = -ESRCH};
}

int procfs__dir(struct procfs_dir *d)
{
	if (!d->opened) {
		d->fd = procfs__open_dir(d->x);
		d->opened = true;
	}
	return d->fd;
}

void procfs__dir_close(struct procfs_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -ESRCH;
}

struct cgroups_slot {
	uint64_t key;	  /* 0: empty */
	uint64_t read_ns; /* the boot time of the exec it was read for */
	char path[PROCFS_CGROUP_KEPT];
};

struct procfs_cgroups {
	struct cgroups_slot slot[PROCFS_CGROUPS_SLOTS];
};

struct procfs_cgroups *procfs__cgroups_new(void)
{
	return calloc(1, sizeof(struct procfs_cgroups));
}

void procfs__cgroups_free(struct procfs_cgroups *c)
{
	free(c);
}

int procfs__cgroup(struct procfs_cgroups *c, struct procfs_dir *d, char *out, size_t size)
{
	uint64_t key = d->x->k->cgroups_key, now = d->x->k->boot_ns;
	struct cgroups_slot *s = &c->slot[key % PROCFS_CGROUPS_SLOTS];
	int proc_fd, err;

	/* execs on other CPUs come a little out of order: an earlier one is as fresh */
	if (key && s->key == key && (int64_t)(now - s->read_ns) < (int64_t)PROCFS_CGROUPS_TTL_NS &&
	    (size_t)snprintf(out, size, "%s", s->path) < size)
		return 0;
	proc_fd = procfs__dir(d);
	if (proc_fd < 0)
		return proc_fd;
	err = container__read_proc_cgroup(proc_fd, out, size);
	if (err || !key)
		return err;
	if (strlen(out) < sizeof(s->path)) {
		s->key = key;
		s->read_ns = now;
		strcpy(s->path, out);
	}
	return 0;
}

/*
 * Whether @fd (closed if not) is the root @k was exec'd in. A record without
 * one (a snapshot's) takes any: the process's root now is all there is.
 */
static bool is_exec_root(int fd, const struct exec_event *k)
{
	struct root_id id;

	if (fd < 0)
		return false;
	if (!k->root_mnt_id ||
	    (!root__id(fd, &id) && id.mnt_id == k->root_mnt_id && id.ino == k->root_ino))
		return true;
	close(fd);
	return false;
}

/* The root of @pid if it is in mount namespace @mnt_ns, else -1. */
static int open_root_of(uint32_t pid, uint64_t mnt_ns)
{
	char path[48];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/ns/mnt", pid);
	if (stat(path, &st) || st.st_ino != mnt_ns)
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/root", pid);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int procfs__open_root(int proc_fd, const struct exec_event *k, uint64_t self_mnt_ns)
{
	int fd = -1;

	if (proc_fd >= 0)
		fd = openat(proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (is_exec_root(fd, k))
		return fd;
	/* it chroot'ed since the exec, or it is gone: a root like it had then */
	if (!k->mnt_ns)
		return -1;
	if (k->mnt_ns == self_mnt_ns) {
		fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (is_exec_root(fd, k))
			return fd;
	}
	fd = open_root_of(k->ppid, k->mnt_ns);
	if (is_exec_root(fd, k))
		return fd;
	fd = open_root_of(1, k->mnt_ns);
	if (is_exec_root(fd, k))
		return fd;
	/*
	 * Gone with a mount namespace of its own (`unshare -m prog` that exits
	 * at once): ours, where the reader takes the file at its path only if it
	 * is the one exec'd (inode, ctime), as a copy of our mounts has it.
	 */
	if (k->mnt_ns == self_mnt_ns)
		return -1;
	return open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

const char *procfs__path_in_root(int root_fd, const char *path)
{
	char link[32], root[PATH_MAX_BYTES];
	ssize_t n = -1;

	if (root_fd >= 0) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", root_fd);
		n = readlink(link, root, sizeof(root) - 1);
	}
	if (n <= 1 || (size_t)n >= sizeof(root) - 1)
		return path; /* unknown, unreadable, or "/" */
	if (strncmp(path, root, n) || path[n] != '/')
		return NULL; /* the kernel named it outside that root: not in it */
	return path + n;
}

/* The target of the link @name in /proc/PID, NUL-terminated; its length, or -ESRCH. */
static ssize_t read_link(int proc_fd, const char *name, char *out, size_t size)
{
	ssize_t n;

	if (proc_fd < 0 || size < 2)
		return -ESRCH;
	n = readlinkat(proc_fd, name, out, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return -ESRCH; /* gone, or longer than we keep: not a whole path */
	out[n] = '\0';
	return n;
}

ssize_t procfs__exe(int proc_fd, const struct exec_event *k, char *out, size_t size)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	struct stat st;
	ssize_t n;

	/* the inode exec'd, not what a later exec of the same process runs */
	if (proc_fd < 0 || fstatat(proc_fd, "exe", &st, 0) || st.st_ino != k->exe_ino)
		return -ESRCH;
	n = read_link(proc_fd, "exe", out, size);
	if (n > (ssize_t)dlen && !strcmp(out + n - dlen, deleted)) {
		n -= dlen;
		out[n] = '\0';
	}
	return n;
}

ssize_t procfs__cwd(int proc_fd, char *out, size_t size)
{
	return read_link(proc_fd, "cwd", out, size);
}

ssize_t procfs__cmdline(int proc_fd, char *out, size_t size)
{
	ssize_t n;
	int fd;

	if (proc_fd < 0)
		return -ESRCH;
	fd = openat(proc_fd, "cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = file__read_full(fd, out, size);
	close(fd);
	return n > 0 ? n : -ESRCH;
}

const struct exec_info *procfs__complete(struct procfs_completion *c, const struct exec_info *x,
					 struct procfs_dir *d)
{
	const uint32_t incomplete = EXEC_EXE_TRUNCATED | EXEC_CWD_TRUNCATED | EXEC_ARGV_UNREADABLE;
	const struct exec_event *k = x->k;
	struct exec_info *f = &c->x;
	int proc_fd;
	ssize_t n;

	c->missing = 0;
	if (!(k->flags & incomplete))
		return x;
	proc_fd = procfs__dir(d);
	f->k = k;
	f->filename = x->filename;
	f->cgroup = x->cgroup;
	f->from_snapshot = x->from_snapshot;
	f->exe = x->exe;
	f->cwd = x->cwd;
	f->argv = x->argv;
	f->argv_size = x->argv_size;
	if (k->flags & EXEC_EXE_TRUNCATED) {
		/* the kernel walked the path from its leaf: the file's name is whole */
		snprintf(c->exe_leaf, sizeof(c->exe_leaf), "%s", path__base(x->exe));
		n = procfs__exe(proc_fd, k, f->exe_buf, sizeof(f->exe_buf));
		f->exe = n > 0 ? f->exe_buf : "";
		if (n <= 0)
			c->missing |= EXEC_EXE_TRUNCATED;
	}
	if (k->flags & EXEC_CWD_TRUNCATED) {
		n = procfs__cwd(proc_fd, f->cwd_buf, sizeof(f->cwd_buf));
		f->cwd = n > 0 ? f->cwd_buf : "";
		if (n <= 0)
			c->missing |= EXEC_CWD_TRUNCATED;
	}
	if (k->flags & EXEC_ARGV_UNREADABLE) {
		n = procfs__cmdline(proc_fd, c->argv, sizeof(c->argv));
		f->argv = c->argv;
		f->argv_size = n > 0 ? (size_t)n : 0;
	}
	return f;
}
