// SPDX-License-Identifier: MIT
/* Raw capset(2) and prctl(2): libcap for three calls is not worth a dependency. */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ops/caps.h"

/* The running kernel may know capabilities the headers do not. */
static int cap_last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

static int capget_all(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};

	return syscall(SYS_capget, &hdr, data) ? -errno : 0;
}

static int capset_all(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};

	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

static uint64_t mask_of(const struct __user_cap_data_struct data[2], bool permitted)
{
	if (permitted)
		return data[0].permitted | (uint64_t)data[1].permitted << 32;
	return data[0].effective | (uint64_t)data[1].effective << 32;
}

int caps__drop_to(const int *keep, size_t n)
{
	struct __user_cap_data_struct data[2];
	int last = cap_last_cap(), err;
	uint64_t want = 0;

	if (n && !keep)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (keep[i] < 0 || keep[i] > last)
			return -EINVAL;
		want |= 1ULL << keep[i];
	}
	err = capget_all(data);
	if (err)
		return err;
	want &= mask_of(data, true);

	/* First the bounding set, while CAP_SETPCAP is still effective. */
	if (mask_of(data, false) & (1ULL << CAP_SETPCAP)) {
		for (int cap = 0; cap <= last; cap++) {
			if (want & (1ULL << cap) || prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
				return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno; /* EINVAL: a kernel before ambient capabilities (4.3) */

	memset(data, 0, sizeof(data));
	data[0].permitted = data[0].effective = (uint32_t)want;
	data[1].permitted = data[1].effective = (uint32_t)(want >> 32);
	err = capset_all(data);
	if (err)
		return err;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

bool caps__bpf_fd_needs_cap(void)
{
	struct utsname u;
	int major = 0, minor = 0;
	char c = '1';
	FILE *f;

	/*
	 * Since 5.19 (c8644cd0efe7) only creating maps, loading programs and the like
	 * check; before, every bpf() call did.
	 */
	if (!uname(&u) && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
	    (major > 5 || (major == 5 && minor >= 19)))
		return false;
	f = fopen("/proc/sys/kernel/unprivileged_bpf_disabled", "re");
	if (f) {
		if (fscanf(f, " %c", &c) != 1)
			c = '1';
		fclose(f);
	}
	return c != '0';
}

int caps__drop_for_monitor(void)
{
	static const int keep[] = {CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_BPF};

	return caps__drop_to(keep, caps__bpf_fd_needs_cap() ? 3 : 2);
}

int caps__describe(char *buf, size_t n)
{
	static const char *const keys[] = {"CapEff", "CapPrm", "CapBnd", "NoNewPrivs"};
	char line[256], vals[4][32] = {"?", "?", "?", "?"};
	FILE *f;
	int w;

	if (!buf || !n)
		return -EINVAL;
	f = fopen("/proc/self/status", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *val;

		if (!colon)
			continue;
		*colon = '\0';
		val = colon + 1 + strspn(colon + 1, " \t");
		val[strcspn(val, "\n")] = '\0';
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(line, keys[i]))
				snprintf(vals[i], sizeof(vals[i]), "%s", val);
	}
	fclose(f);
	w = snprintf(buf, n, "%s=%s %s=%s %s=%s %s=%s", keys[0], vals[0], keys[1], vals[1], keys[2],
		     vals[2], keys[3], vals[3]);
	return w < 0 || (size_t)w >= n ? -ENOSPC : 0;
}
