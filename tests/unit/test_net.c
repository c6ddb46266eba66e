// SPDX-License-Identifier: MIT
/*
 * The network records (pipeline/net.c): kernel records in, DeviceNetworkEvents
 * records out. Real: lineage, the parsers (DNS, TLS, HTTP), the name map, the
 * record. The records handed on are kept here as copies.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/decode.h"
#include "dns_builder.h"
#include "pipeline/lineage.h"
#include "pipeline/net.h"

#define MAX_OUT 8

struct fixture {
	struct lineage *lineage;
	struct net *net;
	struct event out[MAX_OUT];
	int nout;
	int64_t next_id;
	uint32_t settling; /* the process whose identity is settling; 0: none */
};

static void finish(void *ctx, struct event *e)
{
	struct fixture *fx = ctx;

	/* the first MAX_OUT kept, every one counted */
	if (fx->nout < MAX_OUT)
		assert_int_equal(event__copy(&fx->out[fx->nout], e), 0);
	fx->nout++;
}

static int64_t report_id(void *ctx)
{
	return ++((struct fixture *)ctx)->next_id;
}

static bool settling(void *ctx, uint32_t tgid)
{
	return tgid == ((struct fixture *)ctx)->settling;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct net_ops ops = {.finish = finish, .report_id = report_id, .settling = settling};
	struct proc_record r = {.tgid = 4242, .creator = 1, .exe_ino = 77, .creation_us = 5};

	if (!fx)
		return -1;
	ops.ctx = fx;
	for (int i = 0; i < MAX_OUT; i++)
		event__init(&fx->out[i]);
	fx->lineage = lineage__new(64);
	fx->net = net__new(fx->lineage, "dev-1", "host-1", &ops);
	if (!fx->lineage || !fx->net)
		return -1;
	r.col[PROC_FILE_NAME] = "AteraAgent";
	r.col[PROC_FOLDER_PATH] = "/opt/atera/AteraAgent";
	r.col[PROC_CMDLINE] = "/opt/atera/AteraAgent --service";
	r.col[PROC_ACCOUNT] = "root";
	r.col[PROC_COMPANY] = "Atera Networks Ltd.";
	r.col[PROC_SHA256] = "ab";
	r.col[PROC_CREATOR_NAME] = "systemd";
	lineage__put(fx->lineage, &r);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	net__free(fx->net);
	lineage__free(fx->lineage);
	for (int i = 0; i < MAX_OUT; i++)
		event__free(&fx->out[i]);
	free(fx);
	return 0;
}

static void v4(unsigned char a[16], uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = b0, a[13] = b1, a[14] = b2, a[15] = b3;
}

/* A connect of the fixture's Atera process from 10.0.0.5:40000 to 127.0.0.1:@port. */
static struct net_event conn(unsigned short kind, unsigned short port)
{
	struct net_event k = {
	    .boot_ns = 1000,
	    .sock_id = 9,
	    .exe_ino = 77,
	    .tgid = 4242,
	    .pid = 4243,
	    .netns = 4026531840u,
	    .kind = kind,
	    .protocol = IPPROTO_TCP,
	    .local_port = 40000,
	    .remote_port = port,
	};

	v4(k.local_addr, 10, 0, 0, 5);
	v4(k.remote_addr, 127, 0, 0, 1);
	return k;
}

static int record(struct fixture *fx, const struct net_event *k)
{
	return net__record(fx->net, k, NET_EVENT_HDR_SIZE + k->data_len);
}

static struct net_event payload(unsigned short kind, const void *data, size_t len)
{
	struct net_event k = conn(kind, 0);

	assert_true(len <= NET_DATA_MAX);
	memcpy(k.data, data, len);
	k.data_len = len;
	return k;
}

static const char *str(const struct event *e, int id)
{
	return event__str(e, id);
}

