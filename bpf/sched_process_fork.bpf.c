// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Remembers who forked each new process (see struct fork_info), and Wine's forks. */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"

static __always_inline int handle_fork(struct task_struct *parent, struct task_struct *child)
{
	struct fork_info info = {}, *pinfo;
	struct wine_proc *wine;
	__u32 child_tgid = BPF_CORE_READ(child, tgid);
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid);

	/* a new thread is not a new process */
	if (BPF_CORE_READ(child, pid) != child_tgid)
		return 0;
	counter_inc(CNT_FORKS);
	info.forker_tgid = parent_tgid;
	info.image_tgid = parent_tgid;
	pinfo = bpf_map_lookup_elem(&forks, &parent_tgid);
	if (pinfo && !pinfo->execd)
		info.image_tgid = pinfo->image_tgid;
	BPF_CORE_READ_STR_INTO(&info.forker_comm, parent, group_leader, comm);
	bpf_map_update_elem(&forks, &child_tgid, &info, BPF_ANY);
	/* Wine's server forks its daemon, a program its children: Wine's too */
	wine = bpf_map_lookup_elem(&wine_procs, &parent_tgid);
	if (wine)
		bpf_map_update_elem(&wine_procs, &child_tgid, wine, BPF_ANY);
	return 0;
}

/* TP_PROTO(struct task_struct *parent, struct task_struct *child) */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return handle_fork(parent, child);
}
