// SPDX-License-Identifier: MIT
/*
 * Package provenance: the root's package databases first, the ELF note last.
 *
 * The database comes first because it is the root's own record of what its
 * package manager installed at that path, while the note is a claim the
 * binary makes about itself: any build can embed one, and a packaged binary
 * copied elsewhere keeps it. A note still names software that no database
 * knows (static builds, vendor tarballs), and VersionInfoSource ("elf-note")
 * tells a reader which kind of evidence it was.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "identity/apk.h"
#include "identity/dpkg.h"
#include "identity/elfnote.h"
#include "identity/package.h"
#include "identity/pkg_field.h"
#include "identity/rpm.h"

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void pkg_field__set(char *dst, const char *s, size_t n)
{
	size_t i;

	while (n && is_space((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	if (n > PKG_FIELD_MAX - 1) {
		n = PKG_FIELD_MAX - 1;
		/* Do not cut a UTF-8 sequence: back up over continuation bytes. */
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	dst[i] = '\0';
}

void pkg_field__set_person(char *dst, const char *s, size_t n)
{
	const char *lt = n ? memchr(s, '<', n) : NULL;

	/* "Name <email>" -> "Name"; a bare "<email>" stays as it is. */
	if (lt && lt > s) {
		size_t name_len = (size_t)(lt - s);

		while (name_len && is_space((unsigned char)s[name_len - 1]))
			name_len--;
		if (name_len)
			n = name_len;
	}
	pkg_field__set(dst, s, n);
}

/* "Nothing here": no database of that kind in the root, or it does not list the path. */
static bool not_found(int err)
{
	return err == -ENOENT || err == -ENOTDIR || err == -ENOTSUP;
}

int package__lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out)
{
	static int (*const dbs[])(int, const char *, struct pkg_info *) = {
	    dpkg__lookup,
	    rpm__lookup,
	    apk__lookup,
	};
	int err = -ENOENT, r;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (path && path[0] == '/') {
		for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
			r = dbs[i](root_fd, path, out);
			if (!r)
				return 0;
			/* Remember a real failure, but let the next source answer. */
			if (!not_found(r) && err == -ENOENT)
				err = r;
		}
	}
	if (exe_fd >= 0) {
		r = elfnote__read_fd(exe_fd, out);
		if (!r)
			return 0;
		if (!not_found(r) && err == -ENOENT)
			err = r;
	}
	memset(out, 0, sizeof(*out));
	return err;
}
