// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "ops/httpd.h"

#define MAX_CONNS	 8    /* scrapers and probes; a ninth replaces the oldest */
#define REQUEST_MAX	 2048 /* request line and headers; bodies are not read */
#define REQUEST_TIMEOUT	 3000 /* ms from accept to the end of the headers */
#define POLL_INTERVAL	 250  /* ms between deadline checks */
#define SEND_TIMEOUT_SEC 2

struct conn {
	int fd; /* -1 when free */
	long long deadline_ms;
	size_t len;
	char buf[REQUEST_MAX + 1];
};

struct httpd {
	int listen_fd;
	int wake[2]; /* a byte written here stops the thread */
	int port;
	pthread_t thread;
	httpd_handler handler;
	void *ctx;
	struct conn conns[MAX_CONNS];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 431:
		return "Request Header Fields Too Large";
	case 503:
		return "Service Unavailable";
	default:
		return "Internal Server Error";
	}
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the client went away or stalled past SO_SNDTIMEO */
		p += w;
		n -= w;
	}
}

static void respond(struct conn *c, const struct httpd_response *r, bool head)
{
	struct timeval tv = {.tv_sec = SEND_TIMEOUT_SEC};
	char hdr[256];
	int n;

	/* Blocking from here on, bounded by the send timeout. */
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n",
		     r->status, reason(r->status), r->content_type, r->len);
	send_all(c->fd, hdr, n);
	if (!head && r->len)
		send_all(c->fd, r->body, r->len);
}

static void close_conn(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void plain(struct httpd_response *r, int status, const char *text)
{
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	r->body = strdup(text);
	r->len = r->body ? strlen(text) : 0;
}

/* "METHOD SP request-target SP HTTP/1.x"; headers are read but not needed. */
static void serve(struct httpd *h, struct conn *c)
{
	struct httpd_response r = {0};
	char *method = c->buf, *target, *version, *eol;
	bool head = false;

	eol = strpbrk(c->buf, "\r\n");
	*eol = '\0';
	target = strchr(method, ' ');
	version = target ? strchr(target + 1, ' ') : NULL;
	if (!target || !version || strncmp(version + 1, "HTTP/1.", 7) || target[1] != '/') {
		plain(&r, 400, "bad request\n");
		goto out;
	}
	*target++ = '\0';
	*version = '\0';
	target[strcspn(target, "?#")] = '\0';
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		plain(&r, 405, "only GET and HEAD\n");
		goto out;
	}
	if (h->handler(h->ctx, target, &r) < 0 || !r.content_type) {
		free(r.body);
		memset(&r, 0, sizeof(r));
		plain(&r, 500, "internal error\n");
	}
out:
	respond(c, &r, head);
	free(r.body);
	close_conn(c);
}

static void on_readable(struct httpd *h, struct conn *c)
{
	ssize_t n = recv(c->fd, c->buf + c->len, REQUEST_MAX - c->len, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close_conn(c);
		return;
	}
	c->len += n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n")) {
		serve(h, c);
	} else if (c->len == REQUEST_MAX) {
		struct httpd_response r;

		plain(&r, 431, "request too large\n");
		respond(c, &r, false);
		free(r.body);
		close_conn(c);
	}
}

static void on_accept(struct httpd *h)
{
	struct conn *slot = NULL;
	int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &h->conns[i];

		if (c->fd < 0) {
			slot = c;
			break;
		}
		if (!slot || c->deadline_ms < slot->deadline_ms)
			slot = c;
	}
	if (slot->fd >= 0)
		close_conn(slot); /* full: the oldest, slowest client makes room */
	slot->fd = fd;
	slot->len = 0;
	slot->deadline_ms = now_ms() + REQUEST_TIMEOUT;
}

