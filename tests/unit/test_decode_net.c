// SPDX-License-Identifier: MIT
/*
 * decode__net: a network record is read only once its lengths add up.
 * decode__dns_skb: a perf sample of a TCP DNS answer made that record.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/decode.h"

static struct net_event ev;

static int setup(void **state)
{
	memset(&ev, 0, sizeof(ev));
	ev.kind = NET_CONNECT_SUCCESS;
	return 0;
}

static void decode__net__header_only__ok(void **state)
{
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE), 0);
}

static void decode__net__short_of_header__einval(void **state)
{
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE - 1), -EINVAL);
	assert_int_equal(decode__net(&ev, 0), -EINVAL);
}

static void decode__net__every_kind__ok(void **state)
{
	for (int k = 0; k < NET_KIND__COUNT; k++) {
		ev.kind = k;
		assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE), 0);
	}
}

static void decode__net__unknown_kind__einval(void **state)
{
	ev.kind = NET_KIND__COUNT;
	assert_int_equal(decode__net(&ev, sizeof(ev)), -EINVAL);
	ev.kind = 0xffff;
	assert_int_equal(decode__net(&ev, sizeof(ev)), -EINVAL);
}

static void decode__net__data_that_arrived__ok(void **state)
{
	ev.kind = NET_DNS_ANSWER;
	ev.data_len = 40;
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE + 40), 0);
	/* the kernel reserves the whole record: more arrived than data_len */
	assert_int_equal(decode__net(&ev, sizeof(ev)), 0);
	ev.data_len = NET_DATA_MAX;
	assert_int_equal(decode__net(&ev, sizeof(ev)), 0);
}

static void decode__net__data_longer_than_arrived__einval(void **state)
{
	ev.kind = NET_FIRST_BYTES;
	ev.data_len = 41;
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE + 40), -EINVAL);
	ev.data_len = 1;
	assert_int_equal(decode__net(&ev, NET_EVENT_HDR_SIZE), -EINVAL);
}

static void decode__net__data_over_max__einval(void **state)
{
	static unsigned char big[sizeof(struct net_event) + 64];
	struct net_event *e = (struct net_event *)big;

	/* even when that many bytes arrived: data[] holds at most NET_DATA_MAX */
	e->kind = NET_FIRST_BYTES;
	e->data_len = NET_DATA_MAX + 1;
	assert_int_equal(decode__net(e, sizeof(big)), -EINVAL);
}

static void decode__net__dns_answer_up_to_tcp_max__ok(void **state)
{
	static union {
		struct net_event k;
		unsigned char b[DECODE_DNS_SKB_MAX + 8];
	} big;

	/* the perf buffer's answers: up to NET_DNS_TCP_MAX, never more */
	big.k.kind = NET_DNS_ANSWER;
	big.k.data_len = NET_DNS_TCP_MAX;
	assert_int_equal(decode__net(&big.k, DECODE_DNS_SKB_MAX), 0);
	assert_int_equal(decode__net(&big.k, DECODE_DNS_SKB_MAX - 1), -EINVAL);
	big.k.data_len = NET_DNS_TCP_MAX + 1;
	assert_int_equal(decode__net(&big.k, sizeof(big)), -EINVAL);
}

/* A perf sample: struct net_dns_skb, then an IPv4 + TCP header (52 bytes), then payload. */
#define PKT_HDRS 52

static size_t sample(unsigned char *buf, const void *payload, unsigned copied, unsigned full)
{
	struct net_dns_skb m = {
	    .boot_ns = 123456789,
	    .netns = 4026532001u,
	    .skb_len = PKT_HDRS + copied,
	    .payload_off = PKT_HDRS,
	    .payload_len = full,
	    .local_port = 40053,
	    .flags = NET_F_IPV6,
	};

	m.local_addr[15] = 1;
	m.remote_addr[15] = 2;
	memcpy(buf, &m, sizeof(m));
	memset(buf + sizeof(m), 0x45, PKT_HDRS); /* the headers: never in the record */
	memcpy(buf + sizeof(m) + PKT_HDRS, payload, copied);
	return sizeof(m) + PKT_HDRS + copied;
}