/* One A record for agent-api.atera.com (127.0.0.1, TTL 300), as a DNS server answers. */
static const unsigned char dns_answer[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
					   /* question */
					   9, 'a', 'g', 'e', 'n', 't', '-', 'a', 'p', 'i', 5, 'a',
					   't', 'e', 'r', 'a', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
					   /* answer: a pointer to the question's name */
					   0xc0, 12, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 127, 0, 0,
					   1};

static void net__dns_then_connect__named_by_the_answer(void **state)
{
	struct fixture *fx = *state;
	struct net_event a = payload(NET_DNS_ANSWER, dns_answer, sizeof(dns_answer));
	struct net_event k = conn(NET_CONNECT_SUCCESS, 443);
	struct net_stats st;
	const struct event *e;

	a.protocol = IPPROTO_UDP;
	a.tgid = 0;
	assert_int_equal(record(fx, &a), 0);
	assert_int_equal(fx->nout, 0);
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 0); /* held: waits for its first bytes */
	assert_true(net__tick(fx->net) > 0);
	net__flush(fx->net);
	assert_int_equal(fx->nout, 1);
	e = &fx->out[0];
	assert_int_equal(e->table, TABLE_NETWORK);
	assert_string_equal(str(e, NET_ACTION_TYPE), "ConnectionSuccess");
	assert_string_equal(str(e, NET_REMOTE_URL), "agent-api.atera.com");
	assert_string_equal(str(e, NET_REMOTE_IP), "127.0.0.1");
	assert_int_equal(event__long(e, NET_REMOTE_PORT), 443);
	assert_string_equal(str(e, NET_LOCAL_IP), "10.0.0.5");
	assert_string_equal(str(e, NET_LOCAL_IP_TYPE), "Private");
	assert_string_equal(str(e, NET_REMOTE_IP_TYPE), "Loopback");
	assert_string_equal(str(e, NET_PROTOCOL), "Tcp");
	assert_int_equal(event__long(e, NET_NET_NAMESPACE), 4026531840u);
	assert_string_equal(str(e, NET_DEVICE_NAME), "host-1");
	assert_int_equal(event__long(e, NET_REPORT_ID), 1);
	/* the process as its exec named it */
	assert_int_equal(event__long(e, NET_INITIATING_PROCESS_ID), 4242);
	assert_string_equal(str(e, NET_INITIATING_PROCESS_FILE_NAME), "AteraAgent");
	assert_string_equal(str(e, NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME),
			    "Atera Networks Ltd.");
	assert_string_equal(str(e, NET_INITIATING_PROCESS_SHA256), "ab");
	assert_null(str(e, NET_INITIATING_PROCESS_SHA1));
	assert_int_equal(event__long(e, NET_INITIATING_PROCESS_PARENT_ID), 1);
	assert_string_equal(str(e, NET_INITIATING_PROCESS_PARENT_FILE_NAME), "systemd");
	assert_int_equal(event__long(e, NET_INITIATING_PROCESS_CREATION_TIME), 5);
	net__stats(fx->net, &st);
	assert_int_equal(st.dns_answers, 1);
	assert_int_equal(st.url_from_dns, 1);
	assert_int_equal(net__tick(fx->net), -1);
}

static void net__answer_in_another_namespace__no_name(void **state)
{
	struct fixture *fx = *state;
	struct net_event a = payload(NET_DNS_ANSWER, dns_answer, sizeof(dns_answer));
	struct net_event k = conn(NET_CONNECT_FAILED, 443);

	a.protocol = IPPROTO_UDP;
	a.netns = 4026532000u;
	k.err = ECONNREFUSED;
	assert_int_equal(record(fx, &a), 0);
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 1); /* a failed connect is not held */
	assert_string_equal(str(&fx->out[0], NET_ACTION_TYPE), "ConnectionFailed");
	assert_string_equal(str(&fx->out[0], NET_CONNECTION_ERROR), "ECONNREFUSED");
	assert_null(str(&fx->out[0], NET_REMOTE_URL));
}

