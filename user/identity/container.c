// SPDX-License-Identifier: MIT
/*
 * Container identity from cgroup paths. The path is walked from the root to
 * the leaf one component at a time and the deepest component that names a
 * container wins, so nested shapes ("libpod-<id>.scope/container",
 * Docker in Docker) give the innermost container.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/file.h"
#include "identity/container.h"

#define PROC_CGROUP_MAX 65536 /* one line per hierarchy: a few KiB in practice */

/* The runtime's own monitor, named after the container it watches. */
static const char conmon[] = "conmon";

/* "<prefix><64 hex>[.scope]": the systemd driver adds ".scope", cgroupfs does not. */
static const struct {
	const char *prefix;
	const char *runtime;
} scope_prefixes[] = {
    {"cri-containerd-", "containerd"},
    {"crio-conmon-", conmon},
    {"crio-", "cri-o"},
    {"docker-", "docker"},
    {"libpod-conmon-", conmon},
    {"libpod-", "podman"},
    {"nerdctl-", "containerd"},
};

/* A bare "<64 hex>" component: the runtime is told by the parent's name. */
static const struct {
	const char *parent;
	const char *runtime;
} bare_parents[] = {
    {"docker", "docker"},      /* dockerd, cgroupfs driver */
    {"actions_job", "docker"}, /* GitHub Actions runner containers */
    {"k8s.io", "containerd"},  /* containerd namespace, cgroupfs driver */
    {"default", "containerd"}, /* nerdctl/ctr, cgroupfs driver */
};

struct span {
	const char *s;
	size_t n;
};

static bool span_eq(struct span a, const char *lit)
{
	return a.n == strlen(lit) && !memcmp(a.s, lit, a.n);
}

static bool span_starts(struct span a, const char *lit)
{
	size_t n = strlen(lit);

	return a.n >= n && !memcmp(a.s, lit, n);
}

static bool span_contains(struct span a, const char *lit)
{
	return memmem(a.s, a.n, lit, strlen(lit)) != NULL;
}

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "<64 hex>" or "<64 hex>.scope" exactly. */
static bool match_id(struct span c, char *id)
{
	if (c.n != CONTAINER_ID_LEN &&
	    !(c.n == CONTAINER_ID_LEN + 6 && !memcmp(c.s + CONTAINER_ID_LEN, ".scope", 6)))
		return false;
	if (!is_lower_hex(c.s, CONTAINER_ID_LEN))
		return false;
	memcpy(id, c.s, CONTAINER_ID_LEN);
	id[CONTAINER_ID_LEN] = '\0';
	return true;
}

/*
 * A pod UID as the kubelet spells it in cgroup names: with dashes (cgroupfs
 * driver) or with underscores (systemd driver, where '-' separates slice
 * levels). Stored lowercase with dashes, as the API server shows it.
 */
static bool match_pod_uid(const char *s, size_t n, char *uid)
{
	if (n != CONTAINER_POD_UID_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-' && c != '_')
				return false;
			uid[i] = '-';
		} else if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
			uid[i] = c;
		} else if (c >= 'A' && c <= 'F') {
			uid[i] = c - 'A' + 'a';
		} else {
			return false;
		}
	}
	uid[n] = '\0';
	return true;
}

/* "pod<uid>" (cgroupfs) or "...kubepods[-<qos>]-pod<uid_>.slice" (systemd). */
static bool parse_pod_component(struct span c, char *uid)
{
	static const char slice[] = ".slice";
	size_t stem;

	if (span_starts(c, "pod"))
		return match_pod_uid(c.s + 3, c.n - 3, uid);
	if (c.n < sizeof(slice) - 1 + CONTAINER_POD_UID_LEN + 4 ||
	    memcmp(c.s + c.n - (sizeof(slice) - 1), slice, sizeof(slice) - 1))
		return false;
	stem = c.n - (sizeof(slice) - 1) - CONTAINER_POD_UID_LEN;
	if (memcmp(c.s + stem - 4, "-pod", 4))
		return false;
	return match_pod_uid(c.s + stem, CONTAINER_POD_UID_LEN, uid);
}

