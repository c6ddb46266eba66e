// SPDX-License-Identifier: MIT
/* Rule files and sets: the default Atera rule, its exclusions, rules/rmm, YAML errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules_test_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct rule *atera(struct ruleset **rs)
{
	struct rules_diag diag;

	*rs = ruleset__load_default(&diag);
	if (!*rs)
		fail_msg("default set: %s", diag.msg);
	assert_int_equal(diag.nwarnings, 0);
	return ruleset__find(*rs, "532c895a-75b9-4c9f-969c-30bb3cfb6ac7");
}

static void default_set__is_the_seed_rule(void **state)
{
	static const char *const excl[] = {
	    "atera-scheduled-job",	"atera-admin-configuration",
	    "atera-agent-installation", "atera-third-party-integration",
	    "atera-remote-patching",
	};
	struct ruleset *rs;
	const struct rule *r = atera(&rs);

	assert_int_equal(ruleset__count(rs), 1);
	assert_non_null(r);
	assert_ptr_equal(r, ruleset__rule(rs, 0));
	assert_string_equal(rule__name(r),
			    "Remote Management and Monitoring tool - Atera - Create Process");
	assert_string_equal(rule__file(r), "builtin:atera-create-process.yaml");
	assert_int_equal(rule__ntactics(r), 1);
	assert_string_equal(rule__tactic(r, 0), "CommandAndControl");
	assert_int_equal(rule__ntechniques(r), 1);
	assert_string_equal(rule__technique(r, 0), "T1219");
	assert_int_equal(rule__window_us(r), 5 * 86400000000LL);
	assert_true(rule__uses_per_exec_fields(r)); /* its exclusions read names, users */
	assert_int_equal(rule__nexclusions(r), N(excl));
	for (size_t i = 0; i < N(excl); i++) {
		assert_string_equal(rule__exclusion_id(r, i), excl[i]);
		assert_true(strlen(rule__exclusion_description(r, i)) > 20);
	}
	assert_int_equal(rule__nsummarize(r), 6);
	assert_string_equal(rule__summarize_col(r, 0)->name, "DeviceId");
	assert_string_equal(rule__summarize_col(r, 5)->name, "Count");
	ruleset__free(rs);
}

static void atera_event(struct event *e, const char *company)
{
	event__reset(e);
	set_col(e, "Timestamp", "now-10");
	set_col(e, "DeviceId", "dev-1");
	set_col(e, "FileName", "AteraAgent.exe");
	set_col(e, "InitiatingProcessFileName", "services.exe");
	set_col(e, "AccountName", "root");
	set_col(e, "ProcessCommandLine", "AteraAgent.exe --run");
	if (company)
		set_col(e, "ProcessVersionInfoCompanyName", company);
}

static void default_set__company_name_and_decoy_table(void **state)
{
	struct ruleset *rs;
	const struct rule *r = atera(&rs);
	struct event e;

	event__init(&e);
	atera_event(&e, "Atera Networks Ltd.");
	assert_int_equal(rule__match(r, &e, NULL), RULE_MATCH);
	atera_event(&e, "AteraNetworks Ltd.");
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	atera_event(&e, NULL);
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	/* a decoy first string table hides the company from the classic column only */
	atera_event(&e, "Decoy Corp");
	set_col(&e, "VersionInfoCompanyNames", "Decoy Corp|Atera Networks Ltd.");
	assert_int_equal(rule__match(r, &e, NULL), RULE_MATCH);
	set_col(&e, "VersionInfoCompanyNames", "Decoy Corp|Other");
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	event__free(&e);
	ruleset__free(rs);
}

