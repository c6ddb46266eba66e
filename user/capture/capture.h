/* SPDX-License-Identifier: MIT */
/*
 * The kernel side's lifecycle: check the kernel can run us, load and attach
 * the BPF programs, and hand each exec event from the ring buffer to a
 * callback. Drops are counted in the kernel and read here.
 */
#ifndef RMMHUNT_CAPTURE_H
#define RMMHUNT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "events.h"

struct capture;

struct capture_opts {
	size_t ringbuf_size;  /* bytes, power of two (rounded up) */
	const char *btf_path; /* NULL: /sys/kernel/btf/vmlinux */
};

/* Called for each event; @size is what arrived (at most sizeof(struct exec_event)). */
typedef int (*capture_event_fn)(void *ctx, const struct exec_event *e, size_t size);

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

struct capture_counters {
	uint64_t execs;			       /* execs the hook saw */
	uint64_t lost;			       /* every cause together */
	uint64_t lost_by[CAPTURE_LOST__COUNT]; /* enum capture_lost */
	uint64_t forks;
	uint64_t unmatchable; /* execs of executables marked unmatchable, counted in the kernel */
};

/*
 * Checks privileges, BTF and ring-buffer support, then loads and attaches.
 * On failure, logs one clear message saying what is missing and returns a
 * negative errno.
 */
int capture__open(struct capture **out, const struct capture_opts *opts, capture_event_fn fn,
		  void *ctx);
void capture__free(struct capture *c); /* NULL is fine */

/*
 * Starts the thread that reads the ring buffer as events come (they wait in
 * the ring until then). Capabilities are per thread: call it after dropping
 * them. capture__poll() starts it if not yet started.
 */
int capture__start(struct capture *c);

/*
 * Handles the events read, waiting up to @timeout_ms for one; events handled
 * or -errno. Before it returns it also hands over what the kernel had
 * committed to the ring but the consumer had not read yet (waiting for it at
 * most CATCH_UP_MS): whatever runs after it has seen every earlier exec.
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

#endif
