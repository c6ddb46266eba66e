// SPDX-License-Identifier: MIT
/* base/file.c: bounded reads, with read(2) and pread(2) wrapped to interrupt and cut them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/file.h"
#include "pkg_tree.h"

/* What the wrapped read and pread do: fail with EINTR first, then return at most @chunk. */
static struct {
	int eintr;    /* calls left that fail with EINTR */
	size_t chunk; /* bytes at most per call, 0 for no limit */
	int calls;
} io;

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	io.calls++;
	if (io.eintr > 0) {
		io.eintr--;
		errno = EINTR;
		return -1;
	}
	return __real_read(fd, buf, io.chunk && n > io.chunk ? io.chunk : n);
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	io.calls++;
	if (io.eintr > 0) {
		io.eintr--;
		errno = EINTR;
		return -1;
	}
	return __real_pread(fd, buf, io.chunk && n > io.chunk ? io.chunk : n, off);
}

struct fx {
	char dir[PATH_MAX];
	int dir_fd;
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char big[10000];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	tree_new(fx->dir, sizeof(fx->dir));
	tree_puts(fx->dir, "empty", "");
	tree_puts(fx->dir, "ten", "0123456789");
	tree_write(fx->dir, "big", big, sizeof(big));
	tree_mkdir(fx->dir, "sub");
	fx->dir_fd = open(fx->dir, O_RDONLY | O_DIRECTORY);
	assert_true(fx->dir_fd >= 0);
	assert_int_equal(mkfifoat(fx->dir_fd, "fifo", 0600), 0);
	memset(&io, 0, sizeof(io));
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	close(fx->dir_fd);
	tree_remove(fx->dir);
	memset(&io, 0, sizeof(io));
	free(fx);
	return 0;
}

