// SPDX-License-Identifier: MIT
/*
 * The certificates of an Authenticode signature: see authenticode_cert.h.
 * What a certificate reports (names, thumbprints, serial, dates, CRL
 * distribution points) and whether its chain verifies to the trust store.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "identity/authenticode_cert.h"

#define MAX_TRUST_FILES 1024

static void to_hex(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* --- trust store -------------------------------------------------------- */

static int load_dir(X509_STORE *store, const char *path)
{
	struct dirent *d;
	unsigned int n = 0;
	DIR *dir = opendir(path);

	if (!dir)
		return -errno;
	while ((d = readdir(dir)) && n < MAX_TRUST_FILES) {
		char file[4096];
		struct stat st;

		if (d->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", path, d->d_name) >= sizeof(file))
			continue;
		if (stat(file, &st) || !S_ISREG(st.st_mode))
			continue;
		/* A file that holds no certificate is not an error: a README, a CRL. */
		X509_STORE_load_file(store, file);
		n++;
	}
	closedir(dir);
	ERR_clear_error();
	return 0;
}

struct authenticode_trust *authenticode_trust__new(const char *const *paths, size_t n_paths,
						   int *err)
{
	struct authenticode_trust *t = calloc(1, sizeof(*t));
	int e = -ENOMEM;

	if (!t)
		goto fail;
	t->store = X509_STORE_new();
	if (!t->store)
		goto fail;
	/* A missing system bundle leaves only the given paths: not an error. */
	X509_STORE_set_default_paths(t->store);
	for (size_t i = 0; i < n_paths; i++) {
		struct stat st;

		if (stat(paths[i], &st)) {
			e = -errno;
			goto fail;
		}
		if (S_ISDIR(st.st_mode))
			e = load_dir(t->store, paths[i]);
		else
			e = X509_STORE_load_file(t->store, paths[i]) == 1 ? 0 : -ENOENT;
		if (e)
			goto fail;
	}
	ERR_clear_error();
	return t;
fail:
	ERR_clear_error();
	authenticode_trust__free(t);
	if (err)
		*err = e;
	return NULL;
}

void authenticode_trust__free(struct authenticode_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	free(t);
}

/* --- certificates ------------------------------------------------------ */

static void cn_of(const X509_NAME *name, char *out)
{
	int i = name ? X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	unsigned char *utf8 = NULL;
	int n;

	out[0] = '\0';
	if (i < 0)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0)
		return;
	if (n >= AUTHENTICODE_NAME_MAX) {
		n = AUTHENTICODE_NAME_MAX - 1;
		while (n > 0 && (utf8[n] & 0xc0) == 0x80)
			n--; /* cut on a character boundary */
	}
	memcpy(out, utf8, n);
	out[n] = '\0';
	/* An embedded NUL ends the name rather than hiding what follows it. */
	OPENSSL_free(utf8);
}

static void thumbprint(X509 *x, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	out[0] = '\0';
	if (X509_digest(x, EVP_sha1(), md, &n) == 1 && n == 20)
		to_hex(md, n, out);
}

/* The DER integer's content bytes, without a leading 0x00 sign byte. */
static void serial_of(const ASN1_INTEGER *serial, char *out)
{
	unsigned char *der = NULL;
	const unsigned char *content;
	size_t hdr, len;
	int n = i2d_ASN1_INTEGER((ASN1_INTEGER *)serial, &der);

	out[0] = '\0';
	if (n < 3) {
		OPENSSL_free(der);
		return;
	}
	/* i2d wrote a well-formed TLV: skip the tag and the length. */
	hdr = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;
	content = der + hdr;
	len = hdr < (size_t)n ? n - hdr : 0;
	if (len > 1 && content[0] == 0 && content[1] >= 0x80) {
		content++;
		len--;
	}
	if (len && 2 * len < AUTHENTICODE_SERIAL_MAX)
		to_hex(content, len, out);
	OPENSSL_free(der);
}

bool authenticode_cert__time(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return false;
	*out = timegm(&tm);
	return true;
}

