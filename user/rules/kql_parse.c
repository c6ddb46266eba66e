// SPDX-License-Identifier: MIT
/*
 * Compiles the KQL subset of hunting queries (docs: rules/README.md):
 *
 *   { let NAME = VALUE ; }
 *   DeviceProcessEvents
 *   { | where PREDICATE | project COLS | extend COLS }
 *   [ | summarize AGGS [by COLS] { | project COLS } ] [;]
 *
 * Keywords are case-sensitive, as in Kusto. The `where` clauses become one
 * conjunction of predicate nodes; `Timestamp between (now(-D)..now())` (or
 * `Timestamp > ago(D)`) among its top-level terms is the look-back window:
 * it stays in the tree but is marked, and the aggregator applies it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "kql_lex.h"

enum vkind { VK_STRING, VK_NUMBER, VK_TIMESPAN, VK_TIME, VK_BOOL, VK_LIST };

static const char *const vkind_name[] = {"a string",   "a number", "a timespan",
					 "a datetime", "a bool",   "a list"};

/* A value as written: a scalar in .v, or a list of scalars of .item_kind. */
struct pval {
	enum vkind kind, item_kind;
	struct kql_val v;
	struct kql_val *items;
	size_t nitems;
};

struct let_binding {
	char *name;
	struct pval val;
};

/* A column name from project/extend before summarize. */
struct alias {
	char *name;
	int field;
};

struct parser {
	struct kql_lexer lx;
	struct kql_tok tok; /* the current token */
	struct kql_diag *d;
	struct kql_prog *prog;
	struct kql_query *q;
	int depth;
	struct let_binding lets[KQL_MAX_LETS];
	size_t nlets;
	struct alias aliases[KQL_MAX_COLS];
	size_t naliases;
	bool projected; /* only the aliases are columns now */
	bool summarized;
	int conj[KQL_MAX_NODES]; /* top-level terms of all where clauses */
	size_t nconj;
};

static int next(struct parser *p)
{
	return kql__lex_next(&p->lx, &p->tok);
}

static bool is(const struct parser *p, const char *text)
{
	return kql__tok_is(&p->tok, text);
}

static int fail(struct parser *p, const struct kql_tok *t, const char *what)
{
	kql__diag_found(p->d, t, what, "query");
	return -EINVAL;
}

static int expect(struct parser *p, const char *text)
{
	char what[48];

	if (is(p, text))
		return next(p);
	snprintf(what, sizeof(what), "expected '%s'", text);
	return fail(p, &p->tok, what);
}

static char *tok_dup(const struct kql_tok *t)
{
	return strndup(t->p, t->n);
}

