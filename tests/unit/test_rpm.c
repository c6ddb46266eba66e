// SPDX-License-Identifier: MIT
/* rpm: a package built with rpmbuild at test time, registered in a sqlite rpmdb of a fake root. */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "event.h"
#include "identity/certinfo.h"
#include "identity/package.h"
#include "identity/rpm.h"
#include "pkg_tree.h"

static const char spec[] = "Name: rmmtest-rpm\n"
			   "Version: 1.2.3\n"
			   "Release: 4.fc40\n"
			   "Epoch: 2\n"
			   "Summary: rmmhunt test package\n"
			   "License: MIT\n"
			   "Vendor: Atera Networks\n"
			   "BuildArch: noarch\n"
			   "%description\n"
			   "Test.\n"
			   "%install\n"
			   "mkdir -p %{buildroot}/usr/bin %{buildroot}/opt/agent\n"
			   "echo x > %{buildroot}/usr/bin/rmmtest-rpm\n"
			   "echo x > %{buildroot}/opt/agent/AgentPackageRunCommand\n"
			   "%files\n"
			   "/usr/bin/rmmtest-rpm\n"
			   "/opt/agent/AgentPackageRunCommand\n";

struct fx {
	char top[PATH_MAX];
	char root[PATH_MAX]; /* merged-/usr, database in var/lib/rpm */
	char db[PATH_MAX];
	int root_fd;
};

static int run(const char *fmt, ...)
{
	char cmd[PATH_MAX * 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Builds the package once and installs it (database only) into root/. */
static int group_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	*state = fx;
	tree_new(fx->top, sizeof(fx->top));
	if (run("command -v rpmbuild >/dev/null"))
		return 0; /* every test skips */
	tree_puts(fx->top, "t.spec", spec);
	tree_path(fx->root, sizeof(fx->root), fx->top, "root");
	tree_symlink(fx->root, "bin", "usr/bin");
	tree_mkdir(fx->root, "usr/bin");
	if (run("rpmbuild -bb --quiet --define '_topdir %s/top' '%s/t.spec' >/dev/null 2>&1",
		fx->top, fx->top) ||
	    run("rpm --root '%s' --dbpath /var/lib/rpm -i --justdb --nodeps --noscripts "
		"'%s'/top/RPMS/noarch/*.rpm 2>/dev/null",
		fx->root, fx->top))
		return -1;
	tree_path(fx->db, sizeof(fx->db), fx->root, "var/lib/rpm/rpmdb.sqlite");
	fx->root_fd = tree_open(fx->root);
	return 0;
}

static int group_teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->root_fd > 0)
		close(fx->root_fd);
	tree_remove(fx->top);
	free(fx);
	return 0;
}

static struct fx *need_rpm(void **state)
{
	struct fx *fx = *state;

	if (!fx->root_fd)
		skip();
	return fx;
}

static void rpm_lookup__installed_file__vendor_name_version_release(void **state)
{
	struct fx *fx = need_rpm(state);
	struct pkg_info pi;

	assert_int_equal(rpm__lookup(fx->root_fd, "/usr/bin/rmmtest-rpm", &pi), 0);
	assert_string_equal(pi.name, "rmmtest-rpm");
	assert_string_equal(pi.version, "1.2.3-4.fc40");
	assert_string_equal(pi.vendor, "Atera Networks");
	assert_string_equal(pi.source, "rpm");
	assert_int_equal(rpm__lookup(fx->root_fd, "/opt/agent/AgentPackageRunCommand", &pi), 0);
	assert_string_equal(pi.name, "rmmtest-rpm");
}

static void rpm_lookup__merged_usr_and_wrong_dir(void **state)
{
	struct fx *fx = need_rpm(state);
	struct pkg_info pi;

	assert_int_equal(rpm__lookup(fx->root_fd, "/bin/rmmtest-rpm", &pi), 0);
	assert_string_equal(pi.name, "rmmtest-rpm");
	/* Same basename in another directory: not this package's file. */
	assert_int_equal(rpm__lookup(fx->root_fd, "/usr/sbin/rmmtest-rpm", &pi), -ENOENT);
	assert_int_equal(rpm__lookup(fx->root_fd, "/usr/bin/other", &pi), -ENOENT);
	assert_int_equal(rpm__lookup(fx->root_fd, "/usr/bin/", &pi), -ENOENT);
}

