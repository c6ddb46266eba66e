/* SPDX-License-Identifier: MIT */
/*
 * A host name a client put in its own bytes (a TLS server_name, an HTTP Host):
 * accepted only as a DNS host name in ASCII, so whatever a hostile client
 * sends, RemoteUrl holds either a plain name or nothing.
 */
#ifndef RMMHUNT_NETWORK_HOSTNAME_H
#define RMMHUNT_NETWORK_HOSTNAME_H

#include <stddef.h>

#define HOSTNAME_MAX 253 /* characters of a host name without its trailing dot */

/*
 * Copies the host name @s[0..n) to @out lower-cased and NUL-terminated: 0, or
 * -EINVAL when it is not letters, digits, '-', '_' and '.' in labels of 1 to
 * 63 characters, at most HOSTNAME_MAX in all (no empty label, no trailing dot),
 * -ENOSPC when @size cannot hold it.
 */
int hostname__copy(const unsigned char *s, size_t n, char *out, size_t size);

#endif
