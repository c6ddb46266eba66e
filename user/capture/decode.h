/* SPDX-License-Identifier: MIT */
/*
 * From the kernel's record to strings: checks the record's lengths against
 * what arrived, joins the leaf-up path components, and builds the command
 * line. Also used for processes found in /proc at start (the snapshot).
 */
#ifndef RMMHUNT_DECODE_H
#define RMMHUNT_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "events.h"

#define CMDLINE_MAX (4 * ARGV_MAX) /* a decode__cmdline line: quoting can at most ~double argv */

/* One exec, decoded. Strings are NUL-terminated; argv is NUL-separated. */
struct exec_info {
	const struct exec_event *k; /* fixed fields; its data[] is not used */
	const char *filename;	    /* bprm->filename as passed */
	const char *exe;	    /* absolute path of the executable */
	const char *cwd;
	const char *cgroup; /* cgroup v2 path, "/" at the root */
	const char *argv;
	size_t argv_size; /* bytes of argv, its NULs included */
	bool from_snapshot;
	/* storage for the joined paths */
	char exe_buf[PATH_MAX_BYTES + 2];
	char cwd_buf[PATH_MAX_BYTES + 2];
	char cgroup_buf[PATH_MAX_BYTES + 2];
	char filename_buf[PATH_MAX_BYTES + 1];
};

/* Returns 0, or -EINVAL when the record's lengths do not add up to @size. */
int decode__exec(const struct exec_event *e, size_t size, struct exec_info *out);

/*
 * Checks a network record as it arrived: 0, or -EINVAL when @size is short
 * of the header, the kind is unknown, or data_len is over NET_DATA_MAX (a DNS
 * answer's over NET_DNS_TCP_MAX) or over what arrived. The record is then
 * safe to read as is.
 */
int decode__net(const struct net_event *e, size_t size);

/* A record made by decode__dns_skb: the header and up to NET_DNS_TCP_MAX bytes of data. */
#define DECODE_DNS_SKB_MAX (NET_EVENT_HDR_SIZE + NET_DNS_TCP_MAX)

/* Room for one: @k, its data[] running on past NET_DATA_MAX. */
union decode_dns_record {
	struct net_event k;
	unsigned char bytes[DECODE_DNS_SKB_MAX];
};

/*
 * A perf sample of net_dns.bpf.c (struct net_dns_skb, then the packet) as
 * the NET_DNS_ANSWER record the network ring would carry, its data the TCP
 * payload, into @out of DECODE_DNS_SKB_MAX bytes (data[] past NET_DATA_MAX:
 * read it through the pointer). Returns the record's size, or -EINVAL when
 * the sample's lengths do not add up to @size.
 */
int decode__dns_skb(const void *sample, size_t size, struct net_event *out);

/*
 * Joins components given leaf first ("ls\0bin\0usr\0") into "/usr/bin/ls".
 * No components give "/". Returns the length, or -ENAMETOOLONG (out is then
 * cut at a component boundary and still a valid path).
 */
int decode__join_path(const char *comps, size_t len, char *out, size_t size);

/*
 * Writes argv (NUL-separated, @len bytes) as one command line: arguments
 * separated by spaces, and an argument that is empty or holds white space or
 * '"' quoted by the rules of CommandLineToArgvW, so the line splits back into
 * exactly the same argv. Returns the length written (out is always
 * NUL-terminated; a line longer than @size - 1 is cut).
 */
size_t decode__cmdline(const char *argv, size_t len, char *out, size_t size);

#endif
