// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The first datagram a UDP socket sends to each destination (Defender's
 * ConnectionRequest), seen as it is queued to a device: every datagram a
 * local socket sends passes __dev_queue_xmit's tracepoint, loopback included,
 * whatever call sent it (sendto, sendmmsg, io_uring...), and the headers say
 * where it went. A program there runs per packet sent, not per syscall made.
 * One that never leaves (no route, no neighbour answered) is not counted.
 *
 * The process is `current` only when the hook runs in a user task that holds
 * the socket (its file is in the task's file table). A datagram held for
 * address resolution leaves from whoever completed the neighbour entry: the
 * softirq that got the answer, or another process (`ip neigh replace`, a
 * daemon writing to a tun device) in its own context. A kernel thread (a
 * tunnel's worker) is no one's process. Then the record has none (tgid 0),
 * never the interrupted or resolving one. Threads share their file table,
 * and so do io_uring's workers and its SQPOLL thread with the ring's owner:
 * their sends name it. A socket that is not in any table of the task's (an
 * io_uring fixed file whose fd was closed) names no process.
 *
 * The file table is searched only for the first datagram per socket and
 * destination, after the net_udp_seen check, never on the per-packet path;
 * and up to the socket's fd (a read per 16 fds: a few for the usual low
 * one), or the bounded whole table of a task that does not hold it.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"
#include "net.bpf.h"

#define SOCK_DGRAM_TYPE 2

/*
 * Is the program running for a task, not for an interrupt? The test of the
 * kernel's in_task() on the preempt count: no NMI, no hard IRQ, no softirq
 * being served. Not SOFTIRQ_MASK as libbpf's bpf_in_interrupt() has it: that
 * also holds a task's local_bh_disable(), which __dev_queue_xmit takes before
 * its tracepoint. PREEMPT_RT serves softirqs in tasks, counted in the task.
 */
#define NET_NMI_MASK	   0x00f00000
#define NET_HARDIRQ_MASK   0x000f0000
#define NET_SOFTIRQ_OFFSET 0x00000100
/* x86 keeps PREEMPT_NEED_RESCHED, inverted, in the count's top bit */
#define NET_PREEMPT_COUNT 0x7fffffff

struct task_struct___rt {
	int softirq_disable_cnt; /* CONFIG_PREEMPT_RT only */
} __attribute__((preserve_access_index));

static __always_inline bool in_task(struct task_struct *task, int pc)
{
	struct task_struct___rt *rt = (void *)task;

	if (pc & (NET_NMI_MASK | NET_HARDIRQ_MASK))
		return false;
	if (bpf_core_field_exists(rt->softirq_disable_cnt))
		return !(BPF_CORE_READ(rt, softirq_disable_cnt) & NET_SOFTIRQ_OFFSET);
	return !(pc & NET_SOFTIRQ_OFFSET);
}

/*
 * The preempt count through this CPU's runqueue, which `current` names: its
 * address plus the distance from `runqueues` to the count in the per-CPU
 * area (the loader reads it from the kernel's BTF, or kallsyms). Not a
 * typed ksym (__preempt_count, pcpu_hot): an extern the object carries makes
 * libbpf list the kernel's module BTFs at load, which a container without
 * CAP_SYS_ADMIN may not, and kallsyms lists no variable without
 * CONFIG_KALLSYMS_ALL. arm64 keeps the count in the task.
 */
const volatile long long net_rq_to_preempt_count = 0;
const volatile bool net_rq_to_preempt_known = false;

/* struct cfs_rq has no rq pointer without CONFIG_FAIR_GROUP_SCHED: then it is rq->cfs */
struct cfs_rq___flat {
	int nr_running;
} __attribute__((preserve_access_index));

