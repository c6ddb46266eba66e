// SPDX-License-Identifier: MIT
/*
 * reader: the executable behind one exec, opened as it was exec'd (never a
 * look-alike at the same path), the exec'd script beside it, its identity
 * read on a worker, and what the loop gets when the worker overruns.
 *
 * fsguard__run is wrapped (-Wl,--wrap): it runs the real guard, or plays a
 * worker that overran its deadline (it finishes and releases the job after
 * the caller gave up on it), or a device that is still stuck (fsguard__hung
 * too, which keeps the loop's own opens of a cached exec off it).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "identity/fsguard.h"
#include "identity/identity.h"
#include "identity/package.h"
#include "identity/probe.h"
#include "identity/reader.h"
#include "identity/wine.h"

#define ABC_SHA1   "a9993e364706816aba3e25717850c26c9cd0d89d"
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

/* ---- the faked guard --------------------------------------------------- */

enum guard_mode {
	GUARD_REAL,
	GUARD_OVERRUN, /* the job runs and is released by its worker after the deadline */
	GUARD_BUSY,    /* the job's device has a job stuck: not run */
};

static enum guard_mode guard_mode;
static unsigned int guard_calls;

int __real_fsguard__run(struct fsguard *g, struct fsguard_job *job);

int __wrap_fsguard__run(struct fsguard *g, struct fsguard_job *job)
{
	guard_calls++;
	switch (guard_mode) {
	case GUARD_OVERRUN:
		job->worker = NULL; /* run here, not by a guard's worker */
		job->run(job);
		job->release(job);
		return -ETIMEDOUT;
	case GUARD_BUSY:
		return -EBUSY;
	case GUARD_REAL:
		break;
	}
	return __real_fsguard__run(g, job);
}

/* ---- a package database that hangs --------------------------------------- */

static int db_fd = -1;	     /* the lookup reads a byte from it: blocks while empty */
static int db_answers;	     /* set (atomically) once it answers for good */
static unsigned int lookups; /* lookups that reached the database */

static int hung_lookup(int root, const char *path, int exe_fd, struct pkg_info *out,
		       struct pkg_sigs *sigs)
{
	char c;

	__atomic_add_fetch(&lookups, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&db_answers, __ATOMIC_ACQUIRE) && read(db_fd, &c, 1) != 1)
		return -EIO;
	snprintf(out->name, sizeof(out->name), "fakepkg");
	out->source = "dpkg";
	return 0;
}

bool __real_fsguard__hung(struct fsguard *g, uint64_t dev);

/* The stuck device of GUARD_BUSY is one the loop's own opens keep off too. */
bool __wrap_fsguard__hung(struct fsguard *g, uint64_t dev)
{
	return guard_mode == GUARD_BUSY || __real_fsguard__hung(g, dev);
}

/* ---- fixtures ---------------------------------------------------------- */

static char dir[] = "/tmp/test_reader.XXXXXX";
static char prog[64], script[64], link_path[64], sh[PATH_MAX_BYTES];
static int root_fd = -1;
static struct wine *wine;
/* one exec; static, the record is large */
static struct exec_event k;
static struct exec_info x;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	if (!mkdtemp(dir) || !realpath("/bin/sh", sh))
		return -1;
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	snprintf(script, sizeof(script), "%s/run.sh", dir);
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	wine = wine__new();
	return root_fd >= 0 && wine ? 0 : -1;
}

static int teardown(void **state)
{
	wine__free(wine);
	close(root_fd);
	unlink(prog);
	unlink(script);
	unlink(link_path);
	return rmdir(dir);
}

/* Each test starts from "abc" at prog and the real guard. */
static int setup_test(void **state)
{
	write_file(prog, "abc");
	guard_mode = GUARD_REAL;
	guard_calls = 0;
	return 0;
}