static void rpm_lookup__sysimage_location_and_package_lookup(void **state)
{
	struct fx *fx = need_rpm(state);
	struct pkg_info pi;
	char fedora[PATH_MAX];
	int fd;

	/* Fedora 36+: the database in /usr/lib/sysimage/rpm. */
	tree_path(fedora, sizeof(fedora), fx->top, "fedora");
	tree_mkdir(fedora, "usr/lib/sysimage/rpm");
	assert_int_equal(run("cp '%s' '%s/usr/lib/sysimage/rpm/'", fx->db, fedora), 0);
	fd = tree_open(fedora);
	assert_int_equal(package__lookup(fd, "/usr/bin/rmmtest-rpm", -1, &pi), 0);
	assert_string_equal(pi.source, "rpm");
	assert_string_equal(pi.vendor, "Atera Networks");
	close(fd);
}

static void rpm_lookup__escaping_db_symlink__not_followed(void **state)
{
	struct fx *fx = need_rpm(state);
	struct pkg_info pi;
	char evil[PATH_MAX], rpmdir[PATH_MAX];
	int fd;

	/* A container whose rpm directory points at the host's (here: root/'s) database. */
	tree_path(evil, sizeof(evil), fx->top, "evil");
	tree_path(rpmdir, sizeof(rpmdir), fx->root, "var/lib/rpm");
	tree_symlink(evil, "var/lib/rpm", rpmdir);
	fd = tree_open(evil);
	assert_int_equal(rpm__lookup(fd, "/usr/bin/rmmtest-rpm", &pi), -ENOENT);
	assert_int_equal(package__lookup(fd, "/usr/bin/rmmtest-rpm", -1, &pi), -ENOENT);
	close(fd);
}

static void rpm_lookup__legacy_garbage_and_hostile_databases(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char dir[PATH_MAX], db[PATH_MAX], garbage[8192];
	sqlite3 *h;
	int fd;

	/* Berkeley DB only (RHEL 8): recognised, not read. */
	tree_path(dir, sizeof(dir), fx->top, "rhel8");
	tree_puts(dir, "var/lib/rpm/Packages", "\0\0\0\0bdb");
	fd = tree_open(dir);
	assert_int_equal(rpm__lookup(fd, "/usr/bin/ls", &pi), -ENOTSUP);
	close(fd);

	tree_path(dir, sizeof(dir), fx->top, "garbage");
	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 31 + 7);
	tree_write(dir, "var/lib/rpm/rpmdb.sqlite", garbage, sizeof(garbage));
	fd = tree_open(dir);
	assert_int_equal(rpm__lookup(fd, "/usr/bin/ls", &pi), -EIO);
	close(fd);

	/* Basenames as a view running an endless recursive query: refused, no hang. */
	tree_path(dir, sizeof(dir), fx->top, "hostile");
	tree_mkdir(dir, "var/lib/rpm");
	tree_path(db, sizeof(db), dir, "var/lib/rpm/rpmdb.sqlite");
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(h,
			 "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB);"
			 "CREATE VIEW Basenames AS WITH RECURSIVE c(x) AS (SELECT 1 "
			 "UNION ALL SELECT x + 1 FROM c) SELECT 'ls' AS key, x AS hnum, "
			 "0 AS idx FROM c;",
			 NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	fd = tree_open(dir);
	assert_int_equal(rpm__lookup(fd, "/usr/bin/ls", &pi), -ENOTSUP);
	close(fd);
}

