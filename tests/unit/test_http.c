// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "network/http.h"

static char out[HTTP_HOST_MAX];

static int host(const char *req)
{
	strcpy(out, "untouched");
	return http__request_host((const unsigned char *)req, strlen(req), out, sizeof(out));
}

#define assert_host(req, want)                                                                     \
	do {                                                                                       \
		assert_int_equal(host(req), 0);                                                    \
		assert_string_equal(out, want);                                                    \
	} while (0)

#define assert_err(req, err)                                                                       \
	do {                                                                                       \
		assert_int_equal(host(req), err);                                                  \
		assert_string_equal(out, "untouched");                                             \
	} while (0)

static void http__request_host__host_header__any_case_ows_no_port(void **state)
{
	assert_host("GET / HTTP/1.1\r\nHost: agent-api.atera.com\r\n\r\n", "agent-api.atera.com");
	assert_host("GET /x?y=1 HTTP/1.1\r\nUser-Agent: a\r\nhOST:\tAgent-API.Atera.COM:8443 \t\r\n"
		    "Accept: */*\r\n\r\n",
		    "agent-api.atera.com");
	assert_host("POST /api HTTP/1.0\nHost:h.example\n\n", "h.example"); /* bare LF lines */
	assert_host("GET / HTTP/1.1\r\nHost: [2001:DB8::1]:80\r\n\r\n", "[2001:db8::1]");
	assert_host("GET / HTTP/1.1\r\nHost: [::ffff:192.0.2.1]\r\n\r\n", "[::ffff:192.0.2.1]");
	assert_host("GET / HTTP/1.1\r\nHost: 192.0.2.1:8080\r\n\r\n", "192.0.2.1");
	assert_host("GET / HTTP/1.1\r\nHost: fqdn.example.\r\n\r\n", "fqdn.example");
	assert_host("OPTIONS * HTTP/1.1\r\nHost: h.example\r\n\r\n", "h.example");
	/* a header named like Host is not Host */
	assert_host("GET / HTTP/1.1\r\nX-Host: evil.example\r\nHostname: evil.example\r\n"
		    "Host: good.example\r\n\r\n",
		    "good.example");
}

static void http__request_host__target__absolute_and_connect(void **state)
{
	assert_host("GET http://Proxy.Target.example:8080/path HTTP/1.1\r\n\r\n",
		    "proxy.target.example");
	/* the target names the host a server uses, whatever Host says (RFC 9112 3.2.2) */
	assert_host("GET https://a.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n", "a.example");
	assert_host("GET http://a.example?q HTTP/1.1\r\n\r\n", "a.example");
	assert_host("GET http://[2001:db8::2]/ HTTP/1.1\r\n\r\n", "[2001:db8::2]");
	assert_host("CONNECT pubsub.atera.com:443 HTTP/1.1\r\nHost: pubsub.atera.com:443\r\n\r\n",
		    "pubsub.atera.com");
	assert_host("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n", "[2001:db8::1]");
	/* no authority in the target: Host */
	assert_host("GET urn:x HTTP/1.1\r\nHost: h.example\r\n\r\n", "h.example");
	assert_host("GET http:///p HTTP/1.1\r\nHost: h.example\r\n\r\n", "h.example");
	/* a cut request line with the target's host whole */
	assert_host("GET http://long.example/aaaaaaaaaaaaaaaa", "long.example");
	assert_host("GET http://long.example/ HTTP/1.", "long.example");
	assert_err("GET http://long.exam", -EMSGSIZE);
}

