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
	l = &p->lets[p->nlets];
	l->name = strndup(p->tok.p, p->tok.n);
	if (!l->name)
		return -ENOMEM;
	p->nlets++;
	err = next(p);
	if (!err)
		err = expect(p, "=");
	if (!err)
		err = kql__parse_value(p, &l->val, true);
	return err ? err : expect(p, ";");
}

/* where PREDICATE: its top-level and-terms join those of the other where clauses. */
static int parse_where(struct parser *p)
{
	const struct kql_node *n;
	int idx;

	idx = kql__parse_predicate(p);
	if (idx < 0)
		return idx;
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

static int parse_operator(struct parser *p)
{
	struct kql_tok t = p->tok;
	int err;

	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a tabular operator after '|'");
	err = next(p);
	if (err)
		return err;
	if (kql__tok_is(&t, "where")) {
		if (p->summarized) {
			kql__diag_set(p->d, t.line, t.col,
				      "where after summarize is not supported");
			return -EINVAL;
		}
		return parse_where(p);
	}
	if (kql__tok_is(&t, "summarize")) {
		if (p->summarized) {
			kql__diag_set(p->d, t.line, t.col, "only one summarize is supported");
			return -EINVAL;
		}
		return kql__parse_summarize(p);
	}
	if (kql__tok_is(&t, "project") || kql__tok_is(&t, "extend")) {
		if (!p->summarized)
			return kql__parse_project_columns(p, kql__tok_is(&t, "project"));
		if (kql__tok_is(&t, "project"))
			return kql__parse_project_output(p);
		return fail(p, &t, "extend after summarize is not supported");
	}
	kql__diag_set(p->d, t.line, t.col,
		      "unsupported tabular operator '%.*s' (where, summarize, project, extend are)",
		      (int)t.n, t.p);
	return -EINVAL;
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
		err = fail(p, &p->tok, "expected '|' or the end of the query");
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
