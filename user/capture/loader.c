// SPDX-License-Identifier: MIT
/* Loading the kernel side in a child: see loader.h. */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "base/log.h"
#include "capture/loader.h"
#include "rmmhunt.skel.h"

#define SYSFS_BTF "/sys/kernel/btf/vmlinux"
#define NFDS	  (4 + LOADER_NLINKS)

/* What the child sends back, with the fds (SCM_RIGHTS) when err is 0. */
struct loader_reply {
	int err;
	bool raw_tp;
	bool network;
	unsigned fd_mask; /* which of the handles' fds came, in order (see handles_to_array) */
	int nfds;
	char net_off[sizeof(((struct bpf_handles *)0)->net_off)];
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN && !log__enabled(LOG_DEBUG))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* Root, or CAP_BPF + CAP_PERFMON (5.8+), or CAP_SYS_ADMIN (older kernels). */
static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (has_cap(data, CAP_SYS_ADMIN) || (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)))
		return 0;
	pr_err("not enough privileges: rmmhunt needs root, or CAP_BPF and CAP_PERFMON "
	       "(plus CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH to read other processes); "
	       "run it with sudo or as the packaged service");
	return -EPERM;
}

static int check_kernel(const char *btf_path)
{
	const char *btf = btf_path ? btf_path : SYSFS_BTF;
	struct utsname u = {};

	uname(&u);
	if (access(btf, R_OK)) {
		if (btf_path)
			pr_err("cannot read BTF file %s: %s", btf, strerror(errno));
		else
			pr_err("kernel %s has no BTF (%s is missing): rmmhunt needs a kernel "
			       "built with CONFIG_DEBUG_INFO_BTF=y (Linux 5.8 or newer; every "
			       "current distribution kernel has it), or a BTF file for this "
			       "kernel given with --btf PATH",
			       u.release, SYSFS_BTF);
		return -ENOENT;
	}
	errno = 0;
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) <= 0) {
		/* a container's default seccomp profile, or no CAP_BPF: not the kernel */
		if (errno == EPERM) {
			pr_err("bpf(2) is not permitted: rmmhunt needs CAP_BPF and CAP_PERFMON "
			       "(or CAP_SYS_ADMIN) and a seccomp profile that allows bpf(2)");
			return -EPERM;
		}
		pr_err("kernel %s does not support BPF ring buffers: rmmhunt needs Linux 5.8 "
		       "or newer",
		       u.release);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* tp_btf needs the tracepoint's BTF type (5.5+); raw_tp works without it. */
static bool has_btf_tracepoint(const char *btf_path)
{
	struct btf *btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	bool ok;

	if (!btf)
		return false;
	ok = btf__find_by_name_kind(btf, "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	return ok;
}

/* Only the open fds travel: which ones is in the reply's mask. */
static int handles_to_array(const struct bpf_handles *h, int fds[NFDS], unsigned *mask)
{
	int all[NFDS], n = 0;

	all[0] = h->events_fd;
	all[1] = h->counters_fd;
	all[2] = h->unmatchable_fd;
	all[3] = h->net_events_fd;
	memcpy(all + 4, h->link_fd, sizeof(h->link_fd));
	*mask = 0;
	for (int i = 0; i < NFDS; i++) {
		if (all[i] < 0)
			continue;
		*mask |= 1u << i;
		fds[n++] = all[i];
	}
	return n;
}

static void handles_from_array(struct bpf_handles *h, const int *fds, int n, unsigned mask)
{
	int all[NFDS], k = 0;

	for (int i = 0; i < NFDS; i++)
		all[i] = (mask & (1u << i)) && k < n ? fds[k++] : -1;
	h->events_fd = all[0];
	h->counters_fd = all[1];
	h->unmatchable_fd = all[2];
	h->net_events_fd = all[3];
	memcpy(h->link_fd, all + 4, sizeof(h->link_fd));
}

static void handles_init(struct bpf_handles *h)
{
	handles_from_array(h, NULL, 0, 0);
	h->raw_tp = false;
	h->network = false;
}

/* The network programs, in link order from LOADER_NET_LINK0. */
static struct bpf_program *net_prog(struct rmmhunt_bpf *skel, int i)
{
	struct bpf_program *progs[LOADER_NLINKS - LOADER_NET_LINK0] = {
	    skel->progs.net_tcp_state,
	    skel->progs.net_send_enter,
	    skel->progs.net_send_exit,
	    skel->progs.net_dns,
	};

	return progs[i];
}

static struct bpf_link *net_link(struct rmmhunt_bpf *skel, int i)
{
	struct bpf_link *links[LOADER_NLINKS - LOADER_NET_LINK0] = {
	    skel->links.net_tcp_state,
	    skel->links.net_send_enter,
	    skel->links.net_send_exit,
	    skel->links.net_dns,
	};

	return links[i];
}

static int fill_exclude(struct rmmhunt_bpf *skel, const struct loader_opts *o)
{
	int fd = bpf_map__fd(skel->maps.net_exclude);
	__u8 one = 1;

	for (size_t i = 0; i < o->nnet_exclude; i++)
		if (bpf_map_update_elem(fd, &o->net_exclude[i], &one, BPF_ANY))
			return -errno;
	return 0;
}

/*
 * In the child: load and attach, with or without the network programs,
 * filling @h with the skeleton's fds (still its own). @what says which step
 * failed, for the caller's message.
 */
static int load(struct rmmhunt_bpf **skelp, const struct loader_opts *o, bool network,
		struct bpf_handles *h, const char **what)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf_path);
	struct rmmhunt_bpf *skel;
	bool raw_tp = !has_btf_tracepoint(o->btf_path);
	int err;

	*what = "open";
	*skelp = skel = rmmhunt_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	bpf_map__set_max_entries(skel->maps.events, o->ringbuf_size);
	/* a network ring nobody writes to: the smallest there is */
	bpf_map__set_max_entries(skel->maps.net_events, network ? o->net_ringbuf_size : 4096);
	bpf_map__set_max_entries(skel->maps.scratch, libbpf_num_possible_cpus());
	bpf_program__set_autoload(skel->progs.exec_btf, !raw_tp);
	bpf_program__set_autoload(skel->progs.fork_btf, !raw_tp);
	bpf_program__set_autoload(skel->progs.exit_btf, !raw_tp);
	bpf_program__set_autoload(skel->progs.exec_raw, raw_tp);
	bpf_program__set_autoload(skel->progs.fork_raw, raw_tp);
	bpf_program__set_autoload(skel->progs.exit_raw, raw_tp);
	for (int i = 0; i < LOADER_NLINKS - LOADER_NET_LINK0; i++)
		bpf_program__set_autoload(net_prog(skel, i), network);

	*what = "load";
	err = rmmhunt_bpf__load(skel);
	if (err)
		return err;
	/* before any program runs: no excluded connection is ever sent */
	*what = "fill --net-exclude";
	if (network && (err = fill_exclude(skel, o)))
		return err;
	*what = "attach";
	err = rmmhunt_bpf__attach(skel);
	if (err)
		return err;
	h->events_fd = bpf_map__fd(skel->maps.events);
	h->counters_fd = bpf_map__fd(skel->maps.counters);
	h->unmatchable_fd = bpf_map__fd(skel->maps.unmatchable);
	h->link_fd[0] = bpf_link__fd(raw_tp ? skel->links.exec_raw : skel->links.exec_btf);
	h->link_fd[1] = bpf_link__fd(raw_tp ? skel->links.fork_raw : skel->links.fork_btf);
	h->link_fd[2] = bpf_link__fd(raw_tp ? skel->links.exit_raw : skel->links.exit_btf);
	if (network) {
		h->net_events_fd = bpf_map__fd(skel->maps.net_events);
		for (int i = 0; i < LOADER_NLINKS - LOADER_NET_LINK0; i++)
			h->link_fd[LOADER_NET_LINK0 + i] = bpf_link__fd(net_link(skel, i));
	}
	h->raw_tp = raw_tp;
	h->network = network;
	return 0;
}

