// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the ELF package-note reader on a whole (hostile) file
 * image, and its JSON payload parser on the same bytes.
 * Sources: user/identity/elfnote.c user/identity/pkg_field.c, -ljansson.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "identity/elfnote.h"

static void check(const struct pkg_info *pi)
{
	/* Every field must be a NUL-terminated string within its array. */
	if (memchr(pi->name, '\0', sizeof(pi->name)) == NULL ||
	    memchr(pi->version, '\0', sizeof(pi->version)) == NULL ||
	    memchr(pi->vendor, '\0', sizeof(pi->vendor)) == NULL || !pi->name[0])
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_info pi;

	if (!elfnote__read_mem(data, size, &pi))
		check(&pi);
	if (!elfnote__parse_json((const char *)data, size, &pi))
		check(&pi);
	return 0;
}
