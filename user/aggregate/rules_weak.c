// SPDX-License-Identifier: MIT
/*
 * Stand-ins for the rule engine (user/rules/), so that replay links and the
 * aggregator's tests run before the engine lands on this branch. The real
 * definitions override these; delete this file once they have merged.
 */
#include <stdio.h>

#include "rules/rules.h"

#define WEAK __attribute__((weak))

WEAK struct ruleset *ruleset__load_default(struct rules_diag *diag)
{
	snprintf(diag->msg, sizeof(diag->msg), "the rule engine is not part of this build");
	return NULL;
}

WEAK struct ruleset *ruleset__load_paths(const char *const *paths, size_t n,
					 struct rules_diag *diag)
{
	return ruleset__load_default(diag);
}

WEAK void ruleset__free(struct ruleset *rs)
{
}

WEAK size_t ruleset__count(const struct ruleset *rs)
{
	return 0;
}

WEAK const struct rule *ruleset__rule(const struct ruleset *rs, size_t i)
{
	return NULL;
}

WEAK const char *rule__id(const struct rule *r)
{
	return "";
}

WEAK const char *rule__name(const struct rule *r)
{
	return "";
}

WEAK size_t rule__ntactics(const struct rule *r)
{
	return 0;
}

WEAK const char *rule__tactic(const struct rule *r, size_t i)
{
	return "";
}

WEAK size_t rule__ntechniques(const struct rule *r)
{
	return 0;
}

WEAK const char *rule__technique(const struct rule *r, size_t i)
{
	return "";
}

WEAK int64_t rule__window_us(const struct rule *r)
{
	return 0;
}

WEAK enum rule_match rule__match(const struct rule *r, const struct event *e,
				 const char **exclusion_id)
{
	return RULE_NO_MATCH;
}

WEAK size_t rule__nsummarize(const struct rule *r)
{
	return 0;
}

WEAK const struct summarize_col *rule__summarize_col(const struct rule *r, size_t i)
{
	return NULL;
}
