// SPDX-License-Identifier: MIT
/* Event JSON: every column round-trips byte for byte, and no string can forge a record. */
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

#include "base/timefmt.h"
#include "base/utf8.h"
#include "output/event_json.h"

static const char forged[] = "x\"}\n{\"RecordType\":\"Alert\",\"RuleId\":\"forged\"}";
static const char bad_utf8[] = "Atera\xff\xfeNet\xc3(works\xed\xa0\x80";
static const char ctrl[] = "a\x01\x1f\t\r\n\\b\x7f";

/* Fills every column, strings with the awkward bytes in turn. */
static void fill(struct event *e)
{
	static const char *const strs[] = {forged, bad_utf8, ctrl, "plain", "\xe2\x82\xac uro"};
	size_t n;
	const struct field_desc *f = event__table_fields(e->table, &n);
	int k = 0;

	for (int i = 0; i < (int)n; i++) {
		switch (f[i].type) {
		case FT_STRING:
			assert_int_equal(event__set_str(e, i, strs[k++ % 5]), 0);
			break;
		case FT_JSON:
			assert_int_equal(
			    event__set_str(e, i,
					   "[{\"Signer\":\"A \\\"B\\\"\",\"IsSigned\":true}]"),
			    0);
			break;
		case FT_LONG:
			event__set_long(e, i, i % 2 ? -((int64_t)1 << 62) - i : i);
			break;
		case FT_BOOL:
			event__set_long(e, i, i % 2);
			break;
		case FT_TIME:
			event__set_long(e, i, 1796000000123456LL + i);
			break;
		case FT_STRLIST: {
			const char *items[] = {bad_utf8, "Atera Networks", forged};

			assert_int_equal(event__set_list(e, i, items, 3), 0);
			break;
		}
		}
	}
}

static void assert_same(const struct event *a, const struct event *b)
{
	size_t n;
	const struct field_desc *f = event__table_fields(a->table, &n);

	assert_int_equal(a->table, b->table);
	for (int i = 0; i < (int)n; i++) {
		assert_int_equal(event__isset(a, i), event__isset(b, i));
		if (!event__isset(a, i))
			continue;
		switch (f[i].type) {
		case FT_STRING:
		case FT_JSON:
			assert_int_equal(event__str_len(a, i), event__str_len(b, i));
			assert_memory_equal(event__str(a, i), event__str(b, i),
					    event__str_len(a, i));
			break;
		case FT_STRLIST: {
			const char *x = event__list_next(a, i, NULL),
				   *y = event__list_next(b, i, NULL);

			assert_int_equal(event__list_count(a, i), event__list_count(b, i));
			for (; x; x = event__list_next(a, i, x), y = event__list_next(b, i, y)) {
				assert_non_null(y);
				assert_string_equal(x, y);
			}
			break;
		}
		default:
			assert_int_equal(event__long(a, i), event__long(b, i));
		}
	}
}

/* Writes @e and parses it back, checking the text is one valid JSON line. */
static json_t *write_parse(const struct event *e, struct json_writer *w)
{
	json_t *j;

	jw__reset(w);
	assert_int_equal(event_json__write(w, e), 0);
	assert_null(memchr(w->buf, '\n', w->len));
	assert_true(utf8__valid(w->buf, w->len));
	j = json_loadb(w->buf, w->len, 0, NULL);
	assert_non_null(j);
	return j;
}

static void round_trip__every_column__same_bytes(void **state)
{
	struct event e, back;
	struct json_writer w;
	json_t *j, *raw;

	event__init(&e);
	event__init(&back);
	jw__init(&w);
	fill(&e);
	j = write_parse(&e, &w);
	raw = json_object_get(j, "RawBase64");
	assert_true(json_is_object(raw));
	assert_non_null(json_object_get(raw, "DeviceName")); /* bad_utf8 is the 2nd string */
	assert_null(json_object_get(raw, "DeviceId"));
	assert_int_equal(event_json__read(j, &back), 0);
	assert_same(&e, &back);
	json_decref(j);
	event__free(&e);
	event__free(&back);
	jw__free(&w);
}

