// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DNS answers, for RemoteUrl: every packet from source port 53 over UDP or
 * TCP, IPv4 or IPv6, as the stack receives it, in the namespace of the
 * device that receives it (the asker's). Every receive path, loopback
 * included, passes __netif_receive_skb_core's tracepoint, so the answers a
 * local stub resolver gives are seen too, and those of a server on another
 * host. User space parses them. No process: softirq.
 *
 * A UDP datagram, and a TCP segment whose payload is in the skb's linear
 * part, is read from there (at most NET_DATA_MAX bytes) into the network
 * ring. A TCP segment's payload is mostly in page fragments (on loopback and
 * veth too), which only a copy through skb_copy_bits reads: bpf_skb_output
 * sends the packet, fragments and all, to the "net_dns_skb" perf buffer, up
 * to NET_DNS_TCP_MAX bytes of payload (see events.h), when the loader sets
 * net_dns_frags (user space opened that buffer); net_send.bpf.c then leaves
 * DNS answers alone. Otherwise such an answer is counted cut here, and the
 * send side reads it where the server is on this host.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"
#include "net.bpf.h"

#define DNS_PORT   53
#define NET_ENOSPC 28

/* Set by the loader: the perf buffer is open, TCP answers are read here whole. */
const volatile bool net_dns_frags = false;

/*
 * A TCP answer not all in the linear part: the packet from its IP header,
 * @off the payload's offset, @full its length, to the perf buffer.
 */
static __always_inline void send_frags(struct sk_buff *skb, struct net_dns_skb *m, __u32 off,
				       __u32 full)
{
	__u32 copy = off + (full < NET_DNS_TCP_MAX ? full : NET_DNS_TCP_MAX);
	__u32 len = BPF_CORE_READ(skb, len);
	long err;

	/* a packet shorter than its IP header says: what there is */
	if (copy > len)
		copy = len;
	m->skb_len = copy;
	m->payload_off = off;
	m->payload_len = full;
	if (copy - off < full) {
		m->flags |= NET_F_DATA_CUT;
		counter_inc(CNT_NET_DATA_CUT);
	}
	err = bpf_skb_output(skb, &net_dns_skb, ((__u64)copy << 32) | BPF_F_CURRENT_CPU, m,
			     sizeof(*m));
	if (!err)
		counter_inc(CNT_NET_EVENTS);
	else if (err != -NET_ENOSPC) /* a full buffer: user space counts it, as lost */
		counter_inc(CNT_NET_LOST_PERF);
}

static __always_inline int handle_skb(struct sk_buff *skb)
{
	/* every packet received: plain loads (@skb is a BTF pointer), no helper calls */
	unsigned char *data = skb->data;
	__u32 head = skb->len - skb->data_len;
	__u16 proto = skb->protocol;
	__u32 off, end, full, n;
	__u64 len;
	__u8 src[16], dst[16], l4, v6 = 0;
	struct pkt_ports p = {};
	struct net_event *e;

	if (proto == bpf_htons(NET_ETH_P_IP)) {
		struct pkt_ipv4 ip;

		if (head < sizeof(ip) || bpf_probe_read_kernel(&ip, sizeof(ip), data))
			return 0;
		/* a later fragment has no UDP or TCP header */
		if ((ip.ver_ihl >> 4) != 4 || (bpf_ntohs(ip.frag_off) & IP4_FRAG_OFFSET))
			return 0;
		net_v4_mapped(src, ip.saddr);
		net_v4_mapped(dst, ip.daddr);
		off = (ip.ver_ihl & 0xf) * 4;
		end = bpf_ntohs(ip.tot_len);
		l4 = ip.protocol;
	} else if (proto == bpf_htons(NET_ETH_P_IPV6)) {
		struct pkt_ipv6 ip6;

		if (head < sizeof(ip6) || bpf_probe_read_kernel(&ip6, sizeof(ip6), data))
			return 0;
		__builtin_memcpy(src, ip6.saddr, 16);
		__builtin_memcpy(dst, ip6.daddr, 16);
		off = sizeof(ip6);
		end = off + bpf_ntohs(ip6.payload_len);
		l4 = ip6.nexthdr; /* extension headers: not followed */
		v6 = 1;
	} else {
		return 0;
	}
	if (l4 != IPPROTO_UDP && l4 != IPPROTO_TCP)
		return 0;
	if (off > head || head - off < sizeof(p) ||
	    bpf_probe_read_kernel(&p, sizeof(p), data + (off & 0xffff)))
		return 0;
	if (p.source != bpf_htons(DNS_PORT))
		return 0;
	if (l4 == IPPROTO_UDP) {
		__u32 udp_end = off + bpf_ntohs(p.udp_len);

		if (udp_end < end)
			end = udp_end;
		off += 8;
	} else {
		off += (p.tcp_doff >> 4) * 4;
	}
	if (end <= off)
		return 0; /* no payload: a TCP ACK, a FIN */
	full = end - off;
	n = head > off ? head - off : 0;
	if (n > full)
		n = full;
	if (net_dns_frags && l4 == IPPROTO_TCP && n < full) {
		struct net_dns_skb m = {
		    .boot_ns = bpf_ktime_get_boot_ns(),
		    .netns = BPF_CORE_READ(skb, dev, nd_net.net, ns.inum),
		    .local_port = bpf_ntohs(p.dest),
		    .flags = v6 ? NET_F_IPV6 : 0,
		};

		__builtin_memcpy(m.local_addr, dst, 16);
		__builtin_memcpy(m.remote_addr, src, 16);
		send_frags(skb, &m, off, full);
		return 0;
	}
	e = net_reserve_data();
	if (!e)
		return 0;
	net_init(e, NET_DNS_ANSWER, l4, NULL, BPF_CORE_READ(skb, dev, nd_net.net, ns.inum));
	if (v6)
		e->flags |= NET_F_IPV6;
	__builtin_memcpy(e->local_addr, dst, 16);
	__builtin_memcpy(e->remote_addr, src, 16);
	e->local_port = bpf_ntohs(p.dest);
	e->remote_port = DNS_PORT;
	len = net_data_len(n);
	if (bpf_probe_read_kernel(e->data, len, data + (off & 0xffff)))
		len = 0;
	e->data_len = len;
	if (len < full) {
		e->flags |= NET_F_DATA_CUT;
		counter_inc(CNT_NET_DATA_CUT);
	}
	net_submit(e);
	return 0;
}

/* TP_PROTO(struct sk_buff *skb) */
SEC("tp_btf/netif_receive_skb")
int BPF_PROG(net_dns, struct sk_buff *skb)
{
	return handle_skb(skb);
}
