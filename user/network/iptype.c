// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "network/addr.h"
#include "network/iptype.h"

struct range {
	unsigned char prefix[16];
	unsigned bits;
	const char *type;
};

static bool in_range(const unsigned char *a, const unsigned char *prefix, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;

	if (memcmp(a, prefix, whole))
		return false;
	return !rest || !((a[whole] ^ prefix[whole]) & (0xff00u >> rest));
}

/* First match wins: a narrower range comes before the one holding it. */
static const struct range v4_ranges[] = {
    {{255, 255, 255, 255}, 32, IPTYPE_BROADCAST},
    {{0}, 8, IPTYPE_RESERVED},		   /* "this network" */
    {{10}, 8, IPTYPE_PRIVATE},		   /* RFC 1918 */
    {{100, 64}, 10, IPTYPE_PRIVATE},	   /* RFC 6598 shared (carrier-grade NAT) */
    {{127}, 8, IPTYPE_LOOPBACK},	   /* RFC 1122 */
    {{169, 254}, 16, IPTYPE_RESERVED},	   /* RFC 3927 link-local */
    {{172, 16}, 12, IPTYPE_PRIVATE},	   /* RFC 1918 */
    {{192, 0, 0}, 24, IPTYPE_RESERVED},	   /* RFC 6890 IETF protocol assignments */
    {{192, 0, 2}, 24, IPTYPE_RESERVED},	   /* RFC 5737 documentation */
    {{192, 88, 99}, 24, IPTYPE_RESERVED},  /* RFC 7526 deprecated 6to4 relays */
    {{192, 168}, 16, IPTYPE_PRIVATE},	   /* RFC 1918 */
    {{198, 18}, 15, IPTYPE_RESERVED},	   /* RFC 2544 benchmarking */
    {{198, 51, 100}, 24, IPTYPE_RESERVED}, /* RFC 5737 documentation */
    {{203, 0, 113}, 24, IPTYPE_RESERVED},  /* RFC 5737 documentation */
    {{224}, 4, IPTYPE_RESERVED},	   /* RFC 5771 multicast */
    {{240}, 4, IPTYPE_RESERVED},	   /* RFC 1112 future use */
};

static const struct range v6_ranges[] = {
    {{0}, 128, IPTYPE_RESERVED},				    /* :: unspecified */
    {{[15] = 1}, 128, IPTYPE_LOOPBACK},				    /* ::1 */
    {{[8] = 0xff, [9] = 0xff}, 96, IPTYPE_FOUR_TO_SIX},		    /* SIIT ::ffff:0:0/96 */
    {{0x00, 0x64, 0xff, 0x9b}, 96, IPTYPE_FOUR_TO_SIX},		    /* RFC 6052 NAT64 */
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, IPTYPE_FOUR_TO_SIX}, /* RFC 8215 NAT64 */
    {{0x20, 0x01, 0x00, 0x00}, 32, IPTYPE_TEREDO},		    /* RFC 4380 */
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, IPTYPE_RESERVED},    /* RFC 5180 benchmarking */
    {{0x20, 0x01, 0x00, 0x10}, 28, IPTYPE_RESERVED},		    /* RFC 4843 ORCHID */
    {{0x20, 0x01, 0x00, 0x20}, 28, IPTYPE_RESERVED},		    /* RFC 7343 ORCHIDv2 */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, IPTYPE_RESERVED},		    /* RFC 3849 documentation */
    {{0x3f, 0xff}, 20, IPTYPE_RESERVED},			    /* RFC 9637 documentation */
    {{0x20}, 3, IPTYPE_PUBLIC},					    /* global unicast */
    {{0xfc}, 7, IPTYPE_PRIVATE},				    /* RFC 4193 unique local */
    {{0xfe, 0x80}, 10, IPTYPE_RESERVED},			    /* link-local */
    {{0xfe, 0xc0}, 10, IPTYPE_RESERVED},			    /* RFC 3879 site-local */
    {{0xff}, 8, IPTYPE_RESERVED},				    /* multicast */
};

const char *iptype__of(const unsigned char addr[16])
{
	if (addr__is_v4(addr)) {
		for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++)
			if (in_range(addr + 12, v4_ranges[i].prefix, v4_ranges[i].bits))
				return v4_ranges[i].type;
		return IPTYPE_PUBLIC;
	}
	for (size_t i = 0; i < sizeof(v6_ranges) / sizeof(v6_ranges[0]); i++)
		if (in_range(addr, v6_ranges[i].prefix, v6_ranges[i].bits))
			return v6_ranges[i].type;
	/* the rest of the space is unallocated, or reserved by the IETF */
	return IPTYPE_RESERVED;
}
