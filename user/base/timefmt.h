/* SPDX-License-Identifier: MIT */
/* RFC 3339 time stamps, the form of every time in rmmhunt's records and state. */
#ifndef RMMHUNT_TIMEFMT_H
#define RMMHUNT_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Formats @us as RFC 3339 UTC with microseconds into @out (at least 32 bytes).
 * Returns the text's length, as snprintf does.
 */
int timefmt__format_rfc3339_us(int64_t us_since_epoch, char *out, size_t size);
/* Parses what timefmt__format_rfc3339_us writes (also without fraction, or with an offset). */
int timefmt__parse_rfc3339_us(const char *s, int64_t *us_since_epoch);

#endif
