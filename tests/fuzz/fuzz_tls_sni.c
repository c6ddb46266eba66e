// SPDX-License-Identifier: MIT
/*
 * tls__client_hello_sni() on arbitrary first bytes of a connection. Beyond
 * not crashing: a name given is a lower-case ASCII host name, and a cut copy
 * of the bytes gives the same name or -EMSGSIZE, never another name.
 * Sources: tests/fuzz/fuzz_tls_sni.c user/network/tls.c user/network/hostname.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "network/hostname.h"
#include "network/tls.h"

static void check_host(const char *s)
{
	size_t n = strnlen(s, HOSTNAME_MAX + 1);

	if (!n || n > HOSTNAME_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("-_.", s[i])))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char whole[HOSTNAME_MAX + 1], cut[HOSTNAME_MAX + 1];
	int r, rc;

	r = tls__client_hello_sni(data, size, whole, sizeof(whole));
	if (r != 0 && r != -ENOENT && r != -EINVAL && r != -EMSGSIZE)
		abort();
	if (r)
		return 0;
	check_host(whole);
	if (!size)
		abort();
	rc = tls__client_hello_sni(data, data[size - 1] % size, cut, sizeof(cut));
	if (rc != -EMSGSIZE && (rc || strcmp(cut, whole)))
		abort();
	return 0;
}