static union decode_dns_record rec;
static unsigned char raw[sizeof(struct net_dns_skb) + PKT_HDRS + NET_DNS_TCP_MAX + 8];
static unsigned char payload[NET_DNS_TCP_MAX];

static void decode__dns_skb__packet__the_tcp_payload_as_the_rings_record(void **state)
{
	size_t n;
	int size;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 7 + 1);
	/* longer than a ring record's data; perf pads a sample to 8 bytes */
	n = sample(raw, payload, 1000, 1000);
	size = decode__dns_skb(raw, n + 4, &rec.k);
	assert_int_equal(size, NET_EVENT_HDR_SIZE + 1000);
	assert_int_equal(decode__net(&rec.k, size), 0);
	assert_int_equal(rec.k.kind, NET_DNS_ANSWER);
	assert_int_equal(rec.k.protocol, IPPROTO_TCP);
	assert_int_equal(rec.k.boot_ns, 123456789);
	assert_int_equal(rec.k.netns, 4026532001u);
	assert_int_equal(rec.k.local_port, 40053);
	assert_int_equal(rec.k.remote_port, 53);
	assert_int_equal(rec.k.local_addr[15], 1);
	assert_int_equal(rec.k.remote_addr[15], 2);
	assert_int_equal(rec.k.flags, NET_F_IPV6);
	assert_int_equal(rec.k.tgid, 0); /* softirq: no process */
	assert_int_equal(rec.k.sock_id, 0);
	assert_int_equal(rec.k.data_len, 1000);
	assert_memory_equal(rec.k.data, payload, 1000);
}

static void decode__dns_skb__payload_past_the_bound__cut(void **state)
{
	size_t n = sample(raw, payload, NET_DNS_TCP_MAX, 5000);
	int size = decode__dns_skb(raw, n, &rec.k);

	assert_int_equal(size, DECODE_DNS_SKB_MAX);
	assert_int_equal(rec.k.data_len, NET_DNS_TCP_MAX);
	assert_int_equal(rec.k.flags, NET_F_IPV6 | NET_F_DATA_CUT);
	assert_memory_equal(rec.k.data, payload, NET_DNS_TCP_MAX);
	/* a packet shorter than its header says: what there is, cut */
	n = sample(raw, payload, 30, 53);
	assert_int_equal(decode__dns_skb(raw, n, &rec.k), NET_EVENT_HDR_SIZE + 30);
	assert_true(rec.k.flags & NET_F_DATA_CUT);
}

static void decode__dns_skb__lengths_that_do_not_add_up__einval(void **state)
{
	struct net_dns_skb *m = (struct net_dns_skb *)raw;
	size_t n = sample(raw, payload, 100, 100);

	assert_int_equal(decode__dns_skb(raw, sizeof(*m) - 1, &rec.k), -EINVAL);
	/* fewer bytes arrived than the packet's */
	assert_int_equal(decode__dns_skb(raw, n - 1, &rec.k), -EINVAL);
	/* the payload past the packet */
	m->payload_off = m->skb_len + 1;
	assert_int_equal(decode__dns_skb(raw, n, &rec.k), -EINVAL);
	/* more payload copied than the packet holds */
	n = sample(raw, payload, 100, 99);
	assert_int_equal(decode__dns_skb(raw, n, &rec.k), -EINVAL);
	/* more than the bound */
	n = sample(raw, payload, NET_DNS_TCP_MAX, NET_DNS_TCP_MAX + 1);
	m->payload_off -= 1;
	assert_int_equal(decode__dns_skb(raw, n, &rec.k), -EINVAL);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(decode__net__header_only__ok),
	    T(decode__net__short_of_header__einval),
	    T(decode__net__every_kind__ok),
	    T(decode__net__unknown_kind__einval),
	    T(decode__net__data_that_arrived__ok),
	    T(decode__net__data_longer_than_arrived__einval),
	    T(decode__net__data_over_max__einval),
	    T(decode__net__dns_answer_up_to_tcp_max__ok),
	    T(decode__dns_skb__packet__the_tcp_payload_as_the_rings_record),
	    T(decode__dns_skb__payload_past_the_bound__cut),
	    T(decode__dns_skb__lengths_that_do_not_add_up__einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
