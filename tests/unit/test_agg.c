// SPDX-License-Identifier: MIT
/* Aggregation: window edges, exact Count/min/max/make_set as the window slides, caps. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "aggregate/agg.h"
#include "base/timefmt.h"
#include "output/alert.h"

#define SEC  1000000LL
#define DAY  (86400 * SEC)
#define W    (5 * DAY)
#define NOW0 1796000000000000LL /* 2026-11-28 */

/* The Atera rule's summarize, built by hand. */
static struct summarize_col atera_cols[] = {
    {"DeviceId", AGG_BY, FIELD_DEVICE_ID, 0},
    {"DeviceName", AGG_BY, FIELD_DEVICE_NAME, 0},
    {"FirstSeen", AGG_MIN, FIELD_TIMESTAMP, 0},
    {"LastSeen", AGG_MAX, FIELD_TIMESTAMP, 0},
    {"Report", AGG_MAKE_SET, FIELD_REPORT_ID, 1048576},
    {"Count", AGG_COUNT, -1, 0},
};

static const char *const tactics[] = {"CommandAndControl"};
static const char *const techniques[] = {"T1219"};

static struct agg_rule atera_rule(void)
{
	return (struct agg_rule){
	    .id = "532c895a-75b9-4c9f-969c-30bb3cfb6ac7",
	    .name = "Remote Management and Monitoring tool - Atera - Create Process",
	    .tactics = tactics,
	    .ntactics = 1,
	    .techniques = techniques,
	    .ntechniques = 1,
	    .window_us = W,
	    .cols = atera_cols,
	    .ncols = sizeof(atera_cols) / sizeof(atera_cols[0]),
	};
}

/* Alerts as parsed JSON, in emission order. */
struct sink {
	json_t *alerts;
};

static void collect(const struct agg_alert *al, void *ctx)
{
	struct sink *s = ctx;
	struct json_writer w;
	json_t *j;

	jw__init(&w);
	assert_int_equal(alert__write_json(&w, al), 0);
	j = json_loadb(w.buf, w.len, 0, NULL);
	assert_non_null(j);
	json_array_append_new(s->alerts, j);
	jw__free(&w);
}

static struct agg *new_agg(const struct agg_config *cfg)
{
	struct agg *a = agg__new(cfg);
	struct agg_rule r = atera_rule();

	assert_non_null(a);
	assert_int_equal(agg__add_rule(a, &r), 0);
	return a;
}

static int add(struct agg *a, int64_t ts, const char *dev, int64_t report, int64_t now)
{
	struct event e;
	int rc;

	event__init(&e);
	event__set_long(&e, FIELD_TIMESTAMP, ts);
	event__set_str(&e, FIELD_DEVICE_ID, dev);
	event__set_fmt(&e, FIELD_DEVICE_NAME, "%s.example", dev);
	event__set_long(&e, FIELD_REPORT_ID, report);
	event__set_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Atera Networks");
	rc = agg__add(a, 0, &e, now);
	event__free(&e);
	return rc;
}

static json_t *flush(struct agg *a, int64_t now)
{
	struct sink s = {json_array()};

	agg__flush(a, now, collect, &s);
	return s.alerts;
}

static int64_t time_of(const json_t *al, const char *key)
{
	int64_t t;

	assert_int_equal(timefmt__parse_rfc3339_us(json_string_value(json_object_get(al, key)), &t),
			 0);
	return t;
}

static int64_t count_of(const json_t *al)
{
	return json_integer_value(json_object_get(al, "Count"));
}

static void window_start__exactly_at_now_minus_window__counts(void **state)
{
	struct agg *a = new_agg(NULL);
	json_t *out;

	assert_int_equal(add(a, NOW0 - W, "d1", 1, NOW0), 1);
	assert_int_equal(add(a, NOW0 - W - 1, "d1", 2, NOW0), 0);
	out = flush(a, NOW0);
	assert_int_equal(json_array_size(out), 1);
	assert_int_equal(count_of(json_array_get(out, 0)), 1);
	assert_int_equal(time_of(json_array_get(out, 0), "FirstSeen"), NOW0 - W);
	json_decref(out);
	agg__free(a);
}

