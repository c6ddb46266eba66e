// SPDX-License-Identifier: MIT
/* Kernel network records to DeviceNetworkEvents records: see net.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "capture/decode.h"
#include "network/addr.h"
#include "network/dns.h"
#include "network/hostname.h"
#include "network/http.h"
#include "network/iptype.h"
#include "network/names.h"
#include "network/tls.h"
#include "pipeline/lineage.h"
#include "pipeline/net.h"

/* A connect that succeeded, waiting for its first bytes: the kernel's record without data. */
struct held_conn {
	struct net_event k;
	int64_t due_us;
};

/*
 * First bytes that came before their connect's record (a non-blocking
 * connect that writes at once can win the race to the ring): the host name
 * they gave, for that record when it comes.
 */
#define EARLY_MAX 64

struct early_bytes {
	uint64_t sock_id; /* 0: free */
	int64_t due_us;
	struct net_event sender;     /* the process that sent them: its header fields only */
	char host[HOSTNAME_MAX + 1]; /* "" when the bytes named none */
};

/* A record waiting for its process's identity to settle, with its own host name, if any. */
struct settling {
	struct net_event k; /* header only */
	int64_t due_us;
	bool has_host;
	char host[HOSTNAME_MAX + 1];
};

struct net {
	struct lineage *lineage;
	const char *device_id, *device_name;
	struct net_ops ops;
	struct names *names;
	struct held_conn *held;
	size_t nheld;
	struct settling *settling;
	size_t nsettling;
	struct early_bytes early[EARLY_MAX];
	unsigned int early_next; /* the slot the next early bytes take */
	struct event rec;
	struct net_stats stats;
};

static const char *const action_types[] = {
    [NET_CONNECT_SUCCESS] = "ConnectionSuccess",
    [NET_CONNECT_FAILED] = "ConnectionFailed",
    [NET_INBOUND_ACCEPTED] = "InboundConnectionAccepted",
    [NET_LISTEN] = "ListeningConnectionCreated",
    [NET_UDP_REQUEST] = "ConnectionRequest",
};

struct net *net__new(struct lineage *l, const char *device_id, const char *device_name,
		     const struct net_ops *ops)
{
	struct net *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->lineage = l;
	n->device_id = device_id;
	n->device_name = device_name;
	n->ops = *ops;
	n->names = names__new(NET_NAMES);
	n->held = calloc(NET_HELD_MAX, sizeof(*n->held));
	n->settling = calloc(NET_SETTLE_MAX, sizeof(*n->settling));
	event__init(&n->rec);
	if (!n->names || !n->held || !n->settling) {
		net__free(n);
		return NULL;
	}
	return n;
}

void net__free(struct net *n)
{
	if (!n)
		return;
	names__free(n->names);
	free(n->held);
	free(n->settling);
	event__free(&n->rec);
	free(n);
}

static bool addr_known(const unsigned char a[16])
{
	static const unsigned char zero[16];

	return memcmp(a, zero, 16) != 0;
}

static void set_addr(struct event *e, int ip, int type, int port, const unsigned char a[16],
		     unsigned short portno)
{
	char text[ADDR_STR_MAX];

	if (addr_known(a) && !addr__format(a, text, sizeof(text))) {
		event__set_str(e, ip, text);
		event__set_str(e, type, iptype__of(a));
	}
	if (portno)
		event__set_long(e, port, portno);
}

/* The errno a failed connect ended with, by its name: what a SOC searches for. */
static const char *connect_error(unsigned int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "ECONNREFUSED";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	case EHOSTUNREACH:
		return "EHOSTUNREACH";
	case ENETUNREACH:
		return "ENETUNREACH";
	case ECONNRESET:
		return "ECONNRESET";
	case ECONNABORTED:
		return "ECONNABORTED";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	default:
		return NULL;
	}
}

