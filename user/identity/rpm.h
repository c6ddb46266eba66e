/* SPDX-License-Identifier: MIT */
/*
 * rpm package database of a root.
 *
 * Mapping to struct pkg_info:
 *   vendor  = Vendor
 *   name    = Name
 *   version = Version-Release
 *   source  = "rpm"
 */
#ifndef RMMHUNT_RPM_H
#define RMMHUNT_RPM_H

#include "identity/package.h"

/* The package owning @path in the root open at @root_fd: 0, -ENOENT, -errno. */
int rpm__lookup(int root_fd, const char *path, struct pkg_info *out);

#endif
