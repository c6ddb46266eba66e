// SPDX-License-Identifier: MIT
/*
 * Authenticode signatures of PE images: see authenticode.h.
 *
 * Ours because no Debian library verifies Authenticode from C: osslsigncode
 * does it, but as a program. libcrypto decodes the DER (d2i_PKCS7 and friends
 * are hardened and fuzzed upstream), verifies signatures and builds chains;
 * this file decides which bytes are hashed and which structure holds what
 * (authenticode_cert.c: what a certificate reports, and its chain).
 *
 * Path: DOS header -> NT headers -> optional header (checksum, data directory
 * 4) -> the certificate table (a file offset, not an RVA) -> each
 * WIN_CERTIFICATE (8-aligned) -> PKCS#7 SignedData -> SpcIndirectDataContent
 * (the expected digest) and the one SignerInfo -> its authenticated
 * attributes (messageDigest of the content, signed) and unauthenticated ones
 * (nested signatures, countersignatures). Nesting is followed one level deep,
 * as Windows does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "identity/authenticode.h"
#include "identity/authenticode_cert.h"

#define DIR_SECURITY	4
#define CERT_TYPE_PKCS7 2
#define MAX_DIGESTS	4 /* distinct digest algorithms digested in the pass */
#define CHUNK		(256u << 10)

#define OID_SPC_INDIRECT_DATA "1.3.6.1.4.1.311.2.1.4"
#define OID_SPC_NESTED_SIG    "1.3.6.1.4.1.311.2.4.1"
#define OID_RFC3161_COUNTER   "1.3.6.1.4.1.311.3.3.1"

struct digest {
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
};

/* What the pass must check for one signature of out->sig[]. */
struct pending {
	int digest; /* index in digests[], -1: nothing to compare */
	unsigned int len;
	uint8_t want[EVP_MAX_MD_SIZE];
};

struct range {
	uint64_t start, end;
};

struct authenticode {
	struct authenticode_info *out;
	const struct authenticode_trust *trust;
	uint64_t size;
	uint64_t fed; /* bytes fed so far */
	bool broken;  /* a gap in the pass */
	unsigned int n_excl;
	struct range excl[3]; /* sorted, disjoint */
	unsigned int n_digests;
	struct digest digests[MAX_DIGESTS];
	struct pending pending[AUTHENTICODE_MAX_SIGNATURES];
};

static uint16_t le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* --- DER ---------------------------------------------------------------- */

/* One definite-length TLV inside [*p, end): its tag and content. */
static bool der_next(const uint8_t **p, const uint8_t *end, uint8_t *tag, const uint8_t **content,
		     size_t *len)
{
	const uint8_t *q = *p;
	size_t n;

	if (end - q < 2)
		return false;
	*tag = *q++;
	if ((*tag & 0x1f) == 0x1f)
		return false; /* multi-byte tags: none in what we read */
	n = *q++;
	if (n & 0x80) {
		unsigned int k = n & 0x7f;

		if (k == 0 || k > 4 || (size_t)(end - q) < k)
			return false; /* indefinite or absurd */
		n = 0;
		while (k--)
			n = n << 8 | *q++;
	}
	if (n > (size_t)(end - q))
		return false;
	*content = q;
	*len = n;
	*p = q + n;
	return true;
}

static bool oid_is(const ASN1_OBJECT *o, const char *dotted)
{
	char buf[96];

	if (!o || OBJ_obj2txt(buf, sizeof(buf), o, 1) <= 0)
		return false;
	return !strcmp(buf, dotted);
}

/* An OID's TLV (tag included) as an object; NULL when malformed. */
static ASN1_OBJECT *oid_of(const uint8_t *tlv, size_t len)
{
	const unsigned char *p = tlv;

	return d2i_ASN1_OBJECT(NULL, &p, len);
}

/* --- SignerInfo --------------------------------------------------------- */

static const EVP_MD *digest_by_obj(const ASN1_OBJECT *o)
{
	switch (OBJ_obj2nid(o)) {
	case NID_md5:
		return EVP_md5();
	case NID_sha1:
		return EVP_sha1();
	case NID_sha256:
		return EVP_sha256();
	case NID_sha384:
		return EVP_sha384();
	case NID_sha512:
		return EVP_sha512();
	default:
		return NULL;
	}
}

