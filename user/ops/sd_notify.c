// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ops/sd_notify.h"

#define STATUS_MAX 512

int sd_notify__send(const char *message)
{
	const char *addr = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t len;
	socklen_t sun_len;
	ssize_t sent;
	int fd, err;

	if (!message)
		return -EINVAL;
	if (!addr || !*addr)
		return 0;
	len = strlen(addr);
	/* A path, or '@' for a name in the abstract namespace (leading NUL, no terminator). */
	if ((addr[0] != '/' && addr[0] != '@') || len > sizeof(sun.sun_path) - (addr[0] == '/'))
		return -EINVAL;
	memcpy(sun.sun_path, addr, len);
	if (addr[0] == '@')
		sun.sun_path[0] = '\0';
	sun_len = offsetof(struct sockaddr_un, sun_path) + len + (addr[0] == '/');

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sent = sendto(fd, message, strlen(message), MSG_NOSIGNAL, (struct sockaddr *)&sun, sun_len);
	err = sent < 0 ? -errno : 0;
	close(fd);
	return err;
}

int sd_notify__statusf(const char *fmt, ...)
{
	char msg[STATUS_MAX] = "STATUS=";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), fmt, ap);
	va_end(ap);
	return sd_notify__send(msg);
}
