// SPDX-License-Identifier: MIT
/*
 * A rule file: one YAML document, a mapping of Sentinel's hunting-query keys
 * (id, name, description, tactics, relevantTechniques, query; the others are
 * ignored) plus our `exclusions:` list. Read with libyaml's event API, so
 * every error can point at file:line:col, and nothing is expanded: aliases
 * are refused where we read values, and skipped values are depth-bounded.
 *
 * Positions inside the query (and inside exclusion expressions) are mapped
 * back to the file: exactly for `|` block scalars and single-line scalars,
 * to the scalar's first line for folded and multi-line flow scalars.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rule.h"

struct yreader {
	yaml_parser_t parser;
	yaml_event_t ev;
	bool have_ev;
	const char *file;
	const char *text;
	size_t len;
	struct rules_diag *diag;
	bool broken;		    /* libyaml refused the text (not one of our checks) */
	yaml_mark_t broken_at;	    /* where */
	const char *broken_problem; /* libyaml's words (a static string) */
};

void rules__diag_warn(struct rules_diag *diag, const char *fmt, ...)
{
	const size_t max = sizeof(diag->warnings) / sizeof(diag->warnings[0]);
	va_list ap;

	if (diag->nwarnings == max) {
		snprintf(diag->warnings[max - 1], sizeof(diag->warnings[0]),
			 "(more warnings not shown)");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(diag->warnings[diag->nwarnings++], sizeof(diag->warnings[0]), fmt, ap);
	va_end(ap);
}

static int yerr(struct yreader *y, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int yerr(struct yreader *y, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(y->diag->msg, sizeof(y->diag->msg), "%s:%zu:%zu: %s", y->file, m->line + 1,
		 m->column + 1, msg);
	return -EINVAL;
}

static int ynext(struct yreader *y)
{
	if (y->have_ev)
		yaml_event_delete(&y->ev);
	y->have_ev = false;
	if (!yaml_parser_parse(&y->parser, &y->ev)) {
		yaml_mark_t m = y->parser.problem_mark;

		/* The reader (encoding, control characters) reports a byte offset only. */
		if (y->parser.error == YAML_READER_ERROR) {
			m = (yaml_mark_t){0};
			for (size_t i = 0; i < y->parser.problem_offset && i < y->len; i++) {
				if (y->text[i] == '\n') {
					m.line++;
					m.column = 0;
				} else if ((y->text[i] & 0xc0) != 0x80) {
					m.column++;
				}
			}
		}
		y->broken = true;
		y->broken_at = m;
		y->broken_problem = y->parser.problem;
		return yerr(y, &m, "invalid YAML: %s%s%s",
			    y->parser.problem ? y->parser.problem : "parse error",
			    y->parser.context ? " " : "",
			    y->parser.context ? y->parser.context : "");
	}
	y->have_ev = true;
	return 0;
}

/*
 * Inside a mapping: reads the next key into @key and moves to its value.
 * 1 at the end of the mapping, 0 with the value's event loaded, or -EINVAL.
 */
static int ynext_key(struct yreader *y, char *key, size_t size)
{
	int err = ynext(y);

	if (err)
		return err;
	if (y->ev.type == YAML_MAPPING_END_EVENT)
		return 1;
	if (y->ev.type != YAML_SCALAR_EVENT)
		return yerr(y, &y->ev.start_mark, "expected a key");
	snprintf(key, size, "%.*s", (int)y->ev.data.scalar.length,
		 (const char *)y->ev.data.scalar.value);
	return ynext(y);
}

static char *scalar_dup(const yaml_event_t *ev)
{
	return strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
}

/* The current event must be a scalar: returns a copy in @out. */
static int read_scalar(struct yreader *y, const char *key, char **out)
{
	if (y->ev.type != YAML_SCALAR_EVENT)
		return yerr(y, &y->ev.start_mark, "'%s' must be a string", key);
	free(*out);
	*out = scalar_dup(&y->ev);
	return *out ? 0 : -ENOMEM;
}

/* A scalar or a sequence of scalars, such as `tactics`. */
static int read_strlist(struct yreader *y, const char *key, char ***out, size_t *n)
{
	int err;

	if (*n)
		return yerr(y, &y->ev.start_mark, "duplicate key '%s'", key);
	if (y->ev.type == YAML_SCALAR_EVENT) {
		*out = calloc(1, sizeof(char *));
		if (!*out)
			return -ENOMEM;
		*n = 1;
		return read_scalar(y, key, &(*out)[0]);
	}
	if (y->ev.type != YAML_SEQUENCE_START_EVENT)
		return yerr(y, &y->ev.start_mark, "'%s' must be a string or a list of strings",
			    key);
	*out = calloc(RULE_MAX_LIST, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (;;) {
		err = ynext(y);
		if (err || y->ev.type == YAML_SEQUENCE_END_EVENT)
			return err;
		if (*n == RULE_MAX_LIST)
			return yerr(y, &y->ev.start_mark, "'%s' has more than %d items", key,
				    RULE_MAX_LIST);
		if (y->ev.type != YAML_SCALAR_EVENT)
			return yerr(y, &y->ev.start_mark, "'%s' must be a list of strings", key);
		err = read_scalar(y, key, &(*out)[(*n)++]);
		if (err)
			return err;
	}
}

/* Skips the value that starts at the current event. */
static int skip_value(struct yreader *y)
{
	int depth = 0, err;

	do {
		switch (y->ev.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (++depth > RULE_MAX_YAML_DEPTH)
				return yerr(y, &y->ev.start_mark, "nested deeper than %d",
					    RULE_MAX_YAML_DEPTH);
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		default:
			break;
		}
		if (depth == 0)
			return 0;
		err = ynext(y);
	} while (!err);
	return err;
}

/* Where text compiled from a scalar starts in the file, to map positions back. */
struct text_origin {
	struct yreader *y;
	size_t line0, col0; /* 0-based file position of the text's first character */
	bool block;	    /* `|` literal: text lines are file lines, shifted by the indent */
};

static struct text_origin origin_of(struct yreader *y, const yaml_event_t *ev)
{
	struct text_origin o = {
	    .y = y, .line0 = ev->start_mark.line, .col0 = ev->start_mark.column};
	const char *p = y->text + ev->start_mark.index, *end = y->text + y->len;

	switch (ev->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		/* Content starts on the line after the indicator; its indent is the first
		 * non-blank line's. */
		o.block = true;
		o.line0++;
		while (p < end && *p != '\n')
			p++;
		for (const char *line = p + 1; line < end;) {
			const char *q = line;

			while (q < end && *q == ' ')
				q++;
			if (q < end && *q != '\n') {
				o.col0 = q - line;
				break;
			}
			line = q + 1;
		}
		break;
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		o.col0++;
		break;
	default:
		break;
	}
	return o;
}

static void origin_pos(const struct text_origin *o, unsigned line, unsigned col, size_t *fline,
		       size_t *fcol)
{
	*fline = o->line0 + line; /* 1-based */
	if (o->block || line == 1)
		*fcol = o->col0 + col;
	else
		*fcol = col;
}

static void warn_at(void *arg, unsigned line, unsigned col, const char *msg)
{
	const struct text_origin *o = arg;
	size_t fl, fc;

	origin_pos(o, line, col, &fl, &fc);
	rules__diag_warn(o->y->diag, "%s:%zu:%zu: %s", o->y->file, fl, fc, msg);
}

static int compile_error(const struct text_origin *o, const struct kql_diag *d, const char *what)
{
	size_t fl, fc;

	origin_pos(o, d->line, d->col, &fl, &fc);
	snprintf(o->y->diag->msg, sizeof(o->y->diag->msg), "%s:%zu:%zu: %s: %s", o->y->file, fl, fc,
		 what, d->msg);
	return -EINVAL;
}

static int read_exclusion(struct yreader *y, struct rule *r, struct rule_exclusion *x)
{
	yaml_mark_t start = y->ev.start_mark;
	int err;

	x->root = -1;
	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return yerr(y, &start, "an exclusion must be a mapping with id and expression");
	for (;;) {
		char key[32];

		err = ynext_key(y, key, sizeof(key));
		if (err < 0)
			return err;
		if (err)
			break;
		if (!strcmp(key, "id")) {
			err = read_scalar(y, key, &x->id);
		} else if (!strcmp(key, "description")) {
			err = read_scalar(y, key, &x->description);
		} else if (!strcmp(key, "expression")) {
			struct kql_diag d = {0};
			struct text_origin o = origin_of(y, &y->ev);

			if (x->expression)
				return yerr(y, &y->ev.start_mark, "duplicate key 'expression'");
			err = read_scalar(y, key, &x->expression);
			if (err)
				return err;
			d.warn = warn_at;
			d.warn_arg = &o;
			x->root = exclusion__compile((const char *)y->ev.data.scalar.value,
						     y->ev.data.scalar.length, &r->prog, &d);
			if (x->root < 0)
				return compile_error(&o, &d, "exclusion");
		} else {
			err = skip_value(y);
		}
		if (err)
			return err;
	}
	if (!x->id || !x->id[0])
		return yerr(y, &start, "an exclusion needs an 'id'");
	if (!x->expression)
		return yerr(y, &start, "exclusion '%s' needs an 'expression'", x->id);
	for (size_t i = 0; i + 1 < r->nexcl; i++)
		if (!strcmp(r->excl[i].id, x->id))
			return yerr(y, &start, "duplicate exclusion id '%s'", x->id);
	return 0;
}

static int read_exclusions(struct yreader *y, struct rule *r)
{
	int err;

	if (r->excl)
		return yerr(y, &y->ev.start_mark, "duplicate key 'exclusions'");
	if (y->ev.type != YAML_SEQUENCE_START_EVENT)
		return yerr(y, &y->ev.start_mark, "'exclusions' must be a list");
	r->excl = calloc(RULE_MAX_EXCLUSIONS, sizeof(*r->excl));
	if (!r->excl)
		return -ENOMEM;
	for (;;) {
		err = ynext(y);
		if (err || y->ev.type == YAML_SEQUENCE_END_EVENT)
			return err;
		if (r->nexcl == RULE_MAX_EXCLUSIONS)
			return yerr(y, &y->ev.start_mark, "more than %d exclusions",
				    RULE_MAX_EXCLUSIONS);
		r->nexcl++;
		err = read_exclusion(y, r, &r->excl[r->nexcl - 1]);
		if (err)
			return err;
	}
}

static int read_query(struct yreader *y, struct rule *r, bool *seen)
{
	struct kql_diag d = {0};
	struct text_origin o = origin_of(y, &y->ev);

	if (*seen)
		return yerr(y, &y->ev.start_mark, "duplicate key 'query'");
	if (y->ev.type != YAML_SCALAR_EVENT)
		return yerr(y, &y->ev.start_mark, "'query' must be a string");
	*seen = true;
	d.warn = warn_at;
	d.warn_arg = &o;
	if (kql__compile((const char *)y->ev.data.scalar.value, y->ev.data.scalar.length, &r->prog,
			 &r->q, &d))
		return compile_error(&o, &d, "query");
	if (!r->q.table->produced)
		rules__diag_warn(y->diag,
				 "%s: rmmhunt does not produce %s records yet: the rule loads but "
				 "matches nothing",
				 y->file, r->q.table->name);
	return 0;
}

static int read_rule(struct yreader *y, struct rule *r)
{
	yaml_mark_t start;
	bool have_query = false;
	int err;

	err = ynext(y); /* stream start */
	if (!err)
		err = ynext(y);
	if (err)
		return err;
	if (y->ev.type != YAML_DOCUMENT_START_EVENT)
		return yerr(y, &y->ev.start_mark, "empty rule file");
	err = ynext(y);
	if (err)
		return err;
	start = y->ev.start_mark;
	if (y->ev.type != YAML_MAPPING_START_EVENT)
		return yerr(y, &start, "a rule must be a mapping (id:, name:, query:, ...)");
	for (;;) {
		char key[64];

		err = ynext_key(y, key, sizeof(key));
		if (err < 0)
			return err;
		if (err)
			break;
		if (y->ev.type == YAML_ALIAS_EVENT)
			return yerr(y, &y->ev.start_mark, "YAML aliases are not supported");
		if (!strcmp(key, "id") || !strcmp(key, "name") || !strcmp(key, "description")) {
			char **dst = key[0] == 'i'   ? &r->id
				     : key[0] == 'n' ? &r->name
						     : &r->description;

			if (*dst)
				return yerr(y, &y->ev.start_mark, "duplicate key '%s'", key);
			err = read_scalar(y, key, dst);
		} else if (!strcmp(key, "tactics")) {
			err = read_strlist(y, key, &r->tactics, &r->ntactics);
		} else if (!strcmp(key, "relevantTechniques")) {
			err = read_strlist(y, key, &r->techniques, &r->ntechniques);
		} else if (!strcmp(key, "query")) {
			err = read_query(y, r, &have_query);
		} else if (!strcmp(key, "exclusions")) {
			err = read_exclusions(y, r);
		} else {
			err = skip_value(y);
		}
		if (err)
			return err;
	}
	if (!r->id || !r->id[0])
		return yerr(y, &start, "the rule needs an 'id'");
	if (!r->name || !r->name[0])
		return yerr(y, &start, "the rule needs a 'name'");
	if (!have_query)
		return yerr(y, &start, "the rule needs a 'query'");
	if (r->nexcl && r->q.table->id != TABLE_PROCESS)
		return yerr(y, &start, "exclusions apply to DeviceProcessEvents rules only, not %s",
			    r->q.table->name);
	err = ynext(y); /* document end */
	if (!err)
		err = ynext(y);
	if (!err && y->ev.type != YAML_STREAM_END_EVENT)
		return yerr(y, &y->ev.start_mark, "one rule per file: a second document follows");
	return err;
}

/* The keys a rule's meaning comes from: YAML broken inside them is never skipped. */
static bool key_is_read(const char *key, size_t n)
{
	static const char *const read[] = {
	    "id", "name", "description", "tactics", "relevantTechniques", "query", "exclusions"};

	for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++)
		if (strlen(read[i]) == n && !memcmp(read[i], key, n))
			return true;
	return false;
}

/*
 * The top-level key whose block holds 0-based line @line of @text: its first
 * and last line, and its name in @key. False when the line is in no block
 * (before the first key) or the block is one rmmhunt reads.
 */
static bool unread_block_at(const char *text, size_t len, size_t line, size_t *first, size_t *last,
			    char *key, size_t size)
{
	size_t ln = 0, start = (size_t)-1;
	char cur[64] = "";

	for (const char *p = text, *end = text + len; p < end; ln++) {
		const char *eol = memchr(p, '\n', end - p), *colon;
		size_t n = (eol ? eol : end) - p;

		colon = memchr(p, ':', n);
		/* a key at column 0: not indented, a comment, a list item or a marker */
		if (n && colon && !strchr(" \t#-\r", p[0]) && strncmp(p, "...", 3)) {
			if (start != (size_t)-1 && line >= start && line < ln)
				break;
			start = ln;
			snprintf(cur, sizeof(cur), "%.*s", (int)(colon - p), p);
		}
		p = eol ? eol + 1 : end;
	}
	if (start == (size_t)-1 || line < start || key_is_read(cur, strlen(cur)))
		return false;
	*first = start;
	*last = ln - 1;
	snprintf(key, size, "%s", cur);
	return true;
}

/* Blanks lines @first..@last of @text (their bytes but the line breaks). */
static void blank_lines(char *text, size_t len, size_t first, size_t last)
{
	size_t ln = 0;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			ln++;
		else if (ln >= first && ln <= last)
			text[i] = ' ';
	}
}

static int parse_text(const char *file, const char *text, size_t len, struct rule *r,
		      struct yreader *y, struct rules_diag *diag)
{
	int err;

	*y = (struct yreader){.file = file, .text = text, .len = len, .diag = diag};
	if (!yaml_parser_initialize(&y->parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&y->parser, (const unsigned char *)text, len);
	err = read_rule(y, r);
	if (y->have_ev)
		yaml_event_delete(&y->ev);
	yaml_parser_delete(&y->parser);
	return err;
}

/*
 * YAML broken only in keys rmmhunt ignores (the public RMM pack indents
 * requiredDataConnectors wrongly in every file): those blocks are blanked,
 * line numbers kept, and the rest must then parse, with a warning per block.
 */
#define RULE_MAX_SKIPPED_BLOCKS 8

static int parse_lenient(const char *file, const char *text, size_t len, struct rule **r,
			 unsigned flags, struct rules_diag *diag)
{
	struct yreader y;
	char *copy = NULL, first_msg[sizeof(diag->msg)];
	int err, skipped = 0;

	err = parse_text(file, text, len, *r, &y, diag);
	if (!err || !y.broken || (flags & RULES_STRICT))
		return err;
	memcpy(first_msg, diag->msg, sizeof(first_msg));
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	while (err == -EINVAL && y.broken && skipped < RULE_MAX_SKIPPED_BLOCKS) {
		size_t first, last;
		char key[64];
		struct rule *fresh;

		if (!unread_block_at(copy, len, y.broken_at.line, &first, &last, key, sizeof(key)))
			break;
		rules__diag_warn(diag,
				 "%s:%zu:%zu: invalid YAML in '%s', which rmmhunt does not "
				 "read (%s): ignored",
				 file, y.broken_at.line + 1, y.broken_at.column + 1, key,
				 y.broken_problem ? y.broken_problem : "parse error");
		blank_lines(copy, len, first, last);
		skipped++;
		fresh = calloc(1, sizeof(*fresh));
		if (!fresh || !(fresh->file = strdup(file))) {
			free(fresh);
			err = -ENOMEM;
			break;
		}
		fresh->q.root = -1;
		rule__free(*r);
		*r = fresh;
		diag->msg[0] = '\0';
		err = parse_text(file, copy, len, *r, &y, diag);
	}
	free(copy);
	if (err == -EINVAL && y.broken) /* not only in ignored keys: the first error stands */
		memcpy(diag->msg, first_msg, sizeof(first_msg));
	return err;
}

int rule_yaml__parse(const char *file, const char *text, size_t len, unsigned flags,
		     struct rule **out, struct rules_diag *diag)
{
	struct rule *r;
	int err;

	*out = NULL;
	if (len > RULE_MAX_FILE_SIZE) {
		snprintf(diag->msg, sizeof(diag->msg), "%s: larger than %d bytes", file,
			 RULE_MAX_FILE_SIZE);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->file = strdup(file))) {
		free(r);
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", file);
		return -ENOMEM;
	}
	r->q.root = -1;
	err = parse_lenient(file, text, len, &r, flags, diag);
	if (err)
		goto cleanup;
	r->where_per_exec =
	    r->q.root >= 0 && kql__reads_per_exec(&r->prog, r->q.root, r->q.table->id);
	r->per_exec = r->where_per_exec;
	for (size_t i = 0; i < r->nexcl; i++)
		r->per_exec =
		    r->per_exec || kql__reads_per_exec(&r->prog, r->excl[i].root, r->q.table->id);
	*out = r;
	return 0;
cleanup:
	if (err == -ENOMEM)
		snprintf(diag->msg, sizeof(diag->msg), "%s: out of memory", file);
	rule__free(r);
	return err;
}

void rule__free(struct rule *r)
{
	if (!r)
		return;
	free(r->file);
	free(r->id);
	free(r->name);
	free(r->description);
	for (size_t i = 0; i < r->ntactics; i++)
		free(r->tactics[i]);
	free(r->tactics);
	for (size_t i = 0; i < r->ntechniques; i++)
		free(r->techniques[i]);
	free(r->techniques);
	for (size_t i = 0; i < r->nexcl; i++) {
		free(r->excl[i].id);
		free(r->excl[i].description);
		free(r->excl[i].expression);
	}
	free(r->excl);
	kql__prog_free(&r->prog);
	kql__query_free(&r->q);
	free(r);
}
