/* SPDX-License-Identifier: MIT */
/*
 * The ELF package-metadata note (https://systemd.io/ELF_PACKAGE_METADATA/):
 * a note of owner "FDO", type 0xcafe1a7e, in a PT_NOTE segment, whose payload
 * is a JSON object such as
 *   {"type":"deb","os":"debian","name":"rmmtest","version":"1.2.3"}
 * written by `ld --package-metadata=...`.
 *
 * Mapping to struct pkg_info:
 *   vendor  = "vendor" when the note has it (not in the spec, but some
 *             builders add it), else "os" (the distribution that built it)
 *   name    = "name" (required: a note without it is ignored)
 *   version = "version"
 *   source  = "elf-note"
 */
#ifndef RMMHUNT_ELFNOTE_H
#define RMMHUNT_ELFNOTE_H

#include <stddef.h>

#include "identity/package.h"

#define ELFNOTE_TYPE_FDO_PACKAGE 0xcafe1a7eu
/* Bounds on what is read from an untrusted file. */
#define ELFNOTE_MAX_PHNUM     1024
#define ELFNOTE_MAX_SEGMENT   (64u << 10)
#define ELFNOTE_MAX_NOTE_READ (256u << 10)

/* Parses the JSON payload @json (@len bytes, NULs at the end ignored). 0, -ENOENT, -EINVAL. */
int elfnote__parse_json(const char *json, size_t len, struct pkg_info *out);

/* Finds and parses the note in a whole ELF file held in memory. 0 or -ENOENT. */
int elfnote__read_mem(const void *buf, size_t len, struct pkg_info *out);

/* The same for the file open at @fd (read with pread, never reopened). */
int elfnote__read_fd(int fd, struct pkg_info *out);

#endif
