/* SPDX-License-Identifier: MIT */
/* UTF-8 as JSON and Kusto want it: no surrogates, no overlong forms, nothing above U+10FFFF. */
#ifndef RMMHUNT_UTF8_H
#define RMMHUNT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length of the valid UTF-8 sequence at @s (at most @n bytes), or 0. */
size_t utf8__seq_len(const unsigned char *s, size_t n);
/* True when @s[0..n) is valid UTF-8. */
bool utf8__valid(const char *s, size_t n);

#endif
