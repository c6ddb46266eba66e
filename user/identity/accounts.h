/* SPDX-License-Identifier: MIT */
/*
 * Account names as each process's own root has them: a container's
 * processes get the container's /etc/passwd, the host's the host's, and a
 * monitor in a FROM-scratch image (no /etc/passwd of its own) still names
 * the host's users. Each root's file is read through root.h (confined to the
 * root, bounded) and kept, per root, until it changes.
 *
 * accounts__name() reads files: call it on a worker (reader.h), never on the
 * event loop, as a container root may sit on a hung mount.
 */
#ifndef RMMHUNT_ACCOUNTS_H
#define RMMHUNT_ACCOUNTS_H

#include <stddef.h>

#define ACCOUNTS_PASSWD_MAX (1 << 20) /* bytes of one /etc/passwd read; the rest is cut */
#define ACCOUNTS_ROOTS	    16	      /* roots kept at once; the least recently used goes */

enum passwd_field { PASSWD_NAME = 0, PASSWD_HOME = 5 };

/*
 * Field @field of the line of @uid in passwd text @buf[0..len)
 * ("name:passwd:uid:gid:gecos:home:shell"), into @out. 0, -ENOENT when no
 * line has that uid, -ENAMETOOLONG when it does not fit @n.
 */
int accounts__passwd_field(const char *buf, size_t len, unsigned int uid, enum passwd_field field,
			   char *out, size_t n);

struct accounts;
struct stat;

struct accounts *accounts__new(void);
void accounts__free(struct accounts *a); /* NULL is fine */

/*
 * The name of @uid in the /etc/passwd of the root open at @root_fd, into
 * @out. 0, or a negative errno (-ENOENT: no such user there). Thread-safe.
 */
int accounts__name(struct accounts *a, int root_fd, unsigned int uid, char *out, size_t n);

/*
 * accounts__name() from the file kept for the root whose fstat is @root, when
 * @pw (the fstat of its etc/passwd) says it has not changed; reads nothing.
 * -ESTALE when no such file is kept.
 */
int accounts__name_kept(struct accounts *a, const struct stat *root, const struct stat *pw,
			unsigned int uid, char *out, size_t n);

#endif