static void window_start__one_microsecond_earlier__expires_as_clock_moves(void **state)
{
	struct agg *a = new_agg(NULL);
	struct agg_stats st;
	json_t *out, *report;

	add(a, NOW0, "d1", 1, NOW0);
	add(a, NOW0 + 10, "d1", 2, NOW0 + 10);
	add(a, NOW0 + 20, "d1", 3, NOW0 + 20);
	/* NOW0 + 10 is exactly at the window start, NOW0 one window and 10 us back */
	out = flush(a, NOW0 + 10 + W);
	assert_int_equal(json_array_size(out), 1);
	assert_int_equal(count_of(json_array_get(out, 0)), 2);
	assert_int_equal(time_of(json_array_get(out, 0), "FirstSeen"), NOW0 + 10);
	assert_int_equal(time_of(json_array_get(out, 0), "LastSeen"), NOW0 + 20);
	report = json_object_get(json_array_get(out, 0), "Report");
	assert_int_equal(json_array_size(report), 2);
	assert_int_equal(json_integer_value(json_array_get(report, 0)), 2);
	assert_int_equal(json_integer_value(json_array_get(report, 1)), 3);
	json_decref(out);
	/* one microsecond after the last event leaves: the group goes */
	agg__expire(a, NOW0 + 20 + W + 1);
	agg__stats(a, &st);
	assert_int_equal(st.groups, 0);
	assert_int_equal(st.groups_expired, 1);
	agg__free(a);
}

static void add__future_event__not_counted(void **state)
{
	struct agg *a = new_agg(NULL);
	struct agg_stats st;

	assert_int_equal(add(a, NOW0 + 1, "d1", 1, NOW0), 0);
	agg__stats(a, &st);
	assert_int_equal(st.events_outside, 1);
	assert_int_equal(st.groups, 0);
	agg__free(a);
}

static void make_set__duplicates__kept_once_sorted(void **state)
{
	static const int64_t ids[] = {5, 3, 5, 7, 3, 5};
	struct agg *a = new_agg(NULL);
	json_t *out, *report;

	for (size_t i = 0; i < 6; i++)
		add(a, NOW0 + i, "d1", ids[i], NOW0 + 10);
	out = flush(a, NOW0 + 10);
	report = json_object_get(json_array_get(out, 0), "Report");
	assert_int_equal(json_array_size(report), 3);
	assert_int_equal(json_integer_value(json_array_get(report, 0)), 3);
	assert_int_equal(json_integer_value(json_array_get(report, 1)), 5);
	assert_int_equal(json_integer_value(json_array_get(report, 2)), 7);
	assert_int_equal(count_of(json_array_get(out, 0)), 6);
	assert_null(json_object_get(json_array_get(out, 0), "ReportTruncated"));
	json_decref(out);
	agg__free(a);
}

static void make_set__value_leaves_with_its_newest_event(void **state)
{
	struct agg *a = new_agg(NULL);
	json_t *out, *report;

	add(a, NOW0, "d1", 7, NOW0);
	add(a, NOW0 + 5, "d1", 8, NOW0 + 5);
	add(a, NOW0 + 9, "d1", 7, NOW0 + 9);
	/* the first 7 left, the second one has not */
	out = flush(a, NOW0 + 6 + W);
	report = json_object_get(json_array_get(out, 0), "Report");
	assert_int_equal(json_array_size(report), 1);
	assert_int_equal(json_integer_value(json_array_get(report, 0)), 7);
	assert_int_equal(count_of(json_array_get(out, 0)), 1);
	json_decref(out);
	agg__free(a);
}

