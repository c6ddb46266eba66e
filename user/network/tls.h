/* SPDX-License-Identifier: MIT */
/*
 * The server name (SNI, RFC 6066) of the TLS ClientHello a connection starts
 * with, read from the first bytes the client sent, which the client chose.
 */
#ifndef RMMHUNT_NETWORK_TLS_H
#define RMMHUNT_NETWORK_TLS_H

#include <stddef.h>

/*
 * The first host_name of the server_name extension of the ClientHello in
 * @p[0..len), lower-cased into @out: 0, or -ENOENT when the bytes are a
 * ClientHello without SNI or no TLS handshake at all, -EMSGSIZE when they end
 * before the name does, -EINVAL for a malformed ClientHello or a name that is
 * not a DNS host name in ASCII (network/hostname.h), -ENOSPC when @size cannot
 * hold the name (HOSTNAME_MAX + 1 always can). The handshake may be split
 * over several records; every length is checked against the one holding it.
 */
int tls__client_hello_sni(const unsigned char *p, size_t len, char *out, size_t size);

#endif
