/* SPDX-License-Identifier: MIT */
/*
 * Authenticode: the signatures embedded in a PE image's certificate table
 * (data directory 4), checked with libcrypto the way Windows checks them, and
 * reported with Defender's DeviceFileCertificateInfo names.
 *
 * Every WIN_CERTIFICATE entry is read (some files carry two), each entry's
 * PKCS#7 SignedData and the signatures nested in it (unauthenticated attribute
 * 1.3.6.1.4.1.311.2.4.1). A signature is good (is_signed) when its
 * SpcIndirectDataContent digest equals the file's Authenticode digest (the
 * whole file but the checksum field, the certificate-table directory entry and
 * the table, with the algorithm the signature names) and its SignerInfo
 * verifies with the certificate it names by issuer and serial. Trust is
 * separate: is_trusted says the signing certificate chains to a root in the
 * trust store.
 *
 * The file is digested in one sequential pass: authenticode__begin reads the
 * headers and the table, authenticode__update takes the file's bytes in order
 * (the same pass that computes SHA1 and SHA256 can feed it), and
 * authenticode__finish compares. authenticode__check does all three alone.
 * Everything is bounded: a malformed table or DER gives is_signed false and a
 * reason, never more reads than AUTHENTICODE_MAX_TABLE plus one pass.
 */
#ifndef RMMHUNT_AUTHENTICODE_H
#define RMMHUNT_AUTHENTICODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity/pe.h"

#define AUTHENTICODE_MAX_TABLE	    (2u << 20)	 /* certificate table bytes read */
#define AUTHENTICODE_MAX_FILE	    (1ull << 30) /* larger files are not digested */
#define AUTHENTICODE_MAX_SIGNATURES 16		 /* over all entries, nested included */
#define AUTHENTICODE_MAX_ENTRIES    8		 /* WIN_CERTIFICATE entries looked at */
#define AUTHENTICODE_MAX_CRL_URLS   8
#define AUTHENTICODE_NAME_MAX	    256 /* UTF-8 bytes kept of a CN, NUL included */
#define AUTHENTICODE_URL_MAX	    512
#define AUTHENTICODE_SERIAL_MAX	    (2 * 64 + 1) /* serials of up to 64 bytes, in hex */
#define AUTHENTICODE_HASH_HEX	    41		 /* SHA1 thumbprints */

struct authenticode_sig {
	bool is_signed;
	const char *reason;  /* why is_signed is false, static text; NULL when signed */
	unsigned int entry;  /* index of its WIN_CERTIFICATE entry */
	bool nested;	     /* from the nested-signature attribute of that entry's signature */
	char digest_alg[16]; /* the SpcIndirectDataContent digest ("SHA256"); "" unknown */

	/* The signing certificate (found by issuer and serial): set when has_cert. */
	bool has_cert;
	char signer[AUTHENTICODE_NAME_MAX]; /* subject CN; "" when it has none */
	char signer_hash[AUTHENTICODE_HASH_HEX];
	char issuer[AUTHENTICODE_NAME_MAX];
	char issuer_hash[AUTHENTICODE_HASH_HEX]; /* "" unless the issuer is carried */
	char serial[AUTHENTICODE_SERIAL_MAX];	 /* lower-case hex, no sign byte */
	int64_t not_before, not_after;		 /* seconds since the epoch */
	unsigned int n_crl_urls;
	char crl_urls[AUTHENTICODE_MAX_CRL_URLS][AUTHENTICODE_URL_MAX];
	bool is_trusted;
	bool is_root_microsoft;

	/* The countersignature (Authenticode or RFC 3161) whose signature verifies. */
	bool has_countersign;
	int64_t countersign_time; /* seconds since the epoch */
};

struct authenticode_info {
	bool has_table; /* the image has a certificate table */
	/* Why no signature could be read at all (n_sigs == 0), static text. */
	const char *reason;
	unsigned int n_sigs;
	/* sig[0] is the first entry's signature; then its nested ones, the next entries... */
	struct authenticode_sig sig[AUTHENTICODE_MAX_SIGNATURES];
};

/* Roots to verify chains against; shareable between threads once made. */
struct authenticode_trust;

/*
 * The system's CA bundle (OpenSSL's default paths, SSL_CERT_FILE and
 * SSL_CERT_DIR honoured) plus @n_paths PEM files or directories of PEM files.
 * Returns NULL with *@err set (-ENOENT naming a bad path, -ENOMEM) on failure.
 */
struct authenticode_trust *authenticode_trust__new(const char *const *paths, size_t n_paths,
						   int *err);
void authenticode_trust__free(struct authenticode_trust *t); /* NULL is fine */

struct authenticode;

/*
 * Reads the headers and the certificate table of the PE image in @src (its
 * fd or memory and size; the reads count against its budget), parses and
 * verifies the signatures into @out, and prepares the digests. @trust may be
 * NULL (nothing is trusted then). Returns 0 and the state in *@a (also for
 * unsigned and malformed images: @out says why), -ENOEXEC when @src is no
 * PE32/PE32+ image, -ENOMEM, or the error of a failed read.
 */
int authenticode__begin(struct pe_source *src, const struct authenticode_trust *trust,
			struct authenticode_info *out, struct authenticode **a);
/* True when authenticode__update needs the file's bytes (there is a digest to compare). */
bool authenticode__wants_data(const struct authenticode *a);
/* The file's bytes [@off, @off + @len), each once, in order from 0. */
void authenticode__update(struct authenticode *a, uint64_t off, const void *buf, size_t len);
/*
 * Reads the rest of @src (from where the updates stopped) into @a, when it
 * wants data. Returns 0 or the error of a failed read.
 */
int authenticode__read(struct authenticode *a, struct pe_source *src);
/* Compares the digests (an incomplete pass counts as a mismatch) and frees @a. */
void authenticode__finish(struct authenticode *a);
/* Frees @a without finishing (NULL is fine). */
void authenticode__free(struct authenticode *a);

/* authenticode__begin, one pass over @src, authenticode__finish. */
int authenticode__check(struct pe_source *src, const struct authenticode_trust *trust,
			struct authenticode_info *out);

#endif
