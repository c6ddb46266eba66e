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
#define NFDS	  (3 + LOADER_NLINKS)

/* What the child sends back, with the fds (SCM_RIGHTS) when err is 0. */
struct loader_reply {
	int err;
	bool raw_tp;
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

/* In the child: load and attach, filling @h with the skeleton's fds (still its own). */
static int load(struct rmmhunt_bpf **skelp, const char *btf_path, size_t ringbuf_size,
		struct bpf_handles *h)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = btf_path);
	struct rmmhunt_bpf *skel;
	bool raw_tp = !has_btf_tracepoint(btf_path);
	char msg[128];
	int err;

	*skelp = skel = rmmhunt_bpf__open_opts(&open_opts);
	if (!skel) {
		err = -errno;
		pr_err("failed to open the BPF object: %s", strerror(-err));
		return err;
	}
	bpf_map__set_max_entries(skel->maps.events, ringbuf_size);
	bpf_map__set_max_entries(skel->maps.scratch, libbpf_num_possible_cpus());
	bpf_program__set_autoload(skel->progs.exec_btf, !raw_tp);
	bpf_program__set_autoload(skel->progs.fork_btf, !raw_tp);
	bpf_program__set_autoload(skel->progs.exit_btf, !raw_tp);
	bpf_program__set_autoload(skel->progs.exec_raw, raw_tp);
	bpf_program__set_autoload(skel->progs.fork_raw, raw_tp);
	bpf_program__set_autoload(skel->progs.exit_raw, raw_tp);

	err = rmmhunt_bpf__load(skel);
	if (err) {
		/* libbpf's own codes (a BTF it cannot parse, say) need its strerror */
		libbpf_strerror(err, msg, sizeof(msg));
		if (btf_path)
			pr_err("failed to load the BPF programs with the BTF in %s: %s (run with "
			       "-v for libbpf's log)",
			       btf_path, msg);
		else
			pr_err("failed to load the BPF programs: %s (run with -v for the verifier "
			       "log)",
			       msg);
		return err;
	}
	err = rmmhunt_bpf__attach(skel);
	if (err) {
		libbpf_strerror(err, msg, sizeof(msg));
		pr_err("failed to attach to sched_process_exec, _fork and _exit: %s", msg);
		return err;
	}
	h->events_fd = bpf_map__fd(skel->maps.events);
	h->counters_fd = bpf_map__fd(skel->maps.counters);
	h->unmatchable_fd = bpf_map__fd(skel->maps.unmatchable);
	h->link_fd[0] = bpf_link__fd(raw_tp ? skel->links.exec_raw : skel->links.exec_btf);
	h->link_fd[1] = bpf_link__fd(raw_tp ? skel->links.fork_raw : skel->links.fork_btf);
	h->link_fd[2] = bpf_link__fd(raw_tp ? skel->links.exit_raw : skel->links.exit_btf);
	h->raw_tp = raw_tp;
	return 0;
}

static void handles_to_array(const struct bpf_handles *h, int fds[NFDS])
{
	fds[0] = h->events_fd;
	fds[1] = h->counters_fd;
	fds[2] = h->unmatchable_fd;
	memcpy(fds + 3, h->link_fd, sizeof(h->link_fd));
}

static void handles_from_array(struct bpf_handles *h, const int fds[NFDS])
{
	h->events_fd = fds[0];
	h->counters_fd = fds[1];
	h->unmatchable_fd = fds[2];
	memcpy(h->link_fd, fds + 3, sizeof(h->link_fd));
}

static void handles_init(struct bpf_handles *h)
{
	int fds[NFDS];

	for (int i = 0; i < NFDS; i++)
		fds[i] = -1;
	handles_from_array(h, fds);
	h->raw_tp = false;
}

static __attribute__((noreturn)) void child_main(int sock, pid_t parent, const char *btf_path,
						 size_t ringbuf_size)
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
	reply.err = load(&skel, btf_path, ringbuf_size, &h);
	reply.raw_tp = h.raw_tp;
	if (!reply.err) {
		struct cmsghdr *cm;

		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(NFDS * sizeof(int));
		handles_to_array(&h, (int *)CMSG_DATA(cm));
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
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(NFDS * sizeof(int)))
		handles_from_array(h, (const int *)CMSG_DATA(cm));
	if (n != sizeof(reply))
		return -EPIPE; /* the child died before it could say */
	h->raw_tp = reply.raw_tp;
	if (!reply.err && h->events_fd < 0)
		return -EPROTO;
	return reply.err;
}

int loader__load(const char *btf_path, size_t ringbuf_size, struct bpf_handles *h)
{
	pid_t parent = getpid(), pid;
	int sock[2], err, status = 0;

	handles_init(h);
	libbpf_set_print(libbpf_print);
	err = check_privileges();
	if (err)
		return err;
	err = check_kernel(btf_path);
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
		child_main(sock[1], parent, btf_path, ringbuf_size);
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
	int fds[NFDS];

	handles_to_array(h, fds);
	for (int i = 0; i < NFDS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	handles_init(h);
}
