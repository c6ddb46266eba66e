// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json_writer.h"
#include "base/timefmt.h"
#include "base/utf8.h"

void jw__init(struct json_writer *w)
{
	memset(w, 0, sizeof(*w));
}

void jw__free(struct json_writer *w)
{
	free(w->buf);
	jw__init(w);
}

void jw__reset(struct json_writer *w)
{
	w->len = 0;
	w->depth = 0;
	w->failed = false;
	w->need_comma[0] = false;
}

static bool grow(struct json_writer *w, size_t n)
{
	size_t cap;
	char *p;

	if (w->failed)
		return false;
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

/* Room for @n more bytes. Inline: every value of every record asks, and once warm there is. */
static inline bool reserve(struct json_writer *w, size_t n)
{
	if (__builtin_expect(w->len + n <= w->cap && !w->failed, 1))
		return true;
	return grow(w, n);
}

static inline void put(struct json_writer *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static inline void putc_(struct json_writer *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
}

/* Separates values: a comma unless this is the first in its container. */
static inline void value_begin(struct json_writer *w)
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

void jw__object_begin(struct json_writer *w)
{
	open(w, '{');
}

void jw__object_end(struct json_writer *w)
{
	close_(w, '}');
}

void jw__array_begin(struct json_writer *w)
{
	open(w, '[');
}

void jw__array_end(struct json_writer *w)
{
	close_(w, ']');
}

void jw__key(struct json_writer *w, const char *key)
{
	jw__string(w, key, strlen(key));
	putc_(w, ':');
	/* the value after a key needs no comma */
	w->need_comma[w->depth] = false;
}

void jw__key_plain(struct json_writer *w, const char *key, size_t n)
{
	value_begin(w);
	if (!reserve(w, n + 3))
		return;
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, key, n);
	w->len += n;
	w->buf[w->len++] = '"';
	w->buf[w->len++] = ':';
	w->need_comma[w->depth] = false;
}

/*
 * Do the 8 bytes at @p need no escape and no UTF-8 check? (no byte under
 * 0x20 or over 0x7f, no '"', no '\\'). Word-wide: most of a record is
 * plain ASCII. A byte-wise test may see a false match only above a true one.
 */
static inline bool plain8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	uint64_t v, q, b;

	memcpy(&v, p, sizeof(v));
	q = v ^ (ones * '"');
	b = v ^ (ones * '\\');
	return !((v | ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs);
}

bool jw__string(struct json_writer *w, const char *s, size_t n)
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
		unsigned char c;
		size_t k;

		if (n - i >= 8 && plain8(p + i)) {
			run += 8;
			i += 8;
			continue;
		}
		c = p[i];
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
		} else if ((k = utf8__seq_len(p + i, n - i))) {
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

void jw__cstring(struct json_writer *w, const char *s)
{
	if (s)
		jw__string(w, s, strlen(s));
	else
		jw__null(w);
}

/* The decimal digits of @v, ending at @end: where they begin (an event has ~20 numbers). */
static char *format_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void jw__long(struct json_writer *w, int64_t v)
{
	char buf[24], *end = buf + sizeof(buf);
	char *p = format_u64(end, v < 0 ? -(uint64_t)v : (uint64_t)v);

	if (v < 0)
		*--p = '-';
	value_begin(w);
	put(w, p, end - p);
}

void jw__ulong(struct json_writer *w, uint64_t v)
{
	char buf[24], *end = buf + sizeof(buf);
	char *p = format_u64(end, v);

	value_begin(w);
	put(w, p, end - p);
}

void jw__double(struct json_writer *w, double v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%.6g", v);

	value_begin(w);
	put(w, buf, n);
}

void jw__bool(struct json_writer *w, bool v)
{
	value_begin(w);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void jw__null(struct json_writer *w)
{
	value_begin(w);
	put(w, "null", 4);
}

void jw__raw(struct json_writer *w, const char *s, size_t n)
{
	value_begin(w);
	put(w, s, n);
}

void jw__time(struct json_writer *w, int64_t us)
{
	char buf[40];
	int n = timefmt__format_rfc3339_us(us, buf, sizeof(buf));

	/* digits, '-', ':', '.', 'T', 'Z': nothing to escape or check */
	value_begin(w);
	if (!reserve(w, (size_t)n + 2))
		return;
	w->buf[w->len++] = '"';
	memcpy(w->buf + w->len, buf, n);
	w->len += n;
	w->buf[w->len++] = '"';
}

void jw__base64(struct json_writer *w, const void *data, size_t n)
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

void jw__kv_str(struct json_writer *w, const char *key, const char *s)
{
	jw__key(w, key);
	jw__cstring(w, s);
}

void jw__kv_long(struct json_writer *w, const char *key, int64_t v)
{
	jw__key(w, key);
	jw__long(w, v);
}

void jw__kv_ulong(struct json_writer *w, const char *key, uint64_t v)
{
	jw__key(w, key);
	jw__ulong(w, v);
}

void jw__kv_bool(struct json_writer *w, const char *key, bool v)
{
	jw__key(w, key);
	jw__bool(w, v);
}

void jw__kv_time(struct json_writer *w, const char *key, int64_t us)
{
	jw__key(w, key);
	jw__time(w, us);
}

/* @len bytes to @f, never split across two write(2)s unless one is cut short. */
static int put_line(FILE *f, const char *buf, size_t len)
{
	size_t size = __fbufsize(f);

	/* no buffer yet (nothing written) or an unbuffered stream: start clean */
	if ((!size || __fpending(f) + len > size) && fflush(f))
		return -EIO;
	if (size && len <= size)
		return fwrite(buf, 1, len, f) == len ? 0 : -EIO;
	/* a stream with no file (open_memstream): stdio cuts nothing */
	if (fileno(f) < 0)
		return fwrite(buf, 1, len, f) == len ? 0 : -EIO;
	/* the buffer is empty and too small for the line: stdio would cut it */
	while (len) {
		ssize_t n = write(fileno(f), buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

int jw__flush_line(struct json_writer *w, FILE *f)
{
	int err = 0;

	if (w->failed || w->depth != 0) {
		err = w->failed ? -ENOMEM : -E2BIG;
	} else {
		putc_(w, '\n');
		if (w->failed)
			err = -ENOMEM;
		else
			err = put_line(f, w->buf, w->len);
	}
	jw__reset(w);
	return err;
}