static void pval_free(struct pval *v)
{
	kql__val_free(&v->v);
	for (size_t i = 0; i < v->nitems; i++)
		kql__val_free(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static int val_copy(struct kql_val *dst, const struct kql_val *src)
{
	*dst = *src;
	dst->s = dst->lower = NULL;
	return src->s ? kql__val_set_str(dst, src->s, src->len) : 0;
}

static const struct let_binding *find_let(const struct parser *p, const struct kql_tok *t)
{
	for (size_t i = p->nlets; i-- > 0;)
		if (strlen(p->lets[i].name) == t->n && !memcmp(p->lets[i].name, t->p, t->n))
			return &p->lets[i];
	return NULL;
}

/* The timespan inside now(...) / ago(...): optional sign, then a timespan literal. */
static int parse_timespan_arg(struct parser *p, int64_t *us, bool optional)
{
	bool neg = false;
	int err;

	*us = 0;
	if (optional && is(p, ")"))
		return 0;
	if (is(p, "-") || is(p, "+")) {
		neg = is(p, "-");
		err = next(p);
		if (err)
			return err;
	}
	if (p->tok.kind == TK_IDENT) {
		const struct let_binding *l = find_let(p, &p->tok);

		if (l && l->val.kind == VK_TIMESPAN) {
			*us = l->val.v.num;
			goto done;
		}
	}
	if (p->tok.kind != TK_TIMESPAN)
		return fail(p, &p->tok, "expected a timespan such as 5d, 12h, 30m, 10s or 100ms");
	*us = p->tok.num;
done:
	if (neg)
		*us = -*us;
	return next(p);
}

/* datetime(2024-01-01), datetime(2024-01-01 10:00:00), datetime("...Z") */
static int parse_datetime(struct parser *p, int64_t *us)
{
	struct kql_tok raw;
	char buf[64];
	size_t n;
	int err;

	err = kql__lex_raw_until(&p->lx, ')', &raw);
	if (err)
		return err;
	n = raw.n;
	if (n >= 2 && (raw.p[0] == '"' || raw.p[0] == '\'') && raw.p[n - 1] == raw.p[0]) {
		raw.p++;
		n -= 2;
	}
	if (n < 10 || n > 40)
		goto bad;
	memcpy(buf, raw.p, n);
	buf[n] = '\0';
	if (n == 10)
		strcpy(buf + n, "T00:00:00Z");
	else if (buf[10] == ' ')
		buf[10] = 'T';
	n = strlen(buf);
	if (buf[n - 1] != 'Z' && buf[n - 1] != 'z' &&
	    (n <= 19 || (!strchr(buf + 19, '+') && !strchr(buf + 19, '-'))))
		strcat(buf, "Z");
	if (timefmt__parse_rfc3339_us(buf, us))
		goto bad;
	err = next(p); /* now on ')' */
	if (err)
		return err;
	return expect(p, ")");
bad:
	kql__diag_set(p->d, raw.line, raw.col, "invalid datetime '%.*s'", (int)raw.n, raw.p);
	return -EINVAL;
}

static int parse_value(struct parser *p, struct pval *out, bool list_ok);

/* ( a, b, let_list, ... ) or dynamic([ ... ]): the current token is the opener. */
static int parse_list(struct parser *p, struct pval *out, const char *close)
{
	struct kql_tok start = p->tok;
	size_t cap = 0;
	int err;

	out->kind = VK_LIST;
	out->item_kind = VK_STRING;
	if (++p->depth > KQL_MAX_DEPTH) { /* lists nest through dynamic() and lets */
		kql__diag_set(p->d, start.line, start.col, "lists nested deeper than %d",
			      KQL_MAX_DEPTH);
		return -EINVAL;
	}
	err = next(p);
	while (!err && !is(p, close)) {
		struct pval item = {0};
		struct kql_tok at;
		enum vkind k;
		size_t add;

		if (out->nitems && (err = expect(p, ",")))
			break;
		at = p->tok;
		err = parse_value(p, &item, true);
		if (err) {
			pval_free(&item); /* partly filled */
			break;
		}
		add = item.kind == VK_LIST ? item.nitems : 1;
		k = item.kind == VK_LIST ? item.item_kind : item.kind;

		if (add && out->nitems && k != out->item_kind) {
			pval_free(&item);
			kql__diag_set(p->d, at.line, at.col, "a list cannot mix %s and %s",
				      vkind_name[out->item_kind], vkind_name[k]);
			return -EINVAL;
		}
		if (add)
			out->item_kind = k;
		if (out->nitems + add > KQL_MAX_LIST) {
			pval_free(&item);
			kql__diag_set(p->d, start.line, start.col, "list longer than %d items",
				      KQL_MAX_LIST);
			return -EINVAL;
		}
		if (out->nitems + add > cap) {
			struct kql_val *items;

			cap = (out->nitems + add) * 2;
			items = realloc(out->items, cap * sizeof(*items));
			if (!items) {
				pval_free(&item);
				return -ENOMEM;
			}
			out->items = items;
		}
		if (item.kind == VK_LIST) {
			if (add) /* an empty list has no array at all */
				memcpy(out->items + out->nitems, item.items,
				       add * sizeof(*item.items));
			free(item.items);
		} else {
			out->items[out->nitems] = item.v;
		}
		out->nitems += add;
	}
	if (err)
		return err;
	p->depth--;
	return next(p);
}

static int parse_value(struct parser *p, struct pval *out, bool list_ok)
{
	const struct let_binding *l;
	struct kql_tok t = p->tok;
	int err;

	memset(out, 0, sizeof(*out));
	if (t.kind == TK_STRING) {
		char *s;
		size_t n;

		out->kind = VK_STRING;
		err = kql__tok_string(&t, &s, &n);
		if (err)
			return err;
		err = kql__val_set_str(&out->v, s, n);
		free(s);
		return err ? err : next(p);
	}
	if (t.kind == TK_NUMBER || t.kind == TK_TIMESPAN || is(p, "-")) {
		bool neg = is(p, "-");

		if (neg) {
			err = next(p);
			if (err)
				return err;
			t = p->tok;
		}
		if (t.kind != TK_NUMBER && t.kind != TK_TIMESPAN)
			return fail(p, &t, "expected a number");
		if (t.decimal) {
			kql__diag_set(p->d, t.line, t.col,
				      "decimal numbers are supported in timespans only");
			return -EINVAL;
		}
		out->kind = t.kind == TK_NUMBER ? VK_NUMBER : VK_TIMESPAN;
		out->v.num = neg ? -t.num : t.num;
		return next(p);
	}
	if (t.kind == TK_PUNCT && is(p, "(")) {
		if (!list_ok)
			return fail(p, &t, "expected a value");
		return parse_list(p, out, ")");
	}
	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a value");
	if (is(p, "true") || is(p, "false")) {
		out->kind = VK_BOOL;
		out->v.num = is(p, "true");
		return next(p);
	}
	if (is(p, "now") || is(p, "ago") || is(p, "datetime") || is(p, "dynamic")) {
		bool now = is(p, "now"), ago = is(p, "ago"), dyn = is(p, "dynamic");

		err = next(p);
		if (err)
			return err;
		if (!is(p, "("))
			return fail(p, &p->tok, "expected '('");
		if (dyn) {
			if (!list_ok)
				return fail(p, &t, "expected a value");
			err = next(p);
			if (!err && !is(p, "["))
				err = fail(p, &p->tok, "expected '[' in dynamic([...])");
			if (!err)
				err = parse_list(p, out, "]");
			return err ? err : expect(p, ")");
		}
		out->kind = VK_TIME;
		out->v.rel_now = now || ago;
		if (!now && !ago)
			return parse_datetime(p, &out->v.num);
		err = next(p);
		if (!err)
			err = parse_timespan_arg(p, &out->v.num, now);
		if (!err && ago)
			out->v.num = -out->v.num;
		return err ? err : expect(p, ")");
	}
	l = find_let(p, &t);
	if (!l) {
		kql__diag_set(
		    p->d, t.line, t.col,
		    "'%.*s' is not a value or let name (comparing columns is not supported)",
		    (int)t.n, t.p);
		return -EINVAL;
	}
	if (l->val.kind == VK_LIST && !list_ok)
		return fail(p, &t, "expected a single value, not a list");
	out->kind = l->val.kind;
	out->item_kind = l->val.item_kind;
	err = val_copy(&out->v, &l->val.v);
	if (!err && l->val.nitems) {
		out->items = calloc(l->val.nitems, sizeof(*out->items));
		if (!out->items)
			return -ENOMEM;
		for (; out->nitems < l->val.nitems && !err; out->nitems++)
			err = val_copy(&out->items[out->nitems], &l->val.items[out->nitems]);
	}
	return err ? err : next(p);
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
	l->name = tok_dup(&p->tok);
	if (!l->name)
		return -ENOMEM;
	p->nlets++;
	err = next(p);
	if (!err)
		err = expect(p, "=");
	if (!err)
		err = parse_value(p, &l->val, true);
	return err ? err : expect(p, ";");
}

/* A column: an alias from project/extend, or a DeviceProcessEvents column. */
static int parse_column(struct parser *p, int *field)
{
	const struct kql_tok t = p->tok;
	char name[128];

	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a column name");
	for (size_t i = 0; i < p->naliases; i++) {
		if (strlen(p->aliases[i].name) == t.n && !memcmp(p->aliases[i].name, t.p, t.n)) {
			*field = p->aliases[i].field;
			return next(p);
		}
	}
	snprintf(name, sizeof(name), "%.*s", (int)t.n, t.p);
	if (p->projected || t.n >= sizeof(name))
		goto unknown;
	*field = event__field_lookup(name);
	if (*field >= 0)
		return next(p);
	if (event__field_is_windows_only(name)) {
		kql__diag_warn(p->d, t.line, t.col,
			       "column '%s' has no Linux meaning: it is always empty", name);
		*field = -1;
		return next(p);
	}
unknown:
	kql__diag_set(p->d, t.line, t.col, "unknown column '%.*s'", (int)t.n, t.p);
	return -EINVAL;
}

static int add_node(struct parser *p, const struct kql_node *n)
{
	int idx = kql__prog_add(p->prog, n);

	if (idx == -E2BIG)
		kql__diag_set(p->d, n->line, n->col, "query too large (more than %d predicates)",
			      KQL_MAX_NODES);
	return idx;
}

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
		      vkind_name[want], vkind_name[got]);
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

	err = parse_column(p, &n.field);
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
		err = parse_value(p, &v, false);
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
		if (!is(p, "(") && !is(p, "dynamic") && !find_let(p, &p->tok)) {
			err = fail(p, &p->tok, "expected a list such as ('a', 'b')");
			break;
		}
		err = parse_value(p, &v, true);
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
		err = parse_value(p, &v, false);
		if (!err)
			err = check_kind(p, &val_tok, v.kind, column_vkind(type), column);
		if (!err && operators[i].rhs == R_BETWEEN) {
			err = expect(p, "..");
			val_tok = p->tok;
			if (!err)
				err = parse_value(p, &hi, false);
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
	pval_free(&v);
	pval_free(&hi);
	if (err) {
		for (uint32_t j = 0; j < n.nvals; j++)
			kql__val_free(&n.vals[j]);
		free(n.vals);
		return err;
	}
	idx = add_node(p, &n);
	if (idx < 0) {
		for (uint32_t j = 0; j < n.nvals; j++)
			kql__val_free(&n.vals[j]);
		free(n.vals);
	}
	return idx;
}

static int parse_or(struct parser *p);

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
		idx = parse_or(p);
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
		idx = add_node(p, &n);
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
			err = parse_column(p, &n.field);
		if (!err)
			err = expect(p, ")");
		return err ? err : add_node(p, &n);
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
	idx = add_node(p, &node);
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

static int parse_or(struct parser *p)
{
	return parse_chain(p, "or", KOP_OR, parse_and);
}

static int parse_where(struct parser *p)
{
	const struct kql_node *n;
	int idx;

	idx = parse_or(p);
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

static int add_col(struct parser *p, struct summarize_col *cols, size_t *n,
		   const struct kql_tok *at, const char *name, enum agg_kind kind, int field,
		   size_t max)
{
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp(cols[i].name, name)) {
			kql__diag_set(p->d, at->line, at->col, "duplicate column '%s'", name);
			return -EINVAL;
		}
	}
	if (*n == KQL_MAX_COLS) {
		kql__diag_set(p->d, at->line, at->col, "more than %d columns", KQL_MAX_COLS);
		return -EINVAL;
	}
	cols[*n] =
	    (struct summarize_col){.name = strdup(name), .kind = kind, .field = field, .max = max};
	if (!cols[*n].name)
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void free_cols(struct summarize_col *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)cols[i].name);
}

