// SPDX-License-Identifier: MIT
/* Wine's processes, and bpf/wine_request.bpf.c attached while a server runs: see wineprocs.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "base/log.h"
#include "capture/wineprocs.h"

struct wineprocs {
	int prog_fd, map_fd;
	int link_fd; /* -1: detached */
	bool warned;
	char state[200];
};

struct wineprocs *wineprocs__new(int prog_fd, int map_fd, const char *off)
{
	struct wineprocs *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->prog_fd = prog_fd;
	w->map_fd = map_fd;
	w->link_fd = -1;
	if (prog_fd < 0)
		snprintf(w->state, sizeof(w->state), "off: %s", off);
	else
		snprintf(w->state, sizeof(w->state), "idle");
	return w;
}

/* (Also after an attach that failed: no server left to follow.) */
static void detach(struct wineprocs *w)
{
	if (w->link_fd >= 0)
		close(w->link_fd);
	w->link_fd = -1;
	snprintf(w->state, sizeof(w->state), "idle");
}

void wineprocs__free(struct wineprocs *w)
{
	if (!w)
		return;
	if (w->link_fd >= 0)
		close(w->link_fd);
	free(w);
}

static void attach(struct wineprocs *w)
{
	if (w->link_fd >= 0)
		return;
	w->link_fd = bpf_raw_tracepoint_open(NULL, w->prog_fd);
	if (w->link_fd >= 0) {
		snprintf(w->state, sizeof(w->state), "attached");
		return;
	}
	snprintf(w->state, sizeof(w->state), "off: failed to attach to sys_enter: %s",
		 strerror(errno));
	if (!w->warned)
		pr_warn("Wine server requests not followed (%s): a Windows program's listen "
			"and failed connect are named after wineserver",
			w->state + 5);
	w->warned = true;
}

/* Does process @tgid run @exe_ino? */
static bool runs(uint32_t tgid, uint64_t exe_ino)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/exe", tgid);
	return !stat(path, &st) && st.st_ino == exe_ino;
}

void wineprocs__add(struct wineprocs *w, uint32_t tgid, uint64_t exe_ino, enum wine_role role)
{
	struct wine_proc p = {.exe_ino = exe_ino, .role = role};

	if (w->prog_fd < 0)
		return;
	/*
	 * In first, then checked: one that exits after the check leaves the map
	 * at its exit; one that exited before it (or its pid, reused) is taken out.
	 */
	if (bpf_map_update_elem(w->map_fd, &tgid, &p, BPF_ANY))
		return;
	if (!runs(tgid, exe_ino)) {
		bpf_map_delete_elem(w->map_fd, &tgid);
		return;
	}
	if (role == WINE_ROLE_SERVER)
		attach(w);
}

/* Is a server in the map? Read whole: it holds Wine's processes, a few dozen. */
static bool any_server(struct wineprocs *w)
{
	__u32 key, next;
	struct wine_proc p;
	int err = bpf_map_get_next_key(w->map_fd, NULL, &next);

	while (!err) {
		key = next;
		if (!bpf_map_lookup_elem(w->map_fd, &key, &p) && p.role == WINE_ROLE_SERVER)
			return true;
		err = bpf_map_get_next_key(w->map_fd, &key, &next);
	}
	return false;
}

void wineprocs__sweep(struct wineprocs *w)
{
	if (w->prog_fd < 0)
		return;
	if (any_server(w))
		attach(w);
	else
		detach(w);
}

const char *wineprocs__state(const struct wineprocs *w)
{
	return w->state;
}
