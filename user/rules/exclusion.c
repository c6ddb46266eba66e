// SPDX-License-Identifier: MIT
/*
 * Exclusions in the syntax of the seed rule's false-positive notes:
 *
 *   process.parent_process_name == "AteraService" or process.name == "AteraScheduler"
 *
 * FIELD OP "value" terms (OP: == != contains startswith endswith, and
 * `in ("a", "b")`), joined by and/or, negated by not, grouped by
 * parentheses. Fields map onto event columns (below). Names follow Windows
 * habits: == on process.name and process.parent_process_name ignores case
 * and a trailing ".exe" on either side; == on other fields is exact.
 * contains, startswith and endswith ignore case everywhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kql_lex.h"

static const struct {
	const char *name;
	int field;
	bool image_name;
} fields[] = {
    {"process.name", FIELD_FILE_NAME, true},
    {"process.parent_process_name", FIELD_INITIATING_PROCESS_FILE_NAME, true},
    {"process.user", FIELD_ACCOUNT_NAME, false},
    {"process.command_line", FIELD_PROCESS_COMMAND_LINE, false},
    {"process.parent_command_line", FIELD_INITIATING_PROCESS_COMMAND_LINE, false},
    {"process.path", FIELD_FOLDER_PATH, false},
    {"process.parent_path", FIELD_INITIATING_PROCESS_FOLDER_PATH, false},
};

static const struct {
	const char *name;
	enum kql_op op; /* KOP_EQ becomes KOP_NAME_EQ on image names */
	bool neg, list;
} operators[] = {
    {"==", KOP_EQ, false, false},
    {"!=", KOP_EQ, true, false},
    {"contains", KOP_CONTAINS, false, false},
    {"!contains", KOP_CONTAINS, true, false},
    {"startswith", KOP_STARTSWITH, false, false},
    {"!startswith", KOP_STARTSWITH, true, false},
    {"endswith", KOP_ENDSWITH, false, false},
    {"!endswith", KOP_ENDSWITH, true, false},
    {"in", KOP_EQ, false, true},
    {"!in", KOP_EQ, true, true},
};

struct xparser {
	struct kql_lexer lx;
	struct kql_tok tok;
	struct kql_diag *d;
	struct kql_prog *prog;
	int depth;
};

static int next(struct xparser *x)
{
	return kql__lex_next(&x->lx, &x->tok);
}

static int fail(struct xparser *x, const char *what)
{
	kql__diag_found(x->d, &x->tok, what, "expression");
	return -EINVAL;
}

static int expect(struct xparser *x, const char *text)
{
	char what[32];

	if (kql__tok_is(&x->tok, text))
		return next(x);
	snprintf(what, sizeof(what), "expected '%s'", text);
	return fail(x, what);
}

static void free_node(struct kql_node *n)
{
	for (uint32_t i = 0; i < n->nvals; i++)
		kql__val_free(&n->vals[i]);
	free(n->vals);
	free(n->kids);
}

static int add(struct xparser *x, struct kql_node *n)
{
	int idx = kql__prog_add(x->prog, n);

	if (idx < 0) {
		free_node(n);
		kql__diag_set(x->d, n->line, n->col, "expression too large");
	}
	return idx;
}

