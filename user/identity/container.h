/* SPDX-License-Identifier: MIT */
/*
 * Which container a process runs in, read from its cgroup path: the id the
 * runtime gave it (ContainerId), the runtime (ContainerRuntime) and, under
 * Kubernetes, the pod (PodUid). Runtimes name their cgroups in a handful of
 * shapes (systemd or cgroupfs driver, cgroup v1, v2 or hybrid); these are
 * recognised by their shape, nothing is asked of the runtime.
 */
#ifndef RMMHUNT_CONTAINER_H
#define RMMHUNT_CONTAINER_H

#include <stddef.h>

#define CONTAINER_ID_LEN      64 /* lowercase hex */
#define CONTAINER_POD_UID_LEN 36 /* 8-4-4-4-12, lowercase, dashes */
#define CONTAINER_RUNTIME_MAX 16
#define CONTAINER_CGROUP_MAX  4096 /* longer paths are refused */

struct container_info {
	char id[CONTAINER_ID_LEN + 1];		 /* "" for a host process */
	char runtime[CONTAINER_RUNTIME_MAX];	 /* "containerd", "cri-o", "docker", "podman",
						    "cri" (a kubelet runtime, cgroupfs driver),
						    or "" when unknown */
	char pod_uid[CONTAINER_POD_UID_LEN + 1]; /* "" outside a Kubernetes pod */
};

/*
 * Fills @out from @cgroup_path (as in /proc/PID/cgroup, e.g.
 * "/kubepods.slice/.../cri-containerd-<id>.scope"). A path that names no
 * container leaves every field empty and still returns 0; so does a conmon
 * (the runtime's monitor process, not the container). Returns -EINVAL for
 * NULL arguments, -ENAMETOOLONG for a path of CONTAINER_CGROUP_MAX bytes or more.
 */
int container__parse_cgroup(const char *cgroup_path, struct container_info *out);

/*
 * Reads "cgroup" under @proc_pid_dirfd (an open /proc/PID directory) and
 * copies into @path_out the path that best describes the process: the longest
 * path of any hierarchy that names a container, else the cgroup v2 ("0::")
 * path, else the name=systemd path. Returns 0, -ENOENT when there is none,
 * -ENAMETOOLONG when it does not fit in @n bytes, or another negative errno.
 */
int container__read_proc_cgroup(int proc_pid_dirfd, char *path_out, size_t n);

#endif
