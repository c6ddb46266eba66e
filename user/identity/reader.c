// SPDX-License-Identifier: MIT
/*
 * The executable behind one exec, read off the event loop: see reader.h.
 *
 * One job object of each kind is reused from exec to exec, so the hot path
 * allocates nothing; only a job abandoned at its deadline is replaced (its
 * worker frees it). Inputs are copied into the job and fds duplicated: the
 * loop closes its own right after, which must not pull a file from under a
 * worker still in a hung mount, nor let a reused fd number be read instead.
 *
 * The one exception: an exec whose answers are all cached, of a file on a
 * local file system, by a process in the monitor's own root, is opened and
 * looked up on the loop itself (open_inline), by the very code a worker runs:
 * nothing it does there can wait on a network or a FUSE daemon, and it spares
 * every repeated exec two thread switches.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "identity/accounts.h"
#include "identity/probe.h"
#include "identity/reader.h"
#include "identity/root.h"

/* An exec's package lookup, charged to the root it looks in (fsguard__enter). */
struct root_phase {
	struct fsguard_job *job;
	uint64_t key; /* root_key() */
};

struct open_job {
	struct fsguard_job base; /* first: fsguard hands back &base */
	struct wine *wine;
	struct identity_cache *ids; /* NULL: do not identify */
	struct accounts *accounts;
	/* in, the job's own */
	int proc_fd, root_fd;
	unsigned int uid;
	uint64_t exe_ino, exe_ctime_ns;
	char path[PATH_MAX_BYTES + 2];	   /* the executable inside the root */
	char exe[PATH_MAX_BYTES + 2];	   /* the executable as the kernel names it */
	char filename[PATH_MAX_BYTES + 2]; /* bprm->filename */
	char cwd[PATH_MAX_BYTES + 2];
	struct root_phase root;
	/* only what the caches hold, and no walk the dentry cache cannot answer: open_inline */
	bool cached_only;
	struct stat root_st; /* with cached_only: the root's (the monitor's own) */
	struct stat exe_st;  /* with cached_only: the executable's, once opened */
	/* out */
	struct reader_files out;
	int err;
	bool identified; /* a plain exec: its executable identified too, in e and cert */
	int id_err;
	bool pkg_refused; /* its root is hung: the package was not looked up */
	bool local;	  /* the executable was on the exec's device, a local file system */
	struct event e;
	struct event cert; /* its signatures (identity__fill_in) */
};

struct image_job {
	struct fsguard_job base;
	int pid, root_fd;
	struct wine_target t;
	int fd; /* out */
};

/* wine__resolve() or wine__try_maps() on a deep copy of the query and target. */
struct wine_job {
	struct fsguard_job base;
	struct wine *wine;
	bool resolve; /* else try_maps */
	struct wine_query q;
	struct wine_target t;
	int root_fd;
	const char *argv[READER_WINE_ARGS];
	char args[ARGV_MAX + READER_WINE_ARGS]; /* the argv strings q.argv points into */
	char cwd[WINE_PATH_MAX];
	char loader_path[WINE_PATH_MAX];
	char search_dir[WINE_PATH_MAX];
	int err; /* out, with t */
};

struct identify_job {
	struct fsguard_job base;
	struct identity_cache *ids;
	int fd, root_fd;
	char path[PATH_MAX_BYTES + 2];
	struct root_phase root;
	struct event e;	   /* out: the identity columns */
	struct event cert; /* out: the signature columns */
	int err;
	bool pkg_refused;
};

/*
 * A file the loop opened at its path and found to be the one exec'd: the exec
 * hook's key of it and what statx said. An exec with the same key runs the same
 * unchanged file (a write or chmod moves the ctime): the caches answer it so.
 */
struct known_exe {
	uint64_t dev, ino, ctime_ns, size; /* dev 0: empty */
	struct stat st;
};

