/* SPDX-License-Identifier: MIT */
/*
 * OpenPGP (RFC 4880, RFC 9580) as rpm uses it: one bare signature packet
 * (an rpm header signature) and the transferable public key an rpmdb
 * `gpg-pubkey` entry holds, and the check of one against the other with
 * libcrypto.
 *
 * Our own bounded parser: no maintained C library parses a lone signature
 * packet without bringing GnuPG (gpgme runs gpg) or rpm itself along. Both
 * packet length formats are read (old and new; partial lengths are refused,
 * as neither packet may use them), v3 and v4 signatures, v4 keys. Every
 * length is checked against what is left of its packet; results point into
 * the caller's buffer.
 */
#ifndef RMMHUNT_PGP_H
#define RMMHUNT_PGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PGP_KEYID_LEN	 8
#define PGP_FPR_MAX	 32 /* v6 fingerprints; v4 ones are 20 bytes */
#define PGP_MAX_SUBKEYS	 16
#define PGP_MAX_PACKETS	 1024 /* packets looked at in one key block */
#define PGP_USERID_MAX	 256  /* bytes of a user id kept, NUL included */
#define PGP_MAX_SIG_MPIS 2

/* Algorithm numbers (RFC 9580 section 9.1 and 9.5). */
enum {
	PGP_PK_RSA = 1,
	PGP_PK_RSA_SIGN = 3,
	PGP_PK_DSA = 17,
	PGP_PK_ECDSA = 19,
	PGP_PK_EDDSA_LEGACY = 22,
	PGP_PK_ED25519 = 27,
};

struct pgp_bytes {
	const uint8_t *p;
	size_t n;
};

struct pgp_sig {
	uint8_t version; /* 3 or 4 */
	uint8_t type;	 /* 0x00 binary document, ... */
	uint8_t pk_algo;
	uint8_t hash_algo;
	bool has_created; /* v3: always; v4: hashed subpacket 2 */
	uint32_t created;
	bool has_keyid; /* v3: always; v4: subpacket 16, hashed or not */
	uint8_t keyid[PGP_KEYID_LEN];
	uint8_t fpr_len; /* subpacket 33, hashed or not: 0 when absent */
	uint8_t fpr[PGP_FPR_MAX];
	uint8_t left16[2];	 /* the digest's first two bytes */
	struct pgp_bytes hashed; /* what is hashed after the data, before the v4 trailer */
	unsigned int n_mpis;	 /* RSA 1, DSA/ECDSA/EdDSA 2, Ed25519 0 */
	struct pgp_bytes mpi[PGP_MAX_SIG_MPIS]; /* magnitudes, leading zeros dropped */
	struct pgp_bytes raw;			/* Ed25519's native 64 bytes */
};

struct pgp_pubkey {
	uint8_t version;
	uint32_t created;
	uint8_t algo;
	struct pgp_bytes body; /* the whole packet body: its fingerprint is over it */
	uint8_t fpr[20];
	uint8_t keyid[PGP_KEYID_LEN];
};

struct pgp_key {
	struct pgp_pubkey primary;
	char userid[PGP_USERID_MAX]; /* the first user id packet; "" without one */
	unsigned int n_subkeys;
	struct pgp_pubkey subkey[PGP_MAX_SUBKEYS];
};

/*
 * The packet at the start of @buf: its tag, body and whole length. 0,
 * -EINVAL (not a packet, a partial length, or a length past @len).
 */
int pgp__packet(const uint8_t *buf, size_t len, unsigned int *tag, struct pgp_bytes *body,
		size_t *total);

/* The signature packet that is the whole of @buf. 0, -EINVAL, -ENOTSUP (another version). */
int pgp__parse_sig(const uint8_t *buf, size_t len, struct pgp_sig *out);

/*
 * The transferable public key in @buf (binary packets: a v4 primary key, its
 * user ids, subkeys and signatures). 0, -EINVAL, -ENOTSUP (a v3, v5 or v6
 * primary key). Subkeys of other versions are skipped.
 */
int pgp__parse_key(const uint8_t *buf, size_t len, struct pgp_key *out);

/*
 * The binary packets of the ASCII-armored block in @text (@len bytes) into
 * @out (@cap bytes): the lines between the header's blank line and the
 * checksum line, base64-decoded. Returns the length or -EINVAL / -ENOSPC.
 */
long pgp__dearmor(const char *text, size_t len, uint8_t *out, size_t cap);

/* Base64 @text into @out, whitespace skipped, up to a '='. The length, -EINVAL, -ENOSPC. */
long pgp__base64(const char *text, size_t len, uint8_t *out, size_t cap);

/* The key of @k whose key id is @keyid (the primary or a subkey), or NULL. */
const struct pgp_pubkey *pgp__find_key(const struct pgp_key *k, const uint8_t keyid[PGP_KEYID_LEN]);

/* One piece of the signed data, hashed in order. */
struct pgp_chunk {
	const void *p;
	size_t n;
};

/*
 * Checks @sig by @key over @n chunks of data: the digest (the signature's
 * hash algorithm, over the data and the signature's hashed part and trailer)
 * must match its left 16 bits and the signature must verify. Returns 0 when
 * it does, else -EBADMSG and *@reason (static text), or -ENOMEM.
 */
int pgp__verify(const struct pgp_pubkey *key, const struct pgp_sig *sig,
		const struct pgp_chunk *chunks, size_t n, const char **reason);

/* "SHA256" for hash algorithm 8; "" for one not known. */
const char *pgp__hash_name(unsigned int algo);
/* "RSA", "EdDSA", ...; "" for one not known. */
const char *pgp__pk_name(unsigned int algo);

#endif
