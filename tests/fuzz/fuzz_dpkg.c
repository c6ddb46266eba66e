// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the dpkg status and .list parsers (and the apk database
 * parser, same shape of input). The first byte picks the parser.
 * Sources: user/identity/dpkg.c user/identity/apk.c user/identity/pkg_field.c
 *          user/identity/root.c user/base/log.c
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "identity/apk.h"
#include "identity/dpkg.h"

static size_t touch(const struct dpkg_str *s)
{
	size_t sum = 0;

	/* Reading every byte lets ASan check each span lies inside the input. */
	for (size_t i = 0; i < s->len; i++)
		sum += (unsigned char)s->s[i];
	return sum;
}

static int on_record(const struct dpkg_record *r, void *ctx)
{
	*(size_t *)ctx += touch(&r->package) + touch(&r->arch) + touch(&r->version) +
			  touch(&r->maintainer) + touch(&r->origin) + touch(&r->status);
	if (!r->package.len)
		__builtin_trap();
	return 0;
}

static int on_path(const char *path, size_t len, void *ctx)
{
	struct dpkg_str s = {path, len};

	if (len < 2 || len > PATH_MAX || path[0] != '/')
		__builtin_trap();
	*(size_t *)ctx += touch(&s);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 1;
	struct pkg_info pi;
	size_t sum = 0;

	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0:
		dpkg__parse_status(buf, size - 1, on_record, &sum);
		break;
	case 1:
		dpkg__parse_list(buf, size - 1, on_path, &sum);
		break;
	case 2:
		if (!apk__parse_installed(buf, size - 1, "/usr/bin/x", "/bin/x", &pi) &&
		    !memchr(pi.name, '\0', sizeof(pi.name)))
			__builtin_trap();
		break;
	}
	return (int)(sum & 0);
}
