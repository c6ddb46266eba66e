// SPDX-License-Identifier: MIT
/* The /proc snapshot (capture/snapshot.c): a running process as the exec hook would record it. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/snapshot.h"

struct found {
	pid_t pid;
	bool seen;
	struct exec_event k;
	char exe[PATH_MAX_BYTES];
	bool from_snapshot;
};

static int record(void *ctx, const struct exec_info *x)
{
	struct found *f = ctx;

	if (x->k->tgid != (unsigned)f->pid)
		return 0;
	f->seen = true;
	memcpy(&f->k, x->k, EXEC_EVENT_HDR_SIZE);
	snprintf(f->exe, sizeof(f->exe), "%s", x->exe);
	f->from_snapshot = x->from_snapshot;
	return 0;
}

static uint64_t ino_of(pid_t pid, const char *name, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	assert_int_equal(stat(path, st), 0);
	return st->st_ino;
}

static void snapshot__running_child__ids_as_the_exec_hook_has_them(void **state)
{
	struct found f = {};
	struct stat st;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	f.pid = pid;
	/* until it runs sleep, not a copy of this test */
	for (int i = 0; i < 1000; i++) {
		char exe[PATH_MAX_BYTES] = "";
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
		if (readlink(path, exe, sizeof(exe) - 1) > 0 && strstr(exe, "sleep"))
			break;
		usleep(1000);
	}
	assert_int_equal(snapshot__run(record, &f), 0);
	assert_true(f.seen);
	assert_true(f.from_snapshot);
	assert_non_null(strstr(f.exe, "sleep"));
	assert_int_equal(f.k.pid_ns, ino_of(pid, "ns/pid", &st));
	assert_int_equal(f.k.mnt_ns, ino_of(pid, "ns/mnt", &st));
	assert_int_equal(f.k.exe_ino, ino_of(pid, "exe", &st));
	assert_int_equal(f.k.exe_dev, (major(st.st_dev) << 20) | minor(st.st_dev));
	assert_int_equal(f.k.exe_ctime_ns,
			 (uint64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec);
	assert_int_equal(f.k.exe_size, st.st_size);
	assert_int_equal(f.k.ppid, getpid());
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(snapshot__running_child__ids_as_the_exec_hook_has_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