static void make_set__over_max__truncated_and_flagged(void **state)
{
	struct summarize_col cols[] = {
	    {"DeviceId", AGG_BY, FIELD_DEVICE_ID, 0},
	    {"Report", AGG_MAKE_SET, FIELD_REPORT_ID, 3},
	    {"Count", AGG_COUNT, -1, 0},
	};
	struct agg_rule r = atera_rule();
	struct agg *a = agg__new(NULL);
	struct agg_stats st;
	json_t *out, *al;

	r.cols = cols;
	r.ncols = 3;
	assert_int_equal(agg__add_rule(a, &r), 0);
	for (int i = 0; i < 5; i++)
		add(a, NOW0 + i, "d1", 100 + i, NOW0 + 10);
	out = flush(a, NOW0 + 10);
	al = json_array_get(out, 0);
	assert_int_equal(json_array_size(json_object_get(al, "Report")), 3);
	assert_true(json_is_true(json_object_get(al, "ReportTruncated")));
	assert_int_equal(count_of(al), 5);
	agg__stats(a, &st);
	assert_int_equal(st.values_dropped, 2);
	json_decref(out);
	agg__free(a);
}

static void count__sliding_over_many_ticks__equals_brute_force(void **state)
{
	struct agg_config cfg = {.window_us = 100 * SEC, .interval_us = SEC};
	struct agg *a = new_agg(&cfg);
	struct sink s = {json_array()};
	int64_t ts[600];
	unsigned seed = 1;

	for (int i = 0; i < 600; i++) {
		seed = seed * 1103515245 + 12345;
		ts[i] = NOW0 + i * SEC / 2 + (seed >> 16) % (SEC / 2);
		add(a, ts[i], "d1", i % 37, ts[i]);
		if (i % 50 == 49) {
			int64_t now = ts[i], expect = 0;
			json_t *al;

			for (int k = 0; k <= i; k++)
				expect += ts[k] >= now - cfg.window_us;
			json_array_clear(s.alerts);
			agg__flush(a, now, collect, &s);
			al = json_array_get(s.alerts, 0);
			assert_non_null(al);
			assert_int_equal(count_of(al), expect);
			assert_null(json_object_get(al, "Approximate"));
		}
	}
	json_decref(s.alerts);
	agg__free(a);
}

static void timeline__over_cap__counts_all_then_flags_approximate(void **state)
{
	struct agg_config cfg = {.max_entries = 8};
	struct agg *a = new_agg(&cfg);
	struct agg_stats st;
	json_t *out, *al;

	for (int i = 0; i < 100; i++)
		add(a, NOW0 + i * SEC, "d1", i, NOW0 + i * SEC);
	agg__stats(a, &st);
	assert_true(st.buckets_merged > 0);
	out = flush(a, NOW0 + 99 * SEC);
	al = json_array_get(out, 0);
	assert_int_equal(count_of(al), 100);
	assert_int_equal(time_of(al, "FirstSeen"), NOW0);
	assert_int_equal(time_of(al, "LastSeen"), NOW0 + 99 * SEC);
	assert_null(json_object_get(al, "Approximate"));
	/* make_set is not degraded by the timeline cap */
	assert_int_equal(json_array_size(json_object_get(al, "Report")), 100);
	json_decref(out);
	/* the window start inside a merged bucket: never undercounted, and flagged */
	add(a, NOW0 + W + 30 * SEC, "d1", 1000, NOW0 + W + 30 * SEC);
	out = flush(a, NOW0 + W + 30 * SEC);
	al = json_array_get(out, 0);
	assert_true(count_of(al) >= 70 + 1);
	assert_true(json_is_true(json_object_get(al, "Approximate")));
	assert_true(time_of(al, "FirstSeen") >= NOW0 + 30 * SEC);
	json_decref(out);
	agg__free(a);
}

