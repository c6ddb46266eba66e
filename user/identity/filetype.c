// SPDX-License-Identifier: MIT
/* File typing by magic: see filetype.h. */
#include <string.h>

#include "identity/filetype.h"

static const char *const names[] = {
    [FILE_TYPE_OTHER] = "other", [FILE_TYPE_PE32] = "pe32",	[FILE_TYPE_PE32PLUS] = "pe32+",
    [FILE_TYPE_ELF] = "elf",	 [FILE_TYPE_SCRIPT] = "script",
};

const char *filetype__name(enum file_type t)
{
	return (unsigned int)t < sizeof(names) / sizeof(names[0]) ? names[t] : "other";
}

enum file_type filetype__sniff(const void *head, size_t n, bool *maybe_pe)
{
	const unsigned char *p = head;

	*maybe_pe = n >= 2 && p[0] == 'M' && p[1] == 'Z';
	if (n >= 4 && !memcmp(p,
			      "\x7f"
			      "ELF",
			      4))
		return FILE_TYPE_ELF;
	if (n >= 2 && p[0] == '#' && p[1] == '!')
		return FILE_TYPE_SCRIPT;
	return FILE_TYPE_OTHER;
}
