// SPDX-License-Identifier: MIT
/* decode: kernel records to paths and command lines. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/decode.h"

static void join_path__components_leaf_first__absolute_path(void **state)
{
	static const char comps[] = "ls\0bin\0usr\0";
	char out[64];

	assert_int_equal(decode__join_path(comps, sizeof(comps) - 1, out, sizeof(out)), 11);
	assert_string_equal(out, "/usr/bin/ls");
}

static void join_path__no_components__root(void **state)
{
	char out[8];

	assert_int_equal(decode__join_path("", 0, out, sizeof(out)), 1);
	assert_string_equal(out, "/");
}

static void join_path__too_long__cut_at_a_component(void **state)
{
	static const char comps[] = "leaf\0middle\0top\0";
	char out[12];

	assert_int_equal(decode__join_path(comps, sizeof(comps) - 1, out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_string_equal(out, "/top/middle");
}

static void join_path__memfd_name_kept_whole(void **state)
{
	static const char comps[] = "memfd:x (deleted)\0";
	char out[64];

	decode__join_path(comps, sizeof(comps) - 1, out, sizeof(out));
	assert_string_equal(out, "/memfd:x (deleted)");
}

struct cmdline_case {
	const char *argv; /* NUL-separated, length given */
	size_t len;
	const char *want;
};

#define ARGV(s) s, sizeof(s)

static void cmdline__quotes_only_what_needs_it(void **state)
{
	static const struct cmdline_case cases[] = {
	    {ARGV("ls\0-l"), "ls -l"},
	    {ARGV("echo\0two words"), "echo \"two words\""},
	    {ARGV("x\0"), "x \"\""},
	    {ARGV("x\0say \"hi\""), "x \"say \\\"hi\\\"\""},
	    {ARGV("x\0a\\b"), "x a\\b"},	     /* no quote needed */
	    {ARGV("x\0a b\\"), "x \"a b\\\\\""},     /* doubled before the quote */
	    {ARGV("x\0a\\\"b"), "x \"a\\\\\\\"b\""}, /* 2n+1 before an inner quote */
	    {ARGV("x\0new\nline"), "x \"new\nline\""},
	    {ARGV("C:\\Program Files\\A.exe"), "\"C:\\Program Files\\A.exe\""},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[256];

		/* ARGV() counts the literal's own final NUL: it ends the last argument */
		decode__cmdline(cases[i].argv, cases[i].len, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
}

static void cmdline__argv_without_final_nul__last_argument_kept(void **state)
{
	char out[32];

	decode__cmdline("a\0bc", 4, out, sizeof(out));
	assert_string_equal(out, "a bc");
}

static void cmdline__small_buffer__cut_and_terminated(void **state)
{
	char out[6];

	assert_int_equal(decode__cmdline(ARGV("abc\0defgh"), out, sizeof(out)), 5);
	assert_string_equal(out, "abc d");
}

static void exec__lengths_beyond_the_record__rejected(void **state)
{
	struct exec_event *e = calloc(1, sizeof(*e));
	struct exec_info *x = calloc(1, sizeof(*x));

	e->str_len[EXEC_STR_ARGV] = 100;
	assert_int_equal(decode__exec(e, EXEC_EVENT_HDR_SIZE + 99, x), -EINVAL);
	assert_int_equal(decode__exec(e, EXEC_EVENT_HDR_SIZE - 1, x), -EINVAL);
	free(e);
	free(x);
}

static void exec__strings_in_order(void **state)
{
	struct exec_event *e = calloc(1, sizeof(*e));
	struct exec_info *x = calloc(1, sizeof(*x));
	static const char data[] = "./a\0a\0tmp\0\0tmp\0\0cg\0\0a\0x";
	size_t lens[] = {4, 6, 5, 4, 5}, off = 0;

	memcpy(e->data, data, sizeof(data) - 1);
	for (int i = 0; i < EXEC_STR__COUNT; i++) {
		e->str_len[i] = lens[i];
		off += lens[i];
	}
	assert_int_equal(decode__exec(e, EXEC_EVENT_HDR_SIZE + off, x), 0);
	assert_string_equal(x->filename, "./a");
	assert_string_equal(x->exe, "/tmp/a");
	assert_string_equal(x->cwd, "/tmp");
	assert_string_equal(x->cgroup, "/cg");
	assert_int_equal(x->argv_size, 5);
	assert_memory_equal(x->argv, "\0a\0x", 4);
	free(e);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(join_path__components_leaf_first__absolute_path),
	    cmocka_unit_test(join_path__no_components__root),
	    cmocka_unit_test(join_path__too_long__cut_at_a_component),
	    cmocka_unit_test(join_path__memfd_name_kept_whole),
	    cmocka_unit_test(cmdline__quotes_only_what_needs_it),
	    cmocka_unit_test(cmdline__argv_without_final_nul__last_argument_kept),
	    cmocka_unit_test(cmdline__small_buffer__cut_and_terminated),
	    cmocka_unit_test(exec__lengths_beyond_the_record__rejected),
	    cmocka_unit_test(exec__strings_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
