// SPDX-License-Identifier: MIT
/*
 * SHA1 -> last report, in an open-addressed table (linear probing, deletion by
 * backward shift) of twice the entries it may hold: see cert_seen.h.
 */
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/strhash.h"
#include "pipeline/cert_seen.h"

struct slot {
	bool used;
	unsigned char sha1[20];
	int64_t last_us;
};

struct cert_seen {
	size_t max, count, nslots; /* nslots: a power of two, at least 2 * max */
	struct slot *slots;
};

struct cert_seen *cert_seen__new(size_t max_entries)
{
	struct cert_seen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->max = max_entries ? max_entries : 1;
	s->nslots = 4;
	while (s->nslots < 2 * s->max)
		s->nslots *= 2;
	s->slots = calloc(s->nslots, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	return s;
}

void cert_seen__free(struct cert_seen *s)
{
	if (!s)
		return;
	free(s->slots);
	free(s);
}

static bool parse_sha1(const char *hex, unsigned char out[20])
{
	if (!hex || strlen(hex) != 40)
		return false;
	for (int i = 0; i < 20; i++) {
		int hi = hex__digit(hex[2 * i]), lo = hex__digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static size_t home(const struct cert_seen *s, const unsigned char *sha1)
{
	return strhash__bytes(sha1, 20, 0) & (s->nslots - 1);
}

static void remove_at(struct cert_seen *s, size_t i)
{
	size_t mask = s->nslots - 1, j = i;

	s->slots[i].used = false;
	/* backward shift: move up each later entry whose home is not between the hole and it */
	for (;;) {
		size_t h;

		j = (j + 1) & mask;
		if (!s->slots[j].used)
			break;
		h = home(s, s->slots[j].sha1);
		if (((j - h) & mask) >= ((j - i) & mask)) {
			s->slots[i] = s->slots[j];
			s->slots[j].used = false;
			i = j;
		}
	}
	s->count--;
}

static void forget_oldest(struct cert_seen *s)
{
	size_t oldest = s->nslots;

	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i].used &&
		    (oldest == s->nslots || s->slots[i].last_us < s->slots[oldest].last_us))
			oldest = i;
	if (oldest < s->nslots)
		remove_at(s, oldest);
}

bool cert_seen__due(struct cert_seen *s, const char *sha1, int64_t now_us, int64_t period_us)
{
	unsigned char key[20];
	size_t i;

	if (!parse_sha1(sha1, key))
		return false;
	for (i = home(s, key); s->slots[i].used; i = (i + 1) & (s->nslots - 1)) {
		struct slot *e = &s->slots[i];

		if (memcmp(e->sha1, key, 20))
			continue;
		if (now_us - e->last_us < period_us)
			return false;
		e->last_us = now_us;
		return true;
	}
	/* a new file: the one reported longest ago makes room (a scan, only when full) */
	if (s->count == s->max) {
		forget_oldest(s);
		for (i = home(s, key); s->slots[i].used; i = (i + 1) & (s->nslots - 1))
			;
	}
	s->slots[i] = (struct slot){.used = true, .last_us = now_us};
	memcpy(s->slots[i].sha1, key, 20);
	s->count++;
	return true;
}

size_t cert_seen__count(const struct cert_seen *s)
{
	return s->count;
}
