// SPDX-License-Identifier: MIT
/* The aggregation state on disk: see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aggregate/state.h"
#include "base/file.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "base/timefmt.h"

static const char format_name[] = "rmmhunt-state";

/* Renames a bad state file out of the way, so the next save starts afresh. */
static void set_aside(const char *path, int64_t now_us, const char *why)
{
	char ts[40], aside[4096];

	timefmt__format_rfc3339_us(now_us, ts, sizeof(ts));
	snprintf(aside, sizeof(aside), "%s.corrupt-%s", path, ts);
	if (rename(path, aside))
		pr_warn("state %s: %s; could not set it aside: %s; starting empty", path, why,
			strerror(errno));
	else
		pr_warn("state %s: %s; moved to %s, starting empty", path, why, aside);
}

int state__parse(struct agg *a, const char *buf, size_t len, char *why, size_t whylen)
{
	json_t *root = NULL;
	json_error_t jerr;
	const char *format = NULL;
	json_int_t version = 0;
	int err = -EINVAL;

	if (!len) {
		snprintf(why, whylen, "empty");
		goto cleanup;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(why, whylen, "not JSON (line %d column %d: %s)", jerr.line, jerr.column,
			 jerr.text);
		goto cleanup;
	}
	if (json_unpack(root, "{s:s, s:I}", "Format", &format, "Version", &version) ||
	    strcmp(format, format_name)) {
		snprintf(why, whylen, "not an rmmhunt state file");
		goto cleanup;
	}
	if (version != STATE_VERSION) {
		snprintf(why, whylen, "format version %lld, this rmmhunt reads %d",
			 (long long)version, STATE_VERSION);
		goto cleanup;
	}
	err = agg__load_json(a, root);
	if (err)
		snprintf(why, whylen, "%s", err == -ENOMEM ? "out of memory" : "malformed");
cleanup:
	json_decref(root);
	return err;
}

int state__load(struct agg *a, const char *path, int64_t now_us)
{
	char *buf = NULL, why[256];
	size_t len = 0;
	int err;

	err = file__read_at(AT_FDCWD, path, STATE_MAX_SIZE, 0, &buf, &len);
	if (err == -ENOENT) {
		pr_info("state %s: none yet, starting empty", path);
		return 0;
	}
	if (err == -ENOMEM)
		return err;
	if (err)
		snprintf(why, sizeof(why), "cannot be read: %s", strerror(-err));
	else
		err = state__parse(a, buf, len, why, sizeof(why));
	free(buf);
	if (err == -ENOMEM)
		return err;
	if (err) {
		set_aside(path, now_us, why);
		return 0;
	}
	pr_info("state %s: restored", path);
	return 0;
}

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = write(fd, s, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		s += k;
		n -= k;
	}
	return 0;
}

/* fsync of the directory makes the rename itself durable. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

int state__save(const struct agg *a, const char *path, int64_t now_us)
{
	char *dir_copy = strdup(path), *tmp = NULL, *text = NULL, ts[40];
	const char *dir = dir_copy ? dirname(dir_copy) : NULL;
	json_t *root = NULL;
	struct stat sb;
	int fd = -1, err = 0;

	if (!dir || asprintf(&tmp, "%s.tmp-XXXXXX", path) < 0) {
		tmp = NULL;
		err = -ENOMEM;
		goto cleanup;
	}
	root = agg__save_json(a);
	timefmt__format_rfc3339_us(now_us, ts, sizeof(ts));
	if (!root || json_object_set_new(root, "Format", json_string(format_name)) ||
	    json_object_set_new(root, "Version", json_integer(STATE_VERSION)) ||
	    json_object_set_new(root, "Saved", json_string(ts))) {
		err = -ENOMEM;
		goto cleanup;
	}
	text = json_dumps(root, JSON_COMPACT);
	if (!text) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* never replace what is not a state file (a device, a directory) */
	if (!lstat(path, &sb) && !S_ISREG(sb.st_mode)) {
		err = -EEXIST;
		goto cleanup;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		err = -errno;
		goto cleanup;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	err = write_all(fd, text, strlen(text));
	if (!err)
		err = write_all(fd, "\n", 1);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	fd = -1;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err) {
		unlink(tmp);
		goto cleanup;
	}
	err = sync_dir(dir);
cleanup:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (err)
		pr_warn("failed to save state %s: %s; still running", path, strerror(-err));
	json_decref(root);
	free(text);
	free(tmp);
	free(dir_copy);
	return err;
}
