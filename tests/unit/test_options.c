// SPDX-License-Identifier: MIT
/* cmd/options: the duration, size and CIDR values of command-line options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/options.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define US_PER_S   1000000LL
#define US_PER_DAY (86400LL * US_PER_S)

static void options__parse_duration_us__each_unit__scales(void **state)
{
	static const struct {
		const char *s;
		int64_t us;
	} cases[] = {
	    {"5d", 5 * US_PER_DAY},
	    {"12h", 12 * 3600 * US_PER_S},
	    {"30m", 30 * 60 * US_PER_S},
	    {"90s", 90 * US_PER_S},
	    {"500ms", 500000},
	    {"10us", 10},
	    {"1us", 1},
	    {"1000ms", US_PER_S},
	    {"007s", 7 * US_PER_S},
	};

	for (size_t i = 0; i < N(cases); i++) {
		int64_t us = -1;

		assert_int_equal(options__parse_duration_us(cases[i].s, &us), 0);
		if (us != cases[i].us)
			fail_msg("'%s': %lld, not %lld", cases[i].s, (long long)us,
				 (long long)cases[i].us);
	}
}

static void options__parse_duration_us__zero_or_negative__refused(void **state)
{
	static const char *const cases[] = {"0s", "0us", "0d", "-1s", "-5d", "-0ms"};

	for (size_t i = 0; i < N(cases); i++) {
		int64_t us = 42;

		if (options__parse_duration_us(cases[i], &us) != -EINVAL)
			fail_msg("'%s' accepted", cases[i]);
		assert_int_equal(us, 42);
	}
}

static void options__parse_duration_us__garbage__refused(void **state)
{
	/* no unit, an unknown or misspelt one, a fraction, anything after the unit */
	static const char *const cases[] = {
	    "",	    "s",    "ms",  "5",	   "5x",  "5S", "5H",	 "5 s",
	    "5sec", "5ms ", "5dd", "1.5h", "5s5", "d5", "0x10s", "five s",
	};

	for (size_t i = 0; i < N(cases); i++) {
		int64_t us = 42;

		if (options__parse_duration_us(cases[i], &us) != -EINVAL)
			fail_msg("'%s' accepted", cases[i]);
		assert_int_equal(us, 42);
	}
}

static void options__parse_duration_us__overflow__refused(void **state)
{
	int64_t us = 42;

	/* the largest count each unit holds, then one more */
	assert_int_equal(options__parse_duration_us("106751991d", &us), 0);
	assert_int_equal(us, 106751991 * US_PER_DAY);
	assert_int_equal(options__parse_duration_us("9223372036854775807us", &us), 0);
	assert_int_equal(us, INT64_MAX);
	us = 42;
	assert_int_equal(options__parse_duration_us("106751992d", &us), -ERANGE);
	assert_int_equal(options__parse_duration_us("2562047789h", &us), -ERANGE);
	assert_int_equal(options__parse_duration_us("9223372036854776ms", &us), -ERANGE);
	/* a count past int64_t itself */
	assert_int_equal(options__parse_duration_us("9223372036854775808us", &us), -EINVAL);
	assert_int_equal(options__parse_duration_us("99999999999999999999999d", &us), -EINVAL);
	assert_int_equal(us, 42);
}

static void options__parse_size__suffixes__scale(void **state)
{
	static const struct {
		const char *s;
		size_t bytes;
	} cases[] = {
	    {"0", 0},	       {"4096", 4096},	   {"4K", 4096},      {"4k", 4096},
	    {"16M", 16 << 20}, {"16m", 16 << 20},  {"1G", 1UL << 30}, {"1g", 1UL << 30},
	    {"3G", 3UL << 30}, {"1024K", 1 << 20},
	};

	for (size_t i = 0; i < N(cases); i++) {
		size_t out = 1;

		assert_int_equal(options__parse_size(cases[i].s, 0, SIZE_MAX, &out), 0);
		if (out != cases[i].bytes)
			fail_msg("'%s': %zu, not %zu", cases[i].s, out, cases[i].bytes);
	}
}

static void options__parse_size__bounds__inclusive(void **state)
{
	const size_t min = 4096, max = 1UL << 30; /* run's --ringbuf-size */
	size_t out = 1;

	assert_int_equal(options__parse_size("4096", min, max, &out), 0);
	assert_int_equal(out, min);
	assert_int_equal(options__parse_size("1G", min, max, &out), 0);
	assert_int_equal(out, max);
	assert_int_equal(options__parse_size("1073741824", min, max, &out), 0);
	out = 1;
	assert_int_equal(options__parse_size("4095", min, max, &out), -EINVAL);
	assert_int_equal(options__parse_size("3K", min, max, &out), -EINVAL);
	assert_int_equal(options__parse_size("1073741825", min, max, &out), -EINVAL);
	assert_int_equal(options__parse_size("1025M", min, max, &out), -EINVAL);
	assert_int_equal(options__parse_size("2G", min, max, &out), -EINVAL);
	assert_int_equal(options__parse_size("0", 1, max, &out), -EINVAL);
	assert_int_equal(out, 1);
}

