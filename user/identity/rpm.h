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
 *
 * Signatures (rpm__lookup_signed): the header-only OpenPGP signatures rpm
 * copies into the installed header (RSAHEADER, DSAHEADER, and rpm 6's
 * OPENPGP array), checked as rpm checks them: over the header's immutable
 * region (magic, its index entries and data, as the package file had them)
 * with the key of the rpmdb's `gpg-pubkey` entry whose primary key or subkey
 * has the signature's key id. Header+payload signatures (the legacy
 * PGP/GPG tags) cannot be checked without the payload and are not read.
 */
#ifndef RMMHUNT_RPM_H
#define RMMHUNT_RPM_H

#include <stddef.h>
#include <stdint.h>

#include "identity/package.h"
#include "identity/pgp.h"

/* Header tags and types used (rpmtag.h). */
#define RPMTAG_HEADERIMMUTABLE 63
#define RPMTAG_PUBKEYS	       266
#define RPMTAG_DSAHEADER       267
#define RPMTAG_RSAHEADER       268
#define RPMTAG_OPENPGP	       278 /* rpm 6: base64 signature packets */
#define RPMTAG_NAME	       1000
#define RPMTAG_VERSION	       1001
#define RPMTAG_RELEASE	       1002
#define RPMTAG_SUMMARY	       1004
#define RPMTAG_DESCRIPTION     1005
#define RPMTAG_VENDOR	       1011
#define RPMTAG_PACKAGER	       1015
#define RPMTAG_DIRINDEXES      1116
#define RPMTAG_BASENAMES       1117
#define RPMTAG_DIRNAMES	       1118

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

/* rpm__lookup, and the package's signatures into @sigs (NULL: not wanted). */
int rpm__lookup_signed(int root_fd, const char *path, struct pkg_info *out, struct pkg_sigs *sigs);

#define RPM_MAX_SIG  8192	/* bytes of one signature packet */
#define RPM_MAX_KEYS 256	/* gpg-pubkey entries looked at */
#define RPM_MAX_KEY  (1u << 20) /* bytes of one key block */

/* The signed bytes of a header and the signature packets over them. */
struct rpm_signed {
	uint8_t ildl[8];	    /* the region's entry count and data length */
	struct pgp_chunk region[4]; /* magic, ildl, entries, data: what is signed */
	unsigned int n_sigs;
	struct pgp_bytes sig[PKG_MAX_SIGS];	/* packets, in the blob or in buf */
	uint8_t buf[PKG_MAX_SIGS][RPM_MAX_SIG]; /* OPENPGP's, decoded */
};

/*
 * The immutable region and the signature packets of header blob @blob (@len
 * bytes, as in the Packages table). @out points into @blob and itself: keep
 * both, and do not copy @out. 0 (n_sigs may be 0: unsigned), -EINVAL
 * (malformed header), -ENOENT (no immutable region: nothing to check).
 */
int rpm__header_signatures(const void *blob, size_t len, struct rpm_signed *out);

/*
 * The key of gpg-pubkey header blob @blob (@len bytes) into @key, its user id
 * from the key itself, else from the header's Packager or Summary. @key
 * points into *@buf, which the caller frees (also on error). 0, -EINVAL,
 * -ENOTSUP, -ENOMEM.
 */
int rpm__pubkey_header(const void *blob, size_t len, uint8_t **buf, struct pgp_key *key);

/*
 * Signature @i of @hs into @out, checked with @key when @key is not NULL.
 * Returns 0, or -ENOENT (@out untouched) when @key holds no key of the
 * signature's key id, -EINVAL when the signature could not be read (@out
 * says why), -ENOMEM.
 */
int rpm__check_signature(const struct rpm_signed *hs, unsigned int i, const struct pgp_key *key,
			 struct pkg_sig *out);

#endif
