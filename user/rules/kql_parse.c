// SPDX-License-Identifier: MIT
/*
 * Compiles the KQL subset of hunting queries (docs: rules/README.md):
 *
 *   { let NAME = VALUE ; }
 *   TABLE                 DeviceProcessEvents, DeviceFileCertificateInfo, DeviceNetworkEvents
 *   { | where PREDICATE | project COLS | extend COLS }
 *   [ | summarize AGGS [by COLS] { | project COLS } ] [;]
 *
 * Keywords are case-sensitive, as in Kusto. The `where` clauses become one
 * conjunction of predicate nodes; `Timestamp between (now(-D)..now())` (or
 * `Timestamp > ago(D)`) among its top-level terms is the look-back window:
 * it stays in the tree but is marked, and the aggregator applies it.
 *
 * This file is the query level; kql_parse.h says where the rest is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kql_parse.h"

int kql__add_node(struct parser *p, const struct kql_node *n)
{
	int idx = kql__prog_add(p->prog, n);

	if (idx == -E2BIG)
		kql__diag_set(p->d, n->line, n->col, "query too large (more than %d predicates)",
			      KQL_MAX_NODES);
	return idx;
}

/* Kusto's aggregation functions, and a selection of its scalar functions, by name. */
static const char *const kusto_aggregates[] = {
    "arg_max",
    "arg_min",
    "avg",
    "avgif",
    "binary_all_and",
    "binary_all_or",
    "buildschema",
    "count",
    "count_distinct",
    "countif",
    "dcount",
    "dcountif",
    "hll",
    "make_bag",
    "make_list",
    "make_list_if",
    "make_set",
    "make_set_if",
    "max",
    "maxif",
    "min",
    "minif",
    "percentile",
    "percentiles",
    "stdev",
    "sum",
    "sumif",
    "take_any",
    "take_anyif",
    "variance",
};

static const char *const kusto_functions[] = {
    "ago",
    "array_length",
    "bag_has_key",
    "base64_decode_tostring",
    "bin",
    "case",
    "coalesce",
    "countof",
    "datetime_diff",
    "dayofweek",
    "endofday",
    "extract",
    "format_datetime",
    "gettype",
    "hash",
    "hash_sha256",
    "iff",
    "iif",
    "indexof",
    "ipv4_is_in_range",
    "ipv4_is_private",
    "isascii",
    "isempty",
    "isnan",
    "isnotempty",
    "isnotnull",
    "isnull",
    "isutf8",
    "not",
    "now",
    "pack",
    "parse_json",
    "parse_path",
    "parse_url",
    "replace_string",
    "reverse",
    "set_has_element",
    "split",
    "startofday",
    "strcat",
    "strlen",
    "substring",
    "tobool",
    "todatetime",
    "todouble",
    "tohex",
    "toint",
    "tolong",
    "tolower",
    "toreal",
    "tostring",
    "totimespan",
    "toupper",
    "trim",
    "trim_end",
    "trim_start",
    "url_decode",
};

static bool in_list(const struct kql_tok *t, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (kql__tok_is(t, list[i]))
			return true;
	return false;
}

/*
 * The words Kusto does not read as a name where a value belongs; others
 * (summarize, extend, let, ...) it reads as a name that refers to nothing.
 */
static const char *const keywords[] = {
    "and", "by", "dynamic", "false", "not", "or", "project", "true", "where",
};

bool kql__is_keyword(const struct kql_tok *t)
{
	return t->kind == TK_IDENT && (in_list(t, keywords, sizeof(keywords) / sizeof(*keywords)) ||
				       kql__is_operator(t) || table__find(t->p, t->n));
}

bool kql__starts_value(const struct kql_tok *t)
{
	static const char *const opens[] = {"(", "[", "-", "+"};
	static const char *const values[] = {"true", "false", "dynamic"};

	if (t->kind == TK_STRING || t->kind == TK_NUMBER || t->kind == TK_TIMESPAN)
		return true;
	if (t->kind == TK_PUNCT)
		return in_list(t, opens, sizeof(opens) / sizeof(*opens));
	return t->kind == TK_IDENT &&
	       (in_list(t, values, sizeof(values) / sizeof(*values)) || !kql__is_keyword(t));
}

