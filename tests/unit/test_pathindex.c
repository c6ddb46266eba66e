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
	return path_index__find(px, path, strlen(path), v);
}

static void path_index__add_find__exact_paths_first_value_wins(void **state)
{
	struct path_index *px = path_index__new(1000, 1 << 20);
	uint32_t v = 0;

	assert_int_equal(add(px, "/usr/bin/ls", 1), 0);
	assert_int_equal(add(px, "/usr/bin", 1), 0);
	assert_int_equal(add(px, "/usr/bin", 2), 0); /* shared directory */
	assert_int_equal(add(px, "/usr/sbin/ls", 3), 0);
	assert_int_equal(add(px, "/ls", 4), 0);
	assert_int_equal(add(px, "/", 5), 0);
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
	assert_int_equal(path_index__count(px), 5);
	path_index__free(px);
	path_index__free(NULL);
}

static void path_index__many_paths__all_found_after_growth(void **state)
{
	struct path_index *px = path_index__new(100000, 16 << 20);
	char p[64];
	uint32_t v;

	for (uint32_t i = 0; i < 50000; i++) {
		snprintf(p, sizeof(p), "/usr/share/d%u/f%u", i % 97, i);
		assert_int_equal(add(px, p, i), 0);
	}
	for (uint32_t i = 0; i < 50000; i++) {
		snprintf(p, sizeof(p), "/usr/share/d%u/f%u", i % 97, i);
		assert_int_equal(find(px, p, &v), 0);
		assert_int_equal(v, i);
	}
	snprintf(p, sizeof(p), "/usr/share/d1/f0"); /* f0 is in d0 */
	assert_int_equal(find(px, p, &v), -ENOENT);
	path_index__trim(px);
	assert_int_equal(find(px, "/usr/share/d3/f3", &v), 0);
	assert_true(path_index__bytes(px) > 0);
	path_index__free(px);
}

static void path_index__bounds__e2big_and_still_usable(void **state)
{
	struct path_index *px = path_index__new(3, 1 << 20);
	uint32_t v;

	assert_int_equal(add(px, "/a", 1), 0);
	assert_int_equal(add(px, "/b", 2), 0);
	assert_int_equal(add(px, "/c", 3), 0);
	assert_int_equal(add(px, "/d", 4), -E2BIG);
	assert_int_equal(find(px, "/c", &v), 0);
	path_index__free(px);

	px = path_index__new(1000, 16);
	assert_int_equal(add(px, "/0123456789", 1), 0);
	assert_int_equal(add(px, "/abcdefghij", 1), -E2BIG);
	assert_int_equal(find(px, "/0123456789", &v), 0);
	assert_int_equal(find(px, "/abcdefghij", &v), -ENOENT);
	path_index__free(px);

	px = path_index__new(10, 100);
	assert_int_equal(find(px, "/empty", &v), -ENOENT);
	path_index__free(px);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(path_index__add_find__exact_paths_first_value_wins),
	    cmocka_unit_test(path_index__many_paths__all_found_after_growth),
	    cmocka_unit_test(path_index__bounds__e2big_and_still_usable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