/* The exec programs failed: say why, as clearly as the step allows. */
static void report_failure(const struct loader_opts *o, const char *what, int err)
{
	char msg[128];

	/* libbpf's own codes (a BTF it cannot parse, say) need its strerror */
	libbpf_strerror(err, msg, sizeof(msg));
	if (!strcmp(what, "open"))
		pr_err("failed to open the BPF object: %s", msg);
	else if (!strcmp(what, "attach"))
		pr_err("failed to attach to sched_process_exec, _fork and _exit: %s", msg);
	else if (o->btf_path)
		pr_err("failed to load the BPF programs with the BTF in %s: %s (run with "
		       "-v for libbpf's log)",
		       o->btf_path, msg);
	else
		pr_err("failed to load the BPF programs: %s (run with -v for the verifier "
		       "log)",
		       msg);
}

/*
 * The network programs first; if any fails on this kernel, the exec ones
 * again without them: exec capture never depends on the network hooks.
 */
static int load_all(struct rmmhunt_bpf **skelp, const struct loader_opts *o, struct bpf_handles *h)
{
	const char *what;
	char msg[100];
	int err;

	if (!o->network) {
		snprintf(h->net_off, sizeof(h->net_off), "--no-network");
	} else {
		err = load(skelp, o, true, h, &what);
		if (!err)
			return 0;
		libbpf_strerror(err, msg, sizeof(msg));
		snprintf(h->net_off, sizeof(h->net_off), "the network programs failed to %s: %s",
			 what, msg);
		rmmhunt_bpf__destroy(*skelp);
		*skelp = NULL;
		handles_init(h);
	}
	err = load(skelp, o, false, h, &what);
	if (err) {
		report_failure(o, what, err);
		return err;
	}
	if (o->network)
		pr_warn("network capture is off: %s (run with -v for libbpf's log); execs are "
			"captured",
			h->net_off);
	return 0;
}

