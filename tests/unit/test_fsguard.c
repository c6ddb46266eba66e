// SPDX-License-Identifier: MIT
/*
 * fsguard.c: jobs run on a worker within the deadline; one that blocks is
 * abandoned (the caller goes on), its device is refused until it returns,
 * and it releases itself then. A read of an empty pipe stands in for a
 * hung mount: it blocks until the test writes to the pipe.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity/fsguard.h"

#define DEADLINE_MS 50

struct test_job {
	struct fsguard_job base;
	int read_fd;	 /* the job reads one byte from it: blocks while empty */
	int released_fd; /* eventfd: release() adds one */
	uint64_t enter;	 /* not 0: the job enters this file system before it reads */
	bool leave;	 /* and leaves it again before it reads */
	int entered;	 /* what fsguard__enter returned */
	bool ran;
	bool sigterm_blocked;
	char got;
};

static void job_run(struct fsguard_job *base)
{
	struct test_job *j = (struct test_job *)base;
	sigset_t mask;

	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	j->sigterm_blocked = sigismember(&mask, SIGTERM);
	if (j->enter)
		j->entered = fsguard__enter(&j->base, j->enter);
	if (j->enter && j->leave)
		fsguard__leave(&j->base);
	if (j->read_fd >= 0 && read(j->read_fd, &j->got, 1) != 1)
		j->got = '?';
	j->ran = true;
}

