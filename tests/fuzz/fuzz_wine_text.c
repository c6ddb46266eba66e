// SPDX-License-Identifier: MIT
/*
 * The text parsers of identity/wine.c and identity/accounts.c on arbitrary
 * bytes: /proc/PID/environ, /proc/PID/maps and /etc/passwd all come from the
 * watched process or its root.
 */
#include <stddef.h>
#include <stdint.h>

#include "identity/accounts.h"
#include "identity/wine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	char out[4096], small[8];
	struct wine_image img;

	wine__environ_get(buf, size, "WINEPREFIX", out, sizeof(out));
	wine__environ_get(buf, size, "HOME", small, sizeof(small));
	wine__maps_find_image(buf, size, "AteraAgent.exe", &img);
	wine__maps_find_image(buf, size, NULL, &img);
	accounts__passwd_field(buf, size, 1000, PASSWD_HOME, out, sizeof(out));
	accounts__passwd_field(buf, size, 0, PASSWD_NAME, small, sizeof(small));
	return 0;
}
