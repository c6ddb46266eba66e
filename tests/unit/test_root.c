// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "identity/root.h"
#include "pkg_tree.h"

struct fx {
	char top[PATH_MAX]; /* holds root/ and a host-side secret outside it */
	char root[PATH_MAX];
	int root_fd;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	tree_new(fx->top, sizeof(fx->top));
	tree_puts(fx->top, "secret", "host secret\n");
	tree_puts(fx->top, "root/etc/hostname", "inside\n");
	tree_puts(fx->top, "root/secret", "root's own\n");
	tree_path(fx->root, sizeof(fx->root), fx->top, "root");
	fx->root_fd = tree_open(fx->root);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	close(fx->root_fd);
	tree_remove(fx->top);
	free(fx);
	return 0;
}

static void read_str(int root_fd, const char *path, char *out, size_t size, int want_err)
{
	char *buf = NULL;
	size_t len;
	int err = root__read_file(root_fd, path, 1 << 20, &buf, &len, NULL);

	assert_int_equal(err, want_err);
	snprintf(out, size, "%s", buf ? buf : "");
	free(buf);
}

static void root_open__absolute_and_relative__same_file(void **state)
{
	struct fx *fx = *state;
	char s[64];

	read_str(fx->root_fd, "/etc/hostname", s, sizeof(s), 0);
	assert_string_equal(s, "inside\n");
	read_str(fx->root_fd, "etc/hostname", s, sizeof(s), 0);
	assert_string_equal(s, "inside\n");
}

static void root_open__dotdot__stays_in_root(void **state)
{
	struct fx *fx = *state;
	char s[64];

	/* ".." at the root is the root: this is root/secret, not top/secret. */
	read_str(fx->root_fd, "../secret", s, sizeof(s), 0);
	assert_string_equal(s, "root's own\n");
	read_str(fx->root_fd, "/etc/../../../secret", s, sizeof(s), 0);
	assert_string_equal(s, "root's own\n");
}

static void root_open__escaping_symlinks__resolved_in_root(void **state)
{
	struct fx *fx = *state;
	char abs[PATH_MAX], s[64];

	/* An absolute link to the host secret lands on the root's path of the same name. */
	tree_path(abs, sizeof(abs), fx->top, "secret");
	tree_symlink(fx->root, "abs-link", abs);
	read_str(fx->root_fd, "abs-link", s, sizeof(s), -ENOENT);
	tree_symlink(fx->root, "rel-link", "../../../../../secret");
	read_str(fx->root_fd, "rel-link", s, sizeof(s), 0);
	assert_string_equal(s, "root's own\n");
	/* A link in a directory on the way is confined the same way. */
	tree_symlink(fx->root, "var/lib/dpkg", "/../..");
	read_str(fx->root_fd, "var/lib/dpkg/secret", s, sizeof(s), 0);
	assert_string_equal(s, "root's own\n");
}

static void root_open__magic_link__refused(void **state)
{
	int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	assert_true(host >= 0);
	/* /proc/self/root is a magic link: it could jump to any root. */
	fd = root__open(host, "/proc/self/root/etc/hostname", O_RDONLY);
	assert_int_equal(fd, -ELOOP);
	fd = root__open(host, "/proc/self/fd/0", O_RDONLY);
	assert_int_equal(fd, -ELOOP);
	close(host);
}

static void root_open__at_fdcwd__means_host_root(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX], s[64];

	tree_path(path, sizeof(path), fx->top, "secret");
	read_str(AT_FDCWD, path, s, sizeof(s), 0);
	assert_string_equal(s, "host secret\n");
	assert_int_equal(root__open(fx->root_fd, "", O_RDONLY), -EINVAL);
	assert_int_equal(root__open(fx->root_fd, "new", O_WRONLY | O_CREAT), -EINVAL);
}

static void root_read_file__bounds__enforced(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX];
	char *buf;
	size_t len;

	tree_sparse(fx->root, "big", 2 << 20);
	assert_int_equal(root__read_file(fx->root_fd, "big", 1 << 20, &buf, &len, NULL), -EFBIG);
	assert_null(buf);
	assert_int_equal(root__read_file(fx->root_fd, "etc", 1 << 20, &buf, &len, NULL), -EINVAL);
	/* A FIFO in place of a database must neither hang nor be read. */
	tree_path(path, sizeof(path), fx->root, "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(root__read_file(fx->root_fd, "fifo", 1 << 20, &buf, &len, NULL), -EINVAL);
}

static void root_usr_alt_path__merged_usr__both_spellings(void **state)
{
	struct fx *fx = *state;
	char alt[PATH_MAX];

	tree_symlink(fx->root, "bin", "usr/bin");
	tree_symlink(fx->root, "lib64", "/usr/lib64");
	tree_mkdir(fx->root, "sbin"); /* not merged */
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/usr/bin/ls", alt, sizeof(alt)), 1);
	assert_string_equal(alt, "/bin/ls");
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/bin/ls", alt, sizeof(alt)), 1);
	assert_string_equal(alt, "/usr/bin/ls");
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/lib64/ld.so", alt, sizeof(alt)), 1);
	assert_string_equal(alt, "/usr/lib64/ld.so");
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/usr/sbin/x", alt, sizeof(alt)), 0);
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/binary/x", alt, sizeof(alt)), 0);
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/usr/lib/x", alt, sizeof(alt)), 0);
	assert_int_equal(root__usr_alt_path(fx->root_fd, "/usr/bin/ls", alt, 4), 0);
}

static void root_id__mount_and_inode_as_the_kernel_numbers_them(void **state)
{
	struct fx *fx = *state;
	struct root_id a, b, top;
	struct statx stx;
	int fd = open(fx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int top_fd = open(fx->top, O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0 && top_fd >= 0);
	assert_int_equal(root__id(fx->root_fd, &a), 0);
	assert_int_equal(statx(fx->root_fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &stx), 0);
	assert_true(a.mnt_id == stx.stx_mnt_id && a.ino == stx.stx_ino);
	/* the same directory opened again: the same root */
	assert_int_equal(root__id(fd, &b), 0);
	assert_true(a.mnt_id == b.mnt_id && a.ino == b.ino);
	/* its parent, on the same mount: another root */
	assert_int_equal(root__id(top_fd, &top), 0);
	assert_true(top.mnt_id == a.mnt_id && top.ino != a.ino);
	assert_int_equal(root__id(-1, &b), -ENOENT);
	close(fd);
	close(top_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(root_open__absolute_and_relative__same_file, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(root_open__dotdot__stays_in_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(root_open__escaping_symlinks__resolved_in_root, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(root_open__magic_link__refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(root_open__at_fdcwd__means_host_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(root_read_file__bounds__enforced, setup, teardown),
	    cmocka_unit_test_setup_teardown(root_id__mount_and_inode_as_the_kernel_numbers_them,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(root_usr_alt_path__merged_usr__both_spellings, setup,
					    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
