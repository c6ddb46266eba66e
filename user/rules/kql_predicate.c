// SPDX-License-Identifier: MIT
/*
 * The predicates of `where`:
 *
 *   PREDICATE := TERM { or TERM }
 *   TERM      := PRIMARY { and PRIMARY }
 *   PRIMARY   := ( PREDICATE ) | not ( PREDICATE ) | isempty ( COLUMN )
 *              | isnotempty ( COLUMN ) | COLUMN OPERATOR OPERAND
 *
 * Each operator family takes its own operand: one value (has, ==, =~ ...),
 * a list (in, has_any ...), one bound (<, >= ...) or a range (between).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kql_parse.h"

/* A comparison being parsed: what its operand is checked against, and named in messages. */
struct comparison {
	const char *op; /* the operator as written */
	struct kql_tok op_tok;
	char column[128];
	enum field_type type;
	bool is_str;
	bool equality; /* ==, !=, in, !in: Kusto compares values of any two kinds */
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

/*
 * The kind of the value at the current token when its first token tells (past
 * any '('), else -1: Kusto types ('a', 1) as its first value.
 */
static int leading_kind(struct parser *p)
{
	struct kql_lexer save = p->lx;
	struct kql_diag scratch = {0};
	struct kql_tok t = p->tok;
	int kind = -1;

	p->lx.d = &scratch;
	while (kql__tok_is(&t, "(") && !kql__lex_next(&p->lx, &t))
		;
	if (t.kind == TK_STRING)
		kind = VK_STRING;
	else if (t.kind == TK_TIMESPAN)
		kind = VK_TIMESPAN;
	else if (t.kind == TK_NUMBER)
		kind = t.decimal ? VK_REAL : VK_NUMBER;
	else if (kql__tok_is(&t, "true") || kql__tok_is(&t, "false"))
		kind = VK_BOOL;
	else if (kql__tok_is(&t, "now") || kql__tok_is(&t, "ago") || kql__tok_is(&t, "datetime"))
		kind = VK_TIME;
	p->lx = save;
	return kind;
}

static int check_kind(struct parser *p, const struct comparison *c, const struct kql_tok *at,
		      enum vkind got, enum vkind want)
{
	if (got == want || (want == VK_BOOL && got == VK_NUMBER))
		return 0;
	/* valid KQL whose conversions rmmhunt does not reproduce */
	if (c->equality || (got == VK_REAL && want == VK_NUMBER)) {
		kql__diag_set(p->d, at->line, at->col, "unsupported: comparing '%s' (%s) with %s",
			      c->column, kql__vkind_name(want), kql__vkind_name(got));
		return -EINVAL;
	}
	kql__diag_set(p->d, at->line, at->col, "'%s' compares with %s, not %s", c->column,
		      kql__vkind_name(want), kql__vkind_name(got));
	return -EINVAL;
}

/* The operator does not apply to the column's type; @wanted: "a string", ... */
static int wrong_column(struct parser *p, const struct comparison *c, const char *wanted)
{
	kql__diag_set(p->d, c->op_tok.line, c->op_tok.col, "'%s' needs %s column; '%s' is not one",
		      c->op, wanted, c->column);
	return -EINVAL;
}

/*
 * The kind a string operator's values must have: strings, except that ==, !=,
 * in and !in also compare a number, time or bool column with its own kind.
 */
static int string_operand_kind(struct parser *p, const struct comparison *c, struct kql_node *n,
			       enum vkind *want)
{
	if (c->is_str) {
		*want = VK_STRING;
		return 0;
	}
	if (n->op != KOP_EQ)
		return wrong_column(p, c, "a string");
	n->op = KOP_NUM_EQ;
	*want = column_vkind(c->type);
	return 0;
}

static int number_column(struct parser *p, const struct comparison *c)
{
	/* Kusto orders a dynamic value at run time; our lists hold only strings */
	if (c->type == FT_STRLIST)
		return unsupported(p, &c->op_tok, "ordering a dynamic column");
	if (c->is_str)
		return wrong_column(p, c, "a number or datetime");
	if (c->type == FT_BOOL) /* Kusto orders false before true */
		return unsupported(p, &c->op_tok, "ordering bools");
	return 0;
}

/* Moves the scalars of @vals[0..@count) into the node. */
static int take_values(struct kql_node *n, struct pval *vals, uint32_t count)
{
	n->vals = calloc(count, sizeof(*n->vals));
	if (!n->vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		n->vals[i] = vals[i].v;
		memset(&vals[i].v, 0, sizeof(vals[i].v));
	}
	n->nvals = count;
	return 0;
}

/*
 * The operand of each operator family; each fills n->vals only when it
 * succeeds. A broken value or list is reported before a column of the wrong
 * type; for a bound or a range, the column's type is checked first.
 */

/* has, contains, startswith, endswith, ==, =~ and their negations: one value. */
static int operand_value(struct parser *p, const struct comparison *c, struct kql_node *n)
{
	struct kql_tok at = p->tok;
	enum vkind want = VK_STRING;
	struct pval v = {0};
	int err, lead = leading_kind(p);

	/* Kusto types the operand before it reads all of it: has ago() is a type error */
	if (lead >= 0) {
		err = string_operand_kind(p, c, n, &want);
		if (!err)
			err = check_kind(p, c, &at, lead, want);
		if (err)
			return err;
	}
	/* a dynamic list where one value belongs is a type error (a list is never a string) */
	err = kql__parse_value(p, &v, is(p, "dynamic"));
	if (!err && lead < 0)
		err = string_operand_kind(p, c, n, &want);
	if (!err)
		err = check_kind(p, c, &at, v.kind, want);
	if (!err)
		err = take_values(n, &v, 1);
	kql__pval_free(&v);
	return err;
}

/* ( NAME ) of a tabular let: COLUMN in (NAME). 1 when it was one, 0 when not, or -errno. */
static int operand_set(struct parser *p, const struct comparison *c, struct kql_node *n)
{
	struct kql_lexer save = p->lx;
	struct kql_tok open = p->tok, name;
	const struct let_binding *l;
	const struct kql_subquery *s;
	int err;

	if (!is(p, "("))
		return 0;
	err = next(p);
	name = p->tok;
	l = err ? NULL : kql__find_let(p, &name);
	if (!l || l->val.kind != VK_TABLE || kql__next_is(p, ",")) {
		p->lx = save;
		p->tok = open;
		return err;
	}
	s = &p->q->subs[l->val.v.num];
	if (n->op != KOP_EQ)
		return unsupported(p, &c->op_tok,
				   "this operator with a tabular let (in and !in are "
				   "supported)");
	if ((s->type == FT_STRING || s->type == FT_STRLIST) != c->is_str ||
	    (!c->is_str && s->type != c->type)) {
		/* valid KQL (in converts), whose conversions rmmhunt does not reproduce */
		kql__diag_set(p->d, name.line, name.col,
			      "unsupported: comparing '%s' (%s) with %s values", c->column,
			      table__type_name(c->type), table__type_name(s->type));
		return -EINVAL;
	}
	n->op = KOP_IN_SET;
	n->set = (int)l->val.v.num;
	err = next(p);
	if (!err)
		err = expect(p, ")");
	return err ? err : 1;
}

/* in, in~, has_any, has_all and their negations: a list, or a let name bound to one. */
static int operand_list(struct parser *p, const struct comparison *c, struct kql_node *n)
{
	struct kql_tok at = p->tok;
	bool opens = is(p, "(") || is(p, "dynamic") || kql__find_let(p, &at);
	enum vkind want = VK_STRING;
	struct pval v = {0};
	int err = operand_set(p, c, n);

	if (err)
		return err < 0 ? err : 0;
	if (opens)
		err = kql__parse_value(p, &v, true);
	if (!err && (!opens || v.kind != VK_LIST))
		err = fail(p, &at, "expected a list such as ('a', 'b')");
	if (!err)
		err = string_operand_kind(p, c, n, &want);
	if (!err && v.nitems)
		err = check_kind(p, c, &at, v.item_kind, want);
	if (!err) {
		n->vals = v.items;
		n->nvals = v.nitems;
		v.items = NULL;
		v.nitems = 0;
	}
	kql__pval_free(&v);
	return err;
}

/* <, <=, >, >=: one bound, on a number or datetime column. */
static int operand_bound(struct parser *p, const struct comparison *c, struct kql_node *n)
{
	struct kql_tok at = p->tok;
	struct pval v = {0};
	int err;

	err = kql__parse_value(p, &v, false);
	if (!err)
		err = kql__dangling_sign(p);
	if (!err)
		err = number_column(p, c);
	if (!err)
		err = check_kind(p, c, &at, v.kind, column_vkind(c->type));
	if (!err)
		err = take_values(n, &v, 1);
	kql__pval_free(&v);
	return err;
}

/* between (LOW .. HIGH) and !between, on a number or datetime column. */
static int operand_range(struct parser *p, const struct comparison *c, struct kql_node *n)
{
	enum vkind want = column_vkind(c->type);
	struct kql_tok at[2];
	struct pval v[2] = {0};
	int err;

	err = expect(p, "(");
	at[0] = p->tok;
	if (!err)
		err = kql__parse_value(p, &v[0], false);
	if (!err)
		err = expect(p, "..");
	at[1] = p->tok;
	if (!err)
		err = kql__parse_value(p, &v[1], false);
	if (!err)
		err = expect(p, ")");
	if (!err)
		err = number_column(p, c);
	if (!err)
		err = check_kind(p, c, &at[0], v[0].kind, want);
	/* (datetime .. timespan) is Kusto's "from, for" range */
	if (!err && want == VK_TIME && v[1].kind == VK_TIMESPAN)
		err = unsupported(p, &at[1], "a datetime range ending in a timespan");
	if (!err)
		err = check_kind(p, c, &at[1], v[1].kind, want);
	if (!err)
		err = take_values(n, v, 2);
	kql__pval_free(&v[0]);
	kql__pval_free(&v[1]);
	return err;
}

static const struct cmp_operator {
	const char *name;
	enum kql_op op;
	bool neg, all;
	int (*operand)(struct parser *p, const struct comparison *c, struct kql_node *n);
} operators[] = {
    {"has", KOP_HAS, false, false, operand_value},
    {"!has", KOP_HAS, true, false, operand_value},
    {"has_cs", KOP_HAS_CS, false, false, operand_value},
    {"!has_cs", KOP_HAS_CS, true, false, operand_value},
    {"has_any", KOP_HAS, false, false, operand_list},
    {"has_all", KOP_HAS, false, true, operand_list},
    {"contains", KOP_CONTAINS, false, false, operand_value},
    {"!contains", KOP_CONTAINS, true, false, operand_value},
    {"contains_cs", KOP_CONTAINS_CS, false, false, operand_value},
    {"!contains_cs", KOP_CONTAINS_CS, true, false, operand_value},
    {"startswith", KOP_STARTSWITH, false, false, operand_value},
    {"!startswith", KOP_STARTSWITH, true, false, operand_value},
    {"startswith_cs", KOP_STARTSWITH_CS, false, false, operand_value},
    {"!startswith_cs", KOP_STARTSWITH_CS, true, false, operand_value},
    {"endswith", KOP_ENDSWITH, false, false, operand_value},
    {"!endswith", KOP_ENDSWITH, true, false, operand_value},
    {"endswith_cs", KOP_ENDSWITH_CS, false, false, operand_value},
    {"!endswith_cs", KOP_ENDSWITH_CS, true, false, operand_value},
    {"==", KOP_EQ, false, false, operand_value},
    {"!=", KOP_EQ, true, false, operand_value},
    {"=~", KOP_EQ_CI, false, false, operand_value},
    {"!~", KOP_EQ_CI, true, false, operand_value},
    {"in", KOP_EQ, false, false, operand_list},
    {"!in", KOP_EQ, true, false, operand_list},
    {"in~", KOP_EQ_CI, false, false, operand_list},
    {"!in~", KOP_EQ_CI, true, false, operand_list},
    {"<", KOP_LT, false, false, operand_bound},
    {"<=", KOP_LE, false, false, operand_bound},
    {">", KOP_GT, false, false, operand_bound},
    {">=", KOP_GE, false, false, operand_bound},
    {"between", KOP_BETWEEN, false, false, operand_range},
    {"!between", KOP_BETWEEN, true, false, operand_range},
};

/* Kusto's operators rmmhunt does not evaluate. */
static const char *const other_operators[] = {
    "hasprefix",    "!hasprefix",    "hasprefix_cs",  "!hasprefix_cs", "hassuffix",
    "!hassuffix",   "hassuffix_cs",  "!hassuffix_cs", "matches",       "like",
    "notlike",	    "notcontains",   "notcontainscs", "has_any_cs",    "has_all_cs",
    "contains_any", "!contains_any", "notbetween",
};

static bool other_operator(const struct kql_tok *t)
{
	for (size_t i = 0; i < sizeof(other_operators) / sizeof(other_operators[0]); i++)
		if (kql__tok_is(t, other_operators[i]))
			return true;
	return false;
}

static const struct cmp_operator *find_operator(const struct kql_tok *t);

bool kql__is_operator(const struct kql_tok *t)
{
	return find_operator(t) || other_operator(t);
}

static const struct cmp_operator *find_operator(const struct kql_tok *t)
{
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++)
		if (kql__tok_is(t, operators[i].name))
			return &operators[i];
	return NULL;
}

