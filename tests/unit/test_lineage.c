// SPDX-License-Identifier: MIT
/* lineage: what each process runs, by tgid, in a bounded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "pipeline/lineage.h"

/* A record of the four columns every exec has. */
static int put(struct lineage *l, uint32_t tgid, int64_t created, const char *name,
	       const char *path, const char *cmdline, const char *account)
{
	struct proc_record r = {.tgid = tgid, .creation_us = created};

	r.col[PROC_FILE_NAME] = name;
	r.col[PROC_FOLDER_PATH] = path;
	r.col[PROC_CMDLINE] = cmdline;
	r.col[PROC_ACCOUNT] = account;
	return lineage__put(l, &r);
}

static void put__same_tgid__replaces_record(void **state)
{
	struct lineage *l = lineage__new(64);
	const struct proc_record *r;

	assert_non_null(l);
	assert_int_equal(put(l, 42, 7, "bash", "/usr/bin/bash", "bash -l", "root"), 0);
	r = lineage__get(l, 42);
	assert_non_null(r);
	assert_string_equal(r->col[PROC_FILE_NAME], "bash");
	assert_string_equal(r->col[PROC_CMDLINE], "bash -l");
	assert_int_equal(r->creation_us, 7);
	/* an exec in the same process replaces what it runs */
	put(l, 42, 8, "AteraAgent.exe", "/x/AteraAgent.exe", "AteraAgent.exe", "root");
	assert_string_equal(lineage__get(l, 42)->col[PROC_FILE_NAME], "AteraAgent.exe");
	assert_null(lineage__get(l, 43));
	lineage__free(l);
}

static void put__past_the_bound__oldest_of_a_set_forgotten(void **state)
{
	struct lineage *l = lineage__new(64);
	unsigned found = 0;

	for (uint32_t pid = 1; pid <= 10000; pid++)
		put(l, pid, pid, "f", "/f", "", "u");
	for (uint32_t pid = 1; pid <= 10000; pid++)
		found += lineage__get(l, pid) != NULL;
	assert_true(found <= 64);
	/* the newest survive */
	assert_non_null(lineage__get(l, 10000));
	lineage__free(l);
}

static void put__grows__forgets_nothing_below_its_bound(void **state)
{
	struct lineage *l = lineage__new(65536);
	char name[32];

	assert_non_null(l);
	/* far more than the small table it starts with, with pids a host would reuse */
	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		assert_int_equal(put(l, 300 + i * 7, i, name, "/p", "p -x", "u"), 0);
	}
	for (uint32_t i = 0; i < 3000; i++) {
		const struct proc_record *r = lineage__get(l, 300 + i * 7);

		snprintf(name, sizeof(name), "p%u", i);
		assert_non_null(r);
		assert_string_equal(r->col[PROC_FILE_NAME], name);
		assert_int_equal(r->creation_us, i);
	}
	assert_null(lineage__get(l, 301));
	lineage__free(l);
}

/* The identity columns are kept as given; one not given reads as unknown. */
static void put__identity_columns__kept_unknown_null(void **state)
{
	struct lineage *l = lineage__new(64);
	struct proc_record r = {.tgid = 7, .creator = 3, .exe_ino = 99, .creation_us = 5};
	char company[] = "Atera Networks Ltd.";
	const struct proc_record *got;

	r.col[PROC_FILE_NAME] = "AteraAgent";
	r.col[PROC_COMPANY] = company;
	r.col[PROC_SHA256] = "ab";
	assert_int_equal(lineage__put(l, &r), 0);
	company[0] = 'X'; /* copied, not referenced */
	got = lineage__get(l, 7);
	assert_non_null(got);
	assert_int_equal(got->creator, 3);
	assert_int_equal(got->exe_ino, 99);
	assert_string_equal(got->col[PROC_COMPANY], "Atera Networks Ltd.");
	assert_string_equal(got->col[PROC_SHA256], "ab");
	assert_null(got->col[PROC_SHA1]);
	assert_null(got->col[PROC_CMDLINE]);
	lineage__free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(put__same_tgid__replaces_record),
	    cmocka_unit_test(put__past_the_bound__oldest_of_a_set_forgotten),
	    cmocka_unit_test(put__grows__forgets_nothing_below_its_bound),
	    cmocka_unit_test(put__identity_columns__kept_unknown_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
