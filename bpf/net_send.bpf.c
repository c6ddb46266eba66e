// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The first bytes an outbound TCP connection sends (a TLS ClientHello's SNI,
 * an HTTP/1.x Host header), copied once from the sender's buffer and tied to
 * the connection by its sock_id; and, as a fallback, the DNS answers a server
 * on this host sends over TCP (see dns_answer_sent). Read in tcp_sendmsg_locked
 * before it copies
 * anything, in the sending task: msg's iov_iter still points at the bytes to
 * send. Two hooks, one loaded (see loader.c):
 * - tp_btf/tcp_sendmsg_locked (newer than 6.12), which fires at each pass of its
 *   copy loop, the first one before any byte of the call is copied;
 * - fentry/tcp_sendmsg where the kernel has no such tracepoint (5.10, 6.1, 6.12),
 *   if trampolines are allowed there.
 * Not the send syscalls' entry: a program there runs for every syscall of
 * every process on the machine.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"
#include "net.bpf.h"

/*
 * struct iov_iter before 5.14: the direction (READ 0, WRITE 1) in bit 0 of
 * `type`, the iter_type values above it; the iovec array named `iov` until
 * 6.4 made it `__iov`.
 */
struct iov_iter___old {
	unsigned int type;
	const struct iovec *iov;
} __attribute__((preserve_access_index));

#define NET_ITER_DIRECTION 1u

static __always_inline unsigned int iter_type(const struct iov_iter *it)
{
	if (bpf_core_field_exists(it->iter_type))
		return BPF_CORE_READ(it, iter_type);
	return BPF_CORE_READ((const struct iov_iter___old *)it, type) & ~NET_ITER_DIRECTION;
}

static __always_inline const struct iovec *iter_iov(const struct iov_iter *it)
{
	if (bpf_core_field_exists(it->__iov))
		return BPF_CORE_READ(it, __iov);
	return BPF_CORE_READ((const struct iov_iter___old *)it, iov);
}

/*
 * Where the bytes not sent yet start in user memory, how many the first
 * buffer holds of them (@len) and whether more follow it (@more); NULL for an
 * iterator over kernel memory (sendfile's pages, kTLS, in-kernel senders).
 */
static __always_inline const void *iter_user_buf(const struct iov_iter *it, __u64 *len, bool *more)
{
	unsigned int type = iter_type(it);
	__u64 off = BPF_CORE_READ(it, iov_offset), count = BPF_CORE_READ(it, count);
	const struct iovec *iov;
	struct iovec v;

	*more = false;
	*len = 0;
	/* ITER_UBUF (6.0+): one user buffer; ubuf aliases __ubuf_iovec's base */
	if (bpf_core_enum_value_exists(enum iter_type, ITER_UBUF) &&
	    type == bpf_core_enum_value(enum iter_type, ITER_UBUF)) {
		*len = count;
		return (const char *)BPF_CORE_READ(it, ubuf) + off;
	}
	if (type != bpf_core_enum_value(enum iter_type, ITER_IOVEC))
		return NULL;
	iov = iter_iov(it);
	if (!iov || bpf_probe_read_kernel(&v, sizeof(v), iov) || v.iov_len <= off)
		return NULL;
	*len = v.iov_len - off;
	if (*len >= count)
		*len = count;
	else
		*more = true;
	return (const char *)v.iov_base + off;
}

/*
 * Fills @e's data from the user buffer @buf of @len bytes (more buffers
 * follow it if @more), cut at NET_DATA_MAX and flagged so, then sends it.
 */
static __always_inline void send_user_data(struct net_event *e, const void *buf, __u64 len,
					   bool more)
{
	__u64 n = net_data_len(len);

	if (bpf_probe_read_user(e->data, n, buf))
		n = 0;
	e->data_len = n;
	if (n < len || more) {
		e->flags |= NET_F_DATA_CUT;
		counter_inc(CNT_NET_DATA_CUT);
	}
	net_submit(e);
}

#define NET_DNS_PORT 53

/* net_dns.bpf.c's: the receive side reads TCP answers whole (its perf buffer is open). */
extern const volatile bool net_dns_frags;

/*
 * A DNS answer over TCP, as a server on this host (a local stub resolver)
 * sends it, where net_dns.bpf.c cannot read its page fragments (no perf
 * buffer): only a server on this host, and the name is filed under the
 * server's namespace, which is the asker's only on one host. The first pass
 * of a send only (iov_offset 0: nothing of it copied yet); recorded as the
 * asker receives it, without a process.
 */
static __always_inline void dns_answer_sent(const struct sock *sk, const struct msghdr *msg)
{
	struct net_event *e;
	const void *buf;
	__u64 len;
	bool more;

	if (BPF_CORE_READ(msg, msg_iter.iov_offset))
		return;
	buf = iter_user_buf(&msg->msg_iter, &len, &more);
	if (!buf || !len)
		return;
	e = net_reserve_data();
	if (!e)
		return;
	net_init(e, NET_DNS_ANSWER, IPPROTO_TCP, NULL, net_sock_netns(sk));
	if (net_sock_is_v6(sk))
		e->flags |= NET_F_IPV6;
	/* the asker's side: the server is the remote end */
	net_sock_remote(e->local_addr, &e->local_port, sk);
	e->remote_port = NET_DNS_PORT;
	send_user_data(e, buf, len, more);
}

/* The first bytes of a connection a process connected, once. */
static __always_inline void first_bytes(const struct sock *sk, const struct msghdr *msg)
{
	__u64 key = (__u64)sk, len = 0;
	struct net_owner *o;
	struct net_event *e;
	const void *buf;
	bool more;

	if (BPF_CORE_READ(sk, __sk_common.skc_num) == NET_DNS_PORT) {
		if (!net_dns_frags)
			dns_answer_sent(sk, msg);
		return;
	}
	o = bpf_map_lookup_elem(&net_conns, &key);
	if (!o || o->bytes_sent || o->excluded)
		return;
	/* the first send decides, whatever it holds: later ones are not the start */
	o->bytes_sent = 1;
	buf = iter_user_buf(&msg->msg_iter, &len, &more);
	if (!buf || !len)
		return;
	e = net_reserve_data();
	if (!e)
		return;
	net_init(e, NET_FIRST_BYTES, IPPROTO_TCP, o, o->netns);
	net_sender_current(e);
	net_sock_local(e, sk);
	net_sock_remote(e->remote_addr, &e->remote_port, sk);
	send_user_data(e, buf, len, more);
}

/* TP_PROTO(const struct sock *sk, const struct msghdr *msg, const struct sk_buff *skb, int
 * size_goal) */
SEC("tp_btf/tcp_sendmsg_locked")
int BPF_PROG(net_first_bytes_tp, const struct sock *sk, const struct msghdr *msg,
	     const struct sk_buff *skb, int size_goal)
{
	first_bytes(sk, msg);
	return 0;
}

SEC("fentry/tcp_sendmsg")
int BPF_PROG(net_first_bytes_fentry, struct sock *sk, struct msghdr *msg, size_t size)
{
	first_bytes(sk, msg);
	return 0;
}
