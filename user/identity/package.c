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
#include "identity/rpm.h"

/* "Nothing here": no database of that kind in the root, or it does not list the path. */
static bool not_found(int err)
{
	return err == -ENOENT || err == -ENOTDIR || err == -ENOTSUP;
}

/* rpm, as the others are called: its signatures go to the lookup's @sigs. */
static int rpm_lookup(int root_fd, const char *path, struct pkg_info *out, struct pkg_sigs *sigs)
{
	return rpm__lookup_signed(root_fd, path, out, sigs);
}

static int dpkg_lookup(int root_fd, const char *path, struct pkg_info *out, struct pkg_sigs *sigs)
{
	return dpkg__lookup(root_fd, path, out);
}

static int apk_lookup(int root_fd, const char *path, struct pkg_info *out, struct pkg_sigs *sigs)
{
	return apk__lookup(root_fd, path, out);
}

int package__lookup_signed(int root_fd, const char *path, int exe_fd, struct pkg_info *out,
			   struct pkg_sigs *sigs)
{
	static int (*const dbs[])(int, const char *, struct pkg_info *, struct pkg_sigs *) = {
	    dpkg_lookup,
	    rpm_lookup,
	    apk_lookup,
	};
	int err = -ENOENT, r;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (sigs)
		sigs->n = 0;
	if (path && path[0] == '/') {
		for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
			r = dbs[i](root_fd, path, out, sigs);
			if (!r)
				return 0;
			if (sigs)
				sigs->n = 0;
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

int package__lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out)
{
	return package__lookup_signed(root_fd, path, exe_fd, out, NULL);
}
