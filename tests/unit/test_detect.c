// SPDX-License-Identifier: MIT
/*
 * detect: rules from YAML files on events, exclusions applied, matches
 * aggregated per group, Alert records written, groups kept across a reload
 * and in the state file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/timefmt.h"
#include "event.h"
#include "pipeline/detect.h"
#include "rules/rules.h"

/* Reads only an identity column, so it alone may mark an executable unmatchable. */
static const char company_rule[] =
    "id: rmm-company\n"
    "name: RMM by company\n"
    "tactics:\n"
    "  - CommandAndControl\n"
    "relevantTechniques:\n"
    "  - T1219\n"
    "query: |\n"
    "  DeviceProcessEvents\n"
    "  | where ProcessVersionInfoCompanyName has 'Atera Networks'\n"
    "  | summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp),\n"
    "  Report=make_set(ReportId), Count=count() by DeviceId, DeviceName\n"
    "exclusions:\n"
    "  - id: agent-scheduler\n"
    "    description: the agent's own scheduled jobs\n"
    "    expression: process.name == \"AteraScheduler\"\n";

/* Reads FileName, a per-exec column. */
static const char name_rule[] = "id: rmm-name\n"
				"name: RMM by file name\n"
				"query: |\n"
				"  DeviceProcessEvents\n"
				"  | where FileName =~ 'rmm-tool'\n"
				"  | summarize Count=count() by DeviceId\n";

/* An hour apart, far from the test's own clock: nothing here reads it. */
#define T0 1800000000000000LL
#define T1 (T0 + 3600000000LL)

static char dir[] = "/tmp/test_detect.XXXXXX";
static char company_path[64], name_path[64], state_path[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(company_path, sizeof(company_path), "%s/company.yaml", dir);
	snprintf(name_path, sizeof(name_path), "%s/name.yaml", dir);
	snprintf(state_path, sizeof(state_path), "%s/state.json", dir);
	return 0;
}

static int teardown(void **state)
{
	unlink(company_path);
	unlink(name_path);
	unlink(state_path);
	return rmdir(dir);
}

/* A rule set of the files named (company_path, name_path), loaded as the monitor does. */
static struct ruleset *load(const char *a, const char *b)
{
	const char *paths[] = {a, b};
	struct rules_diag diag;
	struct ruleset *rs;

	write_file(company_path, company_rule);
	write_file(name_path, name_rule);
	rs = ruleset__load_paths(paths, b ? 2 : 1, &diag);
	if (!rs)
		fail_msg("rules: %s", diag.msg);
	return rs;
}

/* What Alert records go to: read back with alerts(). */
struct sink {
	char *buf;
	size_t len, seen; /* bytes written, bytes read back */
	FILE *f;
};

static struct detector *new_detector(struct ruleset *rs, struct sink *s, const char *state)
{
	struct detector_opts opts = {.alert_at_once = true, .state_path = state};
	struct detector *d;

	s->seen = 0;
	s->f = open_memstream(&s->buf, &s->len);
	assert_non_null(s->f);
	opts.out = s->f;
	d = detector__new(rs, &opts);
	assert_non_null(d);
	return d;
}

static void free_detector(struct detector *d, struct sink *s)
{
	detector__free(d);
	fclose(s->f);
	free(s->buf);
}

/* The Alert records written since the last call, each line parsed. */
static size_t alerts(struct sink *s, json_t **out, size_t max, char **lines)
{
	size_t n = 0;
	char *text, *line, *save = NULL;

	assert_int_equal(fflush(s->f), 0);
	text = strndup(s->buf + s->seen, s->len - s->seen);
	assert_non_null(text);
	s->seen = s->len;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t err;

		assert_true(n < max);
		out[n] = json_loads(line, 0, &err);
		if (!out[n])
			fail_msg("not JSON (%s): %s", err.text, line);
		if (lines)
			lines[n] = strdup(line);
		n++;
	}
	free(text);
	return n;
}

static void exec_event(struct event *e, const char *file, const char *company, int64_t ts,
		       long report)
{
	event__reset(e);
	event__set_long(e, FIELD_TIMESTAMP, ts);
	event__set_str(e, FIELD_DEVICE_ID, "dev-1");
	event__set_str(e, FIELD_DEVICE_NAME, "host-1");
	event__set_long(e, FIELD_REPORT_ID, report);
	event__set_str(e, FIELD_FILE_NAME, file);
	event__set_str(e, FIELD_ACCOUNT_NAME, "root");
	if (company)
		event__set_str(e, FIELD_PROCESS_VERSION_INFO_COMPANY_NAME, company);
}

