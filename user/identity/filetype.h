/* SPDX-License-Identifier: MIT */
/* What kind of executable a file is, from its first bytes and its PE headers. */
#ifndef RMMHUNT_FILETYPE_H
#define RMMHUNT_FILETYPE_H

#include <stdbool.h>
#include <stddef.h>

enum file_type {
	FILE_TYPE_OTHER,
	FILE_TYPE_PE32,
	FILE_TYPE_PE32PLUS,
	FILE_TYPE_ELF,
	FILE_TYPE_SCRIPT,
};

/* "other", "pe32", "pe32+", "elf", "script". */
const char *filetype__name(enum file_type t);

/*
 * Classifies by magic: ELF, script (#!), or other. "MZ" files come back as
 * FILE_TYPE_OTHER with *@maybe_pe set: only their PE headers can say whether
 * they are PE32, PE32+ or a plain DOS program.
 */
enum file_type filetype__sniff(const void *head, size_t n, bool *maybe_pe);

#endif
