// SPDX-License-Identifier: MIT
/* pgp: packets built by hand, byte by byte, against RFC 9580's layouts. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "identity/pgp.h"

struct buf {
	uint8_t b[1024];
	size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put8(struct buf *b, unsigned int v)
{
	b->b[b->n++] = (uint8_t)v;
}

static void put16(struct buf *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v);
}

static void put32(struct buf *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b, v);
}

static const uint8_t keyid[8] = {0xfe, 0xd2, 0xfb, 0x47, 0x01, 0xce, 0x6a, 0x47};
static const uint8_t fpr[20] = {0xb8, 0x4b, 0xa0, 0x1a, 0x9b, 0x0d, 0x91, 0x16, 0xc1, 0x34,
				0x96, 0x0b, 0xfe, 0xd2, 0xfb, 0x47, 0x01, 0xce, 0x6a, 0x47};

/* A v4 RSA/SHA256 signature body: creation and fingerprint hashed, issuer unhashed. */
static void v4_body(struct buf *b)
{
	struct buf h = {0}, u = {0};

	put8(&h, 5); /* creation time: length counts the type byte */
	put8(&h, 2);
	put32(&h, 0x6b157058);
	put8(&h, 22); /* issuer fingerprint: version 4 + 20 bytes */
	put8(&h, 33);
	put8(&h, 4);
	put(&h, fpr, sizeof(fpr));
	put8(&u, 9); /* issuer key id */
	put8(&u, 16);
	put(&u, keyid, sizeof(keyid));

	put8(b, 4);
	put8(b, 0x00); /* binary document */
	put8(b, PGP_PK_RSA);
	put8(b, 8); /* SHA256 */
	put16(b, (unsigned int)h.n);
	put(b, h.b, h.n);
	put16(b, (unsigned int)u.n);
	put(b, u.b, u.n);
	put8(b, 0xab); /* left 16 bits */
	put8(b, 0xcd);
	put16(b, 12); /* a 12-bit MPI: two bytes, the first 0x0f */
	put8(b, 0x0f);
	put8(b, 0xff);
}

/* @body as a new-format packet of tag 2. */
static void packet_new(struct buf *out, const struct buf *body)
{
	out->n = 0;
	put8(out, 0xc0 | 2);
	if (body->n < 192) {
		put8(out, (unsigned int)body->n);
	} else {
		put8(out, 0xff);
		put32(out, (uint32_t)body->n);
	}
	put(out, body->b, body->n);
}

static void pgp_packet__old_and_new_lengths__body_found(void **state)
{
	uint8_t p[400] = {0};
	struct pgp_bytes body;
	unsigned int tag;
	size_t total;

	(void)state;
	/* old format, 1-byte length: tag 2 */
	p[0] = 0x88;
	p[1] = 3;
	assert_int_equal(pgp__packet(p, 5, &tag, &body, &total), 0);
	assert_int_equal(tag, 2);
	assert_ptr_equal(body.p, p + 2);
	assert_int_equal(body.n, 3);
	assert_int_equal(total, 5);
	/* old format, 2-byte length */
	p[0] = 0x89;
	p[1] = 0x01;
	p[2] = 0x00;
	assert_int_equal(pgp__packet(p, 259, &tag, &body, &total), 0);
	assert_int_equal(body.n, 256);
	assert_ptr_equal(body.p, p + 3);
	/* old format, 4-byte length */
	p[0] = 0x8a;
	memcpy(p + 1, "\0\0\0\x04", 4);
	assert_int_equal(pgp__packet(p, 9, &tag, &body, &total), 0);
	assert_int_equal(body.n, 4);
	assert_int_equal(total, 9);
	/* old format, indeterminate: the rest */
	p[0] = 0x8b;
	assert_int_equal(pgp__packet(p, 10, &tag, &body, &total), 0);
	assert_int_equal(body.n, 9);
	/* new format: one byte, two bytes (192 + ...), five bytes */
	p[0] = 0xc2;
	p[1] = 191;
	assert_int_equal(pgp__packet(p, 193, &tag, &body, &total), 0);
	assert_int_equal(tag, 2);
	assert_int_equal(body.n, 191);
	p[1] = 192;
	p[2] = 8;
	assert_int_equal(pgp__packet(p, 203, &tag, &body, &total), 0);
	assert_int_equal(body.n, 200);
	assert_ptr_equal(body.p, p + 3);
	p[1] = 255;
	memcpy(p + 2, "\0\0\0\x07", 4);
	assert_int_equal(pgp__packet(p, 13, &tag, &body, &total), 0);
	assert_int_equal(body.n, 7);
	assert_int_equal(total, 13);
}

