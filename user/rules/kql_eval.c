// SPDX-License-Identifier: MIT
/*
 * Evaluates compiled predicates against one event. Runs on every exec: no
 * allocation, needles pre-lowercased, recursion only as deep as the
 * parenthesis nesting the compilers allow (KQL_MAX_DEPTH).
 *
 * Nulls follow Kusto: an unset string reads as "", so isempty() is true and
 * !has is true; an unset number or time makes every comparison false
 * (negated ones too). A list column (dynamic array) satisfies a string
 * operator when any of its items does; a list without items never does.
 */
#include <string.h>
#include <time.h>

#include "kql.h"

static bool str_op(const struct kql_node *n, const struct kql_val *v, const char *h, size_t hn)
{
	switch (n->op) {
	case KOP_HAS:
		return kql__has(h, hn, v->lower, v->len, false);
	case KOP_HAS_CS:
		return kql__has(h, hn, v->s, v->len, true);
	case KOP_CONTAINS:
		return kql__contains(h, hn, v->lower, v->len, false);
	case KOP_CONTAINS_CS:
		return kql__contains(h, hn, v->s, v->len, true);
	case KOP_STARTSWITH:
		return kql__startswith(h, hn, v->lower, v->len, false);
	case KOP_STARTSWITH_CS:
		return kql__startswith(h, hn, v->s, v->len, true);
	case KOP_ENDSWITH:
		return kql__endswith(h, hn, v->lower, v->len, false);
	case KOP_ENDSWITH_CS:
		return kql__endswith(h, hn, v->s, v->len, true);
	case KOP_EQ:
		return kql__equals(h, hn, v->s, v->len, true);
	case KOP_EQ_CI:
		return kql__equals(h, hn, v->lower, v->len, false);
	case KOP_NAME_EQ:
		return kql__name_equals(h, hn, v->lower, v->len);
	default:
		return false;
	}
}

/* One needle against the node's column. */
static bool str_val(const struct kql_node *n, const struct kql_val *v, const struct event *e)
{
	const char *h;

	if (n->field < 0)
		return str_op(n, v, "", 0);
	if (event__type(e, n->field) == FT_STRLIST) {
		for (h = event__list_next(e, n->field, NULL); h;
		     h = event__list_next(e, n->field, h))
			if (str_op(n, v, h, strlen(h)))
				return true;
		return false;
	}
	h = event__str(e, n->field);
	return str_op(n, v, h ? h : "", h ? event__str_len(e, n->field) : 0);
}

static bool is_empty(const struct kql_node *n, const struct event *e)
{
	if (n->field < 0 || !event__isset(e, n->field))
		return true;
	switch (event__type(e, n->field)) {
	case FT_STRING:
	case FT_JSON:
		return event__str_len(e, n->field) == 0;
	case FT_STRLIST:
		return event__list_count(e, n->field) == 0;
	default:
		return false;
	}
}

static int64_t val_num(const struct kql_val *v, struct kql_eval_ctx *ctx)
{
	if (!v->rel_now)
		return v->num;
	if (!ctx->have_now) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ctx->now_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		ctx->have_now = true;
	}
	return ctx->now_us + v->num;
}

static bool num_op(const struct kql_node *n, int64_t x, struct kql_eval_ctx *ctx)
{
	switch (n->op) {
	case KOP_NUM_EQ:
		for (uint32_t i = 0; i < n->nvals; i++)
			if (x == val_num(&n->vals[i], ctx))
				return true;
		return false;
	case KOP_LT:
		return x < val_num(&n->vals[0], ctx);
	case KOP_LE:
		return x <= val_num(&n->vals[0], ctx);
	case KOP_GT:
		return x > val_num(&n->vals[0], ctx);
	case KOP_GE:
		return x >= val_num(&n->vals[0], ctx);
	case KOP_BETWEEN:
		return x >= val_num(&n->vals[0], ctx) && x <= val_num(&n->vals[1], ctx);
	default:
		return false;
	}
}

bool kql__eval(const struct kql_prog *p, int idx, struct kql_eval_ctx *ctx)
{
	const struct kql_node *n = &p->nodes[idx];
	bool r;

	if (n->window)
		return true;
	switch (n->op) {
	case KOP_AND:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (!kql__eval(p, n->kids[i], ctx))
				return false;
		return true;
	case KOP_OR:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (kql__eval(p, n->kids[i], ctx))
				return true;
		return false;
	case KOP_NOT:
		return !kql__eval(p, n->kids[0], ctx);
	case KOP_ISEMPTY:
		r = is_empty(n, ctx->e);
		break;
	case KOP_IN_SET:
		/* a subquery's table has no records yet (see struct kql_subquery): no values */
		r = false;
		break;
	case KOP_NUM_EQ:
	case KOP_LT:
	case KOP_LE:
	case KOP_GT:
	case KOP_GE:
	case KOP_BETWEEN:
		if (n->field < 0 || !event__isset(ctx->e, n->field))
			return false;
		r = num_op(n, ctx->e->f[n->field].num, ctx);
		break;
	default:
		r = n->all;
		for (uint32_t i = 0; i < n->nvals; i++) {
			if (str_val(n, &n->vals[i], ctx->e) != n->all) {
				r = !n->all;
				break;
			}
		}
		break;
	}
	return n->neg ? !r : r;
}

/*
 * Columns that depend only on the executable file: a rule reading nothing
 * else gives the same answer for every exec of one file. FileName and
 * FolderPath are per exec (one Wine loader runs many programs); DeviceId and
 * DeviceName count as per exec too, since replayed events mix hosts.
 */
static bool per_exec_field(enum table_id t, int field)
{
	/*
	 * A certificate record's signature columns are the file's; its Timestamp,
	 * device, ReportId, path and name are the exec's that made it.
	 */
	/* a connection's columns are its own; its process's can change with an exec */
	if (t == TABLE_NETWORK)
		return true;
	if (t == TABLE_CERTIFICATE)
		return field < 0 ||
		       !((field >= CERT_SHA1 && field <= CERT_IS_ROOT_SIGNER_MICROSOFT) ||
			 field == CERT_SHA256 || field == CERT_NESTED_SIGNATURES ||
			 field == CERT_SIGNERS);
	switch (field) {
	case -1: /* always empty */
	case FIELD_PROCESS_VERSION_INFO_COMPANY_NAME:
	case FIELD_PROCESS_VERSION_INFO_PRODUCT_NAME:
	case FIELD_PROCESS_VERSION_INFO_PRODUCT_VERSION:
	case FIELD_PROCESS_VERSION_INFO_FILE_VERSION:
	case FIELD_PROCESS_VERSION_INFO_INTERNAL_FILE_NAME:
	case FIELD_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME:
	case FIELD_PROCESS_VERSION_INFO_FILE_DESCRIPTION:
	case FIELD_VERSION_INFO_COMPANY_NAMES:
	case FIELD_VERSION_INFO_SOURCE:
	case FIELD_SHA1:
	case FIELD_SHA256:
	case FIELD_FILE_SIZE:
		return false;
	default:
		return true;
	}
}

bool kql__reads_per_exec(const struct kql_prog *p, int idx, enum table_id t)
{
	const struct kql_node *n = &p->nodes[idx];

	if (n->window)
		return false;
	switch (n->op) {
	case KOP_AND:
	case KOP_OR:
	case KOP_NOT:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (kql__reads_per_exec(p, n->kids[i], t))
				return true;
		return false;
	default:
		return per_exec_field(t, n->field);
	}
}
