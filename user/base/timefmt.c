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

/*
 * The proleptic Gregorian date of day @days since 1970-01-01 (H. Hinnant's
 * days_from_civil inverted): what gmtime gives, without its time zone lock
 * and state, three times per record.
 */
static void civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int timefmt__format_rfc3339_us(int64_t us, char *out, size_t size)
{
	int64_t sec = us / 1000000, frac = us % 1000000, days, y;
	int tod, m, d;
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	days = sec / 86400;
	tod = (int)(sec % 86400);
	if (tod < 0) {
		tod += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	/* by hand when the year has four digits, as snprintf would write it */
	if (size >= RFC3339_US_LEN + 1 && y >= 0 && y <= 9999) {
		put_digits(out, (int)y, 4);
		out[4] = '-';
		put_digits(out + 5, m, 2);
		out[7] = '-';
		put_digits(out + 8, d, 2);
		out[10] = 'T';
		put_digits(out + 11, tod / 3600, 2);
		out[13] = ':';
		put_digits(out + 14, tod / 60 % 60, 2);
		out[16] = ':';
		put_digits(out + 17, tod % 60, 2);
		out[19] = '.';
		put_digits(out + 20, (int)frac, 6);
		out[26] = 'Z';
		out[27] = '\0';
		return RFC3339_US_LEN;
	}
	t = (time_t)sec;
	gmtime_r(&t, &tm);
	return snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
			tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
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
