// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "network/hostname.h"
#include "network/tls.h"

/* OpenSSL 3's ClientHello for server_hostname="PubSub.Atera.com" (Python's ssl, MemoryBIO). */
static const unsigned char openssl_hello[] = {
    0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, 0x25, 0xd7, 0xab, 0xd8, 0x69,
    0x20, 0xba, 0x2c, 0xe7, 0xe0, 0x7f, 0x12, 0x0c, 0x8a, 0xb8, 0xe0, 0x8c, 0x5a, 0xb9, 0x93, 0x41,
    0xbb, 0x90, 0xde, 0x27, 0x21, 0x03, 0x4c, 0x6e, 0xf2, 0xfc, 0x07, 0x20, 0xcd, 0xb5, 0x7b, 0x4b,
    0x1b, 0x60, 0xe8, 0x18, 0x6b, 0x9a, 0x21, 0x0f, 0x4e, 0x62, 0x21, 0xc8, 0x02, 0x7a, 0x86, 0x47,
    0x3e, 0x70, 0xe2, 0x31, 0x6f, 0x5c, 0xfb, 0x9a, 0x8c, 0xd7, 0xae, 0xc5, 0x00, 0x24, 0x13, 0x02,
    0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0xc0, 0x2b, 0xc0, 0x2f, 0xcc, 0xa9, 0xcc, 0xa8,
    0xc0, 0x24, 0xc0, 0x28, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x9f, 0x00, 0x9e, 0x00, 0x6b, 0x00, 0x67,
    0x00, 0xff, 0x01, 0x00, 0x01, 0x8f, 0x00, 0x00, 0x00, 0x15, 0x00, 0x13, 0x00, 0x00, 0x10, 0x50,
    0x75, 0x62, 0x53, 0x75, 0x62, 0x2e, 0x41, 0x74, 0x65, 0x72, 0x61, 0x2e, 0x63, 0x6f, 0x6d, 0x00,
    0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00, 0x1d, 0x00,
    0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02, 0x01, 0x03, 0x01,
    0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d, 0x00,
    0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08,
    0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03,
    0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x05, 0x04,
    0x03, 0x04, 0x03, 0x03, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24,
    0x00, 0x1d, 0x00, 0x20, 0xa9, 0x6b, 0x4d, 0xf2, 0xa8, 0xcf, 0x7c, 0x1b, 0x69, 0x15, 0x25, 0x97,
    0x2d, 0x3b, 0x86, 0xc5, 0xee, 0xd6, 0x29, 0x59, 0x33, 0x48, 0xf3, 0xe9, 0xf0, 0x20, 0x76, 0x9d,
    0x77, 0xb3, 0x07, 0x63, 0x00, 0x15, 0x00, 0xdd, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00,
};

/* A ClientHello built field by field: the handshake message, then records around it. */
struct hello {
	unsigned char hs[2048];
	size_t n;
};

static void put(struct hello *h, const void *p, size_t n)
{
	memcpy(h->hs + h->n, p, n);
	h->n += n;
}

static void put16(struct hello *h, size_t v)
{
	unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	put(h, b, 2);
}

static void sni_ext(struct hello *h, const char *name)
{
	size_t n = strlen(name);

	put16(h, 0); /* server_name */
	put16(h, n + 5);
	put16(h, n + 3);
	put(h, "\0", 1); /* host_name */
	put16(h, n);
	put(h, name, n);
}

/* The ClientHello body up to its extensions; @ext the extensions block's bytes. */
static void hello_msg(struct hello *h, const unsigned char *ext, size_t ext_len)
{
	size_t body = 2 + 32 + 1 + 32 + 2 + 4 + 2 + (ext ? 2 + ext_len : 0);
	unsigned char random[32] = {1, 2, 3};

	h->n = 0;
	put(h, "\x01", 1);
	put(h, (unsigned char[]){0, (unsigned char)(body >> 8), (unsigned char)body}, 3);
	put(h, "\x03\x03", 2);
	put(h, random, 32);
	put(h, "\x20", 1); /* a session id of 32 bytes, as TLS 1.3 clients send */
	put(h, random, 32);
	put16(h, 4);
	put(h, "\x13\x01\x13\x02", 4);
	put(h, "\x01\x00", 2);
	if (ext) {
		put16(h, ext_len);
		put(h, ext, ext_len);
	}
}