/* Each of the seed's five false-positive scenarios, and the edges of its syntax. */
static const struct {
	const char *col, *val;
	const char *suppressed_by; /* NULL: still a match */
} excl_cases[] = {
    {"InitiatingProcessFileName", "AteraService", "atera-scheduled-job"},
    {"InitiatingProcessFileName", "AteraService.exe", "atera-scheduled-job"},
    {"InitiatingProcessFileName", "ATERASERVICE.EXE", "atera-scheduled-job"},
    {"InitiatingProcessFileName", "AteraService2.exe", NULL},
    {"FileName", "AteraScheduler.exe", "atera-scheduled-job"},
    {"FileName", "aterascheduler", "atera-scheduled-job"},
    {"FileName", "AteraScheduler.exe.bak", NULL},
    {"AccountName", "IT_Administrator", "atera-admin-configuration"},
    {"AccountName", "it_administrator", NULL}, /* == on a user is exact */
    {"ProcessCommandLine", "agent --profile AteraConfig.json", "atera-admin-configuration"},
    {"ProcessCommandLine", "agent --profile ateraconfig.json", "atera-admin-configuration"},
    {"FileName", "AteraAgentInstaller.exe", "atera-agent-installation"},
    {"ProcessCommandLine", "msiexec /i AteraInstall.msi", "atera-agent-installation"},
    {"InitiatingProcessFileName", "AteraIntegration.exe", "atera-third-party-integration"},
    {"FileName", "powershell.exe", "atera-third-party-integration"},
    {"FileName", "pwsh", NULL},
    {"ProcessCommandLine", "run AteraPatch --now", "atera-remote-patching"},
    {"FileName", "AteraUpdateService.exe", "atera-remote-patching"},
    {"FileName", "AteraUpdateServiceX.exe", NULL},
};

static void default_set__exclusions(void **state)
{
	struct ruleset *rs;
	const struct rule *r = atera(&rs);
	struct event e;

	event__init(&e);
	for (size_t i = 0; i < N(excl_cases); i++) {
		const char *id = NULL;
		enum rule_match m;

		atera_event(&e, "Atera Networks");
		set_col(&e, excl_cases[i].col, excl_cases[i].val);
		m = rule__match(r, &e, &id);
		if (excl_cases[i].suppressed_by) {
			if (m != RULE_SUPPRESSED || strcmp(id, excl_cases[i].suppressed_by))
				fail_msg("case %zu: %s=%s: got %d (%s)", i, excl_cases[i].col,
					 excl_cases[i].val, m, id ? id : "-");
		} else if (m != RULE_MATCH) {
			fail_msg("case %zu: %s=%s: got %d, want a match", i, excl_cases[i].col,
				 excl_cases[i].val, m);
		}
		/* an exclusion never turns a non-match into anything */
		set_col(&e, "ProcessVersionInfoCompanyName", "Other");
		assert_int_equal(rule__match(r, &e, &id), RULE_NO_MATCH);
	}
	event__free(&e);
	ruleset__free(rs);
}

static struct ruleset *load_text(const char *text, struct rules_diag *diag)
{
	return ruleset__load_buffer("x.yaml", text, strlen(text), diag);
}

static void exclusions__syntax(void **state)
{
	static const struct {
		const char *expr;
		const char *col, *val;
		bool want;
	} cases[] = {
	    {"process.name in (\"a\", \"AteraX\")", "FileName", "atera.exe", false},
	    {"process.name in (\"a\", \"AteraX\")", "FileName", "AteraX.EXE", true},
	    {"process.name in [\"a\", \"b\"]", "FileName", "b", true},
	    {"process.name != \"x\"", "FileName", "X.exe", false},
	    {"not process.name == \"x\"", "FileName", "y", true},
	    {"not (process.name == \"x\" or process.name == \"y\")", "FileName", "y", false},
	    {"process.name startswith \"ate\" and process.name endswith \".EXE\"", "FileName",
	     "Atera.exe", true},
	    {"process.command_line == 'a b'", "ProcessCommandLine", "a b", true},
	    {"process.command_line == 'a b'", "ProcessCommandLine", "A b", false},
	    {"process.command_line !contains 'x'", "ProcessCommandLine", "X", false},
	    {"process.path startswith '/opt/atera'", "FolderPath", "/opt/Atera/bin", true},
	    {"process.parent_command_line contains 'cron'", "InitiatingProcessCommandLine",
	     "/usr/sbin/CRON -f", true},
	};
	struct event e;

	event__init(&e);
	for (size_t i = 0; i < N(cases); i++) {
		char text[512];
		struct rules_diag diag;
		struct ruleset *rs;
		const char *id = NULL;

		snprintf(text, sizeof(text),
			 "id: r\nname: n\nquery: DeviceProcessEvents\nexclusions:\n"
			 "  - id: e1\n    expression: %s\n",
			 cases[i].expr);
		rs = load_text(text, &diag);
		if (!rs)
			fail_msg("case %zu: %s", i, diag.msg);
		event__reset(&e);
		set_col(&e, cases[i].col, cases[i].val);
		if (rule__match(ruleset__rule(rs, 0), &e, &id) !=
		    (cases[i].want ? RULE_SUPPRESSED : RULE_MATCH))
			fail_msg("case %zu: %s with %s", i, cases[i].expr, cases[i].val);
		ruleset__free(rs);
	}
	event__free(&e);
}

