// SPDX-License-Identifier: MIT
/* An event as JSON and back: see event_json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/timefmt.h"
#include "output/event_json.h"

static const char *const record_types[] = {
    [TABLE_PROCESS] = "DeviceProcessEvents",
    [TABLE_CERTIFICATE] = "DeviceFileCertificateInfo",
    [TABLE_NETWORK] = "DeviceNetworkEvents",
};

/* The lengths of the columns' names, known at compile time: no strlen per column per record. */
#define X(id, name, type) sizeof(name) - 1,
static const unsigned char process_name_len[] = {EVENT_FIELDS(X)};
static const unsigned char cert_name_len[] = {CERT_FIELDS(X)};
static const unsigned char net_name_len[] = {NET_FIELDS(X)};
#undef X

_Static_assert(sizeof(process_name_len) == FIELD__COUNT && sizeof(cert_name_len) == CERT__COUNT &&
		   sizeof(net_name_len) == NET__COUNT,
	       "one length per column");

static const unsigned char *const name_lens[] = {
    [TABLE_PROCESS] = process_name_len,
    [TABLE_CERTIFICATE] = cert_name_len,
    [TABLE_NETWORK] = net_name_len,
};

/* Columns that are left out, rather than null, when unset. */
static bool omit_unset(enum table_id t, int id)
{
	if (t == TABLE_CERTIFICATE)
		return id == CERT_MATCHED_RULES;
	if (t == TABLE_NETWORK)
		return id == NET_MATCHED_RULES || id == NET_CONNECTION_ERROR;
	return id == FIELD_MATCHED_RULES || id == FIELD_SUPPRESSED_BY;
}

static void write_raw(struct json_writer *w, const struct event *e, const struct field_desc *fields,
		      size_t nfields, const bool *raw)
{
	jw__key(w, "RawBase64");
	jw__object_begin(w);
	for (size_t i = 0; i < nfields; i++) {
		if (!raw[i])
			continue;
		jw__key(w, fields[i].name);
		if (fields[i].type == FT_STRING) {
			jw__base64(w, event__str(e, i), event__str_len(e, i));
			continue;
		}
		jw__array_begin(w);
		for (const char *it = event__list_next(e, i, NULL); it;
		     it = event__list_next(e, i, it))
			jw__base64(w, it, strlen(it));
		jw__array_end(w);
	}
	jw__object_end(w);
}

int event_json__write(struct json_writer *w, const struct event *e)
{
	static const char record_type[] = "RecordType";
	bool raw[FIELD__COUNT] = {false}, any_raw = false;
	size_t nfields;
	const struct field_desc *fields = event__table_fields(e->table, &nfields);
	const unsigned char *name_len;

	if (!fields)
		return -EINVAL;
	name_len = name_lens[e->table];
	jw__object_begin(w);
	jw__key_plain(w, record_type, sizeof(record_type) - 1);
	jw__string(w, record_types[e->table], strlen(record_types[e->table]));
	/* column names are plain ASCII identifiers (table.c): nothing to escape */
	for (size_t i = 0; i < nfields; i++) {
		if (!event__isset(e, i)) {
			if (!omit_unset(e->table, i)) {
				jw__key_plain(w, fields[i].name, name_len[i]);
				jw__null(w);
			}
			continue;
		}
		jw__key_plain(w, fields[i].name, name_len[i]);
		switch (fields[i].type) {
		case FT_STRING:
			raw[i] = jw__string(w, event__str(e, i), event__str_len(e, i));
			break;
		case FT_JSON:
			/* JSON text this program wrote, or jansson re-serialised on reading */
			jw__raw(w, event__str(e, i), event__str_len(e, i));
			break;
		case FT_LONG:
			jw__long(w, event__long(e, i));
			break;
		case FT_BOOL:
			jw__bool(w, event__long(e, i) != 0);
			break;
		case FT_TIME:
			jw__time(w, event__long(e, i));
			break;
		case FT_STRLIST:
			jw__array_begin(w);
			for (const char *it = event__list_next(e, i, NULL); it;
			     it = event__list_next(e, i, it))
				raw[i] |= jw__string(w, it, strlen(it));
			jw__array_end(w);
			break;
		}
		any_raw |= raw[i];
	}
	if (any_raw)
		write_raw(w, e, fields, nfields, raw);
	jw__object_end(w);
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
			long k = base64__decode(s, len, (unsigned char *)items[i]);

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
	err = event__set_list(e, id, (const char *const *)items, n);
cleanup:
	for (size_t j = 0; j < n; j++)
		free(items[j]);
	free(items);
	return err;
}

