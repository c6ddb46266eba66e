// SPDX-License-Identifier: MIT
/*
 * authenticode.c: PE images built and signed in memory here, with libcrypto
 * (EC keys, made once), so each test breaks one thing: the file, the table,
 * the DER, the certificates. The expected digest is computed by the test's
 * own reading of the Authenticode rules, not by the code under test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fcntl.h>
#include <jansson.h>

#include "event.h"
#include "identity/authenticode.h"
#include "identity/certinfo.h"
#include "identity/hash.h"
#include "identity/identity.h"

#define OID_INDIRECT "1.3.6.1.4.1.311.2.1.4"
#define OID_PE_IMAGE "1.3.6.1.4.1.311.2.1.15"
#define OID_NESTED   "1.3.6.1.4.1.311.2.4.1"
#define HDR_SIZE     0x400u
#define BODY_SIZE    0x800u
#define MAX_IMG	     (64u << 10)
#define CRL_URL	     "http://crl.example.test/unit.crl"
#define T_2020	     1577836800 /* 2020-01-01T00:00:00Z */
#define T_2021	     1609459200
#define T_2040	     2208988800
#define COUNTER_TIME 1700000000
#define LEAF_SERIAL  "8a1b2c3d4e5f"

struct pki {
	EVP_PKEY *ca_key, *leaf_key, *other_key, *tsa_key;
	X509 *ca, *leaf, *expired, *self, *tsa, *rfc_tsa, *decoy;
};

static struct pki pki;
static const char *cert_org = "unit tests";  /* the O of the next make_cert */
static const char *cert_eku = "codeSigning"; /* and the EKU of a leaf */
static uint8_t img[MAX_IMG];
static size_t img_len;
static struct authenticode_info info;

/* --- building ----------------------------------------------------------- */

static EVP_PKEY *ec_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *make_cert(const char *cn, const char *serial_hex, EVP_PKEY *key, X509 *issuer,
		       EVP_PKEY *issuer_key, int64_t not_before, int64_t not_after, bool ca)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	BIGNUM *bn = NULL;
	ASN1_INTEGER *serial;

	assert_non_null(x);
	X509_set_version(x, 2);
	assert_true(BN_hex2bn(&bn, serial_hex) > 0);
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	X509_set_serialNumber(x, serial);
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)cert_org, -1,
				   -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before);
	ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after);
	X509_set_pubkey(x, key);
	if (ca) {
		add_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, issuer ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer ? issuer : x, NID_ext_key_usage, cert_eku);
		add_ext(x, issuer ? issuer : x, NID_crl_distribution_points, "URI:" CRL_URL);
	}
	assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
	return x;
}

static int setup_pki(void **state)
{
	pki.ca_key = ec_key();
	pki.leaf_key = ec_key();
	pki.other_key = ec_key();
	pki.tsa_key = ec_key();
	pki.ca = make_cert("Unit Root CA", "01", pki.ca_key, NULL, NULL, T_2020, T_2040, true);
	pki.leaf = make_cert("Atera Networks Ltd", LEAF_SERIAL, pki.leaf_key, pki.ca, pki.ca_key,
			     T_2020, T_2040, false);
	/* Same issuer and subject as the leaf, another serial and key: a decoy. */
	pki.decoy = make_cert("Atera Networks Ltd", "77", pki.other_key, pki.ca, pki.ca_key, T_2020,
			      T_2040, false);
	pki.expired = make_cert("Expired Publisher", "1001", pki.other_key, pki.ca, pki.ca_key,
				T_2020, T_2021, false);
	pki.self = make_cert("Self Signed", "42", pki.other_key, NULL, NULL, T_2020, T_2040, false);
	pki.tsa =
	    make_cert("Unit TSA", "5a", pki.tsa_key, pki.ca, pki.ca_key, T_2020, T_2040, false);
	/* An RFC 3161 TSA must have the one critical timeStamping usage. */
	cert_eku = "critical,timeStamping";
	pki.rfc_tsa = make_cert("Unit RFC 3161 TSA", "5b", pki.tsa_key, pki.ca, pki.ca_key, T_2020,
				T_2040, false);
	cert_eku = "codeSigning";
	return 0;
}