/* [NAME =] ...: returns the name in @name ("" when none) with the token after '='. */
static int parse_optional_name(struct parser *p, char *name, size_t size, struct kql_tok *at)
{
	struct kql_lexer save = p->lx;
	struct kql_tok first = p->tok;
	int err;

	name[0] = '\0';
	*at = first;
	if (first.kind != TK_IDENT)
		return 0;
	err = next(p);
	if (err)
		return err;
	if (is(p, "=") && first.n < size) {
		snprintf(name, size, "%.*s", (int)first.n, first.p);
		return next(p);
	}
	p->lx = save; /* not a name: back to the first token */
	p->tok = first;
	return 0;
}

static const struct {
	const char *name;
	enum agg_kind kind;
	const char *prefix; /* Kusto's default column name is prefix + column */
} aggregates[] = {
    {"min", AGG_MIN, "min_"},		{"max", AGG_MAX, "max_"},
    {"count", AGG_COUNT, "count_"},	{"dcount", AGG_DCOUNT, "dcount_"},
    {"make_set", AGG_MAKE_SET, "set_"},
};

static int parse_summarize(struct parser *p)
{
	struct summarize_col aggs[KQL_MAX_COLS], *cols = NULL;
	size_t naggs = 0, ncols = 0;
	int err = 0;

	p->summarized = true;
	cols = calloc(KQL_MAX_COLS, sizeof(*cols));
	if (!cols)
		return -ENOMEM;
	while (!err && p->tok.kind != TK_EOF && !is(p, "by") && !is(p, "|") && !is(p, ";")) {
		struct kql_tok at, fn;
		char name[128], column[128] = "";
		size_t i, max = MAKE_SET_DEFAULT;
		int field = -1;

		if (naggs && (err = expect(p, ",")))
			break;
		err = parse_optional_name(p, name, sizeof(name), &at);
		if (err)
			break;
		fn = p->tok;
		for (i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++)
			if (kql__tok_is(&fn, aggregates[i].name))
				break;
		if (i == sizeof(aggregates) / sizeof(aggregates[0])) {
			if (fn.kind != TK_IDENT) {
				err = fail(p, &fn, "expected an aggregation");
				break;
			}
			kql__diag_set(p->d, fn.line, fn.col,
				      "unsupported aggregation '%.*s' (min, max, count, dcount, "
				      "make_set are)",
				      (int)fn.n, fn.p);
			err = -EINVAL;
			break;
		}
		err = next(p);
		if (!err)
			err = expect(p, "(");
		if (!err && aggregates[i].kind != AGG_COUNT) {
			struct kql_tok ct = p->tok;

			err = parse_column(p, &field);
			snprintf(column, sizeof(column), "%.*s", (int)ct.n, ct.p);
		}
		if (!err && aggregates[i].kind == AGG_MAKE_SET && is(p, ",")) {
			err = next(p);
			if (!err && (p->tok.kind != TK_NUMBER || p->tok.num <= 0))
				err = fail(p, &p->tok, "expected the size limit of make_set");
			if (!err) {
				max = p->tok.num;
				err = next(p);
			}
		}
		if (!err)
			err = expect(p, ")");
		if (err)
			break;
		if (!name[0])
			snprintf(name, sizeof(name), "%s%s", aggregates[i].prefix, column);
		err = add_col(p, aggs, &naggs, &at, name, aggregates[i].kind, field, max);
	}
	/* Kusto's output: the by columns first, then the aggregations. */
	if (!err && is(p, "by")) {
		err = next(p);
		while (!err) {
			struct kql_tok at, ct;
			char name[128];
			int field;

			err = parse_optional_name(p, name, sizeof(name), &at);
			ct = p->tok;
			if (!err)
				err = parse_column(p, &field);
			if (err)
				break;
			if (!name[0])
				snprintf(name, sizeof(name), "%.*s", (int)ct.n, ct.p);
			err = add_col(p, cols, &ncols, &at, name, AGG_BY, field, 0);
			if (err || !is(p, ","))
				break;
			err = next(p);
		}
	}
	for (size_t i = 0; i < naggs; i++) {
		for (size_t j = 0; j < ncols && !err; j++) {
			if (!strcmp(cols[j].name, aggs[i].name)) {
				kql__diag_set(p->d, p->tok.line, p->tok.col,
					      "duplicate column '%s'", aggs[i].name);
				err = -EINVAL;
			}
		}
		if (!err && ncols == KQL_MAX_COLS)
			err = fail(p, &p->tok, "too many columns");
		if (err) {
			free((char *)aggs[i].name);
			continue;
		}
		cols[ncols++] = aggs[i];
	}
	if (err) {
		free_cols(cols, ncols);
		free(cols);
		return err;
	}
	p->q->cols = cols;
	p->q->ncols = ncols;
	return 0;
}

