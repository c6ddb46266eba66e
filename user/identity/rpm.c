// SPDX-License-Identifier: MIT
#include <errno.h>

#include "identity/rpm.h"

int rpm__lookup(int root_fd, const char *path, struct pkg_info *out)
{
	return -ENOENT;
}