static const char *list_item(const struct event *e, int f, size_t i)
{
	const char *it = NULL;

	for (size_t k = 0; k <= i; k++)
		it = event__list_next(e, f, it);
	return it;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void eval__matching_event__match_and_alert_with_summarize_columns(void **state)
{
	static const char *const order[] = {"\"DeviceId\"", "\"DeviceName\"", "\"FirstSeen\"",
					    "\"LastSeen\"", "\"Report\"",     "\"Count\""};
	struct sink s;
	struct detector *d = new_detector(load(company_path, name_path), &s, NULL);
	struct detect_stats st;
	char t0[40], t1[40], *line;
	json_t *a[4];
	struct event e;
	const char *prev;

	event__init(&e);
	exec_event(&e, "AteraAgent.exe", "Atera Networks Ltd.", T0, 42);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_MATCH);
	assert_int_equal(event__list_count(&e, FIELD_MATCHED_RULES), 1);
	assert_string_equal(list_item(&e, FIELD_MATCHED_RULES, 0), "rmm-company");
	assert_false(event__isset(&e, FIELD_SUPPRESSED_BY));

	/* a new group alerts at once, its columns in the summarize's order */
	assert_int_equal(alerts(&s, a, 4, &line), 1);
	assert_string_equal(jstr(a[0], "RecordType"), "Alert");
	assert_string_equal(jstr(a[0], "RuleId"), "rmm-company");
	assert_string_equal(jstr(a[0], "RuleName"), "RMM by company");
	assert_string_equal(json_string_value(json_array_get(json_object_get(a[0], "Tactics"), 0)),
			    "CommandAndControl");
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(a[0], "Techniques"), 0)), "T1219");
	assert_string_equal(jstr(a[0], "DeviceId"), "dev-1");
	assert_string_equal(jstr(a[0], "DeviceName"), "host-1");
	timefmt__format_rfc3339_us(T0, t0, sizeof(t0));
	assert_string_equal(jstr(a[0], "FirstSeen"), t0);
	assert_string_equal(jstr(a[0], "LastSeen"), t0);
	assert_int_equal(json_array_size(json_object_get(a[0], "Report")), 1);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(a[0], "Report"), 0)),
			 42);
	assert_int_equal(jint(a[0], "Count"), 1);
	prev = line;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *at = strstr(line, order[i]);

		assert_non_null(at);
		assert_true(at >= prev);
		prev = at;
	}
	json_decref(a[0]);
	free(line);

	/* the same group again: counted, alerted at the next due time, not at once */
	exec_event(&e, "AteraAgent.exe", "Atera Networks Ltd.", T1, 43);
	assert_int_equal(detector__eval(d, &e, T1), DETECT_MATCH);
	assert_int_equal(alerts(&s, a, 4, NULL), 0);
	detector__flush(d, T1);
	assert_int_equal(alerts(&s, a, 4, NULL), 1);
	timefmt__format_rfc3339_us(T1, t1, sizeof(t1));
	assert_string_equal(jstr(a[0], "FirstSeen"), t0);
	assert_string_equal(jstr(a[0], "LastSeen"), t1);
	assert_int_equal(json_array_size(json_object_get(a[0], "Report")), 2);
	assert_int_equal(jint(a[0], "Count"), 2);
	json_decref(a[0]);

	detector__stats(d, &st);
	assert_int_equal(st.matched, 2);
	assert_int_equal(st.suppressed, 0);
	assert_int_equal(st.alerts, 2);
	assert_int_equal(detector__alerts(d, 0), 2);
	assert_int_equal(detector__alerts(d, 1), 0);
	event__free(&e);
	free_detector(d, &s);
}