static void net__http_host__the_connection_names_itself(void **state)
{
	static const char req[] = "GET /api HTTP/1.1\r\nHost: Agent-API.atera.com:8080\r\n\r\n";
	struct fixture *fx = *state;
	struct net_event k = conn(NET_CONNECT_SUCCESS, 8080);
	struct net_event b = payload(NET_FIRST_BYTES, req, sizeof(req) - 1);

	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(record(fx, &b), 0);
	assert_int_equal(fx->nout, 1); /* at once: the bytes came */
	assert_string_equal(str(&fx->out[0], NET_REMOTE_URL), "agent-api.atera.com");
	assert_int_equal(net__tick(fx->net), -1);
}

/* A non-blocking connect that writes at once: its bytes can reach the ring first. */
static void net__first_bytes_before_the_connect__still_name_it(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: agent-api.atera.com\r\n\r\n";
	struct fixture *fx = *state;
	struct net_event b = payload(NET_FIRST_BYTES, req, sizeof(req) - 1);
	struct net_event k = conn(NET_CONNECT_SUCCESS, 80), other = conn(NET_CONNECT_SUCCESS, 80);

	assert_int_equal(record(fx, &b), 0);
	assert_int_equal(fx->nout, 0);
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 1); /* its bytes are in: nothing to wait for */
	assert_string_equal(str(&fx->out[0], NET_REMOTE_URL), "agent-api.atera.com");
	/* taken once: another connection of the same id waits as any does */
	other.sock_id = k.sock_id;
	assert_int_equal(record(fx, &other), 0);
	assert_int_equal(fx->nout, 1);
	net__flush(fx->net);
	assert_int_equal(fx->nout, 2);
	assert_null(str(&fx->out[1], NET_REMOTE_URL));
}

/*
 * Wine's server makes a Windows program's connect; the program sends on the
 * socket itself: the connection is the program's. Another process's sends
 * on a socket it was handed change nothing.
 */
static void net__wineserver_connect__named_after_the_sender(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: agent-api.atera.com\r\n\r\n";
	struct fixture *fx = *state;
	struct proc_record server = {.tgid = 300, .exe_ino = 30};
	struct net_event k = conn(NET_CONNECT_SUCCESS, 80);
	struct net_event b = payload(NET_FIRST_BYTES, req, sizeof(req) - 1);
	struct net_stats st;

	server.col[PROC_FILE_NAME] = "wineserver64";
	assert_int_equal(lineage__put(fx->lineage, &server), 0);
	k.tgid = k.pid = 300;
	k.exe_ino = 30;
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(record(fx, &b), 0); /* sent by 4242, the program */
	assert_int_equal(fx->nout, 1);
	assert_int_equal(event__long(&fx->out[0], NET_INITIATING_PROCESS_ID), 4242);
	assert_string_equal(str(&fx->out[0], NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME),
			    "Atera Networks Ltd.");
	net__stats(fx->net, &st);
	assert_int_equal(st.wine_connects, 1);

	/* not Wine's server: the process that connected stays the one named */
	k = conn(NET_CONNECT_SUCCESS, 80);
	k.sock_id = 10;
	b.sock_id = 10;
	b.tgid = b.pid = 300;
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(record(fx, &b), 0);
	assert_int_equal(fx->nout, 2);
	assert_int_equal(event__long(&fx->out[1], NET_INITIATING_PROCESS_ID), 4242);
}

