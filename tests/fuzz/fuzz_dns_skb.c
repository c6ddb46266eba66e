// SPDX-License-Identifier: MIT
/*
 * decode__dns_skb() on arbitrary bytes as a perf sample of net_dns.bpf.c
 * (struct net_dns_skb, then the packet), then the record it makes read as
 * the pipeline reads it (decode__net, dns__parse_answer as TCP). Beyond not
 * crashing: a record made is one decode__net accepts, its data exactly the
 * sample's payload bytes, never past the bound, cut when the packet held
 * more than was copied.
 * Sources: tests/fuzz/fuzz_dns_skb.c user/capture/decode.c user/network/dns.c
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/decode.h"
#include "network/dns.h"

static void ignore(void *ctx, const char *name, const unsigned char addr[16], uint32_t ttl)
{
	(void)ctx, (void)name, (void)addr, (void)ttl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the room decode__dns_skb is promised: ASan sees a byte past it */
	struct net_event *k = malloc(DECODE_DNS_SKB_MAX);
	struct net_dns_skb m;
	int n;

	if (!k)
		abort();
	n = decode__dns_skb(data, size, k);
	if (n >= 0) {
		memcpy(&m, data, sizeof(m));
		if ((size_t)n != NET_EVENT_HDR_SIZE + k->data_len || k->data_len > NET_DNS_TCP_MAX)
			abort();
		if (decode__net(k, n) || k->kind != NET_DNS_ANSWER)
			abort();
		if (k->data_len != m.skb_len - m.payload_off ||
		    memcmp(k->data, data + sizeof(m) + m.payload_off, k->data_len))
			abort();
		if (!(k->flags & NET_F_DATA_CUT) != (k->data_len == m.payload_len))
			abort();
		dns__parse_answer(k->data, k->data_len, true, ignore, NULL);
	}
	free(k);
	return 0;
}