static void eval__two_rules_match__both_listed(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, name_path), &s, NULL);
	json_t *a[4];
	struct event e;

	event__init(&e);
	exec_event(&e, "RMM-Tool", "Atera Networks Ltd.", T0, 1);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_MATCH);
	assert_int_equal(event__list_count(&e, FIELD_MATCHED_RULES), 2);
	assert_string_equal(list_item(&e, FIELD_MATCHED_RULES, 0), "rmm-company");
	assert_string_equal(list_item(&e, FIELD_MATCHED_RULES, 1), "rmm-name");
	assert_int_equal(alerts(&s, a, 4, NULL), 2);
	assert_string_equal(jstr(a[0], "RuleId"), "rmm-company");
	assert_string_equal(jstr(a[1], "RuleId"), "rmm-name");
	assert_int_equal(jint(a[1], "Count"), 1);
	json_decref(a[0]);
	json_decref(a[1]);
	event__free(&e);
	free_detector(d, &s);
}

static void eval__excluded_event__suppressed_and_no_alert(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, name_path), &s, NULL);
	struct detect_stats st;
	json_t *a[4];
	struct event e;

	event__init(&e);
	exec_event(&e, "AteraScheduler.exe", "Atera Networks Ltd.", T0, 1);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_SUPPRESSED);
	assert_string_equal(event__str(&e, FIELD_SUPPRESSED_BY), "agent-scheduler");
	assert_false(event__isset(&e, FIELD_MATCHED_RULES));
	detector__flush(d, T0);
	assert_int_equal(alerts(&s, a, 4, NULL), 0);

	detector__stats(d, &st);
	assert_int_equal(st.matched, 0);
	assert_int_equal(st.suppressed, 1);
	assert_int_equal(st.alerts, 0);
	assert_int_equal(detector__suppressed(d, 0, 0), 1);
	event__free(&e);
	free_detector(d, &s);
}

static void eval__no_rule_matches__none(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, name_path), &s, NULL);
	struct detect_stats st;
	struct event e;

	event__init(&e);
	exec_event(&e, "bash", "Debian", T0, 1);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_NONE);
	assert_false(event__isset(&e, FIELD_MATCHED_RULES));
	assert_false(event__isset(&e, FIELD_SUPPRESSED_BY));
	detector__stats(d, &st);
	assert_int_equal(st.matched + st.suppressed + st.alerts, 0);
	event__free(&e);
	free_detector(d, &s);
}

/* The pack's Atera certificate query. */
static const char cert_rule[] =
    "id: atera-signer\n"
    "name: Atera by signer\n"
    "query: |\n"
    "  DeviceFileCertificateInfo\n"
    "  | where Timestamp between (now(-5d)..now())\n"
    "  | where Signer has 'Atera Networks'\n"
    "  | summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp),\n"
    "  Report=make_set(ReportId), Count=count() by DeviceId, DeviceName, SHA1\n";

static void cert_event(struct event *e, const char *signer, const char *const *signers, size_t n,
		       int64_t ts, long report)
{
	event__reset_table(e, TABLE_CERTIFICATE);
	event__set_long(e, CERT_TIMESTAMP, ts);
	event__set_str(e, CERT_DEVICE_ID, "dev-1");
	event__set_str(e, CERT_DEVICE_NAME, "host-1");
	event__set_long(e, CERT_REPORT_ID, report);
	event__set_str(e, CERT_SHA1, "aa");
	event__set_long(e, CERT_IS_SIGNED, 1);
	event__set_str(e, CERT_SIGNATURE_TYPE, "Embedded");
	event__set_str(e, CERT_SIGNER, signer);
	event__set_list(e, CERT_SIGNERS, signers, n);
}

