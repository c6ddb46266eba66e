// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * TCP connections from their state changes: connects that succeed or fail,
 * listens, and accepted inbound connections. A connect's outcome and an
 * accept happen in softirq, so the process is the one remembered when it
 * started (the connect, the listen), never `current`.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"
#include "net.bpf.h"

/* A connection (or listen, or accept) event for @sk, by @o (NULL: no process known). */
static __always_inline void emit_tcp(enum net_kind kind, const struct sock *sk,
				     const struct net_owner *o, __u32 netns, __u32 err)
{
	struct net_event *e = net_reserve_hdr();

	if (!e)
		return;
	net_init(e, kind, IPPROTO_TCP, o, netns);
	net_sock_local(e, sk);
	if (kind != NET_LISTEN)
		net_sock_remote(e->remote_addr, &e->remote_port, sk);
	e->err = err;
	net_submit(e);
}

/* Is @sk's peer excluded? Counted once per connection, by whoever asks first. */
static __always_inline bool peer_excluded(const struct sock *sk)
{
	__u8 addr[16];
	__u16 port;

	net_sock_remote(addr, &port, sk);
	if (!net_excluded(addr))
		return false;
	counter_inc(CNT_NET_EXCLUDED);
	return true;
}

/* CLOSE -> SYN_SENT, in connect(2): the connecting process. */
static __always_inline void on_connect(const struct sock *sk, __u64 key, __u32 netns)
{
	struct net_owner o = {};

	net_owner_current(&o, netns);
	o.excluded = peer_excluded(sk);
	o.sock_id = net_next_sock_id();
	if (bpf_map_update_elem(&net_conns, &key, &o, BPF_ANY))
		counter_inc(CNT_NET_LOST_NO_ENTRY);
}

/*
 * SYN_SENT -> ESTABLISHED or CLOSE. A connect started before the programs
 * attached has no owner: its outcome is reported without a process.
 */
static __always_inline void on_connect_done(const struct sock *sk, __u64 key, __u32 netns, bool ok)
{
	struct net_owner *o = bpf_map_lookup_elem(&net_conns, &key);
	enum net_kind kind = ok ? NET_CONNECT_SUCCESS : NET_CONNECT_FAILED;
	__u32 err = ok ? 0 : BPF_CORE_READ(sk, sk_err);

	if (o) {
		if (!o->excluded)
			emit_tcp(kind, sk, o, netns, err);
		return;
	}
	if (!peer_excluded(sk))
		emit_tcp(kind, sk, NULL, netns, err);
}

/* CLOSE -> LISTEN, in listen(2). */
static __always_inline void on_listen(const struct sock *sk, __u64 key, __u32 netns)
{
	struct net_listen_key lk = {.netns = netns};
	struct net_listener l = {.sk = key};

	net_owner_current(&l.owner, netns);
	l.owner.sock_id = net_next_sock_id();
	/* bound before listen(2) (an unbound socket gets its port after this event) */
	lk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (bpf_map_update_elem(&net_listeners, &lk, &l, BPF_ANY))
		counter_inc(CNT_NET_LOST_NO_ENTRY);
	emit_tcp(NET_LISTEN, sk, &l.owner, netns, 0);
}

static __always_inline void on_unlisten(const struct sock *sk, __u64 key, __u32 netns)
{
	struct net_listen_key lk = {.netns = netns};
	struct net_listener *l;

	lk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	l = bpf_map_lookup_elem(&net_listeners, &lk);
	/* another socket may have taken the port since (SO_REUSEPORT): leave it */
	if (l && l->sk == key)
		bpf_map_delete_elem(&net_listeners, &lk);
}

/* SYN_RECV -> ESTABLISHED: a child socket of a listener, whose owner it is attributed to. */
static __always_inline void on_accept(const struct sock *sk, __u32 netns)
{
	struct net_listen_key lk = {.netns = netns};
	struct net_owner o = {};
	struct net_listener *l;

	if (peer_excluded(sk))
		return;
	lk.port = BPF_CORE_READ(sk, __sk_common.skc_num);
	l = bpf_map_lookup_elem(&net_listeners, &lk);
	if (l)
		o = l->owner;
	/* the connection's own number, not the listener's */
	o.sock_id = net_next_sock_id();
	emit_tcp(NET_INBOUND_ACCEPTED, sk, &o, netns, 0);
}

/*
 * No handler below takes the change, and it is no close: most of a
 * connection's changes (FIN_WAIT1, CLOSE_WAIT, LAST_ACK, ...), left before
 * reading anything.
 */
static __always_inline bool state_unused(int oldstate, int newstate)
{
	switch (newstate) {
	case TCP_CLOSE:
		return false;
	case TCP_SYN_SENT:
	case TCP_LISTEN:
		return oldstate != TCP_CLOSE;
	case TCP_ESTABLISHED:
		return oldstate != TCP_SYN_SENT && oldstate != TCP_SYN_RECV;
	default:
		return true;
	}
}

static __always_inline int handle_state(const struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;

	if (state_unused(oldstate, newstate))
		return 0;
	/* a plain load: @sk is a BTF pointer, no helper call needed */
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		on_connect(sk, key, net_sock_netns(sk));
	else if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED)
		on_connect_done(sk, key, net_sock_netns(sk), true);
	else if (oldstate == TCP_SYN_SENT && newstate == TCP_CLOSE)
		on_connect_done(sk, key, net_sock_netns(sk), false);
	else if (oldstate == TCP_CLOSE && newstate == TCP_LISTEN)
		on_listen(sk, key, net_sock_netns(sk));
	else if (oldstate == TCP_LISTEN && newstate == TCP_CLOSE)
		on_unlisten(sk, key, net_sock_netns(sk));
	else if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED)
		on_accept(sk, net_sock_netns(sk));
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&net_conns, &key);
	return 0;
}

/* TP_PROTO(const struct sock *sk, const int oldstate, const int newstate) */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(net_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	return handle_state(sk, oldstate, newstate);
}
