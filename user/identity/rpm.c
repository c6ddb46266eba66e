// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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
#define RPM_BIN_TYPE	      7
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

/* ---- signatures ---- */

static const uint8_t header_magic[8] = {0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0};

/* The immutable region: rpm's hdrblobVerifyRegion() checks, each bound checked. */
static int region(const struct hdr *h, struct rpm_signed *out)
{
	const unsigned char *e = h->index, *trailer;
	uint32_t off, ril, rdl;
	int32_t toff;

	if (be32(e) != RPMTAG_HEADERIMMUTABLE)
		return -ENOENT;
	off = be32(e + 8);
	if (be32(e + 4) != RPM_BIN_TYPE || be32(e + 12) != 16 || (uint64_t)off + 16 > h->dl)
		return -EINVAL;
	trailer = h->data + off;
	toff = (int32_t)be32(trailer + 8);
	if (be32(trailer) != RPMTAG_HEADERIMMUTABLE || be32(trailer + 4) != RPM_BIN_TYPE ||
	    be32(trailer + 12) != 16 || toff >= 0 || toff == INT32_MIN || -toff % 16)
		return -EINVAL;
	ril = (uint32_t)-toff / 16;
	rdl = off + 16;
	if (ril > h->il)
		return -EINVAL;
	out->ildl[0] = (uint8_t)(ril >> 24);
	out->ildl[1] = (uint8_t)(ril >> 16);
	out->ildl[2] = (uint8_t)(ril >> 8);
	out->ildl[3] = (uint8_t)ril;
	out->ildl[4] = (uint8_t)(rdl >> 24);
	out->ildl[5] = (uint8_t)(rdl >> 16);
	out->ildl[6] = (uint8_t)(rdl >> 8);
	out->ildl[7] = (uint8_t)rdl;
	out->region[0] = (struct pgp_chunk){header_magic, sizeof(header_magic)};
	out->region[1] = (struct pgp_chunk){out->ildl, sizeof(out->ildl)};
	out->region[2] = (struct pgp_chunk){h->index, (size_t)ril * 16};
	out->region[3] = (struct pgp_chunk){h->data, rdl};
	return 0;
}

static void add_binary_sig(const struct hdr *h, uint32_t tag, struct rpm_signed *out)
{
	uint32_t type, off, count;

	if (out->n_sigs >= PKG_MAX_SIGS || hdr_find(h, tag, &type, &off, &count) ||
	    type != RPM_BIN_TYPE || (uint64_t)off + count > h->dl)
		return;
	out->sig[out->n_sigs++] = (struct pgp_bytes){h->data + off, count};
}

