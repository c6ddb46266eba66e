/* SPDX-License-Identifier: MIT */
/*
 * One uncached read of a file's identity: what identity__fill does on a cache
 * miss, and what `rmmhunt inspect` prints, with the file type and the reason a
 * file was unreadable or malformed on top.
 */
#ifndef RMMHUNT_PROBE_H
#define RMMHUNT_PROBE_H

#include <sys/stat.h>

#include "event.h"
#include "identity/filetype.h"

struct identity_probe {
	enum file_type type;
	const char *error; /* static text; NULL when the file read cleanly */
};

enum identity_probe_flags {
	IDENTITY_NO_HASH = 1 << 0, /* leave SHA1/SHA256 unset: headers only */
};

/*
 * Fills the identity columns of @e (identity.h) for the file open at @fd,
 * whose fstat is @st, as @flags (identity_probe_flags) say. A malformed PE
 * still returns 0, with what could be read and @p->error set. Returns a
 * negative errno, with the identity columns unset and @p->error set, when the
 * file is not regular (-EINVAL: it is never read, so a FIFO cannot block) or
 * could not be read.
 */
int identity__probe(int fd, const struct stat *st, int root_fd, const char *path,
		    unsigned int flags, struct event *e, struct identity_probe *p);

struct authenticode_trust;
struct authenticode_info;
struct pkg_sigs;
/*
 * identity__probe, and for a PE image its Authenticode signatures into @sig
 * (chains checked against @trust, which may be NULL), digested in the pass
 * that hashes the file. @sig is zeroed for other files. For a native file,
 * the signatures of its package into @psig when it is not NULL (psig->n 0:
 * none).
 */
int identity__probe_signed(int fd, const struct stat *st, int root_fd, const char *path,
			   unsigned int flags, const struct authenticode_trust *trust,
			   struct authenticode_info *sig, struct pkg_sigs *psig, struct event *e,
			   struct identity_probe *p);

/* Unsets every column identity__probe fills. */
void identity__clear(struct event *e);

struct pkg_info;
typedef int (*identity_package_lookup_fn)(int root_fd, const char *path, int exe_fd,
					  struct pkg_info *out, struct pkg_sigs *sigs);
/* Replaces package__lookup_signed() for ELF files and scripts; NULL restores it. For tests. */
void identity__set_package_lookup(identity_package_lookup_fn fn);

#endif