/* A ClientHello (TLS 1.2 record) with the one extension server_name = pubsub.atera.com. */
static size_t client_hello(unsigned char *p)
{
	static const char host[] = "pubsub.atera.com";
	size_t hn = sizeof(host) - 1, ext = 2 + 2 + 2 + 1 + 2 + hn;
	size_t body = 2 + 32 + 1 + 4 + 2 + 2 + ext, n = 0;

	p[n++] = 0x16, p[n++] = 3, p[n++] = 1;
	p[n++] = (body + 4) >> 8, p[n++] = (body + 4) & 0xff;
	p[n++] = 1, p[n++] = 0, p[n++] = body >> 8, p[n++] = body & 0xff;
	p[n++] = 3, p[n++] = 3;
	memset(p + n, 7, 32), n += 32;
	p[n++] = 0;					      /* session id */
	p[n++] = 0, p[n++] = 2, p[n++] = 0x13, p[n++] = 0x01; /* one cipher suite */
	p[n++] = 1, p[n++] = 0;				      /* compression: null */
	p[n++] = ext >> 8, p[n++] = ext & 0xff;
	p[n++] = 0, p[n++] = 0; /* server_name */
	p[n++] = (ext - 4) >> 8, p[n++] = (ext - 4) & 0xff;
	p[n++] = (ext - 6) >> 8, p[n++] = (ext - 6) & 0xff;
	p[n++] = 0; /* host_name */
	p[n++] = hn >> 8, p[n++] = hn & 0xff;
	memcpy(p + n, host, hn);
	return n + hn;
}

static void net__tls_sni__wins_over_the_dns_name(void **state)
{
	struct fixture *fx = *state;
	struct net_event a = payload(NET_DNS_ANSWER, dns_answer, sizeof(dns_answer));
	struct net_event k = conn(NET_CONNECT_SUCCESS, 443);
	unsigned char hello[NET_DATA_MAX];
	struct net_event b = payload(NET_FIRST_BYTES, hello, client_hello(hello));

	memcpy(b.data, hello, b.data_len);
	a.protocol = IPPROTO_UDP;
	assert_int_equal(record(fx, &a), 0);
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(record(fx, &b), 0);
	assert_int_equal(fx->nout, 1);
	assert_string_equal(str(&fx->out[0], NET_REMOTE_URL), "pubsub.atera.com");
}

/* The process has exec'd another file since lineage saw it: its identity is unknown, not old. */
static void net__process_execd_since__identity_unknown(void **state)
{
	struct fixture *fx = *state;
	struct net_event k = conn(NET_LISTEN, 0);

	k.exe_ino = 78;
	memset(k.remote_addr, 0, sizeof(k.remote_addr));
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 1);
	assert_string_equal(str(&fx->out[0], NET_ACTION_TYPE), "ListeningConnectionCreated");
	assert_int_equal(event__long(&fx->out[0], NET_INITIATING_PROCESS_ID), 4242);
	assert_null(str(&fx->out[0], NET_INITIATING_PROCESS_FILE_NAME));
	assert_null(str(&fx->out[0], NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME));
	/* a listen has no remote end */
	assert_false(event__isset(&fx->out[0], NET_REMOTE_IP));
	assert_false(event__isset(&fx->out[0], NET_REMOTE_PORT));
	assert_false(event__isset(&fx->out[0], NET_REMOTE_URL));
}

/*
 * A fork that never exec'd (a daemon's, a worker) is named by the file of
 * the process whose program it runs; what it may have changed since is unknown.
 */
static void net__fork_without_exec__named_by_its_program_file(void **state)
{
	struct fixture *fx = *state;
	struct net_event k = conn(NET_LISTEN, 0);
	const struct event *e;

	k.tgid = k.pid = 5151;
	k.image_tgid = 4242;
	memset(k.remote_addr, 0, sizeof(k.remote_addr));
	assert_int_equal(record(fx, &k), 0);
	/* another file than the image's: nothing named */
	k.exe_ino = 78;
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 2);
	e = &fx->out[0];
	assert_int_equal(event__long(e, NET_INITIATING_PROCESS_ID), 5151);
	assert_string_equal(str(e, NET_INITIATING_PROCESS_FILE_NAME), "AteraAgent");
	assert_string_equal(str(e, NET_INITIATING_PROCESS_FOLDER_PATH), "/opt/atera/AteraAgent");
	assert_string_equal(str(e, NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME),
			    "Atera Networks Ltd.");
	assert_string_equal(str(e, NET_INITIATING_PROCESS_SHA256), "ab");
	assert_null(str(e, NET_INITIATING_PROCESS_COMMAND_LINE));
	assert_null(str(e, NET_INITIATING_PROCESS_ACCOUNT_NAME));
	assert_null(str(e, NET_INITIATING_PROCESS_PARENT_FILE_NAME));
	assert_false(event__isset(e, NET_INITIATING_PROCESS_CREATION_TIME));
	assert_false(event__isset(e, NET_INITIATING_PROCESS_PARENT_ID));
	e = &fx->out[1];
	assert_int_equal(event__long(e, NET_INITIATING_PROCESS_ID), 5151);
	assert_null(str(e, NET_INITIATING_PROCESS_FILE_NAME));
	assert_null(str(e, NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME));
}

