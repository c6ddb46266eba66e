/* SPDX-License-Identifier: MIT */
/*
 * The kernel side's lifecycle: check the kernel can run us, load and attach
 * the BPF programs, and hand each exec event from the ring buffer to a
 * callback. Drops are counted in the kernel and read here.
 */
#ifndef RMMHUNT_CAPTURE_H
#define RMMHUNT_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct capture;

struct capture_opts {
	size_t ringbuf_size;	 /* bytes, power of two (rounded up) */
	const char *btf_path;	 /* NULL: /sys/kernel/btf/vmlinux */
	size_t net_ringbuf_size; /* the network ring: bytes, power of two (rounded up) */
	bool no_network;	 /* execs only: no network program is loaded */
	const struct net_prefix *net_exclude; /* remote ranges dropped in the kernel */
	size_t nnet_exclude;
};

/* Called for each event; @size is what arrived (at most sizeof(struct exec_event)). */
typedef int (*capture_event_fn)(void *ctx, const struct exec_event *e, size_t size);
/* Called for each network record; @size is what arrived, unchecked (decode__net). */
typedef int (*capture_net_fn)(void *ctx, const struct net_event *e, size_t size);

/* Why an exec's event never reached the pipeline. */
enum capture_lost {
	CAPTURE_LOST_RING_FULL,	 /* the ring buffer had no room (kernel) */
	CAPTURE_LOST_NO_SCRATCH, /* no scratch slot to build it in (kernel) */
	CAPTURE_LOST_TOO_LARGE,	 /* its strings did not fit the record (kernel) */
	CAPTURE_LOST_NO_MEMORY,	 /* read from the ring, but no memory to queue it */
	CAPTURE_LOST__COUNT,
};

/* "RingBufferFull", ...: the name Status records and /metrics give the cause. */
const char *capture__lost_name(enum capture_lost cause);

/* Why a network record never reached the pipeline. */
enum capture_net_lost {
	CAPTURE_NET_LOST_RING_FULL, /* the network ring had no room (kernel) */
	CAPTURE_NET_LOST_NO_ENTRY,  /* a socket map had no room: its connection is unowned */
	CAPTURE_NET_LOST_NO_MEMORY, /* read from the ring, but no memory to queue it */
	/* a TCP DNS answer the perf buffer had no room for, refused, or sent garbled */
	CAPTURE_NET_LOST_PERF_BUFFER,
	CAPTURE_NET_LOST__COUNT,
};

/* "RingBufferFull", "NoMapEntry", "NoMemory", "PerfBuffer". */
const char *capture__net_lost_name(enum capture_net_lost cause);

struct capture_counters {
	uint64_t execs;			       /* execs the hook saw */
	uint64_t lost;			       /* every cause together */
	uint64_t lost_by[CAPTURE_LOST__COUNT]; /* enum capture_lost */
	uint64_t forks;
	uint64_t unmatchable; /* execs of executables marked unmatchable, counted in the kernel */
	uint64_t net_events;  /* network records the kernel sent */
	uint64_t net_lost;    /* every cause together */
	uint64_t net_lost_by[CAPTURE_NET_LOST__COUNT]; /* enum capture_net_lost */
	uint64_t net_excluded; /* connections to a --net-exclude range, dropped in the kernel */
	uint64_t net_data_cut; /* payloads cut at their record's size or the skb's linear part */
	/* connections Wine's server made, named after the program whose request it served */
	uint64_t net_wine_requests;
};

/*
 * Checks privileges, BTF and ring-buffer support, then loads and attaches.
 * On failure, logs one clear message saying what is missing and returns a
 * negative errno. Network capture failing on this kernel is no failure:
 * capture__network() says it is off, and why.
 */
int capture__open(struct capture **out, const struct capture_opts *opts, capture_event_fn fn,
		  capture_net_fn net_fn, void *ctx);
void capture__free(struct capture *c); /* NULL is fine */

/*
 * Starts the thread that reads the ring buffer while capture__poll() is
 * busy with a batch for long. Capabilities are per thread: call it after
 * dropping them. capture__poll() starts it if not yet started.
 */
int capture__start(struct capture *c);

/*
 * Handles the events in the ring, waiting up to @timeout_ms for one; events
 * handled or -errno. It reads the ring until a look finds nothing more (or
 * for a bounded number of batches): whatever runs after it has seen every
 * exec the kernel had committed by then.
 */
int capture__poll(struct capture *c, int timeout_ms);
/* Consumes what is there without waiting (the final drain). */
int capture__drain(struct capture *c);

void capture__counters(struct capture *c, struct capture_counters *out);
/* No rule can match this executable: the kernel stops sending its execs. */
void capture__mark_unmatchable(struct capture *c, const struct exec_event *k);
/* Forgets every such mark (the rules changed). */
void capture__clear_unmatchable(struct capture *c);

/* Bytes waiting in the ring buffer over its size, 0..1. */
double capture__ring_fill(struct capture *c);
/* "tp_btf" or "raw_tp": how the programs were attached. */
const char *capture__attach_mode(const struct capture *c);
/* "on", or "off: " and why ("off: --no-network", "off: the network programs failed to ..."). */
const char *capture__network(const struct capture *c);
/*
 * Where the first bytes of TCP connections are read: "tcp_sendmsg_locked"
 * (the tracepoint), "fentry" (on tcp_sendmsg), or "off: " and why.
 */
const char *capture__first_bytes(const struct capture *c);
/*
 * Where DNS answers over TCP are read: "receive" (the asker's packets, page
 * fragments and all, through a perf buffer), "send: " and why not there (a
 * server on this host, as it sends them: the first-bytes hook), or "off: "
 * and why.
 */
const char *capture__tcp_dns(const struct capture *c);

/*
 * Process @tgid is Wine's server or a Windows program's loader (@role;
 * @exe_ino: what it exec'd): what the server does for a program is that
 * program's from now on (capture/wineprocs.h).
 */
void capture__wine_process(struct capture *c, uint32_t tgid, uint64_t exe_ino, enum wine_role role);
/* Once a second or so: Wine's server requests followed while a server runs. */
void capture__tick(struct capture *c);
/* Whether Wine's server requests are followed: "attached", "idle", or "off: " and why. */
const char *capture__wine_requests(const struct capture *c);

#endif
