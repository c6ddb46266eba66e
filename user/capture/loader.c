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
#define NFDS	  (6 + LOADER_NLINKS)

/* What the child sends back, with the fds (SCM_RIGHTS) when err is 0. */
struct loader_reply {
	int err;
	bool raw_tp;
	bool network;
	unsigned fd_mask; /* which of the handles' fds came, in order (see handles_to_array) */
	int nfds;
	char net_off[sizeof(((struct bpf_handles *)0)->net_off)];
	char first_bytes[sizeof(((struct bpf_handles *)0)->first_bytes)];
	bool dns_frags;
	char dns_frags_off[sizeof(((struct bpf_handles *)0)->dns_frags_off)];
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

/* What the loader needs to know of the kernel's BTF. */
struct kernel_btf {
	/* tracepoints with BTF types: tp_btf needs them (5.5+), raw_tp does not */
	bool exec;		 /* sched_process_exec, and so every exec program's */
	bool tcp_sendmsg_locked; /* not in 6.1 */
	bool bpf_loop;		 /* the helper (5.17): net_udp, else net_udp_bounded */
	/* the per-CPU variables' offsets, -1 when not typed (5.10 types none) */
	long long runqueues, preempt_count; /* __preempt_count, or pcpu_hot's field */
	long long pcpu_hot_field;	    /* preempt_count's offset in struct pcpu_hot */
};

/* The offset of per-CPU variable @name in the per-CPU area, or -1. */
static long long percpu_offset(const struct btf *btf, const char *name)
{
	int sec = btf__find_by_name_kind(btf, ".data..percpu", BTF_KIND_DATASEC);
	const struct btf_var_secinfo *v;
	const struct btf_type *t;

	if (sec <= 0)
		return -1;
	t = btf__type_by_id(btf, sec);
	v = btf_var_secinfos(t);
	for (int i = 0; i < btf_vlen(t); i++, v++) {
		const struct btf_type *var = btf__type_by_id(btf, v->type);

		if (var && !strcmp(btf__name_by_offset(btf, var->name_off), name))
			return v->offset;
	}
	return -1;
}

/* The bit offset of @member in the struct or union @id, looked for in anonymous ones too, or -1. */
static long long member_bits(const struct btf *btf, int id, const char *member, int depth)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;

	if (!t || !(btf_is_struct(t) || btf_is_union(t)) || depth > 4)
		return -1;
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++, m++) {
		long long in;

		if (m->name_off) {
			if (!strcmp(btf__name_by_offset(btf, m->name_off), member))
				return btf_member_bit_offset(t, i);
			continue;
		}
		/* struct pcpu_hot's fields are in an anonymous struct in a union */
		in = member_bits(btf, btf__resolve_type(btf, m->type), member, depth + 1);
		if (in >= 0)
			return btf_member_bit_offset(t, i) + in;
	}
	return -1;
}

/* Does enum @name have a value named @value? */
static bool enum_has(const struct btf *btf, const char *name, const char *value)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_ENUM);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;

	if (!t)
		return false;
	e = btf_enum(t);
	for (int i = 0; i < btf_vlen(t); i++, e++)
		if (!strcmp(btf__name_by_offset(btf, e->name_off), value))
			return true;
	return false;
}

/* The byte offset of @member in struct @name, or -1. */
static long long member_offset(const struct btf *btf, const char *name, const char *member)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	long long bits = id > 0 ? member_bits(btf, id, member, 0) : -1;

	return bits < 0 ? -1 : bits / 8;
}

static void read_kernel_btf(const char *btf_path, struct kernel_btf *k)
{
	struct btf *btf = btf_path ? btf__parse(btf_path, NULL) : btf__load_vmlinux_btf();
	long long hot;

	*k = (struct kernel_btf){.runqueues = -1, .preempt_count = -1, .pcpu_hot_field = -1};
	if (!btf)
		return;
	k->exec = btf__find_by_name_kind(btf, "btf_trace_sched_process_exec", BTF_KIND_TYPEDEF) > 0;
	k->tcp_sendmsg_locked =
	    btf__find_by_name_kind(btf, "btf_trace_tcp_sendmsg_locked", BTF_KIND_TYPEDEF) > 0;
	k->bpf_loop = enum_has(btf, "bpf_func_id", "BPF_FUNC_loop");
	k->runqueues = percpu_offset(btf, "runqueues");
	k->pcpu_hot_field = member_offset(btf, "pcpu_hot", "preempt_count");
	k->preempt_count = percpu_offset(btf, "__preempt_count");
	if (k->preempt_count < 0 && k->pcpu_hot_field >= 0 &&
	    (hot = percpu_offset(btf, "pcpu_hot")) >= 0)
		k->preempt_count = hot + k->pcpu_hot_field;
	btf__free(btf);
}