/*
 * A Wine launch held for the program it starts: its process's records wait,
 * and name the program once lineage has it, not the loader it ran before.
 */
static void net__identity_settling__record_waits_for_it(void **state)
{
	struct fixture *fx = *state;
	struct proc_record program = {.tgid = 4242, .exe_ino = 77};
	struct net_event k = conn(NET_LISTEN, 0);

	memset(k.remote_addr, 0, sizeof(k.remote_addr));
	fx->settling = 4242;
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 0);
	assert_true(net__tick(fx->net) > 0);
	assert_int_equal(fx->nout, 0);
	/* settled: lineage names the program now */
	program.col[PROC_FILE_NAME] = "AteraAgent.exe";
	assert_int_equal(lineage__put(fx->lineage, &program), 0);
	fx->settling = 0;
	assert_int_equal(net__tick(fx->net), -1);
	assert_int_equal(fx->nout, 1);
	assert_string_equal(str(&fx->out[0], NET_ACTION_TYPE), "ListeningConnectionCreated");
	assert_string_equal(str(&fx->out[0], NET_INITIATING_PROCESS_FILE_NAME), "AteraAgent.exe");
	/* never settling: reported at the flush (or when due) all the same */
	fx->settling = 4242;
	assert_int_equal(record(fx, &k), 0);
	assert_int_equal(fx->nout, 1);
	net__flush(fx->net);
	assert_int_equal(fx->nout, 2);
}

static void net__record_that_does_not_add_up__refused(void **state)
{
	struct fixture *fx = *state;
	struct net_event k = conn(NET_FIRST_BYTES, 0);
	struct net_stats st;

	k.data_len = 100;
	assert_int_equal(net__record(fx->net, &k, NET_EVENT_HDR_SIZE + 10), -EINVAL);
	k.kind = NET_KIND__COUNT;
	k.data_len = 0;
	assert_int_equal(net__record(fx->net, &k, NET_EVENT_HDR_SIZE), -EINVAL);
	net__stats(fx->net, &st);
	assert_int_equal(st.bad_records, 2);
	assert_int_equal(fx->nout, 0);
}

/*
 * A TCP answer from the perf buffer (decode__dns_skb's record) of @n A
 * records 10.79.0.1 .. n for long-dns.atera.com (16 bytes each after 38 of
 * length, header and question), @copied bytes of it sent: the record's size.
 */
static int tcp_answer(unsigned n, unsigned copied, void *out)
{
	static unsigned char raw[sizeof(struct net_dns_skb) + 4096];
	struct net_dns_skb m = {.netns = 4026531840u, .local_port = 40000};
	struct dnsb b;
	size_t q;

	dnsb_hdr(&b, DNSB_RESP, 1, n);
	q = dnsb_question(&b, "long-dns.atera.com", DNSB_A);
	for (unsigned i = 1; i <= n; i++) {
		dnsb_ptr(&b, q);
		dnsb_rr_fixed(&b, DNSB_A, 300, 4);
		dnsb_u32(&b, 10u << 24 | 79u << 16 | i);
	}
	assert_int_equal(b.n, 36 + 16 * n);
	assert_true(2 + b.n <= sizeof(raw) - sizeof(m));
	m.payload_len = 2 + b.n;
	/* no IP or TCP header: payload_off 0 */
	m.skb_len = copied < m.payload_len ? copied : m.payload_len;
	raw[sizeof(m)] = b.n >> 8;
	raw[sizeof(m) + 1] = b.n & 0xff;
	memcpy(raw + sizeof(m) + 2, b.p, b.n);
	memcpy(raw, &m, sizeof(m));
	return decode__dns_skb(raw, sizeof(m) + m.skb_len, out);
}