/* -1: unknown */
static __always_inline long preempt_count(struct task_struct *task)
{
	struct cfs_rq *cfs = BPF_CORE_READ(task, se.cfs_rq);
	char *rq;
	int pc;

#if defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(task, thread_info.preempt.count);
#endif
	if (!net_rq_to_preempt_known || !cfs)
		return -1;
	if (bpf_core_field_exists(cfs->rq))
		rq = (char *)BPF_CORE_READ(cfs, rq);
	else
		rq = (char *)cfs - bpf_core_field_offset(struct rq, cfs);
	if (bpf_probe_read_kernel(&pc, sizeof(pc), rq + net_rq_to_preempt_count))
		return -1;
	return pc & NET_PREEMPT_COUNT;
}

/*
 * Does @task hold @file? Its fd array read NET_FD_CHUNK slots at a time, from
 * fd 0 up (a socket's fd is most often low): with bpf_loop (5.17) up to
 * NET_FD_SCAN_LOOP fds, else in a loop the verifier walks, up to
 * NET_FD_SCAN_BOUNDED (the default soft RLIMIT_NOFILE). A table has a
 * multiple of BITS_PER_LONG slots (fs/file.c), so of whole chunks.
 */
#define NET_FD_CHUNK	    16
#define NET_FD_SCAN_LOOP    (1 << 16)
#define NET_FD_SCAN_BOUNDED 1024

struct fd_scan {
	struct file **fd;
	struct file *file;
	__u32 chunks;
	bool found;
};

/* 1: stop (found, the table's end, or unreadable) */
static __always_inline long fd_scan_chunk(__u32 i, struct fd_scan *s)
{
	struct file *slot[NET_FD_CHUNK];

	if (i >= s->chunks ||
	    bpf_probe_read_kernel(slot, sizeof(slot), s->fd + (__u64)i * NET_FD_CHUNK))
		return 1;
	for (int j = 0; j < NET_FD_CHUNK; j++) {
		if (slot[j] == s->file) {
			s->found = true;
			return 1;
		}
	}
	return 0;
}

static long fd_scan_cb(__u32 i, void *ctx)
{
	return fd_scan_chunk(i, ctx);
}

static __always_inline bool holds_file(struct task_struct *task, struct file *file, bool loop)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	__u32 max = loop ? NET_FD_SCAN_LOOP : NET_FD_SCAN_BOUNDED;
	struct fd_scan s = {.file = file};

	if (!fdt || !file)
		return false;
	s.fd = BPF_CORE_READ(fdt, fd);
	s.chunks = BPF_CORE_READ(fdt, max_fds);
	if (s.chunks > max)
		s.chunks = max;
	s.chunks /= NET_FD_CHUNK;
	if (loop) {
		bpf_loop(s.chunks, fd_scan_cb, &s, 0);
	} else {
		for (__u32 i = 0; i < NET_FD_SCAN_BOUNDED / NET_FD_CHUNK; i++)
			if (fd_scan_chunk(i, &s))
				break;
	}
	return s.found;
}

/*
 * The datagram's destination and source from its IP and UDP headers: 0, or
 * -1 when it is not a first (or only) fragment of a UDP datagram.
 */
static __always_inline int udp_headers(struct sk_buff *skb, struct net_udp_key *k, __u8 src[16],
				       __u16 *sport)
{
	unsigned char *nh = BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, network_header);
	__u16 proto = BPF_CORE_READ(skb, protocol);
	struct pkt_ports p;
	__u32 off;

	if (proto == bpf_htons(NET_ETH_P_IP)) {
		struct pkt_ipv4 ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), nh))
			return -1;
		if ((ip.ver_ihl >> 4) != 4 || ip.protocol != IPPROTO_UDP ||
		    (bpf_ntohs(ip.frag_off) & IP4_FRAG_OFFSET))
			return -1;
		net_v4_mapped(src, ip.saddr);
		net_v4_mapped(k->addr, ip.daddr);
		off = (ip.ver_ihl & 0xf) * 4;
	} else if (proto == bpf_htons(NET_ETH_P_IPV6)) {
		struct pkt_ipv6 ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), nh))
			return -1;
		/* extension headers (a fragment header): not followed */
		if (ip6.nexthdr != IPPROTO_UDP)
			return -1;
		__builtin_memcpy(src, ip6.saddr, 16);
		__builtin_memcpy(k->addr, ip6.daddr, 16);
		off = sizeof(ip6);
	} else {
		return -1;
	}
	/* the ports only: a UDP header is 8 bytes */
	if (bpf_probe_read_kernel(&p, 4, nh + off))
		return -1;
	*sport = p.source;
	k->port = bpf_ntohs(p.dest);
	return 0;
}

