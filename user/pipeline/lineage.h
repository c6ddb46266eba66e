/* SPDX-License-Identifier: MIT */
/*
 * What each process runs, by tgid: filled from every exec and from the
 * snapshot, read to describe the process that created a new one
 * (InitiatingProcess*), even after that process has exited. Bounded: a
 * 4-way set-associative table that forgets the oldest entry of a full set.
 * It starts small and grows to its bound as processes come, so a quiet host
 * pays for the processes it has, not for the bound.
 */
#ifndef RMMHUNT_LINEAGE_H
#define RMMHUNT_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

struct lineage;

struct proc_record {
	uint32_t tgid;
	int64_t creation_us;
	const char *file_name;
	const char *folder_path;
	const char *cmdline;
	const char *account;
};

/* @max_entries is rounded up to a power of two (at least 64). */
struct lineage *lineage__new(size_t max_entries);
void lineage__free(struct lineage *l); /* NULL is fine */

/* Records what @tgid runs now; an earlier record of the same tgid is replaced. */
int lineage__put(struct lineage *l, uint32_t tgid, int64_t creation_us, const char *file_name,
		 const char *folder_path, const char *cmdline, const char *account);
/* NULL when unknown; valid until the next lineage__put. */
const struct proc_record *lineage__get(const struct lineage *l, uint32_t tgid);

#endif
