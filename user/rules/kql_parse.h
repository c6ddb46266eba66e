/* SPDX-License-Identifier: MIT */
/*
 * Internal to the KQL compiler: the parser's state, shared by its files.
 *
 *   kql_parse.c      the query: let statements, the table, the tabular operators
 *   kql_value.c      literals, lists and let references
 *   kql_predicate.c  `where` predicates: comparisons, not(), and/or
 *   kql_columns.c    column names, project/extend and summarize
 */
#ifndef RMMHUNT_KQL_PARSE_H
#define RMMHUNT_KQL_PARSE_H

#include <errno.h>
#include <stdio.h>

#include "kql_lex.h"

enum vkind { VK_STRING, VK_NUMBER, VK_TIMESPAN, VK_TIME, VK_BOOL, VK_LIST, VK_REAL, VK_TABLE };

/* A value as written: a scalar in .v, or a list of scalars of .item_kind. */
struct pval {
	enum vkind kind, item_kind;
	struct kql_val v;
	struct kql_val *items;
	size_t nitems;
};

struct let_binding {
	char *name;
	struct pval val; /* VK_TABLE: v.num is the index of its subquery */
};

/* A column name from project/extend before summarize. */
struct alias {
	char *name;
	int field;
	enum field_type type;
};

struct parser {
	struct kql_lexer lx;
	struct kql_tok tok; /* the current token */
	struct kql_diag *d;
	struct kql_prog *prog;
	struct kql_query *q;
	const struct table_desc *table;
	enum field_type col_type; /* the type of the column kql__parse_column read last */
	int depth;
	struct let_binding lets[KQL_MAX_LETS];
	size_t nlets;
	struct alias aliases[KQL_MAX_COLS];
	size_t naliases;
	bool projected; /* only the aliases are columns now */
	bool summarized;
	bool joined;		 /* the term being parsed follows 'and' or 'or' */
	int conj[KQL_MAX_NODES]; /* top-level terms of all where clauses */
	size_t nconj;
};

/* The token helpers every grammar rule uses, kept short so the rules read as grammar. */
static inline int next(struct parser *p)
{
	return kql__lex_next(&p->lx, &p->tok);
}

static inline bool is(const struct parser *p, const char *text)
{
	return kql__tok_is(&p->tok, text);
}

/* kql_parse.c: "@what, found X"; an X that names nothing is reported as such, as Kusto does. */
int kql__fail(struct parser *p, const struct kql_tok *t, const char *what);

static inline int fail(struct parser *p, const struct kql_tok *t, const char *what)
{
	return kql__fail(p, t, what);
}

/*
 * Valid KQL outside the subset: "unsupported: WHAT" at @t, so a user (and the
 * reference tests) can tell it from an error in the query.
 */
static inline int unsupported(struct parser *p, const struct kql_tok *t, const char *what)
{
	kql__diag_set(p->d, t->line, t->col, "unsupported: %s", what);
	return -EINVAL;
}

/* True when the token after the current one is @text; the parser does not move. */
static inline bool kql__next_is(struct parser *p, const char *text)
{
	struct kql_lexer save = p->lx;
	struct kql_diag scratch = {0}; /* a lexing error is reported when the parser gets there */
	struct kql_tok t;
	bool r;

	p->lx.d = &scratch;
	r = !kql__lex_next(&p->lx, &t) && kql__tok_is(&t, text);
	p->lx = save;
	return r;
}

/* The token after the current one (a lexing error reads as the end); the parser does not move. */
static inline struct kql_tok kql__peek(struct parser *p)
{
	struct kql_lexer save = p->lx;
	struct kql_diag scratch = {0};
	struct kql_tok t;

	p->lx.d = &scratch;
	if (kql__lex_next(&p->lx, &t))
		t.kind = TK_EOF;
	p->lx = save;
	return t;
}

/*
 * "@what, found X", X never called an unknown name: for lists, where Kusto
 * reports the missing ',' or ')' before it.
 */
static inline int fail_plain(struct parser *p, const struct kql_tok *t, const char *what)
{
	kql__diag_found(p->d, t, what, "query");
	return -EINVAL;
}

static inline int expect(struct parser *p, const char *text)
{
	char what[48];

	if (is(p, text))
		return next(p);
	snprintf(what, sizeof(what), "expected '%s'", text);
	return fail(p, &p->tok, what);
}

/* kql_parse.c: appends a node, reporting a query over KQL_MAX_NODES; its index or -errno. */
int kql__add_node(struct parser *p, const struct kql_node *n);
/*
 * A call of @name that the subset does not have: "unsupported: function" for
 * one of Kusto's (an aggregation when @aggregate), else "unknown function".
 * Always -EINVAL.
 */
int kql__function_call(struct parser *p, const struct kql_tok *name, bool aggregate);
/* True for the words of the query language (where, by, and, has, ...), which name no column. */
bool kql__is_keyword(const struct kql_tok *t);
/*
 * True when @t can start a value in Kusto's grammar: a literal, '(', '[', a
 * sign, or a name (also one that names nothing). Where Kusto finds such a
 * token, it reads an expression there and reports what is wrong with it; where
 * it finds another, it reports the missing value (a syntax error).
 */
bool kql__starts_value(const struct kql_tok *t);
/* "'@fn' expects 1 argument" at @fn, as Kusto counts the arguments of a call. */
int kql__arg_count(struct parser *p, const struct kql_tok *fn, const char *count);

/* kql_value.c */
/* A value at the current token; lists (and let names bound to lists) only if @list_ok. */
int kql__parse_value(struct parser *p, struct pval *out, bool list_ok);
/*
 * At '+', '-', '*', '/' or '%' after a value: with no value after it, "expected
 * a value" there (Kusto's missing operand). 0 when there is none, or one follows.
 */
int kql__dangling_sign(struct parser *p);
/* The innermost let binding named @t, or NULL. */
const struct let_binding *kql__find_let(const struct parser *p, const struct kql_tok *t);
void kql__pval_free(struct pval *v);
/* "a string", "a number", ...: for messages. */
const char *kql__vkind_name(enum vkind k);

/* kql_predicate.c: a where predicate (or-chains of and-chains); its node index or -errno. */
int kql__parse_predicate(struct parser *p);
/* True when @t names a comparison operator, ours or one of Kusto's we do not have. */
bool kql__is_operator(const struct kql_tok *t);
/* After a predicate: `== (...)`, `< ...` compare bools, which Kusto allows and the subset does not.
 */
int kql__no_bool_comparison(struct parser *p);

/* kql_columns.c */
/* A column: an alias from project/extend, or a column of the query's table (type in p->col_type).
 */
int kql__parse_column(struct parser *p, int *field);
/* project (@project) or extend before summarize: [NAME =] COLUMN, ... */
int kql__parse_project_columns(struct parser *p, bool project);
/* project after summarize: selects, reorders and renames the output columns. */
int kql__parse_project_output(struct parser *p);
int kql__parse_summarize(struct parser *p);
/* No summarize: the seed rule's columns, so every rule alerts with the same shape. */
int kql__default_summarize(struct parser *p);
void kql__cols_free(struct summarize_col *cols, size_t n);

#endif