/*
 * Legal, but never true on Linux: FolderPath and InitiatingProcessFolderPath
 * hold Linux paths ('/'), also for Windows programs under Wine (their Windows
 * path is WindowsPath), so a needle with a backslash matches nothing.
 */
static void warn_windows_path(struct parser *p, const struct comparison *c,
			      const struct kql_node *n)
{
	size_t len = strlen(c->column);

	if (!c->is_str || len < 10 || strcmp(c->column + len - 10, "FolderPath"))
		return;
	for (uint32_t i = 0; i < n->nvals; i++) {
		if (n->vals[i].s && memchr(n->vals[i].s, '\\', n->vals[i].len)) {
			kql__diag_warn(p->d, c->op_tok.line, c->op_tok.col,
				       "'%s' holds Linux paths: a value with '\\' never matches "
				       "it on Linux (a Wine program's Windows path is WindowsPath)",
				       c->column);
			p->q->dead_on_linux = true;
			return;
		}
	}
}

/* What may follow a whole predicate. */
static bool ends_predicate(const struct parser *p)
{
	return p->tok.kind == TK_EOF || is(p, "and") || is(p, "or") || is(p, ")") || is(p, "|") ||
	       is(p, ";");
}

/* True when the token after the current one starts a value: COLUMN WORD VALUE misspells an
 * operator. */
