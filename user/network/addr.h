/* SPDX-License-Identifier: MIT */
/*
 * Addresses as the network records carry them: 16 bytes, IPv6 or IPv4 as
 * v4-mapped IPv6 (::ffff:a.b.c.d, include/events.h).
 */
#ifndef RMMHUNT_NETWORK_ADDR_H
#define RMMHUNT_NETWORK_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define ADDR_STR_MAX 46 /* INET6_ADDRSTRLEN */

/* True when @addr is v4-mapped (::ffff:0:0/96); its IPv4 address is bytes 12..15. */
bool addr__is_v4(const unsigned char addr[16]);

/*
 * @addr as Defender prints RemoteIP: dotted IPv4 for a v4-mapped address,
 * otherwise IPv6 in RFC 5952's form (lower case, longest zero run as "::").
 * 0, or -ENOSPC when @size is below what it needs (ADDR_STR_MAX always is).
 */
int addr__format(const unsigned char addr[16], char *out, size_t size);

/* @s, dotted IPv4 (stored v4-mapped) or IPv6 text, into @addr: 0 or -EINVAL. */
int addr__parse(const char *s, unsigned char addr[16]);

#endif
