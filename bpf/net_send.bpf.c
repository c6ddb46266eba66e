// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What a process sends on a socket, seen at the send syscalls (write, writev,
 * sendto, sendmsg, sendmmsg) through the raw syscall tracepoints:
 * - TCP: the first bytes an outbound connection sends (a TLS ClientHello's
 *   SNI, an HTTP/1.x Host header), copied once from the sender's buffer and
 *   tied to the connection by its sock_id;
 * - UDP: the first datagram a socket sends to each destination (Defender's
 *   ConnectionRequest), counted at the syscall's exit if it succeeded.
 * Not fentry/fexit on tcp_sendmsg and udp_sendmsg: trampolines are refused
 * on some hosts (virtualized, locked-down) where tracepoints still load. A
 * send through io_uring or sendfile passes no such syscall and is not seen.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"
#include "net.bpf.h"

#if defined(__TARGET_ARCH_x86)
#define NR_WRITE	 1
#define NR_WRITEV	 20
#define NR_SENDTO	 44
#define NR_SENDMSG	 46
#define NR_SENDMMSG	 307
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_WRITE	 64
#define NR_WRITEV	 66
#define NR_SENDTO	 206
#define NR_SENDMSG	 211
#define NR_SENDMMSG	 269
#define SYSCALL_NR(regs) BPF_CORE_READ((const struct user_pt_regs *)(regs), syscallno)
#else
#error "syscall numbers for this architecture"
#endif

#define S_IFMT_BITS	 0170000
#define S_IFSOCK_BITS	 0140000
#define SOCK_STREAM_TYPE 1
#define SOCK_DGRAM_TYPE	 2

static __always_inline bool is_send(long id)
{
	return id == NR_WRITE || id == NR_WRITEV || id == NR_SENDTO || id == NR_SENDMSG ||
	       id == NR_SENDMMSG;
}

/* The sock behind the current process's @fd, NULL when it is not a socket; its inode in @ino. */
static __always_inline struct sock *fd_sock(long fd, __u64 *ino)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;
	struct inode *inode;
	struct socket *sock;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	inode = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT_BITS) != S_IFSOCK_BITS)
		return NULL;
	*ino = BPF_CORE_READ(inode, i_ino);
	sock = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* The send's user message header (sendmsg, or sendmmsg's first), copied: 0 or -1. */
static __always_inline int user_msg(long id, const void *arg, struct user_msghdr *m)
{
	/* struct mmsghdr starts with its struct user_msghdr */
	if (id != NR_SENDMSG && id != NR_SENDMMSG)
		return -1;
	return bpf_probe_read_user(m, sizeof(*m), arg) ? -1 : 0;
}

/* The first buffer the send takes its bytes from, and whether more buffers follow. */
static __always_inline const void *first_buf(long id, struct pt_regs *regs, __u64 *len, bool *more)
{
	const void *arg = (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs);
	const struct iovec *iov = NULL;
	struct user_msghdr m;
	struct iovec v;
	__u64 n = 1;

	*more = false;
	if (id == NR_WRITE || id == NR_SENDTO) {
		*len = PT_REGS_PARM3_CORE_SYSCALL(regs);
		return arg;
	}
	if (id == NR_WRITEV) {
		iov = arg;
		n = PT_REGS_PARM3_CORE_SYSCALL(regs);
	} else if (!user_msg(id, arg, &m)) {
		iov = m.msg_iov;
		n = m.msg_iovlen;
	}
	if (!iov || !n || bpf_probe_read_user(&v, sizeof(v), iov))
		return NULL;
	*more = n > 1;
	*len = v.iov_len;
	return v.iov_base;
}

/* TCP: the first bytes of a connection this process connected, once. */
static __always_inline void tcp_first_bytes(long id, struct pt_regs *regs, struct sock *sk)
{
	__u64 key = (__u64)sk, len = 0, n;
	struct net_owner *o;
	struct net_event *e;
	const void *buf;
	bool more;

	o = bpf_map_lookup_elem(&net_conns, &key);
	if (!o || o->bytes_sent || o->excluded)
		return;
	/* the first send decides, whatever it holds: later ones are not the start */
	o->bytes_sent = 1;
	buf = first_buf(id, regs, &len, &more);
	if (!buf || !len)
		return;
	e = net_reserve_data();
	if (!e)
		return;
	net_init(e, NET_FIRST_BYTES, IPPROTO_TCP, o, o->netns);
	net_sock_local(e, sk);
	net_sock_remote(e->remote_addr, &e->remote_port, sk);
	n = net_data_len(len);
	if (bpf_probe_read_user(e->data, n, buf))
		n = 0;
	e->data_len = n;
	if (n < len || more) {
		e->flags |= NET_F_DATA_CUT;
		counter_inc(CNT_NET_DATA_CUT);
	}
	net_submit(e);
}

