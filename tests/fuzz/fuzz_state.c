// SPDX-License-Identifier: MIT
/*
 * The state file reader: any bytes are refused or restored, never a crash;
 * what is restored saves again and restores to the same alerts.
 *
 * Sources: user/aggregate/{agg,agg_json,state}.c user/output/{alert,base64,json_writer}.c
 *          user/event.c user/base/log.c, -ljansson.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/state.h"
#include "base/log.h"
#include "output/alert.h"

static const struct summarize_col atera[] = {
    {"DeviceId", AGG_BY, FIELD_DEVICE_ID, 0},
    {"DeviceName", AGG_BY, FIELD_DEVICE_NAME, 0},
    {"FirstSeen", AGG_MIN, FIELD_TIMESTAMP, 0},
    {"LastSeen", AGG_MAX, FIELD_TIMESTAMP, 0},
    {"Report", AGG_MAKE_SET, FIELD_REPORT_ID, 1048576},
    {"Count", AGG_COUNT, -1, 0},
};

/* Every kind of column, so each loader path is reachable. */
static const struct summarize_col other[] = {
    {"AccountUpn", AGG_BY, -1, 0},
    {"ReportId", AGG_BY, FIELD_REPORT_ID, 0},
    {"Names", AGG_MAKE_SET, FIELD_FILE_NAME, 4},
    {"Companies", AGG_MAKE_SET, FIELD_VERSION_INFO_COMPANY_NAMES, 4},
    {"Pids", AGG_DCOUNT, FIELD_PROCESS_ID, 0},
    {"MinPath", AGG_MIN, FIELD_FOLDER_PATH, 0},
    {"MaxCreated", AGG_MAX, FIELD_PROCESS_CREATION_TIME, 0},
};

/* Alerts, concatenated, to compare two aggregators. */
static void emit(const struct agg_alert *al, void *ctx)
{
	struct json_writer *w = ctx;

	alert__write_json(w, al);
}

static struct agg *new_agg(void)
{
	struct agg_config cfg = {.max_groups = 16, .max_entries = 16};
	struct agg_rule r1 = {
	    .id = "rule-1", .window_us = 5 * 86400000000LL, .cols = atera, .ncols = 6};
	struct agg_rule r2 = {.id = "rule-2", .cols = other, .ncols = 7};
	struct agg *a = agg__new(&cfg);

	if (!a || agg__add_rule(a, &r1) < 0 || agg__add_rule(a, &r2) < 0)
		abort();
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t now = 1796000000000000LL;
	struct agg *a = new_agg(), *b = NULL;
	struct json_writer wa, wb;
	char why[256], *text = NULL;
	json_t *j = NULL;

	log__set_level(LOG_ERROR);
	jw__init(&wa);
	jw__init(&wb);
	if (state__parse(a, (const char *)data, size, why, sizeof(why)))
		goto cleanup;
	/* what was restored saves, and restores to the same alerts */
	j = agg__save_json(a);
	if (!j || json_object_set_new(j, "Format", json_string("rmmhunt-state")) ||
	    json_object_set_new(j, "Version", json_integer(STATE_VERSION)))
		abort();
	text = json_dumps(j, JSON_COMPACT);
	b = new_agg();
	if (!text || state__parse(b, text, strlen(text), why, sizeof(why)))
		abort();
	agg__flush(a, now, emit, &wa);
	agg__flush(b, now, emit, &wb);
	if (wa.len != wb.len || (wa.len && memcmp(wa.buf, wb.buf, wa.len)))
		abort();
cleanup:
	free(text);
	json_decref(j);
	agg__free(a);
	agg__free(b);
	jw__free(&wa);
	jw__free(&wb);
	return 0;
}
