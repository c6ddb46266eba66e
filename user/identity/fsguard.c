// SPDX-License-Identifier: MIT
/*
 * Reads with a deadline: see fsguard.h.
 *
 * One lock guards it all. The loop hands a job to the idle worker and waits
 * on `done` until the worker clears the job or the deadline passes; past it,
 * a worker that is runnable (the host is short of CPU) gets another. A worker
 * abandoned at the deadline is detached and forgotten by the loop: when its
 * job returns, it releases the job, takes the file system it was charged to
 * off the hung list and exits. Workers block every signal, so signals reach
 * the loop's thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/proc.h"
#include "base/thread.h"
#include "identity/fsguard.h"

struct fsguard_worker {
	struct fsguard *g;
	pthread_t thread;
	pid_t tid; /* 0 until the thread first runs */
	pthread_cond_t wake;
	struct fsguard_job *job; /* set by the loop, cleared by the worker when done */
	uint64_t dev;		 /* the file system the job waits on now (fsguard__enter) */
	uint64_t charged;	 /* abandoned: the one it was stuck on, hung until it returns */
	bool abandoned;
	bool quit;
};

struct fsguard {
	pthread_mutex_t lock;
	pthread_cond_t done;
	unsigned int timeout_ms;
	struct fsguard_worker *idle;	  /* the worker the next job goes to, or NULL */
	uint64_t hung[FSGUARD_MAX_STUCK]; /* what the stuck jobs were charged to */
	unsigned int n_stuck;
	bool freed;	       /* fsguard__free ran: the last stuck worker frees the guard */
	uint64_t last_overrun; /* fsguard__last_overrun() */
	struct fsguard_stats stats;
};

static void guard_destroy(struct fsguard *g)
{
	pthread_cond_destroy(&g->done);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static void worker_destroy(struct fsguard_worker *w)
{
	pthread_cond_destroy(&w->wake);
	free(w);
}

/* A device is hung while a job on it is stuck; "unknown" (0) counts as one device. */
static bool is_hung(const struct fsguard *g, uint64_t dev)
{
	for (unsigned int i = 0; i < g->n_stuck; i++)
		if (g->hung[i] == dev)
			return true;
	return false;
}

static void unstick(struct fsguard *g, uint64_t dev)
{
	for (unsigned int i = 0; i < g->n_stuck; i++) {
		if (g->hung[i] == dev) {
			g->hung[i] = g->hung[--g->n_stuck];
			return;
		}
	}
}

static void *worker_main(void *arg)
{
	struct fsguard_worker *w = arg;
	struct fsguard *g = w->g;
	struct fsguard_job *job = NULL;
	bool last;

	pthread_mutex_lock(&g->lock);
	w->tid = gettid();
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->wake, &g->lock);
		if (w->quit)
			break;
		job = w->job;
		pthread_mutex_unlock(&g->lock);
		job->run(job);
		pthread_mutex_lock(&g->lock);
		w->job = NULL;
		if (w->abandoned)
			break;
		pthread_cond_signal(&g->done);
	}
	if (!w->abandoned) {
		pthread_mutex_unlock(&g->lock);
		return NULL; /* fsguard__free joins and frees an idle worker */
	}
	unstick(g, w->charged);
	pthread_cond_broadcast(&g->done); /* fsguard__wait_unstuck may wait for this */
	last = g->freed && !g->n_stuck;
	pthread_mutex_unlock(&g->lock);
	job->release(job);
	worker_destroy(w);
	if (last)
		guard_destroy(g);
	return NULL;
}

static int worker_start(struct fsguard *g)
{
	struct fsguard_worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->g = g;
	pthread_cond_init(&w->wake, NULL);
	err = thread__start(&w->thread, worker_main, w);
	if (err) {
		worker_destroy(w);
		return err;
	}
	g->idle = w;
	return 0;
}

struct fsguard *fsguard__new(unsigned int timeout_ms)
{
	struct fsguard *g = calloc(1, sizeof(*g));
	pthread_condattr_t attr;

	if (!g)
		return NULL;
	g->timeout_ms = timeout_ms;
	pthread_mutex_init(&g->lock, NULL);
	/* the deadline counts on the monotonic clock: a clock step must not move it */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&g->done, &attr);
	pthread_condattr_destroy(&attr);
	return g;
}