static void pgp_packet__partial_short_or_overlong__refused(void **state)
{
	uint8_t p[16] = {0};
	struct pgp_bytes body;
	unsigned int tag;
	size_t total;

	(void)state;
	p[0] = 0x02; /* no packet bit */
	assert_int_equal(pgp__packet(p, 8, &tag, &body, &total), -EINVAL);
	p[0] = 0xc2;
	p[1] = 224; /* partial body length */
	assert_int_equal(pgp__packet(p, 16, &tag, &body, &total), -EINVAL);
	p[1] = 20; /* longer than the data */
	assert_int_equal(pgp__packet(p, 16, &tag, &body, &total), -EINVAL);
	p[1] = 255; /* a 4-byte length cut short */
	assert_int_equal(pgp__packet(p, 4, &tag, &body, &total), -EINVAL);
	memcpy(p + 2, "\xff\xff\xff\xff", 4);
	assert_int_equal(pgp__packet(p, 16, &tag, &body, &total), -EINVAL);
	p[0] = 0x89; /* old 2-byte length cut short */
	assert_int_equal(pgp__packet(p, 2, &tag, &body, &total), -EINVAL);
	assert_int_equal(pgp__packet(p, 1, &tag, &body, &total), -EINVAL);
}

static void pgp_parse_sig__v4__subpackets_from_both_areas(void **state)
{
	struct buf body = {0}, pkt;
	struct pgp_sig sig;

	(void)state;
	v4_body(&body);
	packet_new(&pkt, &body);
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), 0);
	assert_int_equal(sig.version, 4);
	assert_int_equal(sig.type, 0);
	assert_int_equal(sig.pk_algo, PGP_PK_RSA);
	assert_int_equal(sig.hash_algo, 8);
	assert_true(sig.has_created);
	assert_int_equal(sig.created, 0x6b157058);
	assert_true(sig.has_keyid);
	assert_memory_equal(sig.keyid, keyid, 8);
	assert_int_equal(sig.fpr_len, 20);
	assert_memory_equal(sig.fpr, fpr, 20);
	assert_int_equal(sig.left16[0], 0xab);
	assert_int_equal(sig.left16[1], 0xcd);
	/* the hashed part: version through the hashed subpackets */
	assert_ptr_equal(sig.hashed.p, pkt.b + 2);
	assert_int_equal(sig.hashed.n, 6 + 6 + 23);
	assert_int_equal(sig.n_mpis, 1);
	assert_int_equal(sig.mpi[0].n, 2);
	assert_int_equal(sig.mpi[0].p[0], 0x0f);
	assert_string_equal(pgp__hash_name(sig.hash_algo), "SHA256");
	assert_string_equal(pgp__pk_name(sig.pk_algo), "RSA");
}

static void pgp_parse_sig__creation_time_unhashed__ignored(void **state)
{
	struct buf body = {0}, pkt;
	struct pgp_sig sig;

	(void)state;
	put8(&body, 4);
	put8(&body, 0);
	put8(&body, PGP_PK_RSA);
	put8(&body, 8);
	put16(&body, 0);
	put16(&body, 6);
	put8(&body, 5);
	put8(&body, 2);
	put32(&body, 12345);
	put16(&body, 0);
	put16(&body, 8);
	put8(&body, 1);
	packet_new(&pkt, &body);
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), 0);
	/* anyone may add an unhashed subpacket: only a hashed time counts */
	assert_false(sig.has_created);
	assert_false(sig.has_keyid);
}