/* A sockaddr in user memory as a destination: 0, or -1 when it is not one. */
static __always_inline int user_dest(const void *addr, struct net_udp_key *k)
{
	struct sockaddr_in6 sin6 = {};

	/* a sockaddr_in is shorter: what is read past it is not used */
	if (bpf_probe_read_user(&sin6, sizeof(struct sockaddr_in), addr))
		return -1;
	if (sin6.sin6_family == NET_AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&sin6;

		net_v4_mapped(k->addr, sin->sin_addr.s_addr);
		k->port = bpf_ntohs(sin->sin_port);
		return 0;
	}
	if (sin6.sin6_family != NET_AF_INET6 || bpf_probe_read_user(&sin6, sizeof(sin6), addr))
		return -1;
	__builtin_memcpy(k->addr, &sin6.sin6_addr, sizeof(k->addr));
	k->port = bpf_ntohs(sin6.sin6_port);
	return 0;
}

/* UDP: the destination, remembered until the syscall says whether it was sent. */
static __always_inline void udp_enter(long id, struct pt_regs *regs, struct sock *sk, __u64 ino)
{
	struct net_udp_pending p = {};
	const void *addr = NULL;
	__u64 tid = bpf_get_current_pid_tgid();
	struct user_msghdr m;

	if (id == NR_SENDTO)
		addr = (const void *)PT_REGS_PARM5_CORE_SYSCALL(regs);
	else if (!user_msg(id, (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs), &m))
		addr = m.msg_name;
	if (addr) {
		if (user_dest(addr, &p.key))
			return;
	} else {
		if (!BPF_CORE_READ(sk, __sk_common.skc_dport))
			return; /* not connected: the send fails */
		net_sock_remote(p.key.addr, &p.key.port, sk);
	}
	p.key.sk = (__u64)sk;
	p.key.ino = ino;
	p.netns = net_sock_netns(sk);
	if (bpf_map_update_elem(&net_udp_pending, &tid, &p, BPF_ANY))
		counter_inc(CNT_NET_LOST_NO_ENTRY);
}

static __always_inline void udp_exit(long ret)
{
	__u64 tid = bpf_get_current_pid_tgid();
	struct net_udp_pending *p = bpf_map_lookup_elem(&net_udp_pending, &tid);
	struct net_udp_key k;
	struct net_owner o = {};
	struct sock *sk;
	struct net_event *e;
	__u8 one = 1;
	long err;

	if (!p)
		return;
	k = p->key;
	o.netns = p->netns;
	bpf_map_delete_elem(&net_udp_pending, &tid);
	if (ret < 0)
		return;
	err = bpf_map_update_elem(&net_udp_seen, &k, &one, BPF_NOEXIST);
	if (err == -NET_EEXIST)
		return;
	if (err)
		counter_inc(CNT_NET_LOST_NO_ENTRY); /* sent now, and maybe again later */
	if (net_excluded(k.addr)) {
		counter_inc(CNT_NET_EXCLUDED);
		return;
	}
	sk = (struct sock *)k.sk;
	net_owner_current(&o, o.netns);
	e = net_reserve_hdr();
	if (!e)
		return;
	net_init(e, NET_UDP_REQUEST, IPPROTO_UDP, &o, o.netns);
	/* after the send: an unbound socket has its source port now */
	net_sock_local(e, sk);
	__builtin_memcpy(e->remote_addr, k.addr, sizeof(e->remote_addr));
	e->remote_port = k.port;
	net_submit(e);
}

/* TP_PROTO(struct pt_regs *regs, long id) */
SEC("tp_btf/sys_enter")
int BPF_PROG(net_send_enter, struct pt_regs *regs, long id)
{
	__u16 family, proto, type;
	struct sock *sk;
	__u64 ino = 0;

	if (!is_send(id))
		return 0;
	sk = fd_sock(PT_REGS_PARM1_CORE_SYSCALL(regs), &ino);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != NET_AF_INET && family != NET_AF_INET6)
		return 0;
	/* by type too: a raw socket has the protocol it was opened with */
	proto = BPF_CORE_READ(sk, sk_protocol);
	type = BPF_CORE_READ(sk, sk_type);
	if (proto == IPPROTO_TCP && type == SOCK_STREAM_TYPE)
		tcp_first_bytes(id, regs, sk);
	else if (proto == IPPROTO_UDP && type == SOCK_DGRAM_TYPE)
		udp_enter(id, regs, sk, ino);
	return 0;
}

/* TP_PROTO(struct pt_regs *regs, long ret) */
SEC("tp_btf/sys_exit")
int BPF_PROG(net_send_exit, struct pt_regs *regs, long ret)
{
	if (is_send(SYSCALL_NR(regs)))
		udp_exit(ret);
	return 0;
}
