// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>

#include "network/hostname.h"

static bool host_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int hostname__copy(const unsigned char *s, size_t n, char *out, size_t size)
{
	size_t label = 0;

	if (!n || n > HOSTNAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!label)
				return -EINVAL;
			label = 0;
		} else if (!host_char(s[i]) || ++label > 63) {
			return -EINVAL;
		}
	}
	if (!label)
		return -EINVAL;
	if (size <= n)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
	out[n] = '\0';
	return 0;
}