static int teardown_pki(void **state)
{
	EVP_PKEY_free(pki.ca_key);
	EVP_PKEY_free(pki.leaf_key);
	EVP_PKEY_free(pki.other_key);
	EVP_PKEY_free(pki.tsa_key);
	X509_free(pki.ca);
	X509_free(pki.leaf);
	X509_free(pki.decoy);
	X509_free(pki.expired);
	X509_free(pki.self);
	X509_free(pki.tsa);
	X509_free(pki.rfc_tsa);
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static size_t opt_off(void)
{
	return 0x40 + 24;
}

/* Offset of data directory 4 in the image. */
static size_t dir_off(void)
{
	bool plus = img[opt_off()] == 0x0b && img[opt_off() + 1] == 0x02;

	return opt_off() + (plus ? 112 : 96) + 8 * 4;
}

/* An unsigned image: headers, no sections, a body of patterned bytes. */
static void build_image(bool pe32plus)
{
	size_t opt = opt_off();

	memset(img, 0, sizeof(img));
	img[0] = 'M';
	img[1] = 'Z';
	put32(img + 0x3c, 0x40);
	memcpy(img + 0x40, "PE\0\0", 4);
	put16(img + 0x44, pe32plus ? 0x8664 : 0x14c);
	put16(img + 0x54, pe32plus ? 0xf0 : 0xe0);
	put16(img + opt, pe32plus ? 0x20b : 0x10b);
	put32(img + opt + 64, 0x12345678); /* a checksum the digest must skip */
	put32(img + opt + (pe32plus ? 108 : 92), 16);
	for (size_t i = HDR_SIZE; i < HDR_SIZE + BODY_SIZE; i++)
		img[i] = (uint8_t)(i * 7 + 3);
	img_len = HDR_SIZE + BODY_SIZE;
}

/* The Authenticode digest, read from the rules: all but checksum, entry, table. */
static void image_digest(const EVP_MD *md, unsigned char *out, unsigned int *len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t ck = opt_off() + 64, dir = dir_off();
	uint32_t table = get32(img + dir), size = get32(img + dir + 4);
	size_t end = table ? table : img_len;

	EVP_DigestInit_ex(c, md, NULL);
	EVP_DigestUpdate(c, img, ck);
	EVP_DigestUpdate(c, img + ck + 4, dir - ck - 4);
	EVP_DigestUpdate(c, img + dir + 8, end - dir - 8);
	if (table && table + size < img_len)
		EVP_DigestUpdate(c, img + table + size, img_len - table - size);
	EVP_DigestFinal_ex(c, out, len);
	EVP_MD_CTX_free(c);
}

/* A DER TLV (lengths up to 64 KiB) at @p; returns its size. */
static size_t tlv(uint8_t *p, uint8_t tag, const void *content, size_t n)
{
	size_t h = 2;

	p[0] = tag;
	if (n < 128) {
		p[1] = n;
	} else if (n < 256) {
		p[1] = 0x81;
		p[2] = n;
		h = 3;
	} else {
		p[1] = 0x82;
		p[2] = n >> 8;
		p[3] = n;
		h = 4;
	}
	memmove(p + h, content, n);
	return h + n;
}

static size_t oid_der(uint8_t *p, const char *dotted)
{
	ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);
	unsigned char *q = p;
	int n = i2d_ASN1_OBJECT(o, &q);

	ASN1_OBJECT_free(o);
	return n;
}

/* SpcIndirectDataContent over @digest, named @md. */
static size_t indirect_data(uint8_t *out, const EVP_MD *md, const unsigned char *digest,
			    unsigned int dlen)
{
	static const uint8_t pe_image_value[] = {0x30, 0x09, 0x03, 0x01, 0x00, 0xa0,
						 0x04, 0xa2, 0x02, 0x80, 0x00};
	uint8_t a[256], b[256], c[512];
	unsigned char *q;
	size_t na, nb, nc;

	na = oid_der(a, OID_PE_IMAGE);
	memcpy(a + na, pe_image_value, sizeof(pe_image_value));
	na += sizeof(pe_image_value);
	na = tlv(b, 0x30, a, na); /* SpcAttributeTypeAndOptionalValue */
	q = c;
	nc = i2d_ASN1_OBJECT(OBJ_nid2obj(EVP_MD_get_type(md)), &q);
	c[nc++] = 0x05; /* NULL parameters */
	c[nc++] = 0x00;
	nb = tlv(a, 0x30, c, nc); /* AlgorithmIdentifier */
	nb += tlv(a + nb, 0x04, digest, dlen);
	nc = tlv(c, 0x30, a, nb); /* DigestInfo */
	memcpy(b + na, c, nc);
	return tlv(out, 0x30, b, na + nc);
}

struct sign_opts {
	const EVP_MD *md;
	X509 *signer;
	EVP_PKEY *key;
	X509 *certs[4];		    /* carried, in this order; NULL ends */
	bool counter;		    /* add a PKCS#9 countersignature by the TSA */
	int64_t counter_time;	    /* its signingTime; 0: COUNTER_TIME */
	int64_t rfc3161_time;	    /* add an RFC 3161 timestamp token of that time */
	bool rfc3161_wrong_imprint; /* whose imprint is of other bytes */
	const unsigned char *nested_der;
	size_t nested_len;
	bool corrupt_message_digest;
};

static long ts_time;

static int ts_time_cb(struct TS_resp_ctx *ctx, void *data, long *sec, long *usec)
{
	*sec = ts_time;
	*usec = 0;
	return 1;
}

/* An RFC 3161 token by the test TSA at @when over the SHA256 of @sig. */
static unsigned char *rfc3161_token(const unsigned char *sig, int sig_len, int64_t when, int *len)
{
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int mlen;
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	TS_RESP_CTX *ctx = TS_RESP_CTX_new();
	ASN1_OBJECT *policy = OBJ_txt2obj("1.2.3.4.1", 1);
	BIO *bio = BIO_new(BIO_s_mem());
	TS_RESP *resp;

	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
	EVP_Digest(sig, sig_len, md, &mlen, EVP_sha256(), NULL);
	TS_MSG_IMPRINT_set_algo(imprint, alg);
	TS_MSG_IMPRINT_set_msg(imprint, md, mlen);
	TS_REQ_set_version(req, 1);
	TS_REQ_set_msg_imprint(req, imprint);
	TS_REQ_set_cert_req(req, 1); /* the token carries the TSA's certificate */
	assert_int_equal(i2d_TS_REQ_bio(bio, req), 1);
	assert_int_equal(TS_RESP_CTX_set_signer_cert(ctx, pki.rfc_tsa), 1);
	assert_int_equal(TS_RESP_CTX_set_signer_key(ctx, pki.tsa_key), 1);
	TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256());
	TS_RESP_CTX_set_def_policy(ctx, policy);
	TS_RESP_CTX_add_md(ctx, EVP_sha256());
	ts_time = when;
	TS_RESP_CTX_set_time_cb(ctx, ts_time_cb, NULL);
	resp = TS_RESP_create_response(ctx, bio);
	assert_non_null(resp);
	assert_non_null(TS_RESP_get_token(resp));
	*len = i2d_PKCS7(TS_RESP_get_token(resp), &der);
	assert_true(*len > 0);
	TS_RESP_free(resp);
	TS_RESP_CTX_free(ctx);
	BIO_free(bio);
	ASN1_OBJECT_free(policy);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(imprint);
	TS_REQ_free(req);
	return der;
}

