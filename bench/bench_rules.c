// SPDX-License-Identifier: MIT
/*
 * How long rule__match takes per exec: the built-in set and rules/rmm, on a
 * matching event and on an ordinary one. Prints one JSON line per case.
 * Run from the repository root (it reads rules/rmm).
 */
#include <stdio.h>
#include <time.h>

#include "event.h"
#include "rules/rules.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void bench(const char *name, const struct ruleset *rs, const struct event *e)
{
	const int rounds = 200000;
	size_t matched = 0;
	double t0 = now_ns();

	/* as the detector does: an exec meets the DeviceProcessEvents rules only */
	for (int i = 0; i < rounds; i++)
		for (size_t k = 0; k < ruleset__table_count(rs, TABLE_PROCESS); k++)
			matched += rule__match(
				       ruleset__rule(rs, ruleset__table_rule(rs, TABLE_PROCESS, k)),
				       e, NULL) != RULE_NO_MATCH;
	printf("{\"Benchmark\":\"%s\",\"Rules\":%zu,\"NsPerEvent\":%.1f,\"Matched\":%zu}\n", name,
	       ruleset__table_count(rs, TABLE_PROCESS), (now_ns() - t0) / rounds, matched / rounds);
}

int main(void)
{
	static const char *const companies[] = {"Decoy Corp", "Atera Networks Ltd."};
	const char *rmm_dir = "rules/rmm";
	struct rules_diag diag;
	struct ruleset *def = ruleset__load_default(&diag);
	struct ruleset *rmm = ruleset__load_paths(&rmm_dir, 1, &diag);
	struct event atera, bash;

	if (!def || !rmm) {
		fprintf(stderr, "bench_rules: %s\n", diag.msg);
		return 1;
	}
	event__init(&atera);
	event__set_str(&atera, FIELD_FILE_NAME, "AteraAgent.exe");
	event__set_str(&atera, FIELD_INITIATING_PROCESS_FILE_NAME, "wine64-preloader");
	event__set_str(&atera, FIELD_ACCOUNT_NAME, "root");
	event__set_str(&atera, FIELD_PROCESS_COMMAND_LINE,
		       "C:\\Program Files\\ATERA Networks\\AteraAgent\\AteraAgent.exe");
	event__set_str(&atera, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Decoy Corp");
	event__set_str(&atera, FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME, "AteraAgent");
	event__set_list(&atera, FIELD_VERSION_INFO_COMPANY_NAMES, companies, 2);
	event__init(&bash);
	event__set_str(&bash, FIELD_FILE_NAME, "bash");
	event__set_str(&bash, FIELD_FOLDER_PATH, "/usr/bin/bash");
	event__set_str(&bash, FIELD_PROCESS_COMMAND_LINE, "bash -c 'ls -l /tmp'");
	event__set_str(&bash, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, "Debian");
	event__set_str(&bash, FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME, "bash");
	bench("default_atera_event", def, &atera);
	bench("default_ordinary_event", def, &bash);
	bench("rmm_atera_event", rmm, &atera);
	bench("rmm_ordinary_event", rmm, &bash);
	event__free(&atera);
	event__free(&bash);
	ruleset__free(def);
	ruleset__free(rmm);
	return 0;
}
