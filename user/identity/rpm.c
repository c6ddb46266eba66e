// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "identity/pkg_field.h"
#include "identity/root.h"
#include "identity/rpm.h"

/* rpm header entry types (rpmtag.h). */
#define RPM_INT32_TYPE	      4
#define RPM_STRING_TYPE	      6
#define RPM_STRING_ARRAY_TYPE 8
#define RPM_I18NSTRING_TYPE   9

/* Newest location first: Fedora 36+ moved the database, leaving a symlink behind. */
static const char *const db_dirs[] = {"usr/lib/sysimage/rpm", "var/lib/rpm"};
#define DB_FILE "rpmdb.sqlite"
/* Berkeley DB (RHEL <= 8) and ndb (older SUSE) databases: recognised, not read. */
static const char *const legacy_paths[] = {
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
};

/* ---- header blobs: untrusted bytes ---- */

struct hdr {
	const unsigned char *index; /* il entries of 16 bytes */
	uint32_t il;
	const unsigned char *data;
	uint32_t dl;
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int hdr_init(struct hdr *h, const unsigned char *blob, size_t len)
{
	if (len < 8)
		return -EINVAL;
	h->il = be32(blob);
	h->dl = be32(blob + 4);
	if (!h->il || h->il > RPM_MAX_TAGS || h->dl > RPM_MAX_BLOB)
		return -EINVAL;
	if ((uint64_t)8 + (uint64_t)h->il * 16 + h->dl > len)
		return -EINVAL;
	h->index = blob + 8;
	h->data = h->index + (size_t)h->il * 16;
	return 0;
}

/* The entry of @tag: its type, data offset (checked to lie in the data) and count. */
static int hdr_find(const struct hdr *h, uint32_t tag, uint32_t *type, uint32_t *off,
		    uint32_t *count)
{
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *e = h->index + (size_t)i * 16;

		if (be32(e) != tag)
			continue;
		*type = be32(e + 4);
		*off = be32(e + 8);
		*count = be32(e + 12);
		if (*off >= h->dl || !*count)
			return -EINVAL;
		return 0;
	}
	return -ENOENT;
}

/* String @i of a string, string-array or i18n-string entry (i18n: the first locale). */
static int hdr_string(const struct hdr *h, uint32_t tag, uint32_t i, const char **s, size_t *n)
{
	uint32_t type, off, count;
	const unsigned char *p, *end = h->data + h->dl, *nul;
	int err = hdr_find(h, tag, &type, &off, &count);

	if (err)
		return err;
	if (type != RPM_STRING_TYPE && type != RPM_STRING_ARRAY_TYPE && type != RPM_I18NSTRING_TYPE)
		return -EINVAL;
	if (i >= count || (type == RPM_STRING_TYPE && i))
		return -EINVAL;
	p = h->data + off;
	/* Each step consumes at least one byte, so this ends within dl steps. */
	for (;;) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return -EINVAL;
		if (!i--)
			break;
		p = nul + 1;
		if (p >= end)
			return -EINVAL;
	}
	*s = (const char *)p;
	*n = (size_t)(nul - p);
	return 0;
}

static int hdr_int32(const struct hdr *h, uint32_t tag, uint32_t i, uint32_t *v)
{
	uint32_t type, off, count;
	int err = hdr_find(h, tag, &type, &off, &count);

	if (err)
		return err;
	if (type != RPM_INT32_TYPE || i >= count || off % 4 ||
	    (uint64_t)off + ((uint64_t)i + 1) * 4 > h->dl)
		return -EINVAL;
	*v = be32(h->data + off + (size_t)i * 4);
	return 0;
}

static bool span_is(const char *s, size_t n, const char *want)
{
	return strlen(want) == n && !memcmp(s, want, n);
}

int rpm__header_match(const void *blob, size_t len, uint32_t idx, const char *dir, const char *base,
		      struct pkg_info *out)
{
	const char *s, *rel = "";
	size_t n, rel_len = 0;
	uint32_t dirindex;
	struct hdr h;
	int err;