/* YAML and exclusion errors, each with the file position it names. */
static const struct {
	const char *text, *msg;
} yaml_errors[] = {
    {"", "x.yaml:1:1: empty rule file"},
    {"- a\n- b\n", "x.yaml:1:1: a rule must be a mapping (id:, name:, query:, ...)"},
    {"id: a\nname: b\n", "x.yaml:1:1: the rule needs a 'query'"},
    {"name: b\nquery: DeviceProcessEvents\n", "x.yaml:1:1: the rule needs an 'id'"},
    {"id: a\nid: b\n", "x.yaml:2:5: duplicate key 'id'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\ntactics: {a: b}\n",
     "x.yaml:4:10: 'tactics' must be a string or a list of strings"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\ntactics: [a, [b]]\n",
     "x.yaml:4:14: 'tactics' must be a list of strings"},
    {"id: a\nname: b\n  query: x\n",
     "x.yaml:3:8: invalid YAML: mapping values are not allowed in this context"},
    {"id: 'a\n", "x.yaml:2:1: invalid YAML: found unexpected end of stream while scanning "
		 "a quoted scalar"},
    {"id: &x a\nname: *x\nquery: DeviceProcessEvents\n",
     "x.yaml:2:7: YAML aliases are not supported"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\n---\nid: c\n",
     "x.yaml:4:1: one rule per file: a second document follows"},
    {"id: a\nname: b\nquery: [DeviceProcessEvents]\n", "x.yaml:3:8: 'query' must be a string"},
    {"id: a\nname: b\nquery: 'DeviceProcessEvents | where FileName hass \"x\"'\n",
     "x.yaml:3:46: query: unknown operator 'hass'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions: x\n",
     "x.yaml:4:13: 'exclusions' must be a list"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n  - description: d\n"
     "    expression: process.name == 'x'\n",
     "x.yaml:5:5: an exclusion needs an 'id'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n  - id: e\n",
     "x.yaml:5:5: exclusion 'e' needs an 'expression'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: process.name == 'x'\n"
     "  - id: e\n    expression: process.name == 'y'\n",
     "x.yaml:7:5: duplicate exclusion id 'e'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: process.nam == \"x\"\n",
     "x.yaml:6:17: exclusion: unknown field 'process.nam'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: process.name matches \"x\"\n",
     "x.yaml:6:30: exclusion: unknown operator 'matches'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: process.name == \"x\" or\n",
     "x.yaml:6:39: exclusion: expected a field such as process.name, found the end of the "
     "expression"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: |\n      process.name == \"x\"\n      and process.user = \"y\"\n",
     "x.yaml:8:24: exclusion: unknown operator '='"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: process.name == x\n",
     "x.yaml:6:33: exclusion: expected a string in quotes, found 'x'"},
    {"id: a\nname: b\nquery: DeviceProcessEvents\nexclusions:\n"
     "  - id: e\n    expression: (process.name == \"x\"\n",
     "x.yaml:6:37: exclusion: expected ')', found the end of the expression"},
};

/* YAML broken only in a key rmmhunt does not read: skipped with a warning, lines kept. */
static void yaml__broken_unread_key__loads_with_warning(void **state)
{
	static const char text[] = "id: a\r\nname: b\r\n"
				   "requiredDataConnectors:\r\n"
				   "    - connectorId: MicrosoftThreatProtection\r\n"
				   "    dataTypes:\r\n"
				   "        - DeviceProcessEvents\r\n"
				   "query: |\r\n"
				   "  DeviceProcessEvents\r\n"
				   "  | where Nope has 'x'\r\n";
	struct rules_diag diag;
	struct ruleset *rs;
	char fixed[sizeof(text)];

	/* the query's own error is reported at its place in the file */
	rs = ruleset__load_buffer("x.yaml", text, strlen(text), &diag);
	assert_null(rs);
	assert_string_equal(diag.msg, "x.yaml:9:11: query: unknown column 'Nope' in "
				      "DeviceProcessEvents");
	assert_int_equal(diag.nwarnings, 1);
	assert_string_equal(diag.warnings[0],
			    "x.yaml:5:5: invalid YAML in 'requiredDataConnectors', which rmmhunt "
			    "does not read (did not find expected '-' indicator): ignored");
	snprintf(fixed, sizeof(fixed), "%s", text);
	memcpy(strstr(fixed, "Nope"), "Path", 4);
	memcpy(strstr(fixed, "Path"), "SHA1", 4);
	rs = ruleset__load_buffer("x.yaml", fixed, strlen(fixed), &diag);
	assert_non_null(rs);
	assert_string_equal(rule__id(ruleset__rule(rs, 0)), "a");
	assert_int_equal(diag.nwarnings, 1);
	ruleset__free(rs);
}

