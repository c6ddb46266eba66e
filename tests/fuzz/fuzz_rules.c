// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the rule loader: YAML, the KQL compiler and the
 * exclusion compiler, through ruleset__load_buffer(). A rule that loads is
 * also evaluated against an event, so the compiled form is exercised too.
 */
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "rules/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const companies[] = {"Decoy", "Atera Networks"};
	struct rules_diag diag;
	struct ruleset *rs;
	struct event e;

	rs = ruleset__load_buffer("fuzz.yaml", (const char *)data, size, &diag);
	if (!rs)
		return 0;
	event_init(&e);
	event_set_long(&e, FIELD_TIMESTAMP, 1700000000000000LL);
	event_set_long(&e, FIELD_PROCESS_ID, 42);
	event_set_str(&e, FIELD_FILE_NAME, "AteraAgent.exe");
	event_set_str(&e, FIELD_PROCESS_COMMAND_LINE, "AteraAgent.exe --x 'y'");
	event_set_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Atera Networks");
	event_set_list(&e, FIELD_VERSION_INFO_COMPANY_NAMES, companies, 2);
	for (size_t i = 0; i < ruleset__count(rs); i++) {
		const struct rule *r = ruleset__rule(rs, i);
		const char *excl = NULL;

		rule__match(r, &e, &excl);
		for (size_t j = 0; j < rule__nsummarize(r); j++)
			rule__summarize_col(r, j);
		rule__window_us(r);
		rule__uses_per_exec_fields(r);
	}
	event_free(&e);
	ruleset__free(rs);
	return 0;
}