static void pgp_parse_sig__v3__fixed_fields(void **state)
{
	struct buf body = {0}, pkt = {0};
	struct pgp_sig sig;

	(void)state;
	put8(&body, 3);
	put8(&body, 5);
	put8(&body, 0x00);
	put32(&body, 0x5f000000);
	put(&body, keyid, 8);
	put8(&body, PGP_PK_RSA);
	put8(&body, 2); /* SHA1 */
	put16(&body, 0x1234);
	put16(&body, 8);
	put8(&body, 0x80);
	/* old format, 1-byte length */
	put8(&pkt, 0x88);
	put8(&pkt, (unsigned int)body.n);
	put(&pkt, body.b, body.n);
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), 0);
	assert_int_equal(sig.version, 3);
	assert_int_equal(sig.created, 0x5f000000);
	assert_memory_equal(sig.keyid, keyid, 8);
	assert_int_equal(sig.hash_algo, 2);
	/* v3 hashes the type and the creation time */
	assert_ptr_equal(sig.hashed.p, pkt.b + 4);
	assert_int_equal(sig.hashed.n, 5);
	assert_int_equal(sig.n_mpis, 1);
}

static void pgp_parse_sig__every_cut_and_bad_length__refused(void **state)
{
	struct buf body = {0}, pkt;
	struct pgp_sig sig;

	(void)state;
	v4_body(&body);
	/* a body cut anywhere, its packet length saying so: never read past it */
	for (size_t n = 0; n < body.n; n++) {
		struct buf cut = body;
		uint8_t *copy;

		cut.n = n;
		packet_new(&pkt, &cut);
		copy = malloc(pkt.n);
		memcpy(copy, pkt.b, pkt.n);
		assert_int_not_equal(pgp__parse_sig(copy, pkt.n, &sig), 0);
		free(copy);
	}
	/* a hashed-area length past the body */
	packet_new(&pkt, &body);
	pkt.b[2 + 5] = 0xff;
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), -EINVAL);
	/* a subpacket length past its area, and a zero one */
	packet_new(&pkt, &body);
	pkt.b[2 + 6] = 40;
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), -EINVAL);
	pkt.b[2 + 6] = 0;
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), -EINVAL);
	/* trailing bytes after the packet, another packet type */
	packet_new(&pkt, &body);
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n + 1, &sig), -EINVAL);
	pkt.b[0] = 0xc0 | 6;
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), -EINVAL);
	/* v5 and v6 signatures are not read */
	packet_new(&pkt, &body);
	pkt.b[2] = 6;
	assert_int_equal(pgp__parse_sig(pkt.b, pkt.n, &sig), -ENOTSUP);
}

/* A v4 EdDSA key packet, a user id and an RSA subkey, armored as gpg does. */
static size_t key_block(uint8_t *out)
{
	struct buf b = {0}, k = {0}, s = {0};
	static const uint8_t oid[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01};
	static const char uid[] = "Test Signer <t@example.org>";

	put8(&k, 4);
	put32(&k, 0x60000000);
	put8(&k, PGP_PK_EDDSA_LEGACY);
	put8(&k, sizeof(oid));
	put(&k, oid, sizeof(oid));
	put16(&k, 263);
	put8(&k, 0x40);
	for (int i = 0; i < 32; i++)
		put8(&k, (unsigned int)i);
	put8(&b, 0xc0 | 6);
	put8(&b, (unsigned int)k.n);
	put(&b, k.b, k.n);
	put8(&b, 0xc0 | 13);
	put8(&b, sizeof(uid) - 1);
	put(&b, uid, sizeof(uid) - 1);
	put8(&s, 4);
	put32(&s, 0x60000001);
	put8(&s, PGP_PK_RSA);
	put16(&s, 9);
	put16(&s, 0x01ff);
	put16(&s, 2);
	put8(&s, 3);
	put8(&b, 0xc0 | 14);
	put8(&b, (unsigned int)s.n);
	put(&b, s.b, s.n);
	memcpy(out, b.b, b.n);
	return b.n;
}

