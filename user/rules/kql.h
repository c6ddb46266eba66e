/* SPDX-License-Identifier: MIT */
/*
 * Internal to user/rules: the compiled form of a rule. The KQL `where`
 * clauses and the exclusions compile to the same predicate nodes, which
 * rule__match() walks without allocating.
 */
#ifndef RMMHUNT_KQL_H
#define RMMHUNT_KQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "rules.h"
#include "table.h"

/* Bounds on untrusted rule text: a rule file runs as root on every node. */
#define KQL_MAX_DEPTH	   32	/* nested parentheses / not() */
#define KQL_MAX_NODES	   4096 /* predicate nodes per rule */
#define KQL_MAX_LIST	   4096 /* items in one literal list */
#define KQL_MAX_LETS	   64
#define KQL_MAX_COLS	   64	     /* summarize/project output columns */
#define RULE_MAX_FILE_SIZE (1 << 20) /* bytes of one rule file */
#define MAKE_SET_DEFAULT   1048576

/* terms.c: Kusto's string operators. Needles marked @lneedle are ASCII-lowercased. */
bool kql__is_term_char(unsigned char c);
bool kql__has(const char *h, size_t hn, const char *needle, size_t nn, bool cs);
bool kql__contains(const char *h, size_t hn, const char *needle, size_t nn, bool cs);
bool kql__startswith(const char *h, size_t hn, const char *needle, size_t nn, bool cs);
bool kql__endswith(const char *h, size_t hn, const char *needle, size_t nn, bool cs);
bool kql__equals(const char *h, size_t hn, const char *needle, size_t nn, bool cs);
/* Windows image-name equality: case-insensitive, a trailing ".exe" optional on either side. */
bool kql__name_equals(const char *h, size_t hn, const char *lneedle, size_t nn);
/* Length of @s[0..n) without a trailing ".exe" (any case). */
size_t kql__strip_exe(const char *s, size_t n);
void kql__ascii_lower(char *s, size_t n);

/* A string operator's comparison; each has a case-sensitive twin where Kusto has one. */
enum kql_op {
	KOP_AND, /* kids: all true */
	KOP_OR,	 /* kids: any true */
	KOP_NOT, /* kids[0] false */
	KOP_ISEMPTY,
	/* string: true when the needles match (any, or all with ->all) */
	KOP_HAS,
	KOP_HAS_CS,
	KOP_CONTAINS,
	KOP_CONTAINS_CS,
	KOP_STARTSWITH,
	KOP_STARTSWITH_CS,
	KOP_ENDSWITH,
	KOP_ENDSWITH_CS,
	KOP_EQ,	     /* == and in */
	KOP_EQ_CI,   /* =~ and in~ */
	KOP_NAME_EQ, /* exclusions: process.name == */
	/* numbers and times: the value is FT_LONG/FT_BOOL/FT_TIME */
	KOP_NUM_EQ, /* any of vals */
	KOP_LT,
	KOP_LE,
	KOP_GT,
	KOP_GE,
	KOP_BETWEEN, /* vals[0] <= x <= vals[1] */
	/* x in (S), S a tabular let: the distinct values of a column of another table */
	KOP_IN_SET, /* ->set: the query's subquery */
};

struct kql_val {
	char *s; /* string as written (NUL-terminated) */
	size_t len;
	char *lower;  /* ASCII-lowercased copy, for the case-insensitive operators */
	int64_t num;  /* number, bool, time (us since epoch), or offset from now (us) */
	bool rel_now; /* time relative to the clock at evaluation: now(num) */
};

struct kql_node {
	enum kql_op op;
	bool neg;    /* !has, !in, ...: the result is inverted */
	bool all;    /* has_all: every needle must match */
	bool window; /* the look-back predicate: the aggregator's job, true here */
	int field;   /* the table's field id; -1: a Defender column with no Linux meaning (empty) */
	unsigned line, col;
	int set; /* KOP_IN_SET: index into kql_query.subs */
	uint32_t nkids;
	int *kids;
	uint32_t nvals;
	struct kql_val *vals;
};

struct kql_prog {
	struct kql_node *nodes;
	size_t n, cap;
};

/* A position in compiled text (1-based) and what went wrong there. */
struct kql_diag {
	unsigned line, col;
	char msg[320];
	/* Warnings: called once per warning, positions as for errors. */
	void (*warn)(void *arg, unsigned line, unsigned col, const char *msg);
	void *warn_arg;
};

void kql__diag_set(struct kql_diag *d, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kql__diag_warn(struct kql_diag *d, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends a node; returns its index or -ENOMEM/-E2BIG. */
int kql__prog_add(struct kql_prog *p, const struct kql_node *n);
void kql__prog_free(struct kql_prog *p);
void kql__val_free(struct kql_val *v);
/* Fills v->s/len/lower from @s[0..n); 0 or -ENOMEM. */
int kql__val_set_str(struct kql_val *v, const char *s, size_t n);

/*
 * let S = TABLE | where ... | distinct COLUMN: the values of COLUMN in the
 * records of TABLE that match. Not over DeviceProcessEvents; over
 * DeviceFileCertificateInfo with a warning, the rule counted out on Linux:
 * its set would need the values kept over the look-back, which nothing does,
 * so it reads as empty, as over a table without records.
 */
#define KQL_MAX_SUBQUERIES 8
struct kql_subquery {
	const struct table_desc *table;
	int root;  /* its where clauses, -1 when none */
	int field; /* the distinct column (a field id of its table, -1 when empty) */
	enum field_type type;
};

/* What a query compiles to. */
struct kql_query {
	const struct table_desc *table; /* the table the query reads */
	int root; /* node index of the where clauses, -1 when there are none */
	int64_t window_us;
	struct summarize_col *cols; /* names owned */
	size_t ncols;
	bool dead_on_linux; /* a predicate was warned about: it never matches on Linux */
	struct kql_subquery subs[KQL_MAX_SUBQUERIES];
	size_t nsubs;
};

/* kql_parse.c: compiles @text into @prog/@q; on error fills @d and returns -EINVAL. */
int kql__compile(const char *text, size_t len, struct kql_prog *prog, struct kql_query *q,
		 struct kql_diag *d);
void kql__query_free(struct kql_query *q);

/* exclusion.c: compiles one exclusion expression; returns the root node index or -EINVAL. */
int exclusion__compile(const char *text, size_t len, struct kql_prog *prog, struct kql_diag *d);

/* kql__eval.c */
struct kql_eval_ctx {
	const struct event *e;
	int64_t now_us; /* read lazily, once per evaluation */
	bool have_now;
};
bool kql__eval(const struct kql_prog *p, int node, struct kql_eval_ctx *ctx);
/* True when a node reachable from @node (window excluded) reads a per-exec column of table @t. */
bool kql__reads_per_exec(const struct kql_prog *p, int node, enum table_id t);

#endif
