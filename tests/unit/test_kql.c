// SPDX-License-Identifier: MIT
/* The KQL subset: Kusto's string semantics, every operator, parse errors, windows, summarize. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/kql.h"
#include "rules_test_util.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- terms.c ---- */

static const struct {
	const char *h, *needle;
	bool cs, want;
} has_cases[] = {
    /* the two examples */
    {"Not Atera Networks Inc", "Atera Networks", false, true},
    {"AteraNetworks Ltd", "Atera Networks", false, false},
    /* case */
    {"ATERA NETWORKS", "atera networks", false, true},
    {"ATERA NETWORKS", "atera networks", true, false},
    {"Atera Networks", "Atera Networks", true, true},
    /* boundaries at both ends of the haystack */
    {"Atera", "Atera", false, true},
    {"XAtera", "Atera", false, false},
    {"AteraX", "Atera", false, false},
    /* digits are term characters */
    {"Atera2", "Atera", false, false},
    {"2Atera", "Atera", false, false},
    {"Atera 2", "2", false, true},
    /* punctuation and underscore separate terms */
    {"Atera.exe", "Atera", false, true},
    {"C:\\Atera\\agent", "atera", false, true},
    {"Atera_Agent", "Atera", false, true},
    {"(Atera)", "Atera", false, true},
    /* needles with punctuation at their ends */
    {"Servably, Inc.", "Servably, Inc.", false, true},
    {"www.getscreen.me", "getscreen.me", false, true},
    {"xgetscreen.me", "getscreen.me", false, false},
    {"rdp.exe", "rdp.exe", false, true},
    /* a phrase needs its separators as written */
    {"Atera  Networks", "Atera Networks", false, false},
    {"Atera-Networks", "Atera Networks", false, false},
    /* the first occurrence may be inside a term, a later one not */
    {"AteraNetworks and Atera Networks", "Atera Networks", false, true},
    /* empty needle, empty haystack */
    {"anything", "", false, true},
    {"", "", false, true},
    {"", "x", false, false},
    {"ab", "abc", false, false},
    /* UTF-8 letters are term characters, compared exactly */
    {"Krämer IT Solutions GmbH", "Krämer IT Solutions GmbH", false, true},
    {"Krämer IT Solutions GmbH", "Kr", false, false},
    {"KRäMER", "krämer", false, true},
    {"KRÄMER", "krämer", false, false},
    {"Krämer", "Krämer", true, true},
};

static void has__term_boundaries_and_case(void **state)
{
	for (size_t i = 0; i < N(has_cases); i++) {
		char needle[128];
		size_t n = strlen(has_cases[i].needle);

		memcpy(needle, has_cases[i].needle, n + 1);
		if (!has_cases[i].cs)
			kql__ascii_lower(needle, n);
		if (kql__has(has_cases[i].h, strlen(has_cases[i].h), needle, n, has_cases[i].cs) !=
		    has_cases[i].want)
			fail_msg("case %zu: \"%s\" has%s \"%s\" should be %d", i, has_cases[i].h,
				 has_cases[i].cs ? "_cs" : "", has_cases[i].needle,
				 has_cases[i].want);
	}
}

static void substring_ops__ends_and_case(void **state)
{
	assert_true(kql__contains("Atera Networks", 14, "ra ne", 5, false));
	assert_false(kql__contains("Atera Networks", 14, "ra ne", 5, true));
	assert_true(kql__contains("Atera Networks", 14, "ra Ne", 5, true));
	assert_true(kql__contains("abc", 3, "", 0, false));
	assert_false(kql__contains("ab", 2, "abc", 3, false));
	assert_true(kql__startswith("AteraAgent", 10, "atera", 5, false));
	assert_false(kql__startswith("AteraAgent", 10, "atera", 5, true));
	assert_false(kql__startswith("Ate", 3, "atera", 5, false));
	assert_true(kql__endswith("agent.EXE", 9, ".exe", 4, false));
	assert_false(kql__endswith("agent.EXE", 9, ".exe", 4, true));
	assert_true(kql__equals("", 0, "", 0, true));
	assert_false(kql__equals("ab", 2, "a", 1, false));
	assert_true(kql__name_equals("AteraScheduler.exe", 18, "aterascheduler", 14));
	assert_true(kql__name_equals("AteraScheduler", 14, "aterascheduler.exe", 18));
	assert_true(kql__name_equals("ATERASCHEDULER.EXE", 18, "aterascheduler", 14));
	assert_false(kql__name_equals("AteraScheduler2.exe", 19, "aterascheduler", 14));
	assert_false(kql__name_equals("AteraScheduler.dll", 18, "aterascheduler", 14));
	assert_int_equal(kql__strip_exe(".exe", 4), 4);
}

/* ---- every operator, through a loaded rule ---- */

struct kv {
	const char *col, *val;
};

