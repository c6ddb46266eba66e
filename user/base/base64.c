// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/base64.h"

static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64__encode(const void *src, size_t n, char *out)
{
	const unsigned char *p = src;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | p[i + 1] << 8 | p[i + 2];

		*out++ = tbl[v >> 18];
		*out++ = tbl[(v >> 12) & 63];
		*out++ = tbl[(v >> 6) & 63];
		*out++ = tbl[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0);

		*out++ = tbl[v >> 18];
		*out++ = tbl[(v >> 12) & 63];
		*out++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

long base64__decode(const char *src, size_t n, unsigned char *out)
{
	long len = 0;

	if (n % 4)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 4) {
		bool last = i + 4 == n;
		int a = base64__digit(src[i]), b = base64__digit(src[i + 1]);
		int c = base64__digit(src[i + 2]), d = base64__digit(src[i + 3]);

		if (a < 0 || b < 0)
			return -EINVAL;
		out[len++] = a << 2 | b >> 4;
		if (c < 0) {
			/* "xx==" only at the very end */
			if (!last || src[i + 2] != '=' || src[i + 3] != '=')
				return -EINVAL;
			break;
		}
		out[len++] = (b & 15) << 4 | c >> 2;
		if (d < 0) {
			if (!last || src[i + 3] != '=')
				return -EINVAL;
			break;
		}
		out[len++] = (c & 3) << 6 | d;
	}
	return len;
}
