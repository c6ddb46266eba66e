// SPDX-License-Identifier: MIT
/*
 * http__request_host() on arbitrary first bytes of a connection, held to
 * first_bytes.h: a host given is a lower-case host name or a bracketed IPv6
 * literal, and a cut copy of the bytes gives the same host or -EMSGSIZE.
 * Sources: tests/fuzz/fuzz_http_host.c user/network/http.c user/network/hostname.c
 */
#include <arpa/inet.h>

#include "first_bytes.h"
#include "network/hostname.h"
#include "network/http.h"

static int valid(const char *s)
{
	size_t n = strnlen(s, HTTP_HOST_MAX);
	unsigned char a[16];
	char v6[HTTP_HOST_MAX];

	if (s[0] != '[')
		return first_bytes__host_ok(s, HOSTNAME_MAX);
	if (n < 2 || s[n - 1] != ']')
		return 0;
	memcpy(v6, s + 1, n - 2);
	v6[n - 2] = '\0';
	return inet_pton(AF_INET6, v6, a) == 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	first_bytes__check(http__request_host, data, size, HTTP_HOST_MAX, valid);
	return 0;
}