static void groups__two_devices__one_alert_each_sorted(void **state)
{
	struct agg *a = new_agg(NULL);
	json_t *out;

	assert_int_equal(add(a, NOW0, "dev-b", 1, NOW0), 1);
	assert_int_equal(add(a, NOW0 + 1, "dev-a", 2, NOW0 + 1), 1);
	assert_int_equal(add(a, NOW0 + 2, "dev-b", 3, NOW0 + 2), 0);
	out = flush(a, NOW0 + 2);
	assert_int_equal(json_array_size(out), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "DeviceId")),
			    "dev-a");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(out, 0), "DeviceName")),
	    "dev-a.example");
	assert_int_equal(count_of(json_array_get(out, 0)), 1);
	assert_int_equal(count_of(json_array_get(out, 1)), 2);
	json_decref(out);
	agg__free(a);
}

static void groups__over_max__least_recent_evicted_and_counted(void **state)
{
	struct agg_config cfg = {.max_groups = 2};
	struct agg *a = new_agg(&cfg);
	struct agg_stats st;
	json_t *out;

	add(a, NOW0, "d1", 1, NOW0);
	add(a, NOW0 + 1, "d2", 1, NOW0 + 1);
	add(a, NOW0 + 2, "d1", 2, NOW0 + 2); /* d2 is now the least recent */
	add(a, NOW0 + 3, "d3", 1, NOW0 + 3);
	agg__stats(a, &st);
	assert_int_equal(st.groups, 2);
	assert_int_equal(st.groups_evicted, 1);
	out = flush(a, NOW0 + 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 0), "DeviceId")),
			    "d1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(out, 1), "DeviceId")),
			    "d3");
	json_decref(out);
	agg__free(a);
}

static void emission__first_at_once_then_once_per_interval(void **state)
{
	struct agg_config cfg = {.interval_us = 60 * SEC};
	struct agg *a = new_agg(&cfg);
	struct sink s = {json_array()};
	struct agg_stats st;

	assert_int_equal(add(a, NOW0, "d1", 1, NOW0), 1);
	assert_int_equal(agg__tick(a, NOW0, collect, &s), 1);
	assert_int_equal(add(a, NOW0 + SEC, "d1", 2, NOW0 + SEC), 0);
	assert_int_equal(agg__tick(a, NOW0 + SEC, collect, &s), 0);
	assert_int_equal(agg__tick(a, NOW0 + 59 * SEC, collect, &s), 0);
	assert_int_equal(agg__tick(a, NOW0 + 60 * SEC, collect, &s), 1);
	assert_int_equal(count_of(json_array_get(s.alerts, 1)), 2);
	/* nothing changed: nothing more, not even at shutdown */
	assert_int_equal(agg__tick(a, NOW0 + 200 * SEC, collect, &s), 0);
	assert_int_equal(agg__flush(a, NOW0 + 201 * SEC, collect, &s), 0);
	add(a, NOW0 + 202 * SEC, "d1", 3, NOW0 + 202 * SEC);
	assert_int_equal(agg__flush(a, NOW0 + 203 * SEC, collect, &s), 1);
	assert_int_equal(count_of(json_array_get(s.alerts, 2)), 3);
	agg__stats(a, &st);
	assert_int_equal(st.alerts_emitted, 3);
	json_decref(s.alerts);
	agg__free(a);
}

static void alert__record__fields_in_query_order(void **state)
{
	struct agg *a = new_agg(NULL);
	struct sink s = {json_array()};
	static const char *const keys[] = {"RecordType", "RuleId",   "RuleName",   "Tactics",
					   "Techniques", "DeviceId", "DeviceName", "FirstSeen",
					   "LastSeen",	 "Report",   "Count",	   "Timestamp"};
	char *text;
	const char *p;

	add(a, NOW0, "d1", 42, NOW0);
	agg__flush(a, NOW0 + 5, collect, &s);
	/* jansson (>= 2.8) keeps the insertion order, so this is the order written */
	text = json_dumps(json_array_get(s.alerts, 0), JSON_COMPACT);
	p = text;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char k[64];
		const char *at;

		snprintf(k, sizeof(k), "\"%s\":", keys[i]);
		at = strstr(p, k);
		assert_non_null(at);
		assert_true(at >= p);
		p = at;
	}
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(s.alerts, 0), "RecordType")), "Alert");
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(json_array_get(s.alerts, 0), "Techniques"), 0)),
			    "T1219");
	assert_int_equal(time_of(json_array_get(s.alerts, 0), "Timestamp"), NOW0 + 5);
	free(text);
	json_decref(s.alerts);
	agg__free(a);
}

