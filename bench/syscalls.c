// SPDX-License-Identifier: MIT
/*
 * syscalls: what a monitor adds to every syscall, for `make bench`. Writes one
 * byte to /dev/null N times (dd if=/dev/zero of=/dev/null bs=1 without the
 * reads) and prints one JSON line:
 *
 *	{"calls":N,"seconds":S,"ns_per_call":T}
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 3000000;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char c = 0;
	double t0, s;

	if (fd < 0 || !n) {
		fprintf(stderr, "usage: syscalls [CALLS] (default 3000000)\n");
		return 2;
	}
	t0 = now_s();
	for (unsigned long i = 0; i < n; i++)
		if (write(fd, &c, 1) != 1)
			return 1;
	s = now_s() - t0;
	printf("{\"calls\":%lu,\"seconds\":%.6f,\"ns_per_call\":%.1f}\n", n, s, s * 1e9 / n);
	return 0;
}
