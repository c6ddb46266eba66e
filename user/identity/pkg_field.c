// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>

#include "identity/pkg_field.h"

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void pkg_field__set(char *dst, const char *s, size_t n)
{
	size_t i;

	while (n && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	if (n > PKG_FIELD_MAX - 1) {
		n = PKG_FIELD_MAX - 1;
		/* Do not cut a UTF-8 sequence: back up over continuation bytes. */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[i] = '\0';
}

void pkg_field__set_person(char *dst, const char *s, size_t n)
{
	const char *lt = n ? memchr(s, '<', n) : NULL;

	/* "Name <email>" -> "Name"; a bare "<email>" stays as it is. */
	if (lt && lt > s) {
		size_t name_len = (size_t)(lt - s);

		while (name_len && is_space((unsigned char)s[name_len - 1]))
			name_len--;
		if (name_len)
			n = name_len;
	}
	pkg_field__set(dst, s, n);
}
