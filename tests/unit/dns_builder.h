/* SPDX-License-Identifier: MIT */
/* DNS messages built byte by byte, for tests: sound ones and the malformed kinds. */
#ifndef RMMHUNT_TEST_DNS_BUILDER_H
#define RMMHUNT_TEST_DNS_BUILDER_H

#include <stdint.h>
#include <string.h>

#define DNSB_QR	   0x8000
#define DNSB_RD	   0x0100
#define DNSB_RA	   0x0080
#define DNSB_RESP  (DNSB_QR | DNSB_RD | DNSB_RA)
#define DNSB_A	   1
#define DNSB_CNAME 5
#define DNSB_AAAA  28
#define DNSB_IN	   1

struct dnsb {
	unsigned char p[4096];
	size_t n;
};

static inline void dnsb_u8(struct dnsb *b, unsigned v)
{
	b->p[b->n++] = (unsigned char)v;
}

static inline void dnsb_u16(struct dnsb *b, unsigned v)
{
	dnsb_u8(b, v >> 8);
	dnsb_u8(b, v & 0xff);
}

static inline void dnsb_u32(struct dnsb *b, uint32_t v)
{
	dnsb_u16(b, v >> 16);
	dnsb_u16(b, v & 0xffff);
}

static inline void dnsb_bytes(struct dnsb *b, const void *p, size_t n)
{
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static inline void dnsb_hdr(struct dnsb *b, unsigned flags, unsigned qd, unsigned an)
{
	b->n = 0;
	dnsb_u16(b, 0x1234);
	dnsb_u16(b, flags);
	dnsb_u16(b, qd);
	dnsb_u16(b, an);
	dnsb_u16(b, 0);
	dnsb_u16(b, 0);
}

/* "a.b.c" as labels and the root; returns where it starts. */
static inline size_t dnsb_name(struct dnsb *b, const char *dotted)
{
	size_t at = b->n;

	while (*dotted) {
		size_t l = strcspn(dotted, ".");

		dnsb_u8(b, (unsigned)l);
		dnsb_bytes(b, dotted, l);
		dotted += l;
		if (*dotted == '.')
			dotted++;
	}
	dnsb_u8(b, 0);
	return at;
}

static inline void dnsb_ptr(struct dnsb *b, size_t to)
{
	dnsb_u16(b, 0xc000 | (unsigned)to);
}

static inline size_t dnsb_question(struct dnsb *b, const char *name, unsigned type)
{
	size_t at = dnsb_name(b, name);

	dnsb_u16(b, type);
	dnsb_u16(b, DNSB_IN);
	return at;
}

/* The fixed part of a record after its owner name. */
static inline void dnsb_rr_fixed(struct dnsb *b, unsigned type, uint32_t ttl, unsigned rdlen)
{
	dnsb_u16(b, type);
	dnsb_u16(b, DNSB_IN);
	dnsb_u32(b, ttl);
	dnsb_u16(b, rdlen);
}

static inline void dnsb_a(struct dnsb *b, const char *owner, uint32_t ttl, unsigned a0, unsigned a1,
			  unsigned a2, unsigned a3)
{
	dnsb_name(b, owner);
	dnsb_rr_fixed(b, DNSB_A, ttl, 4);
	dnsb_u8(b, a0);
	dnsb_u8(b, a1);
	dnsb_u8(b, a2);
	dnsb_u8(b, a3);
}

static inline void dnsb_aaaa(struct dnsb *b, const char *owner, uint32_t ttl,
			     const unsigned char addr[16])
{
	dnsb_name(b, owner);
	dnsb_rr_fixed(b, DNSB_AAAA, ttl, 16);
	dnsb_bytes(b, addr, 16);
}

static inline void dnsb_cname(struct dnsb *b, const char *owner, uint32_t ttl, const char *target)
{
	size_t len_at;

	dnsb_name(b, owner);
	dnsb_rr_fixed(b, DNSB_CNAME, ttl, 0);
	len_at = b->n - 2;
	dnsb_name(b, target);
	b->p[len_at] = (unsigned char)((b->n - len_at - 2) >> 8);
	b->p[len_at + 1] = (unsigned char)(b->n - len_at - 2);
}

#endif