int kql__arg_count(struct parser *p, const struct kql_tok *fn, const char *count)
{
	kql__diag_set(p->d, fn->line, fn->col, "'%.*s' expects %s", fn->n > 40 ? 40 : (int)fn->n,
		      fn->p, count);
	return -EINVAL;
}

int kql__fail(struct parser *p, const struct kql_tok *t, const char *what)
{
	/* on a later line, what is missing is reported at the end of the line before */
	bool moved = t->prev_line && t->line > t->prev_line;

	if (t->kind == TK_IDENT && !moved && !kql__is_keyword(t) && !kql__find_let(p, t) &&
	    !in_list(t, kusto_aggregates, sizeof(kusto_aggregates) / sizeof(*kusto_aggregates)) &&
	    !in_list(t, kusto_functions, sizeof(kusto_functions) / sizeof(*kusto_functions)) &&
	    (!p->table || (table__field(p->table, t->p, t->n) < 0 &&
			   !table__empty_column(p->table, t->p, t->n)))) {
		bool first = !p->d->msg[0];
		char *at;

		kql__diag_found(p->d, t, what, "query");
		at = strstr(p->d->msg, ", found '");
		if (first && at && strlen(p->d->msg) + 14 < sizeof(p->d->msg)) {
			at += strlen(", found ");
			memmove(at + 13, at, strlen(at) + 1);
			memcpy(at, "unknown name ", 13);
		}
		return -EINVAL;
	}
	kql__diag_found(p->d, t, what, "query");
	return -EINVAL;
}

int kql__function_call(struct parser *p, const struct kql_tok *name, bool aggregate)
{
	int n = name->n > 40 ? 40 : (int)name->n;

	if (in_list(name, kusto_aggregates, sizeof(kusto_aggregates) / sizeof(*kusto_aggregates)))
		kql__diag_set(p->d, name->line, name->col,
			      aggregate ? "unsupported: aggregation '%.*s' (min, max, count, "
					  "dcount, make_set are)"
					: "unsupported: aggregation '%.*s' outside summarize",
			      n, name->p);
	else if (in_list(name, kusto_functions, sizeof(kusto_functions) / sizeof(*kusto_functions)))
		kql__diag_set(p->d, name->line, name->col, "unsupported: function '%.*s'", n,
			      name->p);
	else
		kql__diag_set(p->d, name->line, name->col, "unknown function '%.*s'", n, name->p);
	return -EINVAL;
}

