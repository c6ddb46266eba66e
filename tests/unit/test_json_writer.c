// SPDX-License-Identifier: MIT
/* json_writer: escaping, UTF-8 repair, numbers, times. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/json_writer.h"
#include "base/timefmt.h"
#include "base/utf8.h"

/* Writes one string value and returns the JSON text (static buffer). */
static const char *as_json(const char *s, size_t n, bool *repaired)
{
	static char out[1024];
	struct json_writer w;
	bool r;

	jw__init(&w);
	r = jw__string(&w, s, n);
	if (repaired)
		*repaired = r;
	memcpy(out, w.buf, w.len);
	out[w.len] = '\0';
	jw__free(&w);
	return out;
}

static void string__quotes_backslashes_controls__escaped(void **state)
{
	bool rep;

	assert_string_equal(as_json("a\"b\\c", 5, &rep), "\"a\\\"b\\\\c\"");
	assert_false(rep);
	assert_string_equal(as_json("\n\r\t\b\f", 5, NULL), "\"\\n\\r\\t\\b\\f\"");
	assert_string_equal(as_json("\x01\x1f", 2, NULL), "\"\\u0001\\u001f\"");
}

/* The JSON text of the single byte @c amid plain ASCII. */
static void escape_of(unsigned char c, char *out)
{
	static const char *const named[32] = {
	    ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t", ['\b'] = "\\b", ['\f'] = "\\f"};

	if (c == '"' || c == '\\')
		sprintf(out, "\\%c", c);
	else if (c < 0x20 && named[c])
		strcpy(out, named[c]);
	else if (c < 0x20)
		sprintf(out, "\\u%04x", c);
	else if (c < 0x80)
		sprintf(out, "%c", c);
	else
		strcpy(out, "\xef\xbf\xbd"); /* a lone byte over 0x7f is no UTF-8 */
}

/* Every byte value at every offset of a word-wide scan (plain8) and its tail. */
static void string__any_byte_at_any_offset__escaped_as_alone(void **state)
{
	char in[24], want[64], esc[8];

	for (unsigned int c = 0; c < 256; c++) {
		escape_of((unsigned char)c, esc);
		for (size_t at = 0; at < sizeof(in); at++) {
			memset(in, 'a', sizeof(in));
			in[at] = (char)c;
			snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at, in, esc,
				 (int)(sizeof(in) - at - 1), in + at + 1);
			assert_string_equal(as_json(in, sizeof(in), NULL), want);
		}
	}
}

static void string__forged_record__stays_inside_the_string(void **state)
{
	const char *evil = "x\"}\n{\"RecordType\":\"Alert\"";

	assert_string_equal(as_json(evil, strlen(evil), NULL),
			    "\"x\\\"}\\n{\\\"RecordType\\\":\\\"Alert\\\"\"");
}

static void string__valid_utf8__kept(void **state)
{
	bool rep;

	assert_string_equal(as_json("ünï €𝄞", strlen("ünï €𝄞"), &rep), "\"ünï €𝄞\"");
	assert_false(rep);
}

