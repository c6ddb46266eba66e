// SPDX-License-Identifier: MIT
/* /proc parsing, lineage, boot-to-wall time, the event record. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/proc.h"
#include "event.h"
#include "pipeline/lineage.h"

static void stat__comm_with_spaces_and_parens(void **state)
{
	const char *text = "1234 (a) b (c)) S 77 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 "
			   "1 0 4242 1000 10 18446744073709551615";
	long hz = sysconf(_SC_CLK_TCK);
	struct proc_stat st;

	assert_int_equal(proc__parse_stat(text, &st), 0);
	assert_string_equal(st.comm, "a) b (c)");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 77);
	assert_int_equal(st.start_boot_ns, 4242ULL * (1000000000ULL / hz));
}

static void stat__garbage__einval(void **state)
{
	struct proc_stat st;

	assert_int_equal(proc__parse_stat("1234 no parens", &st), -EINVAL);
	assert_int_equal(proc__parse_stat("1 (x) S", &st), -EINVAL);
	assert_int_equal(proc__parse_stat(")(", &st), -EINVAL);
}

static void stat__own_process__parent_and_start(void **state)
{
	struct proc_stat st;

	assert_int_equal(proc__read_stat(getpid(), &st), 0);
	assert_int_equal(st.state, 'R'); /* reading it, so running */
	assert_int_equal(st.ppid, getppid());
	assert_true(st.start_boot_ns > 0 && st.start_boot_ns <= clock__boot_ns());
}

