/* SPDX-License-Identifier: MIT */
/*
 * A streaming JSON writer into one reused buffer: no allocation per record
 * once warm, and exact control over escaping.
 *
 * Strings are written as valid UTF-8 whatever their bytes: control characters
 * are escaped, and each byte that is not part of valid UTF-8 becomes U+FFFD.
 * jw_string() says when that happened, so the caller can keep the exact bytes
 * too (output.c puts them, base64, under "RawBase64"): nothing is lost and no
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

void jw_init(struct json_writer *w);
void jw_free(struct json_writer *w);
void jw_reset(struct json_writer *w);

void jw_object_begin(struct json_writer *w);
void jw_object_end(struct json_writer *w);
void jw_array_begin(struct json_writer *w);
void jw_array_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);

/* Returns true when invalid UTF-8 had to be replaced by U+FFFD. */
bool jw_string(struct json_writer *w, const char *s, size_t n);
void jw_cstring(struct json_writer *w, const char *s); /* NULL writes null */
void jw_long(struct json_writer *w, int64_t v);
void jw_ulong(struct json_writer *w, uint64_t v);
void jw_double(struct json_writer *w, double v);
void jw_bool(struct json_writer *w, bool v);
void jw_null(struct json_writer *w);
/* RFC 3339 UTC with microseconds: "2026-11-28T06:32:01.123456Z". */
void jw_time(struct json_writer *w, int64_t us_since_epoch);
void jw_base64(struct json_writer *w, const void *data, size_t n);

/* Shorthands for "key": value. */
void jw_kv_str(struct json_writer *w, const char *key, const char *s);
void jw_kv_long(struct json_writer *w, const char *key, int64_t v);
void jw_kv_ulong(struct json_writer *w, const char *key, uint64_t v);
void jw_kv_bool(struct json_writer *w, const char *key, bool v);
void jw_kv_time(struct json_writer *w, const char *key, int64_t us_since_epoch);

/* Formats @us as RFC 3339 into @out (at least 32 bytes). */
void format_rfc3339_us(int64_t us_since_epoch, char *out, size_t size);
/* Parses what format_rfc3339_us writes (also without fraction, or with an offset). */
int parse_rfc3339_us(const char *s, int64_t *us_since_epoch);

/* True when @s[0..n) is valid UTF-8 (no surrogates, no overlongs). */
bool utf8_valid(const char *s, size_t n);

/*
 * Writes the buffer plus '\n' to @f in one fwrite and resets the writer.
 * Returns 0, -EIO, or -ENOMEM/-E2BIG when the record had failed.
 */
int jw_flush_line(struct json_writer *w, FILE *f);

#endif