/* Exec of @exe (as the kernel names the executable), @filename as passed, in @cwd. */
static void exec_of(const char *exe, const char *filename, const char *cwd)
{
	struct stat st;

	assert_int_equal(stat(exe, &st), 0);
	memset(&k, 0, sizeof(k));
	k.exe_ino = st.st_ino;
	k.exe_ctime_ns = (uint64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	k.exe_dev = st.st_dev;
	memset(&x, 0, sizeof(x));
	x.k = &k;
	x.exe = exe;
	x.filename = filename;
	x.cwd = cwd;
}

static void expect_file(int fd, const char *path)
{
	struct stat a, b;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

static void close_files(struct reader_files *f)
{
	if (f->exe_fd >= 0)
		close(f->exe_fd);
	if (f->file_fd >= 0)
		close(f->file_fd);
}

static unsigned int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- open ---------------------------------------------------------------- */

static void open__file_at_path_unchanged__its_fd(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	struct reader_files f;

	assert_non_null(r);
	exec_of(prog, prog, dir);
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), 0);
	expect_file(f.exe_fd, prog);
	assert_int_equal(f.file_fd, -1);
	assert_int_equal(f.kind, WINE_NOT);
	assert_false(f.preloader);
	assert_false(f.replaced);
	close_files(&f);
	reader__free(r);
}

static void open__other_file_at_path__estale_and_replaced(void **state)
{
	char other[80];
	struct reader *r = reader__new(wine, NULL, 0);
	struct reader_files f;

	exec_of(prog, prog, dir);
	/* what an attacker does after the exec: another file, renamed over the path */
	snprintf(other, sizeof(other), "%s.new", prog);
	write_file(other, "abc");
	assert_int_equal(rename(other, prog), 0);
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), -ESTALE);
	assert_true(f.replaced);
	assert_int_equal(f.exe_fd, -1);
	assert_int_equal(f.file_fd, -1);
	reader__free(r);
}

static void open__same_inode_other_ctime__estale_and_replaced(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	struct reader_files f;

	/* rewritten in place after the exec: the inode stays, the ctime moves */
	exec_of(prog, prog, dir);
	k.exe_ctime_ns -= 1;
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), -ESTALE);
	assert_true(f.replaced);
	assert_int_equal(f.exe_fd, -1);
	reader__free(r);
}

static void open__live_process__its_exe_whatever_the_path(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	int proc_fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct reader_files f;

	assert_true(proc_fd >= 0);
	exec_of("/proc/self/exe", "/proc/self/exe", dir);
	assert_int_equal(reader__open(r, &x, proc_fd, root_fd, "/nonexistent/prog", &f), 0);
	expect_file(f.exe_fd, "/proc/self/exe");
	assert_false(f.replaced);
	close_files(&f);
	close(proc_fd);
	reader__free(r);
}

static void open__process_ran_another_exe_since__file_at_path(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	int proc_fd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct reader_files f;

	/* /proc/self/exe is this test, not prog: the exec'd file is found at its path */
	exec_of(prog, prog, dir);
	assert_int_equal(reader__open(r, &x, proc_fd, root_fd, prog, &f), 0);
	expect_file(f.exe_fd, prog);
	close_files(&f);
	close(proc_fd);
	reader__free(r);
}

static void open__process_gone_no_root__esrch(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	struct reader_files f;

	exec_of(prog, prog, dir);
	assert_int_equal(reader__open(r, &x, -1, -1, prog, &f), -ESRCH);
	assert_int_equal(f.exe_fd, -1);
	assert_false(f.replaced);
	reader__free(r);
}

static void open__script__file_fd_is_the_script(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	struct reader_files f;

	/* `./run.sh` in dir: the kernel runs the interpreter, bprm->filename is the script */
	write_file(script, "#!/bin/sh\nexit 0\n");
	exec_of(sh, "./run.sh", dir);
	assert_int_equal(reader__open(r, &x, -1, root_fd, sh, &f), 0);
	expect_file(f.exe_fd, sh);
	expect_file(f.file_fd, script);
	assert_int_equal(f.kind, WINE_NOT);
	close_files(&f);
	reader__free(r);
}

static void open__filename_links_to_the_exe__no_file_fd(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	struct reader_files f;

	unlink(link_path);
	assert_int_equal(symlink(prog, link_path), 0);
	exec_of(prog, link_path, dir);
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), 0);
	expect_file(f.exe_fd, prog);
	assert_int_equal(f.file_fd, -1);
	close_files(&f);
	reader__free(r);
}

