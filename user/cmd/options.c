// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
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
	unsigned shift = 0;
	char *end;

	/* strtoull() takes a minus and wraps around: "-1" would be the largest size */
	if (strchr(s, '-'))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10, end++;
		break;
	case 'M':
	case 'm':
		shift = 20, end++;
		break;
	case 'G':
	case 'g':
		shift = 30, end++;
		break;
	}
	if (*end)
		return -EINVAL;
	if (v > ULLONG_MAX >> shift)
		return -ERANGE;
	v <<= shift;
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
