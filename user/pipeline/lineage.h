/* SPDX-License-Identifier: MIT */
/*
 * What each process runs, by tgid: filled from every exec and from the
 * snapshot, read to describe the process that created a new one
 * (InitiatingProcess*) or a connection it makes, even after that process
 * has exited. Bounded: a
 * 4-way set-associative table that forgets the oldest entry of a full set.
 * It starts small and grows to its bound as processes come, so a quiet host
 * pays for the processes it has, not for the bound.
 */
#ifndef RMMHUNT_LINEAGE_H
#define RMMHUNT_LINEAGE_H

#include <stddef.h>
#include <stdint.h>

struct lineage;

/* The columns kept of a process, as its exec record had them. */
enum proc_col {
	PROC_FILE_NAME,
	PROC_FOLDER_PATH,
	PROC_CMDLINE,
	PROC_ACCOUNT,
	PROC_COMPANY, /* ProcessVersionInfoCompanyName, and the six after it */
	PROC_PRODUCT,
	PROC_PRODUCT_VERSION,
	PROC_FILE_VERSION,
	PROC_INTERNAL_NAME,
	PROC_ORIGINAL_NAME,
	PROC_DESCRIPTION,
	PROC_SHA1,
	PROC_SHA256,
	PROC_CREATOR_NAME, /* InitiatingProcessFileName of its exec */
	PROC_CONTAINER_ID,
	PROC_POD_UID,
	PROC_COL__COUNT,
};

struct proc_record {
	uint32_t tgid;
	uint32_t creator;		  /* InitiatingProcessId of its exec */
	uint64_t exe_ino;		  /* the inode its exec ran (the kernel's); 0: unknown */
	int64_t creation_us;		  /* 0: unknown */
	const char *col[PROC_COL__COUNT]; /* NULL: unknown */
};

/* @max_entries is rounded up to a power of two (at least 64). */
struct lineage *lineage__new(size_t max_entries);
void lineage__free(struct lineage *l); /* NULL is fine */

/*
 * Records what @r->tgid runs now, its strings copied (never ones lineage__get
 * gave); an earlier record of the same tgid is replaced.
 */
int lineage__put(struct lineage *l, const struct proc_record *r);
/* NULL when unknown; valid until the next lineage__put. */
const struct proc_record *lineage__get(const struct lineage *l, uint32_t tgid);

#endif