/* A record meets its own table's rules; a nested signer counts for Signer. */
static void eval__certificate_record__its_table_rules_only(void **state)
{
	char cert_path[80];
	const char *paths[] = {company_path, cert_path};
	const char *nested[] = {"Someone Else", "Atera Networks Ltd"};
	const char *other[] = {"Someone Else"};
	struct rules_diag diag;
	struct sink s;
	struct detector *d;
	struct ruleset *rs;
	json_t *a[4];
	struct event e;

	snprintf(cert_path, sizeof(cert_path), "%s/cert.yaml", dir);
	write_file(company_path, company_rule);
	write_file(cert_path, cert_rule);
	rs = ruleset__load_paths(paths, 2, &diag);
	if (!rs)
		fail_msg("rules: %s", diag.msg);
	d = new_detector(rs, &s, NULL);
	event__init(&e);

	/* the top signer is someone else; the nested one is Atera's */
	cert_event(&e, "Someone Else", nested, 2, T0, 7);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_MATCH);
	assert_int_equal(event__list_count(&e, CERT_MATCHED_RULES), 1);
	assert_string_equal(list_item(&e, CERT_MATCHED_RULES, 0), "atera-signer");
	assert_int_equal(alerts(&s, a, 4, NULL), 1);
	assert_string_equal(jstr(a[0], "RuleId"), "atera-signer");
	assert_string_equal(jstr(a[0], "Table"), "DeviceFileCertificateInfo");
	assert_string_equal(jstr(a[0], "DeviceName"), "host-1");
	assert_string_equal(jstr(a[0], "SHA1"), "aa");
	assert_int_equal(jint(a[0], "Count"), 1);
	json_decref(a[0]);

	cert_event(&e, "Someone Else", other, 1, T0, 8);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_NONE);

	/* a process record of Atera's meets the process rule only */
	exec_event(&e, "AteraAgent.exe", "Atera Networks Ltd.", T0, 9);
	event__set_str(&e, FIELD_SHA1, "aa");
	assert_int_equal(detector__eval(d, &e, T0), DETECT_MATCH);
	assert_int_equal(event__list_count(&e, FIELD_MATCHED_RULES), 1);
	assert_string_equal(list_item(&e, FIELD_MATCHED_RULES, 0), "rmm-company");
	assert_int_equal(alerts(&s, a, 4, NULL), 1);
	assert_string_equal(jstr(a[0], "Table"), "DeviceProcessEvents");
	json_decref(a[0]);
	event__free(&e);
	free_detector(d, &s);
	unlink(cert_path);
}

static void unmatchable__identity_only_rules__by_identity(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, NULL), &s, NULL);
	struct event e;

	event__init(&e);
	exec_event(&e, "bash", "Debian", T0, 1);
	assert_true(detector__unmatchable(d, &e, NULL));
	/* no company at all cannot match either */
	exec_event(&e, "bash", NULL, T0, 1);
	assert_true(detector__unmatchable(d, &e, NULL));
	exec_event(&e, "AteraAgent.exe", "Atera Networks Ltd.", T0, 1);
	assert_false(detector__unmatchable(d, &e, NULL));
	/* an exclusion reads per-exec columns, but only ever removes matches */
	exec_event(&e, "AteraScheduler.exe", "Atera Networks Ltd.", T0, 1);
	assert_false(detector__unmatchable(d, &e, NULL));
	event__free(&e);
	free_detector(d, &s);
}

/* A certificate rule that could match the file's certificate record keeps it unmarked. */
static void unmatchable__certificate_rule__by_the_file_signers(void **state)
{
	static const char path_rule[] =
	    "id: signer-path\n"
	    "name: by signer and path\n"
	    "query: |\n"
	    "  DeviceFileCertificateInfo\n"
	    "  | where Signer has 'Nobody' and FolderPath startswith '/opt'\n";
	char cert_path[80], path2[80];
	const char *paths[] = {company_path, cert_path, path2};
	const char *atera[] = {"Atera Networks Ltd"}, *other[] = {"Other Corp"};
	struct rules_diag diag;
	struct ruleset *rs;
	struct sink s;
	struct detector *d;
	struct event e, cert;

	snprintf(cert_path, sizeof(cert_path), "%s/cert.yaml", dir);
	snprintf(path2, sizeof(path2), "%s/path.yaml", dir);
	write_file(company_path, company_rule);
	write_file(cert_path, cert_rule);
	rs = ruleset__load_paths(paths, 2, &diag);
	if (!rs)
		fail_msg("rules: %s", diag.msg);
	d = new_detector(rs, &s, NULL);
	event__init(&e);
	event__init(&cert);
	/* a file whose version info says nothing of Atera, signed by Atera */
	exec_event(&e, "agent.exe", "Someone", T0, 1);
	cert_event(&cert, "Atera Networks Ltd", atera, 1, 0, 0);
	assert_false(detector__unmatchable(d, &e, &cert));
	/* signed by another: neither table's rules can match it */
	cert_event(&cert, "Other Corp", other, 1, 0, 0);
	assert_true(detector__unmatchable(d, &e, &cert));
	/* not signed: no certificate record, nothing to match */
	event__reset_table(&cert, TABLE_CERTIFICATE);
	assert_true(detector__unmatchable(d, &e, &cert));
	assert_true(detector__unmatchable(d, &e, NULL));
	free_detector(d, &s);

	/* a certificate rule reading the record's path: another run may have another path */
	write_file(path2, path_rule);
	paths[1] = path2;
	rs = ruleset__load_paths(paths, 2, &diag);
	if (!rs)
		fail_msg("rules: %s", diag.msg);
	d = new_detector(rs, &s, NULL);
	cert_event(&cert, "Other Corp", other, 1, 0, 0);
	assert_false(detector__unmatchable(d, &e, &cert));
	event__reset_table(&cert, TABLE_CERTIFICATE);
	assert_true(detector__unmatchable(d, &e, &cert));
	event__free(&e);
	event__free(&cert);
	free_detector(d, &s);
	unlink(cert_path);
	unlink(path2);
}

