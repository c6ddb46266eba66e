// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "network/hostname.h"
#include "network/http.h"

#define METHOD_MAX 24 /* longer than any registered method */
#define PORT_MAX   5

static bool is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

/* RFC 9110 5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static unsigned char lower(unsigned char c)
{
	return is_upper(c) ? c + ('a' - 'A') : c;
}

/* "[IPv6]" at s[0..n) into @out, lower-cased; its brackets kept. */
static int ipv6_literal(const unsigned char *s, size_t n, char *out, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char addr[16];

	if (n < 4 || n - 2 >= sizeof(text) || s[n - 1] != ']')
		return -EINVAL;
	for (size_t i = 1; i < n - 1; i++) {
		/* hex digits, ':' and '.' only: no zone ("%"), no IPvFuture */
		if (!s[i] || (!is_digit(s[i]) && !strchr("abcdefABCDEF:.", s[i])))
			return -EINVAL;
		text[i - 1] = (char)s[i];
	}
	text[n - 2] = '\0';
	if (inet_pton(AF_INET6, text, addr) != 1)
		return -EINVAL;
	if (size <= n)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)lower(s[i]);
	out[n] = '\0';
	return 0;
}

/* "host[:port]" at s[0..n) (RFC 3986 authority without userinfo): the host into @out. */
static int authority_host(const unsigned char *s, size_t n, char *out, size_t size)
{
	size_t h = 0, port;

	if (n && s[0] == '[') {
		while (h < n && s[h] != ']')
			h++;
		if (h == n)
			return -EINVAL;
		h++;
	} else {
		while (h < n && s[h] != ':')
			h++;
	}
	if (h < n) {
		if (s[h] != ':')
			return -EINVAL;
		port = n - h - 1;
		if (port > PORT_MAX)
			return -EINVAL;
		for (size_t i = h + 1; i < n; i++)
			if (!is_digit(s[i]))
				return -EINVAL;
	}
	if (!n)
		return -ENOENT; /* "Host:" with no value names no host */
	if (!h)
		return -EINVAL;
	if (s[0] == '[')
		return ipv6_literal(s, h, out, size);
	if (h > 1 && s[h - 1] == '.')
		h--; /* the root's dot: the same name */
	return hostname__copy(s, h, out, size);
}

/*
 * The target t[0..n) (@whole: up to its SP; otherwise cut) of a request with
 * the method m[0..mn): 0 and the host it names, -ENOENT when it names none
 * (origin-form, "*", an absolute-form without authority), -EMSGSIZE when cut
 * before its host ends, -EINVAL.
 */
static int target_host(const unsigned char *m, size_t mn, const unsigned char *t, size_t n,
		       bool whole, char *out, size_t size)
{
	size_t i = 0, a;

	if (mn == 7 && !memcmp(m, "CONNECT", 7)) {
		if (!whole)
			return -EMSGSIZE;
		/* RFC 9110 9.3.6: host and port, the port always sent */
		while (i < n && is_digit(t[n - 1 - i]))
			i++;
		if (!i || i == n || t[n - 1 - i] != ':')
			return -EINVAL;
		return authority_host(t, n, out, size);
	}
	if (!n || !is_alpha(t[0]))
		return -ENOENT;
	/* absolute-form: scheme "://" authority, RFC 3986 3.1 */
	while (i < n && (is_alpha(t[i]) || is_digit(t[i]) || (t[i] && strchr("+-.", t[i]))))
		i++;
	if (n - i < 3)
		return whole || memcmp(t + i, "://", n - i) ? -ENOENT : -EMSGSIZE;
	if (memcmp(t + i, "://", 3))
		return -ENOENT;
	a = i += 3;
	while (i < n && (!t[i] || !strchr("/?#", t[i])))
		i++;
	if (i == n && !whole)
		return -EMSGSIZE;
	if (memchr(t + a, '@', i - a))
		return -EINVAL; /* RFC 9110 4.2.4: userinfo is not sent, and hides the host */
	return authority_host(t + a, i - a, out, size);
}

/* The line from @i: [*s, *e) without its CR LF (or LF); *next after it. */
static int line(const unsigned char *p, size_t len, size_t i, size_t *e, size_t *next)
{
	const unsigned char *lf = memchr(p + i, '\n', len - i);
	size_t end;

	if (!lf)
		return -EMSGSIZE;
	end = (size_t)(lf - p);
	*next = end + 1;
	if (end > i && p[end - 1] == '\r')
		end--;
	/* a CR or NUL inside a line: servers disagree on it, so no value */
	if (memchr(p + i, '\r', end - i) || memchr(p + i, '\0', end - i))
		return -EINVAL;
	*e = end;
	return 0;
}

static bool is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

int http__request_host(const unsigned char *p, size_t len, char *out, size_t size)
{
	static const char version[] = "HTTP/1.";
	size_t i = 0, t0, t1, e, next, host = 0, host_end = 0;
	bool have_host = false;
	int err;

	while (i < len && i <= METHOD_MAX && is_upper(p[i]))
		i++;
	if (i == len)
		return i <= METHOD_MAX ? -EMSGSIZE : -ENOENT;
	if (!i || i > METHOD_MAX || p[i] != ' ')
		return -ENOENT;
	t0 = ++i;
	while (i < len && p[i] > ' ' && p[i] != 0x7f)
		i++;
	t1 = i;
	if (i == len) {
		err = target_host(p, t0 - 1, p + t0, t1 - t0, false, out, size);
		return err == -ENOENT ? -EMSGSIZE : err;
	}
	if (p[i] != ' ' || t0 == t1)
		return -ENOENT;
	i++;
	for (size_t v = 0; v < sizeof(version) - 1; v++, i++) {
		if (i == len)
			goto cut_line;
		if (p[i] != (unsigned char)version[v])
			return -ENOENT;
	}
	if (i == len)
		goto cut_line;
	if (!is_digit(p[i++]))
		return -ENOENT;
	if (i < len && p[i] == '\r')
		i++;
	if (i == len)
		goto cut_line;
	if (p[i++] != '\n')
		return -ENOENT;

	err = target_host(p, t0 - 1, p + t0, t1 - t0, true, out, size);
	if (err != -ENOENT)
		return err;
	for (;;) {
		size_t n;

		err = line(p, len, i, &e, &next);
		if (err == -EMSGSIZE)
			break; /* cut: the host, if one came whole */
		if (err)
			return err;
		if (e == i)
			break; /* the blank line: the end of the header section */
		if (is_ows(p[i]))
			return -EINVAL; /* obs-fold: RFC 9112 5.2 */
		for (n = i; n < e && is_tchar(p[n]); n++)
			;
		if (n == i || n == e || p[n] != ':')
			return -EINVAL;
		if (n - i == 4 && strncasecmp((const char *)p + i, "host", 4) == 0) {
			if (have_host)
				return -EINVAL; /* RFC 9112 3.2: two Hosts are refused */
			host = n + 1;
			host_end = e;
			while (host < host_end && is_ows(p[host]))
				host++;
			while (host_end > host && is_ows(p[host_end - 1]))
				host_end--;
			have_host = true;
		}
		i = next;
	}
	if (!have_host)
		return err == -EMSGSIZE ? -EMSGSIZE : -ENOENT;
	return authority_host(p + host, host_end - host, out, size);

cut_line:
	/* the request line ends in the bytes: a host it names may still be whole */
	err = target_host(p, t0 - 1, p + t0, t1 - t0, true, out, size);
	return err == -ENOENT ? -EMSGSIZE : err;
}
