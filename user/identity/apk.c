// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "identity/apk.h"
#include "identity/pkg_field.h"
#include "identity/root.h"

struct span {
	const char *s;
	size_t len;
};

/* Whether folder @f plus file @r spell @target (a path without its leading '/'). */
static bool spells(const struct span *f, const struct span *r, const char *target, size_t tlen)
{
	if (!f->len)
		return r->len == tlen && !memcmp(r->s, target, tlen);
	return f->len + 1 + r->len == tlen && !memcmp(target, f->s, f->len) &&
	       target[f->len] == '/' && !memcmp(target + f->len + 1, r->s, r->len);
}

static bool matches(const struct span *f, const struct span *r, const char *path,
		    const char *alt_path)
{
	if (path[0] == '/' && spells(f, r, path + 1, strlen(path + 1)))
		return true;
	return alt_path && alt_path[0] == '/' && spells(f, r, alt_path + 1, strlen(alt_path + 1));
}

struct stanza {
	struct span name, version, maint, origin, folder;
	bool found;
};

static int emit(const struct stanza *st, struct pkg_info *out)
{
	memset(out, 0, sizeof(*out));
	pkg_field__set(out->name, st->name.s, st->name.len);
	pkg_field__set(out->version, st->version.s, st->version.len);
	if (st->maint.len)
		pkg_field__set_person(out->vendor, st->maint.s, st->maint.len);
	else
		pkg_field__set(out->vendor, st->origin.s, st->origin.len);
	out->source = "apk";
	return out->name[0] ? 0 : -ENOENT; /* a file list with no package name */
}

int apk__parse_installed(const char *buf, size_t len, const char *path, const char *alt_path,
			 struct pkg_info *out)
{
	const char *p = buf, *end = buf + len;
	struct stanza st = {};

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct span v = {p + 2, n >= 2 ? n - 2 : 0};

		if (!n) {
			/* A blank line closes the stanza. */
			if (st.found)
				return emit(&st, out);
			memset(&st, 0, sizeof(st));
		} else if (n >= 2 && p[1] == ':') {
			switch (p[0]) {
			case 'P':
				st.name = v;
				break;
			case 'V':
				st.version = v;
				break;
			case 'm':
				st.maint = v;
				break;
			case 'o':
				st.origin = v;
				break;
			case 'F':
				st.folder = v;
				break;
			case 'R':
				if (!st.found && v.len)
					st.found = matches(&st.folder, &v, path, alt_path);
				break;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return st.found ? emit(&st, out) : -ENOENT;
}

int apk__lookup(int root_fd, const char *path, struct pkg_info *out)
{
	char alt[PATH_MAX + 8], *buf;
	size_t len;
	int err;

	if (!path || path[0] != '/' || strlen(path) > PATH_MAX)
		return -EINVAL;
	err = root__read_file(root_fd, APK_DB_PATH, APK_MAX_DB, &buf, &len, NULL);
	if (err)
		return err;
	err = apk__parse_installed(
	    buf, len, path, root__usr_alt_path(root_fd, path, alt, sizeof(alt)) ? alt : NULL, out);
	free(buf);
	return err;
}
