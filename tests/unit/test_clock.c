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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(boot_ns_to_wall_us__now__matches_realtime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