int rpm__header_signatures(const void *blob, size_t len, struct rpm_signed *out)
{
	uint32_t type, off, count;
	struct hdr h;
	int err;

	out->n_sigs = 0;
	err = hdr_init(&h, blob, len);
	if (err)
		return err;
	err = region(&h, out);
	if (err)
		return err;
	add_binary_sig(&h, RPMTAG_RSAHEADER, out);
	add_binary_sig(&h, RPMTAG_DSAHEADER, out);
	if (!hdr_find(&h, RPMTAG_OPENPGP, &type, &off, &count) && type == RPM_STRING_ARRAY_TYPE) {
		for (uint32_t i = 0; i < count && i < PKG_MAX_SIGS && out->n_sigs < PKG_MAX_SIGS;
		     i++) {
			const char *s;
			size_t n;
			long got;

			if (hdr_string(&h, RPMTAG_OPENPGP, i, &s, &n))
				break;
			got = pgp__base64(s, n, out->buf[out->n_sigs], RPM_MAX_SIG);
			if (got > 0) {
				out->sig[out->n_sigs].p = out->buf[out->n_sigs];
				out->sig[out->n_sigs].n = (size_t)got;
				out->n_sigs++;
			}
		}
	}
	return 0;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void copy_str(char *out, size_t size, const char *s)
{
	snprintf(out, size, "%s", s);
}

int rpm__check_signature(const struct rpm_signed *hs, unsigned int i, const struct pgp_key *key,
			 struct pkg_sig *out)
{
	uint8_t keyid[PGP_KEYID_LEN];
	const struct pgp_pubkey *k;
	struct pgp_sig sig;
	const char *reason;
	int err;

	if (i >= hs->n_sigs)
		return -EINVAL;
	err = pgp__parse_sig(hs->sig[i].p, hs->sig[i].n, &sig);
	if (err) {
		memset(out, 0, sizeof(*out));
		out->reason =
		    err == -ENOTSUP ? "signature version not supported" : "malformed signature";
		return -EINVAL;
	}
	if (sig.has_keyid)
		memcpy(keyid, sig.keyid, sizeof(keyid));
	else if (sig.fpr_len == 20)
		memcpy(keyid, sig.fpr + 20 - PGP_KEYID_LEN, sizeof(keyid));
	else
		memset(keyid, 0, sizeof(keyid));
	k = key && (sig.has_keyid || sig.fpr_len == 20) ? pgp__find_key(key, keyid) : NULL;
	if (key && !k)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	copy_str(out->digest_alg, sizeof(out->digest_alg), pgp__hash_name(sig.hash_algo));
	copy_str(out->pk_alg, sizeof(out->pk_alg), pgp__pk_name(sig.pk_algo));
	if (sig.has_keyid || sig.fpr_len == 20)
		hex(out->keyid, keyid, sizeof(keyid));
	if (sig.fpr_len)
		hex(out->fingerprint, sig.fpr, sig.fpr_len);
	out->has_created = sig.has_created;
	out->created = sig.created;
	if (!k) {
		out->reason = "key not in the rpmdb";
		return 0;
	}
	out->has_key = true;
	hex(out->fingerprint, k->fpr, sizeof(k->fpr));
	hex(out->issuer_fpr, key->primary.fpr, sizeof(key->primary.fpr));
	copy_str(out->signer, sizeof(out->signer), key->userid);
	copy_str(out->issuer, sizeof(out->issuer), key->userid);
	if (sig.fpr_len &&
	    (sig.fpr_len != sizeof(k->fpr) || memcmp(sig.fpr, k->fpr, sig.fpr_len))) {
		out->reason = "issuer fingerprint is another key's";
		return 0;
	}
	if (sig.type != 0x00) {
		out->reason = "not a signature of binary data";
		return 0;
	}
	err = pgp__verify(k, &sig, hs->region, 4, &reason);
	if (err == -ENOMEM)
		return err;
	out->is_signed = !err;
	out->reason = err ? reason : NULL;
	return 0;
}

/* A user id from the header of a key: "NAME <EMAIL>" from Packager, or Summary's "... public key".
 */
static void header_userid(const struct hdr *h, char *out, size_t size)
{
	static const char suffix[] = " public key";
	const char *s;
	size_t n;

	if (!hdr_string(h, RPMTAG_PACKAGER, 0, &s, &n) && n) {
		snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
		return;
	}
	if (!hdr_string(h, RPMTAG_SUMMARY, 0, &s, &n)) {
		if (n > sizeof(suffix) - 1 &&
		    !memcmp(s + n - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1))
			n -= sizeof(suffix) - 1;
		snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), s);
	}
}