/* Broken in a key it reads (tactics): the YAML error stands. */
static void yaml__broken_read_key__error(void **state)
{
	static const char text[] = "id: a\nname: b\ntactics:\n    - A\n  - B\n"
				   "query: DeviceProcessEvents\n";
	struct rules_diag diag;
	struct ruleset *rs = ruleset__load_buffer("x.yaml", text, strlen(text), &diag);

	assert_null(rs);
	assert_string_equal(diag.msg, "x.yaml:5:3: invalid YAML: did not find expected key "
				      "while parsing a block mapping");
}

static void yaml__errors_name_file_line_col(void **state)
{
	for (size_t i = 0; i < N(yaml_errors); i++) {
		struct rules_diag diag;
		struct ruleset *rs = load_text(yaml_errors[i].text, &diag);

		if (rs)
			fail_msg("case %zu: loaded", i);
		if (strcmp(diag.msg, yaml_errors[i].msg))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, diag.msg, yaml_errors[i].msg);
	}
}

static void yaml__scalars_lists_and_unknown_keys(void **state)
{
	static const char text[] =
	    "id: r1\nname: n\nversion: 1.0.0\nkind: Scheduled\n"
	    "entityMappings:\n  - entityType: Host\n    fieldMappings:\n"
	    "      - identifier: HostName\n        columnName: DeviceName\n"
	    "tactics: CommandAndControl\nrelevantTechniques:\n  - T1219\n  - T1105\n"
	    "query: DeviceProcessEvents | where ProcessVersionInfoCompanyName has 'x'\n";
	struct rules_diag diag;
	struct ruleset *rs = load_text(text, &diag);
	const struct rule *r;

	if (!rs)
		fail_msg("%s", diag.msg);
	r = ruleset__rule(rs, 0);
	assert_int_equal(rule__ntactics(r), 1);
	assert_string_equal(rule__tactic(r, 0), "CommandAndControl");
	assert_int_equal(rule__ntechniques(r), 2);
	assert_string_equal(rule__technique(r, 1), "T1105");
	assert_null(rule__technique(r, 2));
	assert_string_equal(rule__description(r), "");
	assert_int_equal(rule__window_us(r), 0);
	/* only the executable's version info: the same answer for every exec of a file */
	assert_false(rule__uses_per_exec_fields(r));
	ruleset__free(rs);
}

static void per_exec__what_counts(void **state)
{
	static const struct {
		const char *query;
		bool per_exec;
	} cases[] = {
	    {"DeviceProcessEvents | where Timestamp > ago(1d) | where SHA256 == 'x' and "
	     "VersionInfoCompanyNames has 'x' and FileSize > 5 and isempty(AccountUpn)",
	     false},
	    {"DeviceProcessEvents | where FileName has 'x'", true},
	    {"DeviceProcessEvents | where FolderPath has 'x'", true},
	    {"DeviceProcessEvents | where ProcessCommandLine has 'x'", true},
	    {"DeviceProcessEvents | where not(AccountName has 'x')", true},
	    {"DeviceProcessEvents | where ProcessCreationTime > ago(1h)", true},
	    {"DeviceProcessEvents | where DeviceName has 'h'", true},
	    {"DeviceProcessEvents", false},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct rules_diag diag;
		struct ruleset *rs = load_query(cases[i].query, &diag);

		if (!rs)
			fail_msg("case %zu: %s", i, diag.msg);
		if (rule__uses_per_exec_fields(ruleset__rule(rs, 0)) != cases[i].per_exec)
			fail_msg("case %zu: %s", i, cases[i].query);
		ruleset__free(rs);
	}
}

