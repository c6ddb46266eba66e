/* SPDX-License-Identifier: MIT */
/*
 * Package provenance of a native executable: which package installed it, from
 * the package database of the root the process sees (dpkg, rpm, apk), or from
 * the ELF .note.package note the binary carries.
 */
#ifndef RMMHUNT_PACKAGE_H
#define RMMHUNT_PACKAGE_H

#define PKG_FIELD_MAX 256

struct pkg_info {
	char vendor[PKG_FIELD_MAX];  /* -> ProcessVersionInfoCompanyName */
	char name[PKG_FIELD_MAX];    /* -> ProcessVersionInfoProductName */
	char version[PKG_FIELD_MAX]; /* -> ProcessVersionInfoProductVersion */
	const char *source;	     /* "dpkg", "rpm", "apk" or "elf-note" */
};

/*
 * Looks up the package owning @path inside the root open at @root_fd (the
 * process's /proc/PID/root, or AT_FDCWD-like host root), then the ELF note of
 * the file open at @exe_fd. Returns 0 when found, -ENOENT when nothing owns
 * the file, or another negative errno.
 */
int package__lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out);

#endif
