// SPDX-License-Identifier: MIT
/*
 * `rmmhunt rules check PATH...`: validates rule files, one JSON line per file
 * on stdout, errors and warnings as file:line:col on stderr; exit 0 or 1.
 * `rmmhunt rules list [--rules PATH]...`: one JSON line per loaded rule (the
 * built-in set when no --rules is given).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_writer.h"
#include "base/log.h"
#include "cmd/commands.h"
#include "rules/rule.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: rmmhunt rules check [--strict] [--rules] PATH...\n"
		   "       rmmhunt rules list [--skip-refused] [--rules PATH]...\n"
		   "       rmmhunt rules tables\n\n"
		   "PATH is a rule file or a directory tree of .yaml/.yml rule files.\n"
		   "check validates each file (errors and warnings name file:line:col),\n"
		   "prints one JSON line per file and a summary line; YAML broken only in\n"
		   "keys rmmhunt does not read is a warning, an error with --strict.\n"
		   "list prints one JSON line per rule loaded,\n"
		   "the built-in rules when no --rules is given; tables prints one JSON line\n"
		   "per column of each table a query can name.\n");
}

static void print_warnings(const struct rules_diag *diag)
{
	for (unsigned i = 0; i < diag->nwarnings; i++)
		fprintf(stderr, "warning: %s\n", diag->warnings[i]);
}

static void kv_strings(struct json_writer *w, const char *key, size_t n,
		       const char *(*get)(const struct rule *, size_t), const struct rule *r)
{
	jw__key(w, key);
	jw__array_begin(w);
	for (size_t i = 0; i < n; i++)
		jw__cstring(w, get(r, i));
	jw__array_end(w);
}

/* What kind of refusal @msg ("file:line:col: ...") is, for the summary. */
static const char *refusal_kind(const char *msg)
{
	if (strstr(msg, ": invalid YAML"))
		return "yaml";
	if (strstr(msg, ": query: unsupported: "))
		return "unsupported";
	if (strstr(msg, ": query: "))
		return "query";
	if (strstr(msg, ": exclusion: "))
		return "exclusion";
	return "rule";
}

struct check_counts {
	size_t files, valid, live, warned, yaml, unsupported, query, other;
};

/* Checks one file on its own, so its warnings are its own. Returns true when valid. */
static bool check_file(struct json_writer *w, const char *file, unsigned flags,
		       struct check_counts *c)
{
	struct rules_diag diag;
	struct ruleset *rs = ruleset__load_paths_flags(&file, 1, flags, &diag);
	const struct rule *r = ruleset__rule(rs, 0);
	const char *kind = rs ? NULL : refusal_kind(diag.msg);

	if (!rs)
		fprintf(stderr, "error: %s\n", diag.msg);
	print_warnings(&diag);
	c->files++;
	if (rs) {
		c->valid++;
		c->live += rule__live_on_linux(r);
		c->warned += diag.nwarnings > 0;
	} else if (!strcmp(kind, "yaml")) {
		c->yaml++;
	} else if (!strcmp(kind, "unsupported")) {
		c->unsupported++;
	} else if (!strcmp(kind, "query")) {
		c->query++;
	} else {
		c->other++;
	}
	jw__object_begin(w);
	jw__kv_str(w, "File", file);
	jw__kv_bool(w, "Valid", rs != NULL);
	jw__kv_str(w, "RuleId", r ? rule__id(r) : NULL);
	jw__kv_str(w, "Table", r ? rule__table(r)->name : NULL);
	if (r)
		jw__kv_bool(w, "LiveOnLinux", rule__live_on_linux(r));
	else
		jw__kv_str(w, "LiveOnLinux", NULL); /* null */
	jw__kv_str(w, "Error", rs ? NULL : diag.msg);
	jw__kv_str(w, "Refused", kind);
	jw__key(w, "Warnings");
	jw__array_begin(w);
	for (unsigned i = 0; i < diag.nwarnings; i++)
		jw__cstring(w, diag.warnings[i]);
	jw__array_end(w);
	jw__object_end(w);
	jw__flush_line(w, stdout);
	ruleset__free(rs);
	return rs != NULL;
}

static int cmd_check(int argc, char **argv)
{
	const char **paths = calloc(argc, sizeof(char *));
	struct check_counts c = {0};
	struct json_writer w;
	struct rules_diag diag;
	unsigned flags = 0;
	size_t npaths = 0;
	bool ok = true;

	if (!paths)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--strict"))
			flags |= RULES_STRICT;
		else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			paths[npaths++] = argv[++i];
		else if (!strncmp(argv[i], "--rules=", 8))
			paths[npaths++] = argv[i] + 8;
		else if (argv[i][0] == '-' && argv[i][1]) {
			pr_err("rules check: unexpected option '%s'", argv[i]);
			npaths = 0;
			break;
		} else
			paths[npaths++] = argv[i];
	}
	if (!npaths) {
		usage(stderr);
		free(paths);
		return 2;
	}
	jw__init(&w);
	for (size_t i = 0; i < npaths; i++) {
		char **files;
		size_t n;

		if (rules__expand_path(paths[i], &files, &n, &diag)) {
			fprintf(stderr, "error: %s\n", diag.msg);
			ok = false;
			continue;
		}
		for (size_t j = 0; j < n; j++)
			ok = check_file(&w, files[j], flags, &c) && ok;
		rules__free_paths(files, n);
	}
	/* Each file is fine alone: the set must also load together (unique ids). */
	if (ok) {
		struct ruleset *rs = ruleset__load_paths_flags(paths, npaths, flags, &diag);

		if (!rs) {
			fprintf(stderr, "error: %s\n", diag.msg);
			ok = false;
		}
		ruleset__free(rs);
	}
	jw__free(&w);
	free(paths);
	fprintf(stderr,
		"%zu of %zu rule files valid (%zu with warnings, %zu can match on Linux today); "
		"refused: %zu invalid YAML, %zu unsupported KQL, %zu other query errors, "
		"%zu other%s\n",
		c.valid, c.files, c.warned, c.live, c.yaml, c.unsupported, c.query, c.other,
		ok ? "" : "; the set does not load");
	return ok ? 0 : 1;
}