static const struct {
	const char *query; /* "| where ..." is prefixed with the table */
	struct kv set[3];
	bool want;
} match_cases[] = {
    /* Kusto's literals: escapes as UTF-8, obfuscated strings, adjacent strings joined */
    {"| where ProcessVersionInfoCompanyName == 'Kr\\u00e4mer \\x41\\U0001F600'",
     {{"ProcessVersionInfoCompanyName", "Kr\u00e4mer A\U0001F600"}},
     true},
    {"| where FileName == h'a.exe'", {{"FileName", "a.exe"}}, true},
    {"| where FileName == H@'a\\b'", {{"FileName", "a\\b"}}, true},
    {"| where FileName == 'a' \"b\" @'c'", {{"FileName", "abc"}}, true},
    {"| where ProcessId == 0x10", {{"ProcessId", "16"}}, true},
    /* a bool column alone is a predicate */
    {"| where ExecutableDeleted", {{"ExecutableDeleted", "true"}}, true},
    {"| where ExecutableDeleted and FileName has 'x'", {{"ExecutableDeleted", "false"}}, false},
    {"| where ProcessVersionInfoCompanyName has 'Atera Networks'",
     {{"ProcessVersionInfoCompanyName", "Not Atera Networks Inc"}},
     true},
    {"| where ProcessVersionInfoCompanyName has 'Atera Networks'",
     {{"ProcessVersionInfoCompanyName", "AteraNetworks Ltd"}},
     false},
    {"| where ProcessVersionInfoCompanyName has 'Atera Networks'", {{0}}, false},
    {"| where ProcessVersionInfoCompanyName !has 'Atera'", {{0}}, true},
    {"| where ProcessVersionInfoCompanyName !has 'Atera'",
     {{"ProcessVersionInfoCompanyName", "atera"}},
     false},
    {"| where FileName has_cs 'Atera'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName has_cs 'atera'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName !has_cs 'atera'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName has_any ('x', 'ATERA')", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName has_any ('x', 'y')", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName has_all ('atera', 'exe')", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName has_all ('atera', 'dll')", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName contains 'ERA.E'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !contains 'ERA.E'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName contains_cs 'ERA'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName contains_cs 'era'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !contains_cs 'ERA'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName startswith 'ATE'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !startswith 'ATE'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName startswith_cs 'ATE'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName !startswith_cs 'ATE'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName endswith '.EXE'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !endswith '.EXE'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName endswith_cs '.EXE'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName !endswith_cs '.EXE'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName == 'Atera.exe'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName == 'atera.exe'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName != 'atera.exe'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName =~ 'atera.EXE'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !~ 'atera.EXE'", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName == ''", {{0}}, true}, /* null reads as "" */
    {"| where FileName in ('x', 'Atera.exe')", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName in ('atera.exe')", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName in~ ('atera.exe')", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !in ('atera.exe')", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName !in~ ('atera.exe')", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName in (dynamic(['a', 'b']), 'Atera.exe')", {{"FileName", "Atera.exe"}}, true},
    {"| where isempty(FileName)", {{0}}, true},
    {"| where isempty(FileName)", {{"FileName", ""}}, true},
    {"| where isempty(FileName)", {{"FileName", "x"}}, false},
    {"| where isnotempty(FileName)", {{"FileName", "x"}}, true},
    {"| where isempty(ProcessId)", {{"ProcessId", "0"}}, false},
    {"| where not(FileName has 'atera')", {{"FileName", "Atera.exe"}}, false},
    {"| where FileName has 'x' or FileName has 'atera'", {{"FileName", "Atera.exe"}}, true},
    {"| where FileName has 'x' or FileName has 'atera' and FileName has 'y'",
     {{"FileName", "Atera.exe"}},
     false}, /* and binds tighter */
    {"| where (FileName has 'x' or FileName has 'atera') and FileName has 'exe'",
     {{"FileName", "Atera.exe"}},
     true},
    {"| where FileName has 'atera'\n| where FileName has 'dll'",
     {{"FileName", "Atera.exe"}},
     false},
    /* dynamic arrays: any item */
    {"| where VersionInfoCompanyNames has 'Atera Networks'",
     {{"VersionInfoCompanyNames", "Decoy Corp|Atera Networks Inc."}},
     true},
    {"| where VersionInfoCompanyNames has 'Atera Networks'",
     {{"VersionInfoCompanyNames", "Decoy Corp|AteraNetworks"}},
     false},
    {"| where VersionInfoCompanyNames has 'Atera Networks'",
     {{"VersionInfoCompanyNames", ""}},
     false},
    {"| where VersionInfoCompanyNames has_all ('Decoy', 'Atera')",
     {{"VersionInfoCompanyNames", "Decoy Corp|Atera Networks"}},
     true},
    {"| where VersionInfoCompanyNames !has 'Atera'",
     {{"VersionInfoCompanyNames", "Decoy Corp|Atera Networks"}},
     false},
    {"| where isempty(VersionInfoCompanyNames)", {{"VersionInfoCompanyNames", ""}}, true},
    /* strings: escapes and verbatim */
    {"| where FolderPath has_any (@'\\Program Files\\Level\\', 'x')",
     {{"FolderPath", "C:\\Program Files\\Level\\level.exe"}},
     true},
    {"| where ProcessCommandLine contains \"a\\\"b\"", {{"ProcessCommandLine", "x a\"b"}}, true},
    {"| where ProcessCommandLine contains 'it\\'s'", {{"ProcessCommandLine", "it's"}}, true},
    {"| where ProcessCommandLine contains @'it''s'", {{"ProcessCommandLine", "it's"}}, true},
    {"| where ProcessCommandLine contains 'a\\\\b'", {{"ProcessCommandLine", "a\\b"}}, true},
    /* a // inside a string is no comment; after the string it is */
    {"| where ProcessCommandLine has 'http://x.example' // a comment 'y'",
     {{"ProcessCommandLine", "curl http://x.example/a"}},
     true},
    /* numbers */
    {"| where ProcessId == 5", {{"ProcessId", "5"}}, true},
    {"| where ProcessId != 5", {{"ProcessId", "5"}}, false},
    {"| where ProcessId != 5", {{0}}, false}, /* null compares false */
    {"| where ProcessId < 5", {{"ProcessId", "4"}}, true},
    {"| where ProcessId < 5", {{"ProcessId", "5"}}, false},
    {"| where ProcessId <= 5", {{"ProcessId", "5"}}, true},
    {"| where ProcessId > -1", {{"ProcessId", "0"}}, true},
    {"| where ProcessId >= 6", {{"ProcessId", "5"}}, false},
    {"| where ProcessId between (1 .. 5)", {{"ProcessId", "1"}}, true},
    {"| where ProcessId between (1..5)", {{"ProcessId", "5"}}, true},
    {"| where ProcessId between (1..5)", {{"ProcessId", "6"}}, false},
    {"| where ProcessId !between (1..5)", {{"ProcessId", "6"}}, true},
    {"| where ProcessId in (1, 2)", {{"ProcessId", "2"}}, true},
    {"| where ProcessId !in (1, 2)", {{"ProcessId", "2"}}, false},
    {"| where ExecutableDeleted == true", {{"ExecutableDeleted", "true"}}, true},
    {"| where ExecutableDeleted != false", {{"ExecutableDeleted", "false"}}, false},
    /* times */
    {"| where ProcessCreationTime > ago(1h)", {{"ProcessCreationTime", "now-60"}}, true},
    {"| where ProcessCreationTime > ago(1h)", {{"ProcessCreationTime", "now-7200"}}, false},
    {"| where ProcessCreationTime between (datetime(2024-01-01)..datetime(2024-01-02))",
     {{"ProcessCreationTime", "2024-01-02T00:00:00Z"}},
     true},
    {"| where ProcessCreationTime between (datetime(2024-01-01)..datetime(2024-01-02))",
     {{"ProcessCreationTime", "2024-01-02T00:00:00.000001Z"}},
     false},
    {"| where ProcessCreationTime < datetime(\"2024-01-01T10:00:00Z\")",
     {{"ProcessCreationTime", "2024-01-01T09:59:59Z"}},
     true},
    /* the look-back window is the aggregator's: skipped here */
    {"| where Timestamp between (now(-5d)..now())", {{"Timestamp", "2000-01-01T00:00:00Z"}}, true},
    {"| where Timestamp > ago(1h)", {{"Timestamp", "2000-01-01T00:00:00Z"}}, true},
    /* but a time predicate that is no look-back is evaluated */
    {"| where Timestamp between (now(-5d)..now(-1d))", {{"Timestamp", "now-60"}}, false},
    {"| where Timestamp between (now(-5d)..now(-1d))", {{"Timestamp", "now-172800"}}, true},
    /* lets */
    {"let L = dynamic(['x', 'Atera']);\nDeviceProcessEvents | where FileName has_any (L)",
     {{"FileName", "Atera.exe"}},
     true},
    {"let L = ('x', 'Atera');\nDeviceProcessEvents | where FileName has_any (L, 'y')",
     {{"FileName", "Atera.exe"}},
     true},
    {"let S = 'Atera';\nDeviceProcessEvents | where FileName startswith S",
     {{"FileName", "Atera.exe"}},
     true},
    {"let N = 7;\nDeviceProcessEvents | where ProcessId == N", {{"ProcessId", "7"}}, true},
    /* Defender columns with no Linux meaning are empty */
    {"| where isempty(AccountUpn)", {{0}}, true},
    {"| where AccountUpn has 'x'", {{0}}, false},
    /* project/extend before summarize: renames */
    {"| extend Company = ProcessVersionInfoCompanyName | where Company has 'atera'",
     {{"ProcessVersionInfoCompanyName", "Atera"}},
     true},
    {"| project C = ProcessVersionInfoCompanyName, FileName | where C has 'atera'",
     {{"ProcessVersionInfoCompanyName", "Atera"}},
     true},
    /* no where: everything */
    {"", {{0}}, true},
};

static void operators__table(void **state)
{
	struct event e;

	event__init(&e);
	for (size_t i = 0; i < N(match_cases); i++) {
		struct rules_diag diag;
		char query[1024];
		struct ruleset *rs;
		enum rule_match m;

		if (!strncmp(match_cases[i].query, "let", 3))
			snprintf(query, sizeof(query), "%s", match_cases[i].query);
		else
			snprintf(query, sizeof(query), "DeviceProcessEvents\n%s",
				 match_cases[i].query);
		rs = load_query(query, &diag);
		if (!rs)
			fail_msg("case %zu: %s: %s", i, match_cases[i].query, diag.msg);
		event__reset(&e);
		for (size_t j = 0; j < 3 && match_cases[i].set[j].col; j++)
			set_col(&e, match_cases[i].set[j].col, match_cases[i].set[j].val);
		m = rule__match(ruleset__rule(rs, 0), &e, NULL);
		if (m != (match_cases[i].want ? RULE_MATCH : RULE_NO_MATCH))
			fail_msg("case %zu: %s: got %d", i, match_cases[i].query, m);
		ruleset__free(rs);
	}
	event__free(&e);
}

/* ---- parse errors, with their exact position in the file ---- */

static const struct {
	const char *query, *msg;
} error_cases[] = {
    {"DeviceEvents", "t.yaml:4:3: query: unknown table 'DeviceEvents' (DeviceProcessEvents, "
		     "DeviceFileCertificateInfo and DeviceNetworkEvents are known)"},
    {"DeviceProcessEvents\n| where Foo has 'x'",
     "t.yaml:5:11: query: unknown column 'Foo' in DeviceProcessEvents"},
    {"DeviceNetworkEvents\n| summarize count() by AccountUpn",
     "t.yaml:5:26: query: unknown column 'AccountUpn' in DeviceNetworkEvents: did you mean "
     "'InitiatingProcessAccountUpn'?"},
    {"DeviceProcessEvents\n| where filename has 'x'",
     "t.yaml:5:11: query: unknown column 'filename' in DeviceProcessEvents: did you mean "
     "'FileName'?"},
    {"DeviceFileCertificateInfo\n| where Signer has 5",
     "t.yaml:5:22: query: 'Signer' compares with a string, not a number"},
    {"DeviceProcessEvents\n| where FileName hass 'x'",
     "t.yaml:5:20: query: unknown operator 'hass'"},
    {"DeviceProcessEvents\n| where FileName HAS 'x'", "t.yaml:5:20: query: unknown operator 'HAS'"},
    {"DeviceProcessEvents\n| Where FileName has 'x'",
     "t.yaml:5:5: query: unknown tabular operator 'Where'"},
    {"DeviceProcessEvents\n| take 10", "t.yaml:5:5: query: unsupported: tabular operator 'take' "
				       "(where, summarize, project, extend are)"},
    {"DeviceProcessEvents | where FileName has 'x",
     "t.yaml:4:46: query: unterminated string: no closing ' before the end of the line"},
    {"DeviceProcessEvents | where FileName has 'a\\qb'",
     "t.yaml:4:46: query: unknown escape in string"},
    {"DeviceProcessEvents | where FileName has 5",
     "t.yaml:4:44: query: 'FileName' compares with a string, not a number"},
    {"DeviceProcessEvents | where ProcessId has 'x'",
     "t.yaml:4:41: query: 'has' needs a string column; 'ProcessId' is not one"},
    {"DeviceProcessEvents | where FileName < 5",
     "t.yaml:4:40: query: '<' needs a number or datetime column; 'FileName' is not one"},
    {"DeviceProcessEvents | where Timestamp > 5",
     "t.yaml:4:43: query: 'Timestamp' compares with a datetime, not a number"},
    {"DeviceProcessEvents | where tolower(FileName) == 'x'",
     "t.yaml:4:31: query: unsupported: function 'tolower'"},
    {"DeviceProcessEvents | where FileName in 'x'",
     "t.yaml:4:43: query: expected a list such as ('a', 'b'), found 'x'"},
    {"DeviceProcessEvents | where FileName has x",
     "t.yaml:4:44: query: 'x' is not a value or let name (comparing columns is not "
     "supported)"},
    {"DeviceProcessEvents\n| where FileName == 'x'\n| where",
     "t.yaml:6:10: query: expected a predicate, found the end of the query"},
    {"DeviceProcessEvents | where Timestamp > ago(5x)",
     "t.yaml:4:47: query: unknown timespan unit 'x'"},
    {"DeviceProcessEvents | where Timestamp > ago(5)",
     "t.yaml:4:47: query: expected a timespan such as 5d, 12h, 30m, 10s or 100ms, found '5'"},
    {"DeviceProcessEvents | where ProcessId == 1.5",
     "t.yaml:4:44: query: unsupported: comparing 'ProcessId' (a number) with a real number"},
    {"DeviceProcessEvents | where ProcessCreationTime > datetime(yesterday)",
     "t.yaml:4:62: query: unsupported: datetime 'yesterday' (rmmhunt reads ISO 8601 dates and "
     "times)"},
    {"let x = ;\nDeviceProcessEvents", "t.yaml:4:11: query: expected a value, found ';'"},
    {"let x = 'a'\nDeviceProcessEvents",
     "t.yaml:4:14: query: expected ';', found 'DeviceProcessEvents'"},
    {"DeviceProcessEvents | summarize avg(ProcessId)",
     "t.yaml:4:35: query: unsupported: aggregation 'avg' (min, max, count, dcount, make_set are)"},
    /* valid Kusto outside the subset: refused as such, never as an error of the query */
    {"DeviceProcessEvents | where FileName has 'a' in ('x')",
     "t.yaml:4:48: query: unsupported: an operator after a whole comparison (add parentheses)"},
    {"DeviceFileCertificateInfo | where IsSigned = true",
     "t.yaml:4:37: query: unsupported: NAME = VALUE in a predicate (compare with '==')"},
    {"DeviceProcessEvents | summarize count() | where FileName has 'x'",
     "t.yaml:4:45: query: unsupported: where after summarize"},
    {"DeviceProcessEvents | summarize count() | summarize count()",
     "t.yaml:4:45: query: unsupported: a second summarize"},
    {"DeviceProcessEvents | summarize C=count(), C=min(Timestamp)",
     "t.yaml:4:46: query: duplicate column 'C'"},
    {"DeviceProcessEvents | summarize count() by DeviceId | project Nope",
     "t.yaml:4:65: query: unknown column 'Nope' after summarize"},
    {"DeviceProcessEvents | project FileName | where FolderPath has 'x'",
     "t.yaml:4:50: query: unknown column 'FolderPath' in DeviceProcessEvents after project"},
    {"DeviceProcessEvents | extend X = 'lit'",
     "t.yaml:4:36: query: unsupported: project or extend of a literal or expression (columns are "
     "supported)"},
    {"DeviceProcessEvents | where FileName has 'x' extra",
     "t.yaml:4:48: query: expected '|' or the end of the query, found unknown name 'extra'"},
    {"DeviceProcessEvents | where FileName has 'x' # 1",
     "t.yaml:4:48: query: expected '|' or the end of the query, found '#'"},
    {"DeviceProcessEvents | where FileName in ('a', 1)",
     "t.yaml:4:49: query: unsupported: a list mixing a string and a number"},
    {"DeviceProcessEvents | where not FileName has 'x'",
     "t.yaml:4:35: query: expected '(', found 'FileName'"},
    /* where Kusto.Language reports its first error, with its class of reason */
    {"DeviceProcessEvents | where Timestamp > ago()",
     "t.yaml:4:43: query: 'ago' expects 1 argument"},
    {"DeviceProcessEvents | summarize count(FileName)",
     "t.yaml:4:41: query: 'FileName' is not a bool: count() counts records"},
    {"DeviceProcessEvents | summarize count(ExecutableDeleted)",
     "t.yaml:4:41: query: unsupported: count(PREDICATE) (count() is supported)"},
    {"DeviceProcessEvents | where Timestamp has_any ('a')",
     "t.yaml:4:41: query: 'has_any' needs a string column; 'Timestamp' is not one"},
    {"DeviceProcessEvents | where FileName in ('a', ('b', 'c'))",
     "t.yaml:4:53: query: expected ')', found ','"},
    {"DeviceProcessEvents | where ExecutableDeleted Foo",
     "t.yaml:4:49: query: expected '|' or the end of the query, found unknown name 'Foo'"},
    {"DeviceProcessEvents | where Timestamp > now(-1h) contains 'x'",
     "t.yaml:4:41: query: 'Timestamp' compares with a datetime, not a bool: 'contains' binds "
     "tighter than '>'"},
    {"DeviceProcessEvents | summarize max(Timestamp]",
     "t.yaml:4:48: query: expected ')', found ']'"},
    {"DeviceProcessEvents | summarize max(Device Id)",
     "t.yaml:4:35: query: 'max' expects 1 argument"},
    {"DeviceProcessEvents | where FileName in ('a'*2)",
     "t.yaml:4:47: query: '*' needs numbers; its left operand is a string"},
    {"DeviceProcessEvents | where ProcessId == 1 and AccountUid x 0",
     "t.yaml:4:50: query: unknown operator 'x'"},
    {"DeviceProcessEvents | where Timestamp > now(((",
     "t.yaml:4:47: query: expected a timespan such as 5d, 12h, 30m, 10s or 100ms, found '('"},
    {"let x = x;\nDeviceProcessEvents",
     "t.yaml:4:11: query: 'x' is not a value or let name (comparing columns is not supported)"},
    {"DeviceProcessEvents | where not(isempty(FileName)) endswith 'x'",
     "t.yaml:4:54: query: 'endswith' needs a string column; 'not(isempty(FileName))' is a bool, "
     "not one"},
};

/* A value in parentheses is the value, as in Kusto. */
static void parser__parenthesized_values__accepted(void **state)
{
	struct rules_diag diag;
	struct ruleset *rs = load_query("DeviceProcessEvents | where FileName has ('x') and "
					"Timestamp > ago((5d)) and ProcessId in ((1), 2)",
					&diag);

	if (!rs)
		fail_msg("%s", diag.msg);
	ruleset__free(rs);
}

/* The tokenizer's own errors. */
static void lexer__errors(void **state)
{
	static const struct {
		const char *query, *msg;
	} cases[] = {
	    /* the closing quote is missing at the end of the line, where Kusto reports it */
	    {"DeviceProcessEvents | where FileName has @'x",
	     "t.yaml:4:47: query: unterminated string: no closing ' before the end of the line"},
	    {"DeviceProcessEvents | where FileName has 'x\ny'",
	     "t.yaml:4:46: query: unterminated string: no closing ' before the end of the line"},
	    {"DeviceProcessEvents | where ProcessId == 1234567890123456",
	     "t.yaml:4:44: query: number too long"},
	    {"DeviceProcessEvents | where Timestamp > ago(99999999999d)",
	     "t.yaml:4:47: query: timespan too large"},
	    {"DeviceProcessEvents | where FileName has 'x' \u00e9",
	     "t.yaml:4:48: query: unexpected byte 0xc3 outside a string"},
	    /* YAML refuses control characters before the query is read */
	    {"DeviceProcessEvents | where FileName has 'x' \x01",
	     "t.yaml:4:48: invalid YAML: control characters are not allowed"},
	};

	for (size_t i = 0; i < N(cases); i++) {
		struct rules_diag diag;
		struct ruleset *rs = load_query(cases[i].query, &diag);

		if (rs)
			fail_msg("case %zu: loaded", i);
		if (strcmp(diag.msg, cases[i].msg))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, diag.msg, cases[i].msg);
	}
}

static void parser__errors_name_file_line_col(void **state)
{
	for (size_t i = 0; i < N(error_cases); i++) {
		struct rules_diag diag;
		struct ruleset *rs = load_query(error_cases[i].query, &diag);

		if (rs)
			fail_msg("case %zu: %s: loaded", i, error_cases[i].query);
		if (strcmp(diag.msg, error_cases[i].msg))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, diag.msg, error_cases[i].msg);
	}
}