/* The DER of a PKCS#7 SignedData over the current image (its table not counted). */
static unsigned char *sign_der(const struct sign_opts *o, int *len)
{
	unsigned char digest[EVP_MAX_MD_SIZE], md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int dlen, mlen;
	uint8_t content[1024];
	size_t clen, hdr;
	PKCS7 *p7 = PKCS7_new(), *inner = PKCS7_new();
	PKCS7_SIGNER_INFO *si;
	ASN1_TYPE *type = ASN1_TYPE_new();
	ASN1_STRING *seq = ASN1_STRING_new();

	image_digest(o->md, digest, &dlen);
	clen = indirect_data(content, o->md, digest, dlen);
	assert_int_equal(PKCS7_set_type(p7, NID_pkcs7_signed), 1);
	si = PKCS7_add_signature(p7, o->signer, o->key, o->md);
	assert_non_null(si);
	for (int i = 0; i < 4 && o->certs[i]; i++)
		PKCS7_add_certificate(p7, o->certs[i]);
	ASN1_STRING_set(seq, content, clen);
	ASN1_TYPE_set(type, V_ASN1_SEQUENCE, seq);
	inner->type = OBJ_txt2obj(OID_INDIRECT, 1);
	inner->d.other = type;
	assert_int_equal(PKCS7_set_content(p7, inner), 1);
	PKCS7_add_signed_attribute(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
				   OBJ_txt2obj(OID_INDIRECT, 1));
	/* messageDigest covers the content without its tag and length. */
	hdr = content[1] & 0x80 ? 2 + (content[1] & 0x7f) : 2;
	EVP_Digest(content + hdr, clen - hdr, md, &mlen, o->md, NULL);
	if (o->corrupt_message_digest)
		md[0] ^= 1;
	PKCS7_add1_attrib_digest(si, md, mlen);
	assert_int_equal(PKCS7_SIGNER_INFO_sign(si), 1);
	if (o->counter) {
		PKCS7_SIGNER_INFO *cs = PKCS7_SIGNER_INFO_new();
		unsigned char *csder = NULL;
		int n;

		assert_int_equal(PKCS7_SIGNER_INFO_set(cs, pki.tsa, pki.tsa_key, EVP_sha256()), 1);
		PKCS7_add_signed_attribute(cs, NID_pkcs9_contentType, V_ASN1_OBJECT,
					   OBJ_nid2obj(NID_pkcs7_data));
		PKCS7_add0_attrib_signing_time(
		    cs, ASN1_TIME_set(NULL, o->counter_time ?: COUNTER_TIME));
		EVP_Digest(ASN1_STRING_get0_data(si->enc_digest),
			   ASN1_STRING_length(si->enc_digest), md, &mlen, EVP_sha256(), NULL);
		PKCS7_add1_attrib_digest(cs, md, mlen);
		assert_int_equal(PKCS7_SIGNER_INFO_sign(cs), 1);
		n = i2d_PKCS7_SIGNER_INFO(cs, &csder);
		assert_true(n > 0);
		assert_non_null(X509at_add1_attr_by_NID(
		    &si->unauth_attr, NID_pkcs9_countersignature, V_ASN1_SEQUENCE, csder, n));
		PKCS7_add_certificate(p7, pki.tsa);
		OPENSSL_free(csder);
		PKCS7_SIGNER_INFO_free(cs);
	}
	if (o->rfc3161_time) {
		ASN1_OBJECT *obj = OBJ_txt2obj("1.3.6.1.4.1.311.3.3.1", 1);
		static const unsigned char other[] = "another signature";
		unsigned char *token;
		int n;

		if (o->rfc3161_wrong_imprint)
			token = rfc3161_token(other, sizeof(other), o->rfc3161_time, &n);
		else
			token =
			    rfc3161_token(ASN1_STRING_get0_data(si->enc_digest),
					  ASN1_STRING_length(si->enc_digest), o->rfc3161_time, &n);
		assert_non_null(
		    X509at_add1_attr_by_OBJ(&si->unauth_attr, obj, V_ASN1_SEQUENCE, token, n));
		ASN1_OBJECT_free(obj);
		OPENSSL_free(token);
	}
	if (o->nested_der) {
		ASN1_OBJECT *obj = OBJ_txt2obj(OID_NESTED, 1);

		assert_non_null(X509at_add1_attr_by_OBJ(&si->unauth_attr, obj, V_ASN1_SEQUENCE,
							o->nested_der, o->nested_len));
		ASN1_OBJECT_free(obj);
	}
	*len = i2d_PKCS7(p7, &der);
	assert_true(*len > 0);
	PKCS7_free(p7);
	return der;
}