int rpm__pubkey_header(const void *blob, size_t len, uint8_t **buf, struct pgp_key *key)
{
	const char *s;
	size_t n;
	long got = -EINVAL;
	struct hdr h;
	int err;

	*buf = NULL;
	err = hdr_init(&h, blob, len);
	if (err)
		return err;
	/* the key's packets in base64; else the armored block of the description */
	if (!hdr_string(&h, RPMTAG_PUBKEYS, 0, &s, &n) && n && n / 4 * 3 + 3 <= RPM_MAX_KEY) {
		*buf = malloc(n / 4 * 3 + 3);
		if (!*buf)
			return -ENOMEM;
		got = pgp__base64(s, n, *buf, n / 4 * 3 + 3);
	}
	if (got <= 0 && !hdr_string(&h, RPMTAG_DESCRIPTION, 0, &s, &n) && n &&
	    n / 4 * 3 + 3 <= RPM_MAX_KEY) {
		free(*buf);
		*buf = malloc(n / 4 * 3 + 3);
		if (!*buf)
			return -ENOMEM;
		got = pgp__dearmor(s, n, *buf, n / 4 * 3 + 3);
	}
	if (got <= 0)
		return -EINVAL;
	err = pgp__parse_key(*buf, (size_t)got, key);
	if (err)
		return err;
	if (!key->userid[0])
		header_userid(&h, key->userid, sizeof(key->userid));
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

/*
 * The signatures of header @blob, checked with the keys of the rpmdb's
 * gpg-pubkey entries: the first that verifies goes first.
 */
static int read_signatures(sqlite3 *db, const void *blob, size_t len, struct pkg_sigs *out)
{
	struct rpm_signed *hs = malloc(sizeof(*hs));
	struct pgp_key *key = malloc(sizeof(*key));
	sqlite3_stmt *st = NULL;
	unsigned int rows = 0;
	int err = 0, rc;

	out->n = 0;
	if (!hs || !key) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (rpm__header_signatures(blob, len, hs) || !hs->n_sigs)
		goto cleanup; /* nothing that can be checked */
	for (unsigned int i = 0; i < hs->n_sigs; i++) {
		err = rpm__check_signature(hs, i, NULL, &out->sig[i]);
		if (err == -ENOMEM)
			goto cleanup;
	}
	out->n = hs->n_sigs;
	err = 0;
	/* An rpmdb without the Name index has no key to find. */
	if (sqlite3_prepare_v2(db,
			       "SELECT p.blob FROM Name n JOIN Packages p ON p.hnum = n.hnum "
			       "WHERE n.key = 'gpg-pubkey'",
			       -1, &st, NULL) != SQLITE_OK)
		goto cleanup;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows++ < RPM_MAX_KEYS) {
		const void *kb = sqlite3_column_blob(st, 0);
		int kl = sqlite3_column_bytes(st, 0);
		uint8_t *buf = NULL;

		if (kb && kl > 0 && !rpm__pubkey_header(kb, (size_t)kl, &buf, key)) {
			for (unsigned int i = 0; i < out->n; i++) {
				struct pkg_sig found;

				/* the first key that verifies it, else the first with its id */
				if (out->sig[i].is_signed)
					continue;
				err = rpm__check_signature(hs, i, key, &found);
				if (err == -ENOMEM) {
					free(buf);
					goto cleanup;
				}
				if (!err && (found.is_signed || !out->sig[i].has_key))
					out->sig[i] = found;
			}
			err = 0;
		}
		free(buf);
	}
	for (unsigned int i = 1; i < out->n; i++) {
		if (out->sig[i].is_signed && !out->sig[0].is_signed) {
			struct pkg_sig t = out->sig[0];

			out->sig[0] = out->sig[i];
			out->sig[i] = t;
			break;
		}
	}
cleanup:
	sqlite3_finalize(st);
	free(key);
	free(hs);
	return err;
}

/* Every package listing a file named @base, checked against @dir in its header. */
static int query(sqlite3 *db, const char *dir, const char *base, struct pkg_info *out,
		 struct pkg_sigs *sigs)
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
			/* a package found but its signatures not read is still found */
			if (sigs && read_signatures(db, blob, (size_t)len, sigs))
				sigs->n = 0;
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
	return rpm__lookup_signed(root_fd, path, out, NULL);
}

int rpm__lookup_signed(int root_fd, const char *path, struct pkg_info *out, struct pkg_sigs *sigs)
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
		err = query(db, dir, base, out, sigs);
	if (err == -ENOENT && root__usr_alt_path(root_fd, path, alt, sizeof(alt)) &&
	    !split(alt, dir, sizeof(dir), &base))
		err = query(db, dir, base, out, sigs);
cleanup:
	sqlite3_close(db);
	close(fd);
	return err;
}
