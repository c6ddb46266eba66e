// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/device.h"
#include "base/file.h"

#define HOST_MACHINE_ID "/proc/1/root/etc/machine-id"
#define HOST_HOSTNAME	"/proc/1/root/etc/hostname"

/* The first line of @path, without its newline; -errno. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int read_machine_id(const char *path, char *out, size_t size)
{
	char buf[64];
	size_t n;
	int err = read_line(path, buf, sizeof(buf));

	if (err)
		return err;
	n = strlen(buf);
	if (n != 32)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)buf[i]))
			return -EINVAL;
	snprintf(out, size, "%s", buf);
	return 0;
}

int device__id(char *out, size_t size, const char **source)
{
	const char *path = getenv("RMMHUNT_MACHINE_ID_FILE");
	int err;

	if (path) {
		*source = path;
		return read_machine_id(path, out, size);
	}
	*source = HOST_MACHINE_ID;
	if (!read_machine_id(HOST_MACHINE_ID, out, size))
		return 0;
	*source = "/etc/machine-id";
	err = read_machine_id("/etc/machine-id", out, size);
	return err;
}

static bool same_ns(const char *a, const char *b)
{
	struct stat sa, sb;

	/* unknown counts as the same: then our own name is all there is */
	if (stat(a, &sa) || stat(b, &sb))
		return true;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* pid 1's nodename, read by a child that joins its UTS namespace; -errno. */
static int host_nodename(char *out, size_t size)
{
	char name[sizeof(((struct utsname *)0)->nodename)] = "";
	int fds[2], status = 0;
	ssize_t n = 0;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		struct utsname u;
		int ns = open("/proc/1/ns/uts", O_RDONLY | O_CLOEXEC);

		if (ns < 0 || setns(ns, CLONE_NEWUTS) || uname(&u))
			_exit(1);
		_exit(write(fds[1], u.nodename, strnlen(u.nodename, sizeof(u.nodename))) > 0 ? 0
											     : 1);
	}
	close(fds[1]);
	n = file__read_full(fds[0], name, sizeof(name) - 1);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) || n <= 0)
		return -EPERM;
	name[n] = '\0';
	snprintf(out, size, "%s", name);
	return 0;
}

int device__name(char *out, size_t size, const char **source)
{
	const char *node = getenv("NODE_NAME");
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_flags = AI_CANONNAME}, *res;
	char host[256];

	if (node && *node) {
		*source = "NODE_NAME";
		snprintf(out, size, "%s", node);
		return 0;
	}
	if (!same_ns("/proc/self/ns/uts", "/proc/1/ns/uts")) {
		*source = "pid 1's UTS namespace";
		if (!host_nodename(out, size))
			return 0;
		*source = HOST_HOSTNAME;
		if (!read_line(HOST_HOSTNAME, host, sizeof(host)) && host[0]) {
			snprintf(out, size, "%s", host);
			return 0;
		}
	}
	*source = "gethostname";
	if (gethostname(host, sizeof(host)))
		return -errno;
	host[sizeof(host) - 1] = '\0';
	snprintf(out, size, "%s", host);
	if (strchr(host, '.'))
		return 0;
	/* the FQDN, as the resolver (hosts file, DNS) knows this host */
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		if (res->ai_canonname && strchr(res->ai_canonname, '.')) {
			snprintf(out, size, "%s", res->ai_canonname);
			*source = "gethostname and the resolver";
		}
		freeaddrinfo(res);
	}
	return 0;
}