static void parser__nesting_is_bounded(void **state)
{
	char q[512] = "DeviceProcessEvents | where ";
	struct rules_diag diag;
	struct ruleset *rs;

	for (int i = 0; i < 40; i++)
		strcat(q, "(");
	strcat(q, "FileName has 'x'");
	for (int i = 0; i < 40; i++)
		strcat(q, ")");
	rs = load_query(q, &diag);
	assert_null(rs);
	assert_string_equal(diag.msg, "t.yaml:4:63: query: expression nested deeper than 32");

	/* lists nest too */
	/* ( ) lists do not nest; dynamic arrays do */
	strcpy(q, "DeviceProcessEvents | where FileName in ");
	for (int i = 0; i < 40; i++)
		strcat(q, "dynamic([");
	rs = load_query(q, &diag);
	assert_null(rs);
	/* the 33rd '[': 40 + 32 * 9 + 9 characters in, plus the indent */
	assert_string_equal(diag.msg, "t.yaml:4:339: query: lists nested deeper than 32");

	/* 32 levels are fine, and a long flat chain needs no depth at all */
	strcpy(q, "DeviceProcessEvents | where ");
	for (int i = 0; i < 32; i++)
		strcat(q, "(");
	strcat(q, "FileName has 'x'");
	for (int i = 0; i < 32; i++)
		strcat(q, ")");
	rs = load_query(q, &diag);
	assert_non_null(rs);
	ruleset__free(rs);
}