/* @h's handshake bytes in records of at most @rec bytes each, into @out. */
static size_t records(const struct hello *h, size_t rec, unsigned char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < h->n; i += rec) {
		size_t n = h->n - i < rec ? h->n - i : rec;

		out[o++] = 0x16;
		out[o++] = 0x03;
		out[o++] = 0x01;
		out[o++] = (unsigned char)(n >> 8);
		out[o++] = (unsigned char)n;
		memcpy(out + o, h->hs + i, n);
		o += n;
	}
	return o;
}

static void extensions_with_sni(struct hello *ext, const char *name)
{
	ext->n = 0;
	put16(ext, 10); /* supported_groups first, as clients often send */
	put16(ext, 4);
	put16(ext, 2);
	put16(ext, 29);
	sni_ext(ext, name);
	put16(ext, 43); /* supported_versions after */
	put16(ext, 3);
	put(ext, "\x02\x03\x04", 3);
}

static void tls__client_hello_sni__openssl_hello__its_name(void **state)
{
	char out[HOSTNAME_MAX + 1];

	assert_int_equal(
	    tls__client_hello_sni(openssl_hello, sizeof(openssl_hello), out, sizeof(out)), 0);
	assert_string_equal(out, "pubsub.atera.com");
	/* the kernel sends 512 bytes: the name is well inside */
	assert_int_equal(tls__client_hello_sni(openssl_hello, 512, out, sizeof(out)), 0);
	assert_string_equal(out, "pubsub.atera.com");
}

static void tls__client_hello_sni__every_prefix__emsgsize_until_the_name(void **state)
{
	struct hello ext, h;
	unsigned char wire[2200];
	char out[HOSTNAME_MAX + 1];
	size_t n, name_end;

	extensions_with_sni(&ext, "agent.example");
	hello_msg(&h, ext.hs, ext.n);
	n = records(&h, sizeof(h.hs), wire);
	name_end = (size_t)((unsigned char *)memmem(wire, n, "agent.example", 13) - wire) + 13;
	for (size_t len = 0; len <= n; len++) {
		int want = len < name_end ? -EMSGSIZE : 0;

		assert_int_equal(tls__client_hello_sni(wire, len, out, sizeof(out)), want);
	}
	assert_string_equal(out, "agent.example");
}

static void tls__client_hello_sni__split_records__reassembled(void **state)
{
	struct hello ext, h;
	unsigned char wire[4096];
	char out[HOSTNAME_MAX + 1];

	extensions_with_sni(&ext, "split.example");
	hello_msg(&h, ext.hs, ext.n);
	/* one byte a record splits every field, the name too */
	for (size_t rec = 1; rec <= h.n; rec += (rec < 8 ? 1 : 37)) {
		size_t n = records(&h, rec, wire);

		memset(out, 0, sizeof(out));
		assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), 0);
		assert_string_equal(out, "split.example");
	}
	/* a record of another type inside the handshake */
	{
		size_t n = records(&h, 40, wire);

		wire[45] = 0x17;
		assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	}
}

