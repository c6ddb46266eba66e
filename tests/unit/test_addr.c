// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "network/addr.h"

static void round_trip(const char *in, const char *want)
{
	unsigned char a[16];
	char out[ADDR_STR_MAX];

	assert_int_equal(addr__parse(in, a), 0);
	assert_int_equal(addr__format(a, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void addr__format__v4_dotted_v6_rfc5952(void **state)
{
	round_trip("192.0.2.1", "192.0.2.1");
	round_trip("::ffff:192.0.2.1", "192.0.2.1"); /* v4-mapped prints as IPv4 */
	round_trip("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
	round_trip("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1");	    /* the longest zero run */
	round_trip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");    /* the first of two */
	round_trip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"); /* one zero: no "::" */
	round_trip("::1", "::1");
	round_trip("::", "::");
	round_trip("fe80::1", "fe80::1");
}

/* The dotted quad written by hand is inet_ntop's, for every value of each byte. */
static void addr__format__v4_every_byte__as_inet_ntop(void **state)
{
	unsigned char a[16] = {[10] = 0xff, [11] = 0xff, 10, 200, 7, 99};

	for (int i = 12; i < 16; i++) {
		for (int v = 0; v < 256; v++) {
			char got[ADDR_STR_MAX], want[INET_ADDRSTRLEN];

			a[i] = (unsigned char)v;
			assert_non_null(inet_ntop(AF_INET, a + 12, want, sizeof(want)));
			assert_int_equal(addr__format(a, got, sizeof(got)), 0);
			assert_string_equal(got, want);
		}
	}
}

static void addr__parse__v4_is_mapped_bad_text_refused(void **state)
{
	static const unsigned char want[16] = {[10] = 0xff, [11] = 0xff, 10, 1, 2, 3};
	unsigned char a[16];

	assert_int_equal(addr__parse("10.1.2.3", a), 0);
	assert_memory_equal(a, want, 16);
	assert_true(addr__is_v4(a));
	assert_int_equal(addr__parse("2001:db8::1", a), 0);
	assert_false(addr__is_v4(a));
	assert_int_equal(addr__parse("10.1.2", a), -EINVAL);
	assert_int_equal(addr__parse("host.example", a), -EINVAL);
	assert_int_equal(addr__parse("", a), -EINVAL);
}

static void addr__format__small_buffer__enospc(void **state)
{
	unsigned char a[16];
	char out[ADDR_STR_MAX];

	assert_int_equal(addr__parse("192.0.2.1", a), 0);
	assert_int_equal(addr__format(a, out, 9), -ENOSPC);
	assert_int_equal(addr__format(a, out, 10), 0);
	assert_string_equal(out, "192.0.2.1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(addr__format__v4_dotted_v6_rfc5952),
	    cmocka_unit_test(addr__format__v4_every_byte__as_inet_ntop),
	    cmocka_unit_test(addr__parse__v4_is_mapped_bad_text_refused),
	    cmocka_unit_test(addr__format__small_buffer__enospc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
