/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The whole contract between bpf/ and user/: what one exec looks like in the
 * ring buffer. Fixed fields first, then variable strings, argv last; only the
 * bytes used are sent (EXEC_EVENT_HDR_SIZE plus the strings). No vmlinux types here.
 */
#ifndef RMMHUNT_EVENTS_H
#define RMMHUNT_EVENTS_H

#define TASK_COMM_LEN  16
#define ARGV_MAX       32768 /* argv bytes captured; more sets EXEC_ARGV_TRUNCATED */
#define PATH_MAX_BYTES 4096  /* one path, components joined by user space */
#define PATH_MAX_DEPTH 48    /* components walked per path */
#define EXEC_DATA_MAX  (4 * PATH_MAX_BYTES + ARGV_MAX)

/* cgroup hierarchies (v2 and each v1) walked for exec_event.cgroups_key */
#define CGROUP_HIERARCHIES_MAX 24

/* exec_event.flags: user space reads every one (user/pipeline/) */
#define EXEC_ARGV_TRUNCATED   (1u << 0) /* argv was longer than ARGV_MAX: cut there */
#define EXEC_EXE_DELETED      (1u << 1) /* unlinked at exec (memfd files are too) */
#define EXEC_ARGV_UNREADABLE  (1u << 2) /* argv's pages could not be read: none sent */
#define EXEC_EXE_TRUNCATED    (1u << 3) /* the executable's path is deeper than walked */
#define EXEC_CGROUP_TRUNCATED (1u << 4) /* the cgroup path is deeper than walked */
#define EXEC_CWD_TRUNCATED    (1u << 5) /* the current directory is deeper than walked */

/*
 * Paths are sent as their components from the leaf up, each NUL-terminated
 * ("bash\0bin\0usr\0"); user space reverses them. A BPF program cannot build
 * a path front to back without a second pass, and this costs it nothing.
 * The root itself has no component: a path of none is "/".
 */
enum exec_str {
	EXEC_STR_FILENAME, /* bprm->filename as passed to execve (a plain string) */
	EXEC_STR_EXE,	   /* the executable's path (components) */
	EXEC_STR_CWD,	   /* the current directory (components) */
	EXEC_STR_CGROUP,   /* the cgroup v2 path (components) */
	EXEC_STR_ARGV,	   /* argv, NUL-separated, as in /proc/PID/cmdline */
	EXEC_STR__COUNT,
};

struct exec_event {
	unsigned long long boot_ns;	  /* bpf_ktime_get_boot_ns() at exec */
	unsigned long long start_boot_ns; /* task start, boot clock */
	unsigned long long cgroup_id;
	/*
	 * Every cgroup the process is in, v2 and v1, as one key (0: unknown):
	 * two processes with one key read the same /proc/PID/cgroup.
	 */
	unsigned long long cgroups_key;
	unsigned long long exe_ino;
	unsigned long long exe_ctime_ns;
	unsigned long long exe_size;
	/*
	 * The process's root directory at exec (task->fs->root): its inode and
	 * its mount's id (as in mountinfo); 0 when unknown. User space looks the
	 * executable's package up in that root, even if the process has since
	 * chroot'ed elsewhere. Not the device: two chroots on one file system
	 * differ, and user space learns both numbers of a directory it holds
	 * open without asking its file system, which may be hung.
	 */
	unsigned long long root_ino;
	unsigned int root_mnt_id;
	unsigned int exe_dev;
	unsigned int tgid;
	unsigned int pid;
	unsigned int ppid;	  /* real parent at exec time */
	unsigned int forker_tgid; /* the process that forked this one */
	unsigned int image_tgid;  /* its nearest ancestor that exec'd: whose program it ran */
	unsigned int uid, euid, gid;
	unsigned int loginuid;
	unsigned int sessionid;
	unsigned int pid_ns;
	unsigned int mnt_ns;
	unsigned int flags;
	unsigned int argv_len; /* original argv length in bytes */
	unsigned short str_len[EXEC_STR__COUNT];
	char comm[TASK_COMM_LEN];
	char forker_comm[TASK_COMM_LEN];
	char data[EXEC_DATA_MAX]; /* the strings, in enum exec_str order */
};

#define EXEC_EVENT_HDR_SIZE (sizeof(struct exec_event) - EXEC_DATA_MAX)

/*
 * Wake-up batching: within WAKEUP_BATCH_NS of the last wake-up an event wakes
 * no one; user space, having just been woken, polls again within
 * POLL_BUSY_MS while events keep coming, so none waits longer than that.
 */
#define WAKEUP_BATCH_NS 4000000ULL
#define POLL_BUSY_MS	4

/* Per-CPU counters in the "counters" array map. */
enum counter {
	CNT_EXECS,	     /* execs seen by the hook */
	CNT_LOST_RING_FULL,  /* events the ring buffer had no room for */
	CNT_LOST_NO_SCRATCH, /* no scratch slot to build the event in */
	CNT_LOST_TOO_LARGE,  /* the strings did not fit the record */
	CNT_FORKS,
	CNT_UNMATCHABLE,	/* execs of executables user space marked unmatchable */
	CNT_NET_EVENTS,		/* network records sent (struct net_event) */
	CNT_NET_LOST_RING_FULL, /* network records the network ring had no room for */
	CNT_NET_LOST_NO_ENTRY,	/* a connection or destination the socket maps had no room for */
	CNT_NET_EXCLUDED,	/* connections to a --net-exclude range, dropped on purpose */
	/* payloads longer than their record holds (NET_DATA_MAX, NET_DNS_TCP_MAX): cut */
	CNT_NET_DATA_CUT,
	CNT_NET_LOST_PERF, /* TCP DNS answers the perf buffer refused, for want of room aside */
	/* connects, listens and datagrams Wine's server made, named after the program that asked */
	CNT_NET_WINE_REQUESTS,
	CNT_COUNTER__COUNT,
};

