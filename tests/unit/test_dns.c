// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dns_builder.h"
#include "network/addr.h"
#include "network/dns.h"

struct got {
	unsigned n;
	char name[8][DNS_NAME_MAX];
	char addr[8][ADDR_STR_MAX];
	uint32_t ttl[8];
};

static void collect(void *ctx, const char *name, const unsigned char addr[16], uint32_t ttl)
{
	struct got *g = ctx;

	if (g->n < 8) {
		snprintf(g->name[g->n], sizeof(g->name[0]), "%s", name);
		assert_int_equal(addr__format(addr, g->addr[g->n], sizeof(g->addr[0])), 0);
		g->ttl[g->n] = ttl;
	}
	g->n++;
}

static int parse(const struct dnsb *b, struct got *g)
{
	memset(g, 0, sizeof(*g));
	return dns__parse_answer(b->p, b->n, false, collect, g);
}

static const unsigned char v6[16] = {0x20, 0x01, 0x48, 0x60, [15] = 0x88};

static void dns__parse_answer__a_and_aaaa__reported_under_the_question(void **state)
{
	struct dnsb b;
	struct got g;

	dnsb_hdr(&b, DNSB_RESP, 1, 3);
	dnsb_question(&b, "Agent-API.atera.com", DNSB_A);
	dnsb_a(&b, "agent-api.atera.com", 300, 203, 0, 113, 7);
	dnsb_aaaa(&b, "AGENT-API.ATERA.COM", 60, v6);
	dnsb_a(&b, "other.example", 300, 192, 0, 2, 1); /* not asked for: ignored */
	assert_int_equal(parse(&b, &g), 2);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.name[0], "agent-api.atera.com");
	assert_string_equal(g.addr[0], "203.0.113.7");
	assert_int_equal(g.ttl[0], 300);
	assert_string_equal(g.name[1], "agent-api.atera.com");
	assert_string_equal(g.addr[1], "2001:4860::88");
	assert_int_equal(g.ttl[1], 60);
}

static void dns__parse_answer__compressed_owner__matches_the_question(void **state)
{
	struct dnsb b;
	struct got g;
	size_t q;

	dnsb_hdr(&b, DNSB_RESP, 1, 1);
	q = dnsb_question(&b, "x.example", DNSB_A);
	dnsb_ptr(&b, q);
	dnsb_rr_fixed(&b, DNSB_A, 5, 4);
	dnsb_bytes(&b, "\x0a\x00\x00\x01", 4);
	assert_int_equal(parse(&b, &g), 1);
	assert_string_equal(g.name[0], "x.example");
	assert_string_equal(g.addr[0], "10.0.0.1");
}

static void dns__parse_answer__cname_chain_any_order__smallest_ttl(void **state)
{
	struct dnsb b;
	struct got g;

	/* www -> edge (ttl 100) -> node (ttl 30); the section lists them backwards */
	dnsb_hdr(&b, DNSB_RESP, 1, 4);
	dnsb_question(&b, "www.vendor.example", DNSB_A);
	dnsb_a(&b, "node.cdn.example", 600, 198, 51, 100, 9);
	dnsb_cname(&b, "edge.cdn.example", 30, "node.cdn.example");
	dnsb_cname(&b, "www.vendor.example", 100, "edge.cdn.example");
	dnsb_a(&b, "edge.cdn.example", 3600, 198, 51, 100, 8); /* on the chain too */
	assert_int_equal(parse(&b, &g), 2);
	assert_string_equal(g.name[0], "www.vendor.example");
	assert_string_equal(g.addr[0], "198.51.100.9");
	assert_int_equal(g.ttl[0], 30);
	assert_string_equal(g.name[1], "www.vendor.example");
	assert_string_equal(g.addr[1], "198.51.100.8");
	assert_int_equal(g.ttl[1], 100);
}

static void dns__parse_answer__off_chain_records__ignored(void **state)
{
	struct dnsb b;
	struct got g;

	/* a CNAME and an address the question never reaches: injected, not answered */
	dnsb_hdr(&b, DNSB_RESP, 1, 3);
	dnsb_question(&b, "asked.example", DNSB_A);
	dnsb_cname(&b, "bank.example", 300, "asked.example");
	dnsb_a(&b, "bank.example", 300, 192, 0, 2, 66);
	dnsb_a(&b, "asked.example", 300, 192, 0, 2, 1);
	assert_int_equal(parse(&b, &g), 1);
	assert_string_equal(g.name[0], "asked.example");
	assert_string_equal(g.addr[0], "192.0.2.1");
}