/* The record's column for each kept one of its process (lineage.h). */
static const int net_cols[PROC_COL__COUNT] = {
    [PROC_FILE_NAME] = NET_INITIATING_PROCESS_FILE_NAME,
    [PROC_FOLDER_PATH] = NET_INITIATING_PROCESS_FOLDER_PATH,
    [PROC_CMDLINE] = NET_INITIATING_PROCESS_COMMAND_LINE,
    [PROC_ACCOUNT] = NET_INITIATING_PROCESS_ACCOUNT_NAME,
    [PROC_COMPANY] = NET_INITIATING_PROCESS_VERSION_INFO_COMPANY_NAME,
    [PROC_PRODUCT] = NET_INITIATING_PROCESS_VERSION_INFO_PRODUCT_NAME,
    [PROC_PRODUCT_VERSION] = NET_INITIATING_PROCESS_VERSION_INFO_PRODUCT_VERSION,
    [PROC_FILE_VERSION] = NET_INITIATING_PROCESS_VERSION_INFO_FILE_VERSION,
    [PROC_INTERNAL_NAME] = NET_INITIATING_PROCESS_VERSION_INFO_INTERNAL_FILE_NAME,
    [PROC_ORIGINAL_NAME] = NET_INITIATING_PROCESS_VERSION_INFO_ORIGINAL_FILE_NAME,
    [PROC_DESCRIPTION] = NET_INITIATING_PROCESS_VERSION_INFO_FILE_DESCRIPTION,
    [PROC_SHA1] = NET_INITIATING_PROCESS_SHA1,
    [PROC_SHA256] = NET_INITIATING_PROCESS_SHA256,
    [PROC_CREATOR_NAME] = NET_INITIATING_PROCESS_PARENT_FILE_NAME,
    [PROC_CONTAINER_ID] = NET_CONTAINER_ID,
    [PROC_POD_UID] = NET_POD_UID,
};

/* What a fork that never exec'd shares with the process whose program it runs: the file's. */
static const bool file_col[PROC_COL__COUNT] = {
    [PROC_FILE_NAME] = true,	 [PROC_FOLDER_PATH] = true,	[PROC_COMPANY] = true,
    [PROC_PRODUCT] = true,	 [PROC_PRODUCT_VERSION] = true, [PROC_FILE_VERSION] = true,
    [PROC_INTERNAL_NAME] = true, [PROC_ORIGINAL_NAME] = true,	[PROC_DESCRIPTION] = true,
    [PROC_SHA1] = true,		 [PROC_SHA256] = true,
};

/*
 * The process by its exec record, if lineage still has the one it runs: a
 * record of a different executable is another image of the same tgid (its
 * later exec was not seen), and naming it would be wrong. A fork that never
 * exec'd is named by the file of the process whose program it runs; its own
 * command line, account, start and parent may differ from that one's, so
 * they stay unknown.
 */
static void set_process(struct net *n, struct event *e, const struct net_event *k)
{
	const struct proc_record *r;
	bool fork = false;

	if (!k->tgid)
		return;
	event__set_long(e, NET_INITIATING_PROCESS_ID, k->tgid);
	r = lineage__get(n->lineage, k->tgid);
	if (r && k->exe_ino && r->exe_ino && k->exe_ino != r->exe_ino)
		r = NULL;
	if (!r && k->image_tgid) {
		r = lineage__get(n->lineage, k->image_tgid);
		fork = true;
		/* the very file, or nothing */
		if (r && (!k->exe_ino || k->exe_ino != r->exe_ino))
			r = NULL;
	}
	if (!r)
		return;
	for (int c = 0; c < PROC_COL__COUNT; c++)
		if (!fork || file_col[c])
			event__set_str(e, net_cols[c], r->col[c]);
	if (fork)
		return;
	if (r->creation_us)
		event__set_long(e, NET_INITIATING_PROCESS_CREATION_TIME, r->creation_us);
	if (r->creator)
		event__set_long(e, NET_INITIATING_PROCESS_PARENT_ID, r->creator);
}

/* Only a connection this host opens is named by the answers its programs got. */
static const char *dns_name(struct net *n, const struct net_event *k)
{
	const char *name;

	if (k->kind != NET_CONNECT_SUCCESS && k->kind != NET_CONNECT_FAILED &&
	    k->kind != NET_UDP_REQUEST)
		return NULL;
	name = names__get(n->names, k->netns, k->remote_addr, clock__now_us());
	if (name)
		n->stats.url_from_dns++;
	return name;
}

/* @k's header fields, without its data: what is kept of a record past its handling. */
static void copy_header(struct net_event *dst, const struct net_event *k)
{
	memcpy(dst, k, NET_EVENT_HDR_SIZE);
	dst->data_len = 0;
}

