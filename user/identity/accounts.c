// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/file.h"
#include "identity/accounts.h"
#include "identity/root.h"

int accounts__passwd_field(const char *buf, size_t len, unsigned int uid, enum passwd_field field,
			   char *out, size_t n)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *line_end = eol ? eol : end;
		const char *f[8];
		int nf = 1;

		f[0] = p;
		for (const char *c = p; c < line_end && nf < 7; c++)
			if (*c == ':')
				f[nf++] = c + 1;
		if (nf == 7) {
			char num[16], *num_end;
			size_t uid_len = f[3] - f[2] - 1;

			f[7] = line_end + 1; /* so that every field ends one before the next */
			if (uid_len && uid_len < sizeof(num)) {
				memcpy(num, f[2], uid_len);
				num[uid_len] = '\0';
				if (strtoul(num, &num_end, 10) == uid && !*num_end) {
					size_t flen = f[field + 1] - f[field] - 1;

					if (flen >= n)
						return -ENAMETOOLONG;
					memcpy(out, f[field], flen);
					out[flen] = '\0';
					return 0;
				}
			}
		}
		p = line_end + 1;
	}
	return -ENOENT;
}

/* One root's /etc/passwd, as read: its identity and its text. */
struct root_passwd {
	dev_t root_dev;
	ino_t root_ino;
	/* the file: a new one (or a change) has another inode, mtime or size */
	ino_t ino;
	struct timespec mtime;
	off_t size;
	char *text;
	size_t len;
	uint64_t used; /* LRU clock */
};

struct accounts {
	pthread_mutex_t lock; /* held only for the table, never across a read */
	struct root_passwd roots[ACCOUNTS_ROOTS];
	uint64_t clock;
};

struct accounts *accounts__new(void)
{
	struct accounts *a = calloc(1, sizeof(*a));

	if (a)
		pthread_mutex_init(&a->lock, NULL);
	return a;
}

void accounts__free(struct accounts *a)
{
	if (!a)
		return;
	for (int i = 0; i < ACCOUNTS_ROOTS; i++)
		free(a->roots[i].text);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static bool same_file(const struct root_passwd *r, const struct stat *st)
{
	return r->ino == st->st_ino && r->size == st->st_size &&
	       r->mtime.tv_sec == st->st_mtim.tv_sec && r->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Looks @uid up in the kept text of the root (@root, @pw); -ESTALE when none is kept. */
static int lookup_kept(struct accounts *a, const struct stat *root, const struct stat *pw,
		       unsigned int uid, char *out, size_t n)
{
	int err = -ESTALE;

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < ACCOUNTS_ROOTS; i++) {
		struct root_passwd *r = &a->roots[i];

		if (r->text && r->root_dev == root->st_dev && r->root_ino == root->st_ino &&
		    same_file(r, pw)) {
			r->used = ++a->clock;
			err = accounts__passwd_field(r->text, r->len, uid, PASSWD_NAME, out, n);
			break;
		}
	}
	pthread_mutex_unlock(&a->lock);
	return err;
}

/* Keeps @text (taken) as the root's file, in its old slot or the least recently used one. */
static void keep(struct accounts *a, const struct stat *root, const struct stat *pw, char *text,
		 size_t len)
{
	struct root_passwd *slot = &a->roots[0];

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < ACCOUNTS_ROOTS; i++) {
		struct root_passwd *r = &a->roots[i];

		if (r->root_dev == root->st_dev && r->root_ino == root->st_ino) {
			slot = r;
			break;
		}
		if (r->used < slot->used)
			slot = r;
	}
	free(slot->text);
	*slot = (struct root_passwd){
	    .root_dev = root->st_dev,
	    .root_ino = root->st_ino,
	    .ino = pw->st_ino,
	    .mtime = pw->st_mtim,
	    .size = pw->st_size,
	    .text = text,
	    .len = len,
	    .used = ++a->clock,
	};
	pthread_mutex_unlock(&a->lock);
}

int accounts__name_kept(struct accounts *a, const struct stat *root, const struct stat *pw,
			unsigned int uid, char *out, size_t n)
{
	return lookup_kept(a, root, pw, uid, out, n);
}

int accounts__name(struct accounts *a, int root_fd, unsigned int uid, char *out, size_t n)
{
	struct stat root, pw;
	size_t len;
	char *text;
	int fd, err;

	if (fstat(root_fd, &root))
		return -errno;
	fd = root__open(root_fd, "etc/passwd", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return fd;
	err = file__check_regular(fd, SIZE_MAX / 4, &pw);
	if (!err)
		err = lookup_kept(a, &root, &pw, uid, out, n);
	if (err != -ESTALE) {
		close(fd);
		return err;
	}
	err = file__read_fd(fd, ACCOUNTS_PASSWD_MAX, FILE_TRUNCATE, &text, &len);
	close(fd);
	if (err)
		return err;
	err = accounts__passwd_field(text, len, uid, PASSWD_NAME, out, n);
	keep(a, &root, &pw, text, len);
	return err;
}