static void unmatchable__rule_reads_per_exec_column__never(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, name_path), &s, NULL);
	struct event e;

	event__init(&e);
	/* another exec of the same file may be named rmm-tool */
	exec_event(&e, "bash", "Debian", T0, 1);
	assert_false(detector__unmatchable(d, &e, NULL));
	event__free(&e);
	free_detector(d, &s);
}

static void reload__rule_stays__its_group_carries_over(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, name_path), &s, NULL);
	json_t *a[4];
	struct event e;

	event__init(&e);
	exec_event(&e, "RMM-Tool", "Atera Networks Ltd.", T0, 1);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_MATCH);
	assert_int_equal(alerts(&s, a, 4, NULL), 2);
	json_decref(a[0]);
	json_decref(a[1]);

	/* rmm-name is gone: its group goes with it; rmm-company keeps its count */
	assert_int_equal(detector__reload(d, load(company_path, NULL)), 0);
	assert_int_equal(ruleset__count(detector__rules(d)), 1);
	assert_string_equal(rule__id(ruleset__rule(detector__rules(d), 0)), "rmm-company");
	exec_event(&e, "RMM-Tool", "Atera Networks Ltd.", T1, 2);
	assert_int_equal(detector__eval(d, &e, T1), DETECT_MATCH);
	assert_int_equal(event__list_count(&e, FIELD_MATCHED_RULES), 1);
	detector__flush(d, T1);
	assert_int_equal(alerts(&s, a, 4, NULL), 1);
	assert_string_equal(jstr(a[0], "RuleId"), "rmm-company");
	assert_int_equal(jint(a[0], "Count"), 2);
	json_decref(a[0]);
	event__free(&e);
	free_detector(d, &s);
}

static void state_path__restart__groups_loaded_again(void **state)
{
	struct sink s;
	struct detector *d = new_detector(load(company_path, NULL), &s, state_path);
	json_t *a[4];
	struct event e;

	event__init(&e);
	exec_event(&e, "AteraAgent.exe", "Atera Networks Ltd.", T0, 1);
	assert_int_equal(detector__eval(d, &e, T0), DETECT_MATCH);
	detector__flush(d, T0); /* at shutdown: the state file is written */
	free_detector(d, &s);
	assert_int_equal(access(state_path, R_OK), 0);

	d = new_detector(load(company_path, NULL), &s, state_path);
	exec_event(&e, "AteraAgent.exe", "Atera Networks Ltd.", T1, 2);
	assert_int_equal(detector__eval(d, &e, T1), DETECT_MATCH);
	detector__flush(d, T1);
	assert_int_equal(alerts(&s, a, 4, NULL), 1);
	assert_int_equal(jint(a[0], "Count"), 2);
	assert_int_equal(json_array_size(json_object_get(a[0], "Report")), 2);
	json_decref(a[0]);
	event__free(&e);
	free_detector(d, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(eval__matching_event__match_and_alert_with_summarize_columns),
	    cmocka_unit_test(eval__two_rules_match__both_listed),
	    cmocka_unit_test(eval__excluded_event__suppressed_and_no_alert),
	    cmocka_unit_test(eval__no_rule_matches__none),
	    cmocka_unit_test(eval__certificate_record__its_table_rules_only),
	    cmocka_unit_test(unmatchable__identity_only_rules__by_identity),
	    cmocka_unit_test(unmatchable__rule_reads_per_exec_column__never),
	    cmocka_unit_test(unmatchable__certificate_rule__by_the_file_signers),
	    cmocka_unit_test(reload__rule_stays__its_group_carries_over),
	    cmocka_unit_test(state_path__restart__groups_loaded_again),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
