/* SPDX-License-Identifier: MIT */
/* SHA1 and SHA256 of a file in one streaming pass (libcrypto EVP). */
#ifndef RMMHUNT_HASH_H
#define RMMHUNT_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_MAX_SIZE	(256ull << 20) /* larger files are not hashed */
#define HASH_SHA1_HEX	41
#define HASH_SHA256_HEX 65

/*
 * Hashes the first @size bytes of the file open at @fd (read with pread, the
 * fd's offset is left alone) into lower-case hex. Returns 0; -EFBIG when
 * @size is over @max_size; -EIO/-ENODATA when the file could not be read to
 * @size (it shrank); -ENOMEM.
 */
int hash__fd(int fd, uint64_t size, uint64_t max_size, char sha1[HASH_SHA1_HEX],
	     char sha256[HASH_SHA256_HEX]);

/* Called with each chunk hash__fd_tee reads, in file order. */
typedef void (*hash_tee_fn)(void *arg, uint64_t off, const void *buf, size_t len);

/*
 * hash__fd, also handing every chunk to @tee (when not NULL): another digest
 * of the same file (Authenticode's) costs no second read.
 */
int hash__fd_tee(int fd, uint64_t size, uint64_t max_size, char sha1[HASH_SHA1_HEX],
		 char sha256[HASH_SHA256_HEX], hash_tee_fn tee, void *arg);

#endif