	err = hdr_init(&h, blob, len);
	if (err)
		return err;
	if (hdr_string(&h, RPMTAG_BASENAMES, idx, &s, &n) || !span_is(s, n, base))
		return -ENOENT;
	if (hdr_int32(&h, RPMTAG_DIRINDEXES, idx, &dirindex) ||
	    hdr_string(&h, RPMTAG_DIRNAMES, dirindex, &s, &n) || !span_is(s, n, dir))
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	if (hdr_string(&h, RPMTAG_NAME, 0, &s, &n))
		return -EINVAL;
	pkg_field__set(out->name, s, n);
	if (!out->name[0]) /* empty or only blanks */
		return -EINVAL;
	if (!hdr_string(&h, RPMTAG_VERSION, 0, &s, &n)) {
		char version[PKG_FIELD_MAX * 2 + 2];
		int vl = (int)(n < PKG_FIELD_MAX ? n : PKG_FIELD_MAX);

		/* Version-Release, as `rpm -q` prints it (without the epoch). */
		if (!hdr_string(&h, RPMTAG_RELEASE, 0, &rel, &rel_len) && rel_len)
			snprintf(version, sizeof(version), "%.*s-%.*s", vl, s,
				 (int)(rel_len < PKG_FIELD_MAX ? rel_len : PKG_FIELD_MAX), rel);
		else
			snprintf(version, sizeof(version), "%.*s", vl, s);
		pkg_field__set(out->version, version, strlen(version));
	}
	if (!hdr_string(&h, RPMTAG_VENDOR, 0, &s, &n))
		pkg_field__set(out->vendor, s, n);
	out->source = "rpm";
	return 0;
}

/* ---- the sqlite database ---- */

/*
 * sqlite's unix VFS expands symlinks in the name it is given, which would turn
 * /proc/self/fd/N back into a path text resolved outside the root. This VFS is
 * the unix one with the name taken verbatim, so open() walks the magic link
 * itself and lands in exactly the directory root__open() found.
 */
static sqlite3_vfs fd_vfs;
static pthread_once_t fd_vfs_once = PTHREAD_ONCE_INIT;
static int fd_vfs_err;

static int fullpath_verbatim(sqlite3_vfs *vfs, const char *name, int size, char *out)
{
	size_t n = strlen(name);

	if (n + 1 > (size_t)size)
		return SQLITE_CANTOPEN;
	memcpy(out, name, n + 1);
	return SQLITE_OK;
}

static void fd_vfs_init(void)
{
	sqlite3_vfs *unix_vfs = sqlite3_vfs_find("unix");

	if (!unix_vfs) {
		fd_vfs_err = -ENOTSUP;
		return;
	}
	fd_vfs = *unix_vfs;
	fd_vfs.pNext = NULL;
	fd_vfs.zName = "rmmhunt-fd";
	fd_vfs.xFullPathname = fullpath_verbatim;
	if (sqlite3_vfs_register(&fd_vfs, 0) != SQLITE_OK)
		fd_vfs_err = -ENOTSUP;
}

static int progress_cb(void *arg)
{
	unsigned int *steps = arg;

	*steps += 1000;
	return *steps > RPM_MAX_VM_STEPS;
}

