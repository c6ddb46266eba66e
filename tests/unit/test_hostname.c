// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "network/hostname.h"

static int copy(const char *s, char *out, size_t size)
{
	return hostname__copy((const unsigned char *)s, strlen(s), out, size);
}

static void hostname__copy__dns_names__lower_cased(void **state)
{
	char out[HOSTNAME_MAX + 1];

	assert_int_equal(copy("PubSub.Atera.com", out, sizeof(out)), 0);
	assert_string_equal(out, "pubsub.atera.com");
	assert_int_equal(copy("_srv-1.x9.example", out, sizeof(out)), 0);
	assert_string_equal(out, "_srv-1.x9.example");
	assert_int_equal(copy("localhost", out, sizeof(out)), 0);
	assert_string_equal(out, "localhost");
	assert_int_equal(copy("a", out, 1), -ENOSPC);
	assert_int_equal(copy("a", out, 2), 0);
}

static void hostname__copy__hostile_or_malformed__einval(void **state)
{
	static const char *bad[] = {
	    "",	     ".",    "a..b",  ".a",    "a.",	    "a b",
	    "a\tb",  "a\nb", "a/b",   "a:443", "a\\.b",	    "caf\xc3\xa9.example",
	    "a%2eb", "a@b",  "[::1]", "a\x7f", "*.example",
	};
	char out[HOSTNAME_MAX + 1], big[300];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(copy(bad[i], out, sizeof(out)), -EINVAL);
	assert_int_equal(hostname__copy((const unsigned char *)"a\0b", 3, out, sizeof(out)),
			 -EINVAL);
	/* a 63-character label is the longest */
	memset(big, 'a', 64);
	big[63] = '\0';
	assert_int_equal(copy(big, out, sizeof(out)), 0);
	big[63] = 'a';
	big[64] = '\0';
	assert_int_equal(copy(big, out, sizeof(out)), -EINVAL);
	/* 253 characters in all */
	memset(big, 'a', sizeof(big));
	for (int i = 50; i < 300; i += 51)
		big[i] = '.';
	big[HOSTNAME_MAX] = '\0';
	assert_int_equal(copy(big, out, sizeof(out)), 0);
	big[HOSTNAME_MAX] = 'a';
	big[HOSTNAME_MAX + 1] = '\0';
	assert_int_equal(copy(big, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hostname__copy__dns_names__lower_cased),
	    cmocka_unit_test(hostname__copy__hostile_or_malformed__einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