static void open__worker_overran__etimedout_and_nothing_left_open(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	unsigned int fds = open_fds();
	struct reader_files f;

	exec_of(prog, prog, dir);
	guard_mode = GUARD_OVERRUN;
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), -ETIMEDOUT);
	assert_int_equal(f.exe_fd, -1);
	assert_int_equal(f.file_fd, -1);
	/* the worker closed what the job opened, and the job's copies of the caller's fds */
	assert_int_equal(open_fds(), fds);

	/* the next exec gets a job of its own */
	guard_mode = GUARD_REAL;
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), 0);
	expect_file(f.exe_fd, prog);
	close_files(&f);
	reader__free(r);
}

static void open__device_stuck__ebusy_and_nothing_left_open(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	unsigned int fds = open_fds();
	struct reader_files f;

	exec_of(prog, prog, dir);
	guard_mode = GUARD_BUSY;
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), -EBUSY);
	assert_int_equal(f.exe_fd, -1);
	assert_int_equal(open_fds(), fds);

	guard_mode = GUARD_REAL;
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), 0);
	expect_file(f.exe_fd, prog);
	close_files(&f);
	reader__free(r);
}

/* ---- identify ------------------------------------------------------------ */

static void identify__file__identity_columns_and_stale_ones_cleared(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	int fd = open(prog, O_RDONLY | O_CLOEXEC);
	struct event e;

	assert_true(fd >= 0);
	event__init(&e);
	event__set_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "from the last exec");
	event__set_str(&e, FIELD_FILE_NAME, "prog");
	assert_int_equal(reader__identify(r, fd, 0, root_fd, prog, &e, NULL), 0);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	assert_string_equal(event__str(&e, FIELD_SHA256), ABC_SHA256);
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), 3);
	assert_false(event__isset(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME));
	/* not an identity column: left alone */
	assert_string_equal(event__str(&e, FIELD_FILE_NAME), "prog");
	event__free(&e);
	close(fd);
	reader__free(r);
	identity_cache__free(ids);
}

static void identify__exe_the_open_read__no_second_job(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	struct reader_files f;
	struct event e;
	int fd;

	event__init(&e);
	exec_of(prog, prog, dir);
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), 0);
	assert_int_equal(guard_calls, 1);
	/* a plain exec: the open job identified it already */
	assert_int_equal(reader__identify(r, f.exe_fd, k.exe_dev, root_fd, prog, &e, NULL), 0);
	assert_int_equal(guard_calls, 1);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), 3);

	/* any other fd is read on a worker */
	event__reset(&e);
	fd = open(prog, O_RDONLY | O_CLOEXEC);
	assert_int_equal(reader__identify(r, fd, k.exe_dev, root_fd, prog, &e, NULL), 0);
	assert_int_equal(guard_calls, 2);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	close(fd);
	close_files(&f);
	event__free(&e);
	reader__free(r);
	identity_cache__free(ids);
}

/* An exec as the kernel reports it: its device in the kernel's encoding, in our mount namespace. */
static void kernel_exec_of(const char *exe)
{
	struct stat st;

	exec_of(exe, exe, dir);
	assert_int_equal(stat("/proc/self/ns/mnt", &st), 0);
	k.mnt_ns = st.st_ino;
	assert_int_equal(stat(exe, &st), 0);
	k.exe_dev = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev);
}

/* Whether @path is on a file system open_inline trusts. */
static bool is_local(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) &&
	       (sfs.f_type == EXT4_SUPER_MAGIC || sfs.f_type == TMPFS_MAGIC ||
		sfs.f_type == XFS_SUPER_MAGIC || sfs.f_type == BTRFS_SUPER_MAGIC);
}

/* Opens and identifies exec k of prog: the identity columns in @e. */
static int open_and_identify(struct reader *r, struct reader_files *f, struct event *e)
{
	int err = reader__open(r, &x, -1, root_fd, prog, f);

	if (!err)
		err = reader__identify(r, f->exe_fd, k.exe_dev, root_fd, prog, e, NULL);
	return err;
}

