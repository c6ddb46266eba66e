// SPDX-License-Identifier: MIT
/* Helper threads: see thread.h. */
#include <signal.h>

#include "base/thread.h"

int thread__start(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int err;

	/* the new thread inherits the mask it is created with */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -err;
}