/* A DeviceFileCertificateInfo record: its RecordType, its columns, NestedSignatures as JSON. */
static void round_trip__certificate_record__same_columns(void **state)
{
	struct event e, back;
	struct json_writer w;
	json_t *j, *nested;

	event__init(&e);
	event__init(&back);
	jw__init(&w);
	event__reset_table(&e, TABLE_CERTIFICATE);
	fill(&e);
	j = write_parse(&e, &w);
	assert_string_equal(json_string_value(json_object_get(j, "RecordType")),
			    "DeviceFileCertificateInfo");
	assert_null(json_object_get(j, "ProcessId"));
	assert_true(json_is_boolean(json_object_get(j, "IsSigned")));
	nested = json_object_get(j, "NestedSignatures");
	assert_true(json_is_array(nested));
	assert_string_equal(json_string_value(json_object_get(json_array_get(nested, 0), "Signer")),
			    "A \"B\"");
	/* the key after RecordType is the table's first column */
	assert_int_equal(
	    strncmp(w.buf, "{\"RecordType\":\"DeviceFileCertificateInfo\",\"Timestamp\"", 52), 0);
	assert_int_equal(event_json__read(j, &back), 0);
	assert_same(&e, &back);
	json_decref(j);

	/* a RecordType no record has is refused */
	j = json_pack("{s:s, s:s}", "RecordType", "DeviceRegistryEvents", "DeviceId", "x");
	assert_int_equal(event_json__read(j, &back), -EINVAL);
	json_decref(j);
	event__free(&e);
	event__free(&back);
	jw__free(&w);
}

/* A DeviceNetworkEvents record: its own RecordType and columns, and back the same. */
static void round_trip__network_record__same_columns(void **state)
{
	struct event e, back;
	struct json_writer w;
	json_t *j;

	event__init(&e);
	event__init(&back);
	jw__init(&w);
	event__reset_table(&e, TABLE_NETWORK);
	fill(&e);
	j = write_parse(&e, &w);
	assert_string_equal(json_string_value(json_object_get(j, "RecordType")),
			    "DeviceNetworkEvents");
	assert_null(json_object_get(j, "ProcessId"));
	assert_true(json_is_integer(json_object_get(j, "RemotePort")));
	assert_true(json_is_string(json_object_get(j, "RemoteUrl")));
	assert_int_equal(
	    strncmp(w.buf, "{\"RecordType\":\"DeviceNetworkEvents\",\"Timestamp\"", 46), 0);
	assert_int_equal(event_json__read(j, &back), 0);
	assert_same(&e, &back);
	json_decref(j);
	event__free(&e);
	event__free(&back);
	jw__free(&w);
}

/* event__copy_field: column by column into an event that already holds others. */
static void copy_field__every_column__same_values(void **state)
{
	struct event src, dst;

	event__init(&src);
	event__init(&dst);
	fill(&src);
	assert_int_equal(event__set_str(&dst, FIELD_DEVICE_ID, "earlier bytes in the arena"), 0);
	for (int i = 0; i < FIELD__COUNT; i++)
		assert_int_equal(event__copy_field(&dst, &src, i), 0);
	assert_same(&src, &dst);
	/* an unset column unsets */
	event__reset(&src);
	assert_int_equal(event__copy_field(&dst, &src, FIELD_SHA1), 0);
	assert_false(event__isset(&dst, FIELD_SHA1));
	event__free(&src);
	event__free(&dst);
}

static void write__keys__record_type_then_table_order(void **state)
{
	struct event e;
	struct json_writer w;
	const char *p;

	event__init(&e);
	jw__init(&w);
	fill(&e);
	event_json__write(&w, &e);
	jw__string(&w, "", 0); /* a NUL-free end marker for strstr */
	assert_int_equal(strncmp(w.buf, "{\"RecordType\":\"DeviceProcessEvents\",", 36), 0);
	p = w.buf;
	for (int i = 0; i < FIELD__COUNT; i++) {
		char key[80];

		snprintf(key, sizeof(key), ",\"%s\":", event_fields[i].name);
		p = strstr(p, key);
		assert_non_null(p);
	}
	assert_non_null(strstr(p, ",\"RawBase64\":{"));
	event__free(&e);
	jw__free(&w);
}