/* Appends a certificate table of the given entries (DER each) and points entry 4 at it. */
static void attach(unsigned char *const *ders, const int *lens, int n)
{
	size_t off = (img_len + 7) & ~(size_t)7, pos = off;

	for (int i = 0; i < n; i++) {
		size_t len = 8 + lens[i];

		put32(img + pos, len);
		put16(img + pos + 4, 0x0200);
		put16(img + pos + 6, 2);
		memcpy(img + pos + 8, ders[i], lens[i]);
		pos += (len + 7) & ~(size_t)7;
	}
	put32(img + dir_off(), off);
	put32(img + dir_off() + 4, pos - off);
	img_len = pos;
}

/* The table is counted from where it will be: set the entry before signing. */
static void reserve_table(void)
{
	put32(img + dir_off(), (img_len + 7) & ~(size_t)7);
	img_len = (img_len + 7) & ~(size_t)7;
}

static void sign_image(const struct sign_opts *o)
{
	unsigned char *der;
	int len;

	reserve_table();
	der = sign_der(o, &len);
	attach(&der, &len, 1);
	OPENSSL_free(der);
}

static struct sign_opts chain_opts(const EVP_MD *md)
{
	return (struct sign_opts){
	    .md = md, .signer = pki.leaf, .key = pki.leaf_key, .certs = {pki.leaf, pki.ca}};
}

static int check(const struct authenticode_trust *trust)
{
	struct pe_source src;

	pe_source__init_mem(&src, img, img_len);
	return authenticode__check(&src, trust, &info);
}

static void thumb(X509 *x, char *out)
{
	unsigned char md[20];
	unsigned int n;

	X509_digest(x, EVP_sha1(), md, &n);
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* A PEM file holding @x: made from the template @path (..XXXXXX), or rewritten. */
static void write_pem(X509 *x, char *path)
{
	size_t n = strlen(path);
	FILE *f = n >= 6 && !strcmp(path + n - 6, "XXXXXX") ? fdopen(mkstemp(path), "w")
							    : fopen(path, "w");

	assert_non_null(f);
	PEM_write_X509(f, x);
	fclose(f);
}

/* --- tests -------------------------------------------------------------- */

static void check__sha256_pe32plus__signed_with_every_field(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	char leaf_hash[41], ca_hash[41];
	const struct authenticode_sig *s = &info.sig[0];

	build_image(true);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_true(info.has_table);
	assert_int_equal(info.n_sigs, 1);
	assert_true(s->is_signed);
	assert_null(s->reason);
	assert_string_equal(s->digest_alg, "SHA256");
	assert_true(s->has_cert);
	assert_string_equal(s->signer, "Atera Networks Ltd");
	assert_string_equal(s->issuer, "Unit Root CA");
	thumb(pki.leaf, leaf_hash);
	thumb(pki.ca, ca_hash);
	assert_string_equal(s->signer_hash, leaf_hash);
	assert_string_equal(s->issuer_hash, ca_hash);
	/* 8a... has its high bit set: the DER's 00 sign byte is left out. */
	assert_string_equal(s->serial, LEAF_SERIAL);
	assert_int_equal(s->not_before, T_2020);
	assert_int_equal(s->not_after, T_2040);
	assert_int_equal(s->n_crl_urls, 1);
	assert_string_equal(s->crl_urls[0], CRL_URL);
	assert_false(s->has_countersign);
	/* No trust store: nothing is trusted. */
	assert_false(s->is_trusted);
	assert_false(s->is_root_microsoft);
}

static void check__sha1_pe32__signed(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha1());

	build_image(false);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_true(info.sig[0].is_signed);
	assert_string_equal(info.sig[0].digest_alg, "SHA1");
}

static void check__trust_store_file_or_directory__trusted(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	char path[] = "/tmp/rmmhunt-unit-ca-XXXXXX", dir[] = "/tmp/rmmhunt-unit-dir-XXXXXX";
	char inside[64];
	const char *paths[1] = {path};
	struct authenticode_trust *t;
	int err = 0;

	write_pem(pki.ca, path);
	build_image(true);
	sign_image(&o);
	t = authenticode_trust__new(paths, 1, &err);
	assert_non_null(t);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_true(info.sig[0].is_trusted);
	assert_false(info.sig[0].is_root_microsoft);
	authenticode_trust__free(t);

	assert_non_null(mkdtemp(dir));
	snprintf(inside, sizeof(inside), "%s/ca.pem", dir);
	assert_int_equal(rename(path, inside), 0);
	paths[0] = dir;
	t = authenticode_trust__new(paths, 1, &err);
	assert_non_null(t);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_trusted);
	authenticode_trust__free(t);
	unlink(inside);
	rmdir(dir);

	paths[0] = "/nonexistent/rmmhunt-ca.pem";
	assert_null(authenticode_trust__new(paths, 1, &err));
	assert_int_equal(err, -ENOENT);
}

static void check__changed_after_signing__signer_kept_not_signed(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	struct authenticode_trust *t;
	char path[] = "/tmp/rmmhunt-unit-ca-XXXXXX";
	const char *paths[1] = {path};

	write_pem(pki.ca, path);
	t = authenticode_trust__new(paths, 1, NULL);
	build_image(true);
	sign_image(&o);
	img[HDR_SIZE + 100] ^= 1;
	assert_int_equal(check(t), 0);
	assert_false(info.sig[0].is_signed);
	assert_string_equal(info.sig[0].reason, "the file's digest does not match the signature");
	assert_string_equal(info.sig[0].signer, "Atera Networks Ltd");
	assert_false(info.sig[0].is_trusted);
	img[HDR_SIZE + 100] ^= 1;

	/* The checksum is not part of the digest. */
	img[opt_off() + 64] ^= 0xff;
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_true(info.sig[0].is_trusted);
	/* Bytes after the table are. */
	img[img_len++] = 0;
	assert_int_equal(check(t), 0);
	assert_false(info.sig[0].is_signed);
	authenticode_trust__free(t);
	unlink(path);
}

