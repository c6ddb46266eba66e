// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_writer.h"

void jw_init(struct json_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void jw_free(struct json_writer *w)
{
	free(w->buf);
	jw_init(w);
}

void jw_reset(struct json_writer *w)
{
	w->len = 0;
	w->depth = 0;
	w->failed = false;
	w->need_comma[0] = false;
}

static bool reserve(struct json_writer *w, size_t n)
{
	size_t cap;
	char *p;

	if (w->failed)
		return false;
	if (w->len + n <= w->cap)
		return true;
	cap = w->cap ? w->cap : 1024;
	while (cap < w->len + n)
		cap *= 2;
	p = realloc(w->buf, cap);
	if (!p) {
		w->failed = true;
		return false;
	}
	w->buf = p;
	w->cap = cap;
	return true;
}

static void put(struct json_writer *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc_(struct json_writer *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

/* Separates values: a comma unless this is the first in its container. */
static void value_begin(struct json_writer *w)
{
	if (w->need_comma[w->depth])
		putc_(w, ',');
	w->need_comma[w->depth] = true;
}

static void open(struct json_writer *w, char c)
{
	value_begin(w);
	putc_(w, c);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->need_comma[++w->depth] = false;
}

static void close_(struct json_writer *w, char c)
{
	putc_(w, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_object_begin(struct json_writer *w)
{
	open(w, '{');
}

void jw_object_end(struct json_writer *w)
{
	close_(w, '}');
}

void jw_array_begin(struct json_writer *w)
{
	open(w, '[');
}

void jw_array_end(struct json_writer *w)
{
	close_(w, ']');
}

void jw_key(struct json_writer *w, const char *key)
{
	jw_string(w, key, strlen(key));
	putc_(w, ':');
	/* the value after a key needs no comma */
	w->need_comma[w->depth] = false;
}

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0) /* overlong */
			return 0;
		if (c == 0xed && s[1] >= 0xa0) /* surrogate */
			return 0;
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90) /* overlong */
			return 0;
		if (c == 0xf4 && s[1] >= 0x90) /* above U+10FFFF */
			return 0;
		return 4;
	}
	return 0;
}

bool utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(p + i, n - i);

		if (!k)
			return false;
		i += k;
	}
	return true;
}

bool jw_string(struct json_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	bool replaced = false;
	size_t i = 0, run = 0;

	value_begin(w);
	/* worst case: every byte becomes \u00XX or U+FFFD (3 bytes) */
	if (!reserve(w, n * 6 + 2))
		return false;
	w->buf[w->len++] = '"';
	while (i < n) {
		unsigned char c = p[i];
		size_t k;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			run++;
			i++;
			continue;
		}
		/* flush the plain run before this byte */
		memcpy(w->buf + w->len, s + i - run, run);
		w->len += run;
		run = 0;
		if (c == '"' || c == '\\') {
			w->buf[w->len++] = '\\';
			w->buf[w->len++] = c;
			i++;
		} else if (c < 0x20) {
			const char *esc = NULL;

			switch (c) {
			case '\n':
				esc = "\\n";
				break;
			case '\r':
				esc = "\\r";
				break;
			case '\t':
				esc = "\\t";
				break;
			case '\b':
				esc = "\\b";
				break;
			case '\f':
				esc = "\\f";
				break;
			}
			if (esc) {
				memcpy(w->buf + w->len, esc, 2);
				w->len += 2;
			} else {
				memcpy(w->buf + w->len, "\\u00", 4);
				w->buf[w->len + 4] = hex[c >> 4];
				w->buf[w->len + 5] = hex[c & 15];
				w->len += 6;
			}
			i++;
		} else if ((k = utf8_seq(p + i, n - i))) {
			memcpy(w->buf + w->len, s + i, k);
			w->len += k;
			i += k;
		} else {
			memcpy(w->buf + w->len, "\xef\xbf\xbd", 3); /* U+FFFD */
			w->len += 3;
			replaced = true;
			i++;
		}
	}
	memcpy(w->buf + w->len, s + i - run, run);
	w->len += run;
	w->buf[w->len++] = '"';
	return replaced;
}

void jw_cstring(struct json_writer *w, const char *s)
{
	if (s)
		jw_string(w, s, strlen(s));
	else
		jw_null(w);
}

void jw_long(struct json_writer *w, int64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRId64, v);

	value_begin(w);
	put(w, buf, n);
}

void jw_ulong(struct json_writer *w, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	value_begin(w);
	put(w, buf, n);
}

void jw_double(struct json_writer *w, double v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%.6g", v);

	value_begin(w);
	put(w, buf, n);
}

void jw_bool(struct json_writer *w, bool v)
{
	value_begin(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw_null(struct json_writer *w)
{
	value_begin(w);
	put(w, "null", 4);
}

void format_rfc3339_us(int64_t us, char *out, size_t size)
{
	int64_t sec = us / 1000000, frac = us % 1000000;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
}

int parse_rfc3339_us(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	int64_t frac = 0, offset = 0;
	struct tm tm = {0};
	const char *p;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
		return -EINVAL;
	p = s + n;
	if (*p == '.') {
		int digits = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 6)
				frac = frac * 10 + (*p - '0');
		if (!digits)
			return -EINVAL;
		for (; digits < 6; digits++)
			frac *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;

		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || strlen(p) != 6)
			return -EINVAL;
		offset = (int64_t)(oh * 3600 + om * 60) * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = ((int64_t)timegm(&tm) - offset) * 1000000 + frac;
	return 0;
}

void jw_time(struct json_writer *w, int64_t us)
{
	char buf[40];

	format_rfc3339_us(us, buf, sizeof(buf));
	jw_string(w, buf, strlen(buf));
}

void jw_base64(struct json_writer *w, const void *data, size_t n)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t i;

	value_begin(w);
	if (!reserve(w, (n + 2) / 3 * 4 + 2))
		return;
	w->buf[w->len++] = '"';
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];

		w->buf[w->len++] = tbl[v >> 18];
		w->buf[w->len++] = tbl[(v >> 12) & 63];
		w->buf[w->len++] = tbl[(v >> 6) & 63];
		w->buf[w->len++] = tbl[v & 63];
	}
	if (i < n) {
		uint32_t v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0);

		w->buf[w->len++] = tbl[v >> 18];
		w->buf[w->len++] = tbl[(v >> 12) & 63];
		w->buf[w->len++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		w->buf[w->len++] = '=';
	}
	w->buf[w->len++] = '"';
}

void jw_kv_str(struct json_writer *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_cstring(w, s);
}

void jw_kv_long(struct json_writer *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_long(w, v);
}

void jw_kv_ulong(struct json_writer *w, const char *key, uint64_t v)
{
	jw_key(w, key);
	jw_ulong(w, v);
}

void jw_kv_bool(struct json_writer *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_kv_time(struct json_writer *w, const char *key, int64_t us)
{
	jw_key(w, key);
	jw_time(w, us);
}

int jw_flush_line(struct json_writer *w, FILE *f)
{
	int err = 0;

	if (w->failed || w->depth != 0) {
		err = w->failed ? -ENOMEM : -E2BIG;
	} else {
		putc_(w, '\n');
		if (w->failed)
			err = -ENOMEM;
		else if (fwrite(w->buf, 1, w->len, f) != w->len)
			err = -EIO;
	}
	jw_reset(w);
	return err;
}