static void parser__long_or_chain(void **state)
{
	char *q = malloc(64 * 1024);
	struct rules_diag diag;
	struct ruleset *rs;
	struct event e;

	strcpy(q, "DeviceProcessEvents | where FileName == 'f0'");
	for (int i = 1; i < 2000; i++)
		sprintf(q + strlen(q), " or FileName == 'f%d'", i);
	rs = load_query(q, &diag);
	assert_non_null(rs);
	event__init(&e);
	set_col(&e, "FileName", "f1999");
	assert_int_equal(rule__match(ruleset__rule(rs, 0), &e, NULL), RULE_MATCH);
	set_col(&e, "FileName", "f2000");
	assert_int_equal(rule__match(ruleset__rule(rs, 0), &e, NULL), RULE_NO_MATCH);
	event__free(&e);
	ruleset__free(rs);
	free(q);
}

static void parser__windows_only_column_warns(void **state)
{
	struct rules_diag diag;
	struct ruleset *rs;
	const struct summarize_col *c;

	rs = load_query("DeviceProcessEvents\n| summarize count() by DeviceId, AccountUpn", &diag);
	assert_non_null(rs);
	assert_int_equal(diag.nwarnings, 1);
	assert_string_equal(
	    diag.warnings[0],
	    "t.yaml:5:36: column 'AccountUpn' has no Linux meaning: it is always empty");
	c = rule__summarize_col(ruleset__rule(rs, 0), 1);
	assert_string_equal(c->name, "AccountUpn");
	assert_int_equal(c->kind, AGG_BY);
	assert_int_equal(c->field, -1);
	ruleset__free(rs);
}

