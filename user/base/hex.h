/* SPDX-License-Identifier: MIT */
#ifndef RMMHUNT_HEX_H
#define RMMHUNT_HEX_H

/* The value of one hexadecimal digit, either case, or -1 for any other character. */
static inline int hex__digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
