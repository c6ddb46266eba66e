// SPDX-License-Identifier: MIT
/*
 * Rule sets: loading (all or nothing), the accessors of rules.h, and
 * rule__match(), the per-exec entry point.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rule.h"
#include "rules_default.h"

struct ruleset {
	struct rule **rules;
	size_t n, cap;
};

static int ruleset_add(struct ruleset *rs, const char *name, const char *text, size_t len,
		       struct rules_diag *diag)
{
	struct rule *r;
	int err;

	err = rule_yaml__parse(name, text, len, &r, diag);
	if (err)
		return err;
	for (size_t i = 0; i < rs->n; i++) {
		if (!strcmp(rs->rules[i]->id, r->id)) {
			snprintf(diag->msg, sizeof(diag->msg),
				 "%s: duplicate rule id '%s' (also in %s)", name, r->id,
				 rs->rules[i]->file);
			rule__free(r);
			return -EINVAL;
		}
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 8;
		struct rule **rules = realloc(rs->rules, cap * sizeof(*rules));

		if (!rules) {
			rule__free(r);
			snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", name);
			return -ENOMEM;
		}
		rs->rules = rules;
		rs->cap = cap;
	}
	rs->rules[rs->n++] = r;
	return 0;
}

void ruleset__free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule__free(rs->rules[i]);
	free(rs->rules);
	free(rs);
}

static struct ruleset *ruleset_new(struct rules_diag *diag)
{
	memset(diag, 0, sizeof(*diag));
	return calloc(1, sizeof(struct ruleset));
}

struct ruleset *ruleset__load_buffer(const char *name, const char *text, size_t len,
				     struct rules_diag *diag)
{
	struct ruleset *rs = ruleset_new(diag);

	if (!rs || ruleset_add(rs, name, text, len, diag)) {
		ruleset__free(rs);
		return NULL;
	}
	return rs;
}

struct ruleset *ruleset__load_default(struct rules_diag *diag)
{
	struct ruleset *rs = ruleset_new(diag);
	char name[128];

	if (!rs)
		return NULL;
	for (size_t i = 0; i < sizeof(rules_default) / sizeof(rules_default[0]); i++) {
		snprintf(name, sizeof(name), "builtin:%s", rules_default[i].name);
		if (ruleset_add(rs, name, rules_default[i].text, strlen(rules_default[i].text),
				diag)) {
			ruleset__free(rs);
			return NULL;
		}
	}
	return rs;
}

static int read_file(const char *path, char **text, size_t *len, struct rules_diag *diag)
{
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	*text = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = -errno;
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > RULE_MAX_FILE_SIZE) {
		err = -EINVAL;
		snprintf(diag->msg, sizeof(diag->msg), "%s: not a regular file of at most %d bytes",
			 path, RULE_MAX_FILE_SIZE);
		goto cleanup;
	}
	*text = malloc(st.st_size + 1);
	if (!*text) {
		err = -ENOMEM;
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
		goto cleanup;
	}
	*len = 0;
	while ((n = read(fd, *text + *len, st.st_size - *len)) > 0)
		*len += n;
	if (n < 0) {
		err = -errno;
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(errno));
		goto cleanup;
	}
	(*text)[*len] = '\0';
cleanup:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

static int load_file(struct ruleset *rs, const char *path, struct rules_diag *diag)
{
	char *text;
	size_t len = 0;
	int err;

	err = read_file(path, &text, &len, diag);
	if (err)
		return err;
	err = ruleset_add(rs, path, text, len, diag);
	free(text);
	return err;
}

static int rule_file_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	if (d->d_name[0] == '.')
		return 0;
	return (n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(d->d_name + n - 4, ".yml"));
}

int rules__expand_path(const char *path, char ***files, size_t *n, struct rules_diag *diag)
{
	struct dirent **ents = NULL;
	struct stat st;
	int count = 0, err = 0;

	*files = NULL;
	*n = 0;
	if (stat(path, &st)) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		*files = calloc(1, sizeof(char *));
		if (!*files || !((*files)[0] = strdup(path)))
			goto nomem;
		*n = 1;
		return 0;
	}
	count = scandir(path, &ents, rule_file_filter, alphasort);
	if (count < 0) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (count == 0) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: no .yaml or .yml rule files", path);
		err = -ENOENT;
		goto cleanup;
	}
	*files = calloc(count, sizeof(char *));
	if (!*files)
		goto nomem;
	for (int i = 0; i < count; i++) {
		size_t plen = strlen(path);

		while (plen > 1 && path[plen - 1] == '/')
			plen--;
		if (asprintf(&(*files)[i], "%.*s/%s", (int)plen, path, ents[i]->d_name) < 0)
			goto nomem;
		(*n)++;
	}
	goto cleanup;
nomem:
	snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
	err = -ENOMEM;
	rules__free_paths(*files, *n);
	*files = NULL;
	*n = 0;
cleanup:
	for (int i = 0; ents && i < count; i++)
		free(ents[i]);
	free(ents);
	return err;
}

void rules__free_paths(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

struct ruleset *ruleset__load_paths(const char *const *paths, size_t n, struct rules_diag *diag)
{
	struct ruleset *rs = ruleset_new(diag);
	int err = 0;

	if (!rs)
		return NULL;
	if (!n) {
		snprintf(diag->msg, sizeof(diag->msg), "no rule paths given");
		err = -EINVAL;
	}
	for (size_t i = 0; i < n && !err; i++) {
		char **files;
		size_t nfiles;

		err = rules__expand_path(paths[i], &files, &nfiles, diag);
		for (size_t j = 0; j < nfiles && !err; j++)
			err = load_file(rs, files[j], diag);
		rules__free_paths(files, nfiles);
	}
	if (err) {
		ruleset__free(rs);
		return NULL;
	}
	return rs;
}

size_t ruleset__count(const struct ruleset *rs)
{
	return rs ? rs->n : 0;
}

const struct rule *ruleset__rule(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->n ? rs->rules[i] : NULL;
}

const struct rule *ruleset__find(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; rs && i < rs->n; i++)
		if (!strcmp(rs->rules[i]->id, id))
			return rs->rules[i];
	return NULL;
}

const char *rule__id(const struct rule *r)
{
	return r->id;
}

const char *rule__name(const struct rule *r)
{
	return r->name;
}

const char *rule__description(const struct rule *r)
{
	return r->description ? r->description : "";
}

const char *rule__file(const struct rule *r)
{
	return r->file;
}

size_t rule__ntactics(const struct rule *r)
{
	return r->ntactics;
}

const char *rule__tactic(const struct rule *r, size_t i)
{
	return i < r->ntactics ? r->tactics[i] : NULL;
}

size_t rule__ntechniques(const struct rule *r)
{
	return r->ntechniques;
}

const char *rule__technique(const struct rule *r, size_t i)
{
	return i < r->ntechniques ? r->techniques[i] : NULL;
}

const struct table_desc *rule__table(const struct rule *r)
{
	return r->q.table;
}

int64_t rule__window_us(const struct rule *r)
{
	return r->q.window_us;
}

bool rule__uses_per_exec_fields(const struct rule *r)
{
	return r->per_exec;
}

bool rule__where_uses_per_exec_fields(const struct rule *r)
{
	return r->where_per_exec;
}

enum rule_match rule__match(const struct rule *r, const struct event *e, const char **exclusion_id)
{
	struct kql_eval_ctx ctx = {.e = e};

	if (r->q.table->id != TABLE_PROCESS)
		return RULE_NO_MATCH;
	if (r->q.root >= 0 && !kql__eval(&r->prog, r->q.root, &ctx))
		return RULE_NO_MATCH;
	for (size_t i = 0; i < r->nexcl; i++) {
		if (kql__eval(&r->prog, r->excl[i].root, &ctx)) {
			if (exclusion_id)
				*exclusion_id = r->excl[i].id;
			return RULE_SUPPRESSED;
		}
	}
	return RULE_MATCH;
}

size_t rule__nexclusions(const struct rule *r)
{
	return r->nexcl;
}

const char *rule__exclusion_id(const struct rule *r, size_t i)
{
	return i < r->nexcl ? r->excl[i].id : NULL;
}

const char *rule__exclusion_description(const struct rule *r, size_t i)
{
	return i < r->nexcl ? (r->excl[i].description ? r->excl[i].description : "") : NULL;
}

const char *rule__exclusion_expression(const struct rule *r, size_t i)
{
	return i < r->nexcl ? r->excl[i].expression : NULL;
}

size_t rule__nsummarize(const struct rule *r)
{
	return r->q.ncols;
}

const struct summarize_col *rule__summarize_col(const struct rule *r, size_t i)
{
	return i < r->q.ncols ? &r->q.cols[i] : NULL;
}
