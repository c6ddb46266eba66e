/* SPDX-License-Identifier: MIT */
/* Internal to user/rules: the tokenizer shared by the KQL and exclusion compilers. */
#ifndef RMMHUNT_KQL_LEX_H
#define RMMHUNT_KQL_LEX_H

#include "kql.h"

enum kql_tok_kind { TK_EOF, TK_IDENT, TK_STRING, TK_NUMBER, TK_TIMESPAN, TK_PUNCT };

struct kql_tok {
	enum kql_tok_kind kind;
	const char *p; /* the token as written */
	size_t n;
	unsigned line, col;	      /* 1-based; columns count characters, as libyaml does */
	unsigned prev_line, prev_col; /* right after the token before, for "expected" */
	int64_t num;		      /* TK_NUMBER value, TK_TIMESPAN in microseconds */
	bool decimal;		      /* TK_NUMBER written with a fraction or an exponent: a real */
};

struct kql_lexer {
	const char *s;
	size_t len, pos;
	unsigned line, col;
	struct kql_diag *d;
};

void kql__lex_init(struct kql_lexer *lx, const char *s, size_t len, struct kql_diag *d);
/* The next token, skipping blanks and // comments. 0, or -EINVAL with @d filled. */
int kql__lex_next(struct kql_lexer *lx, struct kql_tok *t);
/* "@what, found X" at @t, X naming the token (or "the end of the @text_name"). */
void kql__diag_found(struct kql_diag *d, const struct kql_tok *t, const char *what,
		     const char *text_name);
/* True when @t is the identifier or punctuation @text exactly. */
bool kql__tok_is(const struct kql_tok *t, const char *text);
/* The value of a TK_STRING token, escapes resolved (as UTF-8), NUL-terminated; 0 or -ENOMEM. */
int kql__tok_string(const struct kql_tok *t, char **out, size_t *len);
/*
 * The raw text from here up to (not including) the next @end, for literals
 * Kusto writes unquoted (datetime(2024-01-01)); the lexer is left on @end.
 */
int kql__lex_raw_until(struct kql_lexer *lx, char end, struct kql_tok *t);

#endif