/* let NAME = TABLE { | where PREDICATE } | distinct COLUMN, the table being the current token. */
static int parse_tabular_let(struct parser *p, struct let_binding *l)
{
	const struct table_desc *outer = p->table, *table = table__find(p->tok.p, p->tok.n);
	struct kql_node all = {.op = KOP_AND, .line = p->tok.line, .col = p->tok.col};
	struct kql_subquery *s;
	int terms[KQL_MAX_DEPTH], nterms = 0, err;

	if (table->id == TABLE_PROCESS)
		return unsupported(p, &p->tok, "a tabular let over a table rmmhunt produces");
	/*
	 * The values of certificate records over the look-back are not kept: the
	 * set reads as empty, as it is for a table without records.
	 */
	if (table->produced) {
		kql__diag_warn(p->d, p->tok.line, p->tok.col,
			       "the values of %s records are not kept for a tabular let: its set "
			       "is empty",
			       table->name);
		p->q->dead_on_linux = true;
	}
	if (p->q->nsubs == KQL_MAX_SUBQUERIES) {
		kql__diag_set(p->d, p->tok.line, p->tok.col, "more than %d tabular lets",
			      KQL_MAX_SUBQUERIES);
		return -EINVAL;
	}
	s = &p->q->subs[p->q->nsubs];
	*s = (struct kql_subquery){.table = table, .root = -1};
	p->table = table;
	err = next(p);
	for (;;) {
		struct kql_tok op;
		char name[48];

		if (!err && !is(p, "|"))
			err = unsupported(p, &p->tok, "a tabular let without '| distinct COLUMN'");
		if (!err)
			err = next(p);
		op = p->tok;
		if (!err && op.kind != TK_IDENT)
			err = fail(p, &op, "expected a tabular operator after '|'");
		if (err)
			break;
		snprintf(name, sizeof(name), "%.*s", (int)(op.n < 40 ? op.n : 40), op.p);
		err = next(p);
		if (!err && !strcmp(name, "distinct")) {
			err = kql__parse_column(p, &s->field);
			s->type = p->col_type;
			if (!err && is(p, ","))
				err = unsupported(p, &p->tok, "distinct of several columns");
			break;
		}
		if (!err && strcmp(name, "where"))
			err = unsupported(p, &op,
					  "in a tabular let, tabular operators but where "
					  "and distinct");
		if (!err && nterms == KQL_MAX_DEPTH)
			err = unsupported(p, &op, "this many where clauses in a tabular let");
		if (!err)
			err = terms[nterms] = kql__parse_predicate(p);
		if (err >= 0)
			err = kql__no_bool_comparison(p);
		else
			break;
		nterms++;
	}
	p->table = outer;
	if (err < 0)
		return err;
	if (nterms == 1) {
		s->root = terms[0];
	} else if (nterms) {
		all.kids = malloc(nterms * sizeof(int));
		if (!all.kids)
			return -ENOMEM;
		memcpy(all.kids, terms, nterms * sizeof(int));
		all.nkids = nterms;
		s->root = kql__add_node(p, &all);
		if (s->root < 0) {
			free(all.kids);
			return s->root;
		}
	}
	l->val.kind = VK_TABLE;
	l->val.v.num = (int64_t)p->q->nsubs++;
	return 0;
}

static int parse_let(struct parser *p)
{
	struct let_binding *l;
	int err;

	err = next(p);
	if (err)
		return err;
	if (p->tok.kind != TK_IDENT)
		return fail(p, &p->tok, "expected a name after 'let'");
	if (p->nlets == KQL_MAX_LETS) {
		kql__diag_set(p->d, p->tok.line, p->tok.col, "more than %d let statements",
			      KQL_MAX_LETS);
		return -EINVAL;
	}
	/* the name is bound after its value, which cannot refer to it */
	l = &p->lets[p->nlets];
	memset(l, 0, sizeof(*l));
	l->name = strndup(p->tok.p, p->tok.n);
	if (!l->name)
		return -ENOMEM;
	err = next(p);
	if (!err)
		err = expect(p, "=");
	if (!err && p->tok.kind == TK_IDENT && table__find(p->tok.p, p->tok.n))
		err = parse_tabular_let(p, l);
	else if (!err)
		err = kql__parse_value(p, &l->val, true);
	if (err) {
		free(l->name);
		kql__pval_free(&l->val);
		l->name = NULL;
		return err;
	}
	p->nlets++;
	return expect(p, ";");
}

/* where PREDICATE: its top-level and-terms join those of the other where clauses. */
static int parse_where(struct parser *p)
{
	const struct kql_node *n;
	int idx;

	idx = kql__parse_predicate(p);
	if (idx < 0)
		return idx;
	if (kql__no_bool_comparison(p))
		return -EINVAL;
	n = &p->prog->nodes[idx];

	if (n->op == KOP_AND && !n->neg) { /* flatten: its terms are the query's terms */
		for (uint32_t i = 0; i < n->nkids && p->nconj < KQL_MAX_NODES; i++)
			p->conj[p->nconj++] = n->kids[i];
	} else if (p->nconj < KQL_MAX_NODES) {
		p->conj[p->nconj++] = idx;
	}
	return 0;
}

/* The look-back predicate among the top-level terms, if any. */
static void find_window(struct parser *p)
{
	for (size_t i = 0; i < p->nconj; i++) {
		struct kql_node *n = &p->prog->nodes[p->conj[i]];
		int64_t back;

		if (n->field != FIELD_TIMESTAMP || n->neg || !n->nvals || !n->vals[0].rel_now)
			continue;
		back = -n->vals[0].num;
		if (back <= 0)
			continue;
		if ((n->op == KOP_BETWEEN && n->vals[1].rel_now && n->vals[1].num == 0) ||
		    n->op == KOP_GT || n->op == KOP_GE) {
			n->window = true;
			if (!p->q->window_us || back < p->q->window_us)
				p->q->window_us = back;
		}
	}
}

