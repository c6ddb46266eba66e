// SPDX-License-Identifier: MIT
/*
 * event_read_json: any JSON is refused or read; what is read writes as valid
 * UTF-8 JSON that reads back to the same event.
 *
 * Sources: user/output/{event_json,base64,json_writer}.c user/event.c, -ljansson.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "output/event_json.h"

static bool same(const struct event *a, const struct event *b)
{
	for (int i = 0; i < FIELD__COUNT; i++) {
		if (event_isset(a, i) != event_isset(b, i))
			return false;
		if (!event_isset(a, i))
			continue;
		switch (event_fields[i].type) {
		case FT_STRING:
			if (event_str_len(a, i) != event_str_len(b, i) ||
			    memcmp(event_str(a, i), event_str(b, i), event_str_len(a, i)))
				return false;
			break;
		case FT_STRLIST: {
			const char *x = event_list_next(a, i, NULL),
				   *y = event_list_next(b, i, NULL);

			if (event_list_count(a, i) != event_list_count(b, i))
				return false;
			for (; x && y; x = event_list_next(a, i, x), y = event_list_next(b, i, y))
				if (strcmp(x, y))
					return false;
			break;
		}
		case FT_BOOL:
			if (!event_long(a, i) != !event_long(b, i))
				return false;
			break;
		default:
			if (event_long(a, i) != event_long(b, i))
				return false;
		}
	}
	return true;
}

/* jw_time writes four-digit years only; other times are out of this test's reach. */
static bool times_in_range(const struct event *e)
{
	for (int i = 0; i < FIELD__COUNT; i++)
		if (event_fields[i].type == FT_TIME && event_isset(e, i) &&
		    (event_long(e, i) < -62135596800000000LL ||
		     event_long(e, i) > 253402300799999999LL))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event e, back;
	struct json_writer w;
	json_t *j = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL), *k;

	if (!j)
		return 0;
	event_init(&e);
	event_init(&back);
	jw_init(&w);
	if (!event_read_json(j, &e) && times_in_range(&e)) {
		if (event_write_json(&w, &e))
			abort();
		if (!utf8_valid(w.buf, w.len) || memchr(w.buf, '\n', w.len))
			abort();
		k = json_loadb(w.buf, w.len, 0, NULL);
		if (!k || event_read_json(k, &back) || !same(&e, &back))
			abort();
		json_decref(k);
	}
	json_decref(j);
	event_free(&e);
	event_free(&back);
	jw_free(&w);
	return 0;
}