void fsguard__free(struct fsguard *g)
{
	struct fsguard_worker *w;
	bool last;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	w = g->idle;
	g->idle = NULL;
	if (w) {
		w->quit = true;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&g->lock);
	if (w) {
		pthread_join(w->thread, NULL);
		worker_destroy(w);
	}
	pthread_mutex_lock(&g->lock);
	g->freed = true;
	last = !g->n_stuck;
	pthread_mutex_unlock(&g->lock);
	if (last)
		guard_destroy(g);
}

/*
 * Whether a worker past its deadline waits for a CPU rather than for a file
 * system: runnable ('R'), or not yet run at all. A read blocked in a mount
 * sleeps ('D', or 'S' in a FUSE request); one on a starved host is runnable.
 */
static bool worker_runnable(const struct fsguard_worker *w)
{
	struct proc_stat st;

	/* /proc/TID/stat is that thread's own */
	return !w->tid || (!proc__read_stat(w->tid, &st) && st.state == 'R');
}

int fsguard__run(struct fsguard *g, struct fsguard_job *job)
{
	unsigned int max_waits = FSGUARD_BUSY_MAX_MS / (g->timeout_ms ?: 1);
	struct timespec deadline;
	struct fsguard_worker *w;
	int err = 0;

	pthread_mutex_lock(&g->lock);
	if (g->n_stuck >= FSGUARD_MAX_STUCK || is_hung(g, job->dev)) {
		g->stats.refused++;
		err = -EBUSY;
		goto out;
	}
	if (!g->idle && (err = worker_start(g)))
		goto out;
	w = g->idle;
	w->job = job;
	w->dev = job->dev;
	job->worker = w;
	pthread_cond_signal(&w->wake);

	for (unsigned int waits = 0;; waits++) {
		deadline = clock__monotonic_after_ms(g->timeout_ms);
		while (w->job && err != ETIMEDOUT)
			err = pthread_cond_timedwait(&g->done, &g->lock, &deadline);
		/* a busy host is not a hung mount: a runnable worker gets more time */
		if (!w->job || waits + 1 >= max_waits || !worker_runnable(w))
			break;
		g->stats.starved++;
		err = 0;
	}
	if (!w->job) {
		g->stats.jobs++;
		err = 0;
		goto out;
	}
	/* overran: the job is the worker's now, and what it waits on hung until it returns */
	w->abandoned = true;
	w->charged = w->dev;
	pthread_detach(w->thread);
	g->idle = NULL;
	g->hung[g->n_stuck++] = w->charged;
	g->last_overrun = w->charged;
	g->stats.timeouts++;
	err = -ETIMEDOUT;
out:
	pthread_mutex_unlock(&g->lock);
	return err;
}

int fsguard__enter(struct fsguard_job *job, uint64_t dev)
{
	struct fsguard_worker *w = job->worker;
	struct fsguard *g;
	int err = 0;

	if (!w)
		return 0; /* run by its caller, not by a guard */
	g = w->g;
	pthread_mutex_lock(&g->lock);
	if (is_hung(g, dev)) {
		g->stats.refused++;
		err = -EBUSY;
	} else {
		w->dev = dev;
	}
	pthread_mutex_unlock(&g->lock);
	return err;
}

void fsguard__leave(struct fsguard_job *job)
{
	struct fsguard_worker *w = job->worker;

	if (!w)
		return;
	pthread_mutex_lock(&w->g->lock);
	w->dev = job->dev;
	pthread_mutex_unlock(&w->g->lock);
}

uint64_t fsguard__last_overrun(struct fsguard *g)
{
	uint64_t dev;

	pthread_mutex_lock(&g->lock);
	dev = g->last_overrun;
	pthread_mutex_unlock(&g->lock);
	return dev;
}

bool fsguard__hung(struct fsguard *g, uint64_t dev)
{
	bool hung;

	pthread_mutex_lock(&g->lock);
	hung = g->n_stuck >= FSGUARD_MAX_STUCK || is_hung(g, dev);
	pthread_mutex_unlock(&g->lock);
	return hung;
}

void fsguard__stats(struct fsguard *g, struct fsguard_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->stats;
	out->stuck = g->n_stuck;
	pthread_mutex_unlock(&g->lock);
}

unsigned int fsguard__wait_unstuck(struct fsguard *g, unsigned int ms)
{
	struct timespec deadline = clock__monotonic_after_ms(ms);
	unsigned int n;

	pthread_mutex_lock(&g->lock);
	while (g->n_stuck && pthread_cond_timedwait(&g->done, &g->lock, &deadline) != ETIMEDOUT)
		;
	n = g->n_stuck;
	pthread_mutex_unlock(&g->lock);
	return n;
}