/* The header blob of the one installed package, read with plain sqlite. */
static void *installed_blob(const struct fx *fx, size_t *len)
{
	sqlite3_stmt *st;
	sqlite3 *h;
	void *blob;

	assert_int_equal(sqlite3_open_v2(fx->db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT blob FROM Packages", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*len = (size_t)sqlite3_column_bytes(st, 0);
	blob = malloc(*len);
	memcpy(blob, sqlite3_column_blob(st, 0), *len);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return blob;
}

static void rpm_header_match__truncated_and_corrupted__bounded(void **state)
{
	struct fx *fx = need_rpm(state);
	struct pkg_info pi;
	unsigned char *blob;
	size_t len;

	blob = installed_blob(fx, &len);
	/* Which file index is which depends on rpm's sort: one of the two must match. */
	assert_true(!rpm__header_match(blob, len, 0, "/usr/bin/", "rmmtest-rpm", &pi) ||
		    !rpm__header_match(blob, len, 1, "/usr/bin/", "rmmtest-rpm", &pi));
	assert_string_equal(pi.version, "1.2.3-4.fc40");
	assert_int_equal(rpm__header_match(blob, len, 7, "/usr/bin/", "rmmtest-rpm", &pi), -ENOENT);
	/* Every prefix in its own allocation: ASan catches any read past it. */
	for (size_t n = 0; n < len; n++) {
		unsigned char *cut = malloc(n ? n : 1);

		memcpy(cut, blob, n);
		assert_int_not_equal(rpm__header_match(cut, n, 0, "/usr/bin/", "rmmtest-rpm", &pi),
				     0);
		free(cut);
	}
	/* Tag count and data length far beyond the blob. */
	memset(blob, 0xff, 8);
	assert_int_equal(rpm__header_match(blob, len, 0, "/usr/bin/", "rmmtest-rpm", &pi), -EINVAL);
	free(blob);
}

/* ---- package signatures: tests/fixtures/rpm/signed.sh's packages and roots ---- */

struct sfx {
	char dir[PATH_MAX];
	int root_fd, nokey_fd, tampered_fd;
	char rsa_fpr[41], ed_fpr[41]; /* as gpg lists them, lower-case */
};

/* The fingerprint gpg lists for @email, lower-case, into @out. */
static int gpg_fpr(const char *dir, const char *email, char *out)
{
	char cmd[PATH_MAX * 2], line[256];
	FILE *f;
	int found = 0;

	snprintf(cmd, sizeof(cmd),
		 "GNUPGHOME='%s/gnupg' gpg --with-colons --fingerprint '%s' 2>/dev/null", dir,
		 email);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!found && !strncmp(line, "fpr:::::::::", 12) && strlen(line) >= 52) {
			for (int i = 0; i < 40; i++)
				out[i] = (char)tolower((unsigned char)line[12 + i]);
			out[40] = '\0';
			found = 1;
		}
	pclose(f);
	return found ? 0 : -1;
}

static int sig_setup(void **state)
{
	struct sfx *fx = calloc(1, sizeof(*fx));
	char path[PATH_MAX];

	*state = fx;
	tree_new(fx->dir, sizeof(fx->dir));
	if (run("command -v rpmbuild >/dev/null && command -v gpg >/dev/null"))
		return 0; /* every test skips */
	if (run("tests/fixtures/rpm/signed.sh '%s' >/dev/null", fx->dir) ||
	    gpg_fpr(fx->dir, "rpm@atera.test", fx->rsa_fpr) ||
	    gpg_fpr(fx->dir, "ed@atera.test", fx->ed_fpr))
		return -1;
	tree_path(path, sizeof(path), fx->dir, "root");
	fx->root_fd = tree_open(path);
	tree_path(path, sizeof(path), fx->dir, "nokey");
	fx->nokey_fd = tree_open(path);
	tree_path(path, sizeof(path), fx->dir, "tampered");
	fx->tampered_fd = tree_open(path);
	return 0;
}

static int sig_teardown(void **state)
{
	struct sfx *fx = *state;

	if (fx->root_fd > 0) {
		close(fx->root_fd);
		close(fx->nokey_fd);
		close(fx->tampered_fd);
	}
	tree_remove(fx->dir);
	free(fx);
	return 0;
}

static struct sfx *need_sigs(void **state)
{
	struct sfx *fx = *state;

	if (!fx->root_fd)
		skip();
	return fx;
}

static void rpm_signed__rsa_key_in_rpmdb__verified(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct pkg_sigs sigs;
	struct pkg_info pi;

	assert_int_equal(rpm__lookup_signed(fx->root_fd, "/usr/bin/rmmtest-signed", &pi, &sigs), 0);
	assert_string_equal(pi.name, "rmmtest-signed");
	assert_int_equal(sigs.n, 1);
	assert_true(sigs.sig[0].is_signed);
	assert_null(sigs.sig[0].reason);
	assert_true(sigs.sig[0].has_key);
	assert_string_equal(sigs.sig[0].signer, "Atera Networks Test <rpm@atera.test>");
	assert_string_equal(sigs.sig[0].issuer, sigs.sig[0].signer);
	assert_string_equal(sigs.sig[0].fingerprint, fx->rsa_fpr);
	assert_string_equal(sigs.sig[0].issuer_fpr, fx->rsa_fpr);
	/* the key id: the fingerprint's low 64 bits */
	assert_string_equal(sigs.sig[0].keyid, fx->rsa_fpr + 24);
	assert_string_equal(sigs.sig[0].pk_alg, "RSA");
	assert_string_equal(sigs.sig[0].digest_alg, "SHA512");
	assert_true(sigs.sig[0].has_created);
	assert_true(sigs.sig[0].created > 1600000000);
	/* rpm__lookup alone does not read them */
	assert_int_equal(rpm__lookup(fx->root_fd, "/usr/bin/rmmtest-signed", &pi), 0);
}

static void rpm_signed__eddsa__verified(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct pkg_sigs sigs;
	struct pkg_info pi;

	assert_int_equal(
	    package__lookup_signed(fx->root_fd, "/usr/bin/rmmtest-eddsa", -1, &pi, &sigs), 0);
	assert_int_equal(sigs.n, 1);
	assert_true(sigs.sig[0].is_signed);
	assert_string_equal(sigs.sig[0].pk_alg, "EdDSA");
	assert_string_equal(sigs.sig[0].signer, "EdDSA Test Signer <ed@atera.test>");
	assert_string_equal(sigs.sig[0].fingerprint, fx->ed_fpr);
}

static void rpm_signed__unsigned_package__no_signature(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct pkg_sigs sigs = {.n = 9};
	struct pkg_info pi;

	assert_int_equal(
	    package__lookup_signed(fx->root_fd, "/usr/bin/rmmtest-unsigned", -1, &pi, &sigs), 0);
	assert_string_equal(pi.source, "rpm");
	assert_int_equal(sigs.n, 0);
}

static void rpm_signed__key_not_imported__key_id_only(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct pkg_sigs sigs;
	struct pkg_info pi;

	assert_int_equal(rpm__lookup_signed(fx->nokey_fd, "/usr/bin/rmmtest-signed", &pi, &sigs),
			 0);
	assert_int_equal(sigs.n, 1);
	assert_false(sigs.sig[0].is_signed);
	assert_false(sigs.sig[0].has_key);
	assert_string_equal(sigs.sig[0].reason, "key not in the rpmdb");
	assert_string_equal(sigs.sig[0].keyid, fx->rsa_fpr + 24);
	/* gpg writes the issuer fingerprint subpacket: the signature names its key */
	assert_string_equal(sigs.sig[0].fingerprint, fx->rsa_fpr);
	assert_string_equal(sigs.sig[0].signer, "");
}

static void rpm_signed__header_changed_after_install__not_signed(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct pkg_sigs sigs;
	struct pkg_info pi;

	assert_int_equal(rpm__lookup_signed(fx->tampered_fd, "/usr/bin/rmmtest-signed", &pi, &sigs),
			 0);
	assert_string_equal(pi.vendor, "Atera Networkz");
	assert_int_equal(sigs.n, 1);
	assert_false(sigs.sig[0].is_signed);
	assert_true(sigs.sig[0].has_key);
	assert_string_equal(sigs.sig[0].signer, "Atera Networks Test <rpm@atera.test>");
	assert_string_equal(sigs.sig[0].reason, "digest mismatch");
}

/* The header blob of package @name in root @root of the fixture (malloc'd). */
static uint8_t *fixture_blob(const struct sfx *fx, const char *root, const char *name, size_t *len)
{
	char db[PATH_MAX], rel[PATH_MAX];
	sqlite3_stmt *st;
	sqlite3 *h;
	uint8_t *blob;

	snprintf(rel, sizeof(rel), "%s/var/lib/rpm/rpmdb.sqlite", root);
	tree_path(db, sizeof(db), fx->dir, rel);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT p.blob FROM Packages p JOIN Name n "
					    "ON n.hnum = p.hnum WHERE n.key = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*len = (size_t)sqlite3_column_bytes(st, 0);
	blob = malloc(*len);
	memcpy(blob, sqlite3_column_blob(st, 0), *len);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return blob;
}

static void rpm_check_signature__signature_or_key_tampered__refused(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct rpm_signed *hs = malloc(sizeof(*hs));
	struct pgp_key key, *key2 = malloc(sizeof(*key2));
	size_t len;
	uint8_t *blob = fixture_blob(fx, "root", "rmmtest-signed", &len), *kbuf = NULL;
	struct pkg_sig out;

	assert_int_equal(rpm__header_signatures(blob, len, hs), 0);
	assert_int_equal(hs->n_sigs, 1);
	/* both gpg-pubkey rows share the name: the RSA one is the one that matches */
	{
		char db[PATH_MAX];
		sqlite3_stmt *st;
		sqlite3 *h;
		int found = 0;

		tree_path(db, sizeof(db), fx->dir, "root/var/lib/rpm/rpmdb.sqlite");
		assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(h,
						    "SELECT p.blob FROM Packages p JOIN Name n ON "
						    "n.hnum = p.hnum WHERE n.key = 'gpg-pubkey'",
						    -1, &st, NULL),
				 SQLITE_OK);
		while (!found && sqlite3_step(st) == SQLITE_ROW) {
			free(kbuf);
			assert_int_equal(rpm__pubkey_header(sqlite3_column_blob(st, 0),
							    (size_t)sqlite3_column_bytes(st, 0),
							    &kbuf, &key),
					 0);
			found = rpm__check_signature(hs, 0, &key, &out) == 0;
		}
		sqlite3_finalize(st);
		sqlite3_close(h);
		assert_true(found);
	}
	assert_true(out.is_signed);
	assert_string_equal(key.userid, "Atera Networks Test <rpm@atera.test>");

	/* the signature's last byte changed: its left 16 bits still match, RSA refuses it */
	((uint8_t *)hs->sig[0].p)[hs->sig[0].n - 1] ^= 1;
	assert_int_equal(rpm__check_signature(hs, 0, &key, &out), 0);
	assert_false(out.is_signed);
	assert_true(out.has_key);
	assert_string_equal(out.reason, "bad signature");
	((uint8_t *)hs->sig[0].p)[hs->sig[0].n - 1] ^= 1;

	/* a byte of the key's modulus changed: its fingerprint, so its key id, follows */
	((uint8_t *)key.primary.body.p)[20] ^= 1;
	assert_int_equal(
	    pgp__parse_key(kbuf, (size_t)(key.primary.body.p - kbuf) + key.primary.body.n, key2),
	    0);
	assert_int_equal(rpm__check_signature(hs, 0, key2, &out), -ENOENT);
	((uint8_t *)key.primary.body.p)[20] ^= 1;

	/* no key given: what the signature says, nothing verified */
	assert_int_equal(rpm__check_signature(hs, 0, NULL, &out), 0);
	assert_false(out.is_signed);
	assert_string_equal(out.reason, "key not in the rpmdb");
	free(kbuf);
	free(key2);
	free(blob);
	free(hs);
}

