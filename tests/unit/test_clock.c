// SPDX-License-Identifier: MIT
/* clock: boot-clock timestamps to wall-clock time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "base/clock.h"

static void boot_ns_to_wall_us__now__matches_realtime(void **state)
{
	struct timespec rt;
	int64_t wall;

	clock__sync();
	wall = clock__boot_ns_to_wall_us(clock__boot_ns());
	clock_gettime(CLOCK_REALTIME, &rt);
	assert_true(llabs(wall - ((int64_t)rt.tv_sec * 1000000 + rt.tv_nsec / 1000)) < 50000);
}

static void ms_until__ahead_and_past__rounded_up_then_zero(void **state)
{
	struct timespec d = clock__monotonic_after_ms(250), past = {0, 0};
	int ms = clock__ms_until(&d);

	assert_true(ms > 200 && ms <= 250);
	assert_int_equal(clock__ms_until(&past), 0);
	/* a second ahead: 1000, or 999 once a millisecond went by */
	clock_gettime(CLOCK_MONOTONIC, &d);
	d.tv_sec += 1;
	assert_true(clock__ms_until(&d) >= 999 && clock__ms_until(&d) <= 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(boot_ns_to_wall_us__now__matches_realtime),
	    cmocka_unit_test(ms_until__ahead_and_past__rounded_up_then_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
