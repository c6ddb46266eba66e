/* SPDX-License-Identifier: MIT */
/*
 * The second capture source: the processes already running when rmmhunt
 * starts, read from /proc. Each becomes an exec_info as the ring buffer's
 * records do (decode.h), marked from_snapshot: its argv, cwd and cgroup are
 * what /proc shows now, not what was exec'd.
 */
#ifndef RMMHUNT_SNAPSHOT_H
#define RMMHUNT_SNAPSHOT_H

#include "capture/decode.h"

/* Gets one running process; @x and all it points to are valid during the call only. */
typedef int (*snapshot_fn)(void *ctx, const struct exec_info *x);

/*
 * Calls @fn for every running process but kernel threads and this one.
 * Stops early when @fn returns non-zero, and returns that; else 0, or a
 * negative errno when /proc could not be listed.
 */
int snapshot__run(snapshot_fn fn, void *ctx);

#endif
