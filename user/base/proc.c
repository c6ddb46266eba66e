// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/proc.h"

int proc__parse_stat(const char *text, struct proc_stat *out)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	unsigned long long start;
	long ticks = sysconf(_SC_CLK_TCK);
	size_t n;
	char state;
	int ppid;

	/* comm is between the first '(' and the LAST ')': it may contain both */
	if (!open || !close || close < open)
		return -EINVAL;
	n = close - open - 1;
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	/* after comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime */
	if (sscanf(close + 1,
		   " %c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
		   "%*d %*d %llu",
		   &state, &ppid, &start) != 3)
		return -EINVAL;
	out->state = state;
	out->ppid = ppid;
	out->start_boot_ns = start * (1000000000ULL / (ticks > 0 ? ticks : 100));
	return 0;
}

ssize_t proc__read_file(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = file__read_full(fd, buf, size);
	close(fd);
	return n;
}

int proc__read_stat(pid_t pid, struct proc_stat *out)
{
	char buf[1024];
	ssize_t n = proc__read_file(pid, "stat", buf, sizeof(buf) - 1);

	if (n < 0)
		return n;
	buf[n] = '\0';
	return proc__parse_stat(buf, out);
}

int proc__read_stat_at(int proc_fd, struct proc_stat *out)
{
	char buf[1024];
	ssize_t n;
	int fd = openat(proc_fd, "stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = file__read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return proc__parse_stat(buf, out);
}

int proc__parse_status_ids(const char *text, uint32_t *uid, uint32_t *euid, uint32_t *gid)
{
	const char *u = strstr(text, "\nUid:"), *g = strstr(text, "\nGid:");
	unsigned a, b, c;

	if (!u || !g || sscanf(u + 5, "%u %u", &a, &b) != 2 || sscanf(g + 5, "%u", &c) != 1)
		return -EINVAL;
	*uid = a;
	*euid = b;
	*gid = c;
	return 0;
}

ssize_t proc__readlink(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

int proc__for_each_pid(int (*fn)(void *ctx, pid_t pid), void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int ret = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		ret = fn(ctx, (pid_t)strtol(de->d_name, NULL, 10));
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}
