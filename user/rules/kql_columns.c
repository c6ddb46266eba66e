// SPDX-License-Identifier: MIT
/*
 * Columns: the names a query reads (its table's columns, or the
 * aliases project and extend give them) and the output columns summarize
 * and a later project make:
 *
 *   project|extend [NAME =] COLUMN, ...
 *   summarize [NAME =] AGG(COLUMN), ... [by [NAME =] COLUMN, ...]
 *   project [NAME =] OUTPUT_COLUMN, ...      (after summarize)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kql_parse.h"

/* "unknown column 'X' in TABLE: did you mean 'Y'?" */
static int unknown_column(struct parser *p, const struct kql_tok *t)
{
	const char *near = p->projected ? NULL : table__nearest(p->table, t->p, t->n);
	int n = t->n > 64 ? 64 : (int)t->n;

	if (near)
		kql__diag_set(p->d, t->line, t->col,
			      "unknown column '%.*s' in %s: did you mean '%s'?", n, t->p,
			      p->table->name, near);
	else
		kql__diag_set(p->d, t->line, t->col, "unknown column '%.*s' in %s%s", n, t->p,
			      p->table->name, p->projected ? " after project" : "");
	return -EINVAL;
}

int kql__parse_column(struct parser *p, int *field)
{
	const struct kql_tok t = p->tok;
	const struct field_desc *empty;

	if (is(p, "["))
		return unsupported(p, &t, "bracketed names ['...']");
	if (t.kind != TK_IDENT || kql__is_keyword(&t))
		return fail(p, &t, "expected a column name");
	for (size_t i = 0; i < p->naliases; i++) {
		if (strlen(p->aliases[i].name) == t.n && !memcmp(p->aliases[i].name, t.p, t.n)) {
			*field = p->aliases[i].field;
			p->col_type = p->aliases[i].type;
			return next(p);
		}
	}
	if (p->projected)
		return unknown_column(p, &t);
	*field = table__field(p->table, t.p, t.n);
	if (*field >= 0) {
		p->col_type = p->table->fields[*field].type;
		return next(p);
	}
	empty = table__empty_column(p->table, t.p, t.n);
	if (!empty)
		return unknown_column(p, &t);
	kql__diag_warn(p->d, t.line, t.col, "column '%s' has no Linux meaning: it is always empty",
		       empty->name);
	*field = -1;
	p->col_type = empty->type;
	return next(p);
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

void kql__cols_free(struct summarize_col *cols, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)cols[i].name);
}

/*
 * A list item followed by no ',': NAME = ... starts the next item (Kusto
 * expects the ','); another word is a name Kusto cannot resolve.
 */