static void check__signer_by_issuer_and_serial__not_by_position(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	char leaf_hash[41];

	o.certs[0] = pki.decoy;
	o.certs[1] = pki.ca;
	o.certs[2] = pki.leaf;
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_true(info.sig[0].is_signed);
	thumb(pki.leaf, leaf_hash);
	assert_string_equal(info.sig[0].signer_hash, leaf_hash);
	assert_string_equal(info.sig[0].serial, LEAF_SERIAL);

	/* Without the signer's certificate there is nothing to verify with. */
	o.certs[2] = NULL;
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_false(info.sig[0].is_signed);
	assert_false(info.sig[0].has_cert);
	assert_string_equal(info.sig[0].reason, "the signing certificate is not in the signature");
}

static void check__leaf_only_and_self_signed__issuer_hash(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	struct authenticode_trust *t;
	char path[] = "/tmp/rmmhunt-unit-ca-XXXXXX";
	const char *paths[1] = {path};

	write_pem(pki.ca, path);
	t = authenticode_trust__new(paths, 1, NULL);
	o.certs[1] = NULL;
	build_image(false);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_string_equal(info.sig[0].issuer_hash, "");
	assert_true(info.sig[0].is_trusted); /* the store has the issuer */

	o = (struct sign_opts){
	    .md = EVP_sha256(), .signer = pki.self, .key = pki.other_key, .certs = {pki.self}};
	build_image(false);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_false(info.sig[0].is_trusted);
	assert_string_equal(info.sig[0].issuer_hash, info.sig[0].signer_hash);
	assert_string_equal(info.sig[0].serial, "42");
	authenticode_trust__free(t);
	unlink(path);
}

static void check__expired__untrusted_unless_countersigned_in_time(void **state)
{
	struct sign_opts o = {.md = EVP_sha256(),
			      .signer = pki.expired,
			      .key = pki.other_key,
			      .certs = {pki.expired, pki.ca}};
	struct authenticode_trust *t;
	char path[] = "/tmp/rmmhunt-unit-ca-XXXXXX";
	const char *paths[1] = {path};

	write_pem(pki.ca, path);
	t = authenticode_trust__new(paths, 1, NULL);
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_false(info.sig[0].is_trusted);
	assert_int_equal(info.sig[0].not_after, T_2021);

	/* A PKCS#9 countersignature at 2023: still after expiry. */
	o.counter = true;
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_true(info.sig[0].has_countersign);
	assert_int_equal(info.sig[0].countersign_time, COUNTER_TIME);
	assert_false(info.sig[0].is_trusted);

	/* Countersigned while the certificate was valid: trusted, as on Windows. */
	o.counter_time = T_2020 + 86400 * 180;
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_int_equal(info.sig[0].countersign_time, T_2020 + 86400 * 180);
	assert_true(info.sig[0].is_trusted);
	authenticode_trust__free(t);
	unlink(path);
}

static void check__pkcs9_countersignature__time_read(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());

	o.counter = true;
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_true(info.sig[0].is_signed);
	assert_true(info.sig[0].has_countersign);
	assert_int_equal(info.sig[0].countersign_time, COUNTER_TIME);
}

static void check__rfc3161_timestamp__time_read_and_bound_to_the_signature(void **state)
{
	struct sign_opts o = {.md = EVP_sha256(),
			      .signer = pki.expired,
			      .key = pki.other_key,
			      .certs = {pki.expired, pki.ca},
			      .rfc3161_time = T_2020 + 86400 * 100};
	struct authenticode_trust *t;
	char path[] = "/tmp/rmmhunt-unit-ca-XXXXXX";
	const char *paths[1] = {path};

	write_pem(pki.ca, path);
	t = authenticode_trust__new(paths, 1, NULL);
	build_image(false);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_true(info.sig[0].has_countersign);
	assert_int_equal(info.sig[0].countersign_time, T_2020 + 86400 * 100);
	/* Expired now, stamped while valid by a trusted TSA: trusted. */
	assert_true(info.sig[0].is_trusted);

	/* A token over other bytes stamps another signature: no time, no trust. */
	o.rfc3161_wrong_imprint = true;
	build_image(false);
	sign_image(&o);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_signed);
	assert_false(info.sig[0].has_countersign);
	assert_false(info.sig[0].is_trusted);

	/* Without a store the time is still read; nothing is trusted. */
	o.rfc3161_wrong_imprint = false;
	build_image(false);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_true(info.sig[0].has_countersign);
	assert_false(info.sig[0].is_trusted);
	authenticode_trust__free(t);
	unlink(path);
}

