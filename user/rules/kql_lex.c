// SPDX-License-Identifier: MIT
/*
 * KQL tokens: identifiers (also `!has`, `in~`), strings ('…', "…" with
 * backslash escapes; verbatim @'…', @"…" where a doubled quote is a quote;
 * any of them prefixed h or H, Kusto's obfuscated strings, which are plain
 * strings to a query), numbers (decimal, 0x hex, reals), timespans (2d, 1.5h,
 * 30m, 10s, 100ms, 5microseconds, ...) and punctuation. `//` starts a comment
 * that runs to the end of the line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
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

/* The hex digits an escape letter takes: \xHH, \uHHHH, \UHHHHHHHH; 0 for the others. */
static int escape_digits(int c)
{
	return c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
}

/* Checks the escape after a backslash (the lexer is on its letter) and moves past it. */
static int lex_escape(struct kql_lexer *lx)
{
	unsigned line = lx->line, col = lx->col - 1;
	int c = peekc(lx, 0), digits = escape_digits(c);
	uint32_t cp = 0;

	if (c == -1 || c == 0 || (!digits && !strchr("\\'\"ntr0abfv", c)))
		goto bad;
	advance(lx);
	for (int i = 0; i < digits; i++) {
		int h = hex__digit(peekc(lx, 0));

		if (h < 0)
			goto bad;
		cp = cp << 4 | (uint32_t)h;
		advance(lx);
	}
	if (digits == 8 && cp > 0x10ffff)
		goto bad;
	return 0;
bad:
	kql__diag_set(lx->d, line, col, "unknown escape in string");
	return -EINVAL;
}

static int lex_string(struct kql_lexer *lx, struct kql_tok *t)
{
	bool verbatim;
	int quote;

	if (peekc(lx, 0) == 'h' || peekc(lx, 0) == 'H')
		advance(lx);
	verbatim = peekc(lx, 0) == '@';
	if (verbatim)
		advance(lx);
	quote = peekc(lx, 0);
	advance(lx);
	for (;;) {
		int c = peekc(lx, 0);

		/* the closing quote is missing where the line ends, as Kusto reports it */
		if (c == -1 || c == '\n') {
			kql__diag_set(
			    lx->d, lx->line, lx->col,
			    "unterminated string: no closing %c before the end of the line", quote);
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
		if (c == '\\' && !verbatim && lex_escape(lx))
			return -EINVAL;
	}
}

/* Appends code point @cp as UTF-8. */
static char *put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

int kql__tok_string(const struct kql_tok *t, char **out, size_t *len)
{
	bool obfuscated = t->p[0] == 'h' || t->p[0] == 'H';
	bool verbatim = t->p[obfuscated] == '@';
	const char *p = t->p + obfuscated + verbatim + 1;
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
			case 'a':
				*o++ = '\a';
				break;
			case 'b':
				*o++ = '\b';
				break;
			case 'f':
				*o++ = '\f';
				break;
			case 'v':
				*o++ = '\v';
				break;
			case 'x':
			case 'u':
			case 'U': {
				/* the lexer checked the digits */
				int digits = escape_digits(p[1]);
				uint32_t cp = 0;

				for (int i = 0; i < digits; i++)
					cp = cp << 4 | (uint32_t)hex__digit(p[2 + i]);
				o = put_utf8(o, cp);
				p += digits;
				break;
			}
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

	if (peekc(lx, 0) == '0' && (peekc(lx, 1) == 'x' || peekc(lx, 1) == 'X') &&
	    hex__digit(peekc(lx, 2)) >= 0) {
		advance(lx);
		advance(lx);
		while (hex__digit(peekc(lx, 0)) >= 0) {
			whole = whole << 4 | hex__digit(peekc(lx, 0));
			if (++digits > MAX_NUMBER_DIGITS - 3)
				goto too_long;
			advance(lx);
		}
		t->kind = TK_NUMBER;
		t->num = whole;
		return 0;
	}
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
	/* 1e3, 2.5E-2: a real */
	if ((peekc(lx, 0) == 'e' || peekc(lx, 0) == 'E') &&
	    (is_digit(peekc(lx, 1)) ||
	     ((peekc(lx, 1) == '-' || peekc(lx, 1) == '+') && is_digit(peekc(lx, 2))))) {
		t->decimal = true;
		advance(lx);
		advance(lx);
		while (is_digit(peekc(lx, 0)))
			advance(lx);
		t->kind = TK_NUMBER;
		return 0;
	}
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
	*t = (struct kql_tok){.line = lx->line,
			      .col = lx->col,
			      .prev_line = end_line,
			      .prev_col = end_col,
			      .p = lx->s + lx->pos};
	c = peekc(lx, 0);
	if (c == -1) { /* "found the end" points right after the last token */
		t->kind = TK_EOF;
		t->line = end_line;
		t->col = end_col;
		return 0;
	}
	if ((c == 'h' || c == 'H') &&
	    (peekc(lx, 1) == '\'' || peekc(lx, 1) == '"' ||
	     (peekc(lx, 1) == '@' && (peekc(lx, 2) == '\'' || peekc(lx, 2) == '"')))) {
		t->kind = TK_STRING;
		err = lex_string(lx, t);
	} else if (is_alpha(c) || (c == '!' && is_alpha(peekc(lx, 1)))) {
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
	struct kql_tok at = *t;

	/* what is missing belongs at the end of the line before, as Kusto reports it */
	if (strncmp(what, "expected a table", 16) && t->prev_line && t->line > t->prev_line) {
		at.line = t->prev_line;
		at.col = t->prev_col;
	}
	t = &at;
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
