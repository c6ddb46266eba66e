// SPDX-License-Identifier: MIT
/* State file: save then load gives the same alerts; bad files are set aside, never fatal. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "aggregate/state.h"
#include "output/alert.h"

#define SEC  1000000LL
#define W    (5 * 86400 * SEC)
#define NOW0 1796000000000000LL

static struct summarize_col cols[] = {
    {"DeviceId", AGG_BY, FIELD_DEVICE_ID, 0},
    {"DeviceName", AGG_BY, FIELD_DEVICE_NAME, 0},
    {"FirstSeen", AGG_MIN, FIELD_TIMESTAMP, 0},
    {"LastSeen", AGG_MAX, FIELD_TIMESTAMP, 0},
    {"Report", AGG_MAKE_SET, FIELD_REPORT_ID, 1048576},
    {"Files", AGG_MAKE_SET, FIELD_FILE_NAME, 3},
    {"Count", AGG_COUNT, -1, 0},
};

static struct agg *new_agg(const char *rule_id, size_t max_entries)
{
	static const char *const tactics[] = {"CommandAndControl"};
	struct agg_config cfg = {.max_entries = max_entries};
	struct agg_rule r = {
	    .id = rule_id,
	    .name = "Atera",
	    .tactics = tactics,
	    .ntactics = 1,
	    .window_us = W,
	    .cols = cols,
	    .ncols = sizeof(cols) / sizeof(cols[0]),
	};
	struct agg *a = agg__new(&cfg);

	assert_non_null(a);
	assert_int_equal(agg__add_rule(a, &r), 0);
	return a;
}

static void add(struct agg *a, int64_t ts, const char *dev, int64_t report, const char *file)
{
	struct event e;

	event__init(&e);
	event__set_long(&e, FIELD_TIMESTAMP, ts);
	event__set_str(&e, FIELD_DEVICE_ID, dev);
	event__set_str(&e, FIELD_DEVICE_NAME, dev[0] == 'x' ? "bad\xff\xfename" : dev);
	event__set_long(&e, FIELD_REPORT_ID, report);
	event__set_str(&e, FIELD_FILE_NAME, file);
	assert_true(agg__add(a, 0, &e, ts) >= 0);
	event__free(&e);
}

/* Every alert, one JSON line each, concatenated. */
static void collect(const struct agg_alert *al, void *ctx)
{
	char **text = ctx, *more;
	struct json_writer w;

	jw__init(&w);
	assert_int_equal(alert__write_json(&w, al), 0);
	assert_true(asprintf(&more, "%s%.*s\n", *text, (int)w.len, w.buf) > 0);
	free(*text);
	*text = more;
	jw__free(&w);
}

static char *flush_text(struct agg *a, int64_t now)
{
	char *text = strdup("");

	agg__flush(a, now, collect, &text);
	return text;
}

static char dir[64];
static char path[128];

static int setup(void **state)
{
	strcpy(dir, "/tmp/rmmhunt-test-state-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* The names in @dir that start with "state.json.corrupt-". */
static int count_set_aside(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)))
		n += !strncmp(de->d_name, "state.json.corrupt-", 19);
	closedir(d);
	return n;
}

static void fill(struct agg *a)
{
	static const char *const files[] = {"AteraAgent.exe", "x\"}{\n", "a", "b", "c", "d"};

	for (int i = 0; i < 40; i++)
		add(a, NOW0 + i * SEC, i % 3 ? "dev-1" : "xdev", 1000 + i % 7, files[i % 6]);
}

