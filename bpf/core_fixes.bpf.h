/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Kernel fields that were renamed or reshaped over the versions rmmhunt runs
 * on. Each quirk has its ___flavor structs (matched by CO-RE on name without
 * the suffix) and one accessor that picks what the running kernel has.
 */
#ifndef RMMHUNT_CORE_FIXES_BPF_H
#define RMMHUNT_CORE_FIXES_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>

/*
 * inode ctime: a struct timespec64 i_ctime until 6.6, renamed __i_ctime by
 * 13bc24457850 ("fs: rename i_ctime field to __i_ctime"), then split into
 * i_ctime_sec/i_ctime_nsec by 3aa63a569c64 (6.11). Since multigrain
 * timestamps (6.13) the top bit of i_ctime_nsec is the I_CTIME_QUERIED flag,
 * not time: without masking it the ctime never equals what stat() says.
 */
#define RMMHUNT_I_CTIME_QUERIED (1U << 31)

struct inode___pre66 {
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));

struct inode___pre611 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___v611 {
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
} __attribute__((preserve_access_index));

static __always_inline __u64 get_inode_ctime_ns(struct inode *inode)
{
	struct inode___v611 *v611 = (void *)inode;
	struct inode___pre611 *pre611 = (void *)inode;
	struct inode___pre66 *pre66 = (void *)inode;

	if (bpf_core_field_exists(v611->i_ctime_sec))
		return BPF_CORE_READ(v611, i_ctime_sec) * 1000000000ULL +
		       (BPF_CORE_READ(v611, i_ctime_nsec) & ~RMMHUNT_I_CTIME_QUERIED);
	if (bpf_core_field_exists(pre611->__i_ctime))
		return BPF_CORE_READ(pre611, __i_ctime.tv_sec) * 1000000000ULL +
		       BPF_CORE_READ(pre611, __i_ctime.tv_nsec);
	return BPF_CORE_READ(pre66, i_ctime.tv_sec) * 1000000000ULL +
	       BPF_CORE_READ(pre66, i_ctime.tv_nsec);
}

/*
 * kernfs_node::parent became __parent in 6.15 (633488947ef6, "kernfs: Use RCU
 * to access kernfs_node::parent").
 */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___v615 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *get_kernfs_parent(struct kernfs_node *kn)
{
	struct kernfs_node___v615 *v615 = (void *)kn;
	struct kernfs_node___pre615 *pre615 = (void *)kn;

	if (bpf_core_field_exists(v615->__parent))
		return BPF_CORE_READ(v615, __parent);
	return BPF_CORE_READ(pre615, parent);
}

/*
 * task start time on the boot clock: real_start_time until 5.5, then
 * start_boottime (cf25e24db61c, "time: Rename tsk->real_start_time to
 * ->start_boottime").
 */
struct task_struct___pre55 {
	u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline __u64 get_task_start_boottime(struct task_struct *task)
{
	struct task_struct___pre55 *pre55 = (void *)task;

	if (bpf_core_field_exists(task->start_boottime))
		return BPF_CORE_READ(task, start_boottime);
	return BPF_CORE_READ(pre55, real_start_time);
}

/*
 * The pid namespace @task is in: that of its struct pid at its own level
 * (task_active_pid_ns()). nsproxy->pid_ns_for_children is the one its
 * children get, which differs after unshare(CLONE_NEWPID).
 */
#define RMMHUNT_PID_NS_LEVELS 32 /* MAX_PID_NS_LEVEL */

static __always_inline __u32 get_task_pid_ns(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	if (!pid || level >= RMMHUNT_PID_NS_LEVELS)
		return 0;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]);
	return BPF_CORE_READ(upid.ns, ns.inum);
}

/* loginuid and sessionid exist only with CONFIG_AUDIT. */
static __always_inline __u32 get_task_loginuid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->loginuid))
		return BPF_CORE_READ(task, loginuid.val);
	return (__u32)-1;
}

static __always_inline __u32 get_task_sessionid(struct task_struct *task)
{
	if (bpf_core_field_exists(task->sessionid))
		return BPF_CORE_READ(task, sessionid);
	return (__u32)-1;
}

#endif