/* The same per-CPU variables in kallsyms: 0 when not listed (or hidden: kptr_restrict). */
struct kernel_syms {
	unsigned long long runqueues, preempt_count, pcpu_hot;
};

/*
 * kallsyms lists variables only with CONFIG_KALLSYMS_ALL. The per-CPU ones
 * come first (from address 0 up): the scan ends once all three are found.
 */
static void read_kallsyms(struct kernel_syms *ks)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[256], name[128];
	unsigned long long addr;

	*ks = (struct kernel_syms){0};
	if (!f)
		return;
	while (!(ks->runqueues && (ks->preempt_count || ks->pcpu_hot)) &&
	       fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %*s %127s", &addr, name) != 2)
			continue;
		if (!strcmp(name, "runqueues")) {
			ks->runqueues = addr ? addr : 1; /* 1: listed, address hidden */
		} else if (!strcmp(name, "__preempt_count")) {
			ks->preempt_count = addr;
		} else if (!strcmp(name, "pcpu_hot")) {
			ks->pcpu_hot = addr;
		}
	}
	fclose(f);
}

/*
 * How net_udp.bpf.c finds the preempt count: by its distance from
 * `runqueues`, from BTF or else from kallsyms' addresses. Neither: the
 * datagrams name no process.
 */
static void plan_preempt_count(const struct kernel_btf *k, bool *known, long long *delta)
{
	struct kernel_syms ks;

	*known = false;
	if (k->runqueues >= 0 && k->preempt_count >= 0) {
		*known = true;
		*delta = k->preempt_count - k->runqueues;
		return;
	}
	read_kallsyms(&ks);
	if (ks.runqueues > 1 && ks.preempt_count) {
		*known = true;
		*delta = (long long)(ks.preempt_count - ks.runqueues);
	} else if (ks.runqueues > 1 && ks.pcpu_hot && k->pcpu_hot_field >= 0) {
		*known = true;
		*delta = (long long)(ks.pcpu_hot - ks.runqueues) + k->pcpu_hot_field;
	}
}

/* Only the open fds travel: which ones is in the reply's mask. */
static int handles_to_array(const struct bpf_handles *h, int fds[NFDS], unsigned *mask)
{
	int all[NFDS], n = 0;

	all[0] = h->events_fd;
	all[1] = h->counters_fd;
	all[2] = h->unmatchable_fd;
	all[3] = h->net_events_fd;
	all[4] = h->wine_prog_fd;
	all[5] = h->wine_procs_fd;
	memcpy(all + 6, h->link_fd, sizeof(h->link_fd));
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
	h->wine_prog_fd = all[4];
	h->wine_procs_fd = all[5];
	memcpy(h->link_fd, all + 6, sizeof(h->link_fd));
}

static void handles_init(struct bpf_handles *h)
{
	handles_from_array(h, NULL, 0, 0);
	h->raw_tp = false;
	h->network = false;
	h->dns_frags = false;
}

/* The network programs but the first bytes', in link order from LOADER_NET_LINK0. */
#define NET_NPROGS (LOADER_FIRST_BYTES_LINK - LOADER_NET_LINK0)

/* Where the first bytes of TCP connections are read, best first (see net_send.bpf.c). */
enum first_bytes {
	FIRST_BYTES_TP,
	FIRST_BYTES_FENTRY,
	FIRST_BYTES_OFF,
};

static const char *const first_bytes_name[] = {
    [FIRST_BYTES_TP] = "tcp_sendmsg_locked",
    [FIRST_BYTES_FENTRY] = "fentry",
};

/* What one try loads. */
struct plan {
	bool raw_tp;  /* the exec programs as raw_tp */
	bool network; /* and the network programs */
	bool bpf_loop;
	bool rq_to_preempt_known;
	long long rq_to_preempt_count;
	enum first_bytes fb;
	bool dns_frags; /* net_dns copies TCP answers' fragments to o->dns_skb_fd */
};

static struct bpf_program *net_prog(struct rmmhunt_bpf *skel, const struct plan *p, int i)
{
	struct bpf_program *progs[NET_NPROGS] = {
	    skel->progs.net_tcp_state,
	    p->bpf_loop ? skel->progs.net_udp : skel->progs.net_udp_bounded,
	    skel->progs.net_dns,
	};