static void string__invalid_utf8__replaced_and_reported(void **state)
{
	struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
	    {"\xff", 1, "\"\xef\xbf\xbd\""},
	    {"a\xc3", 2, "\"a\xef\xbf\xbd\""},		     /* truncated sequence */
	    {"\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\""}, /* overlong */
	    {"\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* surrogate */
	    {"\xf4\x90\x80\x80", 4,
	     "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* > U+10FFFF */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool rep;

		assert_string_equal(as_json(cases[i].in, cases[i].n, &rep), cases[i].want);
		assert_true(rep);
	}
	assert_false(utf8__valid("\xff", 1));
	assert_true(utf8__valid("\xe2\x82\xac", 3));
}

static void object__commas_and_nesting(void **state)
{
	struct json_writer w;

	jw__init(&w);
	jw__object_begin(&w);
	jw__kv_str(&w, "a", "x");
	jw__kv_long(&w, "b", -5);
	jw__key(&w, "c");
	jw__array_begin(&w);
	jw__long(&w, 1);
	jw__bool(&w, true);
	jw__null(&w);
	jw__array_end(&w);
	jw__kv_str(&w, "d", NULL);
	jw__object_end(&w);
	assert_int_equal(w.depth, 0);
	assert_memory_equal(w.buf, "{\"a\":\"x\",\"b\":-5,\"c\":[1,true,null],\"d\":null}", w.len);
	jw__free(&w);
}

static void key_plain__same_text_as_key(void **state)
{
	struct json_writer a, b;

	jw__init(&a);
	jw__init(&b);
	jw__object_begin(&a);
	jw__object_begin(&b);
	jw__key(&a, "FolderPath");
	jw__key_plain(&b, "FolderPath", 10);
	jw__long(&a, 1);
	jw__long(&b, 1);
	jw__key(&a, "X");
	jw__key_plain(&b, "X", 1);
	jw__null(&a);
	jw__null(&b);
	jw__object_end(&a);
	jw__object_end(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, "{\"FolderPath\":1,\"X\":null}", a.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	jw__free(&a);
	jw__free(&b);
}

static void numbers__extremes__decimal_as_printf(void **state)
{
	struct json_writer w;
	const char *want = "[0,-1,9223372036854775807,-9223372036854775808,18446744073709551615,"
			   "1000000007]";

	jw__init(&w);
	jw__array_begin(&w);
	jw__long(&w, 0);
	jw__long(&w, -1);
	jw__long(&w, INT64_MAX);
	jw__long(&w, INT64_MIN);
	jw__ulong(&w, UINT64_MAX);
	jw__ulong(&w, 1000000007);
	jw__array_end(&w);
	assert_int_equal(w.len, strlen(want));
	assert_memory_equal(w.buf, want, w.len);
	jw__free(&w);
}

static void base64__padding(void **state)
{
	struct json_writer w;

	jw__init(&w);
	jw__base64(&w, "\xff\x00", 2);
	jw__base64(&w, "abc", 3);
	jw__base64(&w, "a", 1);
	assert_memory_equal(w.buf, "\"/wA=\",\"YWJj\",\"YQ==\"", w.len);
	jw__free(&w);
}

static void time__rfc3339_microseconds__round_trip(void **state)
{
	int64_t us[] = {0, 1795848364344391LL, -1, 951782400000001LL /* 2000-02-29 */};
	const char *want[] = {"1970-01-01T00:00:00.000000Z", "2026-11-28T06:46:04.344391Z",
			      "1969-12-31T23:59:59.999999Z", "2000-02-29T00:00:00.000001Z"};

	for (size_t i = 0; i < 4; i++) {
		char buf[40];
		int64_t back;

		timefmt__format_rfc3339_us(us[i], buf, sizeof(buf));
		assert_string_equal(buf, want[i]);
		assert_int_equal(timefmt__parse_rfc3339_us(buf, &back), 0);
		assert_int_equal(back, us[i]);
	}
}

static void time__years_past_9999_and_before_0__as_printf(void **state)
{
	char buf[40];

	/* 10000-01-01T00:00:00Z: five digits, written the slow way */
	timefmt__format_rfc3339_us(253402300800000000LL, buf, sizeof(buf));
	assert_string_equal(buf, "10000-01-01T00:00:00.000000Z");
	timefmt__format_rfc3339_us(253402300799999999LL, buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59.999999Z");
	/* too small a buffer: cut as snprintf cuts */
	timefmt__format_rfc3339_us(0, buf, 11);
	assert_string_equal(buf, "1970-01-01");
}

/* The arithmetic date is gmtime's: every day from 0000 to 9999, and times around midnight. */
static void time__every_day_of_four_digit_years__as_gmtime(void **state)
{
	const int64_t first = -62167219200LL, last = 253402300799LL; /* 0000-01-01, 9999-12-31 */

	for (int64_t sec = first; sec <= last; sec += 86400 - 7) {
		char got[40], want[64];
		time_t t = (time_t)sec;
		struct tm tm;

		gmtime_r(&t, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, 123);
		assert_int_equal(timefmt__format_rfc3339_us(sec * 1000000 + 123, got, sizeof(got)),
				 27);
		assert_string_equal(got, want);
	}
}

static void time__written_as_json__quoted_with_length(void **state)
{
	struct json_writer w;

	jw__init(&w);
	jw__array_begin(&w);
	jw__time(&w, 1795848364344391LL);
	jw__time(&w, 253402300800000000LL);
	jw__array_end(&w);
	assert_int_equal(
	    w.len,
	    sizeof("[\"2026-11-28T06:46:04.344391Z\",\"10000-01-01T00:00:00.000000Z\"]") - 1);
	assert_memory_equal(
	    w.buf, "[\"2026-11-28T06:46:04.344391Z\",\"10000-01-01T00:00:00.000000Z\"]", w.len);
	jw__free(&w);
}

static void time__parse_variants_and_garbage(void **state)
{
	int64_t us;

	assert_int_equal(timefmt__parse_rfc3339_us("2026-11-28T06:46:04Z", &us), 0);
	assert_int_equal(us, 1795848364000000LL);
	assert_int_equal(timefmt__parse_rfc3339_us("2026-11-28T07:46:04.5+01:00", &us), 0);
	assert_int_equal(us, 1795848364500000LL);
	assert_int_equal(timefmt__parse_rfc3339_us("2026-11-28 06:46:04Z", &us), -EINVAL);
	assert_int_equal(timefmt__parse_rfc3339_us("2026-13-28T06:46:04Z", &us), -EINVAL);
	assert_int_equal(timefmt__parse_rfc3339_us("2026-11-28T06:46:04.Z", &us), -EINVAL);
	assert_int_equal(timefmt__parse_rfc3339_us("2026-11-28T06:46:04", &us), -EINVAL);
}

static void flush__unbalanced_record__refused(void **state)
{
	struct json_writer w;
	FILE *f = fopen("/dev/null", "w");

	jw__init(&w);
	jw__object_begin(&w);
	assert_int_equal(jw__flush_line(&w, f), -E2BIG);
	assert_int_equal(w.len, 0);
	jw__free(&w);
	fclose(f);
}

/* Takes each write(2) made so far (one datagram each): every one must end a line. */
static size_t drain_whole_lines(int fd)
{
	char got[4096];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, got, sizeof(got), 0)) > 0) {
		assert_int_equal(got[n - 1], '\n');
		total += n;
	}
	return total;
}

