/* SPDX-License-Identifier: MIT */
/*
 * Detection: every rule on an event, exclusions applied, matches aggregated
 * per group, Alert records written, and the groups kept in the state file.
 * The live monitor and `replay` both go through here, so replay prints what
 * the monitor would have printed.
 */
#ifndef RMMHUNT_DETECT_H
#define RMMHUNT_DETECT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "rules/rules.h"

struct detector;

struct detector_opts {
	int64_t window_us;	     /* > 0: replaces the rules' own window (--window) */
	int64_t summary_interval_us; /* least time between two alerts of a group */
	const char *state_path;	     /* NULL: no state file */
	bool alert_at_once;	     /* a new group alerts at its first match (live) */
	FILE *out;		     /* where Alert records go */
};

enum detect_result {
	DETECT_NONE,
	DETECT_MATCH,	   /* at least one rule matched */
	DETECT_SUPPRESSED, /* rules matched, and exclusions removed every match */
};

struct detect_stats {
	uint64_t matched;    /* rule matches counted in alerts */
	uint64_t suppressed; /* rule matches an exclusion removed */
	uint64_t alerts;
	uint64_t state_errors;
};

/* Takes @rs (freed with the detector, or at once on failure). */
struct detector *detector__new(struct ruleset *rs, const struct detector_opts *opts);
void detector__free(struct detector *d); /* NULL is fine */

/*
 * Runs the rules of @e's table on @e at @now_us. Sets MatchedRules (ids of the
 * rules that matched) and, on a process record, SuppressedBy (the first
 * exclusion that removed a match) on @e.
 */
enum detect_result detector__eval(struct detector *d, struct event *e, int64_t now_us);
/* Alerts that are due; the state file every summary interval. */
void detector__tick(struct detector *d, int64_t now_us);
/* Forgets what left the window, alerting nothing (replay, between ticks). */
void detector__expire(struct detector *d, int64_t now_us);
/* Every changed group's alert, then the state file: at shutdown, end of replay. */
void detector__flush(struct detector *d, int64_t now_us);
/*
 * Replaces the rules, keeping the groups of rules that stay (by id). On
 * failure the old rules stay and @rs is freed. 0 or -errno.
 */
int detector__reload(struct detector *d, struct ruleset *rs);

const struct ruleset *detector__rules(const struct detector *d);
void detector__stats(const struct detector *d, struct detect_stats *out);
/* Matches suppressed by exclusion @x of rule @r, and alerts of rule @r. */
uint64_t detector__suppressed(const struct detector *d, size_t r, size_t x);
uint64_t detector__alerts(const struct detector *d, size_t r);

/*
 * True when no rule can match an executable whose identity columns are
 * those of @e, whatever the exec's other columns: every rule's `where`
 * reads only identity columns and is false here. Exclusions only remove
 * matches, so they do not matter. @cert is the file's certificate record
 * (NULL, or no column set: the file is not signed, so it makes none): when
 * it is one, every certificate rule must be false on it too, by the same
 * test. Such executables are marked in the kernel.
 */
bool detector__unmatchable(const struct detector *d, const struct event *e,
			   const struct event *cert);

#endif