static void options__parse_size__garbage__refused(void **state)
{
	static const char *const cases[] = {
	    "", "K", "M", "4KB", "4KK", "4 K", "4x", "4T", "1.5M", "abc", "4K ", "0x10",
	};

	for (size_t i = 0; i < N(cases); i++) {
		size_t out = 1;

		if (options__parse_size(cases[i], 0, SIZE_MAX, &out) != -EINVAL)
			fail_msg("'%s' accepted", cases[i]);
		assert_int_equal(out, 1);
	}
}

/* strtoull() takes a minus and wraps around: -1 would be the largest size. */
static void options__parse_size__negative__refused(void **state)
{
	static const char *const cases[] = {"-1", "-4096", "-1G", " -1", "-0"};

	for (size_t i = 0; i < N(cases); i++) {
		size_t out = 1;

		if (options__parse_size(cases[i], 0, SIZE_MAX, &out) != -EINVAL)
			fail_msg("'%s' accepted", cases[i]);
		assert_int_equal(out, 1);
	}
}

/* A count the suffix pushes past 64 bits must not wrap around into range. */
static void options__parse_size__overflow__refused(void **state)
{
	size_t out = 1;

	/* 2^34 G is 2^64 (wraps to 0); 2^34 + 1 G wraps to exactly 1G */
	assert_int_equal(options__parse_size("17179869184G", 0, SIZE_MAX, &out), -ERANGE);
	assert_int_equal(options__parse_size("17179869185G", 4096, 1UL << 30, &out), -ERANGE);
	assert_int_equal(options__parse_size("18014398509481984K", 0, SIZE_MAX, &out), -ERANGE);
	/* the largest that fits */
	assert_int_equal(out, 1);
	assert_int_equal(options__parse_size("17179869183G", 0, SIZE_MAX, &out), 0);
	assert_int_equal(out, 17179869183ULL << 30);
	/* past 64 bits before any suffix */
	assert_int_equal(options__parse_size("18446744073709551616", 0, SIZE_MAX, &out), -EINVAL);
}

static void expect_prefix(const char *s, unsigned prefixlen, const unsigned char want[16])
{
	struct net_prefix p;

	memset(&p, 0xaa, sizeof(p));
	if (options__parse_cidr(s, &p))
		fail_msg("'%s' refused", s);
	assert_int_equal(p.prefixlen, prefixlen);
	assert_memory_equal(p.addr, want, 16);
}

/* IPv4 as the kernel keys it: v4-mapped, 96 more prefix bits, host bits cleared. */
static void options__parse_cidr__ipv4__v4_mapped(void **state)
{
	static const unsigned char lo77[16] = {[10] = 0xff, [11] = 0xff, [12] = 127, [13] = 77};
	static const unsigned char host[16] = {[10] = 0xff, [11] = 0xff, 192, 0, 2, 1};
	static const unsigned char any[16] = {[10] = 0xff, [11] = 0xff};
	static const unsigned char ten[16] = {[10] = 0xff, [11] = 0xff, [12] = 10, [13] = 0x80};

	expect_prefix("127.77.0.0/16", 112, lo77);
	expect_prefix("127.77.9.9/16", 112, lo77);
	expect_prefix("192.0.2.1", 128, host);
	expect_prefix("192.0.2.1/32", 128, host);
	expect_prefix("0.0.0.0/0", 96, any);
	expect_prefix("10.255.1.2/9", 105, ten);
}

static void options__parse_cidr__ipv6__as_given(void **state)
{
	static const unsigned char fd[16] = {0xfd};
	static const unsigned char lo[16] = {[15] = 1};
	static const unsigned char doc[16] = {0x20, 0x01, 0x0d, 0xb8, 0x12, 0x30};
	static const unsigned char zero[16] = {0};

	expect_prefix("fd12:3456::1/8", 8, fd);
	expect_prefix("::1", 128, lo);
	expect_prefix("2001:db8:1234::/44", 44, doc);
	expect_prefix("::/0", 0, zero);
}

static void options__parse_cidr__garbage__refused(void **state)
{
	static const char *const cases[] = {
	    "",
	    "/8",
	    "10.0.0.0/",
	    "10.0.0.0/33",
	    "10.0.0.0/-1",
	    "10.0.0.0/+8",
	    "10.0.0.0/ 8",
	    "10.0.0.0/8x",
	    "10.0.0/8",
	    "::1/129",
	    "host.example",
	    "10.0.0.0/8/8",
	    "1.2.3.4.5",
	    "fe80::1%lo/64",
	    "10.0.0.0/99999999999999999999",
	};
	struct net_prefix p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (options__parse_cidr(cases[i], &p) != -EINVAL)
			fail_msg("'%s' accepted", cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(options__parse_duration_us__each_unit__scales),
	    cmocka_unit_test(options__parse_duration_us__zero_or_negative__refused),
	    cmocka_unit_test(options__parse_duration_us__garbage__refused),
	    cmocka_unit_test(options__parse_duration_us__overflow__refused),
	    cmocka_unit_test(options__parse_size__suffixes__scale),
	    cmocka_unit_test(options__parse_size__bounds__inclusive),
	    cmocka_unit_test(options__parse_size__garbage__refused),
	    cmocka_unit_test(options__parse_size__negative__refused),
	    cmocka_unit_test(options__parse_size__overflow__refused),
	    cmocka_unit_test(options__parse_cidr__ipv4__v4_mapped),
	    cmocka_unit_test(options__parse_cidr__ipv6__as_given),
	    cmocka_unit_test(options__parse_cidr__garbage__refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