/*
 * The network side (DeviceNetworkEvents): one record per connection event,
 * or a payload user space reads a RemoteUrl from. Its own ring buffer
 * ("net_events"), so a connection storm never costs an exec event its room.
 */
#define NET_DATA_MAX 512 /* payload bytes sent: a classic DNS message, a ClientHello's start */

enum net_kind {
	NET_CONNECT_SUCCESS,  /* TCP SYN_SENT -> ESTABLISHED */
	NET_CONNECT_FAILED,   /* TCP SYN_SENT -> CLOSE: refused, timed out, unreachable (err) */
	NET_INBOUND_ACCEPTED, /* TCP SYN_RECV -> ESTABLISHED: the listener's process */
	NET_LISTEN,	      /* TCP -> LISTEN */
	NET_UDP_REQUEST,      /* the first datagram a UDP socket sends to a destination */
	/*
	 * data: a DNS message from source port 53 (TCP: from its length; up to
	 * NET_DNS_TCP_MAX bytes when it came through the perf buffer)
	 */
	NET_DNS_ANSWER,
	NET_FIRST_BYTES, /* data: the first bytes a TCP connection sends (sock_id ties it) */
	NET_KIND__COUNT,
};

struct net_event {
	unsigned long long boot_ns; /* bpf_ktime_get_boot_ns() at the event */
	unsigned long long cgroup_id;
	unsigned long long sock_id; /* the connection, numbered by the kernel side; 0: none */
	unsigned long long exe_ino; /* the process's executable (mm->exe_file) inode; 0: unknown */
	unsigned int tgid, pid;	    /* 0: no process (a DNS answer, seen in softirq) */
	/* a process forked since the hooks attached that never exec'd: whose program it runs */
	unsigned int image_tgid;
	unsigned int netns;	 /* network namespace inode */
	unsigned int err;	 /* NET_CONNECT_FAILED: the socket's errno (sk_err), 0 if none */
	unsigned short kind;	 /* enum net_kind */
	unsigned short protocol; /* IPPROTO_TCP or IPPROTO_UDP */
	unsigned short local_port, remote_port; /* host byte order; 0: unknown */
	unsigned short data_len;		/* bytes of data[] sent */
	unsigned short flags;			/* NET_F_* */
	/* IPv4 as v4-mapped IPv6 (::ffff:a.b.c.d); all zero: unknown (an unbound UDP source) */
	unsigned char local_addr[16], remote_addr[16];
	char comm[TASK_COMM_LEN];
	unsigned char data[NET_DATA_MAX];
};

#define NET_F_IPV6     (1u << 0) /* an AF_INET6 socket (a v4-mapped address stays v4 for Defender) */
#define NET_F_DATA_CUT (1u << 1) /* the payload was longer than data_len: cut */

#define NET_EVENT_HDR_SIZE (sizeof(struct net_event) - NET_DATA_MAX)

/*
 * A DNS answer over TCP whose payload is in the skb's page fragments (where
 * every TCP segment on loopback or veth has it) is copied with its fragments
 * (bpf_skb_output) to the "net_dns_skb" perf buffer: this header, then the
 * packet from its IP header on, skb_len bytes. User space makes it the
 * NET_DNS_ANSWER record the ring would carry, data[] up to NET_DNS_TCP_MAX
 * bytes long. The bound: the 2-byte length and a 4094-byte message, the
 * EDNS buffer size resolvers long advertised (RFC 6891's example value), so
 * an answer that fell back to TCP because UDP cut it (RFC 7766) is read whole
 * up to that size; larger ones are cut and flagged.
 */
#define NET_DNS_TCP_MAX 4096

struct net_dns_skb {
	unsigned long long boot_ns;
	unsigned int netns;
	unsigned int skb_len;	   /* packet bytes after this header, from the IP header */
	unsigned int payload_off;  /* where the TCP payload starts in them */
	unsigned int payload_len;  /* the payload's length in the packet: more than sent = cut */
	unsigned short local_port; /* the asker's; the server's is DNS_PORT */
	unsigned short flags;	   /* NET_F_IPV6, NET_F_DATA_CUT */
	unsigned int pad;
	unsigned char local_addr[16], remote_addr[16]; /* asker, server; as in net_event */
};

/* --net-exclude: a key of the LPM trie "net_exclude" (IPv4 as v4-mapped, prefix + 96) */
struct net_prefix {
	unsigned int prefixlen;
	unsigned char addr[16];
};

/*
 * Wine's processes by their file's name, as both sides tell them: the
 * names start so (the rest of the name is free: wineserver64, wine-preloader).
 */
#define WINE_NAME	     "wine"
#define WINE_NAME_LEN	     (sizeof(WINE_NAME) - 1)
#define WINE_SERVER_NAME     "wineserver"
#define WINE_SERVER_NAME_LEN (sizeof(WINE_SERVER_NAME) - 1)

/* A process of Wine's, in the "wine_procs" map (bpf/wine_request.bpf.c) by tgid. */
enum wine_role {
	WINE_ROLE_SERVER = 1,
	WINE_ROLE_CLIENT = 2,
};

struct wine_proc {
	unsigned long long exe_ino; /* what it ran when it was added */
	unsigned int role;	    /* enum wine_role */
	unsigned int pad;
};

/*
 * An executable as the kernel knows it at exec: a changed file gets a new
 * ctime, so an unmatchable mark never outlives the bytes it was made on.
 */
struct exe_key {
	unsigned long long ino;
	unsigned long long ctime_ns;
	unsigned int dev;
	unsigned int pad;
};

#endif
