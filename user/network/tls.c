// SPDX-License-Identifier: MIT
/*
 * The handshake bytes are read through the record layer in place (a record
 * header is skipped where one record ends and the next begins), so a
 * ClientHello split over records needs no copy; nothing is allocated.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "network/hostname.h"
#include "network/tls.h"

#define REC_HDR		5
#define REC_HANDSHAKE	22
#define REC_MAX		(16384 + 2048) /* RFC 8446 5.2: the largest record any version sends */
#define HS_CLIENT_HELLO 1
#define EXT_SERVER_NAME 0
#define SNI_HOST_NAME	0

/* The handshake stream of the records in p[0..len). */
struct hs {
	const unsigned char *p;
	size_t len, pos;
	size_t rec_left; /* handshake bytes left in the current record */
};

/* The next byte of the handshake stream: 0..255, or -errno. */
static int hs_byte(struct hs *h)
{
	while (!h->rec_left) {
		const unsigned char *r = h->p + h->pos;

		/* a record header must come whole before its first byte is read */
		for (size_t i = 0; i < REC_HDR; i++) {
			if (h->pos + i >= h->len)
				return -EMSGSIZE;
			if ((i == 0 && r[0] != REC_HANDSHAKE) || (i == 1 && r[1] != 3))
				return h->pos ? -EINVAL : -ENOENT;
		}
		h->rec_left = (size_t)r[3] << 8 | r[4];
		if (!h->rec_left || h->rec_left > REC_MAX)
			return h->pos ? -EINVAL : -ENOENT;
		h->pos += REC_HDR;
	}
	if (h->pos >= h->len)
		return -EMSGSIZE;
	h->rec_left--;
	return h->p[h->pos++];
}

/* A big-endian integer of @n bytes (at most 3) into *v. */
static int hs_uint(struct hs *h, int n, size_t *v)
{
	*v = 0;
	while (n--) {
		int c = hs_byte(h);

		if (c < 0)
			return c;
		*v = *v << 8 | (size_t)c;
	}
	return 0;
}

static int hs_skip(struct hs *h, size_t n)
{
	while (n--) {
		int c = hs_byte(h);

		if (c < 0)
			return c;
	}
	return 0;
}

/* A field of @n bytes (at most 3) inside what is left of its container (*left). */
static int hs_field(struct hs *h, int n, size_t *left, size_t *v)
{
	if (*left < (size_t)n)
		return -EINVAL;
	*left -= (size_t)n;
	return hs_uint(h, n, v);
}

/*
 * A vector with an @n-byte length inside its container: *len its length, which
 * *left loses with the length field. -EINVAL when it passes the container's end.
 */
static int hs_vec(struct hs *h, int n, size_t *left, size_t *len)
{
	int err = hs_field(h, n, left, len);

	if (err)
		return err;
	if (*len > *left)
		return -EINVAL;
	*left -= *len;
	return 0;
}

/* The server_name extension's body (@ext bytes): its first name into @out. */
static int server_name(struct hs *h, size_t ext, char *out, size_t size)
{
	size_t list, type, n;
	unsigned char name[HOSTNAME_MAX];
	int err;

	if ((err = hs_vec(h, 2, &ext, &list)))
		return err;
	if (ext || !list) /* the list is the whole extension, and not empty */
		return -EINVAL;
	if ((err = hs_field(h, 1, &list, &type)))
		return err;
	/* RFC 6066 3: host_name is the only type, and other types have no known length */
	if (type != SNI_HOST_NAME)
		return -EINVAL;
	if ((err = hs_vec(h, 2, &list, &n)))
		return err;
	if (!n || n > HOSTNAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		int c = hs_byte(h);

		if (c < 0)
			return c;
		name[i] = (unsigned char)c;
	}
	return hostname__copy(name, n, out, size);
}

int tls__client_hello_sni(const unsigned char *p, size_t len, char *out, size_t size)
{
	struct hs h = {.p = p, .len = len};
	size_t body, v, n, type;
	int err, c;

	c = hs_byte(&h);
	if (c < 0)
		return c;
	if (c != HS_CLIENT_HELLO)
		return -ENOENT;
	if ((err = hs_uint(&h, 3, &body)))
		return err;
	/* legacy_version 3.x, random */
	if (body < 34)
		return -EINVAL;
	if ((c = hs_byte(&h)) < 0)
		return c;
	if (c != 3)
		return -EINVAL;
	if ((err = hs_skip(&h, 33)))
		return err;
	body -= 34;
	/* legacy_session_id <0..32> */
	if ((err = hs_vec(&h, 1, &body, &v)))
		return err;
	if (v > 32)
		return -EINVAL;
	if ((err = hs_skip(&h, v)))
		return err;
	/* cipher_suites <2..2^16-2>, two bytes each */
	if ((err = hs_vec(&h, 2, &body, &v)))
		return err;
	if (v < 2 || v % 2)
		return -EINVAL;
	if ((err = hs_skip(&h, v)))
		return err;
	/* legacy_compression_methods <1..2^8-1> */
	if ((err = hs_vec(&h, 1, &body, &v)))
		return err;
	if (v < 1)
		return -EINVAL;
	if ((err = hs_skip(&h, v)))
		return err;
	if (!body)
		return -ENOENT; /* no extensions (SSL 3.0 style) */
	/* extensions <8..2^16-1>: exactly the rest of the ClientHello */
	if ((err = hs_vec(&h, 2, &body, &v)))
		return err;
	if (body)
		return -EINVAL;
	while (v) {
		if ((err = hs_field(&h, 2, &v, &type)))
			return err;
		if ((err = hs_vec(&h, 2, &v, &n)))
			return err;
		if (type == EXT_SERVER_NAME)
			return server_name(&h, n, out, size);
		if ((err = hs_skip(&h, n)))
			return err;
	}
	return -ENOENT;
}
