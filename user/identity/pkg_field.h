/* SPDX-License-Identifier: MIT */
/* Shared by the package-database readers: filling a struct pkg_info field. */
#ifndef RMMHUNT_PKG_FIELD_H
#define RMMHUNT_PKG_FIELD_H

#include <stddef.h>

#include "identity/package.h"

/*
 * Copies @n bytes of @s into @dst (PKG_FIELD_MAX bytes), trimmed of surrounding
 * whitespace, control characters turned into spaces, cut at a UTF-8 character
 * boundary when too long, always NUL-terminated.
 */
void pkg_field__set(char *dst, const char *s, size_t n);

/* The name part of "Name <email>" (RFC 822 style maintainer fields). */
void pkg_field__set_person(char *dst, const char *s, size_t n);

#endif
