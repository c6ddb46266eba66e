// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the rpm header-blob reader. Input: 4 bytes of file index
 * (little-endian), then the blob as stored in the rpmdb's Packages table.
 * Sources: user/identity/rpm.c user/identity/pkg_field.c user/identity/root.c
 *          user/base/log.c, -lsqlite3.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "identity/rpm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkg_info pi;
	uint32_t idx;

	if (size < 4)
		return 0;
	memcpy(&idx, data, 4);
	if (!rpm__header_match(data + 4, size - 4, idx % 64, "/usr/bin/", "rmmtest-rpm", &pi) &&
	    (!pi.name[0] || !memchr(pi.version, '\0', sizeof(pi.version))))
		__builtin_trap();
	return 0;
}