static void open__cached_exec_on_local_fs__same_answers_without_a_worker(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	struct identity_stats is;
	struct reader_files f;
	char account[64];
	struct event e;

	if (!is_local(dir) || !is_local("/"))
		skip();
	event__init(&e);
	kernel_exec_of(prog);
	k.uid = getuid();
	/* the first exec: a worker opens, classifies and identifies it */
	assert_int_equal(open_and_identify(r, &f, &e), 0);
	assert_int_equal(guard_calls, 1);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	assert_true(f.account[0]);
	snprintf(account, sizeof(account), "%s", f.account);
	close_files(&f);

	/* the same file again: the loop does it, with the very same answers */
	event__reset(&e);
	assert_int_equal(open_and_identify(r, &f, &e), 0);
	assert_int_equal(guard_calls, 1);
	expect_file(f.exe_fd, prog);
	assert_int_equal(f.file_fd, -1);
	assert_int_equal(f.kind, WINE_NOT);
	assert_false(f.replaced);
	assert_string_equal(f.account, account);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	assert_string_equal(event__str(&e, FIELD_SHA256), ABC_SHA256);
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), 3);
	identity_cache__stats(ids, &is);
	assert_int_equal(is.misses, 1);
	assert_int_equal(is.hits, 1);
	close_files(&f);
	event__free(&e);
	reader__free(r);
	identity_cache__free(ids);
}

static void open__cached_exec_in_own_root_fd__on_the_loop(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	int own = reader__own_root(r);
	struct reader_files f;
	struct stat a, b;

	if (!is_local(dir) || !is_local("/"))
		skip();
	assert_true(own >= 0);
	assert_int_equal(fstat(own, &a), 0);
	assert_int_equal(stat("/", &b), 0);
	assert_true(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	kernel_exec_of(prog);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(reader__open(r, &x, -1, own, prog, &f), 0);
		expect_file(f.exe_fd, prog);
		close_files(&f);
	}
	assert_int_equal(guard_calls, 1);
	/* the caller's to pass, never to close: still open */
	assert_int_equal(fstat(own, &a), 0);
	reader__free(r);
	identity_cache__free(ids);
}

static void open_cached__worker_needed_then_cached__eagain_then_on_the_loop(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	int own = reader__own_root(r);
	struct reader_files f;

	if (!is_local(dir) || !is_local("/"))
		skip();
	kernel_exec_of(prog);
	/* nothing cached yet: a worker must, and the next reader__open goes to it at once */
	assert_int_equal(reader__open_cached(r, &x, own, prog, &f), -EAGAIN);
	assert_int_equal(f.exe_fd, -1);
	assert_int_equal(guard_calls, 0);
	assert_int_equal(reader__open(r, &x, -1, own, prog, &f), 0);
	assert_int_equal(guard_calls, 1);
	expect_file(f.exe_fd, prog);
	close_files(&f);
	/* cached now: the loop answers, no worker */
	assert_int_equal(reader__open_cached(r, &x, own, prog, &f), 0);
	assert_int_equal(guard_calls, 1);
	expect_file(f.exe_fd, prog);
	assert_int_equal(f.kind, WINE_NOT);
	close_files(&f);
	reader__free(r);
	identity_cache__free(ids);
}

static void open_cached__known_exec__no_open_same_identity_until_changed(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	int own = reader__own_root(r);
	struct reader_files f;
	struct event e;
	FILE *out;

	if (!is_local(dir) || !is_local("/"))
		skip();
	event__init(&e);
	kernel_exec_of(prog);
	assert_int_equal(reader__open(r, &x, -1, own, prog, &f), 0);
	close_files(&f);
	/* opened on the loop once, at its path */
	assert_int_equal(reader__open_cached(r, &x, own, prog, &f), 0);
	expect_file(f.exe_fd, prog);
	assert_false(f.known);
	close_files(&f);
	/* then known by the kernel's key: no open, the same identity */
	assert_int_equal(reader__open_cached(r, &x, own, prog, &f), 0);
	assert_true(f.known);
	assert_int_equal(f.exe_fd, -1);
	assert_int_equal(f.kind, WINE_NOT);
	assert_int_equal(reader__identify(r, -1, k.exe_dev, own, prog, &e, NULL), 0);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	assert_int_equal(guard_calls, 1);
	/* written since: another ctime, another key, opened again */
	out = fopen(prog, "w");
	assert_non_null(out);
	fputs("abcd", out);
	fclose(out);
	kernel_exec_of(prog);
	assert_int_equal(reader__open_cached(r, &x, own, prog, &f), -EAGAIN);
	assert_false(f.known);
	event__free(&e);
	reader__free(r);
	identity_cache__free(ids);
}