static void tls__client_hello_sni__no_sni_or_not_tls__enoent(void **state)
{
	struct hello ext, h;
	unsigned char wire[2200];
	char out[HOSTNAME_MAX + 1];
	size_t n;

	/* extensions without server_name */
	ext.n = 0;
	put16(&ext, 43);
	put16(&ext, 3);
	put(&ext, "\x02\x03\x04", 3);
	hello_msg(&h, ext.hs, ext.n);
	n = records(&h, sizeof(h.hs), wire);
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -ENOENT);
	/* no extensions at all */
	hello_msg(&h, NULL, 0);
	n = records(&h, sizeof(h.hs), wire);
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -ENOENT);
	/* a ServerHello, HTTP, SSH, an SSLv2 hello, application data */
	h.hs[0] = 2;
	n = records(&h, sizeof(h.hs), wire);
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -ENOENT);
	assert_int_equal(tls__client_hello_sni((const unsigned char *)"GET / HTTP/1.1\r\n", 16, out,
					       sizeof(out)),
			 -ENOENT);
	assert_int_equal(tls__client_hello_sni((const unsigned char *)"SSH-2.0-OpenSSH_9.6\r\n", 21,
					       out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(tls__client_hello_sni((const unsigned char *)"\x80\x2e\x01\x00\x02", 5,
					       out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(tls__client_hello_sni((const unsigned char *)"\x17\x03\x03\x00\x01x", 6,
					       out, sizeof(out)),
			 -ENOENT);
	/* a record of 0 bytes, or longer than any record */
	assert_int_equal(tls__client_hello_sni((const unsigned char *)"\x16\x03\x01\x00\x00", 5,
					       out, sizeof(out)),
			 -ENOENT);
	assert_int_equal(tls__client_hello_sni((const unsigned char *)"\x16\x03\x01\xff\xff\x01", 6,
					       out, sizeof(out)),
			 -ENOENT);
}

static void tls__client_hello_sni__lengths_disagree__einval(void **state)
{
	struct hello ext, h;
	unsigned char wire[2200];
	char out[HOSTNAME_MAX + 1];
	size_t n, at;

	extensions_with_sni(&ext, "agent.example");
	hello_msg(&h, ext.hs, ext.n);
	n = records(&h, sizeof(h.hs), wire);
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), 0);

	/* each length one more than it should be, then one less */
	static const size_t lengths[] = {
	    5 + 3,			 /* the handshake's (low byte) */
	    5 + 4 + 34 + 1 + 32 + 1,	 /* cipher suites' */
	    5 + 4 + 34 + 1 + 32 + 2 + 4, /* compression methods' */
	};
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		unsigned char saved = wire[lengths[i]];

		wire[lengths[i]] = saved + 1;
		assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
		wire[lengths[i]] = saved - 1;
		assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
		wire[lengths[i]] = saved;
	}
	/* the session id over 32 bytes */
	at = 5 + 4 + 34;
	wire[at] = 33;
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	wire[at] = 32;
	/* the extensions block, the SNI list and the name each longer than their container */
	at = 5 + 4 + 34 + 1 + 32 + 2 + 4 + 2 + 1;
	wire[at]++;
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	wire[at]--;
	at += 1 + 8 + 2 + 1; /* the server_name extension's length, low byte */
	wire[at] += 1;
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	wire[at] -= 1;
	wire[at + 2] += 1; /* the list's */
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	wire[at + 2] -= 1;
	wire[at + 5] += 1; /* the name's */
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	wire[at + 5] -= 1;
	wire[at + 3] = 1; /* a name type other than host_name */
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	wire[at + 3] = 0;
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), 0);
	assert_string_equal(out, "agent.example");
}

static void tls__client_hello_sni__hostile_names__einval(void **state)
{
	static const char *bad[] = {
	    "evil.example\n",
	    "a b.example",
	    "evil.example\x1b[2J",
	    "caf\xc3\xa9.example",
	    "evil.example.",
	    "a..example",
	    "a/b",
	    "1.2.3.4:443",
	    "x\x7f",
	};
	struct hello ext, h;
	unsigned char wire[2200];
	char out[HOSTNAME_MAX + 1];
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		extensions_with_sni(&ext, bad[i]);
		hello_msg(&h, ext.hs, ext.n);
		n = records(&h, sizeof(h.hs), wire);
		strcpy(out, "untouched");
		assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
		assert_string_equal(out, "untouched");
	}
	/* a NUL inside the name */
	extensions_with_sni(&ext, "evil.example0good.example");
	ext.hs[ext.n - 13] = '\0';
	hello_msg(&h, ext.hs, ext.n);
	n = records(&h, sizeof(h.hs), wire);
	assert_int_equal(tls__client_hello_sni(wire, n, out, sizeof(out)), -EINVAL);
	/* a name too long for @out */
	extensions_with_sni(&ext, "agent.example");
	hello_msg(&h, ext.hs, ext.n);
	n = records(&h, sizeof(h.hs), wire);
	assert_int_equal(tls__client_hello_sni(wire, n, out, 13), -ENOSPC);
	assert_int_equal(tls__client_hello_sni(wire, n, out, 14), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tls__client_hello_sni__openssl_hello__its_name),
	    cmocka_unit_test(tls__client_hello_sni__every_prefix__emsgsize_until_the_name),
	    cmocka_unit_test(tls__client_hello_sni__split_records__reassembled),
	    cmocka_unit_test(tls__client_hello_sni__no_sni_or_not_tls__enoent),
	    cmocka_unit_test(tls__client_hello_sni__lengths_disagree__einval),
	    cmocka_unit_test(tls__client_hello_sni__hostile_names__einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
