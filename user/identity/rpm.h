/* SPDX-License-Identifier: MIT */
/*
 * rpm package database of a root: the sqlite rpmdb of rpm >= 4.16 (Fedora 33+,
 * RHEL 9+, openSUSE), at usr/lib/sysimage/rpm/rpmdb.sqlite or
 * var/lib/rpm/rpmdb.sqlite. The Berkeley DB and ndb formats of older rpms are
 * not read: a root with only those answers -ENOTSUP.
 *
 * Its directory is opened through root__open() and sqlite gets the file as
 * /proc/self/fd/DIR/rpmdb.sqlite (last component not a symlink), read-only and
 * immutable (no locks, no -wal/-shm files): what a running rpm transaction has
 * not checkpointed yet is not seen.
 *
 * Mapping to struct pkg_info:
 *   vendor  = Vendor
 *   name    = Name
 *   version = Version-Release
 *   source  = "rpm"
 */
#ifndef RMMHUNT_RPM_H
#define RMMHUNT_RPM_H

#include <stddef.h>
#include <stdint.h>

#include "identity/package.h"

/* Header tags and types used (rpmtag.h). */
#define RPMTAG_NAME	  1000
#define RPMTAG_VERSION	  1001
#define RPMTAG_RELEASE	  1002
#define RPMTAG_VENDOR	  1011
#define RPMTAG_DIRINDEXES 1116
#define RPMTAG_BASENAMES  1117
#define RPMTAG_DIRNAMES	  1118

/* Bounds for a header blob, as rpm's own hdrchkTags()/hdrchkData(). */
#define RPM_MAX_TAGS 0xffff
#define RPM_MAX_BLOB (256u << 20)
/* sqlite virtual-machine steps one lookup may take: a hostile schema cannot spin. */
#define RPM_MAX_VM_STEPS (10u << 20)

/*
 * Checks that file number @idx of the header blob @blob (@len bytes, as in
 * the Packages table: no lead, no magic) is @dir + @base (@dir with its
 * trailing '/', as rpm stores it), and fills @out from the header.
 * 0, -ENOENT (another file), -EINVAL (malformed header).
 */
int rpm__header_match(const void *blob, size_t len, uint32_t idx, const char *dir, const char *base,
		      struct pkg_info *out);

/* The package owning @path in the root open at @root_fd: 0, -ENOENT, -ENOTSUP, -errno. */
int rpm__lookup(int root_fd, const char *path, struct pkg_info *out);

#endif
