// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Every exec, as it completes: execve, execveat, scripts and binfmt_misc all
 * end here. Everything user space would otherwise read from /proc is captured
 * now, so a process that exits within a millisecond is still fully described.
 */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "core_fixes.bpf.h"
#include "maps.bpf.h"
#include "path.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* When an event last woke user space (racy across CPUs, which only makes it wake more). */
__u64 last_wakeup_ns;

/*
 * The kernel already wakes the consumer only when it had caught up; in an exec
 * storm it always has, so each exec would cost a wake-up. Batch them instead.
 */
static __always_inline __u64 wakeup_flags(__u64 now)
{
	if (now - last_wakeup_ns < WAKEUP_BATCH_NS)
		return BPF_RB_NO_WAKEUP;
	last_wakeup_ns = now;
	return 0;
}

/* Appends the cgroup v2 path's names, leaf first, at s->pos. */
static __always_inline __u32 put_cgroup(struct exec_scratch *s, struct task_struct *task)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	__u32 start = s->pos;
	int i;

	for (i = 0; i < PATH_MAX_DEPTH && kn; i++) {
		struct kernfs_node *parent = get_kernfs_parent(kn);
		long n;

		if (!parent) /* the root's name is not part of the path */
			return s->pos - start;
		if (s->pos - start > PATH_MAX_BYTES - NAME_MAX_BYTES) {
			s->e.flags |= EXEC_CGROUP_TRUNCATED;
			return s->pos - start;
		}
		n = bpf_probe_read_kernel_str(data_at(s->e.data, s->pos), NAME_MAX_BYTES,
					      BPF_CORE_READ(kn, name));
		if (n <= 0)
			return s->pos - start;
		s->pos += n;
		kn = parent;
	}
	s->e.flags |= EXEC_CGROUP_TRUNCATED;
	return s->pos - start;
}

/*
 * A key of every cgroup the task is in, one per hierarchy (v2 and each v1):
 * the kernfs ids of the cgroups its css_set links, which are never reused.
 * User space keeps what /proc/PID/cgroup says under it. 0 when unknown.
 */
static __always_inline __u64 cgroups_key(struct task_struct *task)
{
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct list_head *head = &cset->cgrp_links, *pos;
	__u64 key = 0xcbf29ce484222325ULL; /* FNV-1a, a 64-bit id at a time */
	int i;

	if (!cset)
		return 0;
	pos = BPF_CORE_READ(cset, cgrp_links.next);
	for (i = 0; i < CGROUP_HIERARCHIES_MAX; i++) {
		struct cgrp_cset_link *link;

		if (!pos)
			return 0;
		if (pos == head)
			return key ?: 1;
		link = container_of(pos, struct cgrp_cset_link, cgrp_link);
		key = (key ^ BPF_CORE_READ(link, cgrp, kn, id)) * 0x100000001b3ULL;
		pos = BPF_CORE_READ(pos, next);
	}
	return 0;
}

/*
 * Wine's processes by their file's name (wine_request.bpf.c), known before
 * the server can fork its daemon or a program write a request; an exec of
 * anything else leaves Wine.
 */
static __always_inline void wine_exec(struct file *exe, __u32 tgid, __u64 ino)
{
	struct wine_proc p = {.exe_ino = ino, .role = WINE_ROLE_SERVER};
	char name[WINE_SERVER_NAME_LEN];
	int i;

	if (bpf_probe_read_kernel(name, sizeof(name),
				  BPF_CORE_READ(exe, f_path.dentry, d_name.name)))
		goto not_wine;
#pragma unroll
	for (i = 0; i < WINE_NAME_LEN; i++)
		if (name[i] != WINE_NAME[i])
			goto not_wine;
#pragma unroll
	for (; i < WINE_SERVER_NAME_LEN; i++)
		if (name[i] != WINE_SERVER_NAME[i])
			p.role = WINE_ROLE_CLIENT;
	bpf_map_update_elem(&wine_procs, &tgid, &p, BPF_ANY);
	return;
not_wine:
	bpf_map_delete_elem(&wine_procs, &tgid);
}