static void dns__parse_answer__cname_loops__refused_without_a_call(void **state)
{
	struct dnsb b;
	struct got g;

	dnsb_hdr(&b, DNSB_RESP, 1, 3);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 1);
	dnsb_cname(&b, "a.example", 300, "b.example");
	dnsb_cname(&b, "B.example", 300, "A.EXAMPLE");
	assert_int_equal(parse(&b, &g), -ELOOP);
	assert_int_equal(g.n, 0);

	dnsb_hdr(&b, DNSB_RESP, 1, 1);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_cname(&b, "a.example", 300, "a.example");
	assert_int_equal(parse(&b, &g), -ELOOP);
}

static void dns__parse_answer__chain_length__bounded(void **state)
{
	char from[16], to[16];
	struct dnsb b;
	struct got g;

	for (int len = DNS_CHAIN_MAX; len <= DNS_CHAIN_MAX + 1; len++) {
		dnsb_hdr(&b, DNSB_RESP, 1, len + 1);
		dnsb_question(&b, "n0.example", DNSB_A);
		for (int i = 0; i < len; i++) {
			snprintf(from, sizeof(from), "n%d.example", i);
			snprintf(to, sizeof(to), "n%d.example", i + 1);
			dnsb_cname(&b, from, 300, to);
		}
		dnsb_a(&b, to, 300, 192, 0, 2, 1);
		assert_int_equal(parse(&b, &g), len == DNS_CHAIN_MAX ? 1 : -ELOOP);
		assert_int_equal(g.n, len == DNS_CHAIN_MAX ? 1 : 0);
	}
}

static void dns__parse_answer__two_cname_targets__refused(void **state)
{
	struct dnsb b;
	struct got g;

	dnsb_hdr(&b, DNSB_RESP, 1, 4);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_cname(&b, "a.example", 300, "good.example");
	dnsb_cname(&b, "a.example", 300, "evil.example");
	dnsb_a(&b, "good.example", 300, 192, 0, 2, 1);
	dnsb_a(&b, "evil.example", 300, 192, 0, 2, 66);
	assert_int_equal(parse(&b, &g), -EINVAL);
	assert_int_equal(g.n, 0);

	/* the same CNAME twice is one answer: the smaller TTL */
	dnsb_hdr(&b, DNSB_RESP, 1, 3);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_cname(&b, "a.example", 300, "good.example");
	dnsb_cname(&b, "a.example", 20, "GOOD.example");
	dnsb_a(&b, "good.example", 300, 192, 0, 2, 1);
	assert_int_equal(parse(&b, &g), 1);
	assert_int_equal(g.ttl[0], 20);
}

static void dns__parse_answer__ttl_with_top_bit__zero(void **state)
{
	struct dnsb b;
	struct got g;

	dnsb_hdr(&b, DNSB_RESP, 1, 1);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_a(&b, "a.example", 0x80000000u, 192, 0, 2, 1);
	assert_int_equal(parse(&b, &g), 1);
	assert_int_equal(g.ttl[0], 0);
}

static void dns__parse_answer__not_an_answer__refused_or_empty(void **state)
{
	struct dnsb b;
	struct got g;

	dnsb_hdr(&b, DNSB_RD, 1, 1); /* a query */
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 1);
	assert_int_equal(parse(&b, &g), -ENOMSG);
	b.p[2] = 0x80 | 0x28; /* a response, opcode 5 (UPDATE) */
	assert_int_equal(parse(&b, &g), -ENOMSG);
	b.p[2] = 0x81;
	b.p[3] = 0x83; /* NXDOMAIN: a sound answer that names nothing */
	assert_int_equal(parse(&b, &g), 0);
	b.p[3] = 0x80;
	b.p[5] = 2; /* two questions */
	assert_int_equal(parse(&b, &g), -ENOMSG);
	b.p[5] = 0;
	assert_int_equal(parse(&b, &g), -ENOMSG);
	b.p[5] = 1;
	b.p[12 + 11 + 3] = 3; /* question class CH */
	assert_int_equal(parse(&b, &g), -ENOMSG);
	b.p[12 + 11 + 3] = 1;
	assert_int_equal(parse(&b, &g), 1);
	assert_int_equal(g.n, 1);
}