static bool digest_buf(const EVP_MD *md, const void *p, size_t n, unsigned char *out,
		       unsigned int *len)
{
	return EVP_Digest(p, n, out, len, md, NULL) == 1;
}

/*
 * Checks that @si signed @content (@n bytes): its messageDigest attribute is
 * the digest of @content, and its signature over the DER of its authenticated
 * attributes verifies with @signer's key. Returns NULL or why not.
 */
static const char *signer_info_verifies(PKCS7_SIGNER_INFO *si, X509 *signer, const void *content,
					size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE], *attrs = NULL;
	const ASN1_OCTET_STRING *want;
	const EVP_MD *alg;
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = NULL;
	const char *why = NULL;
	unsigned int len;
	int alen;

	if (!si->digest_alg || !(alg = digest_by_obj(si->digest_alg->algorithm)))
		return "unsupported SignerInfo digest algorithm";
	if (sk_X509_ATTRIBUTE_num(si->auth_attr) <= 0)
		return "no authenticated attributes";
	want = PKCS7_digest_from_attributes(si->auth_attr);
	if (!want)
		return "no messageDigest attribute";
	if (!digest_buf(alg, content, n, md, &len) || (int)len != ASN1_STRING_length(want) ||
	    memcmp(md, ASN1_STRING_get0_data(want), len))
		return "messageDigest does not match the signed content";
	key = X509_get0_pubkey(signer);
	if (!key || !si->enc_digest)
		return "no key to verify the signature";
	alen =
	    ASN1_item_i2d((ASN1_VALUE *)si->auth_attr, &attrs, ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
	ctx = EVP_MD_CTX_new();
	if (alen <= 0 || !ctx) {
		why = "out of memory";
	} else if (EVP_DigestVerifyInit(ctx, NULL, alg, NULL, key) != 1 ||
		   EVP_DigestVerify(ctx, ASN1_STRING_get0_data(si->enc_digest),
				    ASN1_STRING_length(si->enc_digest), attrs, alen) != 1) {
		why = "the SignerInfo signature does not verify";
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(attrs);
	ERR_clear_error();
	return why;
}

/* Seconds of the signingTime attribute of @si. */
static bool signing_time(PKCS7_SIGNER_INFO *si, int64_t *out)
{
	ASN1_TYPE *t = PKCS7_get_signed_attribute(si, NID_pkcs9_signingTime);

	if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME))
		return false;
	return authenticode_cert__time(t->value.utctime, out);
}

/* The bytes an ASN1_TYPE holding a SEQUENCE encodes (the whole TLV). */
static bool sequence_bytes(const ASN1_TYPE *t, const unsigned char **p, long *n)
{
	if (!t || t->type != V_ASN1_SEQUENCE || !t->value.sequence)
		return false;
	*p = ASN1_STRING_get0_data(t->value.sequence);
	*n = ASN1_STRING_length(t->value.sequence);
	return *n > 0;
}

/* An Authenticode (PKCS#9) countersignature of @si: its signingTime when it verifies. */
static bool pkcs9_countersign(const ASN1_TYPE *v, PKCS7_SIGNER_INFO *si, STACK_OF(X509) * certs,
			      const struct authenticode_trust *trust, int64_t *when, bool *trusted)
{
	PKCS7_SIGNER_INFO *cs;
	const unsigned char *p;
	long n;
	X509 *x;
	bool ok = false;

	if (!sequence_bytes(v, &p, &n) || !(cs = d2i_PKCS7_SIGNER_INFO(NULL, &p, n)))
		return false;
	x = authenticode_cert__find(certs, cs->issuer_and_serial);
	if (x &&
	    !signer_info_verifies(cs, x, ASN1_STRING_get0_data(si->enc_digest),
				  ASN1_STRING_length(si->enc_digest)) &&
	    signing_time(cs, when)) {
		ok = true;
		*trusted = authenticode_cert__chain_verifies(trust, x, certs, *when, NULL);
	}
	PKCS7_SIGNER_INFO_free(cs);
	return ok;
}

