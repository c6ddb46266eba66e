// SPDX-License-Identifier: MIT
/*
 * The values of the KQL subset: strings, numbers, timespans, bools,
 * now()/ago()/datetime(), lists written ( ... ) or dynamic([ ... ]), and the
 * names of let statements, which stand for their value.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "kql_parse.h"

static const char *const vkind_name[] = {"a string", "a number", "a timespan",	  "a datetime",
					 "a bool",   "a list",	 "a real number", "a table"};

const char *kql__vkind_name(enum vkind k)
{
	return vkind_name[k];
}

void kql__pval_free(struct pval *v)
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

const struct let_binding *kql__find_let(const struct parser *p, const struct kql_tok *t)
{
	for (size_t i = p->nlets; i-- > 0;)
		if (strlen(p->lets[i].name) == t->n && !memcmp(p->lets[i].name, t->p, t->n))
			return &p->lets[i];
	return NULL;
}

static int parse_timespan_arg(struct parser *p, int64_t *us);

/*
 * ( TIMESPAN ): Kusto types the parenthesized argument as a whole, so a fault
 * inside it is reported at '(' as a value that is no timespan.
 */
static int parse_timespan_paren(struct parser *p, int64_t *us)
{
	struct kql_tok open = p->tok;
	int err;

	if (++p->depth > KQL_MAX_DEPTH) {
		kql__diag_set(p->d, open.line, open.col, "expression nested deeper than %d",
			      KQL_MAX_DEPTH);
		return -EINVAL;
	}
	err = next(p);
	if (!err)
		err = parse_timespan_arg(p, us);
	if (!err)
		err = is(p, ")") ? next(p) : -EINVAL;
	if (err == -ENOMEM)
		return err;
	if (err) {
		p->d->msg[0] = '\0';
		return fail(p, &open, "expected a timespan such as 5d, 12h, 30m, 10s or 100ms");
	}
	p->depth--;
	return 0;
}

