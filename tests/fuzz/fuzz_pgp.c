// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the OpenPGP packet reader, and the signature check over
 * what it read. The input is read as a signature packet, a key block, armor
 * and base64 text; then split (its first two bytes, little-endian, are the
 * signature's length) into a signature and a key block, checked one with
 * the other over a fixed header.
 * Sources: user/identity/pgp.c, -lcrypto.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity/pgp.h"

static const uint8_t header[] = {0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 1};

static void check(const uint8_t *data, size_t size)
{
	struct pgp_key *key = malloc(sizeof(*key));
	struct pgp_chunk chunk = {header, sizeof(header)};
	const struct pgp_pubkey *k;
	struct pgp_sig sig;
	const char *reason;
	size_t slen;

	if (!key || size < 2)
		goto out;
	slen = (size_t)data[0] | (size_t)data[1] << 8;
	if (slen > size - 2)
		goto out;
	if (pgp__parse_sig(data + 2, slen, &sig) ||
	    pgp__parse_key(data + 2 + slen, size - 2 - slen, key))
		goto out;
	/* a key of any id: the check itself must hold against any material */
	k = pgp__find_key(key, key->primary.keyid);
	if (!k)
		__builtin_trap();
	if (!pgp__verify(k, &sig, &chunk, 1, &reason) && reason)
		__builtin_trap();
	for (unsigned int i = 0; i < key->n_subkeys; i++)
		pgp__verify(&key->subkey[i], &sig, &chunk, 1, &reason);
out:
	free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgp_key *key = malloc(sizeof(*key));
	uint8_t *out = malloc(size + 1);
	struct pgp_sig sig;
	long n;

	if (!key || !out)
		goto out;
	if (!pgp__parse_sig(data, size, &sig)) {
		if (sig.hashed.p < data || sig.hashed.p + sig.hashed.n > data + size ||
		    sig.n_mpis > PGP_MAX_SIG_MPIS)
			__builtin_trap();
		for (unsigned int i = 0; i < sig.n_mpis; i++)
			if (sig.mpi[i].p < data || sig.mpi[i].p + sig.mpi[i].n > data + size)
				__builtin_trap();
	}
	if (!pgp__parse_key(data, size, key) && !memchr(key->userid, '\0', sizeof(key->userid)))
		__builtin_trap();
	n = pgp__dearmor((const char *)data, size, out, size + 1);
	if (n > (long)size)
		__builtin_trap();
	n = pgp__base64((const char *)data, size, out, size + 1);
	if (n > (long)size)
		__builtin_trap();
	check(data, size);
out:
	free(out);
	free(key);
	return 0;
}
