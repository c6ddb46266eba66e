// SPDX-License-Identifier: MIT
/* Placeholder until the package-provenance module lands: nothing is owned. */
#include <errno.h>

#include "identity/package.h"

int package__lookup(int root_fd, const char *path, int exe_fd, struct pkg_info *out)
{
	return -ENOENT;
}
