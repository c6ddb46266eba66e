// SPDX-License-Identifier: MIT
/*
 * Fuzzes the Authenticode parser and verifier through the same bounded
 * pe_source the fd path uses, with a real trust store so chains get built.
 * Checks what callers rely on: every string ends within its buffer, a
 * signature that is not good says why, and the counts stay in their bounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "identity/authenticode.h"

static struct authenticode_info info;
static struct authenticode_trust *trust;

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
