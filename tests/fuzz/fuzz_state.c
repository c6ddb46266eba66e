// SPDX-License-Identifier: MIT
/*
 * The state file reader: any bytes are refused or restored, never a crash;
 * what is restored emits alerts and saves again.
 *
 * Sources: user/aggregate/{agg,agg_json,state}.c user/output/{alert,base64,json_writer}.c
 *          user/event.c user/log.c, -ljansson.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "aggregate/state.h"
#include "log.h"
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

static void emit(const struct agg_alert *al, void *ctx)
{
	struct json_writer *w = ctx;

	jw_reset(w);
	alert_write_json(w, al);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agg_config cfg = {.max_groups = 16, .max_entries = 16};
	struct agg_rule r1 = {
	    .id = "rule-1", .window_us = 5 * 86400000000LL, .cols = atera, .ncols = 6};
	struct agg_rule r2 = {.id = "rule-2", .cols = other, .ncols = 7};
	struct agg *a = agg__new(&cfg);
	struct json_writer w;
	char why[256];

	log_set_level(LOG_ERROR);
	jw_init(&w);
	if (!a || agg__add_rule(a, &r1) < 0 || agg__add_rule(a, &r2) < 0)
		abort();
	if (!state__parse(a, (const char *)data, size, why, sizeof(why))) {
		json_t *j = agg__save_json(a);

		json_decref(j);
		agg__flush(a, 1796000000000000LL, emit, &w);
	}
	agg__free(a);
	jw_free(&w);
	return 0;
}
