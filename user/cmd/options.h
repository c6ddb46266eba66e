/* SPDX-License-Identifier: MIT */
/* Parsing of option values shared by the subcommands. */
#ifndef RMMHUNT_OPTIONS_H
#define RMMHUNT_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

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

#endif