static void open__cached_exec_but_file_replaced__worker_says_estale(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	struct reader_files f;
	char other[80];
	struct event e;

	if (!is_local(dir) || !is_local("/"))
		skip();
	event__init(&e);
	kernel_exec_of(prog);
	assert_int_equal(open_and_identify(r, &f, &e), 0);
	close_files(&f);
	/* another file renamed over the path after this exec: never the cached answer */
	snprintf(other, sizeof(other), "%s.new", prog);
	write_file(other, "abc");
	assert_int_equal(rename(other, prog), 0);
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), -ESTALE);
	assert_int_equal(guard_calls, 2);
	assert_true(f.replaced);
	assert_int_equal(f.exe_fd, -1);
	event__free(&e);
	reader__free(r);
	identity_cache__free(ids);
}

static void open__exec_of_a_script__always_on_a_worker(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	struct reader_files f;

	if (!is_local(dir) || !is_local("/"))
		skip();
	write_file(script, "#!/bin/sh\n");
	kernel_exec_of(prog);
	x.filename = script; /* prog stands for the interpreter */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), 0);
		assert_true(f.file_fd >= 0);
		close_files(&f);
	}
	/* the exec'd file may be anywhere: the loop never opens it */
	assert_int_equal(guard_calls, 2);
	reader__free(r);
	identity_cache__free(ids);
}

static void open__cached_exec_device_stuck__ebusy(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	struct reader_files f;
	struct event e;

	if (!is_local(dir) || !is_local("/"))
		skip();
	event__init(&e);
	kernel_exec_of(prog);
	assert_int_equal(open_and_identify(r, &f, &e), 0);
	close_files(&f);
	/* a job on this device is stuck: its execs are refused, cached or not */
	guard_mode = GUARD_BUSY;
	assert_int_equal(reader__open(r, &x, -1, root_fd, prog, &f), -EBUSY);
	assert_int_equal(guard_calls, 2);
	assert_int_equal(f.exe_fd, -1);
	event__free(&e);
	reader__free(r);
	identity_cache__free(ids);
}

static void identify__no_cache__columns_unset(void **state)
{
	struct reader *r = reader__new(wine, NULL, 0);
	int fd = open(prog, O_RDONLY | O_CLOEXEC);
	struct event e;

	event__init(&e);
	event__set_str(&e, FIELD_SHA1, "from the last exec");
	assert_int_equal(reader__identify(r, fd, 0, root_fd, prog, &e, NULL), 0);
	assert_false(event__isset(&e, FIELD_SHA1));
	assert_int_equal(guard_calls, 0);
	event__free(&e);
	close(fd);
	reader__free(r);
}

static void identify__worker_overran__etimedout_and_columns_unset(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 0);
	int fd = open(prog, O_RDONLY | O_CLOEXEC);
	unsigned int fds = open_fds();
	struct event e;

	event__init(&e);
	event__set_str(&e, FIELD_SHA1, "from the last exec");
	guard_mode = GUARD_OVERRUN;
	assert_int_equal(reader__identify(r, fd, 0, root_fd, prog, &e, NULL), -ETIMEDOUT);
	assert_string_equal(reader__error(r, -ETIMEDOUT),
			    "timed out: the file system did not answer");
	assert_false(event__isset(&e, FIELD_SHA1));
	assert_false(event__isset(&e, FIELD_FILE_SIZE));
	assert_int_equal(open_fds(), fds);

	guard_mode = GUARD_REAL;
	assert_int_equal(reader__identify(r, fd, 0, root_fd, prog, &e, NULL), 0);
	assert_string_equal(event__str(&e, FIELD_SHA1), ABC_SHA1);
	event__free(&e);
	close(fd);
	reader__free(r);
	identity_cache__free(ids);
}

