/* SPDX-License-Identifier: MIT */
/*
 * The names DNS answers gave addresses, per network namespace: RemoteUrl of a
 * connection with no host name of its own is the name whose answer gave its
 * remote address most recently in its namespace, within the answer's TTL.
 * Bounded by entry count: when full, the entry used longest ago goes (LRU).
 * get and put take O(1) on average; the hash is seeded at random, since the
 * answers (and so the keys) come from whoever runs a DNS server.
 */
#ifndef RMMHUNT_NETWORK_NAMES_H
#define RMMHUNT_NETWORK_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "network/dns.h"

#define NAMES_MAX      65536	    /* a sensible bound for a host's answers */
#define NAMES_NAME_MAX DNS_NAME_MAX /* bytes of a name with its NUL */
#define NAMES_TTL0_US  1000000	    /* a TTL of 0 still names a connect right after */

struct names;

/* A map of at most @max_entries (1 to 1 << 24) addresses; NULL on error (errno). */
struct names *names__new(size_t max_entries);
void names__free(struct names *n); /* NULL is fine */

/*
 * @addr (16 bytes, IPv4 v4-mapped) in @netns was given by an answer for @name
 * (its DNS presentation form) valid @ttl_s seconds from @now_us (monotonic).
 * Replaces what that address had in @netns. A TTL of 0 keeps the entry
 * NAMES_TTL0_US; a TTL with its top bit set counts as 0 (RFC 2181 8). 0, or
 * -EINVAL for an empty name or one longer than NAMES_NAME_MAX - 1, -ENOMEM.
 */
int names__put(struct names *n, uint32_t netns, const unsigned char addr[16], const char *name,
	       uint32_t ttl_s, int64_t now_us);

/*
 * The name whose answer gave @addr most recently in @netns, still within its
 * TTL at @now_us; NULL when none. The string stays valid until the next call
 * on @n.
 */
const char *names__get(struct names *n, uint32_t netns, const unsigned char addr[16],
		       int64_t now_us);

size_t names__count(const struct names *n);

#endif