/* An RFC 3161 timestamp token over @si's signature: its genTime when it verifies. */
static bool rfc3161_countersign(const ASN1_TYPE *v, PKCS7_SIGNER_INFO *si,
				const struct authenticode_trust *trust, int64_t *when,
				bool *trusted)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	const ASN1_OCTET_STRING *tst_der;
	const unsigned char *p;
	PKCS7 *token;
	TS_TST_INFO *tst = NULL;
	PKCS7_SIGNER_INFO *tsi;
	X509 *x;
	unsigned int len;
	const EVP_MD *alg;
	long n;
	bool ok = false;

	if (!sequence_bytes(v, &p, &n) || !(token = d2i_PKCS7(NULL, &p, n)))
		return false;
	if (!PKCS7_type_is_signed(token) || !token->d.sign || !token->d.sign->contents ||
	    sk_PKCS7_SIGNER_INFO_num(token->d.sign->signer_info) != 1)
		goto out;
	/* The TSTInfo travels as an OCTET STRING of "other" content. */
	if (!PKCS7_type_is_other(token->d.sign->contents) || !token->d.sign->contents->d.other ||
	    token->d.sign->contents->d.other->type != V_ASN1_OCTET_STRING)
		goto out;
	tst_der = token->d.sign->contents->d.other->value.octet_string;
	tst = PKCS7_to_TS_TST_INFO(token);
	if (!tst)
		goto out;
	/* The token must stamp this signature, not another one. */
	alg = digest_by_obj(TS_MSG_IMPRINT_get_algo(TS_TST_INFO_get_msg_imprint(tst))->algorithm);
	if (!alg || !digest_buf(alg, ASN1_STRING_get0_data(si->enc_digest),
				ASN1_STRING_length(si->enc_digest), md, &len))
		goto out;
	tst_der = TS_MSG_IMPRINT_get_msg(TS_TST_INFO_get_msg_imprint(tst));
	if ((int)len != ASN1_STRING_length(tst_der) ||
	    memcmp(md, ASN1_STRING_get0_data(tst_der), len))
		goto out;
	tsi = sk_PKCS7_SIGNER_INFO_value(token->d.sign->signer_info, 0);
	x = authenticode_cert__find(token->d.sign->cert, tsi->issuer_and_serial);
	tst_der = token->d.sign->contents->d.other->value.octet_string;
	if (!x || signer_info_verifies(tsi, x, ASN1_STRING_get0_data(tst_der),
				       ASN1_STRING_length(tst_der)))
		goto out;
	ok = authenticode_cert__time(TS_TST_INFO_get_time(tst), when);
	if (ok)
		*trusted =
		    authenticode_cert__chain_verifies(trust, x, token->d.sign->cert, *when, NULL);
out:
	TS_TST_INFO_free(tst);
	PKCS7_free(token);
	ERR_clear_error();
	return ok;
}

/* --- SignedData --------------------------------------------------------- */

static struct authenticode_sig *new_sig(struct authenticode *a, unsigned int entry, bool nested)
{
	struct authenticode_info *out = a->out;
	struct authenticode_sig *sig;

	if (out->n_sigs >= AUTHENTICODE_MAX_SIGNATURES)
		return NULL;
	a->pending[out->n_sigs].digest = -1;
	sig = &out->sig[out->n_sigs++];
	memset(sig, 0, sizeof(*sig));
	sig->entry = entry;
	sig->nested = nested;
	sig->reason = "malformed PKCS#7 SignedData";
	return sig;
}

static int digest_index(struct authenticode *a, const EVP_MD *md)
{
	unsigned int i;

	for (i = 0; i < a->n_digests; i++)
		if (a->digests[i].md == md)
			return i;
	if (i == MAX_DIGESTS)
		return -1;
	a->digests[i].ctx = EVP_MD_CTX_new();
	if (!a->digests[i].ctx || EVP_DigestInit_ex(a->digests[i].ctx, md, NULL) != 1) {
		EVP_MD_CTX_free(a->digests[i].ctx);
		a->digests[i].ctx = NULL;
		return -1;
	}
	a->digests[i].md = md;
	a->n_digests++;
	return i;
}