/* The connect of the fixture's process to 10.79.0.@last, reported: its RemoteUrl. */
static const char *url_of_connect(struct fixture *fx, unsigned last)
{
	struct net_event k = conn(NET_CONNECT_SUCCESS, 443);

	v4(k.remote_addr, 10, 79, 0, last);
	assert_int_equal(record(fx, &k), 0);
	net__flush(fx->net);
	assert_true(fx->nout > 0 && fx->nout <= MAX_OUT);
	return str(&fx->out[fx->nout - 1], NET_REMOTE_URL) ?: "(none)";
}

static void net__tcp_answer_longer_than_a_ring_record__names_its_last_address(void **state)
{
	static union decode_dns_record a;
	struct fixture *fx = *state;
	struct net_stats st;
	int size = tcp_answer(60, 4096, &a.k);

	assert_true(a.k.data_len > NET_DATA_MAX);
	assert_int_equal(net__record(fx->net, &a.k, size), 0);
	assert_string_equal(url_of_connect(fx, 60), "long-dns.atera.com");
	assert_string_equal(url_of_connect(fx, 1), "long-dns.atera.com");
	net__stats(fx->net, &st);
	assert_int_equal(st.dns_answers, 1);
	assert_int_equal(st.dns_cut + st.dns_bad, 0);
}

static void net__tcp_answer_cut__names_only_what_came_before_the_cut(void **state)
{
	static union decode_dns_record a;
	struct fixture *fx = *state;
	struct net_stats st;
	/* the first 10 records whole, the 11th cut in its middle */
	int size = tcp_answer(60, 38 + 10 * 16 + 8, &a.k);

	assert_true(a.k.flags & NET_F_DATA_CUT);
	assert_int_equal(net__record(fx->net, &a.k, size), 0);
	assert_string_equal(url_of_connect(fx, 10), "long-dns.atera.com");
	assert_string_equal(url_of_connect(fx, 11), "(none)");
	assert_string_equal(url_of_connect(fx, 60), "(none)");
	net__stats(fx->net, &st);
	assert_int_equal(st.dns_cut, 1);
	assert_int_equal(st.dns_bad, 0);
}

static void net__too_many_held__reported_at_once(void **state)
{
	struct fixture *fx = *state;
	struct net_event k = conn(NET_CONNECT_SUCCESS, 443);
	struct net_stats st;

	for (unsigned i = 0; i <= NET_HELD_MAX; i++) {
		k.sock_id = 100 + i;
		assert_int_equal(record(fx, &k), 0);
	}
	assert_int_equal(fx->nout, 1);
	net__stats(fx->net, &st);
	assert_int_equal(st.held_overflow, 1);
	/* the rest at exit: none lost */
	net__flush(fx->net);
	assert_int_equal(fx->nout, NET_HELD_MAX + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(net__dns_then_connect__named_by_the_answer, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__answer_in_another_namespace__no_name, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__http_host__the_connection_names_itself, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__tls_sni__wins_over_the_dns_name, setup, teardown),
	    cmocka_unit_test_setup_teardown(net__wineserver_connect__named_after_the_sender, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__first_bytes_before_the_connect__still_name_it,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(net__process_execd_since__identity_unknown, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__fork_without_exec__named_by_its_program_file,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(net__identity_settling__record_waits_for_it, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__record_that_does_not_add_up__refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(net__too_many_held__reported_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		net__tcp_answer_longer_than_a_ring_record__names_its_last_address, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		net__tcp_answer_cut__names_only_what_came_before_the_cut, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