static void pgp_parse_key__primary_userid_subkey__fingerprints(void **state)
{
	uint8_t bin[512];
	size_t n = key_block(bin);
	struct pgp_key key;

	(void)state;
	assert_int_equal(pgp__parse_key(bin, n, &key), 0);
	assert_int_equal(key.primary.version, 4);
	assert_int_equal(key.primary.algo, PGP_PK_EDDSA_LEGACY);
	assert_int_equal(key.primary.created, 0x60000000);
	assert_string_equal(key.userid, "Test Signer <t@example.org>");
	assert_int_equal(key.n_subkeys, 1);
	/* the key id is the fingerprint's low 64 bits */
	assert_memory_equal(key.primary.keyid, key.primary.fpr + 12, 8);
	assert_ptr_equal(pgp__find_key(&key, key.subkey[0].keyid), &key.subkey[0]);
	assert_ptr_equal(pgp__find_key(&key, key.primary.keyid), &key.primary);
	assert_null(pgp__find_key(&key, keyid));
	/* a v3 primary key is not read; a cut one is malformed */
	bin[2] = 3;
	assert_int_equal(pgp__parse_key(bin, n, &key), -ENOTSUP);
	bin[2] = 4;
	assert_int_equal(pgp__parse_key(bin, 20, &key), -EINVAL);
}

static void pgp_dearmor__armored_block__packets(void **state)
{
	static const char armored[] = "junk before\n"
				      "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"
				      "Version: rpm-4.18.0\n"
				      "\n"
				      "AAEC\r\n"
				      "AwQF Bg==\n"
				      "=abcd\n"
				      "-----END PGP PUBLIC KEY BLOCK-----\n";
	uint8_t out[16];

	(void)state;
	assert_int_equal(pgp__dearmor(armored, sizeof(armored) - 1, out, sizeof(out)), 7);
	for (int i = 0; i < 7; i++)
		assert_int_equal(out[i], i);
	assert_int_equal(pgp__dearmor(armored, sizeof(armored) - 1, out, 4), -ENOSPC);
	assert_int_equal(pgp__dearmor("AAEC\n", 5, out, sizeof(out)), -EINVAL);
	assert_int_equal(pgp__dearmor(armored, 40, out, sizeof(out)), -EINVAL);
	assert_int_equal(pgp__base64("AA EC\nAw==", 10, out, sizeof(out)), 4);
	assert_int_equal(pgp__base64("AA*C", 4, out, sizeof(out)), -EINVAL);
}

static void pgp_verify__mismatched_or_unsupported__reason(void **state)
{
	struct pgp_pubkey key = {.version = 4, .algo = PGP_PK_RSA};
	struct pgp_sig sig = {.version = 4, .pk_algo = PGP_PK_EDDSA_LEGACY, .hash_algo = 8};
	struct pgp_chunk data = {"x", 1};
	const char *reason;

	(void)state;
	assert_int_equal(pgp__verify(&key, &sig, &data, 1, &reason), -EBADMSG);
	assert_string_equal(reason, "key and signature algorithms differ");
	key.algo = sig.pk_algo = PGP_PK_DSA;
	assert_int_equal(pgp__verify(&key, &sig, &data, 1, &reason), -EBADMSG);
	assert_string_equal(reason, "public-key algorithm not supported");
	key.algo = sig.pk_algo = PGP_PK_RSA;
	sig.hash_algo = 1; /* MD5 */
	assert_int_equal(pgp__verify(&key, &sig, &data, 1, &reason), -EBADMSG);
	assert_string_equal(reason, "hash algorithm not supported");
	/* a digest whose left 16 bits differ is refused before any key is used */
	sig.hash_algo = 8;
	sig.hashed.p = (const uint8_t *)"\x04";
	sig.hashed.n = 1;
	sig.left16[0] = 0; /* SHA256("x" "\x04" trailer) does not start 0000 */
	sig.left16[1] = 0;
	assert_int_equal(pgp__verify(&key, &sig, &data, 1, &reason), -EBADMSG);
	assert_string_equal(reason, "digest mismatch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pgp_packet__old_and_new_lengths__body_found),
	    cmocka_unit_test(pgp_packet__partial_short_or_overlong__refused),
	    cmocka_unit_test(pgp_parse_sig__v4__subpackets_from_both_areas),
	    cmocka_unit_test(pgp_parse_sig__creation_time_unhashed__ignored),
	    cmocka_unit_test(pgp_parse_sig__v3__fixed_fields),
	    cmocka_unit_test(pgp_parse_sig__every_cut_and_bad_length__refused),
	    cmocka_unit_test(pgp_parse_key__primary_userid_subkey__fingerprints),
	    cmocka_unit_test(pgp_dearmor__armored_block__packets),
	    cmocka_unit_test(pgp_verify__mismatched_or_unsupported__reason),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
