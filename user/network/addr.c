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

int addr__format(const unsigned char addr[16], char *out, size_t size)
{
	char buf[ADDR_STR_MAX];
	size_t n;

	/* glibc's inet_ntop writes RFC 5952's form (a lone zero group is not "::") */
	if (!inet_ntop(addr__is_v4(addr) ? AF_INET : AF_INET6, addr__is_v4(addr) ? addr + 12 : addr,
		       buf, sizeof(buf)))
		return -errno;
	n = strlen(buf);
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
