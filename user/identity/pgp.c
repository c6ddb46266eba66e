// SPDX-License-Identifier: MIT
/* OpenPGP signature and key packets, bounded, checked with libcrypto: see pgp.h. */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "base/base64.h"
#include "identity/pgp.h"

#define TAG_SIGNATURE 2
#define TAG_PUBKEY    6
#define TAG_USERID    13
#define TAG_SUBKEY    14

/* Subpacket types (RFC 9580 section 5.2.3.7). */
#define SUB_CREATED    2
#define SUB_ISSUER     16
#define SUB_ISSUER_FPR 33

/* 1.3.6.1.4.1.11591.15.1, the legacy EdDSA Ed25519 curve. */
static const uint8_t oid_ed25519[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int pgp__packet(const uint8_t *buf, size_t len, unsigned int *tag, struct pgp_bytes *body,
		size_t *total)
{
	size_t hlen, blen;

	if (len < 2 || !(buf[0] & 0x80))
		return -EINVAL;
	if (buf[0] & 0x40) {
		*tag = buf[0] & 0x3f;
		if (buf[1] < 192) {
			hlen = 2;
			blen = buf[1];
		} else if (buf[1] < 224) {
			if (len < 3)
				return -EINVAL;
			hlen = 3;
			blen = ((size_t)(buf[1] - 192) << 8) + buf[2] + 192;
		} else if (buf[1] == 255) {
			if (len < 6)
				return -EINVAL;
			hlen = 6;
			blen = be32(buf + 2);
		} else {
			return -EINVAL; /* partial body length */
		}
	} else {
		*tag = (buf[0] >> 2) & 0x0f;
		switch (buf[0] & 3) {
		case 0:
			hlen = 2;
			blen = buf[1];
			break;
		case 1:
			if (len < 3)
				return -EINVAL;
			hlen = 3;
			blen = be16(buf + 1);
			break;
		case 2:
			if (len < 5)
				return -EINVAL;
			hlen = 5;
			blen = be32(buf + 1);
			break;
		default: /* indeterminate: to the end of the data */
			hlen = 1;
			blen = len - 1;
			break;
		}
	}
	if (blen > len - hlen)
		return -EINVAL;
	body->p = buf + hlen;
	body->n = blen;
	*total = hlen + blen;
	return 0;
}

/* A multiprecision integer at *@p (before @end): its magnitude, leading zero bytes dropped. */
static int take_mpi(const uint8_t **p, const uint8_t *end, struct pgp_bytes *out)
{
	size_t bits, n;

	if (end - *p < 2)
		return -EINVAL;
	bits = be16(*p);
	n = (bits + 7) / 8;
	if ((size_t)(end - *p - 2) < n)
		return -EINVAL;
	out->p = *p + 2;
	out->n = n;
	*p += 2 + n;
	while (out->n && !out->p[0]) {
		out->p++;
		out->n--;
	}
	return 0;
}

/* The subpackets of one area: creation time only from the hashed one. */
static int read_subpackets(const uint8_t *p, size_t len, bool hashed, struct pgp_sig *out)
{
	const uint8_t *end = p + len;

	while (p < end) {
		size_t n, left = (size_t)(end - p);
		unsigned int type;

		if (p[0] < 192) {
			n = p[0];
			p += 1;
		} else if (p[0] < 255) {
			if (left < 2)
				return -EINVAL;
			n = ((size_t)(p[0] - 192) << 8) + p[1] + 192;
			p += 2;
		} else {
			if (left < 5)
				return -EINVAL;
			n = be32(p + 1);
			p += 5;
		}
		/* n counts the type byte */
		if (!n || n > (size_t)(end - p))
			return -EINVAL;
		type = p[0] & 0x7f;
		if (type == SUB_CREATED && hashed && n == 5) {
			out->has_created = true;
			out->created = be32(p + 1);
		} else if (type == SUB_ISSUER && n == 1 + PGP_KEYID_LEN &&
			   (!out->has_keyid || hashed)) {
			out->has_keyid = true;
			memcpy(out->keyid, p + 1, PGP_KEYID_LEN);
		} else if (type == SUB_ISSUER_FPR && n >= 2 && n - 2 <= PGP_FPR_MAX &&
			   (!out->fpr_len || hashed)) {
			/* a version byte, then the fingerprint */
			out->fpr_len = (uint8_t)(n - 2);
			memcpy(out->fpr, p + 2, n - 2);
		}
		p += n;
	}
	return 0;
}

static int read_sig_mpis(const uint8_t *p, const uint8_t *end, struct pgp_sig *out)
{
	unsigned int n;

	switch (out->pk_algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_SIGN:
		n = 1;
		break;
	case PGP_PK_DSA:
	case PGP_PK_ECDSA:
	case PGP_PK_EDDSA_LEGACY:
		n = 2;
		break;
	case PGP_PK_ED25519:
		if (end - p != 64)
			return -EINVAL;
		out->raw.p = p;
		out->raw.n = 64;
		return 0;
	default:
		return 0; /* unknown algorithm: its material is not read */
	}
	for (unsigned int i = 0; i < n; i++)
		if (take_mpi(&p, end, &out->mpi[i]))
			return -EINVAL;
	out->n_mpis = n;
	return 0;
}

int pgp__parse_sig(const uint8_t *buf, size_t len, struct pgp_sig *out)
{
	struct pgp_bytes body;
	const uint8_t *p, *end;
	unsigned int tag;
	size_t total, hl, ul;
	int err;

	memset(out, 0, sizeof(*out));
	err = pgp__packet(buf, len, &tag, &body, &total);
	if (err)
		return err;
	if (tag != TAG_SIGNATURE || total != len || body.n < 1)
		return -EINVAL;
	p = body.p;
	end = body.p + body.n;
	out->version = p[0];
	if (out->version == 3 || out->version == 2) {
		/* version, 5, type, created[4], keyid[8], pk, hash, left16[2] */
		if (body.n < 19 || p[1] != 5)
			return -EINVAL;
		out->version = 3;
		out->type = p[2];
		out->has_created = true;
		out->created = be32(p + 3);
		out->has_keyid = true;
		memcpy(out->keyid, p + 7, PGP_KEYID_LEN);
		out->pk_algo = p[15];
		out->hash_algo = p[16];
		memcpy(out->left16, p + 17, 2);
		out->hashed.p = p + 2;
		out->hashed.n = 5;
		return read_sig_mpis(p + 19, end, out);
	}
	if (out->version != 4)
		return -ENOTSUP;
	if (body.n < 6)
		return -EINVAL;
	out->type = p[1];
	out->pk_algo = p[2];
	out->hash_algo = p[3];
	hl = be16(p + 4);
	if (hl > body.n - 6)
		return -EINVAL;
	err = read_subpackets(p + 6, hl, true, out);
	if (err)
		return err;
	out->hashed.p = p;
	out->hashed.n = 6 + hl;
	p += 6 + hl;
	if (end - p < 2)
		return -EINVAL;
	ul = be16(p);
	if (ul > (size_t)(end - p - 2))
		return -EINVAL;
	err = read_subpackets(p + 2, ul, false, out);
	if (err)
		return err;
	p += 2 + ul;
	if (end - p < 2)
		return -EINVAL;
	memcpy(out->left16, p, 2);
	return read_sig_mpis(p + 2, end, out);
}

/* A v4 public key or subkey packet body: creation, algorithm, fingerprint. */
static int read_pubkey(struct pgp_bytes body, struct pgp_pubkey *k)
{
	uint8_t head[3] = {0x99, (uint8_t)(body.n >> 8), (uint8_t)body.n};
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	memset(k, 0, sizeof(*k));
	if (body.n < 6)
		return -EINVAL;
	k->version = body.p[0];
	if (k->version != 4)
		return -ENOTSUP;
	if (body.n > 0xffff) /* a v4 fingerprint hashes a 2-byte length */
		return -EINVAL;
	k->created = be32(body.p + 1);
	k->algo = body.p[5];
	k->body = body;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, head, sizeof(head)) == 1 &&
	     EVP_DigestUpdate(ctx, body.p, body.n) == 1 &&
	     EVP_DigestFinal_ex(ctx, k->fpr, &mdlen) == 1 && mdlen == sizeof(k->fpr);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -ENOMEM;
	memcpy(k->keyid, k->fpr + sizeof(k->fpr) - PGP_KEYID_LEN, PGP_KEYID_LEN);
	return 0;
}