static __attribute__((noreturn)) void child_main(int sock, pid_t parent,
						 const struct loader_opts *o)
{
	union {
		char buf[CMSG_SPACE(NFDS * sizeof(int))];
		struct cmsghdr align;
	} ctl = {};
	struct loader_reply reply = {};
	struct iovec iov = {.iov_base = &reply, .iov_len = sizeof(reply)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct rmmhunt_bpf *skel = NULL;
	struct bpf_handles h;

	/* no orphan loader holding programs attached if the monitor is killed */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	handles_init(&h);
	h.net_off[0] = '\0';
	reply.err = load_all(&skel, o, &h);
	reply.raw_tp = h.raw_tp;
	reply.network = h.network;
	memcpy(reply.net_off, h.net_off, sizeof(reply.net_off));
	if (!reply.err) {
		struct cmsghdr *cm;
		int n;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		n = handles_to_array(&h, (int *)CMSG_DATA(cm), &reply.fd_mask);
		reply.nfds = n;
		msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	}
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		pr_err("failed to hand the BPF programs over: %s", strerror(errno));
	/* closes the child's fds only: the links stay while the monitor holds its copies */
	rmmhunt_bpf__destroy(skel);
	_exit(0);
}

/* In the parent: the child's reply and fds. */
static int receive(int sock, struct bpf_handles *h)
{
	union {
		char buf[CMSG_SPACE(NFDS * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct loader_reply reply;
	struct iovec iov = {.iov_base = &reply, .iov_len = sizeof(reply)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		handles_from_array(h, (const int *)CMSG_DATA(cm),
				   (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int),
				   n == sizeof(reply) ? reply.fd_mask : ~0u);
	if (n != sizeof(reply))
		return -EPIPE; /* the child died before it could say */
	h->raw_tp = reply.raw_tp;
	h->network = reply.network;
	memcpy(h->net_off, reply.net_off, sizeof(h->net_off));
	h->net_off[sizeof(h->net_off) - 1] = '\0';
	if (!reply.err && h->events_fd < 0)
		return -EPROTO;
	return reply.err;
}

int loader__load(const struct loader_opts *o, struct bpf_handles *h)
{
	pid_t parent = getpid(), pid;
	int sock[2], err, status = 0;

	handles_init(h);
	h->net_off[0] = '\0';
	libbpf_set_print(libbpf_print);
	err = check_privileges();
	if (err)
		return err;
	err = check_kernel(o->btf_path);
	if (err)
		return err;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(sock[0]);
		close(sock[1]);
		return err;
	}
	if (pid == 0) {
		close(sock[0]);
		child_main(sock[1], parent, o);
	}
	close(sock[1]);
	err = receive(sock[0], h);
	close(sock[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (err == -EPIPE)
		pr_err("the BPF loader (pid %d) died before handing the programs over: %s", pid,
		       WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "no reply");
	else if (err == -EPROTO)
		pr_err("the BPF loader handed no programs over");
	if (err)
		loader__close(h);
	return err;
}

void loader__close(struct bpf_handles *h)
{
	unsigned mask;
	int fds[NFDS], n;

	n = handles_to_array(h, fds, &mask);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	handles_init(h);
}