/*
 * SpcIndirectDataContent ::= SEQUENCE { data SEQUENCE { type OID, value ANY
 * OPTIONAL }, messageDigest SEQUENCE { AlgorithmIdentifier, OCTET STRING } }.
 * Sets *@inner to its content (what messageDigest covers), the digest
 * algorithm and value into @sig and @p. Returns NULL or why not.
 */
static const char *parse_indirect_data(struct authenticode *a, const ASN1_TYPE *content,
				       struct authenticode_sig *sig, struct pending *p,
				       const uint8_t **inner, size_t *inner_len)
{
	const uint8_t *der, *q, *end, *c, *data, *dig, *algo, *oid;
	size_t n, len, data_len, dig_len, algo_len;
	ASN1_OBJECT *obj;
	const EVP_MD *md;
	uint8_t tag;
	long total;
	int idx;

	if (!sequence_bytes(content, &der, &total))
		return "malformed SpcIndirectDataContent";
	q = der;
	if (!der_next(&q, der + total, &tag, inner, inner_len) || tag != 0x30)
		return "malformed SpcIndirectDataContent";
	q = *inner;
	end = *inner + *inner_len;
	if (!der_next(&q, end, &tag, &data, &data_len) || tag != 0x30 ||
	    !der_next(&q, end, &tag, &dig, &dig_len) || tag != 0x30)
		return "malformed SpcIndirectDataContent";
	/*
	 * data.type should say SPC_PE_IMAGE_DATA, but sbsign writes another OID
	 * and firmware and osslsigncode take it: only its form counts.
	 */
	c = data;
	if (!der_next(&c, data + data_len, &tag, &oid, &n) || tag != 0x06)
		return "malformed SpcIndirectDataContent";
	obj = oid_of(data, c - data);
	if (!obj)
		return "malformed SpcIndirectDataContent";
	ASN1_OBJECT_free(obj);
	/* messageDigest: DigestInfo. */
	c = dig;
	if (!der_next(&c, dig + dig_len, &tag, &algo, &algo_len) || tag != 0x30)
		return "malformed SpcIndirectDataContent";
	q = algo;
	if (!der_next(&q, algo + algo_len, &tag, &oid, &n) || tag != 0x06)
		return "malformed SpcIndirectDataContent";
	obj = oid_of(algo, q - algo);
	md = obj ? digest_by_obj(obj) : NULL;
	if (obj)
		snprintf(sig->digest_alg, sizeof(sig->digest_alg), "%s",
			 OBJ_nid2sn(OBJ_obj2nid(obj)) ?: "");
	ASN1_OBJECT_free(obj);
	if (!md) {
		sig->digest_alg[0] = '\0';
		return "unsupported digest algorithm";
	}
	if (!der_next(&c, dig + dig_len, &tag, &data, &len) || tag != 0x04 ||
	    len != (size_t)EVP_MD_get_size(md))
		return "malformed SpcIndirectDataContent digest";
	idx = digest_index(a, md);
	if (idx < 0)
		return "too many digest algorithms";
	p->digest = idx;
	p->len = len;
	memcpy(p->want, data, len);
	return NULL;
}

static void parse_signed_data(struct authenticode *a, PKCS7 *p7, unsigned int entry, bool nested);

static void unauth_attributes(struct authenticode *a, struct authenticode_sig *sig,
			      PKCS7_SIGNER_INFO *si, STACK_OF(X509) * certs, unsigned int entry,
			      bool nested, bool *ts_trusted)
{
	for (int i = 0; i < sk_X509_ATTRIBUTE_num(si->unauth_attr); i++) {
		X509_ATTRIBUTE *attr = sk_X509_ATTRIBUTE_value(si->unauth_attr, i);
		const ASN1_OBJECT *o = X509_ATTRIBUTE_get0_object(attr);
		int nid = OBJ_obj2nid(o);

		for (int k = 0; k < X509_ATTRIBUTE_count(attr); k++) {
			ASN1_TYPE *v = X509_ATTRIBUTE_get0_type(attr, k);
			int64_t when;
			bool trusted = false;

			if (nid == NID_pkcs9_countersignature) {
				if (!sig->has_countersign &&
				    pkcs9_countersign(v, si, certs, a->trust, &when, &trusted)) {
					sig->has_countersign = true;
					sig->countersign_time = when;
					*ts_trusted = trusted;
				}
			} else if (oid_is(o, OID_RFC3161_COUNTER)) {
				if (!sig->has_countersign &&
				    rfc3161_countersign(v, si, a->trust, &when, &trusted)) {
					sig->has_countersign = true;
					sig->countersign_time = when;
					*ts_trusted = trusted;
				}
			} else if (oid_is(o, OID_SPC_NESTED_SIG) && !nested) {
				const unsigned char *p;
				PKCS7 *inner;
				long n;

				if (!sequence_bytes(v, &p, &n))
					continue;
				inner = d2i_PKCS7(NULL, &p, n);
				if (inner)
					parse_signed_data(a, inner, entry, true);
				else
					new_sig(a, entry, true); /* listed, as malformed */
				PKCS7_free(inner);
				ERR_clear_error();
			}
		}
	}
}

