// SPDX-License-Identifier: MIT
/* container__parse_cgroup on the cgroup paths real runtimes create, and on hostile ones. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity/container.h"

#define ID   "3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b"
#define ID2  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID  "8e2e1b1c-5b8a-4b43-9d1d-2d3c4e5f6a7b"
#define UID_ "8e2e1b1c_5b8a_4b43_9d1d_2d3c4e5f6a7b"

struct cgroup_case {
	const char *path;
	const char *id;
	const char *runtime;
	const char *pod_uid;
};

static const struct cgroup_case cases[] = {
    /* Kubernetes, containerd, systemd driver (cgroup v2 and hybrid). */
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
     ".slice/cri-containerd-" ID ".scope",
     ID, "containerd", UID},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
     ".slice/cri-containerd-" ID ".scope",
     ID, "containerd", UID},
    /* Guaranteed QoS: no QoS level in the slice name. */
    {"/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope", ID, "containerd",
     UID},
    /* kind and other kubelets with a cgroup root of their own. */
    {"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
     "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
     ID, "containerd", UID},
    /* Kubernetes, cgroupfs driver (k3s, RKE, RKE2, kubeadm on v1): a bare id. */
    {"/kubepods/burstable/pod" UID "/" ID, ID, "cri", UID},
    {"/kubepods/besteffort/pod" UID "/" ID, ID, "cri", UID},
    {"/kubepods/pod" UID "/" ID, ID, "cri", UID},
    /* k3d: k3s inside a Docker container, the pod's container is the innermost. */
    {"/docker/" ID2 "/kubepods/besteffort/pod" UID "/" ID, ID, "cri", UID},
    /* CRI-O, systemd and cgroupfs drivers; conmon is not the container. */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID
     ".scope",
     ID, "cri-o", UID},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-conmon-" ID
     ".scope",
     "", "", UID},
    {"/kubepods/besteffort/pod" UID "/crio-" ID, ID, "cri-o", UID},
    /* Docker (and dockershim / cri-dockerd under a kubelet). */
    {"/system.slice/docker-" ID ".scope", ID, "docker", ""},
    {"/docker/" ID, ID, "docker", ""},
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/docker-" ID
     ".scope",
     ID, "docker", UID},
    {"/docker/" ID2 "/docker/" ID, ID, "docker", ""}, /* Docker in Docker */
    {"/actions_job/" ID, ID, "docker", ""},	      /* GitHub Actions runner */
    /* Podman: cgroupfs manager (this machine), systemd, rootless, split cgroups, conmon. */
    {"/libpod_parent/libpod-" ID, ID, "podman", ""},
    {"/machine.slice/libpod-" ID ".scope", ID, "podman", ""},
    {"/machine.slice/libpod-" ID ".scope/container", ID, "podman", ""},
    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope", ID, "podman",
     ""},
    {"/machine.slice/libpod-conmon-" ID ".scope", "", "", ""},
    {"/libpod_parent/conmon", "", "", ""},
    /* containerd without Kubernetes. */
    {"/system.slice/nerdctl-" ID ".scope", ID, "containerd", ""},
    {"/default/" ID, ID, "containerd", ""},
    {"/k8s.io/" ID, ID, "containerd", ""},
    /* A 64-hex leaf under a parent not known: a container of an unknown runtime. */
    {"/ecs/0123456789abcdef0123456789abcdef/" ID, ID, "", ""},
    /* Read from a private cgroup namespace (a pod on cgroup v2): relative to the reader. */
    {"/../../../kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
     ".slice/cri-containerd-" ID ".scope",
     ID, "containerd", UID},
    {"/../../system.slice/docker-" ID ".scope", ID, "docker", ""},
    /* Host processes. */
    {"/", "", "", ""},
    {"", "", "", ""},
    {"/init.scope", "", "", ""},
    {"/system.slice/sshd.service", "", "", ""},
    {"/user.slice/user-0.slice/session-3.scope", "", "", ""},
    {"/system.slice/containerd.service", "", "", ""},
    {"/kubepods.slice/kubepods-burstable.slice", "", "", ""},
    {"/machine.slice/machine-qemu\\x2d1\\x2dvm.scope", "", "", ""},
    /* Hostile or malformed: no id unless exactly 64 lowercase hex digits. */
    {"/docker/" ID "0", "", "", ""},
    {"/docker/3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2", "", "", ""},
    {"/system.slice/docker-" ID "0.scope", "", "", ""},
    {"/system.slice/docker-3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2"
     ".scope",
     "", "", ""},
    {"/system.slice/docker-3F2A9C1D0B8E7F6A5C4D3E2F1A0B9C8D7E6F5A4B3C2D1E0F9A8B7C6D5E4F3A2B"
     ".scope",
     "", "", ""},
    {"/system.slice/docker-3f2a9c1d0b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2g"
     ".scope",
     "", "", ""},
    {"/system.slice/docker-" ID ".slice", "", "", ""},
    {"/system.slice/docker-" ID ".scopex", "", "", ""},
    {"/system.slice/docker-" ID ".scope/../../evil", ID, "docker", ""},
    {"/docker-" ID, ID, "docker", ""},
    {"////docker//" ID "//", ID, "docker", ""},
    {"/kubepods/burstable/pod8e2e1b1c-5b8a-4b43-9d1d-2d3c4e5f6a7/" ID, ID, "cri", ""},
    {"/kubepods/burstable/pod8e2e1b1c+5b8a-4b43-9d1d-2d3c4e5f6a7b/" ID, ID, "cri", ""},
    {"/kubepods.slice/kubepods-burstable-pod.slice/cri-containerd-" ID ".scope", ID, "containerd",
     ""},
    /* "pod<uid>" outside kubepods is just a name. */
    {"/pod" UID "/" ID, ID, "", ""},
    /* The kubelet spells UIDs lowercase; uppercase input is normalised. */
    {"/kubepods/pod8E2E1B1C-5B8A-4B43-9D1D-2D3C4E5F6A7B/" ID, ID, "cri", UID},
};