static void status__uids(void **state)
{
	const char *text = "Name:\tx\nUid:\t1000\t0\t0\t0\nGid:\t100\t100\t100\t100\n";
	uint32_t uid, euid, gid;

	assert_int_equal(proc__parse_status_ids(text, &uid, &euid, &gid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(euid, 0);
	assert_int_equal(gid, 100);
	assert_int_equal(proc__parse_status_ids("Name:\tx\n", &uid, &euid, &gid), -EINVAL);
}

static void read_file__vanished_process__enoent(void **state)
{
	char buf[16];

	/* pid_max is at most 4194304: this pid cannot exist */
	assert_true(proc__read_file(4194305, "cmdline", buf, sizeof(buf)) < 0);
	assert_true(proc__readlink(4194305, "exe", buf, sizeof(buf)) < 0);
}

static void lineage__put_get_replace(void **state)
{
	struct lineage *l = lineage__new(64);
	const struct proc_record *r;

	assert_non_null(l);
	assert_int_equal(lineage__put(l, 42, 7, "bash", "/usr/bin/bash", "bash -l", "root"), 0);
	r = lineage__get(l, 42);
	assert_non_null(r);
	assert_string_equal(r->file_name, "bash");
	assert_string_equal(r->cmdline, "bash -l");
	assert_int_equal(r->creation_us, 7);
	/* an exec in the same process replaces what it runs */
	lineage__put(l, 42, 8, "AteraAgent.exe", "/x/AteraAgent.exe", "AteraAgent.exe", "root");
	assert_string_equal(lineage__get(l, 42)->file_name, "AteraAgent.exe");
	assert_null(lineage__get(l, 43));
	lineage__free(l);
}

static void lineage__bounded__oldest_of_a_set_forgotten(void **state)
{
	struct lineage *l = lineage__new(64);
	unsigned found = 0;

	for (uint32_t pid = 1; pid <= 10000; pid++)
		lineage__put(l, pid, pid, "f", "/f", "", "u");
	for (uint32_t pid = 1; pid <= 10000; pid++)
		found += lineage__get(l, pid) != NULL;
	assert_true(found <= 64);
	/* the newest survive */
	assert_non_null(lineage__get(l, 10000));
	lineage__free(l);
}

static void lineage__grows__forgets_nothing_below_its_bound(void **state)
{
	struct lineage *l = lineage__new(65536);
	char name[32];

	assert_non_null(l);
	/* far more than the small table it starts with, with pids a host would reuse */
	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		assert_int_equal(lineage__put(l, 300 + i * 7, i, name, "/p", "p -x", "u"), 0);
	}
	for (uint32_t i = 0; i < 3000; i++) {
		const struct proc_record *r = lineage__get(l, 300 + i * 7);

		snprintf(name, sizeof(name), "p%u", i);
		assert_non_null(r);
		assert_string_equal(r->file_name, name);
		assert_int_equal(r->creation_us, i);
	}
	assert_null(lineage__get(l, 301));
	lineage__free(l);
}

static void clock__boot_to_wall__matches_realtime(void **state)
{
	struct timespec rt;
	int64_t wall;

	clock__sync();
	wall = clock__boot_ns_to_wall_us(clock__boot_ns());
	clock_gettime(CLOCK_REALTIME, &rt);
	assert_true(llabs(wall - ((int64_t)rt.tv_sec * 1000000 + rt.tv_nsec / 1000)) < 50000);
}

static void event__strings_lists_numbers(void **state)
{
	const char *names[] = {"Atera Networks Ltd.", "Decoy Inc"};
	struct event e, copy;
	const char *it;

	event__init(&e);
	event__init(&copy);
	assert_int_equal(event__field_lookup("ProcessVersionInfoCompanyName"),
			 FIELD_PROCESS_VERSION_INFO_COMPANY_NAME);
	assert_int_equal(event__field_lookup("processversioninfocompanyname"), -1);

	event__set_str(&e, FIELD_FILE_NAME, "a.exe");
	event__set_strn(&e, FIELD_FOLDER_PATH, "/x\0hidden", 9); /* cut at the NUL */
	event__set_list(&e, FIELD_VERSION_INFO_COMPANY_NAMES, names, 2);
	event__set_long(&e, FIELD_PROCESS_ID, 99);
	for (int i = 0; i < 100; i++) /* grow the arena: earlier values stay valid */
		event__set_fmt(&e, FIELD_PROCESS_COMMAND_LINE, "arg %d", i);
	assert_string_equal(event__str(&e, FIELD_FILE_NAME), "a.exe");
	assert_string_equal(event__str(&e, FIELD_FOLDER_PATH), "/x");
	assert_string_equal(event__str(&e, FIELD_PROCESS_COMMAND_LINE), "arg 99");
	assert_int_equal(event__long(&e, FIELD_PROCESS_ID), 99);
	assert_null(event__str(&e, FIELD_SHA1));

	assert_int_equal(event__copy(&copy, &e), 0);
	event__reset(&e);
	assert_false(event__isset(&e, FIELD_FILE_NAME));
	assert_int_equal(event__list_count(&copy, FIELD_VERSION_INFO_COMPANY_NAMES), 2);
	it = event__list_next(&copy, FIELD_VERSION_INFO_COMPANY_NAMES, NULL);
	assert_string_equal(it, "Atera Networks Ltd.");
	it = event__list_next(&copy, FIELD_VERSION_INFO_COMPANY_NAMES, it);
	assert_string_equal(it, "Decoy Inc");
	assert_null(event__list_next(&copy, FIELD_VERSION_INFO_COMPANY_NAMES, it));
	event__free(&e);
	event__free(&copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stat__comm_with_spaces_and_parens),
	    cmocka_unit_test(stat__garbage__einval),
	    cmocka_unit_test(stat__own_process__parent_and_start),
	    cmocka_unit_test(status__uids),
	    cmocka_unit_test(read_file__vanished_process__enoent),
	    cmocka_unit_test(lineage__put_get_replace),
	    cmocka_unit_test(lineage__bounded__oldest_of_a_set_forgotten),
	    cmocka_unit_test(lineage__grows__forgets_nothing_below_its_bound),
	    cmocka_unit_test(clock__boot_to_wall__matches_realtime),
	    cmocka_unit_test(event__strings_lists_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
