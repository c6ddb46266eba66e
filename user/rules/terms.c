// SPDX-License-Identifier: MIT
/*
 * Kusto's string operators, byte for byte.
 *
 * Case-insensitive means ASCII case folding only: bytes >= 0x80 (UTF-8) are
 * compared as they are, so "Krämer" matches "KRäMER" but not "KRÄMER".
 *
 * `has` matches whole terms. A term is a maximal run of term characters:
 * ASCII letters and digits, and every byte >= 0x80 so that a UTF-8 letter
 * never splits a word (Kusto's index treats non-ASCII letters as part of
 * terms too). `_` and all other ASCII punctuation separate terms. A needle
 * matches where it occurs as a case-insensitive substring that starts and
 * ends on a term boundary: "Not Atera Networks Inc" has "Atera Networks",
 * "AteraNetworks Ltd" has not, and a phrase needs its separators as written.
 * The empty needle matches everything (as contains "" does).
 */
#include <string.h>

#include "kql.h"

static inline unsigned char fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

bool kql__is_term_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

void kql__ascii_lower(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s[i] = fold(s[i]);
}

/* @needle is already lowercased when !cs. */
static inline bool match_at(const char *h, const char *needle, size_t nn, bool cs)
{
	if (cs)
		return memcmp(h, needle, nn) == 0;
	for (size_t i = 0; i < nn; i++)
		if (fold(h[i]) != (unsigned char)needle[i])
			return false;
	return true;
}

/* True when no term runs across position @pos of @h. */
static inline bool boundary(const char *h, size_t hn, size_t pos)
{
	return pos == 0 || pos == hn || !kql__is_term_char(h[pos - 1]) ||
	       !kql__is_term_char(h[pos]);
}

bool kql__has(const char *h, size_t hn, const char *needle, size_t nn, bool cs)
{
	if (nn == 0)
		return true;
	if (nn > hn)
		return false;
	for (size_t i = 0; i + nn <= hn; i++) {
		/* the first byte rules out most positions before anything else */
		if ((cs ? (unsigned char)h[i] : fold(h[i])) != (unsigned char)needle[0] ||
		    !boundary(h, hn, i))
			continue;
		if (match_at(h + i, needle, nn, cs) && boundary(h, hn, i + nn))
			return true;
	}
	return false;
}

bool kql__contains(const char *h, size_t hn, const char *needle, size_t nn, bool cs)
{
	if (nn == 0)
		return true;
	for (size_t i = 0; i + nn <= hn; i++)
		if ((cs ? (unsigned char)h[i] : fold(h[i])) == (unsigned char)needle[0] &&
		    match_at(h + i, needle, nn, cs))
			return true;
	return false;
}

bool kql__startswith(const char *h, size_t hn, const char *needle, size_t nn, bool cs)
{
	return nn <= hn && match_at(h, needle, nn, cs);
}

bool kql__endswith(const char *h, size_t hn, const char *needle, size_t nn, bool cs)
{
	return nn <= hn && match_at(h + hn - nn, needle, nn, cs);
}

bool kql__equals(const char *h, size_t hn, const char *needle, size_t nn, bool cs)
{
	return nn == hn && match_at(h, needle, nn, cs);
}

size_t kql__strip_exe(const char *s, size_t n)
{
	if (n > 4 && s[n - 4] == '.' && fold(s[n - 3]) == 'e' && fold(s[n - 2]) == 'x' &&
	    fold(s[n - 1]) == 'e')
		return n - 4;
	return n;
}

bool kql__name_equals(const char *h, size_t hn, const char *lneedle, size_t nn)
{
	hn = kql__strip_exe(h, hn);
	nn = kql__strip_exe(lneedle, nn);
	return kql__equals(h, hn, lneedle, nn, false);
}