static int list_junk(struct parser *p)
{
	if (kql__next_is(p, "="))
		return fail_plain(p, &p->tok, "expected ','");
	return fail(p, &p->tok, "expected ','");
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

/* The current token should name an aggregation and does not. */
static int not_aggregation(struct parser *p)
{
	const struct kql_tok t = p->tok;
	int field;

	/* (COLUMN) is the column */
	if (is(p, "(") && kql__peek(p).kind == TK_IDENT) {
		int err = next(p);

		return err ? err : not_aggregation(p);
	}
	if (t.kind != TK_IDENT)
		return fail(p, &t, "expected an aggregation");
	if (kql__next_is(p, "("))
		return kql__function_call(p, &t, true);
	/* a column alone: Kusto says it is not an aggregation; an unknown name is unknown */
	if (kql__parse_column(p, &field))
		return -EINVAL;
	kql__diag_set(p->d, t.line, t.col,
		      "'%.*s' needs an aggregation such as min(%.*s): it is a column",
		      t.n > 40 ? 40 : (int)t.n, t.p, t.n > 40 ? 40 : (int)t.n, t.p);
	return -EINVAL;
}

/* count( ... ): nothing, or a bool (Kusto counts the records where it is true). */
static int count_arg(struct parser *p)
{
	const struct kql_tok t = p->tok;
	int field;

	if (is(p, ")"))
		return next(p);
	if (t.kind == TK_IDENT && !kql__is_keyword(&t)) {
		if (kql__next_is(p, "("))
			return kql__function_call(p, &t, false);
		if (kql__parse_column(p, &field))
			return -EINVAL;
		if (p->col_type == FT_BOOL)
			return unsupported(p, &t, "count(PREDICATE) (count() is supported)");
		kql__diag_set(p->d, t.line, t.col, "'%.*s' is not a bool: count() counts records",
			      t.n > 40 ? 40 : (int)t.n, t.p);
		return -EINVAL;
	}
	/* a value Kusto reads as count's argument, which must be a bool */
	if (kql__starts_value(&t))
		return fail_plain(p, &t, "expected ')' or a bool in count()");
	return fail_plain(p, &t, "expected ')'");
}

/*
 * AGG ( COLUMN [, ...] ), the current token being '(' after @fn. Kusto counts
 * the arguments first ("'max' expects 1 argument" at the function), then
 * reports a missing ',' or ')' where it belongs.
 */
static int parse_agg_args(struct parser *p, const struct kql_tok *fn, enum agg_kind kind,
			  int *field, char *column, size_t size, size_t *max)
{
	const char *count = kind == AGG_MAKE_SET ? "1 or 2 arguments" : "1 argument";
	struct kql_tok ct, after;
	int parens = 0, err;

	err = expect(p, "(");
	if (err)
		return err;
	if (kind == AGG_COUNT)
		return count_arg(p);
	/* (COLUMN): a value in parentheses is the value */
	while (is(p, "(") && parens < KQL_MAX_DEPTH) {
		err = next(p);
		if (err)
			return err;
		parens++;
	}
	ct = p->tok;
	if (is(p, "["))
		return kql__parse_column(p, field); /* unsupported: bracketed names */
	if (ct.kind != TK_IDENT || kql__is_keyword(&ct)) {
		if (!parens)
			return kql__arg_count(p, fn, count);
		return fail_plain(p, &ct, "expected a column name");
	}
	after = kql__peek(p);
	if (kql__tok_is(&after, "("))
		return kql__function_call(p, &ct, false);
	/* max(A B) reads as two arguments */
	if (!parens && kind != AGG_MAKE_SET && after.kind != TK_PUNCT && kql__starts_value(&after))
		return kql__arg_count(p, fn, count);
	err = kql__parse_column(p, field);
	if (err)
		return err;
	snprintf(column, size, "%.*s", (int)ct.n, ct.p);
	/* Kusto orders strings, numbers, datetimes and bools, not dynamic */
	if (p->col_type == FT_STRLIST && (kind == AGG_MIN || kind == AGG_MAX)) {
		kql__diag_set(p->d, ct.line, ct.col,
			      "'%.*s' needs an orderable column; '%s' is dynamic", (int)fn->n,
			      fn->p, column);
		return -EINVAL;
	}
	while (parens--) {
		if (!is(p, ")"))
			return fail_plain(p, &p->tok, "expected ')'");
		err = next(p);
		if (err)
			return err;
	}
	if (is(p, ",")) {
		if (kind == AGG_DCOUNT)
			return unsupported(p, &p->tok, "dcount's accuracy argument");
		if (kind != AGG_MAKE_SET)
			return kql__arg_count(p, fn, count);
		err = next(p);
		if (!err && (p->tok.kind != TK_NUMBER || p->tok.num <= 0))
			err = fail(p, &p->tok, "expected the size limit of make_set");
		if (err)
			return err;
		*max = p->tok.num;
		err = next(p);
		if (err)
			return err;
	}
	if (is(p, ")"))
		return next(p);
	/* COLUMN[, ...: an index left empty, then a second argument */
	if (is(p, "[") && (kind == AGG_MIN || kind == AGG_MAX) && kql__next_is(p, ","))
		return kql__arg_count(p, fn, count);
	if (kind == AGG_MAKE_SET && !is(p, "[") && kql__starts_value(&p->tok))
		return fail_plain(p, &p->tok, "expected ',' or ')'");
	return fail_plain(p, &p->tok, "expected ')'");
}

int kql__parse_summarize(struct parser *p)
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

		if (naggs && !is(p, ",")) {
			err = list_junk(p);
			break;
		}
		if (naggs && (err = next(p)))
			break;
		err = parse_optional_name(p, name, sizeof(name), &at);
		if (err)
			break;
		fn = p->tok;
		for (i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++)
			if (kql__tok_is(&fn, aggregates[i].name))
				break;
		if (i == sizeof(aggregates) / sizeof(aggregates[0])) {
			err = not_aggregation(p);
			break;
		}
		err = next(p);
		if (!err)
			err = parse_agg_args(p, &fn, aggregates[i].kind, &field, column,
					     sizeof(column), &max);
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
			if (!err && ct.kind == TK_IDENT && kql__next_is(p, "(")) {
				err = kql__function_call(p, &ct, false);
				break;
			}
			if (!err)
				err = kql__parse_column(p, &field);
			if (!err && p->col_type == FT_STRLIST) {
				kql__diag_set(p->d, ct.line, ct.col,
					      "'by' needs a groupable column; '%.*s' is dynamic",
					      (int)ct.n, ct.p);
				err = -EINVAL;
			}
			if (err)
				break;
			if (!name[0])
				snprintf(name, sizeof(name), "%.*s", (int)ct.n, ct.p);
			err = add_col(p, cols, &ncols, &at, name, AGG_BY, field, 0);
			if (!err && !is(p, ",") && kql__starts_value(&p->tok) && !is(p, "-") &&
			    !is(p, "+"))
				err = list_junk(p);
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
		kql__cols_free(cols, ncols);
		free(cols);
		return err;
	}
	p->q->cols = cols;
	p->q->ncols = ncols;
	return 0;
}

int kql__parse_project_columns(struct parser *p, bool project)
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
		if (!err && (ct.kind == TK_STRING || ct.kind == TK_NUMBER ||
			     ct.kind == TK_TIMESPAN || kql__next_is(p, "("))) {
			err = unsupported(p, &ct,
					  "project or extend of a literal or expression (columns "
					  "are supported)");
		}
		if (!err)
			err = kql__parse_column(p, &field);
		if (err)
			break;
		if (nfresh == KQL_MAX_COLS || p->naliases + nfresh >= KQL_MAX_COLS) {
			err = fail(p, &at, "too many columns");
			break;
		}
		fresh[nfresh].name = name[0] ? strdup(name) : strndup(ct.p, ct.n);
		fresh[nfresh].field = field;
		fresh[nfresh].type = p->col_type;
		if (!fresh[nfresh].name) {
			err = -ENOMEM;
			break;
		}
		nfresh++;
		if (!is(p, ",") && kql__starts_value(&p->tok) && !is(p, "-") && !is(p, "+")) {
			err = list_junk(p);
			break;
		}
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

int kql__parse_project_output(struct parser *p)
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
		if (is(p, "[")) {
			err = unsupported(p, &ct, "bracketed names ['...']");
			break;
		}
		if (ct.kind != TK_IDENT || kql__is_keyword(&ct)) {
			err = fail_plain(p, &ct, "expected an output column of summarize");
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
		kql__cols_free(cols, n);
		free(cols);
		return err;
	}
	kql__cols_free(p->q->cols, p->q->ncols);
	free(p->q->cols);
	p->q->cols = cols;
	p->q->ncols = n;
	return 0;
}

int kql__default_summarize(struct parser *p)
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
