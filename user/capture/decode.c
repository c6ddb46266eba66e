// SPDX-License-Identifier: MIT
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "capture/decode.h"

#define DNS_SKB_PORT 53 /* the answer's source port: net_dns.bpf.c sends no other */

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
	if (e->data_len > (e->kind == NET_DNS_ANSWER ? NET_DNS_TCP_MAX : NET_DATA_MAX) ||
	    e->data_len > size - NET_EVENT_HDR_SIZE)
		return -EINVAL;
	return 0;
}

int decode__dns_skb(const void *sample, size_t size, struct net_event *out)
{
	const unsigned char *p = sample;
	struct net_dns_skb m;
	size_t n;

	/* perf pads a sample to 8 bytes: more may arrive than skb_len says */
	if (size < sizeof(m))
		return -EINVAL;
	memcpy(&m, p, sizeof(m)); /* a perf sample is 4-aligned only */
	if (m.skb_len > size - sizeof(m) || m.payload_off > m.skb_len)
		return -EINVAL;
	n = m.skb_len - m.payload_off;
	if (n > NET_DNS_TCP_MAX || n > m.payload_len)
		return -EINVAL;
	memset(out, 0, NET_EVENT_HDR_SIZE);
	out->boot_ns = m.boot_ns;
	out->netns = m.netns;
	out->kind = NET_DNS_ANSWER;
	out->protocol = IPPROTO_TCP;
	out->local_port = m.local_port;
	out->remote_port = DNS_SKB_PORT;
	out->flags = m.flags & NET_F_IPV6;
	if (n < m.payload_len)
		out->flags |= NET_F_DATA_CUT;
	memcpy(out->local_addr, m.local_addr, sizeof(out->local_addr));
	memcpy(out->remote_addr, m.remote_addr, sizeof(out->remote_addr));
	out->data_len = n;
	/* data[] is NET_DATA_MAX long: past it, through the pointer (the caller has room) */
	memcpy((unsigned char *)out + offsetof(struct net_event, data),
	       p + sizeof(m) + m.payload_off, n);
	/* as the ring's: NET_EVENT_HDR_SIZE counts the header's tail padding */
	return (int)(NET_EVENT_HDR_SIZE + n);
}
