/* SPDX-License-Identifier: MIT */
/*
 * The receive side's TCP DNS answers (bpf/net_dns.bpf.c copies those whose
 * payload is in page fragments to a perf buffer): the buffer's map and its
 * per-CPU rings, made before the programs load (the loader reuses the map;
 * perf_event_open needs CAP_PERFMON, dropped after the load), and each
 * sample handed on as the NET_DNS_ANSWER record the network ring would carry
 * (decode__dns_skb).
 */
#ifndef RMMHUNT_TCPDNS_H
#define RMMHUNT_TCPDNS_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct tcpdns;

/* Called for each record, in the thread that consumes. */
typedef int (*tcpdns_record_fn)(void *ctx, const struct net_event *k, size_t size);

/*
 * Makes the map and opens a ring on every online CPU: 0, or -errno with
 * @why (of @n bytes) saying what failed, for Status.
 */
int tcpdns__open(struct tcpdns **out, tcpdns_record_fn fn, void *ctx, char *why, size_t n);
void tcpdns__free(struct tcpdns *t); /* NULL is fine */

/* The map, for the loader (struct loader_opts): the programs write to it. */
int tcpdns__map_fd(const struct tcpdns *t);
/* Readable when a ring has a sample (an epoll fd). */
int tcpdns__epoll_fd(const struct tcpdns *t);
/* Hands every sample the rings hold to the callback. */
void tcpdns__consume(struct tcpdns *t);
/*
 * Answers lost: the kernel found no room in a ring (perf's lost records),
 * sent a sample that does not add up, or a ring could not be read. Any thread.
 */
uint64_t tcpdns__lost(const struct tcpdns *t);

#endif
