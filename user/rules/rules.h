/* SPDX-License-Identifier: MIT */
/*
 * Detection rules: Sentinel hunting-rule YAML whose `query` is KQL, plus our
 * `exclusions:` extension. A rule set loads whole or not at all.
 */
#ifndef RMMHUNT_RULES_H
#define RMMHUNT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "table.h"

struct ruleset;
struct rule;

/* Where a load failed, or a warning: "file:line:col: message". */
struct rules_diag {
	char msg[512];
	unsigned nwarnings;
	char warnings[8][256];
};

/* The rules compiled into the binary: the YAML files at the top of rules/. */
struct ruleset *ruleset__load_default(struct rules_diag *diag);
/*
 * Files, or directory trees of .yaml/.yml files (sorted by path); all or
 * nothing, so that a broken rule never starts (or reloads) a monitor with
 * half its rules. With RULES_SKIP_REFUSED (`--skip-refused`), a file found
 * in a tree that does not load (a pack as cloned has some: placeholders,
 * tables or KQL outside what rmmhunt reads) is left out with a warning and
 * counted (ruleset__refused); a file named in @paths still loads or fails
 * the set. YAML broken only in keys rmmhunt does not read (such as
 * requiredDataConnectors) is skipped with a warning, unless RULES_STRICT.
 */
#define RULES_STRICT	   1u
#define RULES_SKIP_REFUSED 2u
struct ruleset *ruleset__load_paths(const char *const *paths, size_t n, struct rules_diag *diag);
struct ruleset *ruleset__load_paths_flags(const char *const *paths, size_t n, unsigned flags,
					  struct rules_diag *diag);
/* One rule file held in memory; @name is used in diagnostics. */
struct ruleset *ruleset__load_buffer(const char *name, const char *text, size_t len,
				     struct rules_diag *diag);
void ruleset__free(struct ruleset *rs); /* NULL is fine */
/* Files of the trees given that were left out (RULES_SKIP_REFUSED). */
size_t ruleset__refused(const struct ruleset *rs);

size_t ruleset__count(const struct ruleset *rs);
const struct rule *ruleset__rule(const struct ruleset *rs, size_t i);

/*
 * The rules of table @t: ruleset__table_rule(rs, t, k) for k below
 * ruleset__table_count(rs, t) is the index (for ruleset__rule) of its k-th
 * rule, in load order. A record is evaluated against its table's rules only.
 */
size_t ruleset__table_count(const struct ruleset *rs, enum table_id t);
size_t ruleset__table_rule(const struct ruleset *rs, enum table_id t, size_t k);

/* The rule whose `id` is @id, or NULL. */
const struct rule *ruleset__find(const struct ruleset *rs, const char *id);

const char *rule__id(const struct rule *r);
const char *rule__name(const struct rule *r);
const char *rule__description(const struct rule *r); /* "" when absent */
/* Where it came from: the path given, or "builtin:NAME.yaml" for the default set. */
const char *rule__file(const struct rule *r);
size_t rule__ntactics(const struct rule *r);
const char *rule__tactic(const struct rule *r, size_t i);
size_t rule__ntechniques(const struct rule *r);
const char *rule__technique(const struct rule *r, size_t i);
/* The table the query reads; its rules see that table's records only. */
const struct table_desc *rule__table(const struct rule *r);
/*
 * False when the rule cannot match on Linux today: its table's records are
 * not produced, or `rules check` warned that a predicate never matches here
 * (a backslashed FolderPath). A rule with such a predicate in one branch of
 * an `or` is counted out too: the warning says which.
 */
bool rule__live_on_linux(const struct rule *r);
/* The look-back of `Timestamp between (now(-5d)..now())`, in microseconds; 0 if none. */
int64_t rule__window_us(const struct rule *r);
/*
 * True when a predicate or an exclusion reads a per-exec column: anything but
 * the executable's identity (ProcessVersionInfo*, VersionInfoCompanyNames,
 * VersionInfoSource, SHA1, SHA256, FileSize; for a certificate rule, SHA1,
 * SHA256 and the signature columns). The time window does not count. When
 * false, one answer of rule__match holds for every exec of the file (for a
 * certificate rule: for every record made from the file's signatures).
 */
bool rule__uses_per_exec_fields(const struct rule *r);
/* The same for the `where` clauses alone: exclusions only ever remove matches. */
bool rule__where_uses_per_exec_fields(const struct rule *r);

enum rule_match {
	RULE_NO_MATCH,
	RULE_MATCH,
	RULE_SUPPRESSED, /* matched, then an exclusion removed it */
};

/*
 * Evaluates the rule's `where` clauses (except the time window, which the
 * aggregator applies) and exclusions against the record @e; a rule of
 * another table than @e's never matches it. On RULE_SUPPRESSED,
 * *@exclusion_id names the exclusion (the first that matches, in file order).
 * Allocates nothing; safe to call from several threads on one rule.
 */
enum rule_match rule__match(const struct rule *r, const struct event *e, const char **exclusion_id);

size_t rule__nexclusions(const struct rule *r);
const char *rule__exclusion_id(const struct rule *r, size_t i);
const char *rule__exclusion_description(const struct rule *r, size_t i); /* "" when absent */
const char *rule__exclusion_expression(const struct rule *r, size_t i);

/*
 * The `summarize` clause's output columns in Kusto's order: the `by` columns
 * (AGG_BY) first as listed, then the aggregations as listed; a `project`
 * after summarize selects, reorders and renames them. A query without
 * summarize gets the seed's: DeviceId, DeviceName, FirstSeen=min(Timestamp),
 * LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count().
 * field is -1 for count(), and also for a Defender column with no Linux
 * meaning (e.g. `by AccountUpn`): that column is always empty (null; an
 * empty set for make_set, 0 for dcount).
 */
enum agg_kind { AGG_BY, AGG_MIN, AGG_MAX, AGG_COUNT, AGG_DCOUNT, AGG_MAKE_SET };

struct summarize_col {
	const char *name; /* output column, e.g. "FirstSeen" or "DeviceId" */
	enum agg_kind kind;
	int field;  /* enum field_id read; -1 for count() or an always-empty column */
	size_t max; /* make_set size limit (default 1048576) */
};

size_t rule__nsummarize(const struct rule *r);
const struct summarize_col *rule__summarize_col(const struct rule *r, size_t i);

#endif
