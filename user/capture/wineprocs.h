/* SPDX-License-Identifier: MIT */
/*
 * Wine's processes, for bpf/wine_request.bpf.c, and that program's
 * attachment: it runs on every syscall of every process, so it is attached
 * only while a Wine server runs, and detached once the map of Wine's
 * processes (which the kernel side keeps through their execs, forks and
 * exits) holds no server.
 */
#ifndef RMMHUNT_WINEPROCS_H
#define RMMHUNT_WINEPROCS_H

#include <stdint.h>

#include "events.h"

struct wineprocs;

/*
 * @prog_fd: the program, loaded (-1: not loaded, @off says why); @map_fd:
 * its wine_procs map. NULL when out of memory.
 */
struct wineprocs *wineprocs__new(int prog_fd, int map_fd, const char *off);
void wineprocs__free(struct wineprocs *w); /* NULL is fine; detaches */

/*
 * Process @tgid is Wine's (@role; @exe_ino: the executable it exec'd): in
 * the map while it still runs that. The kernel side adds those it knows by
 * their file's name at their exec; this adds a loader known by its content,
 * and what was running at start. A server attaches the program; logs once
 * if it cannot.
 */
void wineprocs__add(struct wineprocs *w, uint32_t tgid, uint64_t exe_ino, enum wine_role role);
/* Detaches the program once no server is left (and attaches it if one is). */
void wineprocs__sweep(struct wineprocs *w);
/* "attached", "idle" (no server runs), or "off: " and why. */
const char *wineprocs__state(const struct wineprocs *w);

#endif
