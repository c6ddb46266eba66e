// SPDX-License-Identifier: MIT
/*
 * event_json__read: any JSON is refused or read; what is read writes as valid
 * UTF-8 JSON that reads back to the same event.
 *
 * Sources: user/output/{event_json,base64,json_writer}.c user/event.c, -ljansson.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "output/event_json.h"

static bool same(const struct event *a, const struct event *b)
{
	size_t n;
	const struct field_desc *f = event__table_fields(a->table, &n);

	if (a->table != b->table)
		return false;
	for (int i = 0; i < (int)n; i++) {
		if (event__isset(a, i) != event__isset(b, i))
			return false;
		if (!event__isset(a, i))
			continue;
		switch (f[i].type) {
		case FT_STRING:
		case FT_JSON:
			if (event__str_len(a, i) != event__str_len(b, i) ||
			    memcmp(event__str(a, i), event__str(b, i), event__str_len(a, i)))
				return false;
			break;
		case FT_STRLIST: {
			const char *x = event__list_next(a, i, NULL),
				   *y = event__list_next(b, i, NULL);

			if (event__list_count(a, i) != event__list_count(b, i))
				return false;
			for (; x && y; x = event__list_next(a, i, x), y = event__list_next(b, i, y))
				if (strcmp(x, y))
					return false;
			break;
		}
		case FT_BOOL:
			if (!event__long(a, i) != !event__long(b, i))
				return false;
			break;
		default:
			if (event__long(a, i) != event__long(b, i))
				return false;
		}
	}
	return true;
}

/* jw__time writes four-digit years only; other times are out of this test's reach. */
static bool times_in_range(const struct event *e)
{
	size_t n;
	const struct field_desc *f = event__table_fields(e->table, &n);

	for (int i = 0; i < (int)n; i++)
		if (f[i].type == FT_TIME && event__isset(e, i) &&
		    (event__long(e, i) < -62135596800000000LL ||
		     event__long(e, i) > 253402300799999999LL))
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
	event__init(&e);
	event__init(&back);
	jw__init(&w);
	if (!event_json__read(j, &e) && times_in_range(&e)) {
		if (event_json__write(&w, &e))
			abort();
		if (!utf8__valid(w.buf, w.len) || memchr(w.buf, '\n', w.len))
			abort();
		k = json_loadb(w.buf, w.len, 0, NULL);
		if (!k || event_json__read(k, &back) || !same(&e, &back))
			abort();
		json_decref(k);
	}
	json_decref(j);
	event__free(&e);
	event__free(&back);
	jw__free(&w);
	return 0;
}