/* @loop: the kernel has bpf_loop */
static __always_inline int handle_skb(struct sk_buff *skb, bool loop)
{
	/* per packet sent: plain loads (BTF pointers) until it is a UDP socket's */
	struct sock *sk = skb->sk;
	struct task_struct *task;
	struct file *file;
	struct net_udp_key k = {};
	struct net_owner o = {};
	struct net_event *e;
	__u16 family, sport;
	__u8 src[16], one = 1, state;
	long err, pc;

	if (!sk)
		return 0;
	/* a TCP request or time-wait sock is smaller than a struct sock */
	state = sk->__sk_common.skc_state;
	if (state == TCP_TIME_WAIT || state == TCP_NEW_SYN_RECV)
		return 0;
	if (sk->sk_protocol != IPPROTO_UDP || sk->sk_type != SOCK_DGRAM_TYPE)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != NET_AF_INET && family != NET_AF_INET6)
		return 0;
	if (udp_headers(skb, &k, src, &sport))
		return 0;
	/*
	 * The socket's own datagram: not a tunnel's outer header around it
	 * (the skb keeps its socket when encapsulated), whose source port is
	 * the tunnel's; and queued in its own namespace, not on the far side
	 * of a veth pair or bridge it crossed.
	 */
	if (sport != BPF_CORE_READ((struct inet_sock *)sk, inet_sport))
		return 0;
	o.netns = net_sock_netns(sk);
	if (BPF_CORE_READ(skb, dev, nd_net.net, ns.inum) != o.netns)
		return 0;
	k.sk = (__u64)sk;
	file = BPF_CORE_READ(sk, sk_socket, file);
	k.ino = BPF_CORE_READ(file, f_inode, i_ino);
	err = bpf_map_update_elem(&net_udp_seen, &k, &one, BPF_NOEXIST);
	if (err == -NET_EEXIST)
		return 0;
	if (err)
		counter_inc(CNT_NET_LOST_NO_ENTRY); /* sent now, and maybe again later */
	if (net_excluded(k.addr)) {
		counter_inc(CNT_NET_EXCLUDED);
		return 0;
	}
	task = (struct task_struct *)bpf_get_current_task();
	pc = preempt_count(task);
	if (pc >= 0 && in_task(task, pc) && !(BPF_CORE_READ(task, flags) & NET_PF_KTHREAD) &&
	    holds_file(task, file, loop))
		net_owner_current(&o, o.netns);
	e = net_reserve_hdr();
	if (!e)
		return 0;
	net_init(e, NET_UDP_REQUEST, IPPROTO_UDP, o.tgid ? &o : NULL, o.netns);
	if (family == NET_AF_INET6)
		e->flags |= NET_F_IPV6;
	__builtin_memcpy(e->local_addr, src, sizeof(e->local_addr));
	e->local_port = bpf_ntohs(sport);
	__builtin_memcpy(e->remote_addr, k.addr, sizeof(e->remote_addr));
	e->remote_port = k.port;
	net_submit(e);
	return 0;
}

/* TP_PROTO(struct sk_buff *skb); the loader loads one of the two */
SEC("tp_btf/net_dev_queue")
int BPF_PROG(net_udp, struct sk_buff *skb)
{
	return handle_skb(skb, true);
}

/* Before 5.17: no bpf_loop, whose callback 5.10's verifier would refuse even unused. */
SEC("tp_btf/net_dev_queue")
int BPF_PROG(net_udp_bounded, struct sk_buff *skb)
{
	return handle_skb(skb, false);
}
