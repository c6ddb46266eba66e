// SPDX-License-Identifier: MIT
/*
 * http__request_host() on arbitrary first bytes of a connection. Beyond not
 * crashing: a host given is a lower-case host name or a bracketed IPv6
 * literal, and a cut copy of the bytes gives the same host or -EMSGSIZE.
 * Sources: tests/fuzz/fuzz_http_host.c user/network/http.c user/network/hostname.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "network/http.h"

static void check_host(const char *s)
{
	size_t n = strnlen(s, HTTP_HOST_MAX);
	unsigned char a[16];
	char v6[HTTP_HOST_MAX];

	if (!n || n >= HTTP_HOST_MAX)
		abort();
	if (s[0] == '[') {
		if (s[n - 1] != ']' || n - 2 >= sizeof(v6))
			abort();
		memcpy(v6, s + 1, n - 2);
		v6[n - 2] = '\0';
		if (inet_pton(AF_INET6, v6, a) != 1)
			abort();
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("-_.", s[i])))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char whole[HTTP_HOST_MAX], cut[HTTP_HOST_MAX];
	int r, rc;

	r = http__request_host(data, size, whole, sizeof(whole));
	if (r != 0 && r != -ENOENT && r != -EINVAL && r != -EMSGSIZE)
		abort();
	if (r)
		return 0;
	check_host(whole);
	if (!size)
		abort();
	rc = http__request_host(data, data[size - 1] % size, cut, sizeof(cut));
	if (rc != -EMSGSIZE && (rc || strcmp(cut, whole)))
		abort();
	return 0;
}