/* ---- the look-back window ---- */

#define HOUR 3600000000LL

static const struct {
	const char *where;
	int64_t window_us;
} window_cases[] = {
    {"let Time_start = now(-5d);\nlet Time_end = now();\nDeviceProcessEvents\n"
     "| where Timestamp between (Time_start..Time_end)",
     120 * HOUR},
    {"DeviceProcessEvents | where Timestamp > ago(2h)", 2 * HOUR},
    {"DeviceProcessEvents | where Timestamp >= now(-30m)", HOUR / 2},
    {"DeviceProcessEvents | where Timestamp between (ago(1.5h)..now())", HOUR * 3 / 2},
    {"DeviceProcessEvents | where Timestamp between (now(-90s)..now(0s))", 90000000},
    {"let W = 12h;\nDeviceProcessEvents | where Timestamp > ago(W)", 12 * HOUR},
    {"DeviceProcessEvents | where Timestamp > ago(2days)", 48 * HOUR},
    {"DeviceProcessEvents | where Timestamp > ago(90min)", 3 * HOUR / 2},
    {"DeviceProcessEvents | where Timestamp > ago(1500ms)", 1500000},
    {"DeviceProcessEvents | where FileName has 'x' and Timestamp > ago(1h)", HOUR},
    {"DeviceProcessEvents | where Timestamp > ago(3h) | where Timestamp > ago(1h)", HOUR},
    {"DeviceProcessEvents | where FileName has 'x'", 0},
    {"DeviceProcessEvents | where FileName has 'x' or Timestamp > ago(1h)", 0},
    {"DeviceProcessEvents | where not(Timestamp > ago(1h))", 0},
    {"DeviceProcessEvents | where Timestamp !between (now(-5d)..now())", 0},
    {"DeviceProcessEvents | where Timestamp between (now(-5d)..now(-1d))", 0},
    {"DeviceProcessEvents | where ProcessCreationTime > ago(1h)", 0},
};