static bool before_value(struct parser *p)
{
	struct kql_tok t = kql__peek(p);

	return t.kind == TK_STRING || t.kind == TK_NUMBER || t.kind == TK_TIMESPAN ||
	       kql__tok_is(&t, "(");
}

/*
 * True when the operand at @t is there for Kusto to type: it starts a value
 * and is no name that refers to nothing (Kusto reports a missing operand or an
 * unknown name alone, without the operator's type error).
 */
static bool operand_present(struct parser *p, const struct kql_tok *t)
{
	static const char *const values[] = {"true", "false", "now", "ago", "datetime", "dynamic"};

	if (!kql__starts_value(t))
		return false;
	if (t->kind != TK_IDENT)
		return true;
	for (size_t i = 0; i < sizeof(values) / sizeof(*values); i++)
		if (kql__tok_is(t, values[i]))
			return true;
	return kql__find_let(p, t) || table__field(p->table, t->p, t->n) >= 0 ||
	       table__empty_column(p->table, t->p, t->n);
}

/* True when the operand after the operator is one value then a sign with nothing after it. */
static bool dangling(struct parser *p)
{
	static const char *const arith[] = {"+", "-", "*", "/", "%"};
	struct kql_lexer save = p->lx;
	struct kql_diag scratch = {0};
	struct kql_tok t[3];
	bool r = false;

	p->lx.d = &scratch;
	for (int i = 0; i < 3; i++)
		if (kql__lex_next(&p->lx, &t[i]))
			t[i].kind = TK_EOF;
	p->lx = save;
	for (size_t i = 0; i < sizeof(arith) / sizeof(*arith); i++)
		if (kql__tok_is(&t[1], arith[i]))
			r = !kql__starts_value(&t[2]) || kql__tok_is(&t[2], "-") ||
			    kql__tok_is(&t[2], "+");
	return r;
}

