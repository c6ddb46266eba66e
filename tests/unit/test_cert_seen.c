// SPDX-License-Identifier: MIT
/* cert_seen: one report per signed file a period, in a bounded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pipeline/cert_seen.h"

#define DAY CERT_SEEN_PERIOD_US

static void sha1_of(unsigned int i, char out[41])
{
	snprintf(out, 41, "%08x00000000000000000000000000000000", i);
}

static void due__first_then_once_a_period(void **state)
{
	struct cert_seen *s = cert_seen__new(8);
	const char *a = "da39a3ee5e6b4b0d3255bfef95601890afd80709";

	assert_true(cert_seen__due(s, a, 1000, DAY));
	assert_false(cert_seen__due(s, a, 1001, DAY));
	assert_false(cert_seen__due(s, a, 1000 + DAY - 1, DAY));
	assert_true(cert_seen__due(s, a, 1000 + DAY, DAY));
	assert_false(cert_seen__due(s, a, 1000 + DAY + 5, DAY));
	/* the same file in upper case is the same file */
	assert_false(
	    cert_seen__due(s, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", 1000 + DAY, DAY));
	assert_int_equal(cert_seen__count(s), 1);
	cert_seen__free(s);
}

static void due__not_a_sha1__never(void **state)
{
	struct cert_seen *s = cert_seen__new(8);

	assert_false(cert_seen__due(s, NULL, 0, DAY));
	assert_false(cert_seen__due(s, "", 0, DAY));
	assert_false(cert_seen__due(s, "da39a3ee", 0, DAY));
	assert_false(cert_seen__due(s, "zz39a3ee5e6b4b0d3255bfef95601890afd80709", 0, DAY));
	assert_int_equal(cert_seen__count(s), 0);
	cert_seen__free(s);
}

/* Full: the file reported longest ago is forgotten, every other one still known. */
static void due__full__oldest_forgotten_rest_kept(void **state)
{
	const unsigned int max = 64;
	struct cert_seen *s = cert_seen__new(max);
	char sha1[41];

	for (unsigned int i = 0; i < max; i++) {
		sha1_of(i, sha1);
		assert_true(cert_seen__due(s, sha1, 100 + i, DAY));
	}
	sha1_of(1000, sha1);
	assert_true(cert_seen__due(s, sha1, 500, DAY));
	assert_int_equal(cert_seen__count(s), max);
	for (unsigned int i = 1; i < max; i++) {
		sha1_of(i, sha1);
		assert_false(cert_seen__due(s, sha1, 600, DAY));
	}
	sha1_of(0, sha1); /* the oldest: forgotten, so due again */
	assert_true(cert_seen__due(s, sha1, 600, DAY));
	/* many more rounds keep the bound and find every survivor */
	for (unsigned int i = 2000; i < 2000 + 10 * max; i++) {
		sha1_of(i, sha1);
		assert_true(cert_seen__due(s, sha1, 1000 + i, DAY));
		assert_int_equal(cert_seen__count(s), max);
	}
	for (unsigned int i = 2000 + 9 * max; i < 2000 + 10 * max; i++) {
		sha1_of(i, sha1);
		assert_false(cert_seen__due(s, sha1, 1000 + 2000 + 10 * max, DAY));
	}
	cert_seen__free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(due__first_then_once_a_period),
	    cmocka_unit_test(due__not_a_sha1__never),
	    cmocka_unit_test(due__full__oldest_forgotten_rest_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
