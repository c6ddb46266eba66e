// SPDX-License-Identifier: MIT
/* File hashes: see hash.h. */
#include <errno.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "base/file.h"
#include "identity/hash.h"

#define CHUNK (256u << 10)

static void to_hex(const unsigned char *md, unsigned int n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned int i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

int hash__fd(int fd, uint64_t size, uint64_t max_size, char sha1[HASH_SHA1_HEX],
	     char sha256[HASH_SHA256_HEX])
{
	return hash__fd_tee(fd, size, max_size, sha1, sha256, NULL, NULL);
}

int hash__fd_tee(int fd, uint64_t size, uint64_t max_size, char sha1[HASH_SHA1_HEX],
		 char sha256[HASH_SHA256_HEX], hash_tee_fn tee, void *arg)
{
	EVP_MD_CTX *c1 = NULL, *c256 = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
	unsigned char *buf = NULL;
	uint64_t off = 0;
	int err = -ENOMEM;

	if (size > max_size)
		return -EFBIG;
	buf = malloc(CHUNK);
	c1 = EVP_MD_CTX_new();
	c256 = EVP_MD_CTX_new();
	if (!buf || !c1 || !c256)
		goto cleanup;
	err = -EIO;
	if (!EVP_DigestInit_ex(c1, EVP_sha1(), NULL) ||
	    !EVP_DigestInit_ex(c256, EVP_sha256(), NULL))
		goto cleanup;
	while (off < size) {
		size_t want = size - off < CHUNK ? size - off : CHUNK;
		/* -ENODATA: the file is shorter than the size we were given */
		err = file__pread_exact(fd, buf, want, (off_t)off);
		if (err)
			goto cleanup;
		err = -EIO;
		if (!EVP_DigestUpdate(c1, buf, want) || !EVP_DigestUpdate(c256, buf, want))
			goto cleanup;
		if (tee)
			tee(arg, off, buf, want);
		off += want;
	}
	if (!EVP_DigestFinal_ex(c1, md, &md_len))
		goto cleanup;
	to_hex(md, md_len, sha1);
	if (!EVP_DigestFinal_ex(c256, md, &md_len))
		goto cleanup;
	to_hex(md, md_len, sha256);
	err = 0;
cleanup:
	EVP_MD_CTX_free(c1);
	EVP_MD_CTX_free(c256);
	free(buf);
	return err;
}
