// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Forgets an exiting process: its fork record (an LRU besides), its place among Wine's. */
#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"
#include "maps.bpf.h"

static __always_inline int handle_exit(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);

	/* threads exit too; only the leader's exit ends the process record */
	if (BPF_CORE_READ(task, pid) == tgid) {
		bpf_map_delete_elem(&forks, &tgid);
		bpf_map_delete_elem(&wine_procs, &tgid);
	}
	return 0;
}

/*
 * TP_PROTO(struct task_struct *p); Linux 6.16 (3e816361e94a) appends bool group_dead.
 * Only the first argument is read, so one program fits both.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_btf, struct task_struct *p)
{
	return handle_exit(p);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(exit_raw, struct task_struct *p)
{
	return handle_exit(p);
}
