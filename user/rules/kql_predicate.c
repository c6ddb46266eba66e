// SPDX-License-Identifier: MIT
/*
 * The predicates of `where`:
 *
 *   PREDICATE := TERM { or TERM }
 *   TERM      := PRIMARY { and PRIMARY }
 *   PRIMARY   := ( PREDICATE ) | not ( PREDICATE ) | isempty ( COLUMN )
 *              | isnotempty ( COLUMN ) | COLUMN OPERATOR OPERAND
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kql_parse.h"

enum rhs { R_STR, R_LIST, R_EQ, R_CMP, R_BETWEEN };

static const struct {
	const char *name;
	enum kql_op op;
	bool neg, all;
	enum rhs rhs;
} operators[] = {
    {"has", KOP_HAS, false, false, R_STR},
    {"!has", KOP_HAS, true, false, R_STR},
    {"has_cs", KOP_HAS_CS, false, false, R_STR},
    {"!has_cs", KOP_HAS_CS, true, false, R_STR},
    {"has_any", KOP_HAS, false, false, R_LIST},
    {"has_all", KOP_HAS, false, true, R_LIST},
    {"contains", KOP_CONTAINS, false, false, R_STR},
    {"!contains", KOP_CONTAINS, true, false, R_STR},
    {"contains_cs", KOP_CONTAINS_CS, false, false, R_STR},
    {"!contains_cs", KOP_CONTAINS_CS, true, false, R_STR},
    {"startswith", KOP_STARTSWITH, false, false, R_STR},
    {"!startswith", KOP_STARTSWITH, true, false, R_STR},
    {"startswith_cs", KOP_STARTSWITH_CS, false, false, R_STR},
    {"!startswith_cs", KOP_STARTSWITH_CS, true, false, R_STR},
    {"endswith", KOP_ENDSWITH, false, false, R_STR},
    {"!endswith", KOP_ENDSWITH, true, false, R_STR},
    {"endswith_cs", KOP_ENDSWITH_CS, false, false, R_STR},
    {"!endswith_cs", KOP_ENDSWITH_CS, true, false, R_STR},
    {"==", KOP_EQ, false, false, R_EQ},
    {"!=", KOP_EQ, true, false, R_EQ},
    {"=~", KOP_EQ_CI, false, false, R_STR},
    {"!~", KOP_EQ_CI, true, false, R_STR},
    {"in", KOP_EQ, false, false, R_LIST},
    {"!in", KOP_EQ, true, false, R_LIST},
    {"in~", KOP_EQ_CI, false, false, R_LIST},
    {"!in~", KOP_EQ_CI, true, false, R_LIST},
    {"<", KOP_LT, false, false, R_CMP},
    {"<=", KOP_LE, false, false, R_CMP},
    {">", KOP_GT, false, false, R_CMP},
    {">=", KOP_GE, false, false, R_CMP},
    {"between", KOP_BETWEEN, false, false, R_BETWEEN},
    {"!between", KOP_BETWEEN, true, false, R_BETWEEN},
};

/* The value kind a number-like column compares with. */
static enum vkind column_vkind(enum field_type type)
{
	switch (type) {
	case FT_TIME:
		return VK_TIME;
	case FT_BOOL:
		return VK_BOOL;
	default:
		return VK_NUMBER;
	}
}

static int check_kind(struct parser *p, const struct kql_tok *at, enum vkind got, enum vkind want,
		      const char *column)
{
	if (got == want || (want == VK_BOOL && got == VK_NUMBER))
		return 0;
	kql__diag_set(p->d, at->line, at->col, "'%s' compares with %s, not %s", column,
		      kql__vkind_name(want), kql__vkind_name(got));
	return -EINVAL;
}

