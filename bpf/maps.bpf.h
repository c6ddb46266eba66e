/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every map, declared once. The hook files each include this, and
 * `bpftool gen object` links them into one object, so the maps are __weak.
 */
#ifndef RMMHUNT_MAPS_BPF_H
#define RMMHUNT_MAPS_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "events.h"

/* Exec events to user space; the loader sets the size (--ringbuf-size, default 512 KiB). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps") __weak;

/*
 * Scratch space for building one event: larger than a per-CPU map value may
 * be, so a plain array with one slot per CPU (user space sets max_entries).
 * The slack lets the verifier see every masked write stay inside.
 */
#define SCRATCH_DATA (2 * 64 * 1024) /* any masked position + any masked length */
struct exec_scratch {
	struct exec_event e;
	char slack[SCRATCH_DATA - EXEC_DATA_MAX];
	/*
	 * The write position in e.data. Kept in map memory, not a register, on
	 * purpose: a value loaded from a map is an unknown scalar to the
	 * verifier, so after masking every loop iteration looks alike and the
	 * path walks' branches are pruned instead of explored one by one.
	 */
	__u32 pos;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* one per CPU, set by user space */
	__type(key, __u32);
	__type(value, struct exec_scratch);
} scratch SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_COUNTER__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

/*
 * Who forked each live process, so an exec names the process that created it
 * even after that one died and the child was reparented. image_tgid is the
 * nearest ancestor that exec'd: a forked copy that never exec'd runs its
 * forker's program, as Wine's double-forked CreateProcess children do.
 */
struct fork_info {
	__u32 forker_tgid;
	__u32 image_tgid;
	__u32 execd;
	char forker_comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct fork_info);
} forks SEC(".maps") __weak;

/*
 * Executables no loaded rule can match, whatever the exec (user space decides,
 * after reading the file): their execs are counted and go no further. Never
 * holds a Wine loader or a script interpreter; cleared on rule reload.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct exe_key);
	__type(value, __u8);
} unmatchable SEC(".maps") __weak;

/*
 * The network side (bpf/net_*.bpf.c). Network records go to a ring of their
 * own, so a connection storm never costs an exec its room; the loader sets
 * its size (--net-ringbuf-size, default 1 MiB).
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} net_events SEC(".maps") __weak;

/*
 * Who made a TCP socket connect, by the sock's address: set at CLOSE ->
 * SYN_SENT (the connecting process's context), read when the connection
 * completes or fails in softirq, where `current` is whoever was interrupted.
 */
struct net_owner {
	__u64 sock_id;
	__u64 cgroup_id;
	__u64 exe_ino; /* what the process ran when it made the socket */
	__u32 tgid, pid;
	__u32 image_tgid; /* see struct net_event */
	__u32 netns;
	__u8 excluded;	 /* to a --net-exclude range: counted once, never sent */
	__u8 bytes_sent; /* NET_FIRST_BYTES done (or not wanted) */
	__u8 pad[2];
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* struct sock * */
	__type(value, struct net_owner);
} net_conns SEC(".maps") __weak;

/* A listening socket's owner, by where it listens: an accepted child names it. */
struct net_listen_key {
	__u32 netns;
	__u16 port; /* host order */
	__u16 pad;
};

struct net_listener {
	__u64 sk; /* which socket: another one may listen on the port too (SO_REUSEPORT) */
	struct net_owner owner;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct net_listen_key);
	__type(value, struct net_listener);
} net_listeners SEC(".maps") __weak;

/*
 * UDP destinations a socket has sent to. The socket's inode number joins its
 * address in the key: a freed sock's memory may be reused by a new socket.
 */
struct net_udp_key {
	__u64 sk;
	__u64 ino;
	__u8 addr[16];
	__u16 port;
	__u16 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct net_udp_key);
	__type(value, __u8);
} net_udp_seen SEC(".maps") __weak;

/* --net-exclude: filled by the loader before the programs attach. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct net_prefix);
	__type(value, __u8);
} net_exclude SEC(".maps") __weak;

/* Per CPU: the sequence that numbers connections (sock_id), see net.bpf.h. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} net_seq SEC(".maps") __weak;

/*
 * TCP DNS answers with their page fragments (net_dns.bpf.c), one perf ring
 * per CPU: user space makes the map and opens the rings before the load, the
 * loader reuses its fd: every online CPU's slot is filled before a program runs.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} net_dns_skb SEC(".maps") __weak;

/*
 * Wine's server at work for a program (wine_request.bpf.c). Wine's
 * processes by tgid: its servers, and its clients (a Windows program's
 * loader, its forks), each with the inode of the executable it runs. Added at
 * their exec by their file's name, and by user space for a loader known by
 * its content or a process found running at start; copied to a fork; gone at
 * an exec of anything else, and at exit.
 */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct wine_proc);
} wine_procs SEC(".maps") __weak;

/* A process, as a socket's owner names it: the thread that wrote a request. */
struct wine_client {
	__u64 cgroup_id;
	__u64 exe_ino;
	__u32 tgid, pid; /* tgid 0: no request written since the server first read the pipe */
	char comm[TASK_COMM_LEN];
};

/* The request pipes a server reads, by their inode's address: who last wrote to each. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct wine_client);
} wine_pipes SEC(".maps") __weak;

/* By server thread: the program whose request it reads and acts on, until it replies. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct wine_client);
} wine_serving SEC(".maps") __weak;

/* When a network record last woke user space (see WAKEUP_BATCH_NS). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} net_wakeup SEC(".maps") __weak;

static __always_inline void counter_inc(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;
}

#endif