	return progs[i];
}

static struct bpf_link *net_link(struct rmmhunt_bpf *skel, const struct plan *p, int i)
{
	struct bpf_link *links[NET_NPROGS] = {
	    skel->links.net_tcp_state,
	    p->bpf_loop ? skel->links.net_udp : skel->links.net_udp_bounded,
	    skel->links.net_dns,
	};

	return links[i];
}

static struct bpf_program *first_bytes_prog(struct rmmhunt_bpf *skel, enum first_bytes fb)
{
	return fb == FIRST_BYTES_TP ? skel->progs.net_first_bytes_tp
				    : skel->progs.net_first_bytes_fentry;
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
static int load(struct rmmhunt_bpf **skelp, const struct loader_opts *o, const struct plan *p,
		struct bpf_handles *h, const char **what)
{
	bool raw_tp = p->raw_tp, network = p->network;
	enum first_bytes fb = p->fb;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf_path);
	struct rmmhunt_bpf *skel;
	struct bpf_link *link;
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
	bpf_program__set_autoload(skel->progs.net_udp, false);
	bpf_program__set_autoload(skel->progs.net_udp_bounded, false);
	for (int i = 0; i < NET_NPROGS; i++)
		bpf_program__set_autoload(net_prog(skel, p, i), network);
	skel->rodata->net_rq_to_preempt_count = p->rq_to_preempt_count;
	skel->rodata->net_rq_to_preempt_known = p->rq_to_preempt_known;
	/* the map whose rings user space has open: a sample never finds a slot empty */
	*what = "reuse the perf buffer's map";
	if (network && p->dns_frags &&
	    (err = bpf_map__reuse_fd(skel->maps.net_dns_skb, o->dns_skb_fd)))
		return err;
	skel->rodata->net_dns_frags = network && p->dns_frags;
	bpf_program__set_autoload(skel->progs.net_first_bytes_tp, network && fb == FIRST_BYTES_TP);
	bpf_program__set_autoload(skel->progs.net_first_bytes_fentry,
				  network && fb == FIRST_BYTES_FENTRY);
	/* tp_btf only; attached by user space while a wineserver runs */
	bpf_program__set_autoload(skel->progs.wine_request, network && !raw_tp);
	bpf_program__set_autoattach(skel->progs.wine_request, false);
	/* attached below, on its own: a refused trampoline costs the first bytes only */
	bpf_program__set_autoattach(skel->progs.net_first_bytes_tp, false);
	bpf_program__set_autoattach(skel->progs.net_first_bytes_fentry, false);

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
		h->wine_procs_fd = bpf_map__fd(skel->maps.wine_procs);
		if (!raw_tp)
			h->wine_prog_fd = bpf_program__fd(skel->progs.wine_request);
		for (int i = 0; i < NET_NPROGS; i++)
			h->link_fd[LOADER_NET_LINK0 + i] = bpf_link__fd(net_link(skel, p, i));
	}
	if (network && fb != FIRST_BYTES_OFF) {
		link = bpf_program__attach(first_bytes_prog(skel, fb));
		if (!link) {
			char msg[100];

			libbpf_strerror(-errno, msg, sizeof(msg));
			snprintf(h->first_bytes, sizeof(h->first_bytes),
				 "off: %s failed to attach: %s", first_bytes_name[fb], msg);
		} else {
			/* the skeleton destroys it with the rest: the fd sent stays open */
			if (fb == FIRST_BYTES_TP)
				skel->links.net_first_bytes_tp = link;
			else
				skel->links.net_first_bytes_fentry = link;
			h->link_fd[LOADER_FIRST_BYTES_LINK] = bpf_link__fd(link);
			snprintf(h->first_bytes, sizeof(h->first_bytes), "%s",
				 first_bytes_name[fb]);
		}
	}
	h->raw_tp = raw_tp;
	h->network = network;
	h->dns_frags = network && p->dns_frags;
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

/* "off: REST" as "off: WHY, REST". */
static void join_why(char *off, size_t size, const char *why)
{
	char rest[sizeof(((struct bpf_handles *)0)->first_bytes)];

	snprintf(rest, sizeof(rest), "%.*s", (int)sizeof(rest) - 1, off + 5);
	/* cut if long: the first reasons are the ones that matter */
	if (snprintf(off, size, "off: %s, %s", why, rest) >= (int)size)
		off[size - 1] = '\0';
}