/* COLUMN OPERATOR VALUE, the current token being the column. */
static int parse_comparison(struct parser *p)
{
	struct kql_tok col_tok = p->tok, op_tok, val_tok;
	struct kql_node n = {.line = col_tok.line, .col = col_tok.col};
	struct pval v = {0}, hi = {0};
	char column[128];
	enum field_type type;
	bool is_str;
	size_t i;
	int err, idx;

	err = kql__parse_column(p, &n.field);
	if (err)
		return err;
	snprintf(column, sizeof(column), "%.*s", (int)col_tok.n, col_tok.p);
	type = n.field < 0 ? FT_STRING : event_fields[n.field].type;
	is_str = type == FT_STRING || type == FT_STRLIST;
	op_tok = p->tok;
	for (i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (kql__tok_is(&op_tok, operators[i].name))
			break;
	if (i == sizeof(operators) / sizeof(operators[0])) {
		if (op_tok.kind == TK_EOF)
			return fail(p, &op_tok, "expected an operator");
		kql__diag_set(p->d, op_tok.line, op_tok.col, "unknown operator '%.*s'",
			      (int)op_tok.n, op_tok.p);
		return -EINVAL;
	}
	n.op = operators[i].op;
	n.neg = operators[i].neg;
	n.all = operators[i].all;
	err = next(p);
	if (err)
		return err;
	val_tok = p->tok;
	switch (operators[i].rhs) {
	case R_STR:
	case R_EQ:
		err = kql__parse_value(p, &v, false);
		if (err)
			break;
		if (operators[i].rhs == R_EQ && !is_str) {
			n.op = KOP_NUM_EQ;
			err = check_kind(p, &val_tok, v.kind, column_vkind(type), column);
		} else if (!is_str) {
			kql__diag_set(p->d, op_tok.line, op_tok.col,
				      "'%s' needs a string column; '%s' is not one",
				      operators[i].name, column);
			err = -EINVAL;
		} else {
			err = check_kind(p, &val_tok, v.kind, VK_STRING, column);
		}
		if (err)
			break;
		n.vals = malloc(sizeof(*n.vals));
		if (!n.vals) {
			err = -ENOMEM;
			break;
		}
		n.vals[0] = v.v;
		memset(&v.v, 0, sizeof(v.v));
		n.nvals = 1;
		break;
	case R_LIST:
		if (!is(p, "(") && !is(p, "dynamic") && !kql__find_let(p, &p->tok)) {
			err = fail(p, &p->tok, "expected a list such as ('a', 'b')");
			break;
		}
		err = kql__parse_value(p, &v, true);
		if (err)
			break;
		if (v.kind != VK_LIST) {
			err = fail(p, &val_tok, "expected a list such as ('a', 'b')");
			break;
		}
		if (!is_str && n.op == KOP_EQ) {
			n.op = KOP_NUM_EQ;
			err = v.nitems
				  ? check_kind(p, &val_tok, v.item_kind, column_vkind(type), column)
				  : 0;
		} else if (!is_str) {
			kql__diag_set(p->d, op_tok.line, op_tok.col,
				      "'%s' needs a string column; '%s' is not one",
				      operators[i].name, column);
			err = -EINVAL;
		} else if (v.nitems) {
			err = check_kind(p, &val_tok, v.item_kind, VK_STRING, column);
		}
		if (err)
			break;
		n.vals = v.items;
		n.nvals = v.nitems;
		v.items = NULL;
		v.nitems = 0;
		break;
	case R_CMP:
	case R_BETWEEN:
		if (is_str || type == FT_BOOL) {
			kql__diag_set(p->d, op_tok.line, op_tok.col,
				      "'%s' needs a number or datetime column; '%s' is not one",
				      operators[i].name, column);
			err = -EINVAL;
			break;
		}
		if (operators[i].rhs == R_BETWEEN && (err = expect(p, "(")))
			break;
		val_tok = p->tok;
		err = kql__parse_value(p, &v, false);
		if (!err)
			err = check_kind(p, &val_tok, v.kind, column_vkind(type), column);
		if (!err && operators[i].rhs == R_BETWEEN) {
			err = expect(p, "..");
			val_tok = p->tok;
			if (!err)
				err = kql__parse_value(p, &hi, false);
			if (!err)
				err = check_kind(p, &val_tok, hi.kind, column_vkind(type), column);
			if (!err)
				err = expect(p, ")");
		}
		if (err)
			break;
		n.nvals = operators[i].rhs == R_BETWEEN ? 2 : 1;
		n.vals = calloc(n.nvals, sizeof(*n.vals));
		if (!n.vals) {
			err = -ENOMEM;
			break;
		}
		n.vals[0] = v.v;
		if (n.nvals == 2)
			n.vals[1] = hi.v;
		memset(&v.v, 0, sizeof(v.v));
		memset(&hi.v, 0, sizeof(hi.v));
		break;
	}
	kql__pval_free(&v);
	kql__pval_free(&hi);
	if (err) {
		for (uint32_t j = 0; j < n.nvals; j++)
			kql__val_free(&n.vals[j]);
		free(n.vals);
		return err;
	}
	idx = kql__add_node(p, &n);
	if (idx < 0) {
		for (uint32_t j = 0; j < n.nvals; j++)
			kql__val_free(&n.vals[j]);
		free(n.vals);
	}
	return idx;
}

static int parse_primary(struct parser *p)
{
	struct kql_tok t = p->tok;
	struct kql_node n = {.line = t.line, .col = t.col};
	struct kql_lexer save;
	int err, idx;

	if (is(p, "(") || is(p, "not")) {
		bool negate = is(p, "not");

		if (++p->depth > KQL_MAX_DEPTH) {
			kql__diag_set(p->d, t.line, t.col, "expression nested deeper than %d",
				      KQL_MAX_DEPTH);
			return -EINVAL;
		}
		err = next(p);
		if (!err && negate)
			err = expect(p, "(");
		if (err)
			return err;
		idx = kql__parse_predicate(p);
		if (idx < 0)
			return idx;
		err = expect(p, ")");
		if (err)
			return err;
		p->depth--;
		if (!negate)
			return idx;
		n.op = KOP_NOT;
		n.kids = malloc(sizeof(int));
		if (!n.kids)
			return -ENOMEM;
		n.kids[0] = idx;
		n.nkids = 1;
		idx = kql__add_node(p, &n);
		if (idx < 0)
			free(n.kids);
		return idx;
	}
	if (is(p, "isempty") || is(p, "isnotempty")) {
		n.op = KOP_ISEMPTY;
		n.neg = is(p, "isnotempty");
		err = next(p);
		if (!err)
			err = expect(p, "(");
		if (!err)
			err = kql__parse_column(p, &n.field);
		if (!err)
			err = expect(p, ")");
		return err ? err : kql__add_node(p, &n);
	}
	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a predicate");
	/* NAME( is a function call, which we do not have */
	save = p->lx;
	err = next(p);
	if (err)
		return err;
	if (is(p, "(")) {
		kql__diag_set(p->d, t.line, t.col, "unsupported function '%.*s'", (int)t.n, t.p);
		return -EINVAL;
	}
	p->lx = save;
	p->tok = t;
	return parse_comparison(p);
}

/* A chain of @word-separated terms as one n-ary node (no recursion per term). */
static int parse_chain(struct parser *p, const char *word, enum kql_op op,
		       int (*term)(struct parser *))
{
	struct kql_node node = {.op = op, .line = p->tok.line, .col = p->tok.col};
	size_t cap = 0;
	int idx;

	idx = term(p);
	if (idx < 0 || !is(p, word))
		return idx;
	for (;;) {
		if (node.nkids == cap) {
			int *kids;

			cap = cap ? cap * 2 : 4;
			kids = realloc(node.kids, cap * sizeof(*kids));
			if (!kids) {
				idx = -ENOMEM;
				goto fail;
			}
			node.kids = kids;
		}
		node.kids[node.nkids++] = idx;
		if (!is(p, word))
			break;
		idx = next(p);
		if (!idx)
			idx = term(p);
		if (idx < 0)
			goto fail;
	}
	idx = kql__add_node(p, &node);
	if (idx >= 0)
		return idx;
fail:
	free(node.kids);
	return idx;
}

static int parse_and(struct parser *p)
{
	return parse_chain(p, "and", KOP_AND, parse_primary);
}

int kql__parse_predicate(struct parser *p)
{
	return parse_chain(p, "or", KOP_OR, parse_and);
}