static void set_userid(char *out, const uint8_t *p, size_t n)
{
	size_t j = 0;

	/* Control bytes and NULs would end or garble the column: dropped. */
	for (size_t i = 0; i < n && j < PGP_USERID_MAX - 1; i++)
		if (p[i] >= 0x20 && p[i] != 0x7f)
			out[j++] = (char)p[i];
	out[j] = '\0';
}

int pgp__parse_key(const uint8_t *buf, size_t len, struct pgp_key *out)
{
	struct pgp_bytes body;
	unsigned int tag, count = 0;
	size_t total, off = 0;
	int err;

	memset(out, 0, sizeof(*out));
	err = pgp__packet(buf, len, &tag, &body, &total);
	if (err)
		return err;
	if (tag != TAG_PUBKEY)
		return -EINVAL;
	err = read_pubkey(body, &out->primary);
	if (err)
		return err;
	off = total;
	while (off < len && ++count < PGP_MAX_PACKETS) {
		err = pgp__packet(buf + off, len - off, &tag, &body, &total);
		if (err)
			break; /* what was read so far is the key */
		off += total;
		if (tag == TAG_PUBKEY)
			break; /* the next key of a keyring */
		if (tag == TAG_USERID && !out->userid[0])
			set_userid(out->userid, body.p, body.n);
		else if (tag == TAG_SUBKEY && out->n_subkeys < PGP_MAX_SUBKEYS &&
			 !read_pubkey(body, &out->subkey[out->n_subkeys]))
			out->n_subkeys++;
	}
	return 0;
}

