/* SPDX-License-Identifier: MIT */
/*
 * Package provenance of a native executable: which package installed it, from
 * the package database of the root the process sees (dpkg, rpm, apk), or from
 * the ELF .note.package note the binary carries.
 */
#ifndef RMMHUNT_PACKAGE_H
#define RMMHUNT_PACKAGE_H

#include <stdbool.h>
#include <stdint.h>

#define PKG_FIELD_MAX 256
#define PKG_MAX_SIGS  4 /* signatures of one package looked at */
#define PKG_HEX_MAX   65

struct pkg_info {
	char vendor[PKG_FIELD_MAX];  /* -> ProcessVersionInfoCompanyName */
	char name[PKG_FIELD_MAX];    /* -> ProcessVersionInfoProductName */
	char version[PKG_FIELD_MAX]; /* -> ProcessVersionInfoProductVersion */
	const char *source;	     /* "dpkg", "rpm", "apk" or "elf-note" */
};

/*
 * One signature of a package's header, as a DeviceFileCertificateInfo
 * record reports it (SignatureType "Package"). The key is looked up in the
 * package database of the same root.
 */
struct pkg_sig {
	bool is_signed;	     /* it verifies with a key of the package database */
	const char *reason;  /* why is_signed is false, static text */
	char digest_alg[16]; /* "SHA256"; "" unknown */
	char pk_alg[16];     /* "RSA", "EdDSA"; "" unknown */
	char keyid[17];	     /* the issuer key id, lower-case hex; "" when it names none */
	char fingerprint[PKG_HEX_MAX]; /* of the signing key: from the key, else as the signature
					  says */
	bool has_key;		       /* the database holds the key */
	char signer[PKG_FIELD_MAX];    /* that key's user id */
	char issuer[PKG_FIELD_MAX];    /* the primary key's user id (a subkey's issuer) */
	char issuer_fpr[PKG_HEX_MAX];  /* the primary key's fingerprint */
	bool has_created;
	int64_t created; /* the signature's creation time, seconds since the epoch */
};

struct pkg_sigs {
	unsigned int n;			  /* 0: the package carries no signature we read */
	struct pkg_sig sig[PKG_MAX_SIGS]; /* sig[0]: the first that verifies, else the first */
};

/*
 * Looks up the package owning @path inside the root open at @root_fd (the
 * process's /proc/PID/root, or AT_FDCWD-like host root), then the ELF note of
 * the file open at @exe_fd. Returns 0 when found, -ENOENT when nothing owns
 * the file, or another negative errno.
 */
int package__lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out);

/*
 * package__lookup, and when a package database answers, the signatures of the
 * package into @sigs (NULL: not wanted). Only rpm records them: dpkg keeps no
 * signature of an installed package, apk none we read, an ELF note is no
 * signature. @sigs->n is 0 for those and for unsigned packages.
 */
int package__lookup_signed(int root_fd, const char *path, int exe_fd, struct pkg_info *out,
			   struct pkg_sigs *sigs);

#endif
