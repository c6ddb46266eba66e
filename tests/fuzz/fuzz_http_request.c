// SPDX-License-Identifier: MIT
/*
 * Fuzzes the metrics server's request handling (user/ops/httpd.c, included
 * for its static functions; also needs user/base/log.c): the input arrives on a
 * connection as the network would deliver it, in chunks whose sizes the input's
 * first byte picks, and the server answers on the same socket.
 */
#include <stdint.h>

#include "../../user/ops/httpd.c"

static int handler(void *ctx, const char *path, struct httpd_response *resp)
{
	if (strcmp(path, "/metrics"))
		return -ENOENT;
	resp->status = 200;
	resp->content_type = "text/plain";
	resp->body = strdup("rmmhunt_up 1\n");
	resp->len = resp->body ? strlen(resp->body) : 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpd h = {.handler = handler};
	struct conn *c = &h.conns[0];
	size_t chunk, off = 1;
	char sink[4096];
	int sv[2];

	if (size < 1 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		return 0;
	chunk = data[0] % 64 + 1;
	c->fd = sv[0];
	c->len = 0;
	while (off < size && c->fd >= 0) {
		size_t n = size - off < chunk ? size - off : chunk;

		if (send(sv[1], data + off, n, MSG_NOSIGNAL) < 0)
			break;
		off += n;
		on_readable(&h, c);
		while (recv(sv[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
			;
	}
	if (c->fd >= 0)
		close_conn(c);
	close(sv[1]);
	return 0;
}
