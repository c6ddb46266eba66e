/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the network hooks share: building a struct net_event in the
 * "net_events" ring, a socket's addresses, the --net-exclude check, and
 * the owner of a socket (the process in whose context it was made).
 */
#ifndef RMMHUNT_NET_BPF_H
#define RMMHUNT_NET_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "events.h"
#include "maps.bpf.h"

/* Macros in the kernel, so not in vmlinux.h. */
#define NET_AF_INET    2
#define NET_AF_INET6   10
#define NET_EEXIST     17
#define NET_ETH_P_IP   0x0800
#define NET_ETH_P_IPV6 0x86DD
#define NET_PF_KTHREAD 0x00200000

/* Connection ids are (per-CPU sequence << NET_SEQ_CPU_BITS) | CPU: unique without atomics. */
#define NET_SEQ_CPU_BITS 12

static __always_inline __u64 net_next_sock_id(void)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&net_seq, &zero);

	/* 5.10 has no fetching atomics: a per-CPU sequence needs none */
	if (!seq)
		return 0;
	*seq += 1;
	return (*seq << NET_SEQ_CPU_BITS) |
	       (bpf_get_smp_processor_id() & ((1 << NET_SEQ_CPU_BITS) - 1));
}

/* As for execs (see WAKEUP_BATCH_NS), with this ring's own last wake-up. */
static __always_inline __u64 net_wakeup_flags(__u64 now)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&net_wakeup, &zero);

	if (!last)
		return 0;
	if (now - *last < WAKEUP_BATCH_NS)
		return BPF_RB_NO_WAKEUP;
	*last = now;
	return 0;
}

/* A record without data (connections, listens, UDP): NULL when the ring is full (counted). */
static __always_inline struct net_event *net_reserve_hdr(void)
{
	struct net_event *e = bpf_ringbuf_reserve(&net_events, NET_EVENT_HDR_SIZE, 0);

	if (!e)
		counter_inc(CNT_NET_LOST_RING_FULL);
	return e;
}

/* A record with data[] (DNS answers, first bytes). */
static __always_inline struct net_event *net_reserve_data(void)
{
	struct net_event *e = bpf_ringbuf_reserve(&net_events, sizeof(struct net_event), 0);

	if (!e)
		counter_inc(CNT_NET_LOST_RING_FULL);
	return e;
}

static __always_inline void net_submit(struct net_event *e)
{
	counter_inc(CNT_NET_EVENTS);
	bpf_ringbuf_submit(e, net_wakeup_flags(e->boot_ns));
}

/* Every header field, so no byte of an earlier record is left in the reserved space. */
static __always_inline void net_init(struct net_event *e, enum net_kind kind, __u16 protocol,
				     const struct net_owner *o, __u32 netns)
{
	e->boot_ns = bpf_ktime_get_boot_ns();
	e->cgroup_id = o ? o->cgroup_id : 0;
	e->sock_id = o ? o->sock_id : 0;
	e->exe_ino = o ? o->exe_ino : 0;
	e->tgid = o ? o->tgid : 0;
	e->pid = o ? o->pid : 0;
	e->image_tgid = o ? o->image_tgid : 0;
	e->netns = netns;
	e->err = 0;
	e->kind = kind;
	e->protocol = protocol;
	e->local_port = 0;
	e->remote_port = 0;
	e->data_len = 0;
	e->flags = 0;
	__builtin_memset(e->local_addr, 0, sizeof(e->local_addr));
	__builtin_memset(e->remote_addr, 0, sizeof(e->remote_addr));
	if (o)
		__builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
	else
		__builtin_memset(e->comm, 0, sizeof(e->comm));
}

/* An IPv4 address (network order) as v4-mapped IPv6; 0.0.0.0 (none) stays all zero. */
static __always_inline void net_v4_mapped(__u8 out[16], __u32 addr)
{
	__builtin_memset(out, 0, 16);
	if (!addr)
		return;
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(out + 12, &addr, 4);
}

static __always_inline __u32 net_sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

static __always_inline bool net_sock_is_v6(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_family) == NET_AF_INET6;
}

/*
 * The socket's local address and port. The port from inet_sport: a failed
 * connect has given its bound port (inet_num) back by the time it closes.
 */
