// SPDX-License-Identifier: MIT
/*
 * Fuzzes the Authenticode parser and verifier through the same bounded
 * pe_source the fd path uses, with a real trust store so chains get built.
 * An input that starts with "MZ" is a whole file; any other is the PKCS#7 DER
 * of one certificate-table entry, put in a minimal PE32+ image, so mutations
 * spend themselves on the DER (nested signatures, countersignatures).
 * Checks what callers rely on: every string ends within its buffer, a
 * signature that is not good says why, and the counts stay in their bounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "identity/authenticode.h"

#define WRAP_HDR 0x400

static struct authenticode_info info;
static struct authenticode_trust *trust;
static uint8_t wrapped[WRAP_HDR + 8 + (1 << 20)];

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* A PE32+ image whose certificate table is one WIN_CERTIFICATE holding @der. */
static size_t wrap(const uint8_t *der, size_t n)
{
	memset(wrapped, 0, WRAP_HDR);
	memcpy(wrapped, "MZ", 2);
	put32(wrapped + 0x3c, 0x40);
	memcpy(wrapped + 0x40, "PE\0\0", 4);
	put32(wrapped + 0x44, 0x8664);
	put32(wrapped + 0x54, 0xf0);		      /* SizeOfOptionalHeader */
	put32(wrapped + 0x58, 0x20b);		      /* PE32+ */
	put32(wrapped + 0x58 + 108, 16);	      /* NumberOfRvaAndSizes */
	put32(wrapped + 0x58 + 144, WRAP_HDR);	      /* the table's offset */
	put32(wrapped + 0x58 + 148, 8 + (uint32_t)n); /* and size */
	put32(wrapped + WRAP_HDR, 8 + (uint32_t)n);
	put32(wrapped + WRAP_HDR + 4, 0x00020200); /* revision 2.0, PKCS#7 */
	memcpy(wrapped + WRAP_HDR + 8, der, n);
	return WRAP_HDR + 8 + n;
}

static void check(const char *s, size_t cap)
{
	if (strnlen(s, cap) == cap)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pe_source src;
	int err;

	if (!trust)
		trust = authenticode_trust__new(NULL, 0, NULL);
	if (size < 2 || memcmp(data, "MZ", 2)) {
		if (size > sizeof(wrapped) - WRAP_HDR - 8)
			return 0;
		size = wrap(data, size);
		data = wrapped;
	}
	pe_source__init_mem(&src, data, size);
	err = authenticode__check(&src, trust, &info);
	if (err == -ENOEXEC)
		return 0;
	if (err)
		abort(); /* memory reads fail in no other way */
	if (info.n_sigs > AUTHENTICODE_MAX_SIGNATURES || (!info.n_sigs && !info.reason))
		abort();
	for (unsigned int i = 0; i < info.n_sigs; i++) {
		const struct authenticode_sig *s = &info.sig[i];

		if (s->is_signed == (s->reason != NULL))
			abort();
		if ((s->is_trusted || s->is_root_microsoft) && !s->is_signed)
			abort();
		check(s->digest_alg, sizeof(s->digest_alg));
		check(s->signer, sizeof(s->signer));
		check(s->signer_hash, sizeof(s->signer_hash));
		check(s->issuer, sizeof(s->issuer));
		check(s->issuer_hash, sizeof(s->issuer_hash));
		check(s->serial, sizeof(s->serial));
		if (s->n_crl_urls > AUTHENTICODE_MAX_CRL_URLS)
			abort();
		for (unsigned int k = 0; k < s->n_crl_urls; k++)
			check(s->crl_urls[k], sizeof(s->crl_urls[k]));
	}
	return 0;
}
