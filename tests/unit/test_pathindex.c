// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "identity/pathindex.h"

static int add(struct path_index *px, const char *path, uint32_t v)
{
	return path_index__add(px, path, strlen(path), v);
}

static int find(const struct path_index *px, const char *path, uint32_t *v)
{
	return path_index__find(px, path, strlen(path), NULL, NULL, v);
}

static void path_index__add_find__exact_paths_smallest_value_wins(void **state)
{
	struct path_index *px = path_index__new(1000);
	uint32_t v = 0;

	assert_int_equal(add(px, "/usr/bin/ls", 1), 0);
	assert_int_equal(add(px, "/usr/bin", 2), 0);
	assert_int_equal(add(px, "/usr/bin", 1), 0); /* shared directory */
	assert_int_equal(add(px, "/usr/sbin/ls", 3), 0);
	assert_int_equal(add(px, "/ls", 4), 0);
	assert_int_equal(add(px, "/", 5), 0);
	/* nothing is found before the index is sealed */
	assert_int_equal(find(px, "/usr/bin/ls", &v), -ENOENT);
	path_index__seal(px);
	assert_int_equal(find(px, "/usr/bin/ls", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(find(px, "/usr/bin", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(find(px, "/usr/sbin/ls", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(find(px, "/ls", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(find(px, "/", &v), 0);
	assert_int_equal(v, 5);
	/* Prefixes and extensions of known names are other paths. */
	assert_int_equal(find(px, "/usr/bin/l", &v), -ENOENT);
	assert_int_equal(find(px, "/usr/bin/lss", &v), -ENOENT);
	assert_int_equal(find(px, "/usr/bi", &v), -ENOENT);
	assert_int_equal(find(px, "/usr/bin/ls/", &v), -ENOENT);
	assert_int_equal(find(px, "usr/bin/ls", &v), -ENOENT);
	assert_int_equal(add(px, "relative", 1), -EINVAL);
	assert_int_equal(path_index__add(px, "/a\0b", 4, 1), -EINVAL);
	assert_int_equal(path_index__count(px), 6);
	/* added after the seal: found once sealed again */
	assert_int_equal(add(px, "/late", 9), 0);
	assert_int_equal(find(px, "/late", &v), -ENOENT);
	path_index__seal(px);
	assert_int_equal(find(px, "/late", &v), 0);
	assert_int_equal(v, 9);
	assert_int_equal(find(px, "/usr/bin", &v), 0);
	assert_int_equal(v, 1);
	path_index__free(px);
	path_index__free(NULL);
}

struct asked {
	uint32_t accept; /* the value confirmed */
	unsigned calls;
	uint32_t seen[8];
};

static int accept_one(uint32_t value, void *ctx)
{
	struct asked *a = ctx;

	if (a->calls < 8)
		a->seen[a->calls] = value;
	a->calls++;
	return value == a->accept;
}

static void path_index__find__match_confirms_in_value_order(void **state)
{
	struct path_index *px = path_index__new(100);
	struct asked a = {.accept = 7};
	uint32_t v = 0;

	/* /usr/bin in three lists, one of them twice */
	assert_int_equal(add(px, "/usr/bin", 9), 0);
	assert_int_equal(add(px, "/usr/bin", 7), 0);
	assert_int_equal(add(px, "/usr/bin", 3), 0);
	assert_int_equal(add(px, "/usr/bin", 3), 0);
	assert_int_equal(add(px, "/usr/lib", 1), 0);
	path_index__seal(px);
	assert_int_equal(path_index__find(px, "/usr/bin", 8, accept_one, &a, &v), 0);
	assert_int_equal(v, 7);
	/* smallest first, each value asked once, none after the confirmed one */
	assert_int_equal(a.calls, 2);
	assert_int_equal(a.seen[0], 3);
	assert_int_equal(a.seen[1], 7);
	/* a candidate nobody confirms is no match (a hash collision, a changed list) */
	a = (struct asked){.accept = 4};
	assert_int_equal(path_index__find(px, "/usr/bin", 8, accept_one, &a, &v), -ENOENT);
	assert_int_equal(a.calls, 3);
	/* a path not there asks nobody */
	a = (struct asked){.accept = 1};
	assert_int_equal(path_index__find(px, "/usr/sbin", 9, accept_one, &a, &v), -ENOENT);
	assert_int_equal(a.calls, 0);
	path_index__free(px);
}

static void path_index__many_paths__all_found_after_growth(void **state)
{
	struct path_index *px = path_index__new(100000);
	char p[64];
	uint32_t v;

	for (uint32_t i = 0; i < 50000; i++) {
		snprintf(p, sizeof(p), "/usr/share/d%u/f%u", i % 97, i);
		assert_int_equal(add(px, p, i), 0);
	}
	path_index__seal(px);
	for (uint32_t i = 0; i < 50000; i++) {
		snprintf(p, sizeof(p), "/usr/share/d%u/f%u", i % 97, i);
		assert_int_equal(find(px, p, &v), 0);
		assert_int_equal(v, i);
	}
	snprintf(p, sizeof(p), "/usr/share/d1/f0"); /* f0 is in d0 */
	assert_int_equal(find(px, p, &v), -ENOENT);
	/* 8 bytes a path, rounded to a page */
	assert_true(path_index__bytes(px) >= 50000 * 8);
	assert_true(path_index__bytes(px) < 50000 * 8 + 4096 * 4);
	path_index__free(px);
}

static void path_index__bounds__e2big_and_still_usable(void **state)
{
	struct path_index *px = path_index__new(3);
	uint32_t v;

	assert_int_equal(add(px, "/a", 1), 0);
	assert_int_equal(add(px, "/b", 2), 0);
	assert_int_equal(add(px, "/c", 3), 0);
	assert_int_equal(add(px, "/d", 4), -E2BIG);
	path_index__seal(px);
	assert_int_equal(find(px, "/c", &v), 0);
	assert_int_equal(find(px, "/d", &v), -ENOENT);
	path_index__free(px);

	/* values share a word with the hash: the largest comes back whole, one more is refused */
	px = path_index__new(10);
	assert_int_equal(add(px, "/max", PATH_INDEX_VALUE_MAX), 0);
	assert_int_equal(add(px, "/over", PATH_INDEX_VALUE_MAX + 1), -E2BIG);
	assert_int_equal(add(px, "/zero", 0), 0);
	path_index__seal(px);
	assert_int_equal(find(px, "/max", &v), 0);
	assert_int_equal(v, PATH_INDEX_VALUE_MAX);
	assert_int_equal(find(px, "/zero", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(find(px, "/over", &v), -ENOENT);
	path_index__free(px);

	px = path_index__new(10);
	assert_int_equal(find(px, "/empty", &v), -ENOENT);
	path_index__seal(px);
	assert_int_equal(find(px, "/empty", &v), -ENOENT);
	assert_int_equal(path_index__bytes(px), 0);
	path_index__free(px);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(path_index__add_find__exact_paths_smallest_value_wins),
	    cmocka_unit_test(path_index__find__match_confirms_in_value_order),
	    cmocka_unit_test(path_index__many_paths__all_found_after_growth),
	    cmocka_unit_test(path_index__bounds__e2big_and_still_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
