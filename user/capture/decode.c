// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "capture/decode.h"

int decode__join_path(const char *comps, size_t len, char *out, size_t size)
{
	size_t n = 0, end = len;
	int err = 0;

	/* the components end with a NUL; walk them from the last (the top) down */
	while (end > 0) {
		size_t start = end - 1, clen;

		while (start > 0 && comps[start - 1] != '\0')
			start--;
		clen = strnlen(comps + start, end - start);
		end = start;
		if (!clen)
			continue;
		if (n + 1 + clen + 1 > size) {
			err = -ENAMETOOLONG;
			break;
		}
		out[n++] = '/';
		memcpy(out + n, comps + start, clen);
		n += clen;
	}
	if (n == 0 && size >= 2)
		out[n++] = '/';
	out[n] = '\0';
	return err ? err : (int)n;
}

static bool needs_quotes(const char *arg, size_t n)
{
	if (n == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (arg[i] == ' ' || arg[i] == '\t' || arg[i] == '\n' || arg[i] == '\v' ||
		    arg[i] == '"')
			return true;
	return false;
}

/* Appends @c unless full; the caller leaves room for the final NUL. */
#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (o + 1 >= size)                                                                 \
			goto full;                                                                 \
		out[o++] = (c);                                                                    \
	} while (0)

size_t decode__cmdline(const char *argv, size_t len, char *out, size_t size)
{
	size_t o = 0, i = 0;
	bool first = true;

	if (!size)
		return 0;
	/* a final NUL ends the last argument; none means argv was cut */
	while (i < len) {
		const char *arg = argv + i;
		size_t n = strnlen(arg, len - i);

		if (!first)
			PUT(' ');
		first = false;
		if (!needs_quotes(arg, n)) {
			for (size_t k = 0; k < n; k++)
				PUT(arg[k]);
		} else {
			size_t backslashes = 0;

			PUT('"');
			for (size_t k = 0; k < n; k++) {
				if (arg[k] == '\\') {
					backslashes++;
					continue;
				}
				/* backslashes before a quote are doubled, the quote escaped */
				if (arg[k] == '"')
					backslashes = backslashes * 2 + 1;
				for (; backslashes; backslashes--)
					PUT('\\');
				PUT(arg[k]);
			}
			/* backslashes before the closing quote are doubled */
			for (backslashes *= 2; backslashes; backslashes--)
				PUT('\\');
			PUT('"');
		}
		i += n + 1;
	}
full:
	out[o] = '\0';
	return o;
}

int decode__exec(const struct exec_event *e, size_t size, struct exec_info *out)
{
	size_t total = 0, off = 0;
	const char *s[EXEC_STR__COUNT];

	if (size < EXEC_EVENT_HDR_SIZE)
		return -EINVAL;
	for (int i = 0; i < EXEC_STR__COUNT; i++) {
		s[i] = e->data + total;
		total += e->str_len[i];
	}
	if (total > size - EXEC_EVENT_HDR_SIZE || total > EXEC_DATA_MAX)
		return -EINVAL;

	memset(out, 0, offsetof(struct exec_info, exe_buf));
	out->k = e;
	off = strnlen(s[EXEC_STR_FILENAME], e->str_len[EXEC_STR_FILENAME]);
	memcpy(out->filename_buf, s[EXEC_STR_FILENAME], off);
	out->filename_buf[off] = '\0';
	out->filename = out->filename_buf;
	decode__join_path(s[EXEC_STR_EXE], e->str_len[EXEC_STR_EXE], out->exe_buf,
			  sizeof(out->exe_buf));
	out->exe = out->exe_buf;
	decode__join_path(s[EXEC_STR_CWD], e->str_len[EXEC_STR_CWD], out->cwd_buf,
			  sizeof(out->cwd_buf));
	out->cwd = out->cwd_buf;
	decode__join_path(s[EXEC_STR_CGROUP], e->str_len[EXEC_STR_CGROUP], out->cgroup_buf,
			  sizeof(out->cgroup_buf));
	out->cgroup = out->cgroup_buf;
	out->argv = s[EXEC_STR_ARGV];
	out->argv_size = e->str_len[EXEC_STR_ARGV];
	return 0;
}

int decode__net(const struct net_event *e, size_t size)
{
	if (size < NET_EVENT_HDR_SIZE || e->kind >= NET_KIND__COUNT)
		return -EINVAL;
	if (e->data_len > NET_DATA_MAX || e->data_len > size - NET_EVENT_HDR_SIZE)
		return -EINVAL;
	return 0;
}