static const char *const agg_names[] = {
    [AGG_BY] = "by",	   [AGG_MIN] = "min",	    [AGG_MAX] = "max",
    [AGG_COUNT] = "count", [AGG_DCOUNT] = "dcount", [AGG_MAKE_SET] = "make_set",
};

static void list_rule(struct json_writer *w, const struct rule *r)
{
	jw__object_begin(w);
	jw__kv_str(w, "RuleId", rule__id(r));
	jw__kv_str(w, "RuleName", rule__name(r));
	jw__kv_str(w, "File", rule__file(r));
	jw__kv_str(w, "Table", rule__table(r)->name);
	jw__kv_bool(w, "TableProduced", rule__table(r)->produced);
	kv_strings(w, "Tactics", rule__ntactics(r), rule__tactic, r);
	kv_strings(w, "Techniques", rule__ntechniques(r), rule__technique, r);
	jw__kv_long(w, "WindowSeconds", rule__window_us(r) / 1000000);
	jw__kv_bool(w, "UsesPerExecFields", rule__uses_per_exec_fields(r));
	jw__key(w, "Exclusions");
	jw__array_begin(w);
	for (size_t i = 0; i < rule__nexclusions(r); i++) {
		jw__object_begin(w);
		jw__kv_str(w, "Id", rule__exclusion_id(r, i));
		jw__kv_str(w, "Description", rule__exclusion_description(r, i));
		jw__kv_str(w, "Expression", rule__exclusion_expression(r, i));
		jw__object_end(w);
	}
	jw__array_end(w);
	jw__key(w, "Columns");
	jw__array_begin(w);
	for (size_t i = 0; i < rule__nsummarize(r); i++) {
		const struct summarize_col *c = rule__summarize_col(r, i);

		jw__object_begin(w);
		jw__kv_str(w, "Name", c->name);
		jw__kv_str(w, "Aggregate", agg_names[c->kind]);
		jw__kv_str(w, "Column",
			   c->field >= 0 ? rule__table(r)->fields[c->field].name : NULL);
		if (c->kind == AGG_MAKE_SET)
			jw__kv_ulong(w, "Max", c->max);
		jw__object_end(w);
	}
	jw__array_end(w);
	jw__object_end(w);
	jw__flush_line(w, stdout);
}

static int cmd_list(int argc, char **argv)
{
	const char **paths = calloc(argc, sizeof(char *));
	struct rules_diag diag;
	struct json_writer w;
	struct ruleset *rs;
	unsigned flags = 0;
	size_t n = 0;

	if (!paths)
		return 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--skip-refused")) {
			flags |= RULES_SKIP_REFUSED;
		} else if (!strcmp(argv[i], "--rules") && i + 1 < argc) {
			paths[n++] = argv[++i];
		} else if (!strncmp(argv[i], "--rules=", 8)) {
			paths[n++] = argv[i] + 8;
		} else {
			pr_err("rules list: unexpected argument '%s'", argv[i]);
			usage(stderr);
			free(paths);
			return 2;
		}
	}
	rs = n ? ruleset__load_paths_flags(paths, n, flags, &diag) : ruleset__load_default(&diag);
	free(paths);
	print_warnings(&diag);
	if (!rs) {
		fprintf(stderr, "error: %s\n", diag.msg);
		return 1;
	}
	jw__init(&w);
	for (size_t i = 0; i < ruleset__count(rs); i++)
		list_rule(&w, ruleset__rule(rs, i));
	jw__free(&w);
	ruleset__free(rs);
	return 0;
}

static void list_columns(struct json_writer *w, const struct table_desc *t,
			 const struct field_desc *cols, size_t n, bool filled)
{
	for (size_t i = 0; i < n; i++) {
		jw__object_begin(w);
		jw__kv_str(w, "Table", t->name);
		jw__kv_str(w, "Column", cols[i].name);
		jw__kv_str(w, "Type", table__type_name(cols[i].type));
		jw__kv_bool(w, "Filled", filled);
		jw__kv_bool(w, "TableProduced", t->produced);
		jw__object_end(w);
		jw__flush_line(w, stdout);
	}
}

/* Every column of every table, for tools that check queries as rmmhunt does. */
static int cmd_tables(int argc, char **argv)
{
	struct json_writer w;

	(void)argv;
	if (argc > 1) {
		usage(stderr);
		return 2;
	}
	jw__init(&w);
	for (size_t i = 0; i < TABLE__COUNT; i++) {
		list_columns(&w, &tables[i], tables[i].fields, tables[i].nfields, true);
		list_columns(&w, &tables[i], tables[i].empty, tables[i].nempty, false);
	}
	jw__free(&w);
	return 0;
}

int cmd__rules(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "list"))
		return cmd_list(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "tables"))
		return cmd_tables(argc - 1, argv + 1);
	usage(stderr);
	return 2;
}