/* True when a string anywhere in @v holds a NUL (jansson reads "\u0000" so). */
static bool has_nul(const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_string(v))
		return strlen(json_string_value(v)) != json_string_length(v);
	if (json_is_array(v)) {
		json_array_foreach(v, i, item) if (has_nul(item)) return true;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item) if (has_nul(item)) return true;
	}
	return false;
}

static int read_column(struct event *e, int id, const json_t *v)
{
	int64_t t;

	if (json_is_null(v)) {
		event__unset(e, id);
		return 0;
	}
	switch (event__type(e, id)) {
	case FT_STRING:
		if (!json_is_string(v))
			return -EINVAL;
		return event__set_strn(e, id, json_string_value(v), json_string_length(v));
	case FT_JSON: {
		char *text;
		int err;

		/* NUL inside a string: we never write one, and a line with one reads nowhere */
		if ((!json_is_array(v) && !json_is_object(v)) || has_nul(v))
			return -EINVAL;
		text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text)
			return -ENOMEM;
		err = event__set_str(e, id, text);
		free(text);
		return err;
	}
	case FT_LONG:
		if (!json_is_integer(v))
			return -EINVAL;
		event__set_long(e, id, json_integer_value(v));
		return 0;
	case FT_BOOL:
		if (!json_is_boolean(v))
			return -EINVAL;
		event__set_long(e, id, json_is_true(v));
		return 0;
	case FT_TIME:
		if (!json_is_string(v) || timefmt__parse_rfc3339_us(json_string_value(v), &t))
			return -EINVAL;
		event__set_long(e, id, t);
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
		int id = event__table_field_lookup(e->table, key);
		unsigned char *buf;
		long n;
		int err;

		if (id < 0)
			continue;
		if (event__type(e, id) == FT_STRLIST) {
			err = read_list(e, id, v, true);
			if (err)
				return err;
			continue;
		}
		if (event__type(e, id) != FT_STRING || !json_is_string(v))
			return -EINVAL;
		buf = malloc(json_string_length(v) / 4 * 3 + 1);
		if (!buf)
			return -ENOMEM;
		n = base64__decode(json_string_value(v), json_string_length(v), buf);
		err = n < 0 ? -EINVAL : event__set_strn(e, id, (const char *)buf, n);
		free(buf);
		if (err)
			return err;
	}
	return 0;
}

int event_json__table(const char *record_type)
{
	for (size_t t = 0; t < sizeof(record_types) / sizeof(record_types[0]); t++)
		if (record_types[t] && record_type && !strcmp(record_types[t], record_type))
			return (int)t;
	return -1;
}

int event_json__read(const json_t *obj, struct event *e)
{
	const json_t *raw = NULL;
	const char *key;
	json_t *v;
	int err, t;

	event__reset_table(e, TABLE_PROCESS);
	if (!json_is_object(obj))
		return -EINVAL;
	/* no RecordType: a process record, as the first versions wrote them */
	v = json_object_get(obj, "RecordType");
	if (v) {
		t = event_json__table(json_string_value(v));
		if (t < 0)
			return -EINVAL;
		event__reset_table(e, t);
	}
	json_object_foreach((json_t *)obj, key, v)
	{
		int id;

		if (!strcmp(key, "RawBase64")) {
			raw = v;
			continue;
		}
		id = event__table_field_lookup(e->table, key);
		if (id < 0)
			continue;
		err = read_column(e, id, v);
		if (err)
			return err;
	}
	return raw ? read_raw(e, raw) : 0;
}
