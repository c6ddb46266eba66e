// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "network/addr.h"

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool addr__is_v4(const unsigned char addr[16])
{
	return !memcmp(addr, v4_mapped, sizeof(v4_mapped));
}

/* @b in decimal at @p: where it ends. */
static char *put_byte(char *p, unsigned int b)
{
	if (b >= 100)
		*p++ = (char)('0' + b / 100);
	if (b >= 10)
		*p++ = (char)('0' + b / 10 % 10);
	*p++ = (char)('0' + b % 10);
	return p;
}

int addr__format(const unsigned char addr[16], char *out, size_t size)
{
	char buf[ADDR_STR_MAX], *p = buf;
	size_t n;

	/* dotted quad by hand: inet_ntop's is an sprintf, and every network record has two */
	if (addr__is_v4(addr)) {
		for (int i = 12; i < 16; i++) {
			p = put_byte(p, addr[i]);
			*p++ = i < 15 ? '.' : '\0';
		}
		n = p - buf - 1;
	} else {
		/* glibc's inet_ntop writes RFC 5952's form (a lone zero group is not "::") */
		if (!inet_ntop(AF_INET6, addr, buf, sizeof(buf)))
			return -errno;
		n = strlen(buf);
	}
	if (n >= size)
		return -ENOSPC;
	memcpy(out, buf, n + 1);
	return 0;
}

int addr__parse(const char *s, unsigned char addr[16])
{
	if (inet_pton(AF_INET, s, addr + 12) == 1) {
		memcpy(addr, v4_mapped, sizeof(v4_mapped));
		return 0;
	}
	return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -EINVAL;
}