/* Fills one signature (and adds its nested ones) from the SignedData @p7. */
static void parse_signed_data(struct authenticode *a, PKCS7 *p7, unsigned int entry, bool nested)
{
	struct authenticode_sig *sig = new_sig(a, entry, nested);
	struct pending *p = sig ? &a->pending[sig - a->out->sig] : NULL;
	const uint8_t *inner;
	size_t inner_len;
	PKCS7_SIGNER_INFO *si;
	STACK_OF(X509) * certs;
	const char *why;
	bool ts_trusted = false;
	X509 *x;

	if (!sig)
		return;
	if (!PKCS7_type_is_signed(p7) || !p7->d.sign || !p7->d.sign->contents ||
	    !p7->d.sign->contents->type)
		return;
	if (!oid_is(p7->d.sign->contents->type, OID_SPC_INDIRECT_DATA) ||
	    !PKCS7_type_is_other(p7->d.sign->contents)) {
		sig->reason = "not an Authenticode signature";
		return;
	}
	why = parse_indirect_data(a, p7->d.sign->contents->d.other, sig, p, &inner, &inner_len);
	if (sk_PKCS7_SIGNER_INFO_num(p7->d.sign->signer_info) != 1) {
		sig->reason = "not exactly one SignerInfo";
		return;
	}
	si = sk_PKCS7_SIGNER_INFO_value(p7->d.sign->signer_info, 0);
	certs = p7->d.sign->cert;
	x = authenticode_cert__find(certs, si->issuer_and_serial);
	if (x)
		authenticode_cert__fill(sig, x, certs);
	if (why) {
		sig->reason = why;
		p->digest = -1;
		return;
	}
	if (!x) {
		sig->reason = "the signing certificate is not in the signature";
		p->digest = -1;
		return;
	}
	why = signer_info_verifies(si, x, inner, inner_len);
	if (why) {
		sig->reason = why;
		p->digest = -1;
		return;
	}
	/* The digest comparison of the pass decides from here. */
	sig->reason = NULL;
	unauth_attributes(a, sig, si, certs, entry, nested, &ts_trusted);
	/*
	 * A trusted timestamp vouches that the certificate was valid when it
	 * signed; otherwise the chain must be valid now.
	 */
	sig->is_trusted =
	    authenticode_cert__code_signing(x) &&
	    authenticode_cert__chain_verifies(
		a->trust, x, certs, sig->has_countersign && ts_trusted ? sig->countersign_time : 0,
		&sig->is_root_microsoft);
}

/* --- the image ---------------------------------------------------------- */

static void add_excl(struct authenticode *a, uint64_t start, uint64_t len)
{
	struct range r = {start, start + len};
	unsigned int i;

	if (r.end > a->size)
		r.end = a->size;
	if (r.start >= r.end)
		return;
	/* Insert sorted, then merge overlaps (a table may cover the headers). */
	for (i = a->n_excl; i > 0 && a->excl[i - 1].start > r.start; i--)
		a->excl[i] = a->excl[i - 1];
	a->excl[i] = r;
	a->n_excl++;
	for (i = 0; i + 1 < a->n_excl;) {
		if (a->excl[i + 1].start <= a->excl[i].end) {
			if (a->excl[i + 1].end > a->excl[i].end)
				a->excl[i].end = a->excl[i + 1].end;
			memmove(&a->excl[i + 1], &a->excl[i + 2],
				(a->n_excl - i - 2) * sizeof(a->excl[0]));
			a->n_excl--;
		} else {
			i++;
		}
	}
}