/* The timespan inside now(...) / ago(...): optional sign, then a timespan literal. */
static int parse_timespan_arg(struct parser *p, int64_t *us)
{
	bool neg = false;
	int err;

	*us = 0;
	if (is(p, "-") || is(p, "+")) {
		neg = is(p, "-");
		err = next(p);
		if (err)
			return err;
		/* Kusto's sign takes a value, not another sign */
		if (is(p, "-") || is(p, "+") || !kql__starts_value(&p->tok))
			return fail(p, &p->tok, "expected a timespan after the sign");
	}
	if (is(p, "(")) {
		err = parse_timespan_paren(p, us);
		if (!err && neg)
			*us = -*us;
		return err;
	}
	if (p->tok.kind == TK_IDENT) {
		const struct let_binding *l = kql__find_let(p, &p->tok);

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

/*
 * now([TIMESPAN]) and ago(TIMESPAN), the current token being the one after
 * '('. Kusto counts the arguments before it types them: nothing in ago(), or
 * a second value, is a call with the wrong number of arguments.
 */
static int parse_time_call(struct parser *p, const struct kql_tok *fn, bool now, int64_t *us)
{
	const char *count = now ? "no argument or 1" : "1 argument";
	int err;

	*us = 0;
	if (now && is(p, ")"))
		return next(p);
	if (is(p, ",") || (!now && !kql__starts_value(&p->tok)))
		return kql__arg_count(p, fn, count);
	err = parse_timespan_arg(p, us);
	if (err)
		return err;
	if (is(p, ",") || (!is(p, ")") && kql__starts_value(&p->tok) && !is(p, "[") &&
			   !is(p, "-") && !is(p, "+")))
		return kql__arg_count(p, fn, count);
	return expect(p, ")");
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
	/* Kusto parses other forms (RFC 822, "yesterday" is refused only when run) */
	kql__diag_set(p->d, raw.line, raw.col,
		      "unsupported: datetime '%.*s' (rmmhunt reads ISO 8601 dates and times)",
		      raw.n > 40 ? 40 : (int)raw.n, raw.p);
	return -EINVAL;
}

int kql__dangling_sign(struct parser *p)
{
	static const char *const arith[] = {"+", "-", "*", "/", "%"};
	struct kql_tok after;

	for (size_t i = 0; i < sizeof(arith) / sizeof(*arith); i++) {
		if (!is(p, arith[i]))
			continue;
		after = kql__peek(p);
		if (kql__starts_value(&after) && !kql__tok_is(&after, "-") &&
		    !kql__tok_is(&after, "+"))
			return 0;
		/* the lexer stands after the operator; the token to report is the next */
		if (next(p))
			return -EINVAL;
		return fail_plain(p, &p->tok, "expected a value");
	}
	return 0;
}

/* ( VALUE ): one value in parentheses, the current token being '('. */
static int parse_paren(struct parser *p, struct pval *out)
{
	struct kql_tok open = p->tok;
	int err;

	if (++p->depth > KQL_MAX_DEPTH) {
		kql__diag_set(p->d, open.line, open.col, "expression nested deeper than %d",
			      KQL_MAX_DEPTH);
		return -EINVAL;
	}
	err = next(p);
	if (!err)
		err = kql__parse_value(p, out, false);
	if (!err)
		err = kql__dangling_sign(p);
	if (!err)
		err = expect(p, ")");
	if (!err)
		p->depth--;
	return err;
}

/*
 * Arithmetic after a list item: on a string a type error, as in Kusto; on
 * numbers valid KQL that rmmhunt does not compute.
 */
static int item_arithmetic(struct parser *p, const struct pval *item)
{
	static const char *const arith[] = {"+", "-", "*", "/", "%"};
	struct kql_tok op = p->tok;

	for (size_t i = 0; i < sizeof(arith) / sizeof(*arith); i++) {
		if (!is(p, arith[i]))
			continue;
		if (kql__dangling_sign(p))
			return -EINVAL;
		if (item->kind == VK_STRING) {
			kql__diag_set(p->d, op.line, op.col, "'%s' needs numbers; %s is a string",
				      arith[i], "its left operand");
			return -EINVAL;
		}
		return unsupported(p, &op, "arithmetic");
	}
	return 0;
}

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
	if (!err && is(p, close) && close[0] == ')') /* Kusto has no empty ( ) list */
		return fail(p, &p->tok, "expected a value");
	while (!err && !is(p, close)) {
		struct pval item = {0};
		struct kql_tok at;
		enum vkind k;
		size_t add;

		if (out->nitems && (err = expect(p, ",")))
			break;
		at = p->tok;
		/* ( ) lists do not nest: ( in a list is one value in parentheses */
		if (is(p, "("))
			err = parse_paren(p, &item);
		else
			err = kql__parse_value(p, &item, true);
		if (!err)
			err = item_arithmetic(p, &item);
		if (err) {
			kql__pval_free(&item); /* partly filled */
			break;
		}
		add = item.kind == VK_LIST ? item.nitems : 1;
		k = item.kind == VK_LIST ? item.item_kind : item.kind;

		if (add && out->nitems && k != out->item_kind) {
			kql__pval_free(&item);
			kql__diag_set(p->d, at.line, at.col, "unsupported: a list mixing %s and %s",
				      vkind_name[out->item_kind], vkind_name[k]);
			return -EINVAL;
		}
		if (add)
			out->item_kind = k;
		if (out->nitems + add > KQL_MAX_LIST) {
			kql__pval_free(&item);
			kql__diag_set(p->d, start.line, start.col, "list longer than %d items",
				      KQL_MAX_LIST);
			return -EINVAL;
		}
		if (out->nitems + add > cap) {
			struct kql_val *items;

			cap = (out->nitems + add) * 2;
			items = realloc(out->items, cap * sizeof(*items));
			if (!items) {
				kql__pval_free(&item);
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

/* 'a' "b" @'c': adjacent string literals are one string, as in Kusto. */
static int parse_strings(struct parser *p, struct pval *out)
{
	char *all = NULL;
	size_t len = 0;
	int err = 0;

	out->kind = VK_STRING;
	while (!err && p->tok.kind == TK_STRING) {
		char *s, *grown;
		size_t n;

		err = kql__tok_string(&p->tok, &s, &n);
		if (err)
			break;
		grown = realloc(all, len + n + 1);
		if (!grown) {
			free(s);
			err = -ENOMEM;
			break;
		}
		all = grown;
		memcpy(all + len, s, n);
		len += n;
		free(s);
		err = next(p);
	}
	if (!err)
		err = kql__val_set_str(&out->v, all, len);
	free(all);
	return err;
}

static int parse_value(struct parser *p, struct pval *out, bool list_ok)
{
	const struct let_binding *l;
	struct kql_tok t = p->tok;
	int err;

	memset(out, 0, sizeof(*out));
	if (t.kind == TK_STRING)
		return parse_strings(p, out);
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
		out->kind = t.kind == TK_NUMBER ? (t.decimal ? VK_REAL : VK_NUMBER) : VK_TIMESPAN;
		out->v.num = neg ? -t.num : t.num;
		return next(p);
	}
	if (t.kind == TK_PUNCT && is(p, "(")) {
		if (!list_ok)
			return parse_paren(p, out);
		return parse_list(p, out, ")");
	}
	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected a value");
	if (is(p, "null"))
		return unsupported(p, &t, "null");
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
			err = parse_time_call(p, &t, now, &out->v.num);
		if (!err && ago)
			out->v.num = -out->v.num;
		return err;
	}
	l = kql__find_let(p, &t);
	/* a word of the language, which Kusto does not read as a name here */
	if (!l && kql__is_keyword(&t))
		return fail(p, &t, "expected a value");
	if (!l) {
		kql__diag_set(
		    p->d, t.line, t.col,
		    "'%.*s' is not a value or let name (comparing columns is not supported)",
		    (int)t.n, t.p);
		return -EINVAL;
	}
	if (l->val.kind == VK_TABLE)
		return unsupported(p, &t, "a tabular let here (COLUMN in (NAME) is supported)");
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

int kql__parse_value(struct parser *p, struct pval *out, bool list_ok)
{
	struct kql_tok t = p->tok;
	int err = parse_value(p, out, list_ok);

	/* VALUE[...] reads an element of a dynamic value: of another, a type error */
	if (!err && out->kind != VK_LIST && is(p, "[")) {
		kql__diag_set(p->d, t.line, t.col, "'[' indexes a dynamic value; %s is not one",
			      kql__vkind_name(out->kind));
		return -EINVAL;
	}
	return err;
}
