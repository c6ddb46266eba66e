// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/timefmt.h"

#define RFC3339_US_LEN 27 /* 2026-01-02T03:04:05.123456Z */

/* @v (0 <= v < 10^n) as exactly @n digits. */
static void put_digits(char *out, int v, int n)
{
	while (n--) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void timefmt__format_rfc3339_us(int64_t us, char *out, size_t size)
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
	/* every record has three: by hand when the year has four digits, as snprintf would */
	if (size >= RFC3339_US_LEN + 1 && tm.tm_year + 1900 >= 0 && tm.tm_year + 1900 <= 9999) {
		put_digits(out, tm.tm_year + 1900, 4);
		out[4] = '-';
		put_digits(out + 5, tm.tm_mon + 1, 2);
		out[7] = '-';
		put_digits(out + 8, tm.tm_mday, 2);
		out[10] = 'T';
		put_digits(out + 11, tm.tm_hour, 2);
		out[13] = ':';
		put_digits(out + 14, tm.tm_min, 2);
		out[16] = ':';
		put_digits(out + 17, tm.tm_sec, 2);
		out[19] = '.';
		put_digits(out + 20, (int)frac, 6);
		out[26] = 'Z';
		out[27] = '\0';
		return;
	}
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
}

int timefmt__parse_rfc3339_us(const char *s, int64_t *out)
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