/* A string literal appended to n->vals. */
static int add_string(struct xparser *x, struct kql_node *n)
{
	struct kql_val *vals;
	char *s;
	size_t len;
	int err;

	if (x->tok.kind != TK_STRING)
		return fail(x, "expected a string in quotes");
	if (n->nvals >= KQL_MAX_LIST)
		return fail(x, "list too long");
	vals = realloc(n->vals, (n->nvals + 1) * sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	n->vals = vals;
	err = kql__tok_string(&x->tok, &s, &len);
	if (err)
		return err;
	err = kql__val_set_str(&n->vals[n->nvals], s, len);
	free(s);
	if (err)
		return err;
	n->nvals++;
	return next(x);
}

static int parse_term(struct xparser *x)
{
	struct kql_node n = {.line = x->tok.line, .col = x->tok.col};
	char name[64];
	size_t i, f;
	int err;

	/* FIELD is IDENT { . IDENT } */
	if (x->tok.kind != TK_IDENT)
		return fail(x, "expected a field such as process.name");
	snprintf(name, sizeof(name), "%.*s", (int)x->tok.n, x->tok.p);
	err = next(x);
	while (!err && kql__tok_is(&x->tok, ".")) {
		err = next(x);
		if (!err && x->tok.kind != TK_IDENT)
			return fail(x, "expected a field name after '.'");
		if (!err && strlen(name) + 1 + x->tok.n < sizeof(name)) {
			strcat(name, ".");
			strncat(name, x->tok.p, x->tok.n);
		}
		if (!err)
			err = next(x);
	}
	if (err)
		return err;
	for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
		if (!strcmp(fields[f].name, name))
			break;
	if (f == sizeof(fields) / sizeof(fields[0])) {
		kql__diag_set(x->d, n.line, n.col, "unknown field '%s'", name);
		return -EINVAL;
	}
	n.field = fields[f].field;
	for (i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (kql__tok_is(&x->tok, operators[i].name))
			break;
	if (i == sizeof(operators) / sizeof(operators[0])) {
		if (x->tok.kind == TK_EOF)
			return fail(x, "expected an operator");
		kql__diag_set(x->d, x->tok.line, x->tok.col, "unknown operator '%.*s'",
			      (int)x->tok.n, x->tok.p);
		return -EINVAL;
	}
	n.op = operators[i].op == KOP_EQ && fields[f].image_name ? KOP_NAME_EQ : operators[i].op;
	n.neg = operators[i].neg;
	err = next(x);
	if (!err && operators[i].list) {
		const char *close = kql__tok_is(&x->tok, "[") ? "]" : ")";

		if (!kql__tok_is(&x->tok, "(") && !kql__tok_is(&x->tok, "["))
			err = fail(x, "expected a list such as (\"a\", \"b\")");
		if (!err)
			err = next(x);
		while (!err && !kql__tok_is(&x->tok, close)) {
			if (n.nvals)
				err = expect(x, ",");
			if (!err)
				err = add_string(x, &n);
		}
		if (!err)
			err = next(x);
	} else if (!err) {
		err = add_string(x, &n);
	}
	if (err) {
		free_node(&n);
		return err;
	}
	return add(x, &n);
}

static int parse_or(struct xparser *x);

static int parse_unary(struct xparser *x)
{
	struct kql_node n = {.op = KOP_NOT, .line = x->tok.line, .col = x->tok.col};
	bool negate = kql__tok_is(&x->tok, "not");
	int idx, err;

	if (!negate && !kql__tok_is(&x->tok, "("))
		return parse_term(x);
	if (++x->depth > KQL_MAX_DEPTH) {
		kql__diag_set(x->d, n.line, n.col, "expression nested deeper than %d",
			      KQL_MAX_DEPTH);
		return -EINVAL;
	}
	err = next(x);
	if (err)
		return err;
	if (negate) {
		idx = parse_unary(x);
	} else {
		idx = parse_or(x);
		if (idx >= 0 && (err = expect(x, ")")))
			idx = err;
	}
	x->depth--;
	if (idx < 0 || !negate)
		return idx;
	n.kids = malloc(sizeof(int));
	if (!n.kids)
		return -ENOMEM;
	n.kids[0] = idx;
	n.nkids = 1;
	return add(x, &n);
}

static int parse_chain(struct xparser *x, const char *word, enum kql_op op,
		       int (*term)(struct xparser *))
{
	struct kql_node n = {.op = op, .line = x->tok.line, .col = x->tok.col};
	int idx = term(x), err;

	if (idx < 0 || !kql__tok_is(&x->tok, word))
		return idx;
	for (;;) {
		int *kids = realloc(n.kids, (n.nkids + 1) * sizeof(int));

		if (!kids) {
			free(n.kids);
			return -ENOMEM;
		}
		n.kids = kids;
		n.kids[n.nkids++] = idx;
		if (!kql__tok_is(&x->tok, word))
			break;
		err = next(x);
		idx = err ? err : term(x);
		if (idx < 0) {
			free(n.kids);
			return idx;
		}
	}
	return add(x, &n);
}

static int parse_and(struct xparser *x)
{
	return parse_chain(x, "and", KOP_AND, parse_unary);
}

static int parse_or(struct xparser *x)
{
	return parse_chain(x, "or", KOP_OR, parse_and);
}

int exclusion__compile(const char *text, size_t len, struct kql_prog *prog, struct kql_diag *d)
{
	struct xparser x = {.d = d, .prog = prog};
	int idx;

	kql__lex_init(&x.lx, text, len, d);
	idx = next(&x);
	if (!idx && x.tok.kind == TK_EOF)
		idx = fail(&x, "expected an expression");
	if (!idx)
		idx = parse_or(&x);
	if (idx >= 0 && x.tok.kind != TK_EOF)
		idx = fail(&x, "expected 'and', 'or' or the end of the expression");
	if (idx == -ENOMEM)
		kql__diag_set(d, 1, 1, "out of memory");
	return idx < 0 ? -EINVAL : idx;
}
