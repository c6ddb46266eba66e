// SPDX-License-Identifier: MIT
/*
 * KQL tokens: identifiers (also `!has`, `in~`), strings ('…', "…" with
 * backslash escapes; verbatim @'…', @"…" where a doubled quote is a quote),
 * numbers, timespans (2d, 1.5h, 30m, 10s, 100ms, 5microseconds, ...) and
 * punctuation. `//` starts a comment that runs to the end of the line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kql_lex.h"

void kql__lex_init(struct kql_lexer *lx, const char *s, size_t len, struct kql_diag *d)
{
	*lx = (struct kql_lexer){.s = s, .len = len, .line = 1, .col = 1, .d = d};
}

static int peekc(const struct kql_lexer *lx, size_t ahead)
{
	return lx->pos + ahead < lx->len ? (unsigned char)lx->s[lx->pos + ahead] : -1;
}

static void advance(struct kql_lexer *lx)
{
	unsigned char c = lx->s[lx->pos++];

	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xc0) !=
		   0x80) { /* UTF-8 continuation bytes share their character's column */
		lx->col++;
	}
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static void skip_blanks(struct kql_lexer *lx)
{
	for (;;) {
		int c = peekc(lx, 0);

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			advance(lx);
		} else if (c == '/' && peekc(lx, 1) == '/') {
			while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n')
				advance(lx);
		} else {
			return;
		}
	}
}

static int lex_string(struct kql_lexer *lx, struct kql_tok *t)
{
	bool verbatim = peekc(lx, 0) == '@';
	int quote;

	if (verbatim)
		advance(lx);
	quote = peekc(lx, 0);
	advance(lx);
	for (;;) {
		int c = peekc(lx, 0);

		if (c == -1 || c == '\n') {
			kql__diag_set(lx->d, t->line, t->col, "unterminated string");
			return -EINVAL;
		}
		advance(lx);
		if (c == quote) {
			if (verbatim && peekc(lx, 0) == quote) {
				advance(lx);
				continue;
			}
			return 0;
		}
		if (c == '\\' && !verbatim) {
			c = peekc(lx, 0);
			if (c == -1 || c == 0 || !strchr("\\'\"ntr0", c)) {
				kql__diag_set(lx->d, lx->line, lx->col - 1,
					      "unknown escape in string");
				return -EINVAL;
			}
			advance(lx);
		}
	}
}

