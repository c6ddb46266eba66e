// SPDX-License-Identifier: MIT
/* The TCP DNS answers' perf buffer: see tcpdns.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "capture/decode.h"
#include "capture/tcpdns.h"

/*
 * Pages per CPU (a power of two): 32 KiB holds seven answers of
 * NET_DNS_TCP_MAX bytes between two reads; TCP answers are rare, each
 * sample wakes the reader, and what does not fit is counted lost.
 */
#define TCPDNS_PAGES 8

struct tcpdns {
	int map_fd;
	struct perf_buffer *pb;
	tcpdns_record_fn fn;
	void *ctx;
	uint64_t lost; /* atomic: read by the Status thread */
	/* the record being handed on: one consumer at a time (capture's ring lock) */
	union decode_dns_record rec;
};

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct tcpdns *t = ctx;
	int n = decode__dns_skb(data, size, &t->rec.k);

	(void)cpu;
	if (n < 0) {
		__atomic_add_fetch(&t->lost, 1, __ATOMIC_RELAXED);
		return;
	}
	t->fn(t->ctx, &t->rec.k, n);
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct tcpdns *t = ctx;

	(void)cpu;
	__atomic_add_fetch(&t->lost, cnt, __ATOMIC_RELAXED);
}

int tcpdns__open(struct tcpdns **out, tcpdns_record_fn fn, void *ctx, char *why, size_t n)
{
	int ncpus = libbpf_num_possible_cpus(), err;
	struct tcpdns *t;

	*out = NULL;
	if (ncpus < 0) {
		snprintf(why, n, "no CPU count: %s", strerror(-ncpus));
		return ncpus;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(why, n, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	t->fn = fn;
	t->ctx = ctx;
	/* as net_dns_skb in bpf/maps.bpf.h: the loader's reuse checks they match */
	t->map_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, "net_dns_skb", sizeof(__u32),
				   sizeof(__u32), ncpus, NULL);
	if (t->map_fd < 0) {
		err = -errno;
		snprintf(why, n, "no perf event map: %s", strerror(-err));
		goto fail;
	}
	t->pb = perf_buffer__new(t->map_fd, TCPDNS_PAGES, on_sample, on_lost, t, NULL);
	if (!t->pb) {
		err = -errno;
		snprintf(why, n, "no perf buffer: %s", strerror(-err));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	tcpdns__free(t);
	return err;
}

void tcpdns__free(struct tcpdns *t)
{
	if (!t)
		return;
	perf_buffer__free(t->pb);
	if (t->map_fd >= 0)
		close(t->map_fd);
	free(t);
}

int tcpdns__map_fd(const struct tcpdns *t)
{
	return t->map_fd;
}

int tcpdns__epoll_fd(const struct tcpdns *t)
{
	return perf_buffer__epoll_fd(t->pb);
}

void tcpdns__consume(struct tcpdns *t)
{
	int err = perf_buffer__consume(t->pb);

	/* a record perf should not have sent: one answer lost, never the monitor */
	if (err < 0 && err != -EINTR)
		__atomic_add_fetch(&t->lost, 1, __ATOMIC_RELAXED);
}

uint64_t tcpdns__lost(const struct tcpdns *t)
{
	return __atomic_load_n(&t->lost, __ATOMIC_RELAXED);
}