static void flush__lines_never_cut_across_writes(void **state)
{
	static char buf[64]; /* smaller than some lines */
	size_t written = 0, seen = 0;
	struct json_writer w;
	char line[200];
	int p[2];
	FILE *f;

	/* message boundaries kept: what one write(2) carried is what one recv(2) gets */
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, p),
			 0);
	f = fdopen(p[1], "w");
	assert_non_null(f);
	assert_int_equal(setvbuf(f, buf, _IOFBF, sizeof(buf)), 0);
	jw__init(&w);
	for (int i = 0; i < 40; i++) {
		size_t n = (size_t)i * 37 % 150;

		memset(line, 'a' + i % 26, n);
		jw__string(&w, line, n);
		assert_int_equal(jw__flush_line(&w, f), 0);
		written += n + 3; /* the quotes and the newline */
		seen += drain_whole_lines(p[0]);
	}
	assert_int_equal(fflush(f), 0);
	seen += drain_whole_lines(p[0]);
	assert_int_equal(seen, written);
	jw__free(&w);
	fclose(f);
	close(p[0]);
}

/* A memory stream has no file descriptor: a line longer than its buffer is written whole. */
static void flush__long_line_to_memory_stream__whole(void **state)
{
	static char line[64 * 1024];
	struct json_writer w;
	size_t len = 0;
	char *mem = NULL;
	FILE *f = open_memstream(&mem, &len);

	assert_non_null(f);
	memset(line, 'x', sizeof(line));
	jw__init(&w);
	jw__string(&w, "short", 5);
	assert_int_equal(jw__flush_line(&w, f), 0);
	jw__string(&w, line, sizeof(line));
	assert_int_equal(jw__flush_line(&w, f), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(len, 8 + sizeof(line) + 3);
	assert_memory_equal(mem, "\"short\"\n\"xxx", 11);
	assert_memory_equal(mem + len - 3, "x\"\n", 3);
	jw__free(&w);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(string__quotes_backslashes_controls__escaped),
	    cmocka_unit_test(string__any_byte_at_any_offset__escaped_as_alone),
	    cmocka_unit_test(string__forged_record__stays_inside_the_string),
	    cmocka_unit_test(string__valid_utf8__kept),
	    cmocka_unit_test(string__invalid_utf8__replaced_and_reported),
	    cmocka_unit_test(object__commas_and_nesting),
	    cmocka_unit_test(key_plain__same_text_as_key),
	    cmocka_unit_test(numbers__extremes__decimal_as_printf),
	    cmocka_unit_test(base64__padding),
	    cmocka_unit_test(time__rfc3339_microseconds__round_trip),
	    cmocka_unit_test(time__years_past_9999_and_before_0__as_printf),
	    cmocka_unit_test(time__every_day_of_four_digit_years__as_gmtime),
	    cmocka_unit_test(time__written_as_json__quoted_with_length),
	    cmocka_unit_test(time__parse_variants_and_garbage),
	    cmocka_unit_test(flush__unbalanced_record__refused),
	    cmocka_unit_test(flush__lines_never_cut_across_writes),
	    cmocka_unit_test(flush__long_line_to_memory_stream__whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
