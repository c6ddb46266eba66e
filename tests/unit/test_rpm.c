// SPDX-License-Identifier: MIT
/* rpm: a package built with rpmbuild at test time, registered in a sqlite rpmdb of a fake root. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>

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

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