/* Kusto's tabular operators outside the subset (a '-' joins the words of some). */
static const char *const other_operators[] = {
    "as",	    "consume",	    "count",	      "distinct",
    "evaluate",	    "facet",	    "find",	      "fork",
    "getschema",    "invoke",	    "join",	      "limit",
    "lookup",	    "make-series",  "mv-apply",	      "mv-expand",
    "order",	    "parse",	    "parse-where",    "partition",
    "project-away", "project-keep", "project-rename", "project-reorder",
    "reduce",	    "render",	    "sample",	      "sample-distinct",
    "scan",	    "search",	    "serialize",      "sort",
    "take",	    "top",	    "top-hitters",    "top-nested",
    "union",
};

/* The operator's name, with "-word" parts (project-away); the lexer ends after it. */
static int operator_name(struct parser *p, char *name, size_t size)
{
	size_t n = 0;
	int err;

	for (;;) {
		n += snprintf(name + n, size - n, "%.*s", (int)p->tok.n, p->tok.p);
		if (n >= size - 1)
			return 0;
		/* project-away is three tokens written without spaces */
		if (p->lx.pos >= p->lx.len || p->lx.s[p->lx.pos] != '-' ||
		    p->lx.pos + 1 >= p->lx.len)
			return 0;
		err = next(p);
		if (!err)
			err = next(p);
		if (err)
			return err;
		if (p->tok.kind != TK_IDENT)
			return 0;
		n += snprintf(name + n, size - n, "-");
	}
}

static int parse_operator(struct parser *p)
{
	struct kql_tok t = p->tok;
	char name[48];
	int err;

	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a tabular operator after '|'");
	err = operator_name(p, name, sizeof(name));
	if (!err)
		err = next(p);
	if (err)
		return err;
	if (!strcmp(name, "where")) {
		if (p->summarized)
			return unsupported(p, &t, "where after summarize");
		return parse_where(p);
	}
	if (!strcmp(name, "summarize")) {
		if (p->summarized)
			return unsupported(p, &t, "a second summarize");
		return kql__parse_summarize(p);
	}
	if (!strcmp(name, "project") || !strcmp(name, "extend")) {
		if (!p->summarized)
			return kql__parse_project_columns(p, !strcmp(name, "project"));
		if (!strcmp(name, "project"))
			return kql__parse_project_output(p);
		return unsupported(p, &t, "extend after summarize");
	}
	for (size_t i = 0; i < sizeof(other_operators) / sizeof(other_operators[0]); i++) {
		if (!strcmp(name, other_operators[i])) {
			kql__diag_set(p->d, t.line, t.col,
				      "unsupported: tabular operator '%s' (where, summarize, "
				      "project, extend are)",
				      name);
			return -EINVAL;
		}
	}
	kql__diag_set(p->d, t.line, t.col, "unknown tabular operator '%s'", name);
	return -EINVAL;
}

static bool next_is_end(struct parser *p)
{
	struct kql_lexer save = p->lx;
	struct kql_diag scratch = {0};
	struct kql_tok t;
	bool r;

	p->lx.d = &scratch;
	r = !kql__lex_next(&p->lx, &t) && t.kind == TK_EOF;
	p->lx = save;
	return r;
}

/*
 * Text after a complete query: Kusto reads it as the next statement, where the
 * table's columns are out of scope and most words are names (not where and
 * project, which start a query; nor operators, which continue a predicate;
 * nor let names, tables and functions).
 */
