/* SPDX-License-Identifier: MIT */
/* Parsing of option values shared by the subcommands. */
#ifndef RMMHUNT_OPTIONS_H
#define RMMHUNT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

/*
 * "5d", "12h", "30m", "90s", "500ms", "10us": a positive duration in
 * microseconds. 0, -EINVAL (not such a duration), or -ERANGE (over int64_t).
 */
int options__parse_duration_us(const char *s, int64_t *us);
/*
 * "16M", "4096", "1G": bytes (K, M, G: powers of 1024), from @min to @max.
 * 0, -EINVAL (not a size, or out of bounds), or -ERANGE (over 64 bits).
 */
int options__parse_size(const char *s, size_t min, size_t max, size_t *out);
/*
 * "10.0.0.0/8", "127.77.0.0/16", "fd00::/8", "192.0.2.1" (a host): a range
 * as the kernel's exclude trie keys it, IPv4 v4-mapped with its prefix
 * length + 96. Bits past the prefix are cleared. 0, or -EINVAL.
 */
int options__parse_cidr(const char *s, struct net_prefix *out);

#endif
