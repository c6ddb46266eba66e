// SPDX-License-Identifier: MIT
/* Account names in each root's own /etc/passwd (identity/accounts.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity/accounts.h"

static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n"
			 "bad line\n"
			 "u:x:1000:1000:U,,,:/home/u:/bin/sh\n"
			 "v:x:10000:1:::/nosh";

static void passwd_field__by_uid__name_and_home(void **state)
{
	char out[64], small[2];

	assert_int_equal(accounts__passwd_field(pw, strlen(pw), 1000, PASSWD_HOME, out, 64), 0);
	assert_string_equal(out, "/home/u");
	assert_int_equal(accounts__passwd_field(pw, strlen(pw), 1000, PASSWD_NAME, out, 64), 0);
	assert_string_equal(out, "u");
	assert_int_equal(accounts__passwd_field(pw, strlen(pw), 0, PASSWD_HOME, out, 64), 0);
	assert_string_equal(out, "/root");
	assert_int_equal(accounts__passwd_field(pw, strlen(pw), 10000, PASSWD_HOME, out, 64), 0);
	assert_string_equal(out, "");
	assert_int_equal(accounts__passwd_field(pw, strlen(pw), 10000, PASSWD_NAME, out, 64), 0);
	assert_string_equal(out, "v");
	assert_int_equal(accounts__passwd_field(pw, strlen(pw), 100, PASSWD_NAME, out, 64),
			 -ENOENT);
	assert_int_equal(
	    accounts__passwd_field(pw, strlen(pw), 0, PASSWD_NAME, small, sizeof(small)),
	    -ENAMETOOLONG);
	/* a uid field with trailing junk is not that uid */
	assert_int_equal(accounts__passwd_field("w:x:0x:0::/:/bin/sh", 19, 0, PASSWD_NAME, out, 64),
			 -ENOENT);
}

struct roots {
	char dir[64];
	int a, b; /* two roots, each with its own etc/passwd */
	struct accounts *acc;
};

static void write_at(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int open_dir(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/etc", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static int setup(void **state)
{
	struct roots *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	strcpy(r->dir, "/tmp/rmmhunt-accounts-XXXXXX");
	if (!mkdtemp(r->dir))
		return -1;
	r->a = open_dir(r->dir, "a");
	r->b = open_dir(r->dir, "b");
	write_at(r->dir, "a/etc/passwd", "alice-root:x:0:0::/root:/bin/sh\n");
	write_at(r->dir, "b/etc/passwd", "bob-root:x:0:0::/root:/bin/sh\n");
	r->acc = accounts__new();
	*state = r;
	return r->a >= 0 && r->b >= 0 && r->acc ? 0 : -1;
}

static int teardown(void **state)
{
	struct roots *r = *state;
	char cmd[128];

	accounts__free(r->acc);
	close(r->a);
	close(r->b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	assert_int_equal(system(cmd), 0);
	free(r);
	return 0;
}

static void accounts__two_roots__each_its_own_names(void **state)
{
	struct roots *r = *state;
	char out[64];

	assert_int_equal(accounts__name(r->acc, r->a, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "alice-root");
	assert_int_equal(accounts__name(r->acc, r->b, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "bob-root");
	/* kept: again from the kept text, same answers */
	assert_int_equal(accounts__name(r->acc, r->a, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "alice-root");
	assert_int_equal(accounts__name(r->acc, r->a, 1000, out, sizeof(out)), -ENOENT);
}

static void accounts__file_changed__read_again(void **state)
{
	struct roots *r = *state;
	char out[64];

	assert_int_equal(accounts__name(r->acc, r->a, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "alice-root");
	write_at(r->dir, "a/etc/passwd", "alice-renamed:x:0:0::/root:/bin/sh\n");
	assert_int_equal(accounts__name(r->acc, r->a, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "alice-renamed");
}

static void accounts__kept__only_what_was_read_and_unchanged(void **state)
{
	struct roots *r = *state;
	struct stat root, pw;
	char out[64], path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/a/etc/passwd", r->dir);
	assert_int_equal(fstat(r->a, &root), 0);
	assert_int_equal(stat(path, &pw), 0);
	/* nothing read yet: nothing kept */
	assert_int_equal(accounts__name_kept(r->acc, &root, &pw, 0, out, sizeof(out)), -ESTALE);
	assert_int_equal(accounts__name(r->acc, r->a, 0, out, sizeof(out)), 0);
	memset(out, 0, sizeof(out));
	assert_int_equal(accounts__name_kept(r->acc, &root, &pw, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "alice-root");
	assert_int_equal(accounts__name_kept(r->acc, &root, &pw, 1000, out, sizeof(out)), -ENOENT);
	/* the file changed: its new stat matches nothing kept */
	write_at(r->dir, "a/etc/passwd", "alice-renamed-too:x:0:0::/root:/bin/sh\n");
	assert_int_equal(stat(path, &pw), 0);
	assert_int_equal(accounts__name_kept(r->acc, &root, &pw, 0, out, sizeof(out)), -ESTALE);
}

static void accounts__symlink_out_of_root__stays_inside(void **state)
{
	struct roots *r = *state;
	char path[PATH_MAX], out[64];

	/* an absolute link resolves inside the root, never to the host's file */
	write_at(r->dir, "b/inside-passwd", "confined:x:0:0::/:/bin/sh\n");
	snprintf(path, sizeof(path), "%s/b/etc/passwd", r->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/inside-passwd", path), 0);
	assert_int_equal(accounts__name(r->acc, r->b, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "confined");
}

static void accounts__no_passwd__error(void **state)
{
	struct roots *r = *state;
	char path[PATH_MAX], out[64];

	snprintf(path, sizeof(path), "%s/a/etc/passwd", r->dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(accounts__name(r->acc, r->a, 0, out, sizeof(out)), -ENOENT);
}

static void accounts__many_roots__bounded_and_right(void **state)
{
	struct roots *r = *state;
	char out[64], name[32], rel[64];

	for (int i = 0; i < 2 * ACCOUNTS_ROOTS; i++) {
		int fd;

		snprintf(rel, sizeof(rel), "r%d", i);
		fd = open_dir(r->dir, rel);
		assert_true(fd >= 0);
		snprintf(rel, sizeof(rel), "r%d/etc/passwd", i);
		snprintf(name, sizeof(name), "user%d:x:0:0::/:/bin/sh\n", i);
		write_at(r->dir, rel, name);
		assert_int_equal(accounts__name(r->acc, fd, 0, out, sizeof(out)), 0);
		snprintf(name, sizeof(name), "user%d", i);
		assert_string_equal(out, name);
		close(fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(passwd_field__by_uid__name_and_home),
	    cmocka_unit_test_setup_teardown(accounts__two_roots__each_its_own_names, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(accounts__file_changed__read_again, setup, teardown),
	    cmocka_unit_test_setup_teardown(accounts__kept__only_what_was_read_and_unchanged, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(accounts__symlink_out_of_root__stays_inside, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(accounts__no_passwd__error, setup, teardown),
	    cmocka_unit_test_setup_teardown(accounts__many_roots__bounded_and_right, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