static void rmm__every_file_loads(void **state)
{
	struct rules_diag diag;
	const char *dir = "rules/rmm";
	struct ruleset *rs = ruleset__load_paths(&dir, 1, &diag);
	struct event e;

	if (!rs)
		fail_msg("%s", diag.msg);
	/* every query of the pack; DWService's create-process one is its certificate one */
	assert_int_equal(ruleset__count(rs), 166);
	assert_int_equal(ruleset__table_count(rs, TABLE_PROCESS), 55);
	assert_int_equal(ruleset__table_count(rs, TABLE_CERTIFICATE), 52);
	assert_int_equal(ruleset__table_count(rs, TABLE_NETWORK), 59);
	for (size_t t = 0; t < TABLE__COUNT; t++)
		for (size_t k = 0; k < ruleset__table_count(rs, t); k++)
			assert_int_equal(
			    rule__table(ruleset__rule(rs, ruleset__table_rule(rs, t, k)))->id, t);
	for (size_t i = 0; i < ruleset__count(rs); i++) {
		const struct rule *r = ruleset__rule(rs, i);
		enum table_id t = rule__table(r)->id;

		assert_true(strstr(rule__name(r), "Remote Management and Monitoring tool - ") ==
			    rule__name(r));
		assert_int_equal(rule__window_us(r), 5 * 86400000000LL);
		assert_string_equal(rule__tactic(r, 0), "CommandAndControl");
		assert_string_equal(rule__technique(r, 0), "T1219");
		if (t == TABLE_CERTIFICATE) {
			assert_int_equal(rule__nsummarize(r), 6);
			continue;
		}
		assert_int_equal(rule__nsummarize(r), t == TABLE_PROCESS ? 7 : 8);
		assert_string_equal(rule__summarize_col(r, 2)->name,
				    t == TABLE_PROCESS ? "AccountUpn"
						       : "InitiatingProcessAccountUpn");
		assert_int_equal(rule__summarize_col(r, 2)->field, -1);
	}
	/* warnings are capped, not lost silently */
	assert_int_equal(diag.nwarnings, 8);
	assert_string_equal(diag.warnings[7], "(more warnings not shown)");

	event__init(&e);
	set_col(&e, "ProcessVersionInfoCompanyName", "AnyDesk Software GmbH");
	set_col(&e, "ProcessVersionInfoProductName", "AnyDesk");
	{
		size_t matched = 0;

		for (size_t i = 0; i < ruleset__count(rs); i++)
			if (rule__match(ruleset__rule(rs, i), &e, NULL) == RULE_MATCH) {
				matched++;
				assert_non_null(
				    strstr(rule__name(ruleset__rule(rs, i)), "AnyDesk"));
			}
		assert_int_equal(matched, 1);
	}
	/* Level: no version info, a name and a Windows path (a Wine program's WindowsPath) */
	event__reset(&e);
	set_col(&e, "FileName", "level-agent.exe");
	set_col(&e, "FolderPath", "/root/.wine/drive_c/Program Files/Level/level-agent.exe");
	set_col(&e, "WindowsPath", "C:\\Program Files\\Level\\level-agent.exe");
	{
		size_t matched = 0;

		for (size_t i = 0; i < ruleset__count(rs); i++)
			if (rule__match(ruleset__rule(rs, i), &e, NULL) == RULE_MATCH) {
				matched++;
				assert_non_null(strstr(rule__name(ruleset__rule(rs, i)), "Level"));
			}
		assert_int_equal(matched, 1);
	}
	event__free(&e);
	ruleset__free(rs);
}

/*
 * rule__match runs on every exec and must not allocate: at least, thousands of
 * calls leave the heap in use exactly as it was (a per-call leak fails here).
 */