static void window__extraction(void **state)
{
	for (size_t i = 0; i < N(window_cases); i++) {
		struct rules_diag diag;
		struct ruleset *rs = load_query(window_cases[i].where, &diag);

		if (!rs)
			fail_msg("case %zu: %s", i, diag.msg);
		if (rule__window_us(ruleset__rule(rs, 0)) != window_cases[i].window_us)
			fail_msg("case %zu: window %lld, want %lld", i,
				 (long long)rule__window_us(ruleset__rule(rs, 0)),
				 (long long)window_cases[i].window_us);
		ruleset__free(rs);
	}
}

/* ---- summarize ---- */

struct col_want {
	const char *name;
	enum agg_kind kind;
	int field;
	size_t max;
};

static void check_cols(const char *query, const struct col_want *want, size_t n)
{
	struct rules_diag diag;
	struct ruleset *rs = load_query(query, &diag);
	const struct rule *r;

	if (!rs)
		fail_msg("%s: %s", query, diag.msg);
	r = ruleset__rule(rs, 0);
	assert_int_equal(rule__nsummarize(r), n);
	for (size_t i = 0; i < n; i++) {
		const struct summarize_col *c = rule__summarize_col(r, i);

		assert_string_equal(c->name, want[i].name);
		assert_int_equal(c->kind, want[i].kind);
		assert_int_equal(c->field, want[i].field);
		if (c->kind == AGG_MAKE_SET)
			assert_int_equal(c->max, want[i].max);
	}
	assert_null(rule__summarize_col(r, n));
	ruleset__free(rs);
}