/* Builds the record of @k, @url its RemoteUrl if it has its own, and hands it on. */
static void emit(struct net *n, const struct net_event *k, const char *url)
{
	struct event *e = &n->rec;

	event__reset_table(e, TABLE_NETWORK);
	event__set_long(e, NET_TIMESTAMP, clock__boot_ns_to_wall_us(k->boot_ns));
	event__set_str(e, NET_DEVICE_ID, n->device_id);
	event__set_str(e, NET_DEVICE_NAME, n->device_name);
	event__set_long(e, NET_REPORT_ID, n->ops.report_id(n->ops.ctx));
	event__set_str(e, NET_ACTION_TYPE, action_types[k->kind]);
	event__set_str(e, NET_PROTOCOL, k->protocol == IPPROTO_UDP ? "Udp" : "Tcp");
	set_addr(e, NET_LOCAL_IP, NET_LOCAL_IP_TYPE, NET_LOCAL_PORT, k->local_addr, k->local_port);
	set_addr(e, NET_REMOTE_IP, NET_REMOTE_IP_TYPE, NET_REMOTE_PORT, k->remote_addr,
		 k->remote_port);
	event__set_str(e, NET_REMOTE_URL, url ?: dns_name(n, k));
	if (k->netns)
		event__set_long(e, NET_NET_NAMESPACE, k->netns);
	if (k->kind == NET_CONNECT_FAILED)
		event__set_str(e, NET_CONNECTION_ERROR, connect_error(k->err));
	set_process(n, e, k);
	n->stats.connections++;
	n->ops.finish(n->ops.ctx, e);
}

static bool settling(struct net *n, uint32_t tgid)
{
	return tgid && n->ops.settling && n->ops.settling(n->ops.ctx, tgid);
}

/* The record of @k, now, or once its process's identity has settled. */
static void report(struct net *n, const struct net_event *k, const char *url)
{
	struct settling *w;

	if (!settling(n, k->tgid)) {
		emit(n, k, url);
		return;
	}
	if (n->nsettling == NET_SETTLE_MAX) {
		n->stats.held_overflow++;
		emit(n, k, url);
		return;
	}
	w = &n->settling[n->nsettling++];
	copy_header(&w->k, k);
	w->due_us = clock__now_us() + NET_SETTLE_MS * 1000;
	w->has_host = url != NULL;
	snprintf(w->host, sizeof(w->host), "%s", url ?: "");
}

/* Emits the settling records whose process has settled, or all at once (@all): ms to the next due.
 */
static int64_t release_settled(struct net *n, int64_t now, bool all)
{
	int64_t next = -1;

	for (size_t i = 0; i < n->nsettling;) {
		struct settling w = n->settling[i];

		if (all || w.due_us <= now || !settling(n, w.k.tgid)) {
			n->settling[i] = n->settling[--n->nsettling];
			emit(n, &w.k, w.has_host ? w.host : NULL);
			continue;
		}
		if (next < 0 || w.due_us < next)
			next = w.due_us;
		i++;
	}
	return next;
}

static void put_name(void *ctx, const char *name, const unsigned char addr[16], uint32_t ttl)
{
	const struct net_event *k = ((void **)ctx)[1];
	struct net *n = ((void **)ctx)[0];

	names__put(n->names, k->netns, addr, name, ttl, clock__now_us());
}

static void read_dns(struct net *n, const struct net_event *k)
{
	const void *ctx[2] = {n, k};
	int ret = dns__parse_answer(k->data, k->data_len, k->protocol == IPPROTO_TCP, put_name,
				    (void *)ctx);

	/* a query sent from port 53 (a server asking upstream) is no answer, nor malformed */
	if (ret == -ENOMSG)
		return;
	n->stats.dns_answers++;
	if (ret == -EMSGSIZE || (k->flags & NET_F_DATA_CUT))
		n->stats.dns_cut++;
	else if (ret < 0)
		n->stats.dns_bad++;
}

static void drop_held(struct net *n, size_t i)
{
	n->held[i] = n->held[--n->nheld];
}

/* The connection's own host name in its first bytes: a ClientHello's SNI, an HTTP Host. */
static const char *own_name(struct net *n, const struct net_event *k, char *host, size_t size)
{
	if (!tls__client_hello_sni(k->data, k->data_len, host, size)) {
		n->stats.url_from_tls++;
		return host;
	}
	if (!http__request_host(k->data, k->data_len, host, size)) {
		n->stats.url_from_http++;
		return host;
	}
	return NULL;
}

/*
 * Wine's server makes the connects Windows programs ask for (their sockets
 * are its objects), and the program sends on the socket itself: the process
 * that sent the first bytes is then the one that made the connection.
 */
