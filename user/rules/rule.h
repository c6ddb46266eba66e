/* SPDX-License-Identifier: MIT */
/* Internal to user/rules: one compiled rule, and the YAML reader that makes it. */
#ifndef RMMHUNT_RULE_H
#define RMMHUNT_RULE_H

#include "kql.h"

#define RULE_MAX_LIST	    64 /* tactics, techniques */
#define RULE_MAX_EXCLUSIONS 256
#define RULE_MAX_YAML_DEPTH 32 /* nesting of the keys we skip */

struct rule_exclusion {
	char *id;
	char *description;
	char *expression;
	int root; /* node in the rule's prog */
};

struct rule {
	char *file;
	char *id;
	char *name;
	char *description;
	char **tactics;
	size_t ntactics;
	char **techniques;
	size_t ntechniques;
	struct rule_exclusion *excl;
	size_t nexcl;
	struct kql_prog prog;
	struct kql_query q;
	bool per_exec;	     /* the query or an exclusion reads a per-exec column */
	bool where_per_exec; /* the query's `where` does */
};

/* Appends "file:line:col: message" (or the message alone when @file is NULL) as a warning. */
void rules__diag_warn(struct rules_diag *diag, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Reads and compiles one rule file (@flags: RULES_STRICT). 0, or -EINVAL with diag->msg set. */
int rule_yaml__parse(const char *file, const char *text, size_t len, unsigned flags,
		     struct rule **out, struct rules_diag *diag);
void rule__free(struct rule *r);

/*
 * A path as ruleset__load_paths reads it: the file, or the .yaml/.yml files
 * of a directory tree (dot-directories skipped), sorted by path.
 */
int rules__expand_path(const char *path, char ***files, size_t *n, struct rules_diag *diag);
void rules__free_paths(char **files, size_t n);

#endif
