/* SPDX-License-Identifier: MIT */
/*
 * The aggregation state on disk (--state FILE), so a restart keeps the
 * window: {"Format":"rmmhunt-state","Version":1,"Saved":"<RFC 3339>",
 * "Rules":[...agg__save_json()...]}.
 *
 * Neither call is ever fatal: the monitor keeps running on a bad disk or a
 * bad file, with a warning that says what happened.
 */
#ifndef RMMHUNT_STATE_H
#define RMMHUNT_STATE_H

#include <stdint.h>

#include "aggregate/agg.h"

#define STATE_DEFAULT_PATH "/var/lib/rmmhunt/state.json"
#define STATE_VERSION	   1
#define STATE_MAX_SIZE	   (512L << 20) /* bytes read at most */

/*
 * Restores @a from @path. A missing file is a first start (0). A file that
 * cannot be read, or is corrupt, truncated, empty, too big or of another
 * format version, is renamed aside to "<path>.corrupt-<time>" (@now_us) with
 * a warning, and @a starts empty (0). Returns -ENOMEM only.
 */
int state__load(struct agg *a, const char *path, int64_t now_us);

/*
 * The parsing half of state__load(), for a file already read: 0, -EINVAL
 * with the reason in @why, or -ENOMEM. On an error @a has no group.
 */
int state__parse(struct agg *a, const char *buf, size_t len, char *why, size_t whylen);

/*
 * Writes @a to @path atomically: a temporary file in the same directory,
 * fsync, rename, fsync of the directory (created if missing). Returns 0 or
 * -errno, after a warning; the previous file is then intact.
 */
int state__save(const struct agg *a, const char *path, int64_t now_us);

#endif
