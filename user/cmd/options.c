// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/options.h"

/* "5d", "12h", "30m", "90s", "500ms", "10us": a positive duration in microseconds. */
int options__parse_duration_us(const char *s, int64_t *us)
{
	static const struct {
		const char *unit;
		int64_t us;
	} units[] = {
	    {"d", 86400000000LL}, {"h", 3600000000LL}, {"m", 60000000LL},
	    {"s", 1000000LL},	  {"ms", 1000LL},      {"us", 1LL},
	};
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s || n <= 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (n > INT64_MAX / units[i].us)
			return -ERANGE;
		*us = n * units[i].us;
		return 0;
	}
	return -EINVAL;
}

int options__parse_size(const char *s, size_t min, size_t max, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		v <<= 10, end++;
		break;
	case 'M':
	case 'm':
		v <<= 20, end++;
		break;
	case 'G':
	case 'g':
		v <<= 30, end++;
		break;
	}
	if (*end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