static __always_inline int handle_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	struct task_struct *real_parent = BPF_CORE_READ(task, real_parent);
	struct file *exe = BPF_CORE_READ(task, mm, exe_file);
	struct inode *inode = BPF_CORE_READ(exe, f_inode);
	unsigned long arg_start, arg_end;
	__u32 cpu = bpf_get_smp_processor_id(), len;
	struct exec_scratch *s;
	struct fork_info *fi;
	struct exec_event *e;
	struct path path;
	struct mount *mnt;
	long n;

	counter_inc(CNT_EXECS);
	/* tracepoints run with preemption off: this CPU's slot is ours */
	s = bpf_map_lookup_elem(&scratch, &cpu);
	if (!s) {
		counter_inc(CNT_LOST_NO_SCRATCH);
		return 0;
	}
	e = &s->e;

	e->boot_ns = bpf_ktime_get_boot_ns();
	e->start_boot_ns = get_task_start_boottime(task);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->tgid = BPF_CORE_READ(task, tgid);
	e->pid = BPF_CORE_READ(task, pid);
	e->ppid = BPF_CORE_READ(real_parent, tgid);
	e->uid = BPF_CORE_READ(task, real_cred, uid.val);
	e->euid = BPF_CORE_READ(task, cred, euid.val);
	e->gid = BPF_CORE_READ(task, real_cred, gid.val);
	e->loginuid = get_task_loginuid(task);
	e->sessionid = get_task_sessionid(task);
	e->pid_ns = get_task_pid_ns(task);
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->exe_ino = BPF_CORE_READ(inode, i_ino);
	e->exe_dev = BPF_CORE_READ(inode, i_sb, s_dev);
	e->exe_size = BPF_CORE_READ(inode, i_size);
	e->exe_ctime_ns = get_inode_ctime_ns(inode);
	e->flags = BPF_CORE_READ(inode, __i_nlink) == 0 ? EXEC_EXE_DELETED : 0;
	/* the root the exec resolved in: a chroot(2) right after it must not move the lookup */
	path = BPF_CORE_READ(task, fs, root);
	mnt = container_of(path.mnt, struct mount, mnt);
	e->root_ino = BPF_CORE_READ(path.dentry, d_inode, i_ino);
	e->root_mnt_id = BPF_CORE_READ(mnt, mnt_id);
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	fi = bpf_map_lookup_elem(&forks, &e->tgid);
	if (fi) {
		e->forker_tgid = fi->forker_tgid;
		e->image_tgid = fi->image_tgid;
		__builtin_memcpy(e->forker_comm, fi->forker_comm, sizeof(e->forker_comm));
		fi->execd = 1;
	} else {
		/* forked before we attached: the real parent is the best we know */
		e->forker_tgid = e->ppid;
		e->image_tgid = e->ppid;
		BPF_CORE_READ_STR_INTO(&e->forker_comm, real_parent, group_leader, comm);
	}

	wine_exec(exe, e->tgid, e->exe_ino);

	/*
	 * Unmatchable (no rule can match this executable): count it, stop here. Not for scripts and
	 * binfmt_misc launches (interp differs from filename): the program behind the interpreter
	 * decides, and it is not the interpreter's file.
	 */
	if (BPF_CORE_READ(bprm, interp) == BPF_CORE_READ(bprm, filename)) {
		struct exe_key key = {
		    .ino = e->exe_ino,
		    .ctime_ns = e->exe_ctime_ns,
		    .dev = e->exe_dev,
		};

		if (bpf_map_lookup_elem(&unmatchable, &key)) {
			counter_inc(CNT_UNMATCHABLE);
			return 0;
		}
	}

	/* only for a record that is sent: a walk of every cgroup hierarchy */
	e->cgroups_key = cgroups_key(task);

	/* filename as passed to execve: a plain string */
	s->pos = 0;
	n = bpf_probe_read_kernel_str(e->data, PATH_MAX_BYTES, BPF_CORE_READ(bprm, filename));
	len = n > 0 ? n : 0;
	e->str_len[EXEC_STR_FILENAME] = len;
	s->pos = len;

	path = BPF_CORE_READ(exe, f_path);
	e->str_len[EXEC_STR_EXE] = put_path(s, &path, EXEC_EXE_TRUNCATED);
	path = BPF_CORE_READ(task, fs, pwd);
	e->str_len[EXEC_STR_CWD] = put_path(s, &path, EXEC_CWD_TRUNCATED);
	e->str_len[EXEC_STR_CGROUP] = put_cgroup(s, task);

	/* argv last: the new stack was just written, so it is paged in */
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	e->argv_len = len;
	if (len > ARGV_MAX) {
		len = ARGV_MAX;
		e->flags |= EXEC_ARGV_TRUNCATED;
	}
	if (s->pos > EXEC_DATA_MAX - ARGV_MAX) { /* cannot happen: four paths fit */
		counter_inc(CNT_LOST_TOO_LARGE);
		return 0;
	}
	/* mask in a register the verifier sees: clang may reuse the unclamped one */
	asm volatile("%[len] &= %[mask]" : [len] "+r"(len) : [mask] "i"(2 * ARGV_MAX - 1));
	if (len > 0 && bpf_probe_read_user(data_at(e->data, s->pos), len, (void *)arg_start)) {
		e->flags |= EXEC_ARGV_UNREADABLE;
		len = 0;
	}
	e->str_len[EXEC_STR_ARGV] = len;
	s->pos += len;

	len = EXEC_EVENT_HDR_SIZE + s->pos;
	if (len > sizeof(*e)) {
		counter_inc(CNT_LOST_TOO_LARGE);
		return 0;
	}
	if (bpf_ringbuf_output(&events, e, len, wakeup_flags(e->boot_ns)))
		counter_inc(CNT_LOST_RING_FULL);
	return 0;
}

/* TP_PROTO(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(p, bprm);
}

/* The same, for kernels whose tracepoints have no BTF. */
SEC("raw_tp/sched_process_exec")
int BPF_PROG(exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return handle_exec(p, bprm);
}
