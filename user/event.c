// SPDX-License-Identifier: MIT
/* The records and their column tables: see event.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"

const struct field_desc event_fields[FIELD__COUNT] = {
#define X(id, name, type) [FIELD_##id] = {name, type},
    EVENT_FIELDS(X)
#undef X
};

const struct field_desc cert_fields[CERT__COUNT] = {
#define X(id, name, type) [CERT_##id] = {name, type},
    CERT_FIELDS(X)
#undef X
};

const struct field_desc net_fields[NET__COUNT] = {
#define X(id, name, type) [NET_##id] = {name, type},
    NET_FIELDS(X)
#undef X
};

_Static_assert((int)NET_TIMESTAMP == (int)FIELD_TIMESTAMP &&
		   (int)NET_DEVICE_ID == (int)FIELD_DEVICE_ID &&
		   (int)NET_DEVICE_NAME == (int)FIELD_DEVICE_NAME &&
		   (int)NET_REPORT_ID == (int)FIELD_REPORT_ID,
	       "every record starts with Timestamp, DeviceId, DeviceName, ReportId");

_Static_assert((int)CERT_TIMESTAMP == (int)FIELD_TIMESTAMP &&
		   (int)CERT_DEVICE_ID == (int)FIELD_DEVICE_ID &&
		   (int)CERT_DEVICE_NAME == (int)FIELD_DEVICE_NAME &&
		   (int)CERT_REPORT_ID == (int)FIELD_REPORT_ID,
	       "every record starts with Timestamp, DeviceId, DeviceName, ReportId");

const struct field_desc *event__table_fields(enum table_id t, size_t *n)
{
	switch (t) {
	case TABLE_PROCESS:
		*n = FIELD__COUNT;
		return event_fields;
	case TABLE_CERTIFICATE:
		*n = CERT__COUNT;
		return cert_fields;
	case TABLE_NETWORK:
		*n = NET__COUNT;
		return net_fields;
	default:
		*n = 0;
		return NULL;
	}
}

int event__table_field_lookup(enum table_id t, const char *name)
{
	size_t n;
	const struct field_desc *f = event__table_fields(t, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].name, name) == 0)
			return (int)i;
	return -1;
}

int event__field_lookup(const char *name)
{
	return event__table_field_lookup(TABLE_PROCESS, name);
}

int event__matched_rules_field(enum table_id t)
{
	return t == TABLE_PROCESS	? FIELD_MATCHED_RULES
	       : t == TABLE_CERTIFICATE ? CERT_MATCHED_RULES
	       : t == TABLE_NETWORK	? NET_MATCHED_RULES
					: -1;
}

void event__init(struct event *e)
{
	memset(e, 0, sizeof(*e));
}

void event__reset_table(struct event *e, enum table_id t)
{
	event__reset(e);
	e->table = t;
}

void event__reset(struct event *e)
{
	e->table = TABLE_PROCESS;
	memset(e->f, 0, sizeof(e->f));
	e->arena_len = 0;
}

void event__free(struct event *e)
{
	if (!e)
		return;
	free(e->arena);
	event__init(e);
}

static int arena_reserve(struct event *e, size_t n)
{
	size_t cap = e->arena_cap ? e->arena_cap : 4096;
	char *p;

	if (n > UINT32_MAX - e->arena_len)
		return -ENOMEM;
	if (e->arena_len + n <= e->arena_cap)
		return 0;
	while (cap < e->arena_len + n)
		cap *= 2;
	p = realloc(e->arena, cap);
	if (!p)
		return -ENOMEM;
	e->arena = p;
	e->arena_cap = cap;
	return 0;
}

int event__copy(struct event *dst, const struct event *src)
{
	int err;

	event__reset(dst);
	err = arena_reserve(dst, src->arena_len);
	if (err)
		return err;
	if (src->arena_len)
		memcpy(dst->arena, src->arena, src->arena_len);
	dst->arena_len = src->arena_len;
	dst->table = src->table;
	memcpy(dst->f, src->f, sizeof(dst->f));
	return 0;
}

int event__copy_field(struct event *dst, const struct event *src, int id)
{
	const struct field_value *v = &src->f[id];
	enum field_type type = event__type(src, id);
	size_t n;
	int err;

	if (!v->set || (type != FT_STRING && type != FT_JSON && type != FT_STRLIST)) {
		dst->f[id] = *v;
		return 0;
	}
	/* a string's bytes and its NUL; a list's items, each with its NUL */
	n = v->len + (type != FT_STRLIST);
	err = arena_reserve(dst, n);
	if (err)
		return err;
	memcpy(dst->arena + dst->arena_len, src->arena + v->off, n);
	dst->f[id] = *v;
	dst->f[id].off = dst->arena_len;
	dst->arena_len += n;
	return 0;
}

bool event__isset(const struct event *e, int id)
{
	return e->f[id].set;
}

void event__unset(struct event *e, int id)
{
	memset(&e->f[id], 0, sizeof(e->f[id]));
}

void event__set_long(struct event *e, int id, int64_t v)
{
	e->f[id].set = true;
	e->f[id].num = v;
}

int64_t event__long(const struct event *e, int id)
{
	return e->f[id].set ? e->f[id].num : 0;
}

int event__set_strn(struct event *e, int id, const char *s, size_t n)
{
	const char *nul = memchr(s, '\0', n);
	int err;

	if (nul)
		n = nul - s;
	err = arena_reserve(e, n + 1);
	if (err)
		return err;
	memcpy(e->arena + e->arena_len, s, n);
	e->arena[e->arena_len + n] = '\0';
	e->f[id] = (struct field_value){.set = true, .off = e->arena_len, .len = n};
	e->arena_len += n + 1;
	return 0;
}

int event__set_str(struct event *e, int id, const char *s)
{
	if (!s) {
		event__unset(e, id);
		return 0;
	}
	return event__set_strn(e, id, s, strlen(s));
}

int event__set_fmt(struct event *e, int id, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return event__set_strn(e, id, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

const char *event__str(const struct event *e, int id)
{
	return e->f[id].set ? e->arena + e->f[id].off : NULL;
}

size_t event__str_len(const struct event *e, int id)
{
	return e->f[id].set ? e->f[id].len : 0;
}

int event__set_list(struct event *e, int id, const char *const *items, size_t n)
{
	size_t total = 0, off;
	int err;

	for (size_t i = 0; i < n; i++)
		total += strlen(items[i]) + 1;
	err = arena_reserve(e, total);
	if (err)
		return err;
	off = e->arena_len;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(items[i]) + 1;

		memcpy(e->arena + e->arena_len, items[i], len);
		e->arena_len += len;
	}
	e->f[id] = (struct field_value){.set = true, .num = n, .off = off, .len = total};
	return 0;
}

size_t event__list_count(const struct event *e, int id)
{
	return e->f[id].set ? (size_t)e->f[id].num : 0;
}

const char *event__list_next(const struct event *e, int id, const char *prev)
{
	const struct field_value *v = &e->f[id];
	const char *end, *next;

	if (!v->set || !v->num)
		return NULL;
	if (!prev)
		return e->arena + v->off;
	end = e->arena + v->off + v->len;
	next = prev + strlen(prev) + 1;
	return next < end ? next : NULL;
}
