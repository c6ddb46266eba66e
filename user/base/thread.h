/* SPDX-License-Identifier: MIT */
/*
 * Helper threads (the ring reader, the file readers) never take a signal:
 * SIGTERM, SIGHUP and SIGINT must reach the main thread, whose loop they stop
 * or reload.
 */
#ifndef RMMHUNT_THREAD_H
#define RMMHUNT_THREAD_H

#include <pthread.h>

/* pthread_create() with every signal blocked in the new thread: 0 or -errno. */
int thread__start(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