static void identify__package_database_hangs__charged_to_the_root_not_the_executable(void **state)
{
	struct identity_cache *ids = identity_cache__new(16);
	struct reader *r = reader__new(wine, ids, 50);
	struct reader_files f;
	struct fsguard_stats st;
	struct event e;
	int db[2];

	assert_int_equal(pipe(db), 0);
	db_fd = db[0];
	db_answers = 0;
	lookups = 0;
	identity__set_package_lookup(hung_lookup);
	event__init(&e);
	/* a script: its package is looked up in the root's database, which hangs */
	write_file(script, "#!/bin/sh\nexit 0\n");
	exec_of(script, script, dir);
	assert_int_equal(reader__open(r, &x, -1, root_fd, script, &f), -ETIMEDOUT);
	assert_int_equal(lookups, 1);
	assert_string_equal(reader__error(r, -ETIMEDOUT),
			    "timed out: its root directory's file system did not answer");

	/* the executable's device answers: the next exec of it is read in full ... */
	assert_int_equal(reader__open(r, &x, -1, root_fd, script, &f), 0);
	assert_int_equal(reader__identify(r, f.exe_fd, k.exe_dev, root_fd, script, &e, NULL), 0);
	assert_true(event__isset(&e, FIELD_SHA256));
	assert_int_equal(event__long(&e, FIELD_FILE_SIZE), 17);
	/* ... but for its package, which waits in the root that is still stuck */
	assert_int_equal(lookups, 1);
	assert_string_equal(
	    event__str(&e, FIELD_IDENTITY_ERROR),
	    "package not looked up: its root directory's file system is not answering");
	close_files(&f);
	reader__stats(r, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.refused, 2); /* its package, and its user's name, in that root */
	assert_int_equal(st.stuck, 1);

	/* the database answers: the stuck lookup returns, and its answer is what is cached */
	__atomic_store_n(&db_answers, 1, __ATOMIC_RELEASE);
	assert_int_equal(write(db[1], "x", 1), 1);
	assert_int_equal(reader__wait_unstuck(r, 10000), 0);
	event__reset(&e);
	assert_int_equal(reader__open(r, &x, -1, root_fd, script, &f), 0);
	assert_int_equal(reader__identify(r, f.exe_fd, k.exe_dev, root_fd, script, &e, NULL), 0);
	/* not the identity without a package: that one was never cached */
	assert_string_equal(event__str(&e, FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME), "fakepkg");
	assert_true(event__isset(&e, FIELD_SHA256));
	assert_false(event__isset(&e, FIELD_IDENTITY_ERROR));
	close_files(&f);

	identity__set_package_lookup(NULL);
	event__free(&e);
	reader__free(r);
	identity_cache__free(ids);
	close(db[0]);
	close(db[1]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup_test)
	const struct CMUnitTest tests[] = {
	    T(open__file_at_path_unchanged__its_fd),
	    T(open__other_file_at_path__estale_and_replaced),
	    T(open__same_inode_other_ctime__estale_and_replaced),
	    T(open__live_process__its_exe_whatever_the_path),
	    T(open__process_ran_another_exe_since__file_at_path),
	    T(open__process_gone_no_root__esrch),
	    T(open__script__file_fd_is_the_script),
	    T(open__filename_links_to_the_exe__no_file_fd),
	    T(open__worker_overran__etimedout_and_nothing_left_open),
	    T(open__device_stuck__ebusy_and_nothing_left_open),
	    T(identify__file__identity_columns_and_stale_ones_cleared),
	    T(identify__exe_the_open_read__no_second_job),
	    T(open__cached_exec_on_local_fs__same_answers_without_a_worker),
	    T(open__cached_exec_in_own_root_fd__on_the_loop),
	    T(open_cached__worker_needed_then_cached__eagain_then_on_the_loop),
	    T(open_cached__known_exec__no_open_same_identity_until_changed),
	    T(open__cached_exec_but_file_replaced__worker_says_estale),
	    T(open__exec_of_a_script__always_on_a_worker),
	    T(open__cached_exec_device_stuck__ebusy),
	    T(identify__no_cache__columns_unset),
	    T(identify__worker_overran__etimedout_and_columns_unset),
	    T(identify__package_database_hangs__charged_to_the_root_not_the_executable),
	};
#undef T

	return cmocka_run_group_tests(tests, setup, teardown);
}