static int open_in(const struct fx *fx, const char *name)
{
	int fd = openat(fx->dir_fd, name, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

static void file_read_full__interrupted_and_cut__reads_all(void **state)
{
	struct fx *fx = *state;
	int fd = open_in(fx, "ten");
	char buf[16] = "";

	io.eintr = 2;
	io.chunk = 3;
	assert_int_equal(file__read_full(fd, buf, 8), 8);
	assert_memory_equal(buf, "01234567", 8);
	/* the rest: fewer than asked means the end of the file */
	assert_int_equal(file__read_full(fd, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "89", 2);
	assert_int_equal(file__read_full(fd, buf, sizeof(buf)), 0);
	close(fd);
}

static void file_read_full__bad_fd__errno(void **state)
{
	char buf[4];

	assert_int_equal(file__read_full(-1, buf, sizeof(buf)), -EBADF);
}

static void file_pread_exact__interrupted_and_cut__exact_or_enodata(void **state)
{
	struct fx *fx = *state;
	int fd = open_in(fx, "ten");
	char buf[8] = "";

	io.eintr = 1;
	io.chunk = 2;
	assert_int_equal(file__pread_exact(fd, buf, 5, 3), 0);
	assert_memory_equal(buf, "34567", 5);
	assert_int_equal(file__pread_exact(fd, buf, 3, 7), 0);
	assert_memory_equal(buf, "789", 3);
	/* one byte past the end */
	assert_int_equal(file__pread_exact(fd, buf, 4, 7), -ENODATA);
	assert_int_equal(file__pread_exact(fd, buf, 0, 100), 0);
	close(fd);
}

static void file_check_regular__kinds_and_size__einval_or_efbig(void **state)
{
	struct fx *fx = *state;
	struct stat st;
	int fd = open_in(fx, "ten");

	assert_int_equal(file__check_regular(fd, 10, &st), 0);
	assert_int_equal(st.st_size, 10);
	assert_int_equal(file__check_regular(fd, 9, &st), -EFBIG);
	close(fd);
	fd = open_in(fx, "sub");
	assert_int_equal(file__check_regular(fd, 10, &st), -EINVAL);
	close(fd);
	assert_int_equal(file__check_regular(-1, 10, &st), -EBADF);
}

/* file__read_at of @name in the fixture, with *@buf and *@len made garbage first. */
static int read_at(const struct fx *fx, const char *name, size_t max, unsigned int flags,
		   char **buf, size_t *len)
{
	*buf = (char *)1; /* must come back NULL on error */
	*len = 99;
	return file__read_at(fx->dir_fd, name, max, flags, buf, len);
}

static void file_read_at__empty__empty_string(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	assert_int_equal(read_at(fx, "empty", 10, 0, &buf, &len), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	assert_int_equal(read_at(fx, "empty", 0, FILE_REGULAR, &buf, &len), 0);
	assert_int_equal(len, 0);
	free(buf);
}

static void file_read_at__exact_size__whole_file(void **state)
{
	struct fx *fx = *state;
	unsigned int flags[] = {0, FILE_REGULAR, FILE_TRUNCATE, FILE_REGULAR | FILE_TRUNCATE};
	char *buf;
	size_t len;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		io.eintr = 1;
		io.chunk = 3;
		assert_int_equal(read_at(fx, "ten", 10, flags[i], &buf, &len), 0);
		assert_int_equal(len, 10);
		assert_string_equal(buf, "0123456789");
		free(buf);
	}
}

static void file_read_at__over_size__efbig(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	assert_int_equal(read_at(fx, "ten", 9, 0, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(len, 0);
	/* a regular file is refused on its size, before any read */
	io.calls = 0;
	assert_int_equal(read_at(fx, "ten", 9, FILE_REGULAR, &buf, &len), -EFBIG);
	assert_null(buf);
	assert_int_equal(io.calls, 0);
	assert_int_equal(read_at(fx, "big", 0, 0, &buf, &len), -EFBIG);
	assert_null(buf);
}

static void file_read_at__over_size_truncate__head(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	assert_int_equal(read_at(fx, "ten", 4, FILE_TRUNCATE, &buf, &len), 0);
	assert_int_equal(len, 4);
	assert_string_equal(buf, "0123");
	free(buf);
	assert_int_equal(read_at(fx, "ten", 4, FILE_TRUNCATE | FILE_REGULAR, &buf, &len), 0);
	assert_string_equal(buf, "0123");
	free(buf);
	assert_int_equal(read_at(fx, "ten", 0, FILE_TRUNCATE, &buf, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

/* Larger than the first guess when the size is unknown: the buffer grows. */
static void file_read_at__larger_than_first_buffer__whole_file(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	io.chunk = 1000;
	assert_int_equal(read_at(fx, "big", 10000, 0, &buf, &len), 0);
	assert_int_equal(len, 10000);
	assert_int_equal(strlen(buf), 10000);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(buf[i], 'a' + i % 26);
	free(buf);
	assert_int_equal(read_at(fx, "big", 9999, 0, &buf, &len), -EFBIG);
	assert_int_equal(read_at(fx, "big", 5000, FILE_TRUNCATE, &buf, &len), 0);
	assert_int_equal(len, 5000);
	assert_int_equal(buf[4999], 'a' + 4999 % 26);
	free(buf);
}

static void file_read_at__not_regular__einval(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	assert_int_equal(read_at(fx, "sub", 100, FILE_REGULAR, &buf, &len), -EINVAL);
	assert_null(buf);
	/* a FIFO with no writer: refused, not waited on */
	assert_int_equal(read_at(fx, "fifo", 100, FILE_REGULAR, &buf, &len), -EINVAL);
	assert_null(buf);
}

static void file_read_at__directory_unchecked__eisdir(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	assert_int_equal(read_at(fx, "sub", 100, 0, &buf, &len), -EISDIR);
	assert_null(buf);
}

static void file_read_at__missing__enoent(void **state)
{
	struct fx *fx = *state;
	char *buf;
	size_t len;

	assert_int_equal(read_at(fx, "nothing", 100, 0, &buf, &len), -ENOENT);
	assert_null(buf);
	assert_int_equal(file__read_at(fx->dir_fd, "ten", SIZE_MAX, 0, &buf, &len), -EINVAL);
	assert_null(buf);
}

static void file_read_at__absolute_path__ignores_dirfd(void **state)
{
	struct fx *fx = *state;
	char path[PATH_MAX], *buf;
	size_t len;

	tree_path(path, sizeof(path), fx->dir, "ten");
	assert_int_equal(file__read_at(AT_FDCWD, path, 100, FILE_REGULAR, &buf, &len), 0);
	assert_string_equal(buf, "0123456789");
	free(buf);
}

/* /proc files say their size is 0 yet are regular: read to the end all the same. */
static void file_read_at__proc_file__content(void **state)
{
	char *buf;
	size_t len;

	assert_int_equal(
	    file__read_at(AT_FDCWD, "/proc/self/status", 1 << 20, FILE_REGULAR, &buf, &len), 0);
	assert_true(len > 0);
	assert_non_null(strstr(buf, "Name:"));
	free(buf);
}

static void file_read_fd__from_offset__rest(void **state)
{
	struct fx *fx = *state;
	int fd = open_in(fx, "ten");
	char *buf;
	size_t len;

	assert_int_equal(lseek(fd, 6, SEEK_SET), 6);
	assert_int_equal(file__read_fd(fd, 4, 0, &buf, &len), 0);
	assert_string_equal(buf, "6789");
	free(buf);
	close(fd);
}

/* A file of @len filler bytes with @needle at @at, opened; -1 when @at is past @len. */
static int file_with(struct fx *fx, size_t len, const char *needle, long at)
{
	char *data = malloc(len);
	int fd;

	assert_non_null(data);
	memset(data, 'x', len);
	if (at >= 0)
		memcpy(data + at, needle, strlen(needle));
	tree_write(fx->dir, "scan", data, len);
	free(data);
	fd = open_in(fx, "scan");
	assert_true(fd >= 0);
	return fd;
}

/* Where a needle ends up relative to the chunks read: anywhere, it is found. */
static void file_contains__needle_across_chunks__found(void **state)
{
	static const char needle[] = "wine_main_preload_info";
	const size_t n = sizeof(needle) - 1, len = 3 * FILE_SCAN_CHUNK + 100;
	const long at[] = {0,
			   FILE_SCAN_CHUNK - n,
			   FILE_SCAN_CHUNK - 1,
			   FILE_SCAN_CHUNK - n / 2,
			   FILE_SCAN_CHUNK,
			   2 * FILE_SCAN_CHUNK - 3,
			   (long)(len - n)};
	struct fx *fx = *state;

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		int fd = file_with(fx, len, needle, at[i]);

		assert_int_equal(file__contains(fd, len, needle, n), 1);
		/* reads interrupted and cut short on the way */
		io.eintr = 2;
		io.chunk = 1000;
		assert_int_equal(file__contains(fd, len, needle, n), 1);
		memset(&io, 0, sizeof(io));
		close(fd);
	}
}

static void file_contains__absent_or_past_size__zero(void **state)
{
	static const char needle[] = "wine_main_preload_info";
	const size_t n = sizeof(needle) - 1, len = 2 * FILE_SCAN_CHUNK + 10;
	struct fx *fx = *state;
	int fd = file_with(fx, len, needle, -1);

	assert_int_equal(file__contains(fd, len, needle, n), 0);
	close(fd);
	/* the needle ends one byte past @size: not in the first @size bytes */
	fd = file_with(fx, len, needle, FILE_SCAN_CHUNK + 5);
	assert_int_equal(file__contains(fd, FILE_SCAN_CHUNK + 4 + n, needle, n), 0);
	assert_int_equal(file__contains(fd, FILE_SCAN_CHUNK + 5 + n, needle, n), 1);
	/* a file shorter than @size: what it has */
	assert_int_equal(file__contains(fd, 10 * FILE_SCAN_CHUNK, needle, n), 1);
	close(fd);
}

static void file_contains__bad_needle__einval(void **state)
{
	struct fx *fx = *state;
	int fd = open_in(fx, "ten");
	char big[FILE_NEEDLE_MAX + 1];

	memset(big, '0', sizeof(big));
	assert_int_equal(file__contains(fd, 10, "0", 0), -EINVAL);
	assert_int_equal(file__contains(fd, 10, big, sizeof(big)), -EINVAL);
	assert_int_equal(file__contains(-1, 10, "0", 1), -EBADF);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(file_read_full__interrupted_and_cut__reads_all, setup,
					    teardown),
	    cmocka_unit_test(file_read_full__bad_fd__errno),
	    cmocka_unit_test_setup_teardown(file_pread_exact__interrupted_and_cut__exact_or_enodata,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(file_check_regular__kinds_and_size__einval_or_efbig,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__empty__empty_string, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__exact_size__whole_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__over_size__efbig, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__over_size_truncate__head, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__larger_than_first_buffer__whole_file,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__not_regular__einval, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__directory_unchecked__eisdir, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__missing__enoent, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_read_at__absolute_path__ignores_dirfd, setup,
					    teardown),
	    cmocka_unit_test(file_read_at__proc_file__content),
	    cmocka_unit_test_setup_teardown(file_read_fd__from_offset__rest, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_contains__needle_across_chunks__found, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(file_contains__absent_or_past_size__zero, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(file_contains__bad_needle__einval, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