static void parse_cgroup__real_and_hostile_paths__expected_identity(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_info ci;

		memset(&ci, 'x', sizeof(ci));
		print_message("%s\n", cases[i].path);
		assert_int_equal(container__parse_cgroup(cases[i].path, &ci), 0);
		assert_string_equal(ci.id, cases[i].id);
		assert_string_equal(ci.runtime, cases[i].runtime);
		assert_string_equal(ci.pod_uid, cases[i].pod_uid);
	}
}

static void parse_cgroup__too_long__refused_and_cleared(void **state)
{
	char path[CONTAINER_CGROUP_MAX + 2];
	struct container_info ci;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	memset(&ci, 'x', sizeof(ci));
	assert_int_equal(container__parse_cgroup(path, &ci), -ENAMETOOLONG);
	assert_string_equal(ci.id, "");

	/* The longest accepted path still finds a container at its leaf. */
	memset(path, 'a', sizeof(path));
	strcpy(path + CONTAINER_CGROUP_MAX - 1 - strlen("/docker/" ID), "/docker/" ID);
	path[0] = '/';
	assert_int_equal(strlen(path), CONTAINER_CGROUP_MAX - 1);
	assert_int_equal(container__parse_cgroup(path, &ci), 0);
	assert_string_equal(ci.id, ID);
}

static void parse_cgroup__null__einval(void **state)
{
	struct container_info ci;

	assert_int_equal(container__parse_cgroup(NULL, &ci), -EINVAL);
	assert_int_equal(container__parse_cgroup("/", NULL), -EINVAL);
}

