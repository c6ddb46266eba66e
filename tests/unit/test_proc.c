// SPDX-License-Identifier: MIT
/* proc: parsing /proc/PID/stat and status, bounded reads of a process's files. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/proc.h"

static void parse_stat__comm_with_spaces_and_parens__whole_comm(void **state)
{
	const char *text = "1234 (a) b (c)) S 77 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 "
			   "1 0 4242 1000 10 18446744073709551615";
	long hz = sysconf(_SC_CLK_TCK);
	struct proc_stat st;

	assert_int_equal(proc__parse_stat(text, &st), 0);
	assert_string_equal(st.comm, "a) b (c)");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 77);
	assert_int_equal(st.start_boot_ns, 4242ULL * (1000000000ULL / hz));
}

static void parse_stat__garbage__einval(void **state)
{
	struct proc_stat st;

	assert_int_equal(proc__parse_stat("1234 no parens", &st), -EINVAL);
	assert_int_equal(proc__parse_stat("1 (x) S", &st), -EINVAL);
	assert_int_equal(proc__parse_stat(")(", &st), -EINVAL);
}

static void read_stat__own_process__parent_and_start(void **state)
{
	struct proc_stat st;

	assert_int_equal(proc__read_stat(getpid(), &st), 0);
	assert_int_equal(st.state, 'R'); /* reading it, so running */
	assert_int_equal(st.ppid, getppid());
	assert_true(st.start_boot_ns > 0 && st.start_boot_ns <= clock__boot_ns());
}

static void read_stat_at__own_process__as_by_pid(void **state)
{
	int fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct proc_stat a, b;

	assert_true(fd >= 0);
	assert_int_equal(proc__read_stat_at(fd, &a), 0);
	assert_int_equal(proc__read_stat(getpid(), &b), 0);
	assert_int_equal(a.ppid, b.ppid);
	assert_int_equal(a.start_boot_ns, b.start_boot_ns);
	assert_string_equal(a.comm, b.comm);
	close(fd);
	assert_int_equal(proc__read_stat_at(-1, &a), -EBADF);
}

static void parse_status_ids__uid_lines__real_and_effective(void **state)
{
	const char *text = "Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n";
	uint32_t uid, euid, gid;

	assert_int_equal(proc__parse_status_ids(text, &uid, &euid, &gid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(euid, 0);
	assert_int_equal(gid, 100);
	assert_int_equal(proc__parse_status_ids("Name:\tx\n", &uid, &euid, &gid), -EINVAL);
}

static void read_file__vanished_process__error(void **state)
{
	char buf[16];

	/* pid_max is at most 4194304: this pid cannot exist */
	assert_true(proc__read_file(4194305, "cmdline", buf, sizeof(buf)) < 0);
	assert_true(proc__readlink(4194305, "exe", buf, sizeof(buf)) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_stat__comm_with_spaces_and_parens__whole_comm),
	    cmocka_unit_test(parse_stat__garbage__einval),
	    cmocka_unit_test(read_stat__own_process__parent_and_start),
	    cmocka_unit_test(read_stat_at__own_process__as_by_pid),
	    cmocka_unit_test(parse_status_ids__uid_lines__real_and_effective),
	    cmocka_unit_test(read_file__vanished_process__error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
