// SPDX-License-Identifier: MIT
/* decode__net: a network record is read only once its lengths add up. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/decode.h"

static struct net_event ev;

static int setup(void **state)
{
	memset(&ev, 0, sizeof(ev));
	ev.kind = NET_CONNECT_SUCCESS;
	return 0;
}

static void decode__net__header_only__ok(void **state)
{
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE), 0);
}

static void decode__net__short_of_header__einval(void **state)
{
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE - 1), -EINVAL);
	assert_int_equal(decode__net(&ev, 0), -EINVAL);
}

static void decode__net__every_kind__ok(void **state)
{
	for (int k = 0; k < NET_KIND__COUNT; k++) {
		ev.kind = k;
		assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE), 0);
	}
}

static void decode__net__unknown_kind__einval(void **state)
{
	ev.kind = NET_KIND__COUNT;
	assert_int_equal(decode__net(&ev, sizeof(ev)), -EINVAL);
	ev.kind = 0xffff;
	assert_int_equal(decode__net(&ev, sizeof(ev)), -EINVAL);
}

static void decode__net__data_that_arrived__ok(void **state)
{
	ev.kind = NET_DNS_ANSWER;
	ev.data_len = 40;
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE + 40), 0);
	/* the kernel reserves the whole record: more arrived than data_len */
	assert_int_equal(decode__net(&ev, sizeof(ev)), 0);
	ev.data_len = NET_DATA_MAX;
	assert_int_equal(decode__net(&ev, sizeof(ev)), 0);
}

static void decode__net__data_longer_than_arrived__einval(void **state)
{
	ev.kind = NET_FIRST_BYTES;
	ev.data_len = 41;
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE + 40), -EINVAL);
	ev.data_len = 1;
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE), -EINVAL);
}

static void decode__net__data_over_max__einval(void **state)
{
	static unsigned char big[sizeof(struct net_event) + 64];
	struct net_event *e = (struct net_event *)big;

	/* even when that many bytes arrived: data[] holds at most NET_DATA_MAX */
	e->kind = NET_DNS_ANSWER;
	e->data_len = NET_DATA_MAX + 1;
	assert_int_equal(decode__net(e, sizeof(big)), -EINVAL);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(decode__net__header_only__ok),	   T(decode__net__short_of_header__einval),
	    T(decode__net__every_kind__ok),	   T(decode__net__unknown_kind__einval),
	    T(decode__net__data_that_arrived__ok), T(decode__net__data_longer_than_arrived__einval),
	    T(decode__net__data_over_max__einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