/* event_json writes column names unescaped (jw__key_plain): every one must need none. */
static void columns__names__plain_identifiers(void **state)
{
	for (int t = 0; t < TABLE__COUNT; t++) {
		size_t n;
		const struct field_desc *f = event__table_fields(t, &n);

		for (size_t i = 0; f && i < n; i++) {
			assert_true(f[i].name[0]);
			for (const char *c = f[i].name; *c; c++)
				assert_true((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
					    (*c >= '0' && *c <= '9') || *c == '_');
		}
	}
}

static void write__unset__null_except_matched_and_suppressed(void **state)
{
	struct event e;
	struct json_writer w;
	json_t *j;

	event__init(&e);
	jw__init(&w);
	event__set_long(&e, FIELD_TIMESTAMP, 0);
	event__set_long(&e, FIELD_EXECUTABLE_DELETED, 1);
	j = write_parse(&e, &w);
	assert_string_equal(json_string_value(json_object_get(j, "Timestamp")),
			    "1970-01-01T00:00:00.000000Z");
	assert_true(json_is_true(json_object_get(j, "ExecutableDeleted")));
	assert_true(json_is_null(json_object_get(j, "DeviceName")));
	assert_true(json_is_null(json_object_get(j, "VersionInfoCompanyNames")));
	assert_true(json_is_null(json_object_get(j, "ReportId")));
	assert_null(json_object_get(j, "MatchedRules"));
	assert_null(json_object_get(j, "SuppressedBy"));
	assert_null(json_object_get(j, "RawBase64"));
	/* every other column is there */
	assert_int_equal(json_object_size(j), FIELD__COUNT - 2 + 1);
	json_decref(j);
	event__free(&e);
	jw__free(&w);
}

static void write__forged_record_in_string__stays_a_string(void **state)
{
	struct event e, back;
	struct json_writer w;
	json_t *j;

	event__init(&e);
	event__init(&back);
	jw__init(&w);
	event__set_str(&e, FIELD_PROCESS_COMMAND_LINE, forged);
	j = write_parse(&e, &w);
	assert_string_equal(json_string_value(json_object_get(j, "RecordType")),
			    "DeviceProcessEvents");
	assert_null(json_object_get(j, "RuleId"));
	assert_string_equal(json_string_value(json_object_get(j, "ProcessCommandLine")), forged);
	assert_int_equal(event_json__read(j, &back), 0);
	assert_string_equal(event__str(&back, FIELD_PROCESS_COMMAND_LINE), forged);
	json_decref(j);
	event__free(&e);
	event__free(&back);
	jw__free(&w);
}

static json_t *parse(const char *text)
{
	json_t *j = json_loads(text, JSON_ALLOW_NUL, NULL);

	assert_non_null(j);
	return j;
}

static void read__wrong_types_and_bad_base64__refused(void **state)
{
	static const char *const bad[] = {
	    "{\"DeviceName\":5}",
	    "{\"ReportId\":\"5\"}",
	    "{\"ReportId\":1.5}",
	    "{\"ExecutableDeleted\":1}",
	    "{\"Timestamp\":\"yesterday\"}",
	    "{\"Timestamp\":17}",
	    "{\"VersionInfoCompanyNames\":\"Atera\"}",
	    "{\"VersionInfoCompanyNames\":[1]}",
	    "{\"RawBase64\":[]}",
	    "{\"RawBase64\":{\"DeviceName\":\"***\"}}",
	    "{\"RawBase64\":{\"DeviceName\":\"QQ=\"}}",
	    "{\"RawBase64\":{\"ReportId\":\"QQ==\"}}",
	    "{\"RawBase64\":{\"VersionInfoCompanyNames\":[\"Q\"]}}",
	    "[]",
	};
	struct event e;

	event__init(&e);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = parse(bad[i]);

		if (event_json__read(j, &e) != -EINVAL)
			fail_msg("accepted %s", bad[i]);
		json_decref(j);
	}
	event__free(&e);
}

static void read__unknown_keys_and_nulls__ignored(void **state)
{
	json_t *j = parse("{\"RecordType\":\"DeviceProcessEvents\",\"Nope\":{\"a\":[1]},"
			  "\"DeviceName\":null,\"ReportId\":-7,\"FileName\":\"atera\\u0000x\","
			  "\"Timestamp\":\"2026-11-28T06:32:01+01:00\","
			  "\"RawBase64\":{\"Unknown\":\"QQ==\",\"FolderPath\":\"L3Vzci9iaW4=\"}}");
	struct event e;
	int64_t t;

	event__init(&e);
	event__set_str(&e, FIELD_DEVICE_NAME, "stale");
	assert_int_equal(event_json__read(j, &e), 0);
	assert_false(event__isset(&e, FIELD_DEVICE_NAME));
	assert_int_equal(event__long(&e, FIELD_REPORT_ID), -7);
	assert_string_equal(event__str(&e, FIELD_FOLDER_PATH), "/usr/bin");
	/* a NUL inside a string ends it, as everywhere in event.h */
	assert_string_equal(event__str(&e, FIELD_FILE_NAME), "atera");
	assert_int_equal(timefmt__parse_rfc3339_us("2026-11-28T05:32:01Z", &t), 0);
	assert_int_equal(event__long(&e, FIELD_TIMESTAMP), t);
	json_decref(j);
	event__free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip__every_column__same_bytes),
	    cmocka_unit_test(copy_field__every_column__same_values),
	    cmocka_unit_test(round_trip__certificate_record__same_columns),
	    cmocka_unit_test(round_trip__network_record__same_columns),
	    cmocka_unit_test(write__keys__record_type_then_table_order),
	    cmocka_unit_test(write__unset__null_except_matched_and_suppressed),
	    cmocka_unit_test(columns__names__plain_identifiers),
	    cmocka_unit_test(write__forged_record_in_string__stays_a_string),
	    cmocka_unit_test(read__wrong_types_and_bad_base64__refused),
	    cmocka_unit_test(read__unknown_keys_and_nulls__ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
