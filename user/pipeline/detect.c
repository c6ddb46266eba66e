// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/agg.h"
#include "aggregate/state.h"
#include "base/clock.h"
#include "base/json_writer.h"
#include "base/log.h"
#include "output/alert.h"
#include "pipeline/detect.h"

#define MAX_MATCHED 64 /* rule ids listed in MatchedRules */

struct detector {
	struct detector_opts opts;
	struct ruleset *rs;
	struct agg *agg;
	struct detect_stats stats;
	uint64_t *suppressed; /* per exclusion, rule by rule: see excl_base */
	size_t *excl_base;    /* index of rule r's first exclusion in suppressed */
	uint64_t *alerts;     /* per rule */
	int64_t next_save_us;
	struct json_writer jw;
};

static void free_rule_state(struct detector *d)
{
	agg__free(d->agg);
	ruleset__free(d->rs);
	free(d->suppressed);
	free(d->excl_base);
	free(d->alerts);
	d->agg = NULL;
	d->rs = NULL;
	d->suppressed = NULL;
	d->excl_base = NULL;
	d->alerts = NULL;
}

/* Builds the aggregator and counters for @rs into @d; on failure @d is untouched. */
static int build_rule_state(struct detector *d, struct ruleset *rs)
{
	struct agg_config cfg = {
	    .window_us = d->opts.window_us,
	    .interval_us = d->opts.summary_interval_us,
	};
	size_t n = ruleset__count(rs), nexcl = 0;
	struct detector tmp = {};
	int err = -ENOMEM;

	tmp.excl_base = calloc(n + 1, sizeof(*tmp.excl_base));
	tmp.alerts = calloc(n + 1, sizeof(*tmp.alerts));
	if (!tmp.excl_base || !tmp.alerts)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		tmp.excl_base[i] = nexcl;
		nexcl += rule__nexclusions(ruleset__rule(rs, i));
	}
	tmp.suppressed = calloc(nexcl + 1, sizeof(*tmp.suppressed));
	tmp.agg = agg__new(&cfg);
	if (!tmp.suppressed || !tmp.agg)
		goto fail;
	err = agg__add_ruleset(tmp.agg, rs);
	if (err)
		goto fail;
	d->agg = tmp.agg;
	d->suppressed = tmp.suppressed;
	d->excl_base = tmp.excl_base;
	d->alerts = tmp.alerts;
	d->rs = rs;
	return 0;
fail:
	agg__free(tmp.agg);
	free(tmp.suppressed);
	free(tmp.excl_base);
	free(tmp.alerts);
	return err;
}

struct detector *detector__new(struct ruleset *rs, const struct detector_opts *opts)
{
	struct detector *d = calloc(1, sizeof(*d));

	if (!d) {
		ruleset__free(rs);
		return NULL;
	}
	/* the options first: the aggregator is built from them */
	d->opts = *opts;
	if (!d->opts.summary_interval_us)
		d->opts.summary_interval_us = AGG_DEFAULT_INTERVAL_US;
	if (build_rule_state(d, rs)) {
		free(d);
		ruleset__free(rs);
		return NULL;
	}
	jw__init(&d->jw);
	if (d->opts.state_path)
		/* the time names a bad file set aside: two must not share a name */
		state__load(d->agg, d->opts.state_path, clock__now_us());
	return d;
}

void detector__free(struct detector *d)
{
	if (!d)
		return;
	free_rule_state(d);
	jw__free(&d->jw);
	free(d);
}

static void print_alert(const struct agg_alert *al, void *ctx)
{
	struct detector *d = ctx;
	const struct rule *r = ruleset__find(d->rs, al->rule_id);

	alert__write_json(&d->jw, al);
	if (jw__flush_line(&d->jw, d->opts.out))
		pr_warn("failed to print an alert of rule %s", al->rule_id);
	d->stats.alerts++;
	for (size_t i = 0; r && i < ruleset__count(d->rs); i++)
		if (ruleset__rule(d->rs, i) == r)
			d->alerts[i]++;
}

static size_t exclusion_index(const struct rule *r, const char *id)
{
	for (size_t x = 0; id && x < rule__nexclusions(r); x++)
		if (!strcmp(rule__exclusion_id(r, x), id))
			return x;
	return 0;
}

enum detect_result detector__eval(struct detector *d, struct event *e, int64_t now_us)
{
	const char *matched[MAX_MATCHED], *suppressed_by = NULL;
	size_t nmatched = 0, nsuppressed = 0;
	int matched_col = event__matched_rules_field(e->table);
	bool new_group = false;