/* base64 bits into @out: whitespace skipped, '=' ends the data. */
struct b64 {
	unsigned int acc, nbits;
	size_t n;
	bool done;
};

static int b64_feed(struct b64 *st, const char *s, size_t len, uint8_t *out, size_t cap)
{
	for (size_t i = 0; i < len && !st->done; i++) {
		int v = base64__digit(s[i]);

		if (s[i] == '=') {
			st->done = true;
			break;
		}
		if (v < 0) {
			if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
				continue;
			return -EINVAL;
		}
		st->acc = (st->acc << 6 | (unsigned int)v) & 0xffffff;
		st->nbits += 6;
		if (st->nbits >= 8) {
			st->nbits -= 8;
			if (st->n >= cap)
				return -ENOSPC;
			out[st->n++] = (uint8_t)(st->acc >> st->nbits);
		}
	}
	return 0;
}

long pgp__base64(const char *text, size_t len, uint8_t *out, size_t cap)
{
	struct b64 st = {0};
	int err = b64_feed(&st, text, len, out, cap);

	return err ? err : (long)st.n;
}

long pgp__dearmor(const char *text, size_t len, uint8_t *out, size_t cap)
{
	const char *p = text, *end = text + len, *nl;
	bool in_body = false, begun = false;
	struct b64 st = {0};
	int err;

	for (; p < end; p = nl + 1) {
		size_t ll;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		ll = (size_t)(nl - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (!begun) {
			begun = ll >= 15 && !memcmp(p, "-----BEGIN PGP ", 15);
			continue;
		}
		if (!in_body) {
			/* armor headers ("Version: ..."), up to a blank line */
			in_body = !ll;
			continue;
		}
		if (ll >= 5 && !memcmp(p, "-----", 5))
			break;
		if (ll && p[0] == '=')
			continue; /* the CRC-24 line */
		err = b64_feed(&st, p, ll, out, cap);
		if (err)
			return err;
	}
	return in_body && st.n ? (long)st.n : -EINVAL;
}

const struct pgp_pubkey *pgp__find_key(const struct pgp_key *k, const uint8_t keyid[PGP_KEYID_LEN])
{
	if (!memcmp(k->primary.keyid, keyid, PGP_KEYID_LEN))
		return &k->primary;
	for (unsigned int i = 0; i < k->n_subkeys; i++)
		if (!memcmp(k->subkey[i].keyid, keyid, PGP_KEYID_LEN))
			return &k->subkey[i];
	return NULL;
}

static const struct {
	unsigned int id;
	const char *name;
	const char *ossl; /* NULL: not accepted for verification */
} hashes[] = {
    {1, "MD5", NULL},	      {2, "SHA1", "SHA1"},	    {3, "RIPEMD160", NULL},
    {8, "SHA256", "SHA256"},  {9, "SHA384", "SHA384"},	    {10, "SHA512", "SHA512"},
    {11, "SHA224", "SHA224"}, {12, "SHA3-256", "SHA3-256"}, {14, "SHA3-512", "SHA3-512"},
};

const char *pgp__hash_name(unsigned int algo)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].id == algo)
			return hashes[i].name;
	return "";
}