static void round_trip__save_load__same_alerts(void **state)
{
	struct agg *a = new_agg("rule-1", 8), *b = new_agg("rule-1", 8);
	struct agg_stats st;
	char *before, *after;

	fill(a);
	assert_int_equal(state__save(a, path, NOW0 + 40 * SEC), 0);
	assert_int_equal(state__load(b, path, NOW0 + 41 * SEC), 0);
	agg__stats(b, &st);
	assert_int_equal(st.groups, 2);
	/* well into the window, where merged buckets straddle its start */
	before = flush_text(a, NOW0 + W + 13 * SEC);
	after = flush_text(b, NOW0 + W + 13 * SEC);
	assert_non_null(strstr(before, "\"FilesTruncated\":true"));
	assert_non_null(strstr(before, "\"Approximate\":true"));
	assert_string_equal(before, after);
	free(before);
	free(after);
	assert_int_equal(count_set_aside(), 0);
	agg__free(a);
	agg__free(b);
}

static void round_trip__emitted_groups__not_alerted_again(void **state)
{
	struct agg *a = new_agg("rule-1", 0), *b = new_agg("rule-1", 0);
	char *text;

	fill(a);
	free(flush_text(a, NOW0 + 40 * SEC));
	assert_int_equal(state__save(a, path, NOW0 + 40 * SEC), 0);
	assert_int_equal(state__load(b, path, NOW0 + 41 * SEC), 0);
	text = flush_text(b, NOW0 + 41 * SEC);
	assert_string_equal(text, "");
	free(text);
	add(b, NOW0 + 42 * SEC, "dev-1", 1, "e");
	text = flush_text(b, NOW0 + 43 * SEC);
	assert_non_null(strstr(text, "\"Count\":27"));
	free(text);
	agg__free(a);
	agg__free(b);
}

