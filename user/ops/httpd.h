/* SPDX-License-Identifier: MIT */
/*
 * A minimal HTTP/1.1 server for the metrics and health endpoints: GET and
 * HEAD only, one response per connection, requests bounded in size and time,
 * a few connections served at once from one thread. Small on purpose: it runs
 * as root on every node, and libmicrohttpd would pull GnuTLS and p11-kit,
 * which have no static archives in Debian, into the static build.
 */
#ifndef RMMHUNT_HTTPD_H
#define RMMHUNT_HTTPD_H

#include <stddef.h>

struct httpd_response {
	int status;		  /* 200, 404, 503, ... */
	const char *content_type; /* a static string */
	char *body;		  /* malloc'd, freed by the server */
	size_t len;
};

/*
 * Answers a GET for @path (query string removed). Runs on the server thread.
 * Returns 0, or a negative errno to answer 500.
 */
typedef int (*httpd_handler)(void *ctx, const char *path, struct httpd_response *resp);

struct httpd;

/*
 * Listens on @addr, a numeric "IPv4:PORT" or "[IPv6]:PORT" (port 0: any
 * free port; no name lookup), and serves from a thread of its own until
 * httpd__stop(). Returns NULL with a message in @err on failure.
 */
struct httpd *httpd__start(const char *addr, httpd_handler handler, void *ctx, char *err, size_t n);
void httpd__stop(struct httpd *h); /* NULL is fine */
/* The port bound, useful after port 0. */
int httpd__port(const struct httpd *h);

#endif