/* project/extend before summarize: [NAME =] COLUMN, ... */
static int parse_project_columns(struct parser *p, bool project)
{
	struct alias fresh[KQL_MAX_COLS];
	size_t nfresh = 0;
	int err = 0;

	for (;;) {
		struct kql_tok at, ct;
		char name[128];
		int field;

		err = parse_optional_name(p, name, sizeof(name), &at);
		ct = p->tok;
		if (!err && ct.kind != TK_IDENT) {
			err = fail(p, &ct,
				   "expected a column (project/extend of a literal or "
				   "expression is not supported)");
		}
		if (!err)
			err = parse_column(p, &field);
		if (err)
			break;
		if (nfresh == KQL_MAX_COLS || p->naliases + nfresh >= KQL_MAX_COLS) {
			err = fail(p, &at, "too many columns");
			break;
		}
		fresh[nfresh].name = name[0] ? strdup(name) : tok_dup(&ct);
		fresh[nfresh].field = field;
		if (!fresh[nfresh].name) {
			err = -ENOMEM;
			break;
		}
		nfresh++;
		if (!is(p, ","))
			break;
		err = next(p);
		if (err)
			break;
	}
	if (err) {
		while (nfresh)
			free(fresh[--nfresh].name);
		return err;
	}
	if (project) { /* the projected columns are now all there is */
		while (p->naliases)
			free(p->aliases[--p->naliases].name);
		p->projected = true;
	}
	memcpy(p->aliases + p->naliases, fresh, nfresh * sizeof(*fresh));
	p->naliases += nfresh;
	return 0;
}

