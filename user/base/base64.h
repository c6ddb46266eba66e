/* SPDX-License-Identifier: MIT */
/* Standard base64 (RFC 4648, with padding): exact bytes inside JSON strings. */
#ifndef RMMHUNT_BASE64_H
#define RMMHUNT_BASE64_H

#include <stddef.h>

/* The value of one base64 digit, or -1 for any other character. */
static inline int base64__digit(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Bytes base64__encode() writes for @n input bytes, with the NUL. */
static inline size_t base64__encoded_size(size_t n)
{
	return (n + 2) / 3 * 4 + 1;
}

/* Writes @n bytes of @src as a NUL-terminated string of base64__encoded_size(n) bytes. */
void base64__encode(const void *src, size_t n, char *out);
/*
 * Decodes @n characters of strict base64 (length a multiple of 4, padding
 * only at the end) into @out, which holds at least n / 4 * 3 bytes.
 * Returns the decoded length, or -EINVAL.
 */
long base64__decode(const char *src, size_t n, unsigned char *out);

#endif
