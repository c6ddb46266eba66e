/* SPDX-License-Identifier: MIT */
/*
 * Hashes for in-memory tables (never stored, never compared across runs):
 * FNV-1a over the bytes, then SplitMix64's finalizer. FNV alone leaves its
 * high bits and, for short keys, its low bits poorly mixed; the tables index
 * by the low bits (linear probing too) and sort by all 64, so every bit must
 * depend on every input byte. A table filled from files others write (paths
 * of a package database) passes a random seed, so collisions cannot be
 * planned.
 */
#ifndef RMMHUNT_STRHASH_H
#define RMMHUNT_STRHASH_H

#include <stddef.h>
#include <stdint.h>

/* SplitMix64's finalizer: a bijection on 64 bits, so also a hash of an integer. */
static inline uint64_t strhash__mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* The @n bytes at @p (a string, or a key struct without padding), @seed 0 or random. */
static inline uint64_t strhash__bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 0xcbf29ce484222325ull ^ seed; /* FNV-1a 64 offset basis */

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull; /* FNV-1a 64 prime */
	return strhash__mix64(h);
}

#endif