static void dns__parse_answer__bad_pointers__refused(void **state)
{
	struct dnsb b;
	struct got g;
	size_t at;

	/* forwards */
	dnsb_hdr(&b, DNSB_RESP, 1, 1);
	dnsb_question(&b, "a.example", DNSB_A);
	at = b.n;
	dnsb_ptr(&b, at + 2);
	dnsb_name(&b, "a.example");
	assert_int_equal(parse(&b, &g), -EINVAL);
	/* to itself */
	b.n = at;
	dnsb_ptr(&b, at);
	dnsb_rr_fixed(&b, DNSB_A, 1, 4);
	dnsb_bytes(&b, "\1\2\3\4", 4);
	assert_int_equal(parse(&b, &g), -EINVAL);
	/* a label then a pointer back to that label: a loop through backward pointers */
	b.n = at;
	dnsb_bytes(&b, "\1x", 2);
	dnsb_ptr(&b, at);
	dnsb_rr_fixed(&b, DNSB_A, 1, 4);
	dnsb_bytes(&b, "\1\2\3\4", 4);
	assert_int_equal(parse(&b, &g), -EINVAL);
	/* into the header, whose bytes are no name */
	b.n = at;
	dnsb_ptr(&b, 4);
	dnsb_rr_fixed(&b, DNSB_A, 1, 4);
	dnsb_bytes(&b, "\1\2\3\4", 4);
	assert_int_equal(parse(&b, &g), -EINVAL);
	/* the reserved label types 0x40 and 0x80 */
	b.n = at;
	dnsb_u8(&b, 0x41);
	dnsb_u8(&b, 'x');
	dnsb_u8(&b, 0);
	dnsb_rr_fixed(&b, DNSB_A, 1, 4);
	dnsb_bytes(&b, "\1\2\3\4", 4);
	assert_int_equal(parse(&b, &g), -EINVAL);
	assert_int_equal(g.n, 0);
}

static void dns__parse_answer__name_over_255_bytes__refused(void **state)
{
	char name[300];
	struct dnsb b;
	struct got g;

	/* four 63-byte labels: 4 * 64 + 1 = 257 bytes */
	memset(name, 'a', sizeof(name));
	for (int i = 63; i < 4 * 64; i += 64)
		name[i] = '.';
	name[4 * 64 - 1] = '\0';
	dnsb_hdr(&b, DNSB_RESP, 1, 0);
	dnsb_question(&b, name, DNSB_A);
	assert_int_equal(parse(&b, &g), -EINVAL);
	/* three and one of 61: 255 bytes, the longest name */
	name[3 * 64 + 61] = '\0';
	dnsb_hdr(&b, DNSB_RESP, 1, 0);
	dnsb_question(&b, name, DNSB_A);
	assert_int_equal(parse(&b, &g), 0);
}

static void dns__parse_answer__bad_rdata__refuses_the_whole_message(void **state)
{
	struct dnsb b;
	struct got g;

	dnsb_hdr(&b, DNSB_RESP, 1, 2);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 1);
	dnsb_name(&b, "a.example");
	dnsb_rr_fixed(&b, DNSB_A, 300, 5);
	dnsb_bytes(&b, "\1\2\3\4\5", 5);
	assert_int_equal(parse(&b, &g), -EINVAL);
	assert_int_equal(g.n, 0);

	/* a CNAME whose target runs past its RDLENGTH */
	dnsb_hdr(&b, DNSB_RESP, 1, 2);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_name(&b, "a.example");
	dnsb_rr_fixed(&b, DNSB_CNAME, 300, 3);
	dnsb_name(&b, "b.example");
	dnsb_a(&b, "b.example", 300, 192, 0, 2, 1);
	assert_int_equal(parse(&b, &g), -EINVAL);
	assert_int_equal(g.n, 0);
}

static void dns__parse_answer__cut_message__whole_records_then_emsgsize(void **state)
{
	struct dnsb b;
	struct got g;
	size_t first_end;

	dnsb_hdr(&b, DNSB_RESP, 1, 2);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 1);
	first_end = b.n;
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 2);
	for (size_t len = 0; len < b.n; len++) {
		int want = len < first_end ? 0 : 1;

		memset(&g, 0, sizeof(g));
		assert_int_equal(dns__parse_answer(b.p, len, false, collect, &g), -EMSGSIZE);
		assert_int_equal(g.n, want);
	}
	assert_int_equal(parse(&b, &g), 2);
}

