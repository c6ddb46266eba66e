// SPDX-License-Identifier: MIT
/* Storage of compiled predicates and the diagnostics of the rule compilers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kql.h"

void kql__diag_set(struct kql_diag *d, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (d->msg[0]) /* the first error is the one that matters */
		return;
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

void kql__diag_warn(struct kql_diag *d, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!d->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->warn(d->warn_arg, line, col, msg);
}

int kql__prog_add(struct kql_prog *p, const struct kql_node *n)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct kql_node *nodes;

		if (p->n >= KQL_MAX_NODES)
			return -E2BIG;
		nodes = realloc(p->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return -ENOMEM;
		p->nodes = nodes;
		p->cap = cap;
	}
	p->nodes[p->n] = *n;
	return (int)p->n++;
}

void kql__val_free(struct kql_val *v)
{
	free(v->s);
	free(v->lower);
	memset(v, 0, sizeof(*v));
}

int kql__val_set_str(struct kql_val *v, const char *s, size_t n)
{
	v->s = malloc(n + 1);
	v->lower = malloc(n + 1);
	if (!v->s || !v->lower) {
		kql__val_free(v);
		return -ENOMEM;
	}
	memcpy(v->s, s, n);
	v->s[n] = '\0';
	memcpy(v->lower, s, n + 1);
	kql__ascii_lower(v->lower, n);
	v->len = n;
	return 0;
}

void kql__prog_free(struct kql_prog *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct kql_node *n = &p->nodes[i];

		for (uint32_t j = 0; j < n->nvals; j++)
			kql__val_free(&n->vals[j]);
		free(n->vals);
		free(n->kids);
	}
	free(p->nodes);
	memset(p, 0, sizeof(*p));
}
