/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer into one reused buffer: no allocation per record
 * once warm, and exact control over escaping.
 *
 * Strings are written as valid UTF-8 whatever their bytes: control characters
 * are escaped, and each byte that is not part of valid UTF-8 becomes U+FFFD.
 * jw__string() says when that happened, so the caller can keep the exact bytes
 * too (event_json.c puts them, base64, under "RawBase64"): nothing is lost and no
 * collector chokes on invalid UTF-8 or lone surrogates.
 */
#ifndef RMMHUNT_JSON_WRITER_H
#define RMMHUNT_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 16

struct json_writer {
	char *buf;
	size_t len;
	size_t cap;
	int depth;
	bool need_comma[JW_MAX_DEPTH];
	bool failed; /* out of memory or nesting too deep: the record is dropped */
};

void jw__init(struct json_writer *w);
void jw__free(struct json_writer *w);
void jw__reset(struct json_writer *w);

void jw__object_begin(struct json_writer *w);
void jw__object_end(struct json_writer *w);
void jw__array_begin(struct json_writer *w);
void jw__array_end(struct json_writer *w);
void jw__key(struct json_writer *w, const char *key);
/* jw__key() of @n bytes that need no escaping (a column name): copied as they are. */
void jw__key_plain(struct json_writer *w, const char *key, size_t n);

/* Returns true when invalid UTF-8 had to be replaced by U+FFFD. */
bool jw__string(struct json_writer *w, const char *s, size_t n);
void jw__cstring(struct json_writer *w, const char *s); /* NULL writes null */
void jw__long(struct json_writer *w, int64_t v);
void jw__ulong(struct json_writer *w, uint64_t v);
void jw__double(struct json_writer *w, double v);
void jw__bool(struct json_writer *w, bool v);
void jw__null(struct json_writer *w);
/* @s[0..@n) as it is: JSON text the caller vouches for. */
void jw__raw(struct json_writer *w, const char *s, size_t n);
/* RFC 3339 UTC with microseconds: "2026-11-28T06:32:01.123456Z". */
void jw__time(struct json_writer *w, int64_t us_since_epoch);
void jw__base64(struct json_writer *w, const void *data, size_t n);

/* Shorthands for "key": value. */
void jw__kv_str(struct json_writer *w, const char *key, const char *s);
void jw__kv_long(struct json_writer *w, const char *key, int64_t v);
void jw__kv_ulong(struct json_writer *w, const char *key, uint64_t v);
void jw__kv_bool(struct json_writer *w, const char *key, bool v);
void jw__kv_time(struct json_writer *w, const char *key, int64_t us_since_epoch);

/*
 * Writes the buffer plus '\n' to @f and resets the writer. The line is
 * appended to @f's buffer only when it fits whole: else what the buffer holds
 * is written first, so no write(2) on @f ever carries part of a line (a
 * collector reading a pipe never gets half one), and a line longer than the
 * whole buffer is one write of its own. Returns 0, -EIO, or -ENOMEM/-E2BIG
 * when the record had failed.
 */
int jw__flush_line(struct json_writer *w, FILE *f);

#endif
