// SPDX-License-Identifier: MIT
/* base/strhash.h: the published FNV-1a and SplitMix64 values, seeds, and bucket spread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/strhash.h"

static void strhash_mix64__splitmix64_vector__first_output(void **state)
{
	/* SplitMix64 seeded with 0: its first output mixes 0 + the golden gamma. */
	assert_true(strhash__mix64(0x9e3779b97f4a7c15ull) == 0xe220a8397b1dcdafull);
	assert_true(strhash__mix64(0) == 0);
}

static void strhash_bytes__fnv1a_vectors__then_mixed(void **state)
{
	/* FNV-1a 64 of "" is the offset basis, of "a" 0xaf63dc4c8601ec8c (the published values). */
	assert_true(strhash__bytes("", 0, 0) == strhash__mix64(0xcbf29ce484222325ull));
	assert_true(strhash__bytes("a", 1, 0) == strhash__mix64(0xaf63dc4c8601ec8cull));
}

static void strhash_bytes__length_and_seed__change_the_hash(void **state)
{
	const char s[] = "/usr/bin/ls";

	assert_true(strhash__bytes(s, strlen(s), 0) == strhash__bytes("/usr/bin/ls", 11, 0));
	assert_true(strhash__bytes(s, strlen(s), 0) != strhash__bytes(s, strlen(s) - 1, 0));
	/* a NUL byte counts: keys are bytes, not C strings */
	assert_true(strhash__bytes(s, sizeof(s), 0) != strhash__bytes(s, strlen(s), 0));
	assert_true(strhash__bytes(s, strlen(s), 1) != strhash__bytes(s, strlen(s), 0));
}

/*
 * Keys that differ only in their last two bytes land evenly in the low bits and
 * in the high bits: FNV-1a alone puts them all in a few of the top-byte buckets.
 */
static void strhash_bytes__keys_differing_at_the_end__spread_over_buckets(void **state)
{
	enum { N = 1 << 14, BUCKETS = 256 };
	static unsigned int low[BUCKETS], high[BUCKETS];
	char key[] = "/usr/bin/..";

	for (unsigned int i = 0; i < N; i++) {
		uint64_t h;

		key[9] = (char)(i & 0xff);
		key[10] = (char)(i >> 8);
		h = strhash__bytes(key, sizeof(key) - 1, 0);
		low[h % BUCKETS]++;
		high[h >> 56]++;
	}
	/* N / BUCKETS = 64 a bucket; a fair hash stays well within twice that */
	for (unsigned int b = 0; b < BUCKETS; b++) {
		assert_in_range(low[b], 16, 128);
		assert_in_range(high[b], 16, 128);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(strhash_mix64__splitmix64_vector__first_output),
	    cmocka_unit_test(strhash_bytes__fnv1a_vectors__then_mixed),
	    cmocka_unit_test(strhash_bytes__length_and_seed__change_the_hash),
	    cmocka_unit_test(strhash_bytes__keys_differing_at_the_end__spread_over_buckets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