	/* a record meets its own table's rules only */
	for (size_t k = 0; k < ruleset__table_count(d->rs, e->table); k++) {
		size_t i = ruleset__table_rule(d->rs, e->table, k);
		const struct rule *r = ruleset__rule(d->rs, i);
		const char *excl = NULL;
		int err;

		switch (rule__match(r, e, &excl)) {
		case RULE_MATCH:
			d->stats.matched++;
			if (nmatched < MAX_MATCHED)
				matched[nmatched++] = rule__id(r);
			err = agg__add(d->agg, i, e, now_us);
			if (err < 0)
				pr_warn("failed to aggregate for rule %s: %s", rule__id(r),
					strerror(-err));
			new_group |= err > 0;
			break;
		case RULE_SUPPRESSED:
			d->stats.suppressed++;
			d->suppressed[d->excl_base[i] + exclusion_index(r, excl)]++;
			nsuppressed++;
			if (!suppressed_by)
				suppressed_by = excl;
			break;
		case RULE_NO_MATCH:
			break;
		}
	}
	if (nmatched && matched_col >= 0)
		event__set_list(e, matched_col, matched, nmatched);
	/* only process rules have exclusions */
	if (suppressed_by && e->table == TABLE_PROCESS)
		event__set_str(e, FIELD_SUPPRESSED_BY, suppressed_by);
	/* a new group's first alert goes out at once */
	if (new_group && d->opts.alert_at_once)
		agg__tick(d->agg, now_us, print_alert, d);
	if (nmatched)
		return DETECT_MATCH;
	return nsuppressed ? DETECT_SUPPRESSED : DETECT_NONE;
}

static void save_state(struct detector *d, int64_t now_us)
{
	if (d->opts.state_path && state__save(d->agg, d->opts.state_path, now_us))
		d->stats.state_errors++;
}

void detector__tick(struct detector *d, int64_t now_us)
{
	agg__tick(d->agg, now_us, print_alert, d);
	if (now_us >= d->next_save_us) {
		if (d->next_save_us)
			save_state(d, now_us);
		d->next_save_us = now_us + d->opts.summary_interval_us;
	}
}

void detector__expire(struct detector *d, int64_t now_us)
{
	agg__expire(d->agg, now_us);
}

void detector__flush(struct detector *d, int64_t now_us)
{
	agg__flush(d->agg, now_us, print_alert, d);
	save_state(d, now_us);
}

int detector__reload(struct detector *d, struct ruleset *rs)
{
	struct detector old = *d;
	json_t *groups = agg__save_json(d->agg);
	int err;

	err = build_rule_state(d, rs);
	if (err) {
		json_decref(groups);
		ruleset__free(rs);
		return err;
	}
	/* groups of rules that stay come along; the rest are dropped with a log */
	if (groups)
		agg__load_json(d->agg, groups);
	json_decref(groups);
	free_rule_state(&old);
	return 0;
}

const struct ruleset *detector__rules(const struct detector *d)
{
	return d->rs;
}

void detector__stats(const struct detector *d, struct detect_stats *out)
{
	*out = d->stats;
}

uint64_t detector__suppressed(const struct detector *d, size_t r, size_t x)
{
	return d->suppressed[d->excl_base[r] + x];
}

uint64_t detector__alerts(const struct detector *d, size_t r)
{
	return d->alerts[r];
}

/* True when no rule of table @t can match a record of the file @e is from. */
static bool table_unmatchable(const struct detector *d, enum table_id t, const struct event *e)
{
	for (size_t k = 0; k < ruleset__table_count(d->rs, t); k++) {
		const struct rule *r = ruleset__rule(d->rs, ruleset__table_rule(d->rs, t, k));
		const char *excl;

		if (rule__where_uses_per_exec_fields(r) ||
		    rule__match(r, e, &excl) != RULE_NO_MATCH)
			return false;
	}
	return true;
}

bool detector__unmatchable(const struct detector *d, const struct event *e,
			   const struct event *cert)
{
	if (!table_unmatchable(d, TABLE_PROCESS, e))
		return false;
	/* a signed file's runs make certificate records: their rules must not match them either */
	return !cert || !event__isset(cert, CERT_SIGNATURE_TYPE) ||
	       table_unmatchable(d, TABLE_CERTIFICATE, cert);
}