static void crl_urls_of(X509 *x, struct authenticode_sig *sig)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);

	for (int i = 0; dps && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (!dp->distpoint || dp->distpoint->type != 0)
			continue;
		for (int k = 0; k < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); k++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, k);
			const ASN1_IA5STRING *uri;
			int n;

			if (gn->type != GEN_URI || sig->n_crl_urls >= AUTHENTICODE_MAX_CRL_URLS)
				continue;
			uri = gn->d.uniformResourceIdentifier;
			n = ASN1_STRING_length(uri);
			if (n <= 0 || n >= AUTHENTICODE_URL_MAX ||
			    memchr(ASN1_STRING_get0_data(uri), 0, n))
				continue;
			memcpy(sig->crl_urls[sig->n_crl_urls], ASN1_STRING_get0_data(uri), n);
			sig->crl_urls[sig->n_crl_urls++][n] = '\0';
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
}

X509 *authenticode_cert__find(STACK_OF(X509) * certs, const PKCS7_ISSUER_AND_SERIAL *ias)
{
	if (!ias || !ias->issuer || !ias->serial)
		return NULL;
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		if (!X509_NAME_cmp(X509_get_issuer_name(x), ias->issuer) &&
		    !ASN1_INTEGER_cmp(X509_get0_serialNumber(x), ias->serial))
			return x;
	}
	return NULL;
}

/* The certificate among @certs that issued @x, if the signature carries it. */
static X509 *find_issuer(STACK_OF(X509) * certs, X509 *x)
{
	for (int i = 0; i < sk_X509_num(certs); i++) {
		X509 *c = sk_X509_value(certs, i);

		if (X509_check_issued(c, x) == X509_V_OK)
			return c;
	}
	return NULL;
}

bool authenticode_cert__code_signing(X509 *x)
{
	uint32_t xku = X509_get_extended_key_usage(x);

	return xku == UINT32_MAX || (xku & (XKU_CODE_SIGN | XKU_ANYEKU));
}

static bool microsoft_root(X509 *root)
{
	const X509_NAME *name = X509_get_subject_name(root);
	char cn[AUTHENTICODE_NAME_MAX], o[AUTHENTICODE_NAME_MAX];
	int i = X509_NAME_get_index_by_NID(name, NID_organizationName, -1);
	unsigned char *utf8 = NULL;
	int n;

	cn_of(name, cn);
	o[0] = '\0';
	if (i >= 0) {
		n = ASN1_STRING_to_UTF8(&utf8,
					X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
		if (n >= 0 && n < (int)sizeof(o)) {
			memcpy(o, utf8, n);
			o[n] = '\0';
		}
		OPENSSL_free(utf8);
	}
	return !strcmp(o, "Microsoft Corporation") && !strncmp(cn, "Microsoft ", 10);
}

bool authenticode_cert__chain_verifies(const struct authenticode_trust *trust, X509 *leaf,
				       STACK_OF(X509) * untrusted, int64_t when, bool *ms_root)
{
	X509_STORE_CTX *ctx;
	bool ok = false;

	if (ms_root)
		*ms_root = false;
	if (!trust || !leaf)
		return false;
	ctx = X509_STORE_CTX_new();
	if (!ctx)
		return false;
	if (X509_STORE_CTX_init(ctx, trust->store, leaf, untrusted) == 1) {
		if (when)
			X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), (time_t)when);
		ok = X509_verify_cert(ctx) == 1;
		if (ok && ms_root) {
			STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
			int n = sk_X509_num(chain);

			*ms_root = n > 0 && microsoft_root(sk_X509_value(chain, n - 1));
		}
	}
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

void authenticode_cert__fill(struct authenticode_sig *sig, X509 *x, STACK_OF(X509) * certs)
{
	X509 *issuer = find_issuer(certs, x);

	sig->has_cert = true;
	cn_of(X509_get_subject_name(x), sig->signer);
	cn_of(X509_get_issuer_name(x), sig->issuer);
	thumbprint(x, sig->signer_hash);
	if (issuer)
		thumbprint(issuer, sig->issuer_hash);
	serial_of(X509_get0_serialNumber(x), sig->serial);
	authenticode_cert__time(X509_get0_notBefore(x), &sig->not_before);
	authenticode_cert__time(X509_get0_notAfter(x), &sig->not_after);
	crl_urls_of(x, sig);
}
