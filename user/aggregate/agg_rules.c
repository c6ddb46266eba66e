// SPDX-License-Identifier: MIT
/* The bridge from the rule engine's rules to the aggregator's plain descriptions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/agg.h"
#include "base/log.h"

int agg__add_ruleset(struct agg *a, const struct ruleset *rs)
{
	for (size_t i = 0; i < ruleset__count(rs); i++) {
		const struct rule *rule = ruleset__rule(rs, i);
		size_t nt = rule__ntactics(rule), nq = rule__ntechniques(rule);
		size_t nc = rule__nsummarize(rule);
		const char **tactics = calloc(nt + 1, sizeof(*tactics));
		const char **techniques = calloc(nq + 1, sizeof(*techniques));
		struct summarize_col *cols = calloc(nc + 1, sizeof(*cols));
		struct agg_rule ar = {
		    .id = rule__id(rule),
		    .name = rule__name(rule),
		    .tactics = tactics,
		    .ntactics = nt,
		    .techniques = techniques,
		    .ntechniques = nq,
		    .window_us = rule__window_us(rule),
		    .cols = cols,
		    .ncols = nc,
		    .table = rule__table(rule)->id,
		    .table_name = rule__table(rule)->name,
		};
		size_t nfields;
		/* a table without records keeps only the four columns every record starts with */
		bool no_records = !event__table_fields(ar.table, &nfields);
		int err = -ENOMEM;

		if (no_records)
			ar.table = TABLE_PROCESS;
		if (tactics && techniques && cols) {
			for (size_t k = 0; k < nt; k++)
				tactics[k] = rule__tactic(rule, k);
			for (size_t k = 0; k < nq; k++)
				techniques[k] = rule__technique(rule, k);
			for (size_t k = 0; k < nc; k++) {
				cols[k] = *rule__summarize_col(rule, k);
				if (no_records && cols[k].field > FIELD_REPORT_ID)
					cols[k].field = -1;
			}
			err = agg__add_rule(a, &ar);
		}
		free(tactics);
		free(techniques);
		free(cols);
		if (err < 0) {
			pr_err("rule %s: cannot aggregate it: %s%s", rule__id(rule), strerror(-err),
			       nc ? "" : " (no summarize)");
			return err;
		}
	}
	return 0;
}
