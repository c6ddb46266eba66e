/* SPDX-License-Identifier: MIT */
/*
 * One exec's way from the kernel record to its JSON line:
 * decode (capture/) -> process columns and lineage -> identity -> rules ->
 * aggregate -> output. run.c feeds it; replay feeds the rules half.
 */
#ifndef RMMHUNT_PIPELINE_H
#define RMMHUNT_PIPELINE_H

#include <stdint.h>
#include <stdio.h>

#include "capture/decode.h"

/* What goes to stdout besides Status records (--emit, a comma list). */
enum emit_flags {
	EMIT_ALERTS = 1 << 0,
	EMIT_EVENTS = 1 << 1,	  /* every exec */
	EMIT_MATCHES = 1 << 2,	  /* events that matched a rule */
	EMIT_SUPPRESSED = 1 << 3, /* matches an exclusion removed, with SuppressedBy */
};

struct pipeline_opts {
	unsigned emit;
	const char *device_id;
	const char *device_name;
	FILE *out;
};

struct pipeline_stats {
	uint64_t events_seen;	 /* execs handed to the pipeline, snapshot included */
	uint64_t events_emitted; /* event records written */
	uint64_t snapshot;	 /* processes reported from /proc at start */
	uint64_t decode_errors;	 /* kernel records that did not add up */
	uint64_t output_errors;
};

struct pipeline;

struct pipeline *pipeline__new(const struct pipeline_opts *opts);
void pipeline__free(struct pipeline *p); /* NULL is fine */

/* Handles one exec (from the ring buffer or the snapshot). */
int pipeline__exec(struct pipeline *p, const struct exec_info *x);
/* Reports the processes already running, as FromSnapshot events. */
int pipeline__snapshot(struct pipeline *p);

void pipeline__stats(const struct pipeline *p, struct pipeline_stats *out);

#endif