static void rpm_header_signatures__cut_or_bad_region__bounded(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct rpm_signed *hs = malloc(sizeof(*hs));
	size_t len;
	uint8_t *blob = fixture_blob(fx, "root", "rmmtest-signed", &len);

	/* Every prefix in its own allocation: ASan catches any read past it. */
	for (size_t n = 0; n < len; n += 7) {
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, blob, n);
		assert_int_not_equal(rpm__header_signatures(cut, n, hs), 0);
		free(cut);
	}
	assert_int_equal(rpm__header_signatures(blob, len, hs), 0);
	/* the region's first entry names another tag: no region, nothing to check */
	blob[8 + 3] = 62;
	assert_int_equal(rpm__header_signatures(blob, len, hs), -ENOENT);
	blob[8 + 3] = 63;
	/* the region entry's offset past the data */
	blob[8 + 8] = 0x7f;
	assert_int_equal(rpm__header_signatures(blob, len, hs), -EINVAL);
	free(blob);
	free(hs);
}

static void certinfo_fill_package__columns(void **state)
{
	struct sfx *fx = need_sigs(state);
	struct pkg_sigs sigs;
	struct pkg_info pi;
	struct event cert;

	event__init(&cert);
	event__reset_table(&cert, TABLE_CERTIFICATE);
	assert_int_equal(rpm__lookup_signed(fx->root_fd, "/usr/bin/rmmtest-signed", &pi, &sigs), 0);
	assert_int_equal(certinfo__fill_package(&sigs, &cert), 0);
	assert_int_equal(event__long(&cert, CERT_IS_SIGNED), 1);
	assert_string_equal(event__str(&cert, CERT_SIGNATURE_TYPE), "Package");
	assert_string_equal(event__str(&cert, CERT_SIGNER), "Atera Networks Test <rpm@atera.test>");
	assert_string_equal(event__str(&cert, CERT_SIGNER_HASH), fx->rsa_fpr);
	assert_string_equal(event__str(&cert, CERT_ISSUER_HASH), fx->rsa_fpr);
	assert_string_equal(event__str(&cert, CERT_CERTIFICATE_SERIAL_NUMBER), fx->rsa_fpr + 24);
	assert_int_equal(event__long(&cert, CERT_CERTIFICATE_CREATION_TIME),
			 sigs.sig[0].created * 1000000);
	assert_false(event__isset(&cert, CERT_CERTIFICATE_EXPIRATION_TIME));
	assert_int_equal(event__long(&cert, CERT_IS_TRUSTED), 1);
	assert_string_equal(event__str(&cert, CERT_NESTED_SIGNATURES), "[]");
	assert_string_equal(event__list_next(&cert, CERT_SIGNERS, NULL),
			    "Atera Networks Test <rpm@atera.test>");

	/* the key not imported: no Signer, the key id still there */
	event__reset_table(&cert, TABLE_CERTIFICATE);
	assert_int_equal(rpm__lookup_signed(fx->nokey_fd, "/usr/bin/rmmtest-signed", &pi, &sigs),
			 0);
	assert_int_equal(certinfo__fill_package(&sigs, &cert), 0);
	assert_int_equal(event__long(&cert, CERT_IS_SIGNED), 0);
	assert_int_equal(event__long(&cert, CERT_IS_TRUSTED), 0);
	assert_false(event__isset(&cert, CERT_SIGNER));
	assert_false(event__isset(&cert, CERT_ISSUER));
	assert_string_equal(event__str(&cert, CERT_CERTIFICATE_SERIAL_NUMBER), fx->rsa_fpr + 24);
	assert_null(event__list_next(&cert, CERT_SIGNERS, NULL));

	/* no signature: no record */
	event__reset_table(&cert, TABLE_CERTIFICATE);
	sigs.n = 0;
	assert_int_equal(certinfo__fill_package(&sigs, &cert), -ENOENT);
	assert_false(event__isset(&cert, CERT_SIGNATURE_TYPE));
	event__free(&cert);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rpm_lookup__installed_file__vendor_name_version_release),
	    cmocka_unit_test(rpm_lookup__merged_usr_and_wrong_dir),
	    cmocka_unit_test(rpm_lookup__sysimage_location_and_package_lookup),
	    cmocka_unit_test(rpm_lookup__escaping_db_symlink__not_followed),
	    cmocka_unit_test(rpm_lookup__legacy_garbage_and_hostile_databases),
	    cmocka_unit_test(rpm_header_match__truncated_and_corrupted__bounded),
	};
	const struct CMUnitTest sig_tests[] = {
	    cmocka_unit_test(rpm_signed__rsa_key_in_rpmdb__verified),
	    cmocka_unit_test(rpm_signed__eddsa__verified),
	    cmocka_unit_test(rpm_signed__unsigned_package__no_signature),
	    cmocka_unit_test(rpm_signed__key_not_imported__key_id_only),
	    cmocka_unit_test(rpm_signed__header_changed_after_install__not_signed),
	    cmocka_unit_test(rpm_check_signature__signature_or_key_tampered__refused),
	    cmocka_unit_test(rpm_header_signatures__cut_or_bad_region__bounded),
	    cmocka_unit_test(certinfo_fill_package__columns),
	};
	int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);

	return failed + cmocka_run_group_tests(sig_tests, sig_setup, sig_teardown);
}