static int open_db(int dir_fd, sqlite3 **db, unsigned int *steps)
{
	char uri[64];
	sqlite3_stmt *st = NULL;
	int err = 0, tables = 0;

	pthread_once(&fd_vfs_once, fd_vfs_init);
	if (fd_vfs_err)
		return fd_vfs_err;
	/*
	 * Through the directory found in the root: sqlite opens the last component
	 * with O_NOFOLLOW, so the file is that directory's own. immutable: no
	 * locking, and no -wal/-shm files opened next to it.
	 */
	snprintf(uri, sizeof(uri), "file:/proc/self/fd/%d/" DB_FILE "?immutable=1", dir_fd);
	if (sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, fd_vfs.zName) !=
	    SQLITE_OK) {
		err = -EIO;
		goto cleanup;
	}
	/* The file is the container's: no triggers, views or schema-defined functions. */
	sqlite3_db_config(*db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(*db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
	sqlite3_db_config(*db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
	sqlite3_limit(*db, SQLITE_LIMIT_LENGTH, RPM_MAX_BLOB);
	sqlite3_progress_handler(*db, 1000, progress_cb, steps);
	if (sqlite3_prepare_v2(*db,
			       "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
			       "name IN ('Packages', 'Basenames')",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		err = -EIO;
		goto cleanup;
	}
	tables = sqlite3_column_int(st, 0);
	if (tables != 2)
		err = -ENOTSUP;
cleanup:
	sqlite3_finalize(st);
	if (err && *db) {
		pr_debug("rpm: cannot use the rpmdb: %s", sqlite3_errmsg(*db));
		sqlite3_close(*db);
		*db = NULL;
	}
	return err;
}

/* Every package listing a file named @base, checked against @dir in its header. */
static int query(sqlite3 *db, const char *dir, const char *base, struct pkg_info *out)
{
	sqlite3_stmt *st = NULL;
	int err = -ENOENT, rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT b.idx, p.blob FROM Basenames b JOIN Packages p "
			       "ON p.hnum = b.hnum WHERE b.key = ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		pr_debug("rpm: bad rpmdb: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	sqlite3_bind_text(st, 1, base, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 idx = sqlite3_column_int64(st, 0);
		const void *blob = sqlite3_column_blob(st, 1);
		int len = sqlite3_column_bytes(st, 1);

		if (idx < 0 || idx > UINT32_MAX || !blob || len <= 0)
			continue;
		if (!rpm__header_match(blob, (size_t)len, (uint32_t)idx, dir, base, out)) {
			err = 0;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = -EIO;
	sqlite3_finalize(st);
	return err;
}

/* /usr/bin/ls -> "/usr/bin/" and "ls", as rpm stores them. */
static int split(const char *path, char *dir, size_t size, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash || !slash[1])
		return -ENOENT;
	n = (size_t)(slash - path) + 1;
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	*base = slash + 1;
	return 0;
}

/* The directory holding the sqlite database, or -ENOTSUP/-ENOENT. */
static int find_db_dir(int root_fd)
{
	struct stat st;
	int fd;

	for (size_t i = 0; i < sizeof(db_dirs) / sizeof(db_dirs[0]); i++) {
		fd = root__open(root_fd, db_dirs[i], O_PATH | O_DIRECTORY);
		if (fd < 0)
			continue;
		if (!fstatat(fd, DB_FILE, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode))
			return fd;
		close(fd);
	}
	for (size_t i = 0; i < sizeof(legacy_paths) / sizeof(legacy_paths[0]); i++)
		if (!root__stat(root_fd, legacy_paths[i], &st))
			return -ENOTSUP;
	return -ENOENT;
}

int rpm__lookup(int root_fd, const char *path, struct pkg_info *out)
{
	char alt[PATH_MAX + 8], dir[PATH_MAX];
	const char *base;
	unsigned int steps = 0;
	sqlite3 *db = NULL;
	int fd, err;

	if (!path || path[0] != '/' || strlen(path) > PATH_MAX)
		return -EINVAL;
	fd = find_db_dir(root_fd);
	if (fd < 0)
		return fd;
	err = open_db(fd, &db, &steps);
	if (err)
		goto cleanup;
	err = split(path, dir, sizeof(dir), &base);
	if (!err)
		err = query(db, dir, base, out);
	if (err == -ENOENT && root__usr_alt_path(root_fd, path, alt, sizeof(alt)) &&
	    !split(alt, dir, sizeof(dir), &base))
		err = query(db, dir, base, out);
cleanup:
	sqlite3_close(db);
	close(fd);
	return err;
}