static void check__nested_and_second_entry__listed_in_order(void **state)
{
	struct sign_opts inner = chain_opts(EVP_sha1()), outer = chain_opts(EVP_sha256());
	struct sign_opts second = {
	    .md = EVP_sha512(), .signer = pki.self, .key = pki.other_key, .certs = {pki.self}};
	unsigned char *ders[2];
	int lens[2];

	build_image(true);
	reserve_table();
	ders[0] = sign_der(&inner, &lens[0]);
	outer.nested_der = ders[0];
	outer.nested_len = lens[0];
	ders[1] = sign_der(&outer, &lens[1]);
	OPENSSL_free(ders[0]);
	ders[0] = ders[1];
	lens[0] = lens[1];
	ders[1] = sign_der(&second, &lens[1]);
	attach(ders, lens, 2);
	OPENSSL_free(ders[0]);
	OPENSSL_free(ders[1]);

	assert_int_equal(check(NULL), 0);
	assert_int_equal(info.n_sigs, 3);
	assert_string_equal(info.sig[0].digest_alg, "SHA256");
	assert_false(info.sig[0].nested);
	assert_string_equal(info.sig[1].digest_alg, "SHA1");
	assert_true(info.sig[1].nested);
	assert_int_equal(info.sig[1].entry, 0);
	assert_string_equal(info.sig[2].digest_alg, "SHA512");
	assert_int_equal(info.sig[2].entry, 1);
	assert_string_equal(info.sig[2].signer, "Self Signed");
	for (int i = 0; i < 3; i++)
		assert_true(info.sig[i].is_signed);

	/* A change breaks all three. */
	img[HDR_SIZE] ^= 1;
	assert_int_equal(check(NULL), 0);
	for (int i = 0; i < 3; i++)
		assert_false(info.sig[i].is_signed);
}

/* The same image's certificate record, read through the identity cache: miss, then hit. */

/* identity__fill_in with the package looked up on the host, signatures into @cert. */
static int fill_signed(struct identity_cache *c, int fd, const char *path, struct event *e,
		       struct event *cert)
{
	struct identity_root root = {.fd = AT_FDCWD, .path = path};

	return identity__fill_in(c, fd, &root, e, cert);
}

static void fill_signed_twice(struct event *miss, struct event *hit)
{
	struct identity_cache *c = identity_cache__new(4);
	char path[] = "/tmp/test_authenticode.XXXXXX";
	struct identity_stats st;
	struct event e;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, img_len), (ssize_t)img_len);
	event__init(&e);
	/* cached without its signatures first: a signed fill reads it again */
	assert_int_equal(identity__fill(c, fd, AT_FDCWD, path, &e), 0);
	assert_int_equal(fill_signed(c, fd, path, &e, miss), 0);
	assert_int_equal(fill_signed(c, fd, path, &e, hit), 0);
	identity_cache__stats(c, &st);
	assert_int_equal(st.misses, 2);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.entries, 1);
	if (event__isset(miss, CERT_SIGNATURE_TYPE)) {
		assert_string_equal(event__str(miss, CERT_SHA1), event__str(&e, FIELD_SHA1));
		assert_string_equal(event__str(miss, CERT_SHA256), event__str(&e, FIELD_SHA256));
	}
	event__free(&e);
	identity_cache__free(c);
	close(fd);
	unlink(path);
}

static void assert_same_cert(const struct event *a, const struct event *b)
{
	for (int id = 0; id < CERT__COUNT; id++) {
		assert_int_equal(event__isset(a, id), event__isset(b, id));
		if (!event__isset(a, id))
			continue;
		if (cert_fields[id].type == FT_STRLIST) {
			const char *x = event__list_next(a, id, NULL),
				   *y = event__list_next(b, id, NULL);

			assert_int_equal(event__list_count(a, id), event__list_count(b, id));
			for (; x; x = event__list_next(a, id, x), y = event__list_next(b, id, y))
				assert_string_equal(x, y);
		} else if (cert_fields[id].type == FT_STRING || cert_fields[id].type == FT_JSON) {
			assert_string_equal(event__str(a, id), event__str(b, id));
		} else {
			assert_int_equal(event__long(a, id), event__long(b, id));
		}
	}
}

