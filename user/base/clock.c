// SPDX-License-Identifier: MIT
#include <time.h>

#include "base/clock.h"

static int64_t offset_ns; /* wall - boot */

static int64_t ts_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void clock__sync(void)
{
	/* bracket the wall reading with two boot readings and take the middle */
	int64_t b1 = ts_ns(CLOCK_BOOTTIME);
	int64_t w = ts_ns(CLOCK_REALTIME);
	int64_t b2 = ts_ns(CLOCK_BOOTTIME);

	offset_ns = w - (b1 + (b2 - b1) / 2);
}

int64_t clock__boot_ns_to_wall_us(uint64_t boot_ns)
{
	return ((int64_t)boot_ns + offset_ns) / 1000;
}

int64_t clock__now_us(void)
{
	return ts_ns(CLOCK_REALTIME) / 1000;
}

uint64_t clock__boot_ns(void)
{
	return ts_ns(CLOCK_BOOTTIME);
}

struct timespec clock__monotonic_after_ms(unsigned int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return ts;
}

int clock__ms_until(const struct timespec *deadline)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns =
	    (int64_t)(deadline->tv_sec - now.tv_sec) * 1000000000 + deadline->tv_nsec - now.tv_nsec;
	return ns > 0 ? (int)((ns + 999999) / 1000000) : 0;
}