struct reader {
	struct fsguard *guard;
	struct wine *wine;
	struct identity_cache *ids;
	struct open_job *open;
	int open_identified_fd; /* the exe fd whose identity r->open holds, or -1 */
	struct image_job *image;
	struct wine_job *wine_job;
	struct identify_job *identify;
	struct accounts *accounts; /* shared with the workers, like wine and ids */
	bool root_timed_out; /* the last -ETIMEDOUT was in a root's files, not an executable */
	/* for open_inline: devices seen to be local file systems, and the monitor's root */
	uint64_t local_devs[READER_LOCAL_DEVS];
	unsigned int n_local, next_local;
	uint64_t self_mnt_ns;
	int own_root_fd;	     /* the monitor's root directory, "/" */
	uint64_t own_root_key;	     /* its root_key() */
	uint64_t root_dev, root_ino; /* its device and inode */
	bool own_root_local;
	bool inline_failed; /* reader__open_cached() of this exec found a worker must open it */
	bool open_identified_known; /* r->open holds the identity of an executable not opened */
	struct known_exe known[READER_KNOWN_EXES];
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int dup_fd(int fd)
{
	return fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
}

/* Copies @s, or nothing when it does not fit: a cut path would name another file. */
static void copy_path(char *dst, size_t n, const char *s)
{
	if (!s || snprintf(dst, n, "%s", s) >= (int)n)
		dst[0] = '\0';
}

/*
 * The fsguard key of the root open at @root_fd, for the waits in its files
 * (package database, user list): its mount and inode
 * (root__id), which the loop learns without asking the file system it may
 * be waiting on. Not a device number: a root is one directory, and the
 * package database under it may be another mount (a hung NFS var/lib/dpkg
 * in a chroot on the host's disk must not refuse the host's own reads).
 * Bit 63 keeps it apart from device numbers (the kernel's fit in 32 bits);
 * two roots whose keys collide only share their refusals.
 */
static uint64_t root_key(int root_fd)
{
	const uint64_t root_bit = 1ULL << 63;
	struct root_id id;

	if (root_fd < 0 || root__id(root_fd, &id))
		return root_bit; /* unknown roots count as one */
	return root_bit | (id.mnt_id & 0x7fffffff) << 32 | (uint32_t)(id.ino ^ id.ino >> 32);
}

static int enter_root(void *ctx)
{
	struct root_phase *r = ctx;

	return fsguard__enter(r->job, r->key);
}

static void leave_root(void *ctx)
{
	fsguard__leave(((struct root_phase *)ctx)->job);
}

/*
 * identity__fill() with the package lookup charged to the root: the wait in
 * its database is the root's, the rest the executable's. *@pkg_refused: the
 * root is hung, so the package was not looked up.
 */
static int fill_identity(struct identity_cache *ids, int fd, int root_fd, const char *path,
			 struct root_phase *root, struct event *e, struct event *cert,
			 bool *pkg_refused)
{
	struct identity_root where = {
	    .fd = root_fd,
	    .path = path,
	    .enter = enter_root,
	    .leave = leave_root,
	    .ctx = root,
	};
	int err = identity__fill_in(ids, fd, &where, e, cert);

	*pkg_refused = where.skipped == -EBUSY;
	return err;
}

/* fsguard__run(), noting whether an overrun was in the files of root @root_key. */
static int run(struct reader *r, struct fsguard_job *job, uint64_t root_key)
{
	int err = fsguard__run(r->guard, job);

	r->root_timed_out =
	    err == -ETIMEDOUT && root_key && fsguard__last_overrun(r->guard) == root_key;
	return err;
}

/* ---- open: the executable and the exec'd file -------------------------- */

/* File systems whose reads wait on no network and no user-space daemon. */
static bool local_fs(const struct statfs *sfs)
{
	switch ((unsigned long)sfs->f_type) {
	case EXT4_SUPER_MAGIC: /* ext2, ext3 too */
	case XFS_SUPER_MAGIC:
	case BTRFS_SUPER_MAGIC:
	case TMPFS_MAGIC:
	case RAMFS_MAGIC:
	case SQUASHFS_MAGIC:
	case F2FS_SUPER_MAGIC:
		return true;
	}
	return false;
}

/*
 * The file exec'd: its inode and its ctime to the nanosecond. Not the device:
 * fstat's differs from the kernel's on btrfs subvolumes and overlays.
 */
static bool same_file(const struct stat *st, const struct open_job *j)
{
	uint64_t ctime_ns = (uint64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;

	return st->st_ino == j->exe_ino && ctime_ns == j->exe_ctime_ns;
}

/*
 * The executable, exactly as exec'd: /proc/PID/exe while the process lives
 * (even if the file was since deleted or replaced), else the path inside the
 * process's root, accepted only if it is still the same inode and ctime.
 * /proc/PID/exe must be the same inode too: the process may have exec'd
 * again since (its ctime may differ: a chmod after the exec is fine). A
 * snapshot record knows no inode: its /proc/PID/exe is what it runs.
 */
static int open_exe(struct open_job *j)
{
	struct stat st;
	int fd = -1;

	if (j->proc_fd >= 0)
		fd = openat(j->proc_fd, "exe", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	/* `sh script` that already exec'd the next program must not get its identity */
	if (fd >= 0 && j->exe_ino && (fstat(fd, &st) || st.st_ino != j->exe_ino))
		close_fd(&fd);
	if (fd >= 0)
		return fd;
	if (j->root_fd < 0 || !j->path[0])
		return -ESRCH;
	fd = root__open(j->root_fd, j->path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) || !same_file(&st, j)) {
		j->out.replaced = true;
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Whether open_exec_file() looks for a file other than the executable at all. */
static bool may_have_exec_file(const struct open_job *j)
{
	if (j->root_fd < 0 || !j->filename[0] || !strcmp(j->filename, j->exe))
		return false;
	/* relative to a directory whose path is unknown */
	return j->filename[0] == '/' || j->cwd[0];
}

static bool kernel_dev_is(uint64_t kdev, unsigned int major, unsigned int minor)
{
	return kdev >> 20 == major && (kdev & 0xfffff) == minor;
}

/*
 * open_exe() for open_inline: the file at the path, when it still is the
 * device, inode and ctime exec'd (then the same file /proc/PID/exe names, and
 * the same answers), found through the dentry cache alone and checked without
 * asking its file system; -EAGAIN otherwise. Not /proc/PID/exe: a process that
 * exec'd again since may run a file on any mount.
 */
static int open_exe_cached(const struct open_job *j, struct stat *st)
{
	const unsigned int want = STATX_TYPE | STATX_INO | STATX_SIZE | STATX_CTIME;
	struct statx stx;
	int fd;

	if (j->root_fd < 0 || !j->path[0] || !j->exe_ino)
		return -EAGAIN;
	fd = root__open_cached(j->root_fd, j->path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -EAGAIN;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, want, &stx) ||
	    (stx.stx_mask & want) != want ||
	    !kernel_dev_is(j->base.dev, stx.stx_dev_major, stx.stx_dev_minor) ||
	    stx.stx_ino != j->exe_ino ||
	    (uint64_t)stx.stx_ctime.tv_sec * 1000000000 + stx.stx_ctime.tv_nsec !=
		j->exe_ctime_ns) {
		close(fd);
		return -EAGAIN;
	}
	/* what fstat gives on a local file system: the caches' keys, without asking again */
	*st = (struct stat){
	    .st_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
	    .st_ino = stx.stx_ino,
	    .st_mode = stx.stx_mode,
	    .st_size = (off_t)stx.stx_size,
	    .st_ctim = {.tv_sec = stx.stx_ctime.tv_sec, .tv_nsec = stx.stx_ctime.tv_nsec},
	};
	return fd;
}

/* The file that was exec'd when it is not the executable (a script, a binfmt_misc target). */
static int open_exec_file(const struct open_job *j, int exe_fd)
{
	char path[sizeof(j->cwd) + sizeof(j->filename)];
	struct stat a, b;
	int fd;

	if (!may_have_exec_file(j))
		return -1;
	if (j->filename[0] == '/')
		snprintf(path, sizeof(path), "%s", j->filename);
	else
		snprintf(path, sizeof(path), "%s/%s", j->cwd, j->filename);
	fd = root__open(j->root_fd, path, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (!fstat(fd, &a) && !fstat(exe_fd, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The account's name as the process's own root has it. On the loop (the root
 * is our own), the kept file is taken when a stat of etc/passwd that asks no
 * file system says it is unchanged: as accounts__name() judges it, without
 * opening it; else accounts__name() reads it.
 */
static int account_name(struct open_job *j, char *out, size_t n)
{
	struct statx stx;
	struct stat pw;
	int err;

	if (j->cached_only &&
	    !statx(j->root_fd, "etc/passwd", AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &stx) &&
	    S_ISREG(stx.stx_mode)) {
		pw = (struct stat){
		    .st_ino = stx.stx_ino,
		    .st_size = (off_t)stx.stx_size,
		    .st_mtim = {.tv_sec = stx.stx_mtime.tv_sec, .tv_nsec = stx.stx_mtime.tv_nsec},
		};
		err = accounts__name_kept(j->accounts, &j->root_st, &pw, j->uid, out, n);
		if (err != -ESTALE)
			return err;
	}
	return accounts__name(j->accounts, j->root_fd, j->uid, out, n);
}

/* The account's name as the process's own root has it: a wait there is the root's. */
static void open_account(struct open_job *j)
{
	struct reader_files *f = &j->out;

	if (j->root_fd < 0 || fsguard__enter(&j->base, j->root.key) ||
	    account_name(j, f->account, sizeof(f->account)))
		f->account[0] = '\0';
	fsguard__leave(&j->base);
}

/*
 * What an open job does, into j->out and j->err; -EAGAIN, with j->out's fds
 * still to close, when j->cached_only and a cache does not hold the answer.
 */
static int open_files(struct open_job *j)
{
	struct reader_files *f = &j->out;
	struct statfs sfs;
	struct stat st;
	int fd = j->cached_only ? open_exe_cached(j, &st) : open_exe(j), loader;

	if (fd == -EAGAIN && j->cached_only)
		return -EAGAIN;
	if (fd >= 0) {
		f->exe_fd = fd;
		/* open_inline is never asked for an exec of another file (may_have_exec_file) */
		f->file_fd = open_exec_file(j, fd);
		if (j->cached_only) {
			loader = wine__loader_kind_cached(j->wine, &st);
			if (loader == -EAGAIN)
				return -EAGAIN;
			f->kind = loader > 0 ? WINE_PROGRAM : WINE_NOT;
			f->preloader = loader == WINE_PRELOADER;
		} else {
			f->kind = wine__classify(j->wine, fd, f->file_fd);
			f->preloader = f->kind == WINE_PROGRAM &&
				       wine__loader_kind(j->wine, fd) == WINE_PRELOADER;
		}
		/* a plain exec's identity is its executable's: read it in this same job */
		j->identified = j->ids && f->kind == WINE_NOT;
		if (j->identified && j->cached_only) {
			j->id_err = identity__fill_cached(j->ids, &st, &j->e, &j->cert);
			if (j->id_err == -EAGAIN)
				return -EAGAIN;
		} else if (j->identified) {
			j->id_err = fill_identity(j->ids, fd, j->root_fd, j->path, &j->root, &j->e,
						  &j->cert, &j->pkg_refused);
		}
		/* the kernel's device number of the file, on a local file system */
		j->local = !j->cached_only && !fstat(fd, &st) &&
			   kernel_dev_is(j->base.dev, major(st.st_dev), minor(st.st_dev)) &&
			   !fstatfs(fd, &sfs) && local_fs(&sfs);
	}
	if (fd >= 0 && j->cached_only)
		j->exe_st = st;
	j->err = fd >= 0 ? 0 : fd;
	open_account(j);
	return 0;
}

static void open_run(struct fsguard_job *base)
{
	struct open_job *j = (struct open_job *)base;

	open_files(j);
	close_fd(&j->proc_fd);
	close_fd(&j->root_fd);
}

static void open_release(struct fsguard_job *base)
{
	struct open_job *j = (struct open_job *)base;

	close_fd(&j->out.exe_fd);
	close_fd(&j->out.file_fd);
	event__free(&j->e);
	event__free(&j->cert);
	free(j);
}

/* root_key() of @root_fd, known without a look when it is our own root. */
static uint64_t own_or_root_key(const struct reader *r, int root_fd)
{
	return root_fd >= 0 && root_fd == r->own_root_fd ? r->own_root_key : root_key(root_fd);
}

static bool dev_local(const struct reader *r, uint64_t dev)
{
	for (unsigned int i = 0; i < r->n_local; i++)
		if (r->local_devs[i] == dev)
			return true;
	return false;
}

static void note_local(struct reader *r, uint64_t dev)
{
	if (dev_local(r, dev))
		return;
	r->local_devs[r->next_local] = dev;
	r->next_local = (r->next_local + 1) % READER_LOCAL_DEVS;
	if (r->n_local < READER_LOCAL_DEVS)
		r->n_local++;
}

/*
 * Whether exec @x may be opened on the loop: its executable on a device a
 * worker found local (and not hung), in our mount namespace, its root the
 * monitor's own directory, local too: what /etc/passwd is read from, as
 * users__name() reads it on the loop anyway. The root is looked at without
 * asking its file system (AT_STATX_DONT_SYNC): it may be any mount.
 */
static bool may_open_inline(struct reader *r, const struct exec_info *x, int root_fd,
			    uint64_t root_key)
{
	struct statx stx;

	if (x->from_snapshot || !r->own_root_local || !x->k->mnt_ns ||
	    x->k->mnt_ns != r->self_mnt_ns || root_fd < 0 || !dev_local(r, x->k->exe_dev))
		return false;
	if (root_fd != r->own_root_fd &&
	    (statx(root_fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_INO, &stx) ||
	     makedev(stx.stx_dev_major, stx.stx_dev_minor) != r->root_dev ||
	     stx.stx_ino != r->root_ino))
		return false;
	/* a hung root refuses the account's lookup: a worker says so (fsguard__enter) */
	return !fsguard__hung(r->guard, x->k->exe_dev) && !fsguard__hung(r->guard, root_key);
}

/* The slot of the executable exec @k ran; with @match, NULL unless it holds that very file. */
static struct known_exe *known_slot(struct reader *r, const struct exec_event *k, bool match)
{
	uint64_t h =
	    (k->exe_ino ^ k->exe_ctime_ns ^ (uint64_t)k->exe_dev << 32) * 0x9e3779b97f4a7c15;
	struct known_exe *n = &r->known[(h >> 32) % READER_KNOWN_EXES];

	return !match || (n->dev && n->dev == k->exe_dev && n->ino == k->exe_ino &&
			  n->ctime_ns == k->exe_ctime_ns && n->size == k->exe_size)
		   ? n
		   : NULL;
}

/*
 * The open job @j of an executable the loop knows (known_exe), answered
 * from the caches without opening it: 0, f->known and no fd, or -EAGAIN.
 */
static int open_known(struct reader *r, struct open_job *j, const struct exec_event *k)
{
	const struct known_exe *n = known_slot(r, k, true);

	/* a Wine loader, or not cached: the whole open */
	if (!n || !j->path[0] || may_have_exec_file(j) || wine__loader_kind_cached(j->wine, &n->st))
		return -EAGAIN;
	j->identified = j->ids != NULL;
	/* a miss: open_inline() resets what it set, whatever comes next */
	if (j->identified &&
	    (j->id_err = identity__fill_cached(j->ids, &n->st, &j->e, &j->cert)) == -EAGAIN)
		return -EAGAIN;
	j->out.known = true;
	j->err = 0;
	j->cached_only = true;
	open_account(j);
	j->cached_only = false;
	return 0;
}

/*
 * The open job @j, filled, run on the loop with the caller's fds: 0 when it
 * ran (its outputs as a worker's), -EAGAIN when a worker must run it.
 */
static int open_inline(struct reader *r, struct open_job *j, const struct exec_event *k,
		       int root_fd)
{
	int err;

	j->root_st = (struct stat){.st_dev = r->root_dev, .st_ino = r->root_ino};
	j->proc_fd = -1; /* what the caches answer needs no /proc/PID */
	j->root_fd = root_fd;
	/* run by its caller: fsguard__enter and __leave charge no worker */
	j->base.worker = NULL;
	if (!open_known(r, j, k)) {
		err = 0;
	} else if (may_have_exec_file(j)) {
		err = -EAGAIN;
	} else {
		j->cached_only = true;
		err = open_files(j);
		j->cached_only = false;
		if (!err && j->out.exe_fd >= 0 && j->out.kind == WINE_NOT && !j->err)
			*known_slot(r, k, false) = (struct known_exe){
			    k->exe_dev, k->exe_ino, k->exe_ctime_ns, k->exe_size, j->exe_st};
	}
	j->proc_fd = j->root_fd = -1;
	if (err) {
		close_fd(&j->out.exe_fd);
		close_fd(&j->out.file_fd);
		j->out = (struct reader_files){.exe_fd = -1, .file_fd = -1, .kind = WINE_NOT};
		j->identified = false;
		event__reset(&j->e);
		event__reset_table(&j->cert, TABLE_CERTIFICATE);
	}
	return err;
}

/* The open job, reset for exec @x; NULL when it cannot be had. */
static struct open_job *open_job(struct reader *r, const struct exec_info *x, int root_fd,
				 const char *path, struct reader_files *out)
{
	struct open_job *j = r->open;

	*out = (struct reader_files){.exe_fd = -1, .file_fd = -1, .kind = WINE_NOT};
	r->open_identified_fd = -1;
	r->open_identified_known = false;
	r->inline_failed = false;
	if (!j) {
		j = r->open = malloc(sizeof(*j));
		if (!j)
			return NULL;
		j->base = (struct fsguard_job){.run = open_run, .release = open_release};
		j->root.job = &j->base;
		j->wine = r->wine;
		j->ids = r->ids;
		j->accounts = r->accounts;
		event__init(&j->e);
		event__init(&j->cert);
	}
	j->identified = j->local = j->cached_only = j->pkg_refused = false;
	event__reset(&j->e);
	event__reset_table(&j->cert, TABLE_CERTIFICATE);
	j->base.dev = x->k->exe_dev;
	j->root.key = own_or_root_key(r, root_fd);
	j->exe_ino = x->k->exe_ino;
	j->uid = x->k->uid;
	j->exe_ctime_ns = x->k->exe_ctime_ns;
	copy_path(j->path, sizeof(j->path), path);
	copy_path(j->exe, sizeof(j->exe), x->exe);
	copy_path(j->filename, sizeof(j->filename), x->filename);
	copy_path(j->cwd, sizeof(j->cwd), x->cwd);
	j->out = *out;
	return j;
}

/* The outputs of open job @j, which ran. */
static int open_done(struct reader *r, struct open_job *j, struct reader_files *out)
{
	*out = j->out;
	r->open_identified_known = j->identified && out->known;
	r->open_identified_fd = j->identified && !out->known ? out->exe_fd : -1;
	return j->err;
}

int reader__open_cached(struct reader *r, const struct exec_info *x, int root_fd, const char *path,
			struct reader_files *out)
{
	struct open_job *j = open_job(r, x, root_fd, path, out);

	if (!j)
		return -ENOMEM;
	if (!may_open_inline(r, x, root_fd, j->root.key) || open_inline(r, j, x->k, root_fd)) {
		r->inline_failed = true;
		return -EAGAIN;
	}
	return open_done(r, j, out);
}

int reader__open(struct reader *r, const struct exec_info *x, int proc_fd, int root_fd,
		 const char *path, struct reader_files *out)
{
	bool tried = r->inline_failed;
	struct open_job *j = open_job(r, x, root_fd, path, out);
	int err;

	if (!j)
		return -ENOMEM;
	if (!tried && may_open_inline(r, x, root_fd, j->root.key) &&
	    !open_inline(r, j, x->k, root_fd))
		return open_done(r, j, out);
	j->proc_fd = dup_fd(proc_fd);
	j->root_fd = dup_fd(root_fd);

	err = run(r, &j->base, j->root.key);
	if (err == -ETIMEDOUT)
		r->open = NULL; /* its worker frees it */
	if (err) {
		if (err != -ETIMEDOUT) {
			close_fd(&j->proc_fd);
			close_fd(&j->root_fd);
		}
		return err;
	}
	if (j->local)
		note_local(r, j->base.dev);
	return open_done(r, j, out);
}

/* ---- open a Wine program's image --------------------------------------- */

static void image_run(struct fsguard_job *base)
{
	struct image_job *j = (struct image_job *)base;
	const char *image = j->t.image_path[0] ? j->t.image_path : j->t.unix_path;

	j->fd = j->t.from_maps ? wine__open_image(j->pid, &j->t) : -ENOENT;
	if (j->fd < 0 && j->root_fd >= 0)
		j->fd = root__open(j->root_fd, image, O_RDONLY | O_NONBLOCK);
	close_fd(&j->root_fd);
}

static void image_release(struct fsguard_job *base)
{
	struct image_job *j = (struct image_job *)base;

	close_fd(&j->fd);
	free(j);
}

int reader__open_image(struct reader *r, int pid, const struct wine_target *t, int root_fd)
{
	struct image_job *j = r->image;
	int err;

	r->open_identified_fd = -1;
	r->open_identified_known = false;
	if (!j) {
		j = r->image = malloc(sizeof(*j));
		if (!j)
			return -ENOMEM;
		j->base = (struct fsguard_job){.run = image_run, .release = image_release};
	}
	j->base.dev = 0; /* unknown until opened */
	j->pid = pid;
	j->t = *t;
	j->root_fd = dup_fd(root_fd);
	j->fd = -1;
	err = run(r, &j->base, 0);
	if (err == -ETIMEDOUT)
		r->image = NULL;
	else if (err)
		close_fd(&j->root_fd);
	return err ?: j->fd;
}

/* ---- resolve a Wine program -------------------------------------------- */

static void wine_run(struct fsguard_job *base)
{
	struct wine_job *j = (struct wine_job *)base;

	j->q.root_fd = j->root_fd;
	j->err = j->resolve ? wine__resolve(j->wine, &j->q, &j->t) : wine__try_maps(&j->q, &j->t);
	close_fd(&j->root_fd);
}

static void wine_release(struct fsguard_job *base)
{
	free(base);
}

/* @dst = @s, or NULL when @s is; "" when it does not fit. */
static const char *copy_opt(char *dst, size_t n, const char *s)
{
	if (!s)
		return NULL;
	copy_path(dst, n, s);
	return dst;
}

static int wine_job_run(struct reader *r, bool resolve, const struct wine_query *q,
			struct wine_target *t)
{
	struct wine_job *j = r->wine_job;
	size_t off = 0;
	int err;

	if (q->argc > READER_WINE_ARGS || q->environ)
		return -E2BIG; /* the pipeline never asks for more, nor gives an environ */
	if (!j) {
		j = r->wine_job = malloc(sizeof(*j));
		if (!j)
			return -ENOMEM;
		j->base = (struct fsguard_job){.run = wine_run, .release = wine_release};
		j->wine = r->wine;
	}
	j->base.dev = 0; /* the prefix and the program may be anywhere */
	j->resolve = resolve;
	j->q = *q;
	for (size_t i = 0; i < q->argc; i++) {
		size_t len = q->argv[i] ? strlen(q->argv[i]) + 1 : 0;

		if (len > sizeof(j->args) - off)
			return -E2BIG;
		j->argv[i] = q->argv[i] ? memcpy(j->args + off, q->argv[i], len) : NULL;
		off += len;
	}
	j->q.argv = j->argv;
	j->q.exe_fd = -1;
	j->q.cwd = copy_opt(j->cwd, sizeof(j->cwd), q->cwd);
	j->q.loader_path = copy_opt(j->loader_path, sizeof(j->loader_path), q->loader_path);
	j->q.search_dir = copy_opt(j->search_dir, sizeof(j->search_dir), q->search_dir);
	j->t = *t;
	j->root_fd = dup_fd(q->root_fd);

	err = run(r, &j->base, 0);
	if (err == -ETIMEDOUT) {
		r->wine_job = NULL;
		return err;
	}
	if (err) {
		close_fd(&j->root_fd);
		return err;
	}
	*t = j->t;
	return j->err;
}

int reader__wine_resolve(struct reader *r, const struct wine_query *q, struct wine_target *t)
{
	return wine_job_run(r, true, q, t);
}

int reader__wine_try_maps(struct reader *r, const struct wine_query *q, struct wine_target *t)
{
	return wine_job_run(r, false, q, t);
}

/* ---- identify ---------------------------------------------------------- */

/*
 * The identity columns of @e from @src and, when @cert is not NULL, the
 * certificate record @cert_src; or all unset with @err. @pkg_refused: the
 * package was not looked up, its root being stuck.
 */
static int copy_identity(struct event *e, const struct event *src, struct event *cert,
			 const struct event *cert_src, int err, bool pkg_refused)
{
	for (size_t i = 0; i < IDENTITY_NCOLUMNS && !err; i++)
		err = event__copy_field(e, src, identity_columns[i]);
	if (cert)
		err = err ?: event__copy(cert, cert_src);
	if (err) {
		identity__clear(e);
		if (cert)
			event__reset_table(cert, TABLE_CERTIFICATE);
	} else if (pkg_refused) {
		err = event__set_str(
		    e, FIELD_IDENTITY_ERROR,
		    "package not looked up: its root directory's file system is not answering");
	}
	return err;
}

static void identify_run(struct fsguard_job *base)
{
	struct identify_job *j = (struct identify_job *)base;

	j->err = fill_identity(j->ids, j->fd, j->root_fd, j->path, &j->root, &j->e, &j->cert,
			       &j->pkg_refused);
	close_fd(&j->fd);
	close_fd(&j->root_fd);
}

static void identify_release(struct fsguard_job *base)
{
	struct identify_job *j = (struct identify_job *)base;

	event__free(&j->e);
	event__free(&j->cert);
	free(j);
}

int reader__identify(struct reader *r, int fd, uint64_t dev, int root_fd, const char *path,
		     struct event *e, struct event *cert)
{
	struct identify_job *j = r->identify;
	int err;

	identity__clear(e);
	if (cert)
		event__reset_table(cert, TABLE_CERTIFICATE);
	if (!r->ids)
		return 0;
	/*
	 * The open job of this exec read it already: the fd is still open, so the
	 * same file; or no fd, the executable known by the kernel's key.
	 */
	if ((fd >= 0 && fd == r->open_identified_fd) || (fd < 0 && r->open_identified_known)) {
		r->open_identified_fd = -1;
		r->open_identified_known = false;
		return copy_identity(e, &r->open->e, cert, &r->open->cert, r->open->id_err,
				     r->open->pkg_refused);
	}
	if (!j) {
		j = r->identify = malloc(sizeof(*j));
		if (!j)
			return -ENOMEM;
		j->base = (struct fsguard_job){.run = identify_run, .release = identify_release};
		j->root.job = &j->base;
		j->ids = r->ids;
		event__init(&j->e);
		event__init(&j->cert);
	}
	j->base.dev = dev;
	j->root.key = own_or_root_key(r, root_fd);
	j->pkg_refused = false;
	j->fd = dup_fd(fd);
	if (j->fd < 0)
		return -errno;
	j->root_fd = dup_fd(root_fd);
	copy_path(j->path, sizeof(j->path), path);
	event__reset(&j->e);
	event__reset_table(&j->cert, TABLE_CERTIFICATE);

	err = run(r, &j->base, j->root.key);
	if (err == -ETIMEDOUT) {
		r->identify = NULL;
		return err;
	}
	if (err) {
		close_fd(&j->fd);
		close_fd(&j->root_fd);
		return err;
	}
	return copy_identity(e, &j->e, cert, &j->cert, j->err, j->pkg_refused);
}

/* ---- the reader -------------------------------------------------------- */

struct reader *reader__new(struct wine *w, struct identity_cache *ids, unsigned int timeout_ms)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct statfs sfs;
	struct stat st = {0};

	if (!r)
		return NULL;
	r->wine = w;
	r->ids = ids;
	r->open_identified_fd = -1;
	if (!stat("/proc/self/ns/mnt", &st))
		r->self_mnt_ns = st.st_ino;
	r->own_root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r->own_root_key = root_key(r->own_root_fd);
	r->own_root_local = r->own_root_fd >= 0 && !fstatfs(r->own_root_fd, &sfs) &&
			    local_fs(&sfs) && !fstat(r->own_root_fd, &st);
	r->root_dev = st.st_dev;
	r->root_ino = st.st_ino;
	r->guard = fsguard__new(timeout_ms ?: READER_TIMEOUT_MS);
	r->accounts = accounts__new();
	if (!r->guard || !r->accounts) {
		fsguard__free(r->guard);
		accounts__free(r->accounts);
		free(r);
		return NULL;
	}
	return r;
}

void reader__free(struct reader *r)
{
	struct fsguard_stats st;

	if (!r)
		return;
	fsguard__stats(r->guard, &st);
	/* first: the idle worker may not be left running a job on what follows */
	fsguard__free(r->guard);
	/* a worker stuck in a hung mount still uses the accounts when it returns */
	if (!st.stuck)
		accounts__free(r->accounts);
	if (r->open) {
		event__free(&r->open->e);
		event__free(&r->open->cert);
	}
	free(r->open);
	free(r->image);
	free(r->wine_job);
	if (r->identify) {
		event__free(&r->identify->e);
		event__free(&r->identify->cert);
	}
	free(r->identify);
	if (r->own_root_fd >= 0)
		close(r->own_root_fd);
	free(r);
}

const char *reader__error(struct reader *r, int err)
{
	if (err == -ETIMEDOUT)
		return r->root_timed_out
			   ? "timed out: its root directory's file system did not answer"
			   : "timed out: the file system did not answer";
	if (err == -EBUSY)
		return "not read: the file system is not answering";
	if (err == -ESTALE)
		return "not read: the file at its path is not the one exec'd";
	if (err == -ESRCH)
		return "not read: the process and its root were gone";
	return NULL;
}

int reader__own_root(const struct reader *r)
{
	return r->own_root_fd;
}

void reader__stats(struct reader *r, struct fsguard_stats *out)
{
	fsguard__stats(r->guard, out);
}

unsigned int reader__wait_unstuck(struct reader *r, unsigned int ms)
{
	return fsguard__wait_unstuck(r->guard, ms);
}