static __always_inline void net_sock_local(struct net_event *e, const struct sock *sk)
{
	const struct inet_sock *inet = (const struct inet_sock *)sk;

	if (net_sock_is_v6(sk)) {
		e->flags |= NET_F_IPV6;
		BPF_CORE_READ_INTO(&e->local_addr, sk, __sk_common.skc_v6_rcv_saddr);
	} else {
		net_v4_mapped(e->local_addr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
	}
	e->local_port = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
}

static __always_inline void net_sock_remote(__u8 addr[16], __u16 *port, const struct sock *sk)
{
	if (net_sock_is_v6(sk))
		BPF_CORE_READ_INTO((struct in6_addr *)addr, sk, __sk_common.skc_v6_daddr);
	else
		net_v4_mapped(addr, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	*port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/*
 * min(@n, NET_DATA_MAX), in asm: the register compared is the one returned,
 * so the verifier sees the bound on what is passed as a length (clang would
 * otherwise pass a copy it made before the comparison).
 */
static __always_inline __u64 net_data_len(__u64 n)
{
	asm volatile("if %[n] <= %[max] goto +1\n\t"
		     "%[n] = %[max]"
		     : [n] "+r"(n)
		     : [max] "i"(NET_DATA_MAX));
	return n;
}

/* Is @addr (v4-mapped for IPv4) in a --net-exclude range? */
static __always_inline bool net_excluded(const __u8 addr[16])
{
	struct net_prefix key = {.prefixlen = 128};

	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	return bpf_map_lookup_elem(&net_exclude, &key) != NULL;
}

/*
 * Wire headers as read from a packet: fixed layouts, no CO-RE. The ports'
 * struct holds what both UDP and TCP headers start with.
 */
struct pkt_ipv4 {
	__u8 ver_ihl;
	__u8 tos;
	__u16 tot_len;
	__u16 id;
	__u16 frag_off;
	__u8 ttl;
	__u8 protocol;
	__u16 check;
	__u32 saddr, daddr;
};

struct pkt_ipv6 {
	__u32 ver_tc_flow;
	__u16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	__u8 saddr[16], daddr[16];
};

struct pkt_ports {
	__u16 source, dest;
	__u16 udp_len; /* TCP: the sequence number's first half */
	__u16 pad;
	__u32 tcp_ack;
	__u8 tcp_doff; /* the data offset in the high nibble */
};

#define IP4_FRAG_OFFSET 0x1fff

/*
 * A process forked since the hooks attached that has not exec'd runs the
 * program of its nearest ancestor that did, which names it (struct fork_info).
 */
static __always_inline __u32 net_image_tgid(__u32 tgid)
{
	struct fork_info *fi = bpf_map_lookup_elem(&forks, &tgid);

	return fi && !fi->execd ? fi->image_tgid : 0;
}

/* Is @comm "wineserv..."? (Its first bytes: most names differ at the first.) */
static __always_inline bool net_comm_wine_server(const char comm[TASK_COMM_LEN])
{
#pragma unroll
	for (int i = 0; i < 8; i++)
		if (comm[i] != WINE_SERVER_NAME[i])
			return false;
	return true;
}

/*
 * The current process as a socket's owner (process context only); Wine's
 * server acting on a program's request: that program (wine_request.bpf.c).
 */
static __always_inline void net_owner_current(struct net_owner *o, __u32 netns)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)id;
	struct wine_client *c = NULL;

	o->netns = netns;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
	/* only a process named as Wine's server is looked for (a lookup per connect saved) */
	if (net_comm_wine_server(o->comm))
		c = bpf_map_lookup_elem(&wine_serving, &pid);
	if (c) {
		o->exe_ino = c->exe_ino;
		o->tgid = c->tgid;
		o->pid = c->pid;
		o->image_tgid = 0;
		o->cgroup_id = c->cgroup_id;
		__builtin_memcpy(o->comm, c->comm, sizeof(o->comm));
		counter_inc(CNT_NET_WINE_REQUESTS);
		return;
	}
	/* user space names the process by its exec only while this matches */
	o->exe_ino = BPF_CORE_READ(task, mm, exe_file, f_inode, i_ino);
	o->tgid = id >> 32;
	o->pid = pid;
	o->image_tgid = net_image_tgid(o->tgid);
	o->cgroup_id = bpf_get_current_cgroup_id();
}

/*
 * The process that sends on a connection, in place of the one that made it:
 * Wine's server makes the connect a Windows program asks for, and the
 * program sends itself (user/pipeline/net.c decides which names the record).
 * A kernel thread sending is no process: the owner stays.
 */
static __always_inline void net_sender_current(struct net_event *e)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();

	if (BPF_CORE_READ(task, flags) & NET_PF_KTHREAD)
		return;
	e->tgid = id >> 32;
	e->pid = (__u32)id;
	e->image_tgid = 0; /* named by its own exec only (user/pipeline/net.c) */
	e->exe_ino = BPF_CORE_READ(task, mm, exe_file, f_inode, i_ino);
	e->cgroup_id = bpf_get_current_cgroup_id();
}

#endif