/* A fake /proc/PID directory holding only "cgroup". */
static int fake_proc_dir(const char *content, char *dir)
{
	char file[96];
	FILE *f;

	strcpy(dir, "/tmp/test_container.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/cgroup", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return open(dir, O_RDONLY | O_DIRECTORY);
}

static void remove_fake_proc_dir(int fd, const char *dir)
{
	char file[96];

	close(fd);
	snprintf(file, sizeof(file), "%s/cgroup", dir);
	unlink(file);
	rmdir(dir);
}

struct proc_case {
	const char *content;
	int ret;
	const char *path;
};

static const struct proc_case proc_cases[] = {
    /* Hybrid host, Docker with the cgroupfs driver: v1 names it, v2 is "/". */
    {"12:pids:/docker/" ID "\n11:memory:/docker/" ID "\n1:name=systemd:/docker/" ID "\n0::/\n", 0,
     "/docker/" ID},
    /* Pure v2. */
    {"0::/system.slice/docker-" ID ".scope\n", 0, "/system.slice/docker-" ID ".scope"},
    {"0::/user.slice/user-0.slice/session-3.scope\n", 0,
     "/user.slice/user-0.slice/session-3.scope"},
    /* Hybrid host process: the v2 path before name=systemd. */
    {"5:cpu,cpuacct:/\n1:name=systemd:/user.slice/user-0.slice/session-1.scope\n0::/init\n", 0,
     "/init"},
    /* v1 only: name=systemd. */
    {"4:memory:/\n1:name=systemd:/system.slice/cron.service\n", 0, "/system.slice/cron.service"},
    /* Several hierarchies name the container: the most specific path. */
    {"3:cpu:/kubepods/besteffort/pod" UID "/" ID
     "\n0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
     ".slice/cri-containerd-" ID ".scope\n",
     0,
     "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
     ".slice/cri-containerd-" ID ".scope"},
    /* Paths may hold ':' and the last line may lack its newline. */
    {"0::/odd:name/libpod-" ID, 0, "/odd:name/libpod-" ID},
    {"", -ENOENT, NULL},
    {"garbage\nno colons here\n", -ENOENT, NULL},
    {"3:cpu:/\n", -ENOENT, NULL},
};

static void read_proc_cgroup__hierarchies__most_specific_path(void **state)
{
	for (size_t i = 0; i < sizeof(proc_cases) / sizeof(proc_cases[0]); i++) {
		char dir[64], out[CONTAINER_CGROUP_MAX];
		int fd = fake_proc_dir(proc_cases[i].content, dir);

		assert_true(fd >= 0);
		print_message("case %zu\n", i);
		assert_int_equal(container__read_proc_cgroup(fd, out, sizeof(out)),
				 proc_cases[i].ret);
		if (proc_cases[i].path)
			assert_string_equal(out, proc_cases[i].path);
		remove_fake_proc_dir(fd, dir);
	}
}

static void read_proc_cgroup__small_buffer__enametoolong(void **state)
{
	char dir[64], out[16];
	int fd = fake_proc_dir("0::/system.slice/sshd.service\n", dir);

	assert_int_equal(container__read_proc_cgroup(fd, out, sizeof(out)), -ENAMETOOLONG);
	remove_fake_proc_dir(fd, dir);
}

static void read_proc_cgroup__self__absolute_path(void **state)
{
	char out[CONTAINER_CGROUP_MAX];
	int fd = open("/proc/self", O_RDONLY | O_DIRECTORY);

	assert_true(fd >= 0);
	assert_int_equal(container__read_proc_cgroup(fd, out, sizeof(out)), 0);
	assert_int_equal(out[0], '/');
	close(fd);
	assert_int_equal(container__read_proc_cgroup(-1, out, sizeof(out)), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_cgroup__real_and_hostile_paths__expected_identity),
	    cmocka_unit_test(parse_cgroup__too_long__refused_and_cleared),
	    cmocka_unit_test(parse_cgroup__null__einval),
	    cmocka_unit_test(read_proc_cgroup__hierarchies__most_specific_path),
	    cmocka_unit_test(read_proc_cgroup__small_buffer__enametoolong),
	    cmocka_unit_test(read_proc_cgroup__self__absolute_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