static void match__leaves_the_heap_alone(void **state)
{
	const char *dir = "rules/rmm";
	struct rules_diag diag;
	struct ruleset *rmm = ruleset__load_paths(&dir, 1, &diag), *rs;
	const struct rule *r = atera(&rs);
	struct event e;
	size_t before, matches = 0;

	assert_non_null(rmm);
	event__init(&e);
	atera_event(&e, "Decoy");
	set_col(&e, "VersionInfoCompanyNames", "Decoy|Atera Networks");
	set_col(&e, "ProcessCreationTime", "now-5");
	before = mallinfo2().uordblks;
	for (int i = 0; i < 1000; i++) {
		matches += rule__match(r, &e, NULL) == RULE_MATCH;
		for (size_t j = 0; j < ruleset__count(rmm); j++)
			matches += rule__match(ruleset__rule(rmm, j), &e, NULL) == RULE_MATCH;
	}
	assert_int_equal(mallinfo2().uordblks, before);
	assert_int_equal(matches, 1000);
	event__free(&e);
	ruleset__free(rs);
	ruleset__free(rmm);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void load_paths__all_or_nothing(void **state)
{
	char dir[] = "/tmp/rmmhunt-rules-XXXXXX", path[256];
	const char *paths[2];
	struct rules_diag diag;
	struct ruleset *rs;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	write_file(path, "id: a\nname: a\nquery: DeviceProcessEvents\n");
	snprintf(path, sizeof(path), "%s/b.yml", dir);
	write_file(path, "id: b\nname: b\nquery: DeviceProcessEvents\n");
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	write_file(path, "not a rule");
	paths[0] = dir;
	rs = ruleset__load_paths(paths, 1, &diag);
	assert_non_null(rs);
	assert_int_equal(ruleset__count(rs), 2);
	assert_string_equal(rule__id(ruleset__rule(rs, 0)), "a"); /* sorted */
	ruleset__free(rs);

	/* one bad file and nothing loads */
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	write_file(path, "id: c\nname: c\nquery: |\n  DeviceProcessEvents\n  | where X has 'y'\n");
	rs = ruleset__load_paths(paths, 1, &diag);
	assert_null(rs);
	snprintf(path, sizeof(path),
		 "%s/c.yaml:5:11: query: unknown column 'X' in DeviceProcessEvents", dir);
	assert_string_equal(diag.msg, path);

	/* two rules with one id: nothing loads */
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	write_file(path, "id: a\nname: c\nquery: DeviceProcessEvents\n");
	rs = ruleset__load_paths(paths, 1, &diag);
	assert_null(rs);
	assert_non_null(strstr(diag.msg, "duplicate rule id 'a'"));

	/* a missing path, a directory without rules */
	unlink(path);
	snprintf(path, sizeof(path), "%s/nope.yaml", dir);
	paths[1] = path;
	rs = ruleset__load_paths(paths, 2, &diag);
	assert_null(rs);
	assert_non_null(strstr(diag.msg, "No such file or directory"));
	snprintf(path, sizeof(path), "%s/empty", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	rs = ruleset__load_paths(paths + 1, 1, &diag);
	assert_null(rs);
	assert_non_null(strstr(diag.msg, "no .yaml or .yml rule files"));
	rmdir(path);

	snprintf(path, sizeof(path), "%s/a.yaml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/b.yml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	unlink(path);
	rmdir(dir);
}

static void load_buffer__bounded(void **state)
{
	size_t n = (1 << 20) + 1;
	char *big = malloc(n);
	struct rules_diag diag;

	memset(big, ' ', n);
	assert_null(ruleset__load_buffer("big.yaml", big, n, &diag));
	assert_string_equal(diag.msg, "big.yaml: larger than 1048576 bytes");
	free(big);
	assert_int_equal(ruleset__count(NULL), 0);
	assert_null(ruleset__rule(NULL, 0));
	ruleset__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(default_set__is_the_seed_rule),
	    cmocka_unit_test(default_set__company_name_and_decoy_table),
	    cmocka_unit_test(default_set__exclusions),
	    cmocka_unit_test(exclusions__syntax),
	    cmocka_unit_test(yaml__errors_name_file_line_col),
	    cmocka_unit_test(yaml__broken_unread_key__loads_with_warning),
	    cmocka_unit_test(yaml__broken_read_key__error),
	    cmocka_unit_test(yaml__scalars_lists_and_unknown_keys),
	    cmocka_unit_test(per_exec__what_counts),
	    cmocka_unit_test(rmm__every_file_loads),
	    cmocka_unit_test(match__leaves_the_heap_alone),
	    cmocka_unit_test(load_paths__all_or_nothing),
	    cmocka_unit_test(load_buffer__bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