/* The operators that bind tighter than <, >, <=, >= (and cannot follow one another). */
static bool binds_tighter(const struct kql_tok *t)
{
	const struct cmp_operator *op = find_operator(t);

	return other_operator(t) ||
	       (op && op->operand != operand_bound &&
		!(op->operand == operand_value && (op->op == KOP_EQ || op->op == KOP_EQ_CI)));
}

/* A column alone: a bool column is its own predicate (== true). */
static int column_predicate(struct parser *p, struct kql_node *n, const struct comparison *c,
			    const struct kql_tok *col_tok)
{
	int idx;

	if (c->type != FT_BOOL) {
		kql__diag_set(p->d, col_tok->line, col_tok->col,
			      "'%s' is not a bool: compare it with an operator", c->column);
		return -EINVAL;
	}
	n->op = KOP_NUM_EQ;
	n->vals = calloc(1, sizeof(*n->vals));
	if (!n->vals)
		return -ENOMEM;
	n->vals[0].num = 1;
	n->nvals = 1;
	idx = kql__add_node(p, n);
	if (idx < 0) {
		free(n->vals);
		n->vals = NULL;
		n->nvals = 0;
	}
	return idx;
}

/* COLUMN OPERATOR OPERAND, the current token being the column. */
static int parse_comparison(struct parser *p)
{
	const struct kql_tok col_tok = p->tok;
	struct kql_node n = {.line = col_tok.line, .col = col_tok.col};
	const struct cmp_operator *op;
	struct comparison c;
	int err;

	/* NAME = VALUE names a value, whatever NAME is: a predicate of the value's type */
	if (col_tok.kind == TK_IDENT && kql__next_is(p, "="))
		return unsupported(p, &col_tok, "NAME = VALUE in a predicate (compare with '==')");
	err = kql__parse_column(p, &n.field);
	if (err)
		return err;
	c = (struct comparison){.op_tok = p->tok};
	snprintf(c.column, sizeof(c.column), "%.*s", (int)col_tok.n, col_tok.p);
	c.type = p->col_type;
	c.is_str = c.type == FT_STRING || c.type == FT_STRLIST || c.type == FT_JSON;
	/* a file's signers are all its signatures' (event.h): the top one and the nested */
	if (p->table->id == TABLE_CERTIFICATE && n.field == CERT_SIGNER)
		n.field = CERT_SIGNERS;
	op = find_operator(&c.op_tok);
	if (!op) {
		for (size_t i = 0; i < sizeof(other_operators) / sizeof(other_operators[0]); i++) {
			if (kql__tok_is(&c.op_tok, other_operators[i])) {
				kql__diag_set(p->d, c.op_tok.line, c.op_tok.col,
					      "unsupported: operator '%s'", other_operators[i]);
				return -EINVAL;
			}
		}
		/*
		 * A column alone is the predicate: a bool column is one, whatever
		 * follows (the caller reports that); another is not a bool, which is
		 * what Kusto reports of COLUMN NOT-AN-OPERATOR ... too.
		 */
		if (c.type == FT_BOOL || ends_predicate(p) ||
		    (c.op_tok.kind == TK_IDENT && !before_value(p)))
			return column_predicate(p, &n, &c, &col_tok);
		if (c.op_tok.kind != TK_IDENT && c.op_tok.kind != TK_PUNCT) {
			kql__diag_set(p->d, col_tok.line, col_tok.col,
				      "'%s' is not a bool: an operator is missing before %s%.*s%s",
				      c.column, c.op_tok.kind == TK_STRING ? "" : "'",
				      c.op_tok.n > 40 ? 40 : (int)c.op_tok.n, c.op_tok.p,
				      c.op_tok.kind == TK_STRING ? "" : "'");
			return -EINVAL;
		}
		/* after and/or, Kusto reports the and/or, right before the column */
		kql__diag_set(p->d, p->joined ? col_tok.line : c.op_tok.line,
			      p->joined ? col_tok.col : c.op_tok.col, "unknown operator '%.*s'",
			      c.op_tok.n > 40 ? 40 : (int)c.op_tok.n, c.op_tok.p);
		return -EINVAL;
	}
	/* an operator on a column of another type: Kusto reports it before the operand's errors */
	c.op = op->name;
	{
		struct kql_tok v = kql__peek(p);

		if ((op->operand == operand_value || op->operand == operand_list) &&
		    op->op != KOP_EQ && !c.is_str && operand_present(p, &v))
			return wrong_column(p, &c, "a string");
		/* a bound left dangling ('x'+) is missing; a range is typed once it parses */
		if (op->operand == operand_bound && operand_present(p, &v) && !dangling(p) &&
		    (c.is_str || c.type == FT_BOOL))
			return number_column(p, &c);
	}
	c.op = op->name;
	/* Kusto converts between kinds for these; rmmhunt keeps to one kind */
	c.equality = op->op == KOP_EQ || op->operand == operand_list;
	n.op = op->op;
	n.neg = op->neg;
	n.all = op->all;
	err = next(p);
	if (!err)
		err = op->operand(p, &c, &n);
	/* X > V has Y: has binds tighter, so '>' would compare X with a bool */
	if (!err && op->operand == operand_bound && binds_tighter(&p->tok)) {
		kql__diag_set(p->d, c.op_tok.line, c.op_tok.col,
			      "'%s' compares with %s, not a bool: '%.*s' binds tighter than '%s'",
			      c.column, kql__vkind_name(column_vkind(c.type)),
			      p->tok.n > 40 ? 40 : (int)p->tok.n, p->tok.p, op->name);
		err = -EINVAL;
	}
	if (!err)
		warn_windows_path(p, &c, &n);
	if (!err) {
		int idx = kql__add_node(p, &n);

		if (idx >= 0)
			return idx;
		err = idx;
	}
	for (uint32_t i = 0; i < n.nvals; i++)
		kql__val_free(&n.vals[i]);
	free(n.vals);
	return err;
}

