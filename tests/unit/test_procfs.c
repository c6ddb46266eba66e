// SPDX-License-Identifier: MIT
/*
 * procfs.c: the root an exec is looked up in is the one the kernel recorded
 * at the exec, not the one the process has moved to since, and a path the
 * kernel named outside a root is never looked up inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/proc.h"
#include "identity/container.h"
#include "identity/root.h"
#include "pipeline/procfs.h"

static char dir[] = "/tmp/test_procfs.XXXXXX";
static struct exec_event k; /* static: the record is large */
static uint64_t self_mnt_ns;

static int setup(void **state)
{
	struct stat st;

	if (!mkdtemp(dir) || stat("/proc/self/ns/mnt", &st))
		return -1;
	self_mnt_ns = st.st_ino;
	return 0;
}

static int teardown(void **state)
{
	return rmdir(dir);
}

/* An exec in our mounts, in the root at @path. */
static void exec_in_root(const char *path)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct root_id id;

	assert_true(fd >= 0);
	assert_int_equal(root__id(fd, &id), 0);
	close(fd);
	memset(&k, 0, sizeof(k));
	k.mnt_ns = self_mnt_ns;
	k.ppid = getpid();
	k.root_mnt_id = id.mnt_id;
	k.root_ino = id.ino;
}

static void expect_root(int fd, const char *path)
{
	struct root_id got, want;
	int want_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0 && want_fd >= 0);
	assert_int_equal(root__id(fd, &got), 0);
	assert_int_equal(root__id(want_fd, &want), 0);
	assert_true(got.mnt_id == want.mnt_id && got.ino == want.ino);
	close(want_fd);
}

static void open_root__chroot_after_the_exec__the_root_exec_had(void **state)
{
	int ready[2], proc_fd, fd;
	char path[32], c;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* gone with the test, even one that failed before it killed us */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* exec'd in "/", then chroot(2) before anyone looks */
		c = chroot(dir) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	if (c != 'y') {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		skip(); /* chroot(2) needs CAP_SYS_CHROOT */
	}
	snprintf(path, sizeof(path), "/proc/%d", pid);
	proc_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	exec_in_root("/");
	fd = procfs__open_root(proc_fd, &k, self_mnt_ns);
	/* its root now is dir: not where its executable's package is */
	expect_root(fd, "/");
	close(fd);

	/* exec'd in dir (chroot(1) then exec): dir, while it is still there */
	exec_in_root(dir);
	fd = procfs__open_root(proc_fd, &k, self_mnt_ns);
	expect_root(fd, dir);
	close(fd);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(proc_fd);
	close(ready[0]);
	close(ready[1]);
}

static void open_root__gone_and_no_root_like_it__none(void **state)
{
	int fd;

	/* exec'd in dir, gone: neither ours, nor its parent's, nor init's is that root */
	exec_in_root(dir);
	assert_int_equal(procfs__open_root(-1, &k, self_mnt_ns), -1);
	/* gone with mounts of its own (unshare -m): ours, where the reader checks the file */
	k.mnt_ns = self_mnt_ns + 1;
	fd = procfs__open_root(-1, &k, self_mnt_ns);
	expect_root(fd, "/");
	close(fd);
	k.mnt_ns = self_mnt_ns;
	/* a snapshot record knows no root: ours, as we share its mounts */
	k.root_mnt_id = 0;
	k.root_ino = 0;
	fd = procfs__open_root(-1, &k, self_mnt_ns);
	expect_root(fd, "/");
	close(fd);
}

static void path_in_root__inside_outside_and_host(void **state)
{
	char inside[64], outside[] = "/usr/bin/env";
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0 && host >= 0);
	snprintf(inside, sizeof(inside), "%s/bin/sh", dir);
	assert_string_equal(procfs__path_in_root(fd, inside), "/bin/sh");
	/* named outside the root: no file in it */
	assert_null(procfs__path_in_root(fd, outside));
	assert_string_equal(procfs__path_in_root(host, outside), outside);
	assert_string_equal(procfs__path_in_root(-1, outside), outside);
	close(fd);
	close(host);
}

/* An exec record of @pid (alive: its real start time; else a pid no process has). */
static struct exec_info exec_of(pid_t pid, uint64_t cgroups_key, uint64_t boot_ns)
{
	struct proc_stat st = {0};

	memset(&k, 0, sizeof(k));
	if (pid > 0)
		assert_int_equal(proc__read_stat(pid, &st), 0);
	k.tgid = k.pid = pid > 0 ? (uint32_t)pid : 0x3ffffff0;
	k.start_boot_ns = st.start_boot_ns;
	k.cgroups_key = cgroups_key;
	k.boot_ns = boot_ns;
	return (struct exec_info){.k = &k};
}

/* The unified or container line of /proc/self/cgroup, as container.c picks it. */
static void own_cgroup(char *out, size_t n)
{
	int fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(container__read_proc_cgroup(fd, out, n), 0);
	close(fd);
}

static void dir__opened_once_at_first_use(void **state)
{
	struct exec_info x = exec_of(getpid(), 0, 0);
	struct procfs_dir d;
	int fd;

	procfs__dir_init(&d, &x);
	assert_false(d.opened);
	fd = procfs__dir(&d);
	assert_true(fd >= 0);
	assert_int_equal(procfs__dir(&d), fd);
	procfs__dir_close(&d);
	assert_true(fcntl(fd, F_GETFD) < 0);

	x = exec_of(0, 0, 0);
	procfs__dir_init(&d, &x);
	fd = procfs__dir(&d);
	assert_true(fd < 0);
	assert_int_equal(procfs__dir(&d), fd);
	procfs__dir_close(&d);
}

static void cgroup__same_key__read_once_while_fresh(void **state)
{
	struct procfs_cgroups *c = procfs__cgroups_new();
	char want[4096], got[4096];
	struct exec_info x;
	struct procfs_dir d;

	assert_non_null(c);
	own_cgroup(want, sizeof(want));
	x = exec_of(getpid(), 42, 1000);
	procfs__dir_init(&d, &x);
	assert_int_equal(procfs__cgroup(c, &d, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_true(d.opened);
	procfs__dir_close(&d);

	/* gone, with the same cgroups: what they read, without /proc */
	x = exec_of(0, 42, 1000 + PROCFS_CGROUPS_TTL_NS / 2);
	procfs__dir_init(&d, &x);
	assert_int_equal(procfs__cgroup(c, &d, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_false(d.opened);

	/* other cgroups, or no key: /proc only */
	x = exec_of(0, 43, 1000);
	procfs__dir_init(&d, &x);
	assert_true(procfs__cgroup(c, &d, got, sizeof(got)) < 0);
	x = exec_of(0, 0, 1000);
	procfs__dir_init(&d, &x);
	assert_true(procfs__cgroup(c, &d, got, sizeof(got)) < 0);

	/* stale: read again, and the process is gone */
	x = exec_of(0, 42, 1000 + PROCFS_CGROUPS_TTL_NS);
	procfs__dir_init(&d, &x);
	assert_true(procfs__cgroup(c, &d, got, sizeof(got)) < 0);
	assert_true(d.opened);
	procfs__cgroups_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(open_root__chroot_after_the_exec__the_root_exec_had),
	    cmocka_unit_test(open_root__gone_and_no_root_like_it__none),
	    cmocka_unit_test(path_in_root__inside_outside_and_host),
	    cmocka_unit_test(dir__opened_once_at_first_use),
	    cmocka_unit_test(cgroup__same_key__read_once_while_fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