/* Returns the runtime of a container component (conmon included), or NULL. */
static const char *parse_container_component(struct span c, struct span parent, bool in_kubepods,
					     char *id)
{
	for (size_t i = 0; i < sizeof(scope_prefixes) / sizeof(scope_prefixes[0]); i++) {
		size_t plen = strlen(scope_prefixes[i].prefix);

		if (!span_starts(c, scope_prefixes[i].prefix))
			continue;
		if (match_id((struct span){c.s + plen, c.n - plen}, id))
			return scope_prefixes[i].runtime;
		/* "crio-conmon-..." also starts with "crio-": keep looking. */
	}
	if (c.n != CONTAINER_ID_LEN || !match_id(c, id))
		return NULL;
	if (in_kubepods && span_starts(parent, "pod"))
		return "cri"; /* kubepods, cgroupfs driver: containerd, CRI-O or dockershim */
	for (size_t i = 0; i < sizeof(bare_parents) / sizeof(bare_parents[0]); i++)
		if (span_eq(parent, bare_parents[i].parent))
			return bare_parents[i].runtime;
	return "";
}

int container__parse_cgroup(const char *cgroup_path, struct container_info *out)
{
	struct span parent = {"", 0};
	char id[CONTAINER_ID_LEN + 1], uid[CONTAINER_POD_UID_LEN + 1];
	bool in_kubepods = false;
	const char *p;

	if (!cgroup_path || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (strnlen(cgroup_path, CONTAINER_CGROUP_MAX) >= CONTAINER_CGROUP_MAX)
		return -ENAMETOOLONG;

	for (p = cgroup_path; *p;) {
		struct span c;
		const char *runtime;

		while (*p == '/')
			p++;
		c.s = p;
		while (*p && *p != '/')
			p++;
		c.n = p - c.s;
		if (!c.n)
			break;

		if (span_contains(c, "kubepods"))
			in_kubepods = true;
		if (in_kubepods && !out->pod_uid[0] && parse_pod_component(c, uid)) {
			memcpy(out->pod_uid, uid, sizeof(out->pod_uid));
			parent = c;
			continue;
		}
		runtime = parse_container_component(c, parent, in_kubepods, id);
		if (runtime == conmon) {
			out->id[0] = '\0';
			out->runtime[0] = '\0';
		} else if (runtime) {
			memcpy(out->id, id, sizeof(out->id));
			strncpy(out->runtime, runtime, sizeof(out->runtime) - 1);
		}
		parent = c;
	}
	return 0;
}

static bool names_container(const char *path)
{
	struct container_info ci;

	return !container__parse_cgroup(path, &ci) && ci.id[0];
}

int container__read_proc_cgroup(int proc_pid_dirfd, char *path_out, size_t n)
{
	const char *best = NULL, *unified = NULL, *systemd = NULL, *pick;
	size_t best_len = 0, len;
	char *buf = NULL, *line, *next;
	int err;

	if (!path_out || !n)
		return -EINVAL;
	err = file__read_at(proc_pid_dirfd, "cgroup", PROC_CGROUP_MAX, FILE_TRUNCATE, &buf, &len);
	if (err)
		return err;

	/* "hierarchy-ID:controller-list:cgroup-path", one per line (cgroups(7)). */
	for (line = buf; line && *line; line = next) {
		char *controllers, *path;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		controllers = strchr(line, ':');
		if (!controllers)
			continue;
		*controllers++ = '\0';
		path = strchr(controllers, ':');
		if (!path)
			continue;
		*path++ = '\0';

		if (!strcmp(line, "0") && !*controllers)
			unified = path;
		else if (!strcmp(controllers, "name=systemd"))
			systemd = path;
		if (strlen(path) > best_len && names_container(path)) {
			best = path;
			best_len = strlen(path);
		}
	}
	pick = best ? best : unified ? unified : systemd;
	if (!pick) {
		err = -ENOENT;
		goto cleanup;
	}
	if (strlen(pick) >= n) {
		err = -ENAMETOOLONG;
		goto cleanup;
	}
	strcpy(path_out, pick);
	err = 0;
cleanup:
	free(buf);
	return err;
}
