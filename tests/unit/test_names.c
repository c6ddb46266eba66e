// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "network/addr.h"
#include "network/names.h"

#define S 1000000LL /* one second in µs */

static const unsigned char *ip(const char *text)
{
	static unsigned char a[4][16];
	static unsigned i;
	unsigned char *p = a[i++ % 4];

	assert_int_equal(addr__parse(text, p), 0);
	return p;
}

static void names__get__within_ttl_only(void **state)
{
	struct names *n = names__new(16);

	assert_non_null(n);
	assert_int_equal(names__put(n, 1, ip("192.0.2.1"), "agent-api.atera.com", 60, 100 * S), 0);
	assert_string_equal(names__get(n, 1, ip("192.0.2.1"), 100 * S), "agent-api.atera.com");
	assert_string_equal(names__get(n, 1, ip("192.0.2.1"), 160 * S - 1), "agent-api.atera.com");
	assert_null(names__get(n, 1, ip("192.0.2.1"), 160 * S));
	/* an expired entry is gone, not only hidden */
	assert_int_equal(names__count(n), 0);
	assert_null(names__get(n, 1, ip("192.0.2.2"), 100 * S));
	names__free(n);
	names__free(NULL);
}

static void names__put__ttl_zero__short_grace(void **state)
{
	struct names *n = names__new(16);

	assert_int_equal(names__put(n, 1, ip("192.0.2.1"), "a.example", 0, 10 * S), 0);
	assert_string_equal(names__get(n, 1, ip("192.0.2.1"), 10 * S + NAMES_TTL0_US - 1),
			    "a.example");
	assert_null(names__get(n, 1, ip("192.0.2.1"), 10 * S + NAMES_TTL0_US));
	/* RFC 2181: a TTL with its top bit set is 0, not 68 years */
	assert_int_equal(names__put(n, 1, ip("192.0.2.1"), "a.example", 0x80000000u, 10 * S), 0);
	assert_null(names__get(n, 1, ip("192.0.2.1"), 10 * S + NAMES_TTL0_US));
	names__free(n);
}

static void names__put__same_address__latest_answer_wins(void **state)
{
	struct names *n = names__new(16);

	assert_int_equal(names__put(n, 1, ip("2001:db8::1"), "old.example", 600, 0), 0);
	assert_int_equal(names__put(n, 1, ip("2001:db8::1"), "new.example", 5, 10 * S), 0);
	assert_int_equal(names__count(n), 1);
	assert_string_equal(names__get(n, 1, ip("2001:db8::1"), 11 * S), "new.example");
	/* the later answer's TTL rules, even when shorter */
	assert_null(names__get(n, 1, ip("2001:db8::1"), 15 * S));
	/* the same answer again refreshes it */
	assert_int_equal(names__put(n, 1, ip("2001:db8::1"), "new.example", 5, 20 * S), 0);
	assert_int_equal(names__put(n, 1, ip("2001:db8::1"), "new.example", 5, 24 * S), 0);
	assert_string_equal(names__get(n, 1, ip("2001:db8::1"), 28 * S), "new.example");
	names__free(n);
}

static void names__get__per_netns(void **state)
{
	struct names *n = names__new(16);

	assert_int_equal(names__put(n, 4026531840u, ip("10.0.0.5"), "host.example", 60, 0), 0);
	assert_int_equal(names__put(n, 4026532000u, ip("10.0.0.5"), "pod.cluster.local", 60, 0), 0);
	assert_string_equal(names__get(n, 4026531840u, ip("10.0.0.5"), S), "host.example");
	assert_string_equal(names__get(n, 4026532000u, ip("10.0.0.5"), S), "pod.cluster.local");
	assert_null(names__get(n, 4026532001u, ip("10.0.0.5"), S));
	/* v4 and its mapped form are one address; another v6 is not */
	assert_string_equal(names__get(n, 4026531840u, ip("::ffff:10.0.0.5"), S), "host.example");
	assert_null(names__get(n, 4026531840u, ip("::10.0.0.5"), S));
	names__free(n);
}

static void names__put__full__least_recently_used_goes(void **state)
{
	struct names *n = names__new(3);
	char addr[32], name[32];

	for (int i = 1; i <= 3; i++) {
		snprintf(addr, sizeof(addr), "192.0.2.%d", i);
		snprintf(name, sizeof(name), "n%d.example", i);
		assert_int_equal(names__put(n, 1, ip(addr), name, 60, 0), 0);
	}
	/* 1 used again: 2 is now the oldest */
	assert_string_equal(names__get(n, 1, ip("192.0.2.1"), S), "n1.example");
	assert_int_equal(names__put(n, 1, ip("192.0.2.4"), "n4.example", 60, S), 0);
	assert_int_equal(names__count(n), 3);
	assert_null(names__get(n, 1, ip("192.0.2.2"), S));
	assert_string_equal(names__get(n, 1, ip("192.0.2.1"), S), "n1.example");
	assert_string_equal(names__get(n, 1, ip("192.0.2.3"), S), "n3.example");
	assert_string_equal(names__get(n, 1, ip("192.0.2.4"), S), "n4.example");
	/* a replacement refreshes too: 4 is then the newest, 1 the oldest */
	assert_int_equal(names__put(n, 1, ip("192.0.2.4"), "n4b.example", 60, S), 0);
	assert_int_equal(names__put(n, 1, ip("192.0.2.5"), "n5.example", 60, S), 0);
	assert_null(names__get(n, 1, ip("192.0.2.1"), S));
	assert_string_equal(names__get(n, 1, ip("192.0.2.4"), S), "n4b.example");
	names__free(n);
}

static void names__put__many__bounded_and_consistent(void **state)
{
	struct names *n = names__new(100);
	unsigned char a[16] = {[10] = 0xff, [11] = 0xff};
	char name[32];

	/* 10 rounds over the bound: every entry still found is the last one put */
	for (unsigned i = 0; i < 1000; i++) {
		memcpy(a + 12, &i, 4);
		snprintf(name, sizeof(name), "h%u.example", i);
		assert_int_equal(names__put(n, i % 3, a, name, 60, 0), 0);
		assert_true(names__count(n) <= 100);
	}
	for (unsigned i = 0; i < 1000; i++) {
		const char *got;

		memcpy(a + 12, &i, 4);
		snprintf(name, sizeof(name), "h%u.example", i);
		got = names__get(n, i % 3, a, S);
		if (i >= 900)
			assert_string_equal(got, name);
		else
			assert_null(got);
	}
	names__free(n);
}

static void names__put__bad_names__einval(void **state)
{
	struct names *n = names__new(4);
	char big[NAMES_NAME_MAX + 1];

	assert_null(names__new(0));
	assert_int_equal(names__put(n, 1, ip("192.0.2.1"), "", 60, 0), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[NAMES_NAME_MAX] = '\0';
	assert_int_equal(names__put(n, 1, ip("192.0.2.1"), big, 60, 0), -EINVAL);
	big[NAMES_NAME_MAX - 1] = '\0';
	assert_int_equal(names__put(n, 1, ip("192.0.2.1"), big, 60, 0), 0);
	assert_string_equal(names__get(n, 1, ip("192.0.2.1"), 0), big);
	names__free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names__get__within_ttl_only),
	    cmocka_unit_test(names__put__ttl_zero__short_grace),
	    cmocka_unit_test(names__put__same_address__latest_answer_wins),
	    cmocka_unit_test(names__get__per_netns),
	    cmocka_unit_test(names__put__full__least_recently_used_goes),
	    cmocka_unit_test(names__put__many__bounded_and_consistent),
	    cmocka_unit_test(names__put__bad_names__einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