/* A nested signature and a second entry: Signer the first's, Signers and NestedSignatures all. */
static void certinfo__nested__record_columns_and_cached(void **state)
{
	struct sign_opts inner = chain_opts(EVP_sha1()), outer = chain_opts(EVP_sha256());
	struct sign_opts second = {
	    .md = EVP_sha512(), .signer = pki.self, .key = pki.other_key, .certs = {pki.self}};
	struct event cert, hit;
	unsigned char *ders[2];
	const char *it;
	json_t *nested;
	int lens[2];

	build_image(true);
	reserve_table();
	ders[0] = sign_der(&inner, &lens[0]);
	outer.nested_der = ders[0];
	outer.nested_len = lens[0];
	ders[1] = sign_der(&outer, &lens[1]);
	OPENSSL_free(ders[0]);
	ders[0] = ders[1];
	lens[0] = lens[1];
	ders[1] = sign_der(&second, &lens[1]);
	attach(ders, lens, 2);
	OPENSSL_free(ders[0]);
	OPENSSL_free(ders[1]);
	assert_int_equal(check(NULL), 0);

	event__init(&cert);
	event__init(&hit);
	event__reset_table(&cert, TABLE_CERTIFICATE);
	assert_int_equal(certinfo__fill(&info, &cert), 0);
	assert_int_equal(event__long(&cert, CERT_IS_SIGNED), 1);
	assert_string_equal(event__str(&cert, CERT_SIGNATURE_TYPE), "Embedded");
	assert_string_equal(event__str(&cert, CERT_SIGNER), info.sig[0].signer);
	assert_string_equal(event__str(&cert, CERT_SIGNER_HASH), info.sig[0].signer_hash);
	assert_string_equal(event__str(&cert, CERT_ISSUER), info.sig[0].issuer);
	assert_string_equal(event__str(&cert, CERT_CERTIFICATE_SERIAL_NUMBER), info.sig[0].serial);
	assert_int_equal(event__long(&cert, CERT_CERTIFICATE_CREATION_TIME),
			 info.sig[0].not_before * 1000000);
	assert_int_equal(event__list_count(&cert, CERT_SIGNERS), 3);
	it = event__list_next(&cert, CERT_SIGNERS, NULL);
	it = event__list_next(&cert, CERT_SIGNERS, it);
	it = event__list_next(&cert, CERT_SIGNERS, it);
	assert_string_equal(it, "Self Signed");
	nested = json_loads(event__str(&cert, CERT_NESTED_SIGNATURES), 0, NULL);
	assert_true(json_is_array(nested));
	assert_int_equal(json_array_size(nested), 2);
	assert_true(json_is_true(json_object_get(json_array_get(nested, 0), "Nested")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(nested, 1), "Signer")),
			    "Self Signed");
	json_decref(nested);

	fill_signed_twice(&cert, &hit);
	assert_same_cert(&cert, &hit);
	assert_string_equal(event__str(&hit, CERT_SIGNER), info.sig[0].signer);

	/* too large to hash: no SHA1 to report it by, so its signatures are not read */
	{
		struct identity_cache *c = identity_cache__new(4);
		char path[] = "/tmp/test_authenticode.XXXXXX";
		struct event e;
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, img, img_len), (ssize_t)img_len);
		assert_int_equal(ftruncate(fd, HASH_MAX_SIZE + 1), 0); /* sparse */
		event__init(&e);
		assert_int_equal(fill_signed(c, fd, path, &e, &hit), 0);
		assert_false(event__isset(&e, FIELD_SHA1));
		assert_false(event__isset(&hit, CERT_SIGNATURE_TYPE));
		event__free(&e);
		identity_cache__free(c);
		close(fd);
		unlink(path);
	}

	/* changed after signing: the signers stay, IsSigned false */
	img[HDR_SIZE] ^= 1;
	fill_signed_twice(&cert, &hit);
	assert_int_equal(event__long(&hit, CERT_IS_SIGNED), 0);
	assert_string_equal(event__str(&hit, CERT_SIGNER), info.sig[0].signer);
	assert_same_cert(&cert, &hit);

	/* unsigned: no column at all */
	build_image(false);
	fill_signed_twice(&cert, &hit);
	assert_false(event__isset(&hit, CERT_SIGNATURE_TYPE));
	assert_false(event__isset(&hit, CERT_SHA1));
	event__reset_table(&cert, TABLE_CERTIFICATE);
	info.n_sigs = 0;
	assert_int_equal(certinfo__fill(&info, &cert), -ENOENT);
	event__free(&cert);
	event__free(&hit);
}

static void check__bad_message_digest__not_signed(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());

	o.corrupt_message_digest = true;
	build_image(true);
	sign_image(&o);
	assert_int_equal(check(NULL), 0);
	assert_false(info.sig[0].is_signed);
	assert_string_equal(info.sig[0].reason, "messageDigest does not match the signed content");
	assert_true(info.sig[0].has_cert);
}

static void check__unsigned_and_broken_tables__reason(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	size_t dir, table;
	uint32_t size;

	build_image(true);
	assert_int_equal(check(NULL), 0);
	assert_false(info.has_table);
	assert_int_equal(info.n_sigs, 0);
	assert_string_equal(info.reason, "no certificate table");

	sign_image(&o);
	dir = dir_off();
	table = get32(img + dir);
	size = get32(img + dir + 4);

	/* Offset past the end of the file. */
	put32(img + dir, img_len + 0x1000);
	assert_int_equal(check(NULL), 0);
	assert_int_equal(info.n_sigs, 0);
	assert_string_equal(info.reason, "certificate table outside the file");
	/* Cut short. */
	put32(img + dir, table);
	img_len -= 16;
	assert_int_equal(check(NULL), 0);
	assert_string_equal(info.reason, "certificate table runs past the end of the file");
	img_len += 16;
	/* An absurd size. */
	put32(img + dir + 4, 0xfffffff0);
	assert_int_equal(check(NULL), 0);
	assert_int_equal(info.n_sigs, 0);
	assert_non_null(info.reason);
	put32(img + dir + 4, size);
	/* An entry longer than the table. */
	put32(img + table, size + 8);
	assert_int_equal(check(NULL), 0);
	assert_int_equal(info.n_sigs, 0);
	assert_string_equal(info.reason, "certificate table entry runs past the table");
	put32(img + table, size);
	/* Malformed DER. */
	img[table + 8] = 0x31;
	assert_int_equal(check(NULL), 0);
	assert_int_equal(info.n_sigs, 1);
	assert_false(info.sig[0].is_signed);
	assert_string_equal(info.sig[0].reason, "malformed PKCS#7 SignedData");
	/* Too few directory entries: no table. */
	img[table + 8] = 0x30;
	put32(img + opt_off() + 108, 4);
	assert_int_equal(check(NULL), 0);
	assert_string_equal(info.reason, "no certificate table");
	/* Not a PE image. */
	img[0] = 'X';
	assert_int_equal(check(NULL), -ENOEXEC);
}

/* Every byte of the table flipped, every length cut: bounded, and never signed. */
static void check__every_flip_and_cut__bounded(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	static uint8_t copy[MAX_IMG];
	size_t table, len;

	o.counter = true;
	build_image(false);
	sign_image(&o);
	table = get32(img + dir_off());
	len = img_len;
	memcpy(copy, img, len);
	for (size_t i = table; i < len; i++) {
		img[i] ^= 0x80;
		assert_int_equal(check(NULL), 0);
		assert_true(info.n_sigs <= AUTHENTICODE_MAX_SIGNATURES);
		for (unsigned int k = 0; k < info.n_sigs; k++)
			assert_true(info.sig[k].is_signed == (info.sig[k].reason == NULL));
		img[i] = copy[i];
	}
	for (img_len = 0; img_len < len; img_len += 3) {
		int err = check(NULL);

		assert_true(err == 0 || err == -ENOEXEC);
		assert_true(info.n_sigs == 0 || !info.sig[0].is_signed);
	}
	img_len = len;
	assert_int_equal(check(NULL), 0);
	assert_true(info.sig[0].is_signed);
}