/* project after summarize: selects, reorders and renames the output columns. */
static int parse_project_output(struct parser *p)
{
	struct summarize_col *cols;
	size_t n = 0;
	int err = 0;

	cols = calloc(KQL_MAX_COLS, sizeof(*cols));
	if (!cols)
		return -ENOMEM;
	for (;;) {
		struct kql_tok at, ct;
		char name[128];
		size_t i;

		err = parse_optional_name(p, name, sizeof(name), &at);
		ct = p->tok;
		if (err)
			break;
		if (ct.kind != TK_IDENT) {
			err = fail(p, &ct, "expected an output column of summarize");
			break;
		}
		for (i = 0; i < p->q->ncols; i++)
			if (strlen(p->q->cols[i].name) == ct.n &&
			    !memcmp(p->q->cols[i].name, ct.p, ct.n))
				break;
		if (i == p->q->ncols) {
			kql__diag_set(p->d, ct.line, ct.col,
				      "unknown column '%.*s' after summarize", (int)ct.n, ct.p);
			err = -EINVAL;
			break;
		}
		if (!name[0])
			snprintf(name, sizeof(name), "%s", p->q->cols[i].name);
		err = add_col(p, cols, &n, &at, name, p->q->cols[i].kind, p->q->cols[i].field,
			      p->q->cols[i].max);
		if (!err)
			err = next(p);
		if (err || !is(p, ","))
			break;
		err = next(p);
		if (err)
			break;
	}
	if (err) {
		free_cols(cols, n);
		free(cols);
		return err;
	}
	free_cols(p->q->cols, p->q->ncols);
	free(p->q->cols);
	p->q->cols = cols;
	p->q->ncols = n;
	return 0;
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
		return parse_summarize(p);
	}
	if (kql__tok_is(&t, "project") || kql__tok_is(&t, "extend")) {
		if (!p->summarized)
			return parse_project_columns(p, kql__tok_is(&t, "project"));
		if (kql__tok_is(&t, "project"))
			return parse_project_output(p);
		return fail(p, &t, "extend after summarize is not supported");
	}
	kql__diag_set(p->d, t.line, t.col,
		      "unsupported tabular operator '%.*s' (where, summarize, project, extend are)",
		      (int)t.n, t.p);
	return -EINVAL;
}

