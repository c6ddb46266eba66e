/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Every map, declared once. The hook files each include this, and
 * `bpftool gen object` links them into one object, so the maps are __weak.
 */
#ifndef RMMHUNT_MAPS_BPF_H
#define RMMHUNT_MAPS_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include "events.h"

/* Exec events to user space; the loader sets the size (--ringbuf-size, default 1 MiB). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps") __weak;

/*
 * Scratch space for building one event: larger than a per-CPU map value may
 * be, so a plain array with one slot per CPU (user space sets max_entries).
 * The slack lets the verifier see every masked write stay inside.
 */
#define SCRATCH_DATA (2 * 64 * 1024) /* any masked position + any masked length */
struct exec_scratch {
	struct exec_event e;
	char slack[SCRATCH_DATA - EXEC_DATA_MAX];
	/*
	 * The write position in e.data. Kept in map memory, not a register, on
	 * purpose: a value loaded from a map is an unknown scalar to the
	 * verifier, so after masking every loop iteration looks alike and the
	 * path walks' branches are pruned instead of explored one by one.
	 */
	__u32 pos;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1); /* one per CPU, set by user space */
	__type(key, __u32);
	__type(value, struct exec_scratch);
} scratch SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_COUNTER__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

/*
 * Who forked each live process, so an exec names the process that created it
 * even after that one died and the child was reparented. image_tgid is the
 * nearest ancestor that exec'd: a forked copy that never exec'd runs its
 * forker's program, as Wine's double-forked CreateProcess children do.
 */
struct fork_info {
	__u32 forker_tgid;
	__u32 image_tgid;
	__u32 execd;
	char forker_comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct fork_info);
} forks SEC(".maps") __weak;

/*
 * Executables no loaded rule can match, whatever the exec (user space decides,
 * after reading the file): their execs are counted and go no further. Never
 * holds a Wine loader or a script interpreter; cleared on rule reload.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct exe_key);
	__type(value, __u8);
} unmatchable SEC(".maps") __weak;

static __always_inline void counter_inc(enum counter c)
{
	__u32 key = c;
	__u64 *v = bpf_map_lookup_elem(&counters, &key);

	if (v)
		*v += 1;
}

#endif