static const struct col_want seed_cols[] = {
    {"DeviceId", AGG_BY, FIELD_DEVICE_ID},
    {"DeviceName", AGG_BY, FIELD_DEVICE_NAME},
    {"FirstSeen", AGG_MIN, FIELD_TIMESTAMP},
    {"LastSeen", AGG_MAX, FIELD_TIMESTAMP},
    {"Report", AGG_MAKE_SET, FIELD_REPORT_ID, 1048576},
    {"Count", AGG_COUNT, -1},
};

static void summarize__by_columns_first(void **state)
{
	check_cols(
	    "DeviceProcessEvents\n| summarize FirstSeen=min(Timestamp), "
	    "LastSeen=max(Timestamp),\nReport=make_set(ReportId), Count=count() by DeviceId, "
	    "DeviceName",
	    seed_cols, N(seed_cols));
}

static void summarize__default_is_the_seeds(void **state)
{
	check_cols("DeviceProcessEvents | where FileName has 'x'", seed_cols, N(seed_cols));
}

static void summarize__default_names_dcount_make_set_max(void **state)
{
	static const struct col_want want[] = {
	    {"Host", AGG_BY, FIELD_DEVICE_NAME},
	    {"min_Timestamp", AGG_MIN, FIELD_TIMESTAMP},
	    {"count_", AGG_COUNT, -1},
	    {"dcount_FileName", AGG_DCOUNT, FIELD_FILE_NAME},
	    {"set_FileName", AGG_MAKE_SET, FIELD_FILE_NAME, 10},
	};

	check_cols("DeviceProcessEvents | summarize min(Timestamp), count(), dcount(FileName), "
		   "make_set(FileName, 10) by Host=DeviceName",
		   want, N(want));
}

static void summarize__project_selects_and_renames(void **state)
{
	static const struct col_want want[] = {
	    {"Count", AGG_COUNT, -1},
	    {"Host", AGG_BY, FIELD_DEVICE_NAME},
	    {"Names", AGG_MAKE_SET, FIELD_FILE_NAME, 1048576},
	};

	check_cols("DeviceProcessEvents | summarize Count=count(), N=make_set(FileName) by "
		   "DeviceId, DeviceName\n| project Count, Host=DeviceName, Names=N",
		   want, N(want));
}

static void summarize__uses_aliases(void **state)
{
	static const struct col_want want[] = {
	    {"Company", AGG_BY, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME},
	    {"count_", AGG_COUNT, -1},
	};

	check_cols("DeviceProcessEvents | extend Company=ProcessVersionInfoCompanyName\n"
		   "| summarize count() by Company",
		   want, N(want));
}

/* A network rule reads network records' own columns, and never a process record. */
static void tables__network_rule__matches_network_records_only(void **state)
{
	struct rules_diag diag;
	struct ruleset *rs;
	const struct rule *r;
	const struct summarize_col *c;
	struct event e;

	rs = load_query("DeviceNetworkEvents\n| where RemoteUrl has 'atera.com' and "
			"InitiatingProcessVersionInfoCompanyName has 'Atera Networks'\n"
			"| summarize count() by DeviceId, RemoteUrl, InitiatingProcessAccountUpn",
			&diag);
	if (!rs)
		fail_msg("%s", diag.msg);
	r = ruleset__rule(rs, 0);
	assert_string_equal(rule__table(r)->name, "DeviceNetworkEvents");
	/* a process's identity changes with its execs: no verdict per file */
	assert_true(rule__uses_per_exec_fields(r));
	c = rule__summarize_col(r, 1);
	assert_string_equal(rule__table(r)->fields[c->field].name, "RemoteUrl");
	assert_int_equal(rule__summarize_col(r, 2)->field, -1);
	assert_int_equal(diag.nwarnings, 1); /* InitiatingProcessAccountUpn is always empty */
	assert_int_equal(ruleset__table_count(rs, TABLE_NETWORK), 1);
	assert_int_equal(ruleset__table_count(rs, TABLE_PROCESS), 0);

	event__init(&e);
	event__reset_table(&e, TABLE_NETWORK);
	event__set_str(&e, NET_REMOTE_URL, "agent-api.atera.com");
	event__set_str(&e, NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME, "Atera Networks Ltd.");
	assert_int_equal(rule__match(r, &e, NULL), RULE_MATCH);
	event__set_str(&e, NET_REMOTE_URL, "example.org");
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	event__unset(&e, NET_REMOTE_URL);
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	event__free(&e);
	ruleset__free(rs);
}