static int parse_table(struct authenticode *a, struct pe_source *src, uint64_t off, uint32_t size)
{
	struct authenticode_info *out = a->out;
	uint8_t *table;
	uint32_t pos = 0;
	unsigned int entry = 0;
	int err;

	table = malloc(size);
	if (!table)
		return -ENOMEM;
	err = pe_source__read(src, off, table, size);
	if (err == -E2BIG) {
		out->reason = "read budget exceeded";
		err = 0;
		goto out;
	}
	if (err)
		goto out;
	while (size - pos >= 8 && entry < AUTHENTICODE_MAX_ENTRIES) {
		uint32_t len = le32(table + pos);
		uint16_t type = le16(table + pos + 6);
		const unsigned char *der = table + pos + 8;
		PKCS7 *p7;

		if (len < 8 || len > size - pos) {
			if (!out->n_sigs)
				out->reason = "certificate table entry runs past the table";
			break;
		}
		if (type == CERT_TYPE_PKCS7) {
			p7 = d2i_PKCS7(NULL, &der, len - 8);
			if (p7)
				parse_signed_data(a, p7, entry, false);
			else
				new_sig(a, entry, false);
			PKCS7_free(p7);
			ERR_clear_error();
		}
		entry++;
		/* Entries start on 8-byte boundaries. */
		if (len > size - pos - ((8 - (len & 7)) & 7))
			break;
		pos += len + ((8 - (len & 7)) & 7);
	}
	if (!out->n_sigs && !out->reason)
		out->reason = "no PKCS#7 signature in the certificate table";
out:
	free(table);
	return err;
}

int authenticode__begin(struct pe_source *src, const struct authenticode_trust *trust,
			struct authenticode_info *out, struct authenticode **ap)
{
	uint32_t n_dirs_off, dir_off, table_size, n_dirs;
	uint64_t opt_off, table_off;
	struct authenticode *a;
	struct pe_headers h;
	uint16_t opt_size;
	uint8_t dir[8];
	int err;

	memset(out, 0, sizeof(*out));
	*ap = NULL;
	err = pe__headers(src, &h);
	if (err)
		return err;
	opt_off = h.opt_off;
	opt_size = h.opt_size;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->out = out;
	a->trust = trust;
	a->size = src->size;
	*ap = a;
	/* The checksum and the directory entry are left out wherever they lie. */
	add_excl(a, opt_off + 64, 4);
	n_dirs_off = h.pe32plus ? 108 : 92;
	dir_off = n_dirs_off + 4 + 8 * DIR_SECURITY;
	if (opt_size < dir_off + 8 || pe_source__read(src, opt_off + n_dirs_off, dir, 4) ||
	    (n_dirs = le32(dir)) <= DIR_SECURITY) {
		out->reason = "no certificate table";
		return 0;
	}
	err = pe_source__read(src, opt_off + dir_off, dir, 8);
	if (err) {
		out->reason = "no certificate table";
		return err == -ENODATA ? 0 : err;
	}
	add_excl(a, opt_off + dir_off, 8);
	table_off = le32(dir);
	table_size = le32(dir + 4);
	if (!table_off && !table_size) {
		out->reason = "no certificate table";
		return 0;
	}
	out->has_table = true;
	if (table_off >= src->size) {
		out->reason = "certificate table outside the file";
		return 0;
	}
	if (table_size > src->size - table_off) {
		out->reason = "certificate table runs past the end of the file";
		return 0;
	}
	if (table_size < 8) {
		out->reason = "certificate table too small";
		return 0;
	}
	if (table_size > AUTHENTICODE_MAX_TABLE) {
		out->reason = "certificate table too large";
		return 0;
	}
	add_excl(a, table_off, table_size);
	err = parse_table(a, src, table_off, table_size);
	if (!err && a->size > AUTHENTICODE_MAX_FILE) {
		for (unsigned int i = 0; i < out->n_sigs; i++) {
			if (a->pending[i].digest >= 0) {
				a->pending[i].digest = -1;
				out->sig[i].reason = "file too large to digest";
			}
		}
	}
	return err;
}

