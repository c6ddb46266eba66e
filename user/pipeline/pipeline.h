/* SPDX-License-Identifier: MIT */
/*
 * One exec's way from the kernel record to its JSON line:
 * decode (capture/) -> process columns and lineage -> identity -> rules ->
 * aggregate -> output. A Wine launch waits on the way (wine_hold.h) for the
 * Windows program it starts. run.c feeds it the ring buffer's execs and has
 * it report the processes already running (capture/snapshot.h); replay feeds
 * the rules half.
 */
#ifndef RMMHUNT_PIPELINE_H
#define RMMHUNT_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include "capture/decode.h"
#include "identity/identity.h"
#include "pipeline/detect.h"
#include "pipeline/net.h"

/* What goes to stdout besides Status records (--emit, a comma list). */
enum emit_flags {
	EMIT_ALERTS = 1 << 0,
	EMIT_EVENTS = 1 << 1,	  /* every exec */
	EMIT_MATCHES = 1 << 2,	  /* events that matched a rule */
	EMIT_SUPPRESSED = 1 << 3, /* matches an exclusion removed, with SuppressedBy */
};

/* An exec, told to the capture side (pipeline_opts says when). */
typedef void (*pipeline_exec_fn)(void *ctx, const struct exec_event *k);
/* An exec of Wine's, in @role (enum wine_role). */
typedef void (*pipeline_wine_fn)(void *ctx, const struct exec_event *k, enum wine_role role);

struct pipeline_opts {
	unsigned emit;
	const char *device_id;
	const char *device_name;
	FILE *out;
	struct detector *detector; /* NULL: no rules (inspection only) */
	struct identity_cache *identity;
	/*
	 * An executable no loaded rule can match, whatever the exec: the capture
	 * side may then mark it unmatchable and stop sending its execs. NULL:
	 * nothing is marked in the kernel.
	 */
	pipeline_exec_fn mark_unmatchable;
	/* an exec of Wine's server or of a Windows program's loader (snapshot included) */
	pipeline_wine_fn wine_process;
	void *capture_ctx;	      /* the two's */
	unsigned int read_timeout_ms; /* one read of an executable; 0: READER_TIMEOUT_MS */
};

struct pipeline_stats {
	uint64_t events_seen;	 /* execs handed to the pipeline, snapshot included */
	uint64_t events_emitted; /* event records written */
	uint64_t certificates;	 /* DeviceFileCertificateInfo records made */
	uint64_t snapshot;	 /* processes reported from /proc at start */
	uint64_t decode_errors;	 /* kernel records that did not add up */
	uint64_t output_errors;
	uint64_t identity_errors;    /* executables that could not be read */
	uint64_t exe_replaced;	     /* the file at the path is not what was exec'd */
	uint64_t wine_programs;	     /* Windows program starts named behind a Wine loader */
	uint64_t wine_collapsed;     /* launcher steps folded into one program event */
	uint64_t held_overflow;	     /* held events reported early: too many at once */
	uint64_t unmatchable_marked; /* executables marked unmatchable in the kernel */
	uint64_t read_timeouts;	     /* reads of executables given up at the deadline */
	uint64_t read_refused;	     /* not tried: the file system had not answered yet */
	uint64_t read_stuck;	     /* reads still waiting for a hung file system */
	struct net_stats net;	     /* the network records */
};

struct pipeline;

struct pipeline *pipeline__new(const struct pipeline_opts *opts);
void pipeline__free(struct pipeline *p); /* NULL is fine */

/* Handles one exec (from the ring buffer or the snapshot). */
int pipeline__exec(struct pipeline *p, const struct exec_info *x);
/* Handles one network record of @size bytes from the kernel (pipeline/net.h). */
int pipeline__net(struct pipeline *p, const struct net_event *k, size_t size);
/* Reports the processes already running, as FromSnapshot events. */
int pipeline__snapshot(struct pipeline *p);
/*
 * Reports held events that are due (Wine launches wait, bounded, for the
 * program's image). Call after the ring buffer was drained, never from inside
 * pipeline__exec. Returns the milliseconds until the next one is due, or -1.
 */
int pipeline__tick(struct pipeline *p);
/* Reports every held event now (at shutdown). */
void pipeline__flush(struct pipeline *p);

void pipeline__stats(const struct pipeline *p, struct pipeline_stats *out);
/*
 * At shutdown, waits up to @ms for reads stuck in hung mounts to return, so
 * that what they use can be freed; how many are still stuck.
 */
unsigned int pipeline__wait_reads(struct pipeline *p, unsigned int ms);

#endif
