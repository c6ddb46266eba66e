/* SPDX-License-Identifier: MIT */
/*
 * What the parsers of a connection's first bytes (TLS SNI, HTTP Host) must
 * hold beyond not crashing, shared by their fuzz targets: a known result or
 * error, a host name (or what @valid accepts) when one is given, and a cut
 * copy of the bytes gives the same name or -EMSGSIZE, never another name.
 */
#ifndef RMMHUNT_FUZZ_FIRST_BYTES_H
#define RMMHUNT_FUZZ_FIRST_BYTES_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int (*first_bytes_parse)(const unsigned char *p, size_t len, char *out, size_t size);

/* A lower-case ASCII host name of 1..max characters. */
static inline int first_bytes__host_ok(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (!n || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("-_.", s[i])))
			return 0;
	return 1;
}

/* @size bytes of output room, at most 512 (the first bytes the kernel keeps) */
static inline void first_bytes__check(first_bytes_parse parse, const uint8_t *data, size_t len,
				      size_t size, int (*valid)(const char *))
{
	char whole[512], cut[512];
	int r, rc;

	if (size > sizeof(whole))
		abort();
	r = parse(data, len, whole, size);
	if (r != 0 && r != -ENOENT && r != -EINVAL && r != -EMSGSIZE)
		abort();
	if (r)
		return;
	if (!valid(whole) || !len)
		abort();
	rc = parse(data, data[len - 1] % len, cut, size);
	if (rc != -EMSGSIZE && (rc || strcmp(cut, whole)))
		abort();
}

#endif
