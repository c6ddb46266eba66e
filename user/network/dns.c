// SPDX-License-Identifier: MIT
/*
 * Two passes over the answer section, neither of which allocates: the first
 * checks every record's bounds (and finds where a cut message stops holding
 * whole records), the others follow the CNAME chain and report addresses,
 * comparing names in place in the message.
 */
#include <errno.h>
#include <string.h>

#include "network/dns.h"

#define HDR_LEN	   12
#define WIRE_MAX   255 /* RFC 1035 2.3.4: a name's bytes, length octets included */
#define HOPS_MAX   127 /* compression pointers in one name (a label takes 2 bytes) */
#define TYPE_A	   1
#define TYPE_CNAME 5
#define TYPE_AAAA  28
#define CLASS_IN   1

struct msg {
	const unsigned char *p;
	size_t len;
	int short_err; /* what running out of bytes means: -EMSGSIZE (cut) or -EINVAL */
};

/* Walks a name's labels, following compression pointers. */
struct name_it {
	const struct msg *m;
	size_t pos;	  /* the next length octet or pointer */
	size_t run_start; /* a pointer must go below this: the name's start, then each target */
	size_t end;	  /* the offset after the name's bytes in place, once known */
	size_t wire;
	unsigned hops;
	bool jumped;
};

static void name_it_init(struct name_it *it, const struct msg *m, size_t pos)
{
	*it = (struct name_it){.m = m, .pos = pos, .run_start = pos};
}

/* The next label's length (0: the root, the name's end) and bytes in *label, or -errno. */
static int name_next(struct name_it *it, const unsigned char **label)
{
	const struct msg *m = it->m;

	for (;;) {
		unsigned c;
		size_t target;

		if (it->pos >= m->len)
			return m->short_err;
		c = m->p[it->pos];
		if ((c & 0xc0) == 0xc0) {
			if (it->pos + 1 >= m->len)
				return m->short_err;
			target = (c & 0x3f) << 8 | m->p[it->pos + 1];
			/*
			 * Strictly below the start of the run being read, so the
			 * offsets read keep decreasing (no loop), and never into
			 * the header (whose bytes are no name).
			 */
			if (target >= it->run_start || target < HDR_LEN || ++it->hops > HOPS_MAX)
				return -EINVAL;
			if (!it->jumped)
				it->end = it->pos + 2;
			it->jumped = true;
			it->pos = it->run_start = target;
			continue;
		}
		if (c & 0xc0) /* 0x40 and 0x80: extended and reserved label types */
			return -EINVAL;
		if (it->pos + 1 + c > m->len)
			return m->short_err;
		it->wire += 1 + c;
		if (it->wire > WIRE_MAX)
			return -EINVAL;
		*label = m->p + it->pos + 1;
		it->pos += 1 + c;
		if (!c && !it->jumped)
			it->end = it->pos;
		return (int)c;
	}
}

