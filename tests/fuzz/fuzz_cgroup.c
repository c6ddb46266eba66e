// SPDX-License-Identifier: MIT
/*
 * Fuzzes the cgroup path parser and the /proc/PID/cgroup reader. Needs
 * user/identity/container.c. The input is used both as one path and as the
 * content of a fake /proc/PID/cgroup file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "identity/container.h"

static int proc_dir_fd = -1;
static char cgroup_file[64];

static void check_info(const struct container_info *ci)
{
	size_t id_len = strlen(ci->id), uid_len = strlen(ci->pod_uid);

	if (id_len != 0 && id_len != CONTAINER_ID_LEN)
		abort();
	if (uid_len != 0 && uid_len != CONTAINER_POD_UID_LEN)
		abort();
	if (!id_len && ci->runtime[0])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[CONTAINER_CGROUP_MAX];
	struct container_info ci;
	char *path;
	int fd;

	path = malloc(size + 1);
	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	if (container__parse_cgroup(path, &ci) == 0)
		check_info(&ci);
	free(path);

	if (proc_dir_fd < 0) {
		char dir[] = "/tmp/fuzz_cgroup.XXXXXX";

		if (!mkdtemp(dir))
			abort();
		snprintf(cgroup_file, sizeof(cgroup_file), "%s/cgroup", dir);
		proc_dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
	}
	fd = open(cgroup_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (container__read_proc_cgroup(proc_dir_fd, out, sizeof(out)) == 0 &&
	    strlen(out) >= sizeof(out))
		abort();
	return 0;
}
