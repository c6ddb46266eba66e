/* SPDX-License-Identifier: MIT */
/*
 * The host an HTTP/1.x request names, read from the first bytes a connection
 * sent, which the client chose (RFC 9112).
 */
#ifndef RMMHUNT_NETWORK_HTTP_H
#define RMMHUNT_NETWORK_HTTP_H

#include <stddef.h>

#define HTTP_HOST_MAX 256 /* a host name (network/hostname.h) or "[IPv6]", with its NUL */

/*
 * The host of the request in @p[0..len): "METHOD SP target SP HTTP/1.x CRLF"
 * (METHOD upper-case letters; a bare LF ends a line too), header lines up to
 * the blank line or the end of the bytes. The host, lower-cased and without
 * its port, comes from the target when it has one, as a server takes it (RFC
 * 9112 3.2.2): an absolute-form "scheme://host[:port]/...", or CONNECT's
 * "host:port"; otherwise from the Host header (any case, optional white
 * space). A name is a DNS host name (network/hostname.h, one trailing dot
 * dropped), an IPv6 literal keeps its brackets.
 *
 * 0 and the host in @out; -ENOENT: not an HTTP/1.x request, or one without a
 * host; -EMSGSIZE: the bytes end before the host does; -EINVAL: a malformed
 * request or host (control bytes, spaces, userinfo, two Host headers, a
 * folded header line); -ENOSPC: @size cannot hold the host (HTTP_HOST_MAX can).
 */
int http__request_host(const unsigned char *p, size_t len, char *out, size_t size);

#endif
