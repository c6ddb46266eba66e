/* SPDX-License-Identifier: MIT */
/*
 * The network half of the pipeline: the kernel's network records in,
 * DeviceNetworkEvents records out, the process named as an exec names its
 * creator (lineage.h). RemoteUrl is the connection's own host name (a TLS
 * ClientHello's SNI, an HTTP request's Host) when it has one, else the name
 * whose DNS answer gave the remote address most recently in the same network
 * namespace, within the answer's TTL, else unknown (null).
 *
 * A connect that succeeded waits for its first bytes, NET_HOLD_MS at most
 * (and NET_HELD_MAX connections at once), so its record can carry its own
 * name: the kernel sends those bytes as a record of their own, after it.
 * A record of a process whose identity is still settling (a Wine launch
 * held for the program it starts, wine_hold.h) waits for it, NET_SETTLE_MS
 * at most (NET_SETTLE_MAX records at once), to name the program, not its loader.
 */
#ifndef RMMHUNT_NET_H
#define RMMHUNT_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "events.h"

#define NET_HOLD_MS    250
#define NET_HELD_MAX   1024
#define NET_SETTLE_MS  1500 /* past WINE_HOLD_MS, the longest a launch is held */
#define NET_SETTLE_MAX 64
#define NET_NAMES      8192 /* addresses named by DNS answers, over every namespace */

struct lineage;
struct net;

struct net_ops {
	/* a finished record: the rules, then the output, as for every record */
	void (*finish)(void *ctx, struct event *e);
	int64_t (*report_id)(void *ctx);
	/* is process @tgid's identity still settling? NULL: never */
	bool (*settling)(void *ctx, uint32_t tgid);
	void *ctx;
};

struct net_stats {
	uint64_t records;	/* kernel records handed over */
	uint64_t bad_records;	/* kernel records that did not add up */
	uint64_t connections;	/* DeviceNetworkEvents records made */
	uint64_t dns_answers;	/* DNS answers read */
	uint64_t dns_bad;	/* DNS answers refused as malformed */
	uint64_t dns_cut;	/* DNS answers cut short (read up to the cut) */
	uint64_t url_from_tls;	/* RemoteUrl from a ClientHello's SNI */
	uint64_t url_from_http; /* RemoteUrl from an HTTP request's Host */
	uint64_t url_from_dns;	/* RemoteUrl from a DNS answer */
	uint64_t held_overflow; /* records reported without waiting: too many held */
	uint64_t wine_connects; /* connects wineserver made, named after the program that sent */
};

struct net *net__new(struct lineage *l, const char *device_id, const char *device_name,
		     const struct net_ops *ops);
void net__free(struct net *n); /* NULL is fine */

/* One kernel record of @size bytes: 0, or -EINVAL when it does not add up. */
int net__record(struct net *n, const struct net_event *k, size_t size);
/* Reports the held connects that are due: ms until the next is due, or -1. */
int net__tick(struct net *n);
/* Reports every held connect (at exit). */
void net__flush(struct net *n);
void net__stats(const struct net *n, struct net_stats *out);

#endif
