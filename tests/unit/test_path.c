// SPDX-License-Identifier: MIT
/* base/path.h: base names of Unix paths, and of paths that may be Windows ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/path.h"

static void path_base__unix_paths__last_component(void **state)
{
	const char *p = "/usr/bin/ls";

	assert_ptr_equal(path__base(p), p + 9); /* a pointer into the path, not a copy */
	assert_string_equal(path__base("ls"), "ls");
	assert_string_equal(path__base("./a.out"), "a.out");
	assert_string_equal(path__base("/x"), "x");
	assert_string_equal(path__base(""), "");
}

static void path_base__trailing_slash__empty(void **state)
{
	assert_string_equal(path__base("/usr/bin/"), "");
	assert_string_equal(path__base("/"), "");
}

/* A backslash is an ordinary character of a Unix file name. */
static void path_base__backslash__kept(void **state)
{
	assert_string_equal(path__base("/tmp/C:\\x\\y.exe"), "C:\\x\\y.exe");
}

static void path_base_win__either_separator__last_component(void **state)
{
	const char *p = "C:\\Program Files\\RMM\\agent.exe";

	assert_ptr_equal(path__base_win(p), p + 21);
	assert_string_equal(path__base_win("/opt/w/wine64"), "wine64");
	assert_string_equal(path__base_win("C:/x\\y.exe"), "y.exe");
	assert_string_equal(path__base_win("C:\\x/y.exe"), "y.exe");
	assert_string_equal(path__base_win("notepad.exe"), "notepad.exe");
	assert_string_equal(path__base_win("C:\\windows\\"), "");
	assert_string_equal(path__base_win(""), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(path_base__unix_paths__last_component),
	    cmocka_unit_test(path_base__trailing_slash__empty),
	    cmocka_unit_test(path_base__backslash__kept),
	    cmocka_unit_test(path_base_win__either_separator__last_component),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