/*
 * The network programs first, with the best first-bytes hook this kernel
 * has, then the next; if the network programs fail even without one, the
 * exec ones again without them: exec capture never depends on the network
 * hooks. With each hook, net_dns reading TCP answers' fragments first (given
 * the perf buffer's map), then without (a kernel that refuses bpf_skb_output
 * there). Each try is a whole load (libbpf loads an object at once).
 */
static int load_all(struct rmmhunt_bpf **skelp, const struct loader_opts *o, struct bpf_handles *h)
{
	struct plan p = {0};
	struct kernel_btf k;
	const char *what;
	char msg[100], why[sizeof(h->first_bytes)] = "", frags_off[sizeof(h->dns_frags_off)] = "";
	enum first_bytes fb;
	int err;

	read_kernel_btf(o->btf_path, &k);
	p.raw_tp = !k.exec;
	if (!o->network) {
		snprintf(h->net_off, sizeof(h->net_off), "--no-network");
	} else {
		p.network = true;
		p.bpf_loop = k.bpf_loop;
		plan_preempt_count(&k, &p.rq_to_preempt_known, &p.rq_to_preempt_count);
		fb = k.tcp_sendmsg_locked ? FIRST_BYTES_TP : FIRST_BYTES_FENTRY;
		if (fb != FIRST_BYTES_TP)
			snprintf(why, sizeof(why), "no tcp_sendmsg_locked tracepoint");
		for (;; fb++) {
			p.fb = fb;
			p.dns_frags = o->dns_skb_fd >= 0;
			err = load(skelp, o, &p, h, &what);
			if (err && p.dns_frags) {
				/* the same without bpf_skb_output: if that loads, it was refused */
				libbpf_strerror(err, msg, sizeof(msg));
				snprintf(frags_off, sizeof(frags_off),
					 "net_dns with bpf_skb_output failed to %s: %s", what, msg);
				rmmhunt_bpf__destroy(*skelp);
				*skelp = NULL;
				handles_init(h);
				p.dns_frags = false;
				err = load(skelp, o, &p, h, &what);
			}
			if (!err) {
				/* "off: " and every reason, from the first hook tried */
				if (fb == FIRST_BYTES_OFF)
					snprintf(h->first_bytes, sizeof(h->first_bytes), "off: %s",
						 why);
				else if (why[0] && !strncmp(h->first_bytes, "off: ", 5))
					join_why(h->first_bytes, sizeof(h->first_bytes), why);
				if (!p.dns_frags && o->dns_skb_fd >= 0)
					snprintf(h->dns_frags_off, sizeof(h->dns_frags_off), "%s",
						 frags_off);
				return 0;
			}
			libbpf_strerror(err, msg, sizeof(msg));
			rmmhunt_bpf__destroy(*skelp);
			*skelp = NULL;
			handles_init(h);
			if (fb == FIRST_BYTES_OFF)
				break;
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%s%s failed to %s: %s", why[0] ? ", " : "", first_bytes_name[fb],
				 what, msg);
		}
		snprintf(h->net_off, sizeof(h->net_off), "the network programs failed to %s: %s",
			 what, msg);
	}
	snprintf(h->first_bytes, sizeof(h->first_bytes), "off: network capture is off");
	p.network = false;
	p.fb = FIRST_BYTES_OFF;
	err = load(skelp, o, &p, h, &what);
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
	/* whole: the reasons' text is sent as is, to its last byte */
	memset(&h, 0, sizeof(h));
	handles_init(&h);
	reply.err = load_all(&skel, o, &h);
	reply.raw_tp = h.raw_tp;
	reply.network = h.network;
	reply.dns_frags = h.dns_frags;
	memcpy(reply.net_off, h.net_off, sizeof(reply.net_off));
	memcpy(reply.first_bytes, h.first_bytes, sizeof(reply.first_bytes));
	memcpy(reply.dns_frags_off, h.dns_frags_off, sizeof(reply.dns_frags_off));
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
	memcpy(h->first_bytes, reply.first_bytes, sizeof(h->first_bytes));
	h->first_bytes[sizeof(h->first_bytes) - 1] = '\0';
	h->dns_frags = reply.dns_frags;
	memcpy(h->dns_frags_off, reply.dns_frags_off, sizeof(h->dns_frags_off));
	h->dns_frags_off[sizeof(h->dns_frags_off) - 1] = '\0';
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
	h->first_bytes[0] = '\0';
	h->dns_frags_off[0] = '\0';
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
