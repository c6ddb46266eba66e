// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the rpm header-blob reader. Input: 4 bytes of file index
 * (little-endian), then the blob as stored in the rpmdb's Packages table.
 * The blob is also read for its signatures (each one parsed, no key) and as
 * a gpg-pubkey entry's key.
 * Sources: user/identity/rpm.c user/identity/pgp.c user/identity/pkg_field.c
 *          user/identity/root.c user/base/log.c, -lsqlite3 -lcrypto.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity/rpm.h"

static void signatures(const uint8_t *blob, size_t len)
{
	struct rpm_signed *hs = malloc(sizeof(*hs));
	struct pgp_key *key = malloc(sizeof(*key));
	struct pkg_sig sig;
	uint8_t *buf = NULL;

	if (hs && key && !rpm__header_signatures(blob, len, hs)) {
		if (hs->n_sigs > PKG_MAX_SIGS)
			__builtin_trap();
		for (unsigned int i = 0; i < hs->n_sigs; i++)
			if (!rpm__check_signature(hs, i, NULL, &sig) && sig.is_signed)
				__builtin_trap(); /* nothing verifies without a key */
	}
	if (hs && key && !rpm__pubkey_header(blob, len, &buf, key) &&
	    !memchr(key->userid, '\0', sizeof(key->userid)))
		__builtin_trap();
	free(buf);
	free(key);
	free(hs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_info pi;
	uint32_t idx;

	if (size < 4)
		return 0;
	memcpy(&idx, data, 4);
	if (!rpm__header_match(data + 4, size - 4, idx % 64, "/usr/bin/", "rmmtest-rpm", &pi) &&
	    (!pi.name[0] || !memchr(pi.version, '\0', sizeof(pi.version))))
		__builtin_trap();
	signatures(data + 4, size - 4);
	return 0;
}
