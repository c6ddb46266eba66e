/* SPDX-License-Identifier: MIT */
/*
 * Kernel timestamps are on the boot clock (monotonic, counts suspend); output
 * is wall-clock UTC. The offset between them moves with NTP and settimeofday,
 * so it is re-measured now and then rather than fixed at start.
 */
#ifndef RMMHUNT_CLOCK_H
#define RMMHUNT_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Measures the boot-to-wall offset; call at start and then about once a second. */
void clock__sync(void);
/* Boot-clock nanoseconds to microseconds since the Unix epoch. */
int64_t clock__boot_ns_to_wall_us(uint64_t boot_ns);
/* Now, in microseconds since the Unix epoch. */
int64_t clock__now_us(void);
/* Now on the boot clock, in nanoseconds. */
uint64_t clock__boot_ns(void);
/* @ms milliseconds from now on CLOCK_MONOTONIC: a pthread_cond_timedwait deadline. */
struct timespec clock__monotonic_after_ms(unsigned int ms);
/* Milliseconds from now to CLOCK_MONOTONIC @deadline, rounded up; 0 once it passed. */
int clock__ms_until(const struct timespec *deadline);

#endif
