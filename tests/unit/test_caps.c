// SPDX-License-Identifier: MIT
/*
 * caps__drop_to in forked children (the drop is irreversible): the sets the
 * kernel reports afterwards, and what the process can and cannot do then.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include <cmocka.h>

#include "ops/caps.h"

struct status {
	uint64_t inh, prm, eff, bnd, amb;
	int nnp;
};

/* Reads /proc/self/status independently of caps__describe. */
static int read_status(struct status *st)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	memset(st, 0, sizeof(*st));
	st->nnp = -1;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "CapInh: %" SCNx64, &st->inh);
		sscanf(line, "CapPrm: %" SCNx64, &st->prm);
		sscanf(line, "CapEff: %" SCNx64, &st->eff);
		sscanf(line, "CapBnd: %" SCNx64, &st->bnd);
		sscanf(line, "CapAmb: %" SCNx64, &st->amb);
		sscanf(line, "NoNewPrivs: %d", &st->nnp);
	}
	fclose(f);
	return 0;
}

/* What a child saw after dropping, sent back through a pipe. */
struct child_report {
	int drop_ret;
	struct status st;
	int readlink_errno; /* reading another root process's /proc/PID/exe */
	int chown_errno;    /* CAP_CHOWN must be gone */
	char describe[256];
};

static void run_child(const int *keep, size_t n, pid_t other, struct child_report *r)
{
	int fds[2];
	pid_t pid;
	int status;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct child_report c = {0};
		char path[64], target[4096], tmp[] = "/tmp/test_caps.XXXXXX";
		int fd;

		close(fds[0]);
		c.drop_ret = caps__drop_to(keep, n);
		read_status(&c.st);
		snprintf(path, sizeof(path), "/proc/%d/exe", other);
		c.readlink_errno = readlink(path, target, sizeof(target)) < 0 ? errno : 0;
		fd = mkstemp(tmp);
		c.chown_errno = fchown(fd, 12345, 12345) ? errno : 0;
		close(fd);
		unlink(tmp);
		caps__describe(c.describe, sizeof(c.describe));
		if (write(fds[1], &c, sizeof(c)) != sizeof(c))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], r, sizeof(*r)), sizeof(*r));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A process with every capability we have, for the children to look at. */
