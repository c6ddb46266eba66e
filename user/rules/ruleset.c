// SPDX-License-Identifier: MIT
/*
 * Rule sets: loading (all or nothing), the accessors of rules.h, and
 * rule__match(), the per-exec entry point.
 */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "rule.h"
#include "rules_default.h"

struct ruleset {
	struct rule **rules;
	size_t n, cap;
	size_t *of_table[TABLE__COUNT]; /* indices of each table's rules, in load order */
	size_t nof_table[TABLE__COUNT];
	size_t refused; /* files of a tree left out: they did not load */
};

static int ruleset_add(struct ruleset *rs, const char *name, const char *text, size_t len,
		       unsigned flags, struct rules_diag *diag)
{
	struct rule *r;
	int err;

	err = rule_yaml__parse(name, text, len, flags, &r, diag);
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
		bool grown = rules != NULL;

		if (rules)
			rs->rules = rules;
		for (size_t t = 0; grown && t < TABLE__COUNT; t++) {
			size_t *idx = realloc(rs->of_table[t], cap * sizeof(*idx));

			grown = idx != NULL;
			if (idx)
				rs->of_table[t] = idx;
		}
		if (!grown) {
			rule__free(r);
			snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", name);
			return -ENOMEM;
		}
		rs->cap = cap;
	}
	rs->of_table[r->q.table->id][rs->nof_table[r->q.table->id]++] = rs->n;
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
	for (size_t t = 0; t < TABLE__COUNT; t++)
		free(rs->of_table[t]);
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

	if (!rs || ruleset_add(rs, name, text, len, 0, diag)) {
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
				RULES_STRICT, diag)) {
			ruleset__free(rs);
			return NULL;
		}
	}
	return rs;
}

static int read_file(const char *path, char **text, size_t *len, struct rules_diag *diag)
{
	int err = file__read_at(AT_FDCWD, path, RULE_MAX_FILE_SIZE, FILE_REGULAR, text, len);

	if (err == -EINVAL || err == -EFBIG) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: not a regular file of at most %d bytes",
			 path, RULE_MAX_FILE_SIZE);
		return -EINVAL;
	}
	if (err == -ENOMEM)
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
	else if (err)
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(-err));
	return err;
}

static int load_file(struct ruleset *rs, const char *path, unsigned flags, struct rules_diag *diag)
{
	char *text;
	size_t len = 0;
	int err;

	err = read_file(path, &text, &len, diag);
	if (err)
		return err;
	err = ruleset_add(rs, path, text, len, flags, diag);
	free(text);
	return err;
}

static bool is_rule_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int skip_dots(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Bounds on a directory tree given as rules: a clone of a pack, not a file system. */
#define RULES_MAX_DEPTH 16
#define RULES_MAX_FILES 65536

struct path_list {
	char **files;
	size_t n, cap;
};

static int path_list_add(struct path_list *l, char *path)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **files = realloc(l->files, cap * sizeof(*files));

		if (!files)
			return -ENOMEM;
		l->files = files;
		l->cap = cap;
	}
	l->files[l->n++] = path;
	return 0;
}

/* The rule files under @dir, depth first, each directory's entries sorted. */
static int walk(const char *dir, int depth, struct path_list *out, struct rules_diag *diag)
{
	struct dirent **ents = NULL;
	int count, err = 0;

	count = scandir(dir, &ents, skip_dots, alphasort);
	if (count < 0) {
		err = -errno;
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", dir, strerror(errno));
		return err;
	}
	for (int i = 0; i < count && !err; i++) {
		struct stat st;
		char *path;

		if (asprintf(&path, "%s/%s", dir, ents[i]->d_name) < 0) {
			err = -ENOMEM;
			break;
		}
		/* directories are not followed through symlinks: no loops */
		if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
			if (depth + 1 >= RULES_MAX_DEPTH) {
				snprintf(diag->msg, sizeof(diag->msg),
					 "%s: directories nested deeper than %d", path,
					 RULES_MAX_DEPTH);
				err = -ELOOP;
			} else {
				err = walk(path, depth + 1, out, diag);
			}
			free(path);
		} else if (is_rule_file(ents[i]->d_name)) {
			if (out->n == RULES_MAX_FILES) {
				snprintf(diag->msg, sizeof(diag->msg),
					 "%s: more than %d rule files", dir, RULES_MAX_FILES);
				err = -E2BIG;
			}
			if (err || (err = path_list_add(out, path)))
				free(path);
		} else {
			free(path);
		}
	}
	for (int i = 0; i < count; i++)
		free(ents[i]);
	free(ents);
	return err;
}