static void columns__dcount_min_max_and_defender_only_by(void **state)
{
	struct summarize_col cols[] = {
	    {"AccountUpn", AGG_BY, -1, 0},
	    {"Pids", AGG_DCOUNT, FIELD_PROCESS_ID, 0},
	    {"MinPid", AGG_MIN, FIELD_PROCESS_ID, 0},
	    {"MaxName", AGG_MAX, FIELD_FILE_NAME, 0},
	    {"Names", AGG_MAKE_SET, FIELD_FILE_NAME, 0},
	};
	static const char *const names[] = {"b", "a", "c", "a"};
	struct agg_rule r = atera_rule();
	struct agg *a = agg__new(NULL);
	json_t *out, *al;

	r.cols = cols;
	r.ncols = 5;
	assert_int_equal(agg__add_rule(a, &r), 0);
	for (int i = 0; i < 4; i++) {
		struct event e;

		event__init(&e);
		event__set_long(&e, FIELD_TIMESTAMP, NOW0 + i);
		event__set_long(&e, FIELD_PROCESS_ID, 10 - (i % 3));
		event__set_str(&e, FIELD_FILE_NAME, names[i]);
		agg__add(a, 0, &e, NOW0 + 10);
		event__free(&e);
	}
	out = flush(a, NOW0 + 10);
	assert_int_equal(json_array_size(out), 1);
	al = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(al, "AccountUpn")), "");
	assert_int_equal(json_integer_value(json_object_get(al, "Pids")), 3);
	assert_int_equal(json_integer_value(json_object_get(al, "MinPid")), 8);
	assert_string_equal(json_string_value(json_object_get(al, "MaxName")), "c");
	assert_int_equal(json_array_size(json_object_get(al, "Names")), 3);
	json_decref(out);
	agg__free(a);
}

static void add__no_timestamp__refused(void **state)
{
	struct agg *a = new_agg(NULL);
	struct event e;

	event__init(&e);
	event__set_str(&e, FIELD_DEVICE_ID, "d1");
	assert_int_equal(agg__add(a, 0, &e, NOW0), -EINVAL);
	assert_int_equal(agg__add(a, 7, &e, NOW0), -EINVAL);
	event__free(&e);
	agg__free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(window_start__exactly_at_now_minus_window__counts),
	    cmocka_unit_test(window_start__one_microsecond_earlier__expires_as_clock_moves),
	    cmocka_unit_test(add__future_event__not_counted),
	    cmocka_unit_test(make_set__duplicates__kept_once_sorted),
	    cmocka_unit_test(make_set__value_leaves_with_its_newest_event),
	    cmocka_unit_test(make_set__over_max__truncated_and_flagged),
	    cmocka_unit_test(count__sliding_over_many_ticks__equals_brute_force),
	    cmocka_unit_test(timeline__over_cap__counts_all_then_flags_approximate),
	    cmocka_unit_test(groups__two_devices__one_alert_each_sorted),
	    cmocka_unit_test(groups__over_max__least_recent_evicted_and_counted),
	    cmocka_unit_test(emission__first_at_once_then_once_per_interval),
	    cmocka_unit_test(alert__record__fields_in_query_order),
	    cmocka_unit_test(columns__dcount_min_max_and_defender_only_by),
	    cmocka_unit_test(add__no_timestamp__refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
