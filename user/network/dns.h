/* SPDX-License-Identifier: MIT */
/*
 * The addresses a DNS response (RFC 1035) gives the name a program asked for,
 * read from bytes any server, or anyone on the path, may have written: the
 * message is never read past its length, compression pointers only go
 * backwards, names and CNAME chains are bounded, and a name comes out in
 * presentation form with every byte that could pass for a separator or a
 * control escaped (RFC 4343), so no label can stand for another name.
 */
#ifndef RMMHUNT_NETWORK_DNS_H
#define RMMHUNT_NETWORK_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT      53
#define DNS_NAME_MAX  1004 /* a 255-byte name, every byte escaped "\DDD", dots, NUL */
#define DNS_CHAIN_MAX 16   /* CNAMEs followed from the question name */

/* @name: the question name; @addr: IPv6, or IPv4 as ::ffff:a.b.c.d; @ttl in seconds. */
typedef void (*dns_addr_fn)(void *ctx, const char *name, const unsigned char addr[16],
			    uint32_t ttl);

/*
 * Calls @fn for every A and AAAA record (class IN) of the answer section of
 * the message @msg[0..len) whose owner is the question name or reached from
 * it through CNAMEs (in any order), under the question name, with the smallest
 * TTL along the way (a TTL with its top bit set counts as 0, RFC 2181 8). Other
 * records are ignored. @tcp: @msg starts with the message's 2-byte length.
 *
 * Only a response (QR 1) to a standard query (opcode 0) with one question of
 * class IN is read. Returns the number of addresses reported (0 for a response
 * with an error RCODE, such as NXDOMAIN), or: -ENOMSG for another message,
 * -EINVAL for a malformed one, -ELOOP for a CNAME loop or a chain longer than
 * DNS_CHAIN_MAX, all without a call; -EMSGSIZE when the bytes end before the
 * answer section does, after the calls for the records complete before the cut.
 */
int dns__parse_answer(const unsigned char *msg, size_t len, bool tcp, dns_addr_fn fn, void *ctx);

/*
 * The name at offset @pos of the message @msg[0..len) (no length prefix) in
 * presentation form, lower-cased, without the final dot ("." for the root),
 * into @out of DNS_NAME_MAX bytes. Returns the offset after the name's bytes
 * at @pos, or -EINVAL, -EMSGSIZE as above. For tests and tools.
 */
int dns__name_text(const unsigned char *msg, size_t len, size_t pos, char out[DNS_NAME_MAX]);

#endif
