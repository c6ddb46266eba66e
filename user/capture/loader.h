/* SPDX-License-Identifier: MIT */
/*
 * Loading the kernel side. To relocate the programs (CO-RE), libbpf parses the
 * kernel's whole BTF: some 11 MiB on a 6.x kernel, most of the monitor's peak
 * memory. The load therefore runs in a short-lived child, which hands back
 * only what the monitor keeps: the maps it reads and writes, and the links
 * that keep the programs attached for as long as their fds stay open.
 */
#ifndef RMMHUNT_LOADER_H
#define RMMHUNT_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"

/* exec, fork, exit; then the network's: TCP states, UDP, DNS, a TCP connection's first bytes */
enum { LOADER_NLINKS = 7, LOADER_NET_LINK0 = 3, LOADER_FIRST_BYTES_LINK = 6 };

struct loader_opts {
	const char *btf_path;	 /* NULL: /sys/kernel/btf/vmlinux */
	size_t ringbuf_size;	 /* the exec ring, bytes, a power of two */
	size_t net_ringbuf_size; /* the network ring, likewise */
	bool network;		 /* load the network programs (they may still fail: see below) */
	const struct net_prefix *net_exclude; /* --net-exclude, in the trie before any attach */
	size_t nnet_exclude;
	int dns_skb_fd; /* the TCP DNS answers' perf buffer map (tcpdns.h); -1: none */
};

struct bpf_handles {
	int events_fd;	    /* the exec ring buffer */
	int counters_fd;    /* per-CPU counters, enum counter */
	int unmatchable_fd; /* unmatchable executables by struct exe_key */
	int net_events_fd;  /* the network ring buffer; -1 when network capture is off */
	/* Wine's requests (wine_request.bpf.c), loaded, not attached; -1: no network, or raw_tp */
	int wine_prog_fd;
	int wine_procs_fd; /* its map: Wine's processes by tgid (struct wine_proc) */
	int link_fd[LOADER_NLINKS];
	bool raw_tp;	   /* attached as raw_tp: the kernel has no tracepoint BTF */
	bool network;	   /* the network programs are attached */
	char net_off[160]; /* why not ("" when on): "--no-network", or what failed */
	/* the first-bytes hook: "tcp_sendmsg_locked", "fentry", or "off: " and why */
	char first_bytes[160];
	/* net_dns reads TCP answers' page fragments into dns_skb_fd's buffer */
	bool dns_frags;
	char dns_frags_off[160]; /* why not, when the load refused it ("" otherwise) */
};

/*
 * Checks privileges, BTF and ring-buffer support, then loads and attaches
 * the programs. The network programs are extras: when one cannot load or
 * attach on this kernel, the exec programs are loaded again without them,
 * with one warning, and @h->net_off says why. The first bytes of TCP
 * connections take the tcp_sendmsg_locked tracepoint, else fentry on
 * tcp_sendmsg, else nothing (RemoteUrl then comes from DNS answers only):
 * @h->first_bytes says which. Given @o->dns_skb_fd, net_dns reads TCP DNS
 * answers whole into it and the send hook reads none; if that cannot load,
 * the programs are loaded again without it, the send hook reading them
 * (@h->dns_frags and dns_frags_off say which). On failure, logs one clear
 * message saying what is missing and returns a negative errno, with every fd
 * of @h -1.
 */
int loader__load(const struct loader_opts *o, struct bpf_handles *h);
/* Detaches the programs: closes every fd. */
void loader__close(struct bpf_handles *h);

#endif