int rules__expand_path(const char *path, char ***files, size_t *n, struct rules_diag *diag)
{
	struct path_list l = {0};
	struct stat st;
	size_t plen = strlen(path);
	char *root;
	int err;

	*files = NULL;
	*n = 0;
	if (stat(path, &st)) {
		err = -errno;
		snprintf(diag->msg, sizeof(diag->msg), "%s: %s", path, strerror(errno));
		return err;
	}
	if (!S_ISDIR(st.st_mode)) {
		*files = calloc(1, sizeof(char *));
		if (!*files || !((*files)[0] = strdup(path))) {
			free(*files);
			*files = NULL;
			snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
			return -ENOMEM;
		}
		*n = 1;
		return 0;
	}
	while (plen > 1 && path[plen - 1] == '/')
		plen--;
	root = strndup(path, plen);
	if (!root) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
		return -ENOMEM;
	}
	err = walk(root, 0, &l, diag);
	free(root);
	if (err == -ENOMEM)
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", path);
	if (!err && !l.n) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: no .yaml or .yml rule files", path);
		err = -ENOENT;
	}
	if (err) {
		rules__free_paths(l.files, l.n);
		return err;
	}
	*files = l.files;
	*n = l.n;
	return 0;
}

void rules__free_paths(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

struct ruleset *ruleset__load_paths(const char *const *paths, size_t n, struct rules_diag *diag)
{
	return ruleset__load_paths_flags(paths, n, 0, diag);
}

struct ruleset *ruleset__load_paths_flags(const char *const *paths, size_t n, unsigned flags,
					  struct rules_diag *diag)
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
		struct stat st;
		bool tree = !stat(paths[i], &st) && S_ISDIR(st.st_mode);
		char **files;
		size_t nfiles;

		err = rules__expand_path(paths[i], &files, &nfiles, diag);
		for (size_t j = 0; j < nfiles && !err; j++) {
			err = load_file(rs, files[j], flags & ~RULES_SKIP_REFUSED, diag);
			if (err && err != -ENOMEM && tree && (flags & RULES_SKIP_REFUSED)) {
				rules__diag_warn(diag, "left out: %s", diag->msg);
				rs->refused++;
				err = 0;
			}
		}
		rules__free_paths(files, nfiles);
	}
	if (err) {
		ruleset__free(rs);
		return NULL;
	}
	return rs;
}

size_t ruleset__refused(const struct ruleset *rs)
{
	return rs ? rs->refused : 0;
}

size_t ruleset__count(const struct ruleset *rs)
{
	return rs ? rs->n : 0;
}

const struct rule *ruleset__rule(const struct ruleset *rs, size_t i)
{
	return rs && i < rs->n ? rs->rules[i] : NULL;
}

size_t ruleset__table_count(const struct ruleset *rs, enum table_id t)
{
	return rs && t < TABLE__COUNT ? rs->nof_table[t] : 0;
}

size_t ruleset__table_rule(const struct ruleset *rs, enum table_id t, size_t k)
{
	return rs->of_table[t][k];
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

bool rule__live_on_linux(const struct rule *r)
{
	return r->q.table->produced && !r->q.dead_on_linux;
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

	if (r->q.table->id != e->table)
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