static void dns__parse_answer__tcp_length__bounds_the_message(void **state)
{
	struct dnsb b;
	struct got g;
	unsigned char tcp[600];

	dnsb_hdr(&b, DNSB_RESP, 1, 2);
	dnsb_question(&b, "a.example", DNSB_A);
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 1);
	dnsb_a(&b, "a.example", 300, 192, 0, 2, 2);
	tcp[0] = (unsigned char)(b.n >> 8);
	tcp[1] = (unsigned char)b.n;
	memcpy(tcp + 2, b.p, b.n);
	memcpy(tcp + 2 + b.n, "\0\xff", 2); /* the stream's next message */
	memset(&g, 0, sizeof(g));
	assert_int_equal(dns__parse_answer(tcp, b.n + 4, true, collect, &g), 2);
	/* cut: the length says more is coming */
	memset(&g, 0, sizeof(g));
	assert_int_equal(dns__parse_answer(tcp, b.n - 3, true, collect, &g), -EMSGSIZE);
	assert_int_equal(g.n, 1);
	assert_int_equal(dns__parse_answer(tcp, 1, true, collect, &g), -EMSGSIZE);
	/* a length shorter than the records it holds: a lie, not a cut */
	tcp[1] = (unsigned char)(b.n - 3);
	memset(&g, 0, sizeof(g));
	assert_int_equal(dns__parse_answer(tcp, b.n + 2, true, collect, &g), -EINVAL);
	assert_int_equal(g.n, 0);
}

static void dns__name_text__escapes__no_label_passes_for_another_name(void **state)
{
	static const unsigned char msg[] = {
	    0, 0,   0,	  0,   0,    0,	   0,	 0,   0, 0, 0, 0, /* header */
	    7, 'E', 'v',  'i', 'l',  '.',  'C',	 'o',		  /* "evil.co" as one label */
	    6, 'a', '\\', ' ', 0x00, 0x7f, 0xff,		  /* the rest */
	    1, '"', 0,						  /* a quote is printable */
	    0,							  /* 30: the root */
	};
	char out[DNS_NAME_MAX];

	assert_int_equal(dns__name_text(msg, sizeof(msg), 12, out), 30);
	assert_string_equal(out, "evil\\.co.a\\\\\\032\\000\\127\\255.\"");
	assert_int_equal(dns__name_text(msg, sizeof(msg), 30, out), 31);
	assert_string_equal(out, ".");
	assert_int_equal(dns__name_text(msg, 25, 12, out), -EMSGSIZE);
}

static void dns__name_text__longest_escaped_name__fits(void **state)
{
	unsigned char msg[12 + 255] = {0};
	char out[DNS_NAME_MAX];
	size_t o = 12;

	/* 63 + 63 + 63 + 61 bytes of 0xff, each "\255": 1000 characters and 3 dots */
	for (int l = 0; l < 4; l++) {
		unsigned n = l < 3 ? 63 : 61;

		msg[o++] = (unsigned char)n;
		memset(msg + o, 0xff, n);
		o += n;
	}
	msg[o++] = 0;
	assert_int_equal(o, sizeof(msg));
	assert_int_equal(dns__name_text(msg, sizeof(msg), 12, out), (int)sizeof(msg));
	assert_int_equal(strlen(out), DNS_NAME_MAX - 1);
	assert_memory_equal(out, "\\255\\255", 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dns__parse_answer__a_and_aaaa__reported_under_the_question),
	    cmocka_unit_test(dns__parse_answer__compressed_owner__matches_the_question),
	    cmocka_unit_test(dns__parse_answer__cname_chain_any_order__smallest_ttl),
	    cmocka_unit_test(dns__parse_answer__off_chain_records__ignored),
	    cmocka_unit_test(dns__parse_answer__cname_loops__refused_without_a_call),
	    cmocka_unit_test(dns__parse_answer__chain_length__bounded),
	    cmocka_unit_test(dns__parse_answer__two_cname_targets__refused),
	    cmocka_unit_test(dns__parse_answer__ttl_with_top_bit__zero),
	    cmocka_unit_test(dns__parse_answer__not_an_answer__refused_or_empty),
	    cmocka_unit_test(dns__parse_answer__bad_pointers__refused),
	    cmocka_unit_test(dns__parse_answer__name_over_255_bytes__refused),
	    cmocka_unit_test(dns__parse_answer__bad_rdata__refuses_the_whole_message),
	    cmocka_unit_test(dns__parse_answer__cut_message__whole_records_then_emsgsize),
	    cmocka_unit_test(dns__parse_answer__tcp_length__bounds_the_message),
	    cmocka_unit_test(dns__name_text__escapes__no_label_passes_for_another_name),
	    cmocka_unit_test(dns__name_text__longest_escaped_name__fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