int kql__tok_string(const struct kql_tok *t, char **out, size_t *len)
{
	bool verbatim = t->p[0] == '@';
	const char *p = t->p + (verbatim ? 2 : 1);
	const char *end = t->p + t->n - 1; /* the closing quote */
	char quote = p[-1];
	char *s = malloc(t->n), *o = s;

	if (!s)
		return -ENOMEM;
	while (p < end) {
		if (verbatim && *p == quote) { /* doubled */
			*o++ = quote;
			p += 2;
		} else if (!verbatim && *p == '\\') {
			switch (p[1]) {
			case 'n':
				*o++ = '\n';
				break;
			case 't':
				*o++ = '\t';
				break;
			case 'r':
				*o++ = '\r';
				break;
			case '0':
				*o++ = '\0';
				break;
			default:
				*o++ = p[1];
				break;
			}
			p += 2;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	*out = s;
	*len = o - s;
	return 0;
}

static const struct {
	const char *name;
	int64_t us;
} units[] = {
    {"d", 86400000000LL},     {"day", 86400000000LL},
    {"days", 86400000000LL},  {"h", 3600000000LL},
    {"hr", 3600000000LL},     {"hrs", 3600000000LL},
    {"hour", 3600000000LL},   {"hours", 3600000000LL},
    {"m", 60000000LL},	      {"min", 60000000LL},
    {"minute", 60000000LL},   {"minutes", 60000000LL},
    {"s", 1000000LL},	      {"sec", 1000000LL},
    {"second", 1000000LL},    {"seconds", 1000000LL},
    {"ms", 1000LL},	      {"milli", 1000LL},
    {"millis", 1000LL},	      {"millisecond", 1000LL},
    {"milliseconds", 1000LL}, {"us", 1LL},
    {"microsecond", 1LL},     {"microseconds", 1LL},
};

/* Numbers are kept below 10^15 so that any timespan of them fits in int64 microseconds. */
#define MAX_NUMBER_DIGITS 15

static int lex_number(struct kql_lexer *lx, struct kql_tok *t)
{
	int64_t whole = 0, frac = 0, scale = 1;
	size_t digits = 0, ustart, ulen;

	while (is_digit(peekc(lx, 0))) {
		whole = whole * 10 + (peekc(lx, 0) - '0');
		if (++digits > MAX_NUMBER_DIGITS)
			goto too_long;
		advance(lx);
	}
	/* "1..5" is a range, not a fraction */
	if (peekc(lx, 0) == '.' && is_digit(peekc(lx, 1))) {
		t->decimal = true;
		advance(lx);
		while (is_digit(peekc(lx, 0))) {
			if (scale < 1000000) { /* microseconds are the finest unit */
				frac = frac * 10 + (peekc(lx, 0) - '0');
				scale *= 10;
			}
			advance(lx);
		}
	}
	t->num = whole;
	ustart = lx->pos;
	while (is_alpha(peekc(lx, 0)) || is_digit(peekc(lx, 0)))
		advance(lx);
	ulen = lx->pos - ustart;
	if (!ulen) {
		t->kind = TK_NUMBER;
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == ulen && !memcmp(units[i].name, lx->s + ustart, ulen)) {
			if (whole > INT64_MAX / units[i].us / 2) {
				kql__diag_set(lx->d, t->line, t->col, "timespan too large");
				return -EINVAL;
			}
			t->kind = TK_TIMESPAN;
			t->num = whole * units[i].us + frac * units[i].us / scale;
			t->decimal = false;
			return 0;
		}
	}
	kql__diag_set(lx->d, t->line, t->col, "unknown timespan unit '%.*s'", (int)ulen,
		      lx->s + ustart);
	return -EINVAL;
too_long:
	kql__diag_set(lx->d, t->line, t->col, "number too long");
	return -EINVAL;
}

int kql__lex_next(struct kql_lexer *lx, struct kql_tok *t)
{
	static const char *const two[] = {"==", "!=", "=~", "!~", "<=", ">=", ".."};
	unsigned end_line = lx->line, end_col = lx->col;
	int c, err = 0;

	skip_blanks(lx);
	*t = (struct kql_tok){.line = lx->line, .col = lx->col, .p = lx->s + lx->pos};
	c = peekc(lx, 0);
	if (c == -1) { /* "found the end" points right after the last token */
		t->kind = TK_EOF;
		t->line = end_line;
		t->col = end_col;
		return 0;
	}
	if (is_alpha(c) || (c == '!' && is_alpha(peekc(lx, 1)))) {
		advance(lx);
		while (is_alpha(peekc(lx, 0)) || is_digit(peekc(lx, 0)))
			advance(lx);
		if (peekc(lx, 0) == '~') /* in~, !in~ */
			advance(lx);
		t->kind = TK_IDENT;
	} else if (c == '\'' || c == '"' ||
		   (c == '@' && (peekc(lx, 1) == '\'' || peekc(lx, 1) == '"'))) {
		t->kind = TK_STRING;
		err = lex_string(lx, t);
	} else if (is_digit(c)) {
		err = lex_number(lx, t);
	} else {
		t->kind = TK_PUNCT;
		for (size_t i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
			if (c == two[i][0] && peekc(lx, 1) == two[i][1]) {
				advance(lx);
				break;
			}
		}
		if (!strchr("|()[],;=<>.-+!{}*/%:~@$#&^?\\`", c) || c == 0) {
			if (c >= 0x20 && c < 0x7f)
				kql__diag_set(lx->d, t->line, t->col, "unexpected character '%c'",
					      c);
			else
				kql__diag_set(lx->d, t->line, t->col,
					      "unexpected byte 0x%02x outside a string", c);
			return -EINVAL;
		}
		advance(lx);
	}
	t->n = lx->s + lx->pos - t->p;
	return err;
}

void kql__diag_found(struct kql_diag *d, const struct kql_tok *t, const char *what,
		     const char *text_name)
{
	int n = t->n > 40 ? 40 : (int)t->n;

	if (t->kind == TK_EOF)
		kql__diag_set(d, t->line, t->col, "%s, found the end of the %s", what, text_name);
	else if (t->kind == TK_STRING) /* it has its own quotes */
		kql__diag_set(d, t->line, t->col, "%s, found %.*s", what, n, t->p);
	else
		kql__diag_set(d, t->line, t->col, "%s, found '%.*s'", what, n, t->p);
}

bool kql__tok_is(const struct kql_tok *t, const char *text)
{
	return (t->kind == TK_IDENT || t->kind == TK_PUNCT) && strlen(text) == t->n &&
	       !memcmp(t->p, text, t->n);
}

int kql__lex_raw_until(struct kql_lexer *lx, char end, struct kql_tok *t)
{
	skip_blanks(lx);
	*t = (struct kql_tok){
	    .kind = TK_STRING, .line = lx->line, .col = lx->col, .p = lx->s + lx->pos};
	while (peekc(lx, 0) != end) {
		if (peekc(lx, 0) == -1 || peekc(lx, 0) == '\n') {
			kql__diag_set(lx->d, t->line, t->col, "expected '%c'", end);
			return -EINVAL;
		}
		advance(lx);
	}
	t->n = lx->s + lx->pos - t->p;
	while (t->n && (t->p[t->n - 1] == ' ' || t->p[t->n - 1] == '\t'))
		t->n--;
	return 0;
}