static void http__request_host__not_http_or_no_host__enoent(void **state)
{
	assert_err("GET / HTTP/1.1\r\nAccept: */*\r\n\r\nHost: after.example\r\n", -ENOENT);
	assert_err("GET / HTTP/1.1\r\nHost:\r\n\r\n", -ENOENT);
	assert_err("GET / HTTP/1.1\r\nHost:   \r\n\r\n", -ENOENT);
	assert_err("SSH-2.0-OpenSSH_9.6\r\n", -ENOENT);
	assert_err("\x16\x03\x01\x02\x00\x01", -ENOENT);
	assert_err("get / HTTP/1.1\r\nHost: h.example\r\n\r\n", -ENOENT);
	assert_err("GET / HTTP/2.0\r\nHost: h.example\r\n\r\n", -ENOENT);
	assert_err("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", -ENOENT);
	assert_err("GET / HTTP/1.1 \r\nHost: h.example\r\n\r\n", -ENOENT);
	assert_err("GET  / HTTP/1.1\r\nHost: h.example\r\n\r\n", -ENOENT);
	assert_err("GET /\x01 HTTP/1.1\r\nHost: h.example\r\n\r\n", -ENOENT);
	assert_err("GET / HTTP/1.1\rHost: h.example\r\n\r\n", -ENOENT);
	assert_err("ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\nHost: h.example\r\n\r\n", -ENOENT);
}

static void http__request_host__cut__emsgsize_until_the_host_line_ends(void **state)
{
	static const char req[] = "GET /index.html HTTP/1.1\r\nAccept: */*\r\n"
				  "Host: h.example:80\r\nCookie: x\r\n\r\n";
	const char *host_line_end = strstr(req, "Cookie");

	for (size_t len = 0; len < sizeof(req) - 1; len++) {
		int want = req + len < host_line_end ? -EMSGSIZE : 0;

		strcpy(out, "untouched");
		assert_int_equal(
		    http__request_host((const unsigned char *)req, len, out, sizeof(out)), want);
	}
	assert_string_equal(out, "h.example");
}

static void http__request_host__hostile_or_malformed__einval(void **state)
{
	assert_err("GET / HTTP/1.1\r\nHost: evil.example\r\nHost: good.example\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: a b.example\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: evil.example\x1b[2J\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: caf\xc3\xa9.example\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: a.example:80x\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: a.example:123456\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: :80\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: user@a.example\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: [not-v6]\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", -EINVAL);
	/* a NUL or a bare CR inside a header line, in Host or elsewhere */
	assert_int_equal(http__request_host((const unsigned char *)"GET / HTTP/1.1\r\nHost: a\0"
								   "b.example\r\n\r\n",
					    36, out, sizeof(out)),
			 -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost: a.example\rX: y\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nX: a\rHost: evil.example\r\n\r\n", -EINVAL);
	/* a folded line, a space before the colon, no colon */
	assert_err("GET / HTTP/1.1\r\nHost: a.example\r\n evil.example\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost : a.example\r\n\r\n", -EINVAL);
	assert_err("GET / HTTP/1.1\r\nHost a.example\r\n\r\n", -EINVAL);
	/* userinfo in the target: RFC 9110 4.2.4, and "good@evil" would mislead */
	assert_err("GET http://good.example@evil.example/ HTTP/1.1\r\n\r\n", -EINVAL);
	assert_err("CONNECT evil.example HTTP/1.1\r\n\r\n", -EINVAL); /* no port */
	assert_err("CONNECT [::1] HTTP/1.1\r\n\r\n", -EINVAL);
	assert_err("CONNECT 2001:db8::1 HTTP/1.1\r\n\r\n", -EINVAL);
	assert_err("GET http://ev il/ HTTP/1.1\r\n\r\n", -ENOENT);
	/* too long for @out */
	assert_int_equal(http__request_host((const unsigned char *)"GET / HTTP/1.1\r\nHost: "
								   "abc\r\n\r\n",
					    27, out, 3),
			 -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(http__request_host__host_header__any_case_ows_no_port),
	    cmocka_unit_test(http__request_host__target__absolute_and_connect),
	    cmocka_unit_test(http__request_host__not_http_or_no_host__enoent),
	    cmocka_unit_test(http__request_host__cut__emsgsize_until_the_host_line_ends),
	    cmocka_unit_test(http__request_host__hostile_or_malformed__einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