static int fail_after_query(struct parser *p)
{
	static const char *const starts[] = {"where", "project", "not", "true", "false"};
	const struct kql_tok *t = &p->tok;

	if (t->kind == TK_IDENT && !(t->prev_line && t->line > t->prev_line) &&
	    !in_list(t, starts, sizeof(starts) / sizeof(*starts)) && !kql__is_operator(t) &&
	    !kql__find_let(p, t) && !table__find(t->p, t->n) &&
	    !in_list(t, kusto_aggregates, sizeof(kusto_aggregates) / sizeof(*kusto_aggregates)) &&
	    !in_list(t, kusto_functions, sizeof(kusto_functions) / sizeof(*kusto_functions))) {
		kql__diag_set(p->d, t->line, t->col,
			      "expected '|' or the end of the query, found unknown name '%.*s'",
			      t->n > 40 ? 40 : (int)t->n, t->p);
		return -EINVAL;
	}
	/* Kusto compares a comparison's bool again (`A has 'x' in (...)`) */
	if (kql__is_operator(t))
		return unsupported(p, t, "an operator after a whole comparison (add parentheses)");
	return fail_plain(p, t, "expected '|' or the end of the query");
}

static int parse_query(struct parser *p)
{
	int err;

	err = next(p);
	while (!err && is(p, "let"))
		err = parse_let(p);
	if (err)
		return err;
	if (p->tok.kind != TK_IDENT)
		return fail(p, &p->tok, "expected a table name");
	p->table = table__find(p->tok.p, p->tok.n);
	if (!p->table && !kql__next_is(p, "|") && !kql__next_is(p, ";") && !next_is_end(p)) {
		/* not followed as a table is: a name Kusto cannot resolve */
		kql__diag_set(p->d, p->tok.line, p->tok.col,
			      "unknown name '%.*s': a query is let statements, then a table",
			      p->tok.n > 64 ? 64 : (int)p->tok.n, p->tok.p);
		return -EINVAL;
	}
	if (!p->table) {
		kql__diag_set(
		    p->d, p->tok.line, p->tok.col,
		    "unknown table '%.*s' (DeviceProcessEvents, DeviceFileCertificateInfo "
		    "and DeviceNetworkEvents are known)",
		    p->tok.n > 64 ? 64 : (int)p->tok.n, p->tok.p);
		return -EINVAL;
	}
	p->q->table = p->table;
	err = next(p);
	while (!err && is(p, "|")) {
		err = next(p);
		if (!err)
			err = parse_operator(p);
	}
	if (!err && is(p, ";"))
		err = next(p);
	if (!err && p->tok.kind != TK_EOF)
		err = fail_after_query(p);
	return err;
}

int kql__compile(const char *text, size_t len, struct kql_prog *prog, struct kql_query *q,
		 struct kql_diag *d)
{
	struct parser *p;
	int err;

	memset(q, 0, sizeof(*q));
	q->root = -1;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->d = d;
	p->prog = prog;
	p->q = q;
	kql__lex_init(&p->lx, text, len, d);
	err = parse_query(p);
	if (err)
		goto cleanup;
	find_window(p);
	if (!p->summarized)
		err = kql__default_summarize(p);
	if (!err && p->nconj) {
		struct kql_node n = {.op = KOP_AND, .line = 1, .col = 1, .nkids = p->nconj};

		n.kids = malloc(p->nconj * sizeof(int));
		if (!n.kids) {
			err = -ENOMEM;
			goto cleanup;
		}
		memcpy(n.kids, p->conj, p->nconj * sizeof(int));
		q->root = kql__add_node(p, &n);
		if (q->root < 0) {
			free(n.kids);
			err = q->root;
		}
	}
cleanup:
	for (size_t i = 0; i < p->nlets; i++) {
		free(p->lets[i].name);
		kql__pval_free(&p->lets[i].val);
	}
	for (size_t i = 0; i < p->naliases; i++)
		free(p->aliases[i].name);
	free(p);
	if (err == -ENOMEM)
		kql__diag_set(d, 1, 1, "out of memory");
	if (err)
		kql__query_free(q);
	return err ? -EINVAL : 0;
}

void kql__query_free(struct kql_query *q)
{
	if (!q)
		return;
	kql__cols_free(q->cols, q->ncols);
	free(q->cols);
	q->cols = NULL;
	q->ncols = 0;
}