static void *serve_thread(void *arg)
{
	struct httpd *h = arg;

	for (;;) {
		struct pollfd pfd[2 + MAX_CONNS];
		int idx[2 + MAX_CONNS], n = 2;
		long long now;

		pfd[0] = (struct pollfd){.fd = h->wake[0], .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = h->listen_fd, .events = POLLIN};
		for (int i = 0; i < MAX_CONNS; i++) {
			if (h->conns[i].fd < 0)
				continue;
			idx[n] = i;
			pfd[n++] = (struct pollfd){.fd = h->conns[i].fd, .events = POLLIN};
		}
		if (poll(pfd, n, POLL_INTERVAL) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		for (int k = 2; k < n; k++)
			if (pfd[k].revents)
				on_readable(h, &h->conns[idx[k]]);
		if (pfd[1].revents & POLLIN)
			on_accept(h);
		now = now_ms();
		for (int i = 0; i < MAX_CONNS; i++)
			if (h->conns[i].fd >= 0 && now > h->conns[i].deadline_ms)
				close_conn(&h->conns[i]);
	}
	return NULL;
}

/* "1.2.3.4:80" or "[::1]:80" into host and port strings. */
static int split_listen(const char *addr, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon, *h = addr;
	size_t len;

	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		h = addr + 1;
		len = close - h;
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -EINVAL;
		len = colon - addr;
	}
	if (!len || len >= hn || strlen(colon + 1) >= pn || !colon[1] ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static int open_listener(const char *addr, int *port_out, char *err, size_t n)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl = sizeof(ss);
	char host[64], port[8];
	int fd = -1, one = 1, rc;
	unsigned long p;

	/* Numeric only: no resolver, which a static binary could not load anyway. */
	if (split_listen(addr, host, sizeof(host), port, sizeof(port)) ||
	    (p = strtoul(port, NULL, 10)) > 65535) {
		snprintf(err, n, "'%s' is not ADDRESS:PORT (numeric, IPv6 in brackets)", addr);
		return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(p);
		sl = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p);
		sl = sizeof(*sin6);
	} else {
		snprintf(err, n, "'%s': not a numeric IPv4 or IPv6 address", addr);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		rc = -errno;
		snprintf(err, n, "cannot listen on %s: %s", addr, strerror(errno));
		goto cleanup;
	}
	*port_out = ntohs(ss.ss_family == AF_INET6 ? sin6->sin6_port : sin->sin_port);
	rc = fd;
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	return rc;
}

struct httpd *httpd__start(const char *addr, httpd_handler handler, void *ctx, char *err, size_t n)
{
	struct httpd *h = calloc(1, sizeof(*h));
	int rc;

	if (!h) {
		snprintf(err, n, "out of memory");
		return NULL;
	}
	h->wake[0] = h->wake[1] = -1;
	h->handler = handler;
	h->ctx = ctx;
	for (int i = 0; i < MAX_CONNS; i++)
		h->conns[i].fd = -1;
	h->listen_fd = open_listener(addr, &h->port, err, n);
	if (h->listen_fd < 0)
		goto fail;
	if (pipe2(h->wake, O_CLOEXEC)) {
		snprintf(err, n, "pipe: %s", strerror(errno));
		goto fail;
	}
	rc = pthread_create(&h->thread, NULL, serve_thread, h);
	if (rc) {
		snprintf(err, n, "cannot start the server thread: %s", strerror(rc));
		goto fail;
	}
	return h;
fail:
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->wake[0] >= 0) {
		close(h->wake[0]);
		close(h->wake[1]);
	}
	free(h);
	return NULL;
}

void httpd__stop(struct httpd *h)
{
	if (!h)
		return;
	if (write(h->wake[1], "", 1) != 1)
		pr_warn("failed to wake the HTTP thread: %s", strerror(errno));
	pthread_join(h->thread, NULL);
	for (int i = 0; i < MAX_CONNS; i++)
		if (h->conns[i].fd >= 0)
			close(h->conns[i].fd);
	close(h->listen_fd);
	close(h->wake[0]);
	close(h->wake[1]);
	free(h);
}

int httpd__port(const struct httpd *h)
{
	return h ? h->port : -1;
}
