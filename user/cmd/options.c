// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdbool.h>
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

int options__parse_cidr(const char *s, struct net_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned char addr[16] = {0};
	unsigned long len, max;
	bool v4 = true;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, addr + 12) == 1) {
		addr[10] = addr[11] = 0xff;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		v4 = false;
	} else {
		return -EINVAL;
	}
	max = v4 ? 32 : 128;
	len = max;
	if (slash) {
		/* digits only: strtoul() takes signs and blanks */
		if (!slash[1] || strspn(slash + 1, "0123456789") != strlen(slash + 1))
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || len > max)
			return -EINVAL;
	}
	out->prefixlen = v4 ? len + 96 : len;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = out->prefixlen > i * 8 ? out->prefixlen - i * 8 : 0;

		out->addr[i] = keep >= 8 ? addr[i] : addr[i] & (unsigned char)(0xff00 >> keep);
	}
	return 0;
}