const char *pgp__pk_name(unsigned int algo)
{
	switch (algo) {
	case PGP_PK_RSA:
	case PGP_PK_RSA_SIGN:
		return "RSA";
	case PGP_PK_DSA:
		return "DSA";
	case PGP_PK_ECDSA:
		return "ECDSA";
	case PGP_PK_EDDSA_LEGACY:
		return "EdDSA";
	case PGP_PK_ED25519:
		return "Ed25519";
	default:
		return "";
	}
}

static const char *ossl_hash(unsigned int algo)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if (hashes[i].id == algo)
			return hashes[i].ossl;
	return NULL;
}

/* RSA public key (n, e) from the key packet's material. */
static EVP_PKEY *rsa_key(const struct pgp_pubkey *k, size_t *modlen)
{
	const uint8_t *p = k->body.p + 6, *end = k->body.p + k->body.n;
	struct pgp_bytes n, e;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *bn = NULL, *be = NULL;
	EVP_PKEY *key = NULL;

	if (take_mpi(&p, end, &n) || take_mpi(&p, end, &e) || !n.n || !e.n || n.n > 2048)
		return NULL;
	*modlen = n.n;
	bn = BN_bin2bn(n.p, (int)n.n, NULL);
	be = BN_bin2bn(e.p, (int)e.n, NULL);
	bld = OSSL_PARAM_BLD_new();
	if (!bn || !be || !bld || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto cleanup;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
		key = NULL;
cleanup:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	return key;
}

/* Ed25519 key: legacy EdDSA (curve OID, 0x40-prefixed point) or the native algorithm. */
static EVP_PKEY *ed25519_key(const struct pgp_pubkey *k)
{
	const uint8_t *p = k->body.p + 6, *end = k->body.p + k->body.n;
	struct pgp_bytes point;

	if (k->algo == PGP_PK_ED25519) {
		if (end - p != 32)
			return NULL;
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, p, 32);
	}
	if (end - p < 1 || p[0] != sizeof(oid_ed25519) || end - p < 1 + (long)sizeof(oid_ed25519) ||
	    memcmp(p + 1, oid_ed25519, sizeof(oid_ed25519)))
		return NULL;
	p += 1 + sizeof(oid_ed25519);
	if (take_mpi(&p, end, &point) || point.n != 33 || point.p[0] != 0x40)
		return NULL;
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, point.p + 1, 32);
}

/* @src right-aligned in @n bytes: an MPI lost its leading zeros. */
static bool left_pad(uint8_t *out, size_t n, struct pgp_bytes src)
{
	if (src.n > n)
		return false;
	memset(out, 0, n - src.n);
	memcpy(out + n - src.n, src.p, src.n);
	return true;
}

static int check_rsa(const struct pgp_pubkey *key, const struct pgp_sig *sig, const EVP_MD *md,
		     const uint8_t *digest, size_t dlen, const char **reason)
{
	uint8_t s[2048];
	size_t modlen = 0;
	EVP_PKEY *pkey = rsa_key(key, &modlen);
	EVP_PKEY_CTX *ctx = NULL;
	int err = -EBADMSG;

	*reason = "unusable RSA key";
	if (!pkey)
		return -EBADMSG;
	*reason = "bad signature";
	if (sig->n_mpis != 1 || !left_pad(s, modlen, sig->mpi[0]))
		goto cleanup;
	ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (!ctx) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 &&
	    EVP_PKEY_verify(ctx, s, modlen, digest, dlen) == 1)
		err = 0;