static void load__rule_no_longer_loaded__its_groups_dropped(void **state)
{
	struct agg *a = new_agg("rule-1", 0), *b = new_agg("rule-2", 0);
	struct agg_stats st;

	fill(a);
	assert_int_equal(state__save(a, path, NOW0), 0);
	assert_int_equal(state__load(b, path, NOW0), 0);
	agg__stats(b, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(count_set_aside(), 0);
	agg__free(a);
	agg__free(b);
}

static void load__missing_file__starts_empty(void **state)
{
	struct agg *a = new_agg("rule-1", 0);
	struct agg_stats st;

	assert_int_equal(state__load(a, path, NOW0), 0);
	agg__stats(a, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(count_set_aside(), 0);
	agg__free(a);
}

static void write_file(const char *text, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

/* Loads the file in place now and expects it set aside and @a empty. */
static void expect_set_aside(void)
{
	struct agg *a = new_agg("rule-1", 0);
	struct agg_stats st;

	assert_int_equal(state__load(a, path, NOW0), 0);
	agg__stats(a, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_set_aside(), 1);
	agg__free(a);
}

static void load__corrupt__set_aside(void **state)
{
	write_file("{\"Format\":\"rmmhunt-state\",\x01", 26);
	expect_set_aside();
}

static void load__empty__set_aside(void **state)
{
	write_file("", 0);
	expect_set_aside();
}

static void load__truncated__set_aside(void **state)
{
	struct agg *a = new_agg("rule-1", 0);
	struct stat sb;

	fill(a);
	assert_int_equal(state__save(a, path, NOW0), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(truncate(path, sb.st_size / 2), 0);
	agg__free(a);
	expect_set_aside();
}

static void load__unreadable__set_aside(void **state)
{
	/* a directory opens but cannot be read, even by root */
	assert_int_equal(mkdir(path, 0700), 0);
	expect_set_aside();
}

static void load__wrong_shapes__set_aside(void **state)
{
	static const char *const docs[] = {
	    "[]",
	    "{\"Format\":\"other\",\"Version\":1,\"Rules\":[]}",
	    "{\"Format\":\"rmmhunt-state\",\"Version\":99,\"Rules\":[]}",
	    "{\"Format\":\"rmmhunt-state\",\"Version\":1,\"Rules\":{}}",
	    /* one string, split for width: parentheses tell clang it is on purpose */
	    ("{\"Format\":\"rmmhunt-state\",\"Version\":1,\"Rules\":[{\"RuleId\":\"rule-1\","
	     "\"Columns\":[],\"Groups\":{}}]}"),
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		char cmd[160];

		write_file(docs[i], strlen(docs[i]));
		expect_set_aside();
		snprintf(cmd, sizeof(cmd), "rm -f %s/state.json.corrupt-*", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static void load__group_with_bad_values__set_aside_and_nothing_kept(void **state)
{
	struct agg *a = new_agg("rule-1", 0);
	json_t *root;
	json_t *g;

	fill(a);
	assert_int_equal(state__save(a, path, NOW0), 0);
	root = json_load_file(path, 0, NULL);
	assert_non_null(root);
	/* the second group's timeline gets a bucket ending before it starts */
	g = json_array_get(
	    json_object_get(json_array_get(json_object_get(root, "Rules"), 0), "Groups"), 1);
	json_array_append_new(
	    json_object_get(g, "Timeline"),
	    json_pack("[I,I,I,b]", (json_int_t)5, (json_int_t)4, (json_int_t)1, 1));
	assert_int_equal(json_dump_file(root, path, 0), 0);
	json_decref(root);
	agg__free(a);
	expect_set_aside();
}

static void save__directory_not_writable__warns_and_returns_error(void **state)
{
	struct agg *a = new_agg("rule-1", 0);
	char bad[160];

	fill(a);
	/* the parent is a regular file: no directory can be made there, not even by root */
	write_file("x", 1);
	snprintf(bad, sizeof(bad), "%s/sub/state.json", path);
	assert_true(state__save(a, bad, NOW0) < 0);
	agg__free(a);
}

static void save__not_a_regular_file__left_alone(void **state)
{
	struct agg *a = new_agg("rule-1", 0);
	struct stat sb;

	fill(a);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(state__save(a, path, NOW0), -EEXIST);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	agg__free(a);
}

static void save__disk_full__old_state_kept(void **state)
{
	struct agg *a = new_agg("rule-1", 0), *b = new_agg("rule-1", 0);
	struct agg_stats st;
	char mnt[96], cmd[256], file[128];

	snprintf(mnt, sizeof(mnt), "%s/small", dir);
	snprintf(file, sizeof(file), "%s/state.json", mnt);
	assert_int_equal(mkdir(mnt, 0700), 0);
	snprintf(cmd, sizeof(cmd), "mount -t tmpfs -o size=12k tmpfs '%s' 2>/dev/null", mnt);
	if (system(cmd)) {
		agg__free(a);
		agg__free(b);
		skip(); /* no privilege to mount a small file system here */
	}
	add(a, NOW0, "dev-1", 1, "f");
	assert_int_equal(state__save(a, file, NOW0), 0);
	/* now far more than 12 KiB */
	for (int i = 0; i < 2000; i++)
		add(a, NOW0 + i, "dev-1", 5000 + i, "f");
	assert_int_equal(state__save(a, file, NOW0 + 2000), -ENOSPC);
	assert_int_equal(state__load(b, file, NOW0 + 2000), 0);
	agg__stats(b, &st);
	assert_int_equal(st.groups, 1);
	snprintf(cmd, sizeof(cmd), "umount '%s'", mnt);
	assert_int_equal(system(cmd), 0);
	agg__free(a);
	agg__free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(round_trip__save_load__same_alerts, setup, teardown),
	    cmocka_unit_test_setup_teardown(round_trip__emitted_groups__not_alerted_again, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(load__rule_no_longer_loaded__its_groups_dropped, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(load__missing_file__starts_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(load__corrupt__set_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(load__empty__set_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(load__truncated__set_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(load__unreadable__set_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(load__wrong_shapes__set_aside, setup, teardown),
	    cmocka_unit_test_setup_teardown(load__group_with_bad_values__set_aside_and_nothing_kept,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(save__directory_not_writable__warns_and_returns_error,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(save__not_a_regular_file__left_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(save__disk_full__old_state_kept, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