/* Checks the name at @pos; the offset after its bytes in place, or -errno. */
static long name_skip(const struct msg *m, size_t pos)
{
	struct name_it it;
	const unsigned char *label;
	int n;

	name_it_init(&it, m, pos);
	while ((n = name_next(&it, &label)) > 0)
		;
	return n < 0 ? n : (long)it.end;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Names already checked by name_skip(), compared as DNS does: ASCII case-insensitive. */
static bool name_eq(const struct msg *m, size_t a, size_t b)
{
	struct name_it ia, ib;
	const unsigned char *la, *lb;
	int na, nb;

	if (a == b)
		return true;
	name_it_init(&ia, m, a);
	name_it_init(&ib, m, b);
	do {
		na = name_next(&ia, &la);
		nb = name_next(&ib, &lb);
		if (na < 0 || na != nb)
			return false;
		for (int i = 0; i < na; i++)
			if (lower(la[i]) != lower(lb[i]))
				return false;
	} while (na > 0);
	return true;
}

static int name_text(const struct msg *m, size_t pos, char out[DNS_NAME_MAX])
{
	struct name_it it;
	const unsigned char *label;
	size_t o = 0;
	int n;

	name_it_init(&it, m, pos);
	while ((n = name_next(&it, &label)) > 0) {
		if (o)
			out[o++] = '.';
		for (int i = 0; i < n; i++) {
			unsigned char c = lower(label[i]);

			/* 255 wire bytes make at most DNS_NAME_MAX - 1 characters */
			if (c == '.' || c == '\\') {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c < 0x21 || c > 0x7e) {
				out[o++] = '\\';
				out[o++] = (char)('0' + c / 100);
				out[o++] = (char)('0' + c / 10 % 10);
				out[o++] = (char)('0' + c % 10);
			} else {
				out[o++] = (char)c;
			}
		}
	}
	if (n < 0)
		return n;
	if (!o)
		out[o++] = '.';
	out[o] = '\0';
	return (int)it.end;
}

int dns__name_text(const unsigned char *msg, size_t len, size_t pos, char out[DNS_NAME_MAX])
{
	struct msg m = {msg, len, -EMSGSIZE};

	return name_text(&m, pos, out);
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct rr {
	size_t owner, rdata;
	uint16_t type, class, rdlen;
	uint32_t ttl;
};

/* The record at *pos, checked; *pos moves past it. 0 or -errno. */
static int rr_read(const struct msg *m, size_t *pos, struct rr *rr)
{
	long end = name_skip(m, *pos);
	const unsigned char *f;

	if (end < 0)
		return (int)end;
	if ((size_t)end + 10 > m->len)
		return m->short_err;
	f = m->p + end;
	rr->owner = *pos;
	rr->type = get16(f);
	rr->class = get16(f + 2);
	rr->ttl = get32(f + 4);
	if (rr->ttl > INT32_MAX)
		rr->ttl = 0;
	rr->rdlen = get16(f + 8);
	rr->rdata = (size_t)end + 10;
	if (rr->rdata + rr->rdlen > m->len)
		return m->short_err;
	if (rr->class == CLASS_IN) {
		if ((rr->type == TYPE_A && rr->rdlen != 4) ||
		    (rr->type == TYPE_AAAA && rr->rdlen != 16))
			return -EINVAL;
		if (rr->type == TYPE_CNAME) {
			end = name_skip(m, rr->rdata);
			/* a short read inside the record's own length is no cut */
			if (end == -EMSGSIZE || (end >= 0 && (size_t)end != rr->rdata + rr->rdlen))
				return -EINVAL;
			if (end < 0)
				return (int)end;
		}
	}
	*pos = rr->rdata + rr->rdlen;
	return 0;
}

static uint32_t min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/*
 * The chain from the question name: chain[0] is the question, chain[i + 1]
 * the target of chain[i]'s CNAME; ttl[i] the smallest TTL of those CNAMEs
 * up to chain[i]. The number of names on it, or -errno.
 */
static int follow_chain(const struct msg *m, size_t an, unsigned nrr, size_t chain[],
			uint32_t ttl[])
{
	int n = 1;

	chain[0] = HDR_LEN; /* the question name */
	ttl[0] = UINT32_MAX;
	for (;;) {
		size_t pos = an, target = 0;
		uint32_t t = UINT32_MAX;
		bool found = false;
		struct rr rr;

		for (unsigned i = 0; i < nrr; i++) {
			if (rr_read(m, &pos, &rr))
				return -EINVAL; /* checked before: cannot happen */
			if (rr.type != TYPE_CNAME || rr.class != CLASS_IN ||
			    !name_eq(m, rr.owner, chain[n - 1]))
				continue;
			/* RFC 2181 10.1: one CNAME per name; two targets would be a guess */
			if (found && !name_eq(m, target, rr.rdata))
				return -EINVAL;
			target = rr.rdata;
			t = min32(t, rr.ttl);
			found = true;
		}
		if (!found)
			return n;
		for (int j = 0; j < n; j++)
			if (name_eq(m, target, chain[j]))
				return -ELOOP;
		if (n > DNS_CHAIN_MAX)
			return -ELOOP;
		chain[n] = target;
		ttl[n] = min32(ttl[n - 1], t);
		n++;
	}
}

int dns__parse_answer(const unsigned char *msg, size_t len, bool tcp, dns_addr_fn fn, void *ctx)
{
	struct msg m = {msg, len, -EMSGSIZE};
	size_t chain[DNS_CHAIN_MAX + 1], pos, an;
	uint32_t ttl[DNS_CHAIN_MAX + 1];
	char name[DNS_NAME_MAX];
	unsigned ancount, nrr = 0;
	int nchain, reported = 0, err = 0;
	long end;
	struct rr rr;

	if (tcp) {
		size_t want;

		if (len < 2)
			return -EMSGSIZE;
		want = get16(msg);
		m.p = msg + 2;
		m.len = len - 2;
		if (m.len >= want) {
			m.len = want;
			m.short_err = -EINVAL; /* whole: running out is a lie in the message */
		}
	}
	if (m.len < HDR_LEN)
		return m.short_err;
	if (!(m.p[2] & 0x80) || (m.p[2] & 0x78))
		return -ENOMSG; /* a query, or not a standard query's response */
	if (m.p[3] & 0x0f)
		return 0; /* an error: NXDOMAIN, SERVFAIL, ... names no address */
	if (get16(m.p + 4) != 1)
		return -ENOMSG;
	ancount = get16(m.p + 6);
	end = name_skip(&m, HDR_LEN);
	if (end < 0)
		return (int)end;
	if ((size_t)end + 4 > m.len)
		return m.short_err;
	if (get16(m.p + end + 2) != CLASS_IN)
		return -ENOMSG;
	an = pos = (size_t)end + 4;
	/* Which records are whole; a malformed one refuses the message. */
	while (nrr < ancount) {
		err = rr_read(&m, &pos, &rr);
		if (err)
			break;
		nrr++;
	}
	if (err && err != -EMSGSIZE)
		return err;
	nchain = follow_chain(&m, an, nrr, chain, ttl);
	if (nchain < 0)
		return nchain;
	if (name_text(&m, HDR_LEN, name) < 0)
		return -EINVAL; /* checked above: cannot happen */
	pos = an;
	for (unsigned i = 0; i < nrr; i++) {
		unsigned char addr[16] = {[10] = 0xff, [11] = 0xff};

		rr_read(&m, &pos, &rr);
		if (rr.class != CLASS_IN || (rr.type != TYPE_A && rr.type != TYPE_AAAA))
			continue;
		for (int j = 0; j < nchain; j++) {
			if (!name_eq(&m, rr.owner, chain[j]))
				continue;
			if (rr.type == TYPE_A)
				memcpy(addr + 12, m.p + rr.rdata, 4);
			else
				memcpy(addr, m.p + rr.rdata, 16);
			fn(ctx, name, addr, min32(rr.ttl, ttl[j]));
			reported++;
			break;
		}
	}
	return err ? err : reported;
}