cleanup:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return err;
}

static int check_ed25519(const struct pgp_pubkey *key, const struct pgp_sig *sig,
			 const uint8_t *digest, size_t dlen, const char **reason)
{
	EVP_PKEY *pkey = ed25519_key(key);
	EVP_MD_CTX *ctx = NULL;
	uint8_t s[64];
	int err = -EBADMSG;

	*reason = "unusable Ed25519 key";
	if (!pkey)
		return -EBADMSG;
	*reason = "bad signature";
	if (sig->raw.n == 64)
		memcpy(s, sig->raw.p, 64);
	else if (sig->n_mpis != 2 || !left_pad(s, 32, sig->mpi[0]) ||
		 !left_pad(s + 32, 32, sig->mpi[1]))
		goto cleanup;
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		err = -ENOMEM;
		goto cleanup;
	}
	/* EdDSA signs the digest itself as its message */
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
	    EVP_DigestVerify(ctx, s, sizeof(s), digest, dlen) == 1)
		err = 0;
cleanup:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return err;
}

static bool same_family(unsigned int key, unsigned int sig)
{
	if (key == PGP_PK_RSA || key == PGP_PK_RSA_SIGN)
		return sig == PGP_PK_RSA || sig == PGP_PK_RSA_SIGN;
	return key == sig;
}

int pgp__verify(const struct pgp_pubkey *key, const struct pgp_sig *sig,
		const struct pgp_chunk *chunks, size_t n, const char **reason)
{
	uint8_t digest[EVP_MAX_MD_SIZE], trailer[6];
	const char *name = ossl_hash(sig->hash_algo);
	unsigned int dlen = 0;
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *md = NULL;
	int err = -EBADMSG;
	bool ok;

	*reason = NULL;
	if (!same_family(key->algo, sig->pk_algo)) {
		*reason = "key and signature algorithms differ";
		return -EBADMSG;
	}
	if (key->algo != PGP_PK_RSA && key->algo != PGP_PK_RSA_SIGN &&
	    key->algo != PGP_PK_EDDSA_LEGACY && key->algo != PGP_PK_ED25519) {
		*reason = "public-key algorithm not supported";
		return -EBADMSG;
	}
	if (!name || !(md = EVP_MD_fetch(NULL, name, NULL))) {
		*reason = "hash algorithm not supported";
		return -EBADMSG;
	}
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		err = -ENOMEM;
		goto cleanup;
	}
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, chunks[i].p, chunks[i].n) == 1;
	ok = ok && EVP_DigestUpdate(ctx, sig->hashed.p, sig->hashed.n) == 1;
	if (sig->version == 4) {
		/* the v4 trailer: version, 0xff, the hashed part's length */
		trailer[0] = 4;
		trailer[1] = 0xff;
		trailer[2] = (uint8_t)(sig->hashed.n >> 24);
		trailer[3] = (uint8_t)(sig->hashed.n >> 16);
		trailer[4] = (uint8_t)(sig->hashed.n >> 8);
		trailer[5] = (uint8_t)sig->hashed.n;
		ok = ok && EVP_DigestUpdate(ctx, trailer, sizeof(trailer)) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, digest, &dlen) == 1;
	if (!ok) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (dlen < 2 || memcmp(digest, sig->left16, 2)) {
		*reason = "digest mismatch";
		goto cleanup;
	}
	if (key->algo == PGP_PK_RSA || key->algo == PGP_PK_RSA_SIGN)
		err = check_rsa(key, sig, md, digest, dlen, reason);
	else
		err = check_ed25519(key, sig, digest, dlen, reason);
	if (!err)
		*reason = NULL;
cleanup:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	if (err == -ENOMEM)
		*reason = "out of memory";
	return err;
}
