// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/device.h"

int device__id(char *out, size_t size)
{
	const char *path = getenv("RMMHUNT_MACHINE_ID_FILE");
	char buf[64] = "";
	FILE *f = fopen(path ? path : "/etc/machine-id", "re");
	size_t n;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	if (n != 32)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)buf[i]))
			return -EINVAL;
	snprintf(out, size, "%s", buf);
	return 0;
}

int device__name(char *out, size_t size)
{
	const char *node = getenv("NODE_NAME");
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_flags = AI_CANONNAME}, *res;
	char host[256];

	if (node && *node) {
		snprintf(out, size, "%s", node);
		return 0;
	}
	if (gethostname(host, sizeof(host)))
		return -errno;
	host[sizeof(host) - 1] = '\0';
	snprintf(out, size, "%s", host);
	if (strchr(host, '.'))
		return 0;
	/* the FQDN, as the resolver (hosts file, DNS) knows this host */
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		if (res->ai_canonname && strchr(res->ai_canonname, '.'))
			snprintf(out, size, "%s", res->ai_canonname);
		freeaddrinfo(res);
	}
	return 0;
}
