/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Paths without bpf_d_path (not allowed on tracepoints): walk the dentries up
 * to the root of the mount namespace, crossing mounts, and write each
 * component from the leaf up (see include/events.h). Bounded by
 * PATH_MAX_DEPTH components and PATH_MAX_BYTES bytes.
 */
#ifndef RMMHUNT_PATH_BPF_H
#define RMMHUNT_PATH_BPF_H

#include <vmlinux.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "events.h"
#include "maps.bpf.h"

#define DATA_MASK      0xffff /* positions in the scratch data, see maps.bpf.h */
#define NAME_MAX_BYTES 256

/* A masked position the verifier can see is inside the scratch data. */
static __always_inline char *data_at(char *data, __u32 pos)
{
	__u64 off = pos;

	/* in asm, so clang cannot drop the mask on a bound the verifier lost */
	asm volatile("%[off] &= %[mask]" : [off] "+r"(off) : [mask] "i"(DATA_MASK));
	return data + off;
}

/*
 * Appends @path's components at s->pos; returns the bytes written. A path
 * deeper than walked sets @truncated in the event's flags.
 */
static __always_inline __u32 put_path(struct exec_scratch *s, struct path *path, __u32 truncated)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct vfsmount *vfsmnt = BPF_CORE_READ(path, mnt);
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	__u32 start = s->pos;
	int i;

	for (i = 0; i < PATH_MAX_DEPTH; i++) {
		struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
		struct qstr name;
		long n;

		if (dentry == mnt_root || dentry == parent) {
			struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);

			/* the top of this namespace (or a detached tree) */
			if (dentry != mnt_root || mnt_parent == mnt)
				return s->pos - start;
			dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mnt_parent;
			vfsmnt = &mnt_parent->mnt;
			continue;
		}
		if (s->pos - start > PATH_MAX_BYTES - NAME_MAX_BYTES) {
			s->e.flags |= truncated;
			return s->pos - start;
		}
		name = BPF_CORE_READ(dentry, d_name);
		n = bpf_probe_read_kernel_str(data_at(s->e.data, s->pos), NAME_MAX_BYTES,
					      name.name);
		if (n <= 0)
			return s->pos - start;
		s->pos += n;
		dentry = parent;
	}
	s->e.flags |= truncated;
	return s->pos - start;
}

#endif