/* No summarize: the seed's, so every rule alerts with the same shape. */
static int default_summarize(struct parser *p)
{
	static const struct {
		const char *name;
		enum agg_kind kind;
		int field;
	} seed[] = {
	    {"DeviceId", AGG_BY, FIELD_DEVICE_ID},     {"DeviceName", AGG_BY, FIELD_DEVICE_NAME},
	    {"FirstSeen", AGG_MIN, FIELD_TIMESTAMP},   {"LastSeen", AGG_MAX, FIELD_TIMESTAMP},
	    {"Report", AGG_MAKE_SET, FIELD_REPORT_ID}, {"Count", AGG_COUNT, -1},
	};
	size_t n = sizeof(seed) / sizeof(seed[0]);

	p->q->cols = calloc(n, sizeof(*p->q->cols));
	if (!p->q->cols)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		p->q->cols[i] = (struct summarize_col){
		    .name = strdup(seed[i].name),
		    .kind = seed[i].kind,
		    .field = seed[i].field,
		    .max = seed[i].kind == AGG_MAKE_SET ? MAKE_SET_DEFAULT : 0};
		if (!p->q->cols[i].name)
			return -ENOMEM;
		p->q->ncols++;
	}
	return 0;
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
		return fail(p, &p->tok, "expected the table DeviceProcessEvents");
	if (!is(p, "DeviceProcessEvents")) {
		kql__diag_set(
		    p->d, p->tok.line, p->tok.col,
		    "unsupported table '%.*s' (rmmhunt produces DeviceProcessEvents only)",
		    (int)p->tok.n, p->tok.p);
		return -EINVAL;
	}
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
		err = default_summarize(p);
	if (!err && p->nconj) {
		struct kql_node n = {.op = KOP_AND, .line = 1, .col = 1, .nkids = p->nconj};

		n.kids = malloc(p->nconj * sizeof(int));
		if (!n.kids) {
			err = -ENOMEM;
			goto cleanup;
		}
		memcpy(n.kids, p->conj, p->nconj * sizeof(int));
		q->root = add_node(p, &n);
		if (q->root < 0) {
			free(n.kids);
			err = q->root;
		}
	}
cleanup:
	for (size_t i = 0; i < p->nlets; i++) {
		free(p->lets[i].name);
		pval_free(&p->lets[i].val);
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
	free_cols(q->cols, q->ncols);
	free(q->cols);
	q->cols = NULL;
	q->ncols = 0;
}