/* Signer's string operators read Signers: the top signature's signer and the nested ones. */
static void tables__certificate_signer__nested_signers_count(void **state)
{
	struct rules_diag diag;
	struct ruleset *rs;
	const struct rule *r, *by_col;
	struct event e;

	rs = load_query("DeviceFileCertificateInfo\n| where Signer has 'Atera Networks'", &diag);
	if (!rs)
		fail_msg("%s", diag.msg);
	r = ruleset__rule(rs, 0);
	assert_true(rule__live_on_linux(r));
	event__init(&e);
	event__reset_table(&e, TABLE_CERTIFICATE);
	set_col(&e, "Signer", "Other Corp");
	set_col(&e, "Signers", "Other Corp|Atera Networks Ltd");
	assert_int_equal(rule__match(r, &e, NULL), RULE_MATCH);
	set_col(&e, "Signers", "Other Corp");
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	/* a process record never meets a certificate rule, whatever its columns */
	event__reset(&e);
	set_col(&e, "ProcessVersionInfoCompanyName", "Atera Networks Ltd");
	assert_int_equal(rule__match(r, &e, NULL), RULE_NO_MATCH);
	ruleset__free(rs);

	/* summarize by Signer is the top signer's column itself */
	rs = load_query("DeviceFileCertificateInfo\n| where Signer !has 'Atera'\n"
			"| summarize count() by Signer",
			&diag);
	if (!rs)
		fail_msg("%s", diag.msg);
	by_col = ruleset__rule(rs, 0);
	assert_int_equal(rule__summarize_col(by_col, 0)->field, CERT_SIGNER);
	event__reset_table(&e, TABLE_CERTIFICATE);
	set_col(&e, "Signer", "Other Corp");
	set_col(&e, "Signers", "Other Corp|Atera Networks Ltd");
	assert_int_equal(rule__match(by_col, &e, NULL), RULE_NO_MATCH);
	ruleset__free(rs);
	event__free(&e);
}

/*
 * let S = TABLE | where ... | distinct COLUMN over a table whose values are not
 * kept: an empty set, said with a warning.
 */
static void tables__tabular_let__empty_set_of_unproduced_table(void **state)
{
	static const char *const refused[][2] = {
	    {"let S = DeviceProcessEvents | distinct SHA1;\nDeviceProcessEvents\n"
	     "| where SHA1 in (S)",
	     "t.yaml:4:11: query: unsupported: a tabular let over a table rmmhunt produces"},
	    {"let S = DeviceFileCertificateInfo | distinct SHA1;\nDeviceProcessEvents\n"
	     "| where SHA1 has_any (S)",
	     "t.yaml:6:16: query: unsupported: this operator with a tabular let (in and !in are "
	     "supported)"},
	    {"let S = DeviceFileCertificateInfo | where Signer has 'x';\nDeviceProcessEvents",
	     "t.yaml:4:59: query: unsupported: a tabular let without '| distinct COLUMN'"},
	    {"let S = DeviceFileCertificateInfo | distinct Nope;\nDeviceProcessEvents",
	     "t.yaml:4:48: query: unknown column 'Nope' in DeviceFileCertificateInfo"},
	};
	struct rules_diag diag;
	struct ruleset *rs;
	struct event e;

	rs = load_query("let S = DeviceFileCertificateInfo\n| where Signer has 'DWSNET'\n"
			"| distinct SHA1;\nDeviceProcessEvents\n| where SHA1 in (S)",
			&diag);
	if (!rs)
		fail_msg("%s", diag.msg);
	assert_int_equal(diag.nwarnings, 1);
	assert_false(rule__live_on_linux(ruleset__rule(rs, 0)));
	event__init(&e);
	set_col(&e, "SHA1", "ab");
	assert_int_equal(rule__match(ruleset__rule(rs, 0), &e, NULL), RULE_NO_MATCH);
	ruleset__free(rs);
	rs = load_query("let S = DeviceFileCertificateInfo | distinct SHA1;\nDeviceProcessEvents\n"
			"| where SHA1 !in (S)",
			&diag);
	if (!rs)
		fail_msg("%s", diag.msg);
	assert_int_equal(rule__match(ruleset__rule(rs, 0), &e, NULL), RULE_MATCH);
	ruleset__free(rs);
	event__free(&e);
	for (size_t i = 0; i < N(refused); i++) {
		rs = load_query(refused[i][0], &diag);
		assert_null(rs);
		if (strcmp(diag.msg, refused[i][1]))
			fail_msg("case %zu:\n got: %s\nwant: %s", i, diag.msg, refused[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(has__term_boundaries_and_case),
	    cmocka_unit_test(substring_ops__ends_and_case),
	    cmocka_unit_test(operators__table),
	    cmocka_unit_test(lexer__errors),
	    cmocka_unit_test(parser__errors_name_file_line_col),
	    cmocka_unit_test(parser__parenthesized_values__accepted),
	    cmocka_unit_test(parser__nesting_is_bounded),
	    cmocka_unit_test(tables__certificate_signer__nested_signers_count),
	    cmocka_unit_test(parser__long_or_chain),
	    cmocka_unit_test(parser__windows_only_column_warns),
	    cmocka_unit_test(window__extraction),
	    cmocka_unit_test(summarize__by_columns_first),
	    cmocka_unit_test(summarize__default_is_the_seeds),
	    cmocka_unit_test(summarize__default_names_dcount_make_set_max),
	    cmocka_unit_test(summarize__project_selects_and_renames),
	    cmocka_unit_test(summarize__uses_aliases),
	    cmocka_unit_test(tables__network_rule__matches_network_records_only),
	    cmocka_unit_test(tables__tabular_let__empty_set_of_unproduced_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
