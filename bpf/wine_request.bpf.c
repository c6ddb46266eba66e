// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Which Windows program asked Wine's server for a socket. The server makes
 * the sockets, binds, listens and connects that programs ask for, so the
 * kernel sees `wineserver` make them. Each program thread writes its
 * requests to a pipe of its own, and the server reads a request whole
 * before it acts on it and replies: the thread that last wrote to the pipe
 * the server last read asked for what the server does until its next write.
 * net_owner_current() names that thread. (The server reads a request once
 * its pipe is readable, as its poll loop says, so after it was written.)
 *
 * Every syscall of every process runs this program's first compare, and a
 * read or write its first lookup, so user space attaches it only while a
 * Wine server runs (capture/wineprocs.h).
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"

/* The native syscall numbers (Wine writes with write and writev, its server reads with read). */
#if defined(__TARGET_ARCH_x86)
#define NR_READ	  0
#define NR_WRITE  1
#define NR_WRITEV 20
#elif defined(__TARGET_ARCH_arm64)
#define NR_READ	  63
#define NR_WRITE  64
#define NR_WRITEV 66
#else
#error "syscall numbers for this architecture"
#endif

#define WINE_S_IFMT  00170000
#define WINE_S_IFIFO 0010000

/* A 32-bit task's calls are numbered by another table: not ours to read. */
static __always_inline bool native_call(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, cs) == 0x33; /* __USER_CS; a compat call has __USER32_CS */
#else
	return !(BPF_CORE_READ(regs, pstate) & 0x10); /* PSR_MODE32_BIT */
#endif
}

/* The pipe behind @fd of @task, by its inode's address; 0 for anything else. */
static __always_inline __u64 fd_pipe(struct task_struct *task, __u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;
	struct inode *inode;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	inode = BPF_CORE_READ(f, f_inode);
	if (!inode || (BPF_CORE_READ(inode, i_mode) & WINE_S_IFMT) != WINE_S_IFIFO)
		return 0;
	return (__u64)inode;
}

static __always_inline __u64 exe_ino(struct task_struct *task)
{
	return BPF_CORE_READ(task, mm, exe_file, f_inode, i_ino);
}

/* A server read: a request pipe, marked as one; its writer is now served. */
static __always_inline void server_read(__u32 pid, __u64 pipe)
{
	struct wine_client none = {}, *c;

	c = bpf_map_lookup_elem(&wine_pipes, &pipe);
	if (!c) {
		/* its writer's next request names it */
		bpf_map_update_elem(&wine_pipes, &pipe, &none, BPF_NOEXIST);
		bpf_map_delete_elem(&wine_serving, &pid);
		return;
	}
	if (c->tgid)
		bpf_map_update_elem(&wine_serving, &pid, c, BPF_ANY);
	else
		bpf_map_delete_elem(&wine_serving, &pid);
}

/* A write to a pipe a server reads: the writer, before the server can read what it wrote. */
static __always_inline void client_write(__u64 pipe, __u64 id, __u64 ino)
{
	struct wine_client *c = bpf_map_lookup_elem(&wine_pipes, &pipe);

	if (!c)
		return;
	if (c->tgid == id >> 32 && c->pid == (__u32)id && c->exe_ino == ino)
		return;
	c->tgid = id >> 32;
	c->pid = (__u32)id;
	c->exe_ino = ino;
	c->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(c->comm, sizeof(c->comm));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(wine_request, struct pt_regs *regs, long id)
{
	struct task_struct *task;
	struct wine_proc *wine;
	__u64 pid_tgid, pipe;
	__u32 tgid, pid;

	if (id != NR_READ && id != NR_WRITE && id != NR_WRITEV)
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	tgid = pid_tgid >> 32;
	pid = (__u32)pid_tgid;
	/* any other process: one lookup */
	wine = bpf_map_lookup_elem(&wine_procs, &tgid);
	if (!wine || !native_call(regs))
		return 0;
	if (wine->role == WINE_ROLE_CLIENT && id == NR_READ)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	/* still what it exec'd (the exec hook sees every exec; a pid may be reused) */
	if (wine->exe_ino != exe_ino(task))
		return 0;
	if (wine->role == WINE_ROLE_SERVER && id != NR_READ) {
		/* its reply: done with the request */
		bpf_map_delete_elem(&wine_serving, &pid);
		return 0;
	}
	pipe = fd_pipe(task, PT_REGS_PARM1_CORE(regs));
	if (!pipe)
		return 0;
	if (wine->role == WINE_ROLE_SERVER)
		server_read(pid, pipe);
	else
		client_write(pipe, pid_tgid, wine->exe_ino);
	return 0;
}