static void name_sender(struct net *n, struct net_event *conn, const struct net_event *bytes)
{
	const struct proc_record *r = lineage__get(n->lineage, conn->tgid);
	const char *name = r ? r->col[PROC_FILE_NAME] : NULL;

	if (!bytes->tgid || bytes->tgid == conn->tgid || !name ||
	    strncmp(name, WINE_SERVER_NAME, WINE_SERVER_NAME_LEN))
		return;
	conn->tgid = bytes->tgid;
	conn->pid = bytes->pid;
	conn->exe_ino = bytes->exe_ino;
	conn->image_tgid = bytes->image_tgid;
	conn->cgroup_id = bytes->cgroup_id;
	n->stats.wine_connects++;
}

static void read_first_bytes(struct net *n, const struct net_event *k)
{
	char host[HOSTNAME_MAX + 1];
	struct early_bytes *b;
	const char *url;

	if (!k->sock_id)
		return;
	for (size_t i = 0; i < n->nheld; i++) {
		if (n->held[i].k.sock_id != k->sock_id)
			continue;
		url = own_name(n, k, host, sizeof(host));
		name_sender(n, &n->held[i].k, k);
		report(n, &n->held[i].k, url);
		drop_held(n, i);
		return;
	}
	/* before its connect's record, maybe: kept for it a while, the oldest overwritten */
	b = &n->early[n->early_next++ % EARLY_MAX];
	url = own_name(n, k, host, sizeof(host));
	b->sock_id = k->sock_id;
	b->due_us = clock__now_us() + NET_HOLD_MS * 1000;
	copy_header(&b->sender, k);
	snprintf(b->host, sizeof(b->host), "%s", url ?: "");
}

/* The early bytes of connection @sock_id, taken: the sender, with @host filled (maybe ""). */
static const struct net_event *take_early(struct net *n, uint64_t sock_id, char *host, size_t size)
{
	int64_t now = clock__now_us();

	for (int i = 0; sock_id && i < EARLY_MAX; i++) {
		struct early_bytes *b = &n->early[i];

		if (b->sock_id != sock_id)
			continue;
		b->sock_id = 0;
		if (b->due_us < now)
			return NULL;
		snprintf(host, size, "%s", b->host);
		return &b->sender;
	}
	return NULL;
}

static void hold(struct net *n, const struct net_event *k)
{
	char host[HOSTNAME_MAX + 1];
	const struct net_event *sender;
	struct held_conn *h;

	sender = take_early(n, k->sock_id, host, sizeof(host));
	if (sender) {
		struct net_event conn;

		copy_header(&conn, k);
		name_sender(n, &conn, sender);
		report(n, &conn, host[0] ? host : NULL);
		return;
	}
	if (n->nheld == NET_HELD_MAX) {
		n->stats.held_overflow++;
		report(n, k, NULL);
		return;
	}
	h = &n->held[n->nheld++];
	copy_header(&h->k, k);
	h->due_us = clock__now_us() + NET_HOLD_MS * 1000;
}

int net__record(struct net *n, const struct net_event *k, size_t size)
{
	if (decode__net(k, size)) {
		n->stats.bad_records++;
		return -EINVAL;
	}
	n->stats.records++;
	switch (k->kind) {
	case NET_DNS_ANSWER:
		read_dns(n, k);
		break;
	case NET_FIRST_BYTES:
		read_first_bytes(n, k);
		break;
	case NET_CONNECT_SUCCESS:
		hold(n, k);
		break;
	default:
		report(n, k, NULL);
	}
	return 0;
}

int net__tick(struct net *n)
{
	int64_t now = clock__now_us(), next;

	for (size_t i = 0; i < n->nheld;) {
		if (n->held[i].due_us <= now) {
			struct net_event k = n->held[i].k;

			drop_held(n, i);
			report(n, &k, NULL);
			continue;
		}
		i++;
	}
	/* after the held connects: one due now may have joined these */
	next = release_settled(n, now, false);
	for (size_t i = 0; i < n->nheld; i++)
		if (next < 0 || n->held[i].due_us < next)
			next = n->held[i].due_us;
	return next < 0 ? -1 : (int)((next - now + 999) / 1000);
}

void net__flush(struct net *n)
{
	while (n->nheld) {
		struct net_event k = n->held[0].k;

		drop_held(n, 0);
		report(n, &k, NULL);
	}
	release_settled(n, clock__now_us(), true);
}

void net__stats(const struct net *n, struct net_stats *out)
{
	*out = n->stats;
}
