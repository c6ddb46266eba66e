/* SPDX-License-Identifier: MIT */
/*
 * Per-group aggregation: the streaming form of a rule's
 *
 *	| where Timestamp between (now(-W)..now()) | summarize ... by ...
 *
 * For each rule and each `by` group the aggregator keeps what it needs to
 * answer the summarize exactly as the window slides: a timeline of matched
 * timestamps (Count, min/max(Timestamp)) and, per other column, its distinct
 * values with the newest timestamp each was seen at (make_set, dcount,
 * min/max). A value leaves the window when that timestamp does, so results
 * stay exact without keeping every event.
 *
 * Everything is bounded:
 *  - groups: at most max_groups; a new group beyond that evicts the one
 *    matched least recently (counted in agg_stats.groups_evicted);
 *  - timeline: at most max_entries buckets per group; past that, the oldest
 *    half is merged pairwise (by time). A merged bucket leaves the window
 *    with its newest event, so until then Count may include events already
 *    out of the window and FirstSeen is clamped to the window start: such an
 *    alert carries "Approximate": true. Nothing is ever undercounted;
 *  - distinct values: make_set at its max (Kusto's default 1048576), other
 *    columns at max_entries; a value arriving at a full set is dropped and
 *    the alert says "<Column>Truncated": true from then on.
 *
 * No clock is read here: every call that needs "now" takes it, so the live
 * monitor passes the wall clock and replay passes event time.
 */
#ifndef RMMHUNT_AGG_H
#define RMMHUNT_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "event.h"
#include "rules/rules.h"

#define AGG_DEFAULT_INTERVAL_US (60 * 1000000LL)
#define AGG_DEFAULT_MAX_GROUPS	1024
#define AGG_DEFAULT_MAX_ENTRIES 65536
#define AGG_DEFAULT_SET_MAX	1048576

struct agg;

struct agg_config {
	int64_t window_us;   /* > 0: replaces every rule's window (--window) */
	int64_t interval_us; /* least time between two alerts of a group; 0: 60 s */
	size_t max_groups;   /* 0: AGG_DEFAULT_MAX_GROUPS */
	size_t max_entries;  /* timeline buckets per group; 0: AGG_DEFAULT_MAX_ENTRIES */
};

/* What the aggregator needs of a rule; everything is copied. */
struct agg_rule {
	const char *id;
	const char *name;
	const char *const *tactics;
	size_t ntactics;
	const char *const *techniques;
	size_t ntechniques;
	int64_t window_us; /* 0: no look-back, everything since start counts */
	const struct summarize_col *cols;
	size_t ncols;
	enum table_id table;	/* the table of the records it aggregates */
	const char *table_name; /* its name, for the alerts; static */
};

/* One value of an alert column. */
enum agg_value_type { AGG_V_NULL, AGG_V_LONG, AGG_V_TIME, AGG_V_BOOL, AGG_V_STRING };

struct agg_value {
	enum agg_value_type type;
	int64_t num;
	const char *str; /* AGG_V_STRING: @len bytes, not NUL-terminated */
	size_t len;
};

/* One summarize output column of an alert: a scalar, or a make_set array. */
struct agg_cell {
	const char *name;
	bool is_set;
	bool truncated; /* a distinct value was ever dropped at the set's max */
	size_t n;	/* 1 for a scalar */
	const struct agg_value *v;
};

/* What an emission hands out; valid during the callback only. */
struct agg_alert {
	const char *rule_id;
	const char *rule_name;
	const char *table; /* the name of the table its records are of */
	const char *const *tactics;
	size_t ntactics;
	const char *const *techniques;
	size_t ntechniques;
	const struct agg_cell *cells; /* in the query's output order */
	size_t ncells;
	bool approximate; /* a merged timeline bucket straddles the window start */
	int64_t now_us;	  /* the clock at emission */
};

typedef void (*agg_emit_fn)(const struct agg_alert *alert, void *ctx);

struct agg_stats {
	size_t rules;
	size_t groups;
	uint64_t groups_evicted; /* dropped at max_groups */
	uint64_t groups_expired; /* every event left the window */
	uint64_t alerts_emitted;
	uint64_t events_added;
	uint64_t events_outside; /* not in [now - window, now] when added */
	uint64_t buckets_merged; /* timeline degradations */
	uint64_t values_dropped; /* distinct values lost at a set's max */
};

struct agg *agg__new(const struct agg_config *cfg); /* NULL cfg: defaults */
void agg__free(struct agg *a);

/* Registers a rule; returns its index (0, 1, ... in call order) or -errno. */
int agg__add_rule(struct agg *a, const struct agg_rule *rule);
size_t agg__nrules(const struct agg *a);
/*
 * Registers every rule of @rs (agg_rules.c), so rule i of the set is rule i
 * here. 0, or -errno after an error log (a rule without summarize: -EINVAL).
 */
int agg__add_ruleset(struct agg *a, const struct ruleset *rs);

/*
 * Adds a matched event to its group of rule @rule. The event counts when
 * now - window <= Timestamp <= now (an event without Timestamp is refused).
 * Returns 1 when this made a new group, whose first alert is due at once:
 * call agg__tick(); 0 when added to an existing group or outside the window;
 * -EINVAL, -ENOMEM, -E2BIG (a rule of more than 64 columns).
 */
int agg__add(struct agg *a, size_t rule, const struct event *e, int64_t now_us);

/*
 * Moves the clock to @now_us: drops what left the window, then emits each
 * group that changed since its last alert, at once for a new group and
 * otherwise at most once per interval. Only matches change a group: events
 * leaving the window alert nothing, and a group left empty goes quietly
 * (agg_stats.groups_expired). Returns the number of alerts emitted.
 */
size_t agg__tick(struct agg *a, int64_t now_us, agg_emit_fn emit, void *ctx);

/* Drops what left the window at @now_us, emitting nothing. */
void agg__expire(struct agg *a, int64_t now_us);

/*
 * Emits every group that changed since its last alert (at shutdown; replay:
 * every group), sorted by rule then by-values. Returns the number emitted.
 */
size_t agg__flush(struct agg *a, int64_t now_us, agg_emit_fn emit, void *ctx);

void agg__stats(const struct agg *a, struct agg_stats *st);

/*
 * The groups as JSON (state.c writes it), and back. Restoring matches rules
 * by id: a group of a rule not registered, or whose summarize columns
 * changed, is dropped with an info log. Returns 0 or -EINVAL on a malformed
 * document (then no group is kept), -ENOMEM.
 */
json_t *agg__save_json(const struct agg *a);
int agg__load_json(struct agg *a, const json_t *groups);

#endif