bool authenticode__wants_data(const struct authenticode *a)
{
	if (!a)
		return false;
	for (unsigned int i = 0; i < a->out->n_sigs; i++)
		if (a->pending[i].digest >= 0)
			return true;
	return false;
}

static void digest_update(struct authenticode *a, const uint8_t *p, size_t n)
{
	for (unsigned int i = 0; i < a->n_digests; i++)
		if (EVP_DigestUpdate(a->digests[i].ctx, p, n) != 1)
			a->broken = true;
}

void authenticode__update(struct authenticode *a, uint64_t off, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t end;

	if (!a || a->broken || !len)
		return;
	if (off != a->fed || len > a->size - off) {
		a->broken = true;
		return;
	}
	end = off + len;
	a->fed = end;
	/* Hash what lies between the excluded ranges. */
	for (unsigned int i = 0; i <= a->n_excl && off < end; i++) {
		uint64_t stop = i < a->n_excl ? a->excl[i].start : end;

		if (stop > end)
			stop = end;
		if (off < stop) {
			digest_update(a, p + (off - (end - len)), stop - off);
			off = stop;
		}
		if (i < a->n_excl && off < a->excl[i].end)
			off = a->excl[i].end < end ? a->excl[i].end : end;
	}
}

void authenticode__free(struct authenticode *a)
{
	if (!a)
		return;
	for (unsigned int i = 0; i < a->n_digests; i++)
		EVP_MD_CTX_free(a->digests[i].ctx);
	free(a);
}

void authenticode__finish(struct authenticode *a)
{
	unsigned char md[MAX_DIGESTS][EVP_MAX_MD_SIZE];
	unsigned int len[MAX_DIGESTS] = {0};

	if (!a)
		return;
	if (a->fed != a->size)
		a->broken = true;
	for (unsigned int i = 0; i < a->n_digests && !a->broken; i++)
		if (EVP_DigestFinal_ex(a->digests[i].ctx, md[i], &len[i]) != 1)
			a->broken = true;
	for (unsigned int i = 0; i < a->out->n_sigs; i++) {
		struct authenticode_sig *sig = &a->out->sig[i];
		const struct pending *p = &a->pending[i];

		if (p->digest < 0)
			continue;
		if (a->broken)
			sig->reason = "the file could not be digested";
		else if (len[p->digest] != p->len || memcmp(md[p->digest], p->want, p->len))
			sig->reason = "the file's digest does not match the signature";
		else
			sig->is_signed = true;
		if (!sig->is_signed)
			sig->is_trusted = sig->is_root_microsoft = false;
	}
	for (unsigned int i = 0; i < a->out->n_sigs; i++) {
		if (a->pending[i].digest < 0) {
			a->out->sig[i].is_trusted = false;
			a->out->sig[i].is_root_microsoft = false;
		}
	}
	authenticode__free(a);
}

static int read_at(struct pe_source *src, uint64_t off, uint8_t *buf, size_t len)
{
	size_t done = 0;

	if (src->mem) {
		memcpy(buf, src->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pread(src->fd, buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENODATA;
		done += n;
	}
	return 0;
}

int authenticode__read(struct authenticode *a, struct pe_source *src)
{
	uint8_t *buf;
	int err = 0;

	if (!authenticode__wants_data(a))
		return 0;
	buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	for (uint64_t off = a->fed; off < src->size && !err;) {
		size_t n = src->size - off < CHUNK ? src->size - off : CHUNK;

		err = read_at(src, off, buf, n);
		if (!err)
			authenticode__update(a, off, buf, n);
		off += n;
	}
	free(buf);
	return err;
}

int authenticode__check(struct pe_source *src, const struct authenticode_trust *trust,
			struct authenticode_info *out)
{
	struct authenticode *a;
	int err = authenticode__begin(src, trust, out, &a);

	if (err)
		return err;
	err = authenticode__read(a, src);
	if (err) {
		authenticode__free(a);
		return err;
	}
	authenticode__finish(a);
	return 0;
}
