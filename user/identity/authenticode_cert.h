/* SPDX-License-Identifier: MIT */
/*
 * The certificate side of authenticode.c (internal): the trust store, the
 * fields a signing certificate reports, finding certificates in a signature
 * and verifying chains.
 */
#ifndef RMMHUNT_AUTHENTICODE_CERT_H
#define RMMHUNT_AUTHENTICODE_CERT_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "identity/authenticode.h"

struct authenticode_trust {
	X509_STORE *store;
};

/* The certificate among @certs with the issuer and serial of @ias; NULL if none. */
X509 *authenticode_cert__find(STACK_OF(X509) * certs, const PKCS7_ISSUER_AND_SERIAL *ias);

/*
 * The signer fields of @sig from @x: CNs, thumbprints (the issuer's when one
 * of @certs issued @x), serial, validity, CRL distribution points.
 */
void authenticode_cert__fill(struct authenticode_sig *sig, X509 *x, STACK_OF(X509) * certs);

/* Seconds since the epoch of a UTCTime or GeneralizedTime. */
bool authenticode_cert__time(const ASN1_TIME *t, int64_t *out);

/* No extended key usage, or one that allows code signing. */
bool authenticode_cert__code_signing(X509 *x);

/*
 * Verifies the chain of @leaf to a root in @trust at @when (0: now), with
 * @untrusted as the intermediates. *@ms_root (when not NULL): that root is
 * Microsoft's. False when @trust or @leaf is NULL.
 */
bool authenticode_cert__chain_verifies(const struct authenticode_trust *trust, X509 *leaf,
				       STACK_OF(X509) * untrusted, int64_t when, bool *ms_root);

#endif