/* The pass fed in odd pieces (as the hashing pass feeds it) gives the same answer. */
static void update__in_pieces__same_as_check(void **state)
{
	struct sign_opts o = chain_opts(EVP_sha256());
	struct authenticode *a;
	struct pe_source src;

	build_image(true);
	sign_image(&o);
	pe_source__init_mem(&src, img, img_len);
	assert_int_equal(authenticode__begin(&src, NULL, &info, &a), 0);
	assert_true(authenticode__wants_data(a));
	for (size_t off = 0; off < img_len;) {
		size_t n = img_len - off < 77 ? img_len - off : 77;

		authenticode__update(a, off, img + off, n);
		off += n;
	}
	authenticode__finish(a);
	assert_true(info.sig[0].is_signed);

	/* A gap in the pass is a mismatch, not a pass. */
	assert_int_equal(authenticode__begin(&src, NULL, &info, &a), 0);
	authenticode__update(a, 0, img, 100);
	authenticode__update(a, 200, img + 200, img_len - 200);
	authenticode__finish(a);
	assert_false(info.sig[0].is_signed);
	assert_string_equal(info.sig[0].reason, "the file could not be digested");

	/* authenticode__read finishes a pass that stopped early, from the fd. */
	{
		char path[] = "/tmp/rmmhunt-unit-img-XXXXXX";
		int fd = mkstemp(path);

		assert_int_equal(write(fd, img, img_len), (ssize_t)img_len);
		pe_source__init_fd(&src, fd, img_len);
		assert_int_equal(authenticode__begin(&src, NULL, &info, &a), 0);
		authenticode__update(a, 0, img, 1000);
		assert_int_equal(authenticode__read(a, &src), 0);
		authenticode__finish(a);
		assert_true(info.sig[0].is_signed);
		close(fd);
		unlink(path);
	}
}

/* Microsoft's root by name and organisation, but only through a trusted chain. */
static void check__microsoft_root__only_when_trusted(void **state)
{
	EVP_PKEY *root_key = ec_key(), *key = ec_key();
	X509 *root, *leaf;
	struct sign_opts o;
	struct authenticode_trust *t;
	char path[] = "/tmp/rmmhunt-unit-ms-XXXXXX";
	const char *paths[1] = {path};

	cert_org = "Microsoft Corporation";
	root = make_cert("Microsoft Root Certificate Authority 2010", "11", root_key, NULL, NULL,
			 T_2020, T_2040, true);
	leaf = make_cert("Microsoft Corporation", "12", key, root, root_key, T_2020, T_2040, false);
	cert_org = "unit tests";
	o = (struct sign_opts){
	    .md = EVP_sha256(), .signer = leaf, .key = key, .certs = {leaf, root}};
	build_image(true);
	sign_image(&o);
	/* The same names, carried but not in the store: nothing to go by. */
	assert_int_equal(check(NULL), 0);
	assert_true(info.sig[0].is_signed);
	assert_false(info.sig[0].is_root_microsoft);
	write_pem(root, path);
	t = authenticode_trust__new(paths, 1, NULL);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_trusted);
	assert_true(info.sig[0].is_root_microsoft);
	/* A trusted root of another name is not Microsoft's. */
	build_image(true);
	sign_image(&(struct sign_opts){.md = EVP_sha256(),
				       .signer = pki.leaf,
				       .key = pki.leaf_key,
				       .certs = {pki.leaf, pki.ca}});
	authenticode_trust__free(t);
	write_pem(pki.ca, path);
	t = authenticode_trust__new(paths, 1, NULL);
	assert_int_equal(check(t), 0);
	assert_true(info.sig[0].is_trusted);
	assert_false(info.sig[0].is_root_microsoft);
	authenticode_trust__free(t);
	unlink(path);
	X509_free(root);
	X509_free(leaf);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(check__sha256_pe32plus__signed_with_every_field),
	    cmocka_unit_test(check__sha1_pe32__signed),
	    cmocka_unit_test(check__trust_store_file_or_directory__trusted),
	    cmocka_unit_test(check__changed_after_signing__signer_kept_not_signed),
	    cmocka_unit_test(check__signer_by_issuer_and_serial__not_by_position),
	    cmocka_unit_test(check__leaf_only_and_self_signed__issuer_hash),
	    cmocka_unit_test(check__expired__untrusted_unless_countersigned_in_time),
	    cmocka_unit_test(check__pkcs9_countersignature__time_read),
	    cmocka_unit_test(check__rfc3161_timestamp__time_read_and_bound_to_the_signature),
	    cmocka_unit_test(check__nested_and_second_entry__listed_in_order),
	    cmocka_unit_test(certinfo__nested__record_columns_and_cached),
	    cmocka_unit_test(check__microsoft_root__only_when_trusted),
	    cmocka_unit_test(check__bad_message_digest__not_signed),
	    cmocka_unit_test(check__unsigned_and_broken_tables__reason),
	    cmocka_unit_test(check__every_flip_and_cut__bounded),
	    cmocka_unit_test(update__in_pieces__same_as_check),
	};

	return cmocka_run_group_tests(tests, setup_pki, teardown_pki);
}