static pid_t start_other(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void stop_other(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The tests need what the monitor has, root with the capabilities it keeps;
 * without them (make check as a user) each is skipped, not failed.
 */
static void require_caps(void)
{
	struct status st;

	if (read_status(&st) || !(st.eff & (1ULL << CAP_SYS_PTRACE)) ||
	    !(st.eff & (1ULL << CAP_SETPCAP)) || !(st.eff & (1ULL << CAP_CHOWN))) {
		print_message("      needs root with CAP_SYS_PTRACE, CAP_SETPCAP, CAP_CHOWN\n");
		skip();
	}
}

static void drop_to__ptrace_and_dac_read_search__only_those_left(void **state)
{
	const int keep[] = {CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH};
	const uint64_t want = 1ULL << CAP_SYS_PTRACE | 1ULL << CAP_DAC_READ_SEARCH;
	pid_t other;
	struct child_report r;
	char expect[128];

	require_caps();
	other = start_other();
	run_child(keep, 2, other, &r);
	stop_other(other);

	assert_int_equal(r.drop_ret, 0);
	assert_int_equal(r.st.eff, want);
	assert_int_equal(r.st.prm, want);
	assert_int_equal(r.st.bnd, want);
	assert_int_equal(r.st.inh, 0);
	assert_int_equal(r.st.amb, 0);
	assert_int_equal(r.st.nnp, 1);
	/* CAP_SYS_PTRACE still lets it read a more privileged process's exe... */
	assert_int_equal(r.readlink_errno, 0);
	/* ...and nothing else is left. */
	assert_int_equal(r.chown_errno, EPERM);
	snprintf(expect, sizeof(expect), "CapEff=%016" PRIx64 " CapPrm=%016" PRIx64, want, want);
	assert_non_null(strstr(r.describe, expect));
	assert_non_null(strstr(r.describe, "NoNewPrivs=1"));
}

static void drop_to__nothing__proc_of_others_denied(void **state)
{
	pid_t other;
	struct child_report r;

	require_caps();
	other = start_other();
	run_child(NULL, 0, other, &r);
	stop_other(other);

	assert_int_equal(r.drop_ret, 0);
	assert_int_equal(r.st.eff, 0);
	assert_int_equal(r.st.prm, 0);
	assert_int_equal(r.st.bnd, 0);
	assert_int_equal(r.st.nnp, 1);
	assert_int_equal(r.readlink_errno, EACCES);
	assert_int_equal(r.chown_errno, EPERM);
}

static void drop_to__unknown_capability__einval_and_nothing_dropped(void **state)
{
	const int keep[] = {CAP_SYS_PTRACE, 64};
	pid_t other;
	struct child_report r;

	require_caps();
	other = start_other();
	run_child(keep, 2, other, &r);
	stop_other(other);

	assert_int_equal(r.drop_ret, -EINVAL);
	assert_true(r.st.eff & (1ULL << CAP_CHOWN));
	assert_int_equal(r.st.nnp, 0);
	assert_int_equal(r.chown_errno, 0);
}

/* What a child could still do with BPF after caps__drop_for_monitor(). */
struct bpf_report {
	int drop_ret;
	uint64_t eff;
	int lookup_ret, update_ret, create_errno;
	long long value;
};

static void drop_for_monitor__open_map_fd__still_read_and_updated(void **state)
{
	uint64_t want = 1ULL << CAP_SYS_PTRACE | 1ULL << CAP_DAC_READ_SEARCH;
	struct bpf_report r;
	int fds[2], status, unpriv_disabled = 1;
	FILE *f;
	pid_t pid;

	require_caps();
	f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "re");
	if (f) {
		assert_int_equal(fscanf(f, "%d", &unpriv_disabled), 1);
		fclose(f);
	}
	if (caps__bpf_fd_needs_cap())
		want |= 1ULL << CAP_BPF;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct bpf_report c = {0};
		struct status st;
		long long one = 1;
		int key = 0, map, other;

		/* Created while privileged, like the monitor's maps before attach. */
		map = bpf_map_create(BPF_MAP_TYPE_ARRAY, "test_caps", 4, 8, 1, NULL);
		if (map < 0)
			_exit(3);
		c.drop_ret = caps__drop_for_monitor();
		read_status(&st);
		c.eff = st.eff;
		c.update_ret = bpf_map_update_elem(map, &key, &one, BPF_ANY);
		c.lookup_ret = bpf_map_lookup_elem(map, &key, &c.value);
		other = bpf_map_create(BPF_MAP_TYPE_ARRAY, "test_caps2", 4, 8, 1, NULL);
		c.create_errno = other < 0 ? -other : 0;
		if (write(fds[1], &c, sizeof(c)) != sizeof(c))
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &r, sizeof(r)), sizeof(r));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	assert_int_equal(r.drop_ret, 0);
	assert_int_equal(r.eff, want);
	assert_int_equal(r.update_ret, 0);
	assert_int_equal(r.lookup_ret, 0);
	assert_int_equal(r.value, 1);
	/* Without CAP_BPF, no new map: the drop is real. */
	if (!(want & (1ULL << CAP_BPF)) && unpriv_disabled)
		assert_int_equal(r.create_errno, EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(drop_to__ptrace_and_dac_read_search__only_those_left),
	    cmocka_unit_test(drop_to__nothing__proc_of_others_denied),
	    cmocka_unit_test(drop_to__unknown_capability__einval_and_nothing_dropped),
	    cmocka_unit_test(drop_for_monitor__open_map_fd__still_read_and_updated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
