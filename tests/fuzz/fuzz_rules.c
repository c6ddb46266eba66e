// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the rule loader: YAML, the KQL compiler and the
 * exclusion compiler, through ruleset__load_buffer(). The input is loaded as
 * a rule file, then as the query and as an exclusion of a well-formed file
 * (so mutations reach the compilers without first breaking the YAML). A rule
 * that loads is evaluated against an event, exercising the compiled form.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "rules/rules.h"

static void load_and_match(const char *text, size_t size)
{
	static const char *const companies[] = {"Decoy", "Atera Networks"};
	struct rules_diag diag;
	struct ruleset *rs;
	struct event e;

	rs = ruleset__load_buffer("fuzz.yaml", text, size, &diag);
	if (!rs)
		return;
	event__init(&e);
	event__set_long(&e, FIELD_TIMESTAMP, 1700000000000000LL);
	event__set_long(&e, FIELD_PROCESS_ID, 42);
	event__set_str(&e, FIELD_FILE_NAME, "AteraAgent.exe");
	event__set_str(&e, FIELD_PROCESS_COMMAND_LINE, "AteraAgent.exe --x 'y'");
	event__set_str(&e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Atera Networks");
	event__set_list(&e, FIELD_VERSION_INFO_COMPANY_NAMES, companies, 2);
	for (size_t i = 0; i < ruleset__count(rs); i++) {
		const struct rule *r = ruleset__rule(rs, i);
		const char *excl = NULL;

		rule__match(r, &e, &excl);
		for (size_t j = 0; j < rule__nsummarize(r); j++)
			rule__summarize_col(r, j);
		rule__window_us(r);
		rule__uses_per_exec_fields(r);
	}
	event__free(&e);
	ruleset__free(rs);
}

/* @head, then @data with every line indented under it. */
static void load_wrapped(const char *head, const char *tail, const uint8_t *data, size_t size)
{
	size_t hl = strlen(head), tl = strlen(tail), n = hl;
	char *text = malloc(hl + 7 * size + tl + 1);

	if (!text)
		return;
	memcpy(text, head, hl);
	for (size_t i = 0; i < size; i++) {
		text[n++] = data[i];
		if (data[i] == '\n')
			for (int k = 0; k < 6; k++)
				text[n++] = ' ';
	}
	memcpy(text + n, tail, tl);
	load_and_match(text, n + tl);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_and_match((const char *)data, size);
	load_wrapped("id: f\nname: f\nquery: |\n      ", "\n", data, size);
	load_wrapped("id: f\nname: f\nquery: DeviceProcessEvents\nexclusions:\n"
		     "  - id: e\n    expression: |\n      ",
		     "\n", data, size);
	return 0;
}
