// SPDX-License-Identifier: MIT
/*
 * tls__client_hello_sni() on arbitrary first bytes of a connection, held to
 * first_bytes.h: a name given is a lower-case ASCII host name, and a cut copy
 * of the bytes gives the same name or -EMSGSIZE.
 * Sources: tests/fuzz/fuzz_tls_sni.c user/network/tls.c user/network/hostname.c
 */
#include "first_bytes.h"
#include "network/hostname.h"
#include "network/tls.h"

static int valid(const char *s)
{
	return first_bytes__host_ok(s, HOSTNAME_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	first_bytes__check(tls__client_hello_sni, data, size, HOSTNAME_MAX + 1, valid);
	return 0;
}
