// SPDX-License-Identifier: MIT
/*
 * Test helper for test_image.py: run inside a container, prints what
 * user/identity/container.c makes of its own /proc/self/cgroup as
 * "ID RUNTIME POD_UID PATH" ("-" for an empty field). Built static at test time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "identity/container.h"

static const char *or_dash(const char *s)
{
	return *s ? s : "-";
}

int main(void)
{
	char path[CONTAINER_CGROUP_MAX];
	struct container_info ci;
	int dirfd = open("/proc/self", O_RDONLY | O_DIRECTORY), err;

	err = container__read_proc_cgroup(dirfd, path, sizeof(path));
	if (err) {
		fprintf(stderr, "cgroup_probe: read /proc/self/cgroup: %s\n", strerror(-err));
		return 1;
	}
	err = container__parse_cgroup(path, &ci);
	if (err) {
		fprintf(stderr, "cgroup_probe: parse %s: %s\n", path, strerror(-err));
		return 1;
	}
	printf("%s %s %s %s\n", or_dash(ci.id), or_dash(ci.runtime), or_dash(ci.pod_uid), path);
	close(dirfd);
	return 0;
}
