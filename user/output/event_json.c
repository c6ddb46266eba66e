// SPDX-License-Identifier: MIT
/* An event as JSON and back: see event_json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output/base64.h"
#include "output/event_json.h"

/* Columns that are left out, rather than null, when unset. */
static bool omit_unset(int id)
{
	return id == FIELD_MATCHED_RULES || id == FIELD_SUPPRESSED_BY;
}

static void write_raw(struct json_writer *w, const struct event *e, const bool *raw)
{
	jw_key(w, "RawBase64");
	jw_object_begin(w);
	for (int i = 0; i < FIELD__COUNT; i++) {
		if (!raw[i])
			continue;
		jw_key(w, event_fields[i].name);
		if (event_fields[i].type == FT_STRING) {
			jw_base64(w, event_str(e, i), event_str_len(e, i));
			continue;
		}
		jw_array_begin(w);
		for (const char *it = event_list_next(e, i, NULL); it;
		     it = event_list_next(e, i, it))
			jw_base64(w, it, strlen(it));
		jw_array_end(w);
	}
	jw_object_end(w);
}

int event_write_json(struct json_writer *w, const struct event *e)
{
	bool raw[FIELD__COUNT] = {false}, any_raw = false;

	jw_object_begin(w);
	jw_kv_str(w, "RecordType", "DeviceProcessEvents");
	for (int i = 0; i < FIELD__COUNT; i++) {
		if (!event_isset(e, i)) {
			if (!omit_unset(i)) {
				jw_key(w, event_fields[i].name);
				jw_null(w);
			}
			continue;
		}
		jw_key(w, event_fields[i].name);
		switch (event_fields[i].type) {
		case FT_STRING:
			raw[i] = jw_string(w, event_str(e, i), event_str_len(e, i));
			break;
		case FT_LONG:
			jw_long(w, event_long(e, i));
			break;
		case FT_BOOL:
			jw_bool(w, event_long(e, i) != 0);
			break;
		case FT_TIME:
			jw_time(w, event_long(e, i));
			break;
		case FT_STRLIST:
			jw_array_begin(w);
			for (const char *it = event_list_next(e, i, NULL); it;
			     it = event_list_next(e, i, it))
				raw[i] |= jw_string(w, it, strlen(it));
			jw_array_end(w);
			break;
		}
		any_raw |= raw[i];
	}
	if (any_raw)
		write_raw(w, e, raw);
	jw_object_end(w);
	return w->failed ? -ENOMEM : 0;
}

/* A JSON array of strings as a list column; @decode: the items are base64. */
static int read_list(struct event *e, int id, const json_t *arr, bool decode)
{
	size_t n = json_array_size(arr), i;
	char **items;
	int err = 0;

	if (!json_is_array(arr))
		return -EINVAL;
	items = calloc(n ? n : 1, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *it = json_array_get(arr, i);
		const char *s = json_string_value(it);
		size_t len = json_string_length(it);

		if (!s) {
			err = -EINVAL;
			goto cleanup;
		}
		items[i] = malloc(len + 1);
		if (!items[i]) {
			err = -ENOMEM;
			goto cleanup;
		}
		if (decode) {
			long k = base64_decode(s, len, (unsigned char *)items[i]);

			if (k < 0) {
				err = -EINVAL;
				goto cleanup;
			}
			items[i][k] = '\0';
		} else {
			memcpy(items[i], s, len + 1);
		}
	}
	/* an item is a C string: bytes after a NUL inside are cut, as event.h does */
	err = event_set_list(e, id, (const char *const *)items, n);
cleanup:
	for (size_t j = 0; j < n; j++)
		free(items[j]);
	free(items);
	return err;
}

static int read_column(struct event *e, int id, const json_t *v)
{
	int64_t t;

	if (json_is_null(v)) {
		event_unset(e, id);
		return 0;
	}
	switch (event_fields[id].type) {
	case FT_STRING:
		if (!json_is_string(v))
			return -EINVAL;
		return event_set_strn(e, id, json_string_value(v), json_string_length(v));
	case FT_LONG:
		if (!json_is_integer(v))
			return -EINVAL;
		event_set_long(e, id, json_integer_value(v));
		return 0;
	case FT_BOOL:
		if (!json_is_boolean(v))
			return -EINVAL;
		event_set_long(e, id, json_is_true(v));
		return 0;
	case FT_TIME:
		if (!json_is_string(v) || parse_rfc3339_us(json_string_value(v), &t))
			return -EINVAL;
		event_set_long(e, id, t);
		return 0;
	case FT_STRLIST:
		return read_list(e, id, v, false);
	}
	return -EINVAL;
}

/* RawBase64 replaces the U+FFFD-laden text with the exact bytes. */
static int read_raw(struct event *e, const json_t *raw)
{
	const char *key;
	json_t *v;

	if (!json_is_object(raw))
		return -EINVAL;
	json_object_foreach((json_t *)raw, key, v)
	{
		int id = event_field_lookup(key);
		unsigned char *buf;
		long n;
		int err;

		if (id < 0)
			continue;
		if (event_fields[id].type == FT_STRLIST) {
			err = read_list(e, id, v, true);
			if (err)
				return err;
			continue;
		}
		if (event_fields[id].type != FT_STRING || !json_is_string(v))
			return -EINVAL;
		buf = malloc(json_string_length(v) / 4 * 3 + 1);
		if (!buf)
			return -ENOMEM;
		n = base64_decode(json_string_value(v), json_string_length(v), buf);
		err = n < 0 ? -EINVAL : event_set_strn(e, id, (const char *)buf, n);
		free(buf);
		if (err)
			return err;
	}
	return 0;
}

int event_read_json(const json_t *obj, struct event *e)
{
	const json_t *raw = NULL;
	const char *key;
	json_t *v;
	int err;

	event_reset(e);
	if (!json_is_object(obj))
		return -EINVAL;
	json_object_foreach((json_t *)obj, key, v)
	{
		int id;

		if (!strcmp(key, "RawBase64")) {
			raw = v;
			continue;
		}
		id = event_field_lookup(key);
		if (id < 0)
			continue;
		err = read_column(e, id, v);
		if (err)
			return err;
	}
	return raw ? read_raw(e, raw) : 0;
}