/* A string operator after not(...), isempty(...) or ( ... ), which are bools. */
static int bool_operand(struct parser *p, const struct kql_tok *start)
{
	const char *end = start->p;

	/* name what the operator follows: the text from @start to here */
	while (end < p->lx.s + p->lx.len && *end != '\n' && end < p->tok.p)
		end++;
	while (end > start->p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	kql__diag_set(p->d, p->tok.line, p->tok.col,
		      "'%.*s' needs a string column; '%.*s' is a bool, not one",
		      p->tok.n > 40 ? 40 : (int)p->tok.n, p->tok.p,
		      end - start->p > 60 ? 60 : (int)(end - start->p), start->p);
	return -EINVAL;
}

static int parse_primary(struct parser *p)
{
	struct kql_tok t = p->tok;
	struct kql_node n = {.line = t.line, .col = t.col};
	struct kql_lexer save;
	int err, idx;

	if (is(p, "(") || is(p, "not")) {
		bool negate = is(p, "not");

		p->joined = false; /* inside, a comparison follows no and/or */
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
		/* not( with nothing Kusto reads as an argument */
		if (negate && !kql__starts_value(&p->tok) && !is(p, "not") && !is(p, "isempty") &&
		    !is(p, "isnotempty"))
			return kql__arg_count(p, &t, "1 argument");
		idx = kql__parse_predicate(p);
		if (idx < 0)
			return idx;
		err = kql__no_bool_comparison(p);
		if (!err)
			err = expect(p, ")");
		if (err)
			return err;
		p->depth--;
		if (binds_tighter(&p->tok))
			return bool_operand(p, &t);
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
		if (!err && binds_tighter(&p->tok))
			err = bool_operand(p, &t);
		return err ? err : kql__add_node(p, &n);
	}
	if (t.kind == TK_STRING || t.kind == TK_NUMBER || t.kind == TK_TIMESPAN ||
	    kql__tok_is(&t, "true") || kql__tok_is(&t, "false"))
		return unsupported(p, &t, "a value before the operator (write the column first)");
	if (is(p, "["))
		return unsupported(p, &t, "bracketed names ['...']");
	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a predicate");
	/* NAME( is a function call, which we do not have */
	save = p->lx;
	err = next(p);
	if (err)
		return err;
	if (is(p, "("))
		return kql__function_call(p, &t, false);
	p->lx = save;
	p->tok = t;
	return parse_comparison(p);
}

int kql__no_bool_comparison(struct parser *p)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">=", "=~", "!~"};
	static const char *const arith[] = {"+", "-", "*", "/", "%"};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (is(p, ops[i]))
			return unsupported(p, &p->tok, "comparing predicates");
	for (size_t i = 0; i < sizeof(arith) / sizeof(arith[0]); i++)
		if (is(p, arith[i]))
			return unsupported(p, &p->tok, "arithmetic");
	return 0;
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
		p->joined = true;
		if (!idx)
			idx = term(p);
		p->joined = false;
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
