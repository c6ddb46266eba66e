/* SPDX-License-Identifier: MIT */
/*
 * Reads of executables with a deadline. A file on a hung mount (an NFS server
 * gone, a stuck FUSE daemon) blocks the thread that opens or reads it, in the
 * kernel, for as long as the mount stays hung: no signal or timeout gets that
 * thread back. So the event loop never touches an executable's file system
 * itself. A worker thread runs each such job while the loop waits at most the
 * deadline. A job that overruns is abandoned to its worker: it owns all its
 * inputs and outputs, so whenever it returns it touches nothing the loop
 * uses, and it releases itself. Its device counts as hung until then: jobs on
 * it are refused at once, so a hung mount costs the loop one deadline, not one
 * per exec. The next job gets a fresh worker.
 *
 * A job may wait on more than one file system: reading an executable, then
 * the package database of the root it was exec'd in, which may be another
 * mount (a container's). It says which one it is about to wait on
 * (fsguard__enter), and an overrun is charged to that one, never to the
 * others the job touched: a hung container root must not cost the host's
 * executables their identity.
 *
 * A busy host is not a hung mount: past the deadline, a worker that is
 * runnable (working, or waiting for a CPU; not waiting for its file system)
 * gets another one, up to FSGUARD_BUSY_MAX_MS in all, so that CPU
 * starvation alone never costs an exec its identity, nor its device every
 * read after it.
 */
#ifndef RMMHUNT_FSGUARD_H
#define RMMHUNT_FSGUARD_H

#include <stdbool.h>
#include <stdint.h>

/* Workers left stuck in hung mounts at once; past this every job is refused. */
#define FSGUARD_MAX_STUCK 8
/* How long a job may take while its worker stays runnable; then it counts as hung. */
#define FSGUARD_BUSY_MAX_MS 5000

struct fsguard;
struct fsguard_worker;

struct fsguard_job {
	void (*run)(struct fsguard_job *job);	  /* on a worker: the blocking part */
	void (*release)(struct fsguard_job *job); /* frees an abandoned job, on its worker */
	/*
	 * The file system it reads first: a device number, or any other key its
	 * caller gives a file system (fsguard__enter). 0: unknown (all unknown
	 * ones count as one).
	 */
	uint64_t dev;
	struct fsguard_worker *worker; /* fsguard's own: the worker running it, or NULL */
};

struct fsguard_stats {
	uint64_t jobs;	   /* run to the end within the deadline */
	uint64_t timeouts; /* abandoned at the deadline */
	uint64_t refused;  /* not run: their device was hung */
	uint64_t starved;  /* deadlines extended: the worker was waiting for a CPU */
	uint64_t stuck;	   /* workers still waiting for a hung mount now */
};

struct fsguard *fsguard__new(unsigned int timeout_ms);
/* NULL is fine. A guard with stuck workers is left to them (they use it when they return). */
void fsguard__free(struct fsguard *g);

/*
 * Runs @job->run on a worker and waits for it at most the deadline (more
 * while the worker is runnable, see above).
 * 0: it ran; its outputs are the caller's, and so is @job.
 * -ETIMEDOUT: it overran and was abandoned; @job belongs to the worker now,
 *   which calls @job->release when run returns: never touch @job again.
 * -EBUSY: not run, because a job on @job->dev is still stuck (or too many
 *   are): the caller still owns @job.
 * Another negative errno: not run (no worker thread); the caller owns @job.
 */
int fsguard__run(struct fsguard *g, struct fsguard_job *job);

/*
 * From @job->run, on its worker: what follows waits on file system @dev, so
 * an overrun from here is charged to @dev (until fsguard__leave). -EBUSY,
 * counted as refused, when a job on @dev is stuck: then the job must not
 * read there, and stays charged to what it was. A job whose worker is NULL
 * (run by its caller, as tests do) enters anything.
 */
int fsguard__enter(struct fsguard_job *job, uint64_t dev);
/* From @job->run: back to reading @job->dev. */
void fsguard__leave(struct fsguard_job *job);

/*
 * The file system the last fsguard__run that returned -ETIMEDOUT charged
 * (@job->dev, or what it had entered). For the caller that ran it: which
 * part of a job did not answer.
 */
uint64_t fsguard__last_overrun(struct fsguard *g);

/* Whether fsguard__run() would refuse a job on @dev now (-EBUSY). */
bool fsguard__hung(struct fsguard *g, uint64_t dev);
void fsguard__stats(struct fsguard *g, struct fsguard_stats *out);

/*
 * Waits up to @ms for stuck workers to return; how many are still stuck. At
 * shutdown: what a returned worker used can be freed, not left to it.
 */
unsigned int fsguard__wait_unstuck(struct fsguard *g, unsigned int ms);

#endif