static void job_release(struct fsguard_job *base)
{
	struct test_job *j = (struct test_job *)base;
	int fd = j->released_fd;
	uint64_t one = 1;

	free(j);
	/* not an assert: this runs on the worker, where cmocka cannot fail a test */
	if (write(fd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static struct test_job *job_new(uint64_t dev, int read_fd, int released_fd)
{
	struct test_job *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->base = (struct fsguard_job){.run = job_run, .release = job_release, .dev = dev};
	j->read_fd = read_fd;
	j->released_fd = released_fd;
	return j;
}

/* Blocks until @n releases were counted on @efd. */
static void wait_released(int efd, uint64_t n)
{
	uint64_t got = 0, v;

	while (got < n) {
		assert_int_equal(read(efd, &v, sizeof(v)), sizeof(v));
		got += v;
	}
}

static void fsguard__job_runs_on_a_worker_with_signals_blocked(void **state)
{
	struct fsguard *g = fsguard__new(DEADLINE_MS);
	struct test_job *j = job_new(1, -1, -1);
	struct fsguard_stats st;

	assert_non_null(g);
	assert_int_equal(fsguard__run(g, &j->base), 0);
	assert_true(j->ran);
	assert_true(j->sigterm_blocked); /* SIGTERM must reach the loop's thread */
	/* the worker is reused for the next job */
	j->ran = false;
	assert_int_equal(fsguard__run(g, &j->base), 0);
	assert_true(j->ran);
	fsguard__stats(g, &st);
	assert_int_equal(st.jobs, 2);
	assert_int_equal(st.timeouts + st.refused + st.stuck, 0);
	free(j);
	fsguard__free(g);
}

static void fsguard__blocked_job_is_abandoned_and_its_device_refused(void **state)
{
	struct fsguard *g = fsguard__new(DEADLINE_MS);
	int efd = eventfd(0, 0), hung[2];
	struct test_job *stuck, *other, *unknown;
	struct fsguard_stats st;

	assert_true(efd >= 0);
	assert_int_equal(pipe(hung), 0);
	stuck = job_new(7, hung[0], efd);
	assert_int_equal(fsguard__run(g, &stuck->base), -ETIMEDOUT);
	/* stuck belongs to its worker now */

	/* its device is not touched again while the job waits ... */
	other = job_new(7, -1, efd);
	assert_int_equal(fsguard__run(g, &other->base), -EBUSY);
	assert_false(other->ran);
	/* ... but other devices, and unknown ones, are read by a fresh worker */
	other->base.dev = 8;
	assert_int_equal(fsguard__run(g, &other->base), 0);
	assert_true(other->ran);
	other->base.dev = 0;
	assert_int_equal(fsguard__run(g, &other->base), 0);
	fsguard__stats(g, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.stuck, 1);

	/* unknown devices count as one: a stuck one refuses the others */
	unknown = job_new(0, hung[0], efd);
	assert_int_equal(fsguard__run(g, &unknown->base), -ETIMEDOUT);
	other->ran = false;
	assert_int_equal(fsguard__run(g, &other->base), -EBUSY);
	assert_false(other->ran);
	assert_int_equal(write(hung[1], "x", 1), 1);
	wait_released(efd, 1);

	/* the mount answers: the job returns, releases itself, the device is back */
	assert_int_equal(write(hung[1], "x", 1), 1);
	wait_released(efd, 1);
	for (int i = 0; i < 100; i++) {
		fsguard__stats(g, &st);
		if (!st.stuck)
			break;
		usleep(1000); /* the worker unlocks just after release() */
	}
	assert_int_equal(st.stuck, 0);
	other->base.dev = 7;
	other->ran = false;
	assert_int_equal(fsguard__run(g, &other->base), 0);
	assert_true(other->ran);

	free(other);
	fsguard__free(g);
	close(hung[0]);
	close(hung[1]);
	close(efd);
}

/* Waits (1 ms steps, at most 1 s) until no worker is stuck. */
static void wait_unstuck(struct fsguard *g)
{
	struct fsguard_stats st;

	for (int i = 0; i < 1000; i++) {
		fsguard__stats(g, &st);
		if (!st.stuck)
			return;
		usleep(1000); /* the worker unlocks just after release() */
	}
	fail_msg("a worker is still stuck");
}

static void fsguard__overrun_after_enter__charged_to_what_it_entered(void **state)
{
	struct fsguard *g = fsguard__new(DEADLINE_MS);
	int efd = eventfd(0, 0), hung[2];
	struct test_job *stuck, *other;
	struct fsguard_stats st;

	assert_int_equal(pipe(hung), 0);
	/* reads device 7, then waits in file system 70 (a root's package database) */
	stuck = job_new(7, hung[0], efd);
	stuck->enter = 70;
	assert_int_equal(fsguard__run(g, &stuck->base), -ETIMEDOUT);
	assert_int_equal(fsguard__last_overrun(g), 70);

	/* device 7 answers: it is read on ... */
	other = job_new(7, -1, efd);
	assert_int_equal(fsguard__run(g, &other->base), 0);
	assert_true(other->ran);
	/* ... 70 is not: a job on it is refused, one that would enter it is told so */
	other->ran = false;
	other->base.dev = 70;
	assert_int_equal(fsguard__run(g, &other->base), -EBUSY);
	assert_false(other->ran);
	other->base.dev = 7;
	other->enter = 70;
	assert_int_equal(fsguard__run(g, &other->base), 0);
	assert_true(other->ran);
	assert_int_equal(other->entered, -EBUSY);
	fsguard__stats(g, &st);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.stuck, 1);

	/* 70 answers: the job returns, and 70 is entered again */
	assert_int_equal(write(hung[1], "x", 1), 1);
	wait_released(efd, 1);
	wait_unstuck(g);
	assert_int_equal(fsguard__run(g, &other->base), 0);
	assert_int_equal(other->entered, 0);

	/* left again before it waits: the wait is the job's own device's */
	stuck = job_new(7, hung[0], efd);
	stuck->enter = 70;
	stuck->leave = true;
	assert_int_equal(fsguard__run(g, &stuck->base), -ETIMEDOUT);
	assert_int_equal(fsguard__last_overrun(g), 7);
	other->enter = 0;
	assert_int_equal(fsguard__run(g, &other->base), -EBUSY);
	other->base.dev = 70;
	assert_int_equal(fsguard__run(g, &other->base), 0);
	assert_int_equal(write(hung[1], "x", 1), 1);
	wait_released(efd, 1);
	wait_unstuck(g);

	free(other);
	fsguard__free(g);
	close(hung[0]);
	close(hung[1]);
	close(efd);
}

static void spin_run(struct fsguard_job *base)
{
	struct test_job *j = (struct test_job *)base;
	struct timespec start, now;

	/* busy on the CPU, as a worker on a starved host is runnable, for 3 deadlines */
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 <
	       3 * DEADLINE_MS);
	j->ran = true;
}

static void fsguard__runnable_worker_is_waited_for_not_abandoned(void **state)
{
	struct fsguard *g = fsguard__new(DEADLINE_MS);
	struct test_job *j = job_new(5, -1, -1);
	struct fsguard_stats st;

	j->base.run = spin_run;
	assert_int_equal(fsguard__run(g, &j->base), 0);
	assert_true(j->ran);
	fsguard__stats(g, &st);
	assert_true(st.starved >= 2);
	assert_int_equal(st.timeouts + st.stuck, 0);
	free(j);
	fsguard__free(g);
}

static void fsguard__wait_unstuck__returns_once_the_mount_answers(void **state)
{
	struct fsguard *g = fsguard__new(DEADLINE_MS);
	int efd = eventfd(0, 0), hung[2];
	struct test_job *j;

	assert_int_equal(pipe(hung), 0);
	j = job_new(3, hung[0], efd);
	assert_int_equal(fsguard__run(g, &j->base), -ETIMEDOUT);
	/* still hung: the wait gives up at its deadline */
	assert_int_equal(fsguard__wait_unstuck(g, DEADLINE_MS), 1);
	/* the answer comes while it waits: it returns as soon as the worker does */
	assert_int_equal(write(hung[1], "x", 1), 1);
	assert_int_equal(fsguard__wait_unstuck(g, 10000), 0);
	wait_released(efd, 1);
	fsguard__free(g);
	close(hung[0]);
	close(hung[1]);
	close(efd);
}

static void fsguard__too_many_stuck_refuses_everything(void **state)
{
	struct fsguard *g = fsguard__new(DEADLINE_MS);
	int efd = eventfd(0, 0), hung[2];
	struct test_job *j;

	assert_int_equal(pipe(hung), 0);
	for (uint64_t dev = 1; dev <= FSGUARD_MAX_STUCK; dev++) {
		j = job_new(dev, hung[0], efd);
		assert_int_equal(fsguard__run(g, &j->base), -ETIMEDOUT);
	}
	j = job_new(100, -1, efd);
	assert_int_equal(fsguard__run(g, &j->base), -EBUSY);
	assert_false(j->ran);
	free(j);

	/* freed with workers still stuck: the last of them frees the guard */
	fsguard__free(g);
	for (int i = 0; i < FSGUARD_MAX_STUCK; i++)
		assert_int_equal(write(hung[1], "x", 1), 1);
	wait_released(efd, FSGUARD_MAX_STUCK);
	usleep(20000); /* let the last worker finish freeing (ASan checks the leak) */
	close(hung[0]);
	close(hung[1]);
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fsguard__job_runs_on_a_worker_with_signals_blocked),
	    cmocka_unit_test(fsguard__blocked_job_is_abandoned_and_its_device_refused),
	    cmocka_unit_test(fsguard__overrun_after_enter__charged_to_what_it_entered),
	    cmocka_unit_test(fsguard__runnable_worker_is_waited_for_not_abandoned),
	    cmocka_unit_test(fsguard__wait_unstuck__returns_once_the_mount_answers),
	    cmocka_unit_test(fsguard__too_many_stuck_refuses_everything),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
