// SPDX-License-Identifier: MIT
/*
 * dns__parse_answer() on arbitrary bytes, as a UDP message and as TCP bytes
 * (their first two bytes the length), and the names map fed with what it
 * reports. Beyond not crashing, it checks that nothing is forged: every name
 * is escaped presentation text, the count returned is the calls made, and a
 * cut copy of a message reports nothing the whole message does not.
 * Sources: tests/fuzz/fuzz_dns_answer.c user/network/dns.c user/network/names.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "network/dns.h"
#include "network/names.h"

#define CALLS_MAX 64

struct call {
	unsigned char addr[16];
	uint32_t ttl;
};

struct calls {
	unsigned n;
	struct call c[CALLS_MAX];
	struct names *names;
};

static void check_name(const char *name)
{
	size_t n = strnlen(name, DNS_NAME_MAX);

	if (!n || n >= DNS_NAME_MAX)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x21 || c > 0x7e || (c >= 'A' && c <= 'Z'))
			abort();
		if (c == '\\') { /* "\." "\\" or "\DDD" */
			if (name[i + 1] == '.' || name[i + 1] == '\\')
				i++;
			else if (name[i + 1] >= '0' && name[i + 1] <= '2' && name[i + 2] >= '0' &&
				 name[i + 2] <= '9' && name[i + 3] >= '0' && name[i + 3] <= '9')
				i += 3;
			else
				abort();
		}
	}
}

static void record(void *ctx, const char *name, const unsigned char addr[16], uint32_t ttl)
{
	struct calls *c = ctx;

	check_name(name);
	if (ttl > INT32_MAX)
		abort();
	if (c->n < CALLS_MAX) {
		memcpy(c->c[c->n].addr, addr, 16);
		c->c[c->n].ttl = ttl;
	}
	c->n++;
	if (c->names) {
		const char *got;

		if (names__put(c->names, c->n % 3, addr, name, ttl, 1000))
			abort();
		got = names__get(c->names, c->n % 3, addr, 1000);
		if (!got || strcmp(got, name))
			abort();
	}
}

static int parse(const uint8_t *data, size_t size, bool tcp, struct calls *c)
{
	int r;

	c->n = 0;
	r = dns__parse_answer(data, size, tcp, record, c);
	if (r >= 0 && (unsigned)r != c->n)
		abort();
	if (r < 0 && r != -EMSGSIZE && c->n)
		abort(); /* only a cut message reports before failing */
	return r;
}

static bool has(const struct calls *c, const struct call *x)
{
	for (unsigned i = 0; i < c->n && i < CALLS_MAX; i++)
		if (!memcmp(c->c[i].addr, x->addr, 16) && c->c[i].ttl <= x->ttl)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t tcp[2 + 65535];
	static struct calls whole, cut;
	int r;

	whole.names = names__new(4);
	if (!whole.names)
		abort();
	r = parse(data, size, false, &whole);
	names__free(whole.names);
	whole.names = NULL;
	/* The same message cut short: a subset of the whole's addresses, or its result. */
	if (r >= 0 && whole.n <= CALLS_MAX && size > 12) {
		size_t len = 12 + data[size - 1] % (size - 12);
		int rc = parse(data, len, false, &cut);

		if (rc != r && rc != -EMSGSIZE)
			abort();
		for (unsigned i = 0; i < cut.n; i++)
			if (!has(&whole, &cut.c[i]))
				abort();
	}
	/* As TCP: the message behind its length, and the bytes as a stream */
	if (size <= 65535) {
		tcp[0] = (uint8_t)(size >> 8);
		tcp[1] = (uint8_t)size;
		memcpy(tcp + 2, data, size);
		int rt = parse(tcp, size + 2, true, &cut);

		/* whole by its length: running out is malformed, not a cut */
		if ((r >= 0 && rt != r) || (r == -EMSGSIZE && rt != -EINVAL))
			abort();
	}
	parse(data, size, true, &cut);
	return 0;
}
