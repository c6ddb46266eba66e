/* SPDX-License-Identifier: MIT */
/*
 * Defender's LocalIPType / RemoteIPType. Its DeviceNetworkEvents reference
 * documents these values: Public, Private, Reserved, Loopback, Teredo,
 * FourToSixMapping and Broadcast; only those are used. Ranges with no value
 * of their own (link-local, multicast, documentation, benchmarking, the
 * unspecified address, unallocated IPv6) are Reserved: IANA's special-purpose
 * registries mark them not globally reachable, and none is a private network.
 */
#ifndef RMMHUNT_NETWORK_IPTYPE_H
#define RMMHUNT_NETWORK_IPTYPE_H

#define IPTYPE_PUBLIC	   "Public"
#define IPTYPE_PRIVATE	   "Private"
#define IPTYPE_RESERVED	   "Reserved"
#define IPTYPE_LOOPBACK	   "Loopback"
#define IPTYPE_TEREDO	   "Teredo"
#define IPTYPE_FOUR_TO_SIX "FourToSixMapping"
#define IPTYPE_BROADCAST   "Broadcast"

/*
 * The type of @addr (16 bytes). A v4-mapped address (::ffff:a.b.c.d) is its
 * IPv4 address, as the records print it (include/events.h); FourToSixMapping
 * is an IPv6 address that stands for an IPv4 one through a translator: NAT64
 * (64:ff9b::/96, 64:ff9b:1::/48) and SIIT's IPv4-translated ::ffff:0:a.b.c.d.
 */
const char *iptype__of(const unsigned char addr[16]);

#endif
